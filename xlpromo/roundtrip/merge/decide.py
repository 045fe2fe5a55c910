"""The three-way decision, cell by cell: take a copy's value, or keep the master's and list a conflict.

A value changed by one side only (or by several copies alike, from the master's own value)
is taken; a cell the master changed too, or copies changed differently, is a conflict: the
master keeps its value and every side is shown with its file. Nothing is decided twice and
nothing is lost: every value overwritten goes to 变更记录.
"""

from __future__ import annotations

from xlpromo.model.formats import row_format
from xlpromo.model.schema import Table
from xlpromo.model.state import Canon, cell_stamp, key_column, key_text, value_columns
from xlpromo.roundtrip.merge.cells import show, write_value
from xlpromo.roundtrip.merge.ledger import Ledger
from xlpromo.roundtrip.merge.load import Master, label
from xlpromo.roundtrip.merge.propose import Proposal
from xlpromo.roundtrip.merge.summary import Change, Conflict, MergeResult
from xlpromo.roundtrip.merge.write import Plan
from xlpromo.roundtrip.rows import catalogue_units

__all__ = ["decide", "plan_ids"]


def plan_ids(master: Master, plan: Plan) -> None:
    """Write the row IDs the master's own rows lacked (given when its rows were read)."""
    for tkey, rows in master.rows.items():
        rt = master.raw.tables[tkey]
        if rt.table.id_column:
            id_col = rt.columns[rt.table.id_column] + 1
            for r in rows.values():
                if r.id_cell != r.key:
                    plan.put(rt.sheet, r.row, id_col, r.key)


def decide(table: Table, master: Master, proposals: dict[tuple[str, str], list[Proposal]], plan: Plan,
           ledger: Ledger, result: MergeResult) -> None:
    """Take or refuse each proposed value of ``table``'s existing rows; taken values go to ``plan`` and the
    ledger, changes and conflicts to ``result``."""
    rt = master.raw.tables[table.key]
    cols = value_columns(table)
    col_of = {c.key: c for c in cols}
    base_cols = {c.key: i for i, c in enumerate(cols)}
    keyed = bool(table.id_column or key_column(table))  # 活动目标's single row: no row ID to show
    units = catalogue_units(master.raw)
    for (key, ck), props in proposals.items():
        col = col_of[ck]
        shown_key = key_text(key) if keyed else ""
        m = master.rows[table.key].get(key)
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
        fmt = row_format(col, m.raw, units)  # 合并冲突/变更记录 show the value as this cell shows it
        if any(x.base != current for x in active) or len({_key(x.value) for x in active}) > 1:
            result.conflicts.append(Conflict("冲突", rt.sheet, cell, shown_key, col.header,
                                             show(active[0].base, col), show(m.raw[ck]),
                                             [(show(x.raw), label(x.copy)) for x in active], fmt))
            continue
        take = active[0]
        plan.put(rt.sheet, m.row, rt.columns[ck] + 1, write_value(take.raw, col))
        for q in active:
            result.changes.append(Change(q.copy.path.name, q.copy.dept, rt.sheet, cell, shown_key,
                                         col.header, show(m.raw[ck]), show(q.raw), fmt))
            ledger.taken.setdefault(q.copy.state.copy_id, set()).add(
                cell_stamp(q.copy.state.copy_id, table.key, key, ck, q.value))
        m.canon[ck] = take.value
        ledger.final[table.key].rows[key][base_cols[ck]] = take.value


def _key(v: Canon) -> tuple[str, Canon]:
    """A value with its type, so that 1.0 and True (equal in Python) are told apart."""
    return (type(v).__name__, v)
