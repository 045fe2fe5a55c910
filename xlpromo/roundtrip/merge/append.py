"""Rows new in a copy: which are appended to the master, with which row IDs, and which are not.

A row is appended once: the same row sent again (the copy re-sent, or a later version of it)
is recognised by its place and its values, and a row a later version dropped is not appended.
"""

from __future__ import annotations

from xlpromo.model.ids import new_ids
from xlpromo.model.schema import Table
from xlpromo.model.state import RowValues, cell_stamp, fingerprint, key_text, value_columns
from xlpromo.roundtrip.merge.cells import show
from xlpromo.roundtrip.merge.ledger import Ledger
from xlpromo.roundtrip.merge.load import Copy, Master, label
from xlpromo.roundtrip.merge.propose import place
from xlpromo.roundtrip.merge.summary import Conflict, MergeResult
from xlpromo.roundtrip.merge.write import Plan

__all__ = ["append_new"]


def append_new(table: Table, master: Master, new_rows: list[tuple[Copy, RowValues]], latest: dict[str, Copy],
               plan: Plan, ledger: Ledger, result: MergeResult) -> None:
    """Rows new in a copy: appended below the master's table with fresh IDs (natural keys: when not there yet).
    ``latest``: the last saved version of each copy (by copy ID), whose rows win."""
    if not new_rows:
        return
    rt = master.raw.tables[table.key]
    mrows, ids, merged, taken = master.rows, ledger.ids, ledger.merged, ledger.taken
    cols = value_columns(table)
    todo: list[tuple[Copy, RowValues, str]] = []
    here: dict[str, int] = {}  # a row a copy adds (its place, or its natural key) → its index in todo
    for cp, row in new_rows:
        last = latest[cp.state.copy_id]
        if last is not cp:  # a later version of this copy has no row there any more: the department removed it
            rows = last.rows.get(table.key, {})
            if (row.row not in {r.row for r in rows.values()}) if table.id_column else (row.key not in rows):
                continue
        same = f"{cp.state.copy_id}@{row.row}" if table.id_column else f"{cp.state.copy_id}#{row.key}"
        if same in here:  # the same row in a later version of the same copy: that version wins
            i = here[same]
            todo[i] = (cp, row, todo[i][2])
            continue
        if table.id_column:
            mark = f"{cp.state.copy_id or cp.path.name}:{fingerprint(row.canon)}"
            if mark in merged:
                result.already_merged += 1
                continue
            key = new_ids(table.id_prefix, [], 1, ids.get(table.key, 0))[0]
            ids[table.key] = ids.get(table.key, 0) + 1
            merged[place(cp, table.key, row)] = key
        else:
            key = row.key
            existing = mrows[table.key].get(key)
            if existing is not None:  # already there (added in the master, or merged before)
                for c in cols:
                    if existing.canon[c.key] != row.canon[c.key]:
                        cell = rt.address(existing.row, c.key)
                        result.conflicts.append(Conflict("冲突", rt.sheet, cell, key_text(key), c.header, "",
                                                         show(existing.raw[c.key]),
                                                         [(show(row.raw[c.key]), label(cp))]))
                continue
            if not table.growable:
                result.conflicts.append(Conflict("无法新增", rt.sheet, "", key_text(key), "（整行）", "", "",
                                                 [("固定行数的表不能新增行", label(cp))]))
                continue
            mrows[table.key][key] = row
        here[same] = len(todo)
        todo.append((cp, row, key))
    for cp, row, key in todo:  # the values taken (the latest version's), to recognise this copy when sent again
        if table.id_column:
            merged[f"{cp.state.copy_id or cp.path.name}:{fingerprint(row.canon)}"] = key
            taken.setdefault(cp.state.copy_id, set()).update(
                cell_stamp(cp.state.copy_id, table.key, key, c.key, row.canon[c.key]) for c in cols
                if row.canon.get(c.key) is not None)
    if todo:
        plan.appends.append((table, rt, todo))
    for _, row, key in todo:
        ledger.final[table.key].rows[key] = [row.canon[c.key] for c in cols]
