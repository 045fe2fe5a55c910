"""What each copy proposes for a table: the cells it changed from its own base, the rows it added, the rows it dropped.

A copy is compared with its own base (the snapshot taken when it was made), never with the
master as it is now: a department that did not touch a cell proposes nothing for it, however
the master moved on since. Values this copy gave before (stamped in the state) are not
proposed again, so an old copy sent twice puts nothing back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xlpromo.model.master import SCHEMA
from xlpromo.model.schema import Table
from xlpromo.model.state import Canon, RowValues, TableSnapshot, cell_stamp, key_text, value_columns
from xlpromo.roundtrip.merge.cells import row_brief
from xlpromo.roundtrip.merge.ledger import Ledger
from xlpromo.roundtrip.merge.load import Copy, Master, label, stamp_time
from xlpromo.roundtrip.merge.summary import Conflict, MergeResult

__all__ = ["Proposal", "Proposals", "added_before", "place", "propose"]


@dataclass
class Proposal:
    """A value one copy proposes for one cell, with what it was when the copy had it (its base)."""

    copy: Copy
    value: Canon
    raw: Any
    base: Canon


@dataclass
class Proposals:
    """What the copies propose for one table: values per (row key, column key), new rows, and rows sent again
    ((copy ID, row ID) of rows a copy added, a merge appended, and the copy still has)."""

    cells: dict[tuple[str, str], list[Proposal]] = field(default_factory=dict)
    new_rows: list[tuple[Copy, RowValues]] = field(default_factory=list)
    again: set[tuple[str, str]] = field(default_factory=set)


def propose(table: Table, master: Master, copies: Sequence[Copy], ledger: Ledger, result: MergeResult) -> Proposals:
    """Every copy's proposals for ``table``, a later version of a copy replacing an earlier one's; the rows a copy
    dropped go to ``result`` as conflicts (never deleted)."""
    out = Proposals()
    deleted: set[tuple[str, str]] = set()
    for cp in copies:
        _propose_rows(table, cp, master, ledger, out)
        _dropped(table, cp, master, deleted, result)
    return out


def _propose_rows(table: Table, cp: Copy, master: Master, ledger: Ledger, out: Proposals) -> None:
    """The cells of ``cp``'s rows that differ from its base (and from what it gave last time), and its new rows."""
    cols = value_columns(table)
    base_cols = {c.key: i for i, c in enumerate(cols)}
    agreed = master.state.snapshot.get(table.key, TableSnapshot([c.key for c in cols])).rows
    snap = cp.state.snapshot.get(table.key, TableSnapshot([c.key for c in cols]))
    mrows = master.rows[table.key]
    mine = master.state.taken.get(cp.state.copy_id, set())
    merged = master.state.versions.get(cp.state.copy_id)
    newer = merged is not None and cp.saved > stamp_time(merged)  # a later version than the one merged before
    for key, row in cp.rows.get(table.key, {}).items():
        base = snap.rows.get(key)
        if base is None:
            again = added_before(cp, table.key, row, mrows, ledger.merged, mine)
            if again is None:
                out.new_rows.append((cp, row))
                continue
            out.again.add((cp.state.copy_id, again))
            # a row this copy added and a merge appended: its base is what was agreed then
            key, base = again, agreed.get(again, [None] * len(base_cols))
        m = mrows.get(key)
        for ck, i in base_cols.items():
            value = row.canon[ck]
            earlier = out.cells.get((key, ck))
            if earlier:  # this version of the copy replaces what an earlier version proposed
                out.cells[(key, ck)] = [p for p in earlier if p.copy.state.copy_id != cp.state.copy_id]
            if newer and m is not None and _gave(cp, table, key, ck, m.canon[ck], mine):
                # a later version of a copy whose earlier value the master holds: its answer now, even the base
                if value != m.canon[ck]:
                    out.cells.setdefault((key, ck), []).append(Proposal(cp, value, row.raw[ck], m.canon[ck]))
                continue
            if value == base[i]:
                continue  # as the copy received it (an old copy does not put old values back)
            if mine and cell_stamp(cp.state.copy_id, table.key, key, ck, value) in mine:
                continue  # taken from this copy before: sent again, or the master has moved on since
            was = base[i]
            if m is not None and _gave(cp, table, key, ck, m.canon[ck], mine):
                was = m.canon[ck]  # the master still holds what this copy gave last time
            if value == was:
                continue
            out.cells.setdefault((key, ck), []).append(Proposal(cp, value, row.raw[ck], was))


def _gave(cp: Copy, table: Table, key: str, ck: str, value: Canon, mine: set[str]) -> bool:
    """Whether an earlier merge took ``value`` for this cell from ``cp`` (its stamp is in the master's state)."""
    return bool(mine) and cell_stamp(cp.state.copy_id, table.key, key, ck, value) in mine


def _dropped(table: Table, cp: Copy, master: Master, deleted: set[tuple[str, str]], result: MergeResult) -> None:
    """Rows of ``cp``'s base it no longer has, and rows it added before and has now cleared: listed, not deleted."""
    rt = master.raw.tables[table.key]
    cols = value_columns(table)
    snap = cp.state.snapshot.get(table.key, TableSnapshot([c.key for c in cols]))
    crows = cp.rows.get(table.key, {})
    mrows = master.rows[table.key]
    gone = [k for k in snap.rows if k not in crows]
    places = {r.row for r in crows.values()}
    prefix = f"{cp.state.copy_id}@{table.key}!"
    gone += [k for p, k in master.state.merged.items()  # rows this copy added before and has now cleared
             if p.startswith(prefix) and int(p[len(prefix):]) not in places and k in mrows]
    for key in gone:
        if (cp.state.copy_id, key) not in deleted:
            deleted.add((cp.state.copy_id, key))
            m = mrows.get(key)
            cell = rt.cell(m.row, cols[0].key).split("!")[1] if m and cols else ""
            result.conflicts.append(Conflict("副本删除了此行", rt.sheet, cell, key_text(key), "（整行）", "",
                                             row_brief(table, m.raw) if m else "", [("（已删除）", label(cp))]))


def added_before(cp: Copy, table: str, row: RowValues, master_rows: dict[str, RowValues], merged: dict[str, str],
                 mine: set[str]) -> str | None:
    """The master's row ID of a row this copy added and an earlier merge appended (the copy sent again, edited):
    the same place in the copy, and its planned cells (日期, 核心指标…; else most of its cells) as taken then.
    None: a new row (one typed where an earlier one was cleared is new too)."""
    key = merged.get(place(cp, table, row))
    if key is None or key not in master_rows:
        return None
    planned = {c.key for c in SCHEMA.table(table).columns if c.planned}
    cells = {ck: v for ck, v in row.canon.items() if v is not None and (not planned or ck in planned)}
    same = sum(cell_stamp(cp.state.copy_id, table, key, ck, v) in mine for ck, v in cells.items())
    return key if cells and (same == len(cells) if planned else 2 * same >= len(cells)) else None


def place(cp: Copy, table: str, row: RowValues) -> str:
    """Where a copy added a row: ``copy_id@table!row``."""
    return f"{cp.state.copy_id}@{table}!{row.row}"
