"""Bring a workbook built by an earlier xlpromo up to the schema: computed columns it lacks join their table.

每日监控 gained two hidden computed columns (环比键, 前一日实际值) and a head cell (有序行数), which its 环比变化
formula reads. A workbook built before has 环比变化's old formula, which scans the whole table per row. ``recalc``
upgrades it: the table widens over the missing columns (on its right, where the schema puts them, with their
calculated-column formulas, so Excel fills rows added later), their headers, formulas and head cells are written,
the columns hidden, and the computed columns that read them get the new formula where a formula stood (a value
typed over one stays, and recalc reports it). Only columns the schema computes are added: nothing is asked of
the person filling the book in, and nothing they typed moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from xlpromo.engine.findings import Finding, NotUpgraded
from xlpromo.model.book import RawBook, RawTable
from xlpromo.model.formulas import references, render
from xlpromo.model.master import SCHEMA
from xlpromo.model.schema import Table
from xlpromo.ooxml import BookPatch, Formula, Value

__all__ = ["Upgrade", "not_upgraded", "plan_upgrades"]


@dataclass(frozen=True)
class Upgrade:
    """The computed columns one table of the file lacks, and the computed columns whose formula reads them."""

    table: Table
    sheet: str
    added: dict[str, int]  # column key → 0-based sheet column, in order
    refill: tuple[str, ...]  # keys of present computed columns that read an added one
    columns: dict[str, int]  # the table's columns as read

    @classmethod
    def of(cls, rt: RawTable) -> Upgrade | None:
        """The upgrade ``rt`` needs; None when it has every column, or lacks one it cannot get safely (an input
        column, a column not at the table's right, a range found by its headers rather than an Excel table)."""
        table = rt.table
        missing = [c for c in table.columns if c.key not in rt.columns]
        if not missing or not rt.excel_table:
            return None
        first = min(rt.columns.values()) - min(table.index(k) for k in rt.columns)
        present = [c.key for c in table.columns if c.key in rt.columns]
        if (any(c.formula is None for c in missing)
                or any(rt.columns[k] != first + table.index(k) for k in present)
                or min(table.index(c.key) for c in missing) < max(table.index(k) for k in present)):
            return None
        added = {c.key: first + table.index(c.key) for c in missing}
        refill = tuple(c.key for c in table.computed_columns
                       if c.key in rt.columns and references(c.formula or "") & set(added))
        return cls(table, rt.sheet, added, refill, dict(rt.columns))

    def apply(self, pkg: BookPatch) -> list[str]:
        """Widen the table, write the new columns' headers, formulas and head cells, hide them, refill the
        formulas that read them. The cells of ``refill`` left as typed (A1), which recalc reports."""
        table, sheet = self.table, self.sheet
        r0, _, r1, _ = pkg.table_ref(sheet, table.name)
        formulas = {k: render(table.col(k).formula or "", SCHEMA, table) for k in (*self.added, *self.refill)}
        pkg.add_table_columns(sheet, table.name, [(table.col(k).header, formulas[k]) for k in self.added])
        left = max(self.columns.values()) + 1  # 1-based: the table's last column as it was
        head_style, body_style = pkg.row_styles(sheet, r0).get(left, 0), pkg.row_styles(sheet, r1).get(left, 0)
        cells: dict[tuple[int, int], Value] = {}
        styles: dict[tuple[int, int], int] = {}
        for key, c in self.added.items():
            cells[(r0, c + 1)] = table.col(key).header
            styles[(r0, c + 1)] = head_style
            for r in range(r0 + 1, r1 + 1):
                cells[(r, c + 1)] = Formula(formulas[key], "")
                styles[(r, c + 1)] = body_style
        at = {**self.columns, **self.added}
        for h in table.head:  # the label, then the formula above its column (1-based: the column's index + 1)
            row = table.head_cell(h.key)[0] + 1
            cells[(row, at[h.column])] = h.label
            cells[(row, at[h.column] + 1)] = Formula(render(h.formula, SCHEMA, table), "")
        pkg.set_cells(sheet, cells, styles=styles)
        cols = sorted(self.added.values())
        pkg.hide_columns(sheet, cols[0] + 1, cols[-1] + 1, max(table.col(k).width for k in self.added))
        refill = {(r, self.columns[key] + 1): Formula(formulas[key], "")
                  for key in self.refill for r in range(r0 + 1, r1 + 1)}
        return pkg.refill_formulas(sheet, refill) if refill else []


def plan_upgrades(raw: RawBook) -> dict[str, Upgrade]:
    """Table key → the upgrade it needs, for the tables of ``raw`` that need one."""
    plans = {key: Upgrade.of(rt) for key, rt in raw.tables.items()}
    return {key: u for key, u in plans.items() if u is not None}


def not_upgraded(raw: RawBook, upgrades: Mapping[str, Upgrade]) -> list[Finding]:
    """A warning per table that lacks computed columns and has no upgrade (a column moved inside it), at the header
    of the first column that reads them: those keep their old formula, which recalc says rather than hide. (A
    table converted to a range never gets here: recalc refuses it as MissingTable.)"""
    out: list[Finding] = []
    for key, rt in raw.tables.items():
        missing = [c for c in rt.table.computed_columns if c.key not in rt.columns]
        if key in upgrades or not missing:
            continue
        readers = [c for c in rt.table.computed_columns
                   if c.key in rt.columns and references(c.formula or "") & {m.key for m in missing}]
        if readers:
            names = "、".join(f"“{c.header}”" for c in missing)
            out.append(NotUpgraded.at(rt.sheet, rt.address(rt.header_excel_row, readers[0].key), rt.header_excel_row,
                                      "、".join(c.header for c in readers), names))
    return out
