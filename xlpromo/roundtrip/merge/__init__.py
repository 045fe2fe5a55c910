"""``xlpromo merge``: a three-way merge of department copies back into the master, losing nothing.

Each copy is compared, row by ID (or natural key) and cell by cell, with its own base: the
snapshot its ``_xlpromo`` sheet took of the master when the copy was made. A cell changed only
in one copy is taken; a cell changed differently in two copies, or changed in the master too,
is a conflict: the master keeps its value and ``合并冲突`` lists every side with its file.
Rows new in a copy are appended with fresh IDs (a row merged before is recognised and not
appended twice); rows missing from a copy are listed, never deleted. Versions of one copy (the same
copy ID in several files) are merged in the order they were saved, a later one winning; the
values taken from each copy are stamped in ``_xlpromo``, so a copy sent again puts nothing back. A copy of another
campaign, of another format version or with renamed headers is refused before anything is
written. Every value the merge overwrites goes to ``变更记录`` (kept across merges), so any
value can be restored. The output's snapshot holds the merged values: the new agreed base.

The modules, in the order a merge walks them: :mod:`.load` reads the files and refuses what
cannot be merged, :mod:`.propose` finds what each copy proposes, the three-way decision takes
or lists each cell, :mod:`.append` decides the new rows, :mod:`.write` patches the master's
package and recalculates it, :mod:`.sheets` writes 合并冲突/变更记录, :mod:`.summary` holds
the records and says what was done.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from xlpromo.errors import DamagedState, NotACopy, NotAMaster, NotMergeable
from xlpromo.files.reader import read_workbook
from xlpromo.model.master import SCHEMA
from xlpromo.model.state import (
    STATE_SHEET,
    Canon,
    RowValues,
    State,
    TableSnapshot,
    book_rows,
    cell_stamp,
    key_column,
    max_ids,
    new_campaign_id,
    snapshot_of,
    value_columns,
)
from xlpromo.roundtrip.merge.append import append_new
from xlpromo.roundtrip.merge.cells import row_brief, show, write_value
from xlpromo.roundtrip.merge.load import Copy, label, load_copy, saved_at
from xlpromo.roundtrip.merge.propose import Proposal, added_before
from xlpromo.roundtrip.merge.summary import CHANGES_SHEET, CONFLICTS_SHEET, Change, Conflict, MergeResult
from xlpromo.roundtrip.merge.write import Plan, write
from xlpromo.roundtrip.state import read_state

__all__ = ["CHANGES_SHEET", "CONFLICTS_SHEET", "Change", "Conflict", "MergeResult", "NotACopy", "NotAMaster",
           "NotMergeable", "merge_books"]


def merge_books(master: str | os.PathLike[str], copies: Sequence[str | os.PathLike[str]],
                out: str | os.PathLike[str]) -> MergeResult:
    """Merge department copies into ``master`` and write ``out`` atomically; inputs are only read.

    NotMergeable (or another WorkbookError) before anything is written when a file cannot be used."""
    master, out = Path(master), Path(out)
    for path in (master, *map(Path, copies)):
        if path.exists() and out.exists() and out.resolve() == path.resolve():
            raise NotMergeable(path, "输出文件不能与输入文件相同")
    raw = read_workbook(master)
    try:
        state = read_state(master)
    except DamagedState as exc:
        raise NotMergeable(master, str(exc)) from None
    if state is not None and state.role != "master":
        raise NotAMaster(master, state.dept)
    if state is None:  # a master made before _xlpromo existed: it becomes a campaign now
        if copies:
            raise NotMergeable(master, f"主工作簿没有 {STATE_SHEET} 状态表，不可能有它的部门副本；"
                                       "请先不带副本运行一次 merge 为它加上活动ID，再重新分发")
        state = State(campaign_id=new_campaign_id())
    for table in SCHEMA.tables:
        if table.id_column and table.id_column not in raw.tables[table.key].columns:
            raise NotMergeable(master, f"工作表“{raw.tables[table.key].sheet}”缺少“行ID”列（旧版本的主工作簿）",
                               sheet=raw.tables[table.key].sheet, header="行ID")
    paths = list(dict.fromkeys(Path(c).resolve() for c in copies))  # a file named twice is read once
    # versions of one copy (its ID) in the order they were saved: a later one overrides an earlier
    loaded = sorted((load_copy(Path(c), state) for c in paths), key=lambda c: saved_at(c.path))
    mrows = book_rows(raw, state.max_ids)
    result = MergeResult(out, [])
    versions: dict[str, list[Copy]] = {}
    for cp in loaded:
        versions.setdefault(cp.state.copy_id, []).append(cp)
    for group in versions.values():
        result.copies.append(("、".join(c.path.name for c in group), group[0].dept))
        if len(group) > 1:
            result.twins.append((group[-1].path.name, "、".join(c.path.name for c in group[:-1])))
    depts = {cp.path.name: cp.dept for cp in loaded}
    latest = {cp.state.copy_id: cp for cp in loaded}  # the last saved version of each copy
    plan = Plan()
    now = dt.datetime.now().isoformat(sep=" ", timespec="seconds")
    ids = max_ids(mrows, state.max_ids)
    for cp in loaded:
        ids = {k: max(v, cp.state.max_ids.get(k, 0)) for k, v in ids.items()}
    merged = dict(state.merged)
    taken = {k: set(v) for k, v in state.taken.items()}
    seen_added: set[tuple[str, str]] = set()  # (copy ID, row ID) of rows copies added before and sent again
    final: dict[str, TableSnapshot] = snapshot_of(mrows)

    # row IDs the master's own rows lacked
    for tkey, rows in mrows.items():
        rt = raw.tables[tkey]
        if rt.table.id_column:
            id_col = rt.columns[rt.table.id_column] + 1
            for r in rows.values():
                if r.id_cell != r.key:
                    plan.put(rt.sheet, r.row, id_col, r.key)

    for table in SCHEMA.tables:
        rt = raw.tables[table.key]
        cols = value_columns(table)
        col_of = {c.key: c for c in cols}
        base_cols = {c.key: i for i, c in enumerate(cols)}
        proposals: dict[tuple[str, str], list[Proposal]] = {}
        new_rows: list[tuple[Copy, RowValues]] = []
        deleted: set[tuple[str, str]] = set()
        agreed = state.snapshot.get(table.key, TableSnapshot([c.key for c in cols])).rows
        for cp in loaded:
            snap = cp.state.snapshot.get(table.key, TableSnapshot([c.key for c in cols]))
            crows = cp.rows.get(table.key, {})
            mine = state.taken.get(cp.state.copy_id, set())
            for key, row in crows.items():
                base = snap.rows.get(key)
                if base is None:
                    again = added_before(cp, table.key, row, mrows[table.key], merged, mine)
                    if again is None:
                        new_rows.append((cp, row))
                        continue
                    seen_added.add((cp.state.copy_id, again))
                    # a row this copy added and a merge appended: its base is what was agreed then
                    key, base = again, agreed.get(again, [None] * len(base_cols))
                m = mrows[table.key].get(key)
                for ck, i in base_cols.items():
                    value = row.canon[ck]
                    earlier = proposals.get((key, ck))
                    if earlier:  # this version of the copy replaces what an earlier version proposed
                        proposals[(key, ck)] = [p for p in earlier if p.copy.state.copy_id != cp.state.copy_id]
                    if value == base[i]:
                        continue  # as the copy received it (an old copy does not put old values back)
                    if mine and cell_stamp(cp.state.copy_id, table.key, key, ck, value) in mine:
                        continue  # taken from this copy before: sent again, or the master has moved on since
                    was = base[i]
                    if mine and m is not None and \
                            cell_stamp(cp.state.copy_id, table.key, key, ck, m.canon[ck]) in mine:
                        was = m.canon[ck]  # the master still holds what this copy gave last time
                    if value == was:
                        continue
                    proposals.setdefault((key, ck), []).append(Proposal(cp, value, row.raw[ck], was))
            gone = [k for k in snap.rows if k not in crows]
            places = {r.row for r in crows.values()}
            prefix = f"{cp.state.copy_id}@{table.key}!"
            gone += [k for p, k in state.merged.items()  # rows this copy added before and has now cleared
                     if p.startswith(prefix) and int(p[len(prefix):]) not in places and k in mrows[table.key]]
            for key in gone:
                if (cp.state.copy_id, key) not in deleted:
                    deleted.add((cp.state.copy_id, key))
                    m = mrows[table.key].get(key)
                    cell = rt.cell(m.row, cols[0].key).split("!")[1] if m and cols else ""
                    result.conflicts.append(Conflict("副本删除了此行", rt.sheet, cell, key, "（整行）", "",
                                                     row_brief(table, m.raw) if m else "",
                                                     [("（已删除）", label(cp))]))
        # existing rows, cell by cell
        keyed = bool(table.id_column or key_column(table))  # 活动目标's single row: no row ID to show
        for (key, ck), props in proposals.items():
            col = col_of[ck]
            shown_key = key if keyed else ""
            m = mrows[table.key].get(key)
            if m is None:
                result.conflicts.append(Conflict("主表已删除此行", rt.sheet, "", shown_key, col.header,
                                                 show(props[0].base, col), "（已删除）",
                                                 [(show(p.raw), label(p.copy)) for p in props]))
                continue
            current = m.canon[ck]
            active = [p for p in props if p.value != current]
            if not active:
                continue
            cell = rt.address(m.row, ck)
            if any(x.base != current for x in active) or len({_key(x.value) for x in active}) > 1:
                result.conflicts.append(Conflict("冲突", rt.sheet, cell, shown_key, col.header,
                                                 show(active[0].base, col), show(m.raw[ck]),
                                                 [(show(x.raw), label(x.copy)) for x in active]))
                continue
            take = active[0]
            plan.put(rt.sheet, m.row, rt.columns[ck] + 1, write_value(take.raw))
            for q in active:
                result.changes.append(Change(q.copy.path.name, q.copy.dept, rt.sheet, cell, shown_key,
                                             col.header, show(m.raw[ck]), show(q.raw)))
                taken.setdefault(q.copy.state.copy_id, set()).add(
                    cell_stamp(q.copy.state.copy_id, table.key, key, ck, q.value))
            m.canon[ck] = take.value
            final[table.key].rows[key][base_cols[ck]] = take.value
        # new rows
        append_new(table, raw, mrows, new_rows, plan, result, final, ids, merged, taken, latest)
    result.already_merged += len(seen_added)
    new_state = State(campaign_id=state.campaign_id, max_ids=ids, snapshot=final, merged=merged, taken=taken)
    write(master, raw, out, plan, new_state, result, now, depts)
    return result


def _key(v: Canon) -> tuple[str, Canon]:
    """A value with its type, so that 1 and "1" (or 1.0 and True) are told apart."""
    return (type(v).__name__, v)
