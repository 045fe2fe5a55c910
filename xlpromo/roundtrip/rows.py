"""Rows joining an Excel table: one way for rows typed below a table (recalc) and rows taken from copies (merge).

A protected sheet, LibreOffice and WPS do not grow an Excel table when a row is typed below
it, and a merge appends the rows departments added. Either way the new rows must become rows
of the table like the others: its formulas (rendered from the schema, never copied from a
cell a person may have typed over), the cell formats of a model row of the table (number
formats, borders, locks) and the table's range moved over them, so the table's highlights,
filters and totals reach them. One implementation keeps a row joined by recalc and a row
appended by merge the same row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from xlpromo.model.book import RawBook, RawTable, as_row
from xlpromo.model.formats import FORMAT_REFERENCES, row_format
from xlpromo.model.formulas import render
from xlpromo.model.master import SCHEMA
from xlpromo.model.schema import Table
from xlpromo.ooxml import KEEP, BookPatch, Formula, Value

__all__ = ["RowsBelow", "SheetCells", "append_rows", "catalogue_units", "metric_rows"]


@dataclass
class SheetCells:
    """Cells to write into one sheet ((row, col), both 1-based) and the styles of some of them: gathered so that
    a sheet is patched once, however many edits it gets."""

    values: dict[tuple[int, int], Value] = field(default_factory=dict)
    styles: dict[tuple[int, int], int] = field(default_factory=dict)

    def put(self, row: int, col: int, value: Value) -> None:
        """Write ``value`` at (row, col), keeping the cell's style."""
        self.values[(row, col)] = value

    def write(self, pkg: BookPatch, sheet: str) -> None:
        """Patch ``sheet`` of ``pkg`` with these cells."""
        pkg.set_cells(sheet, self.values, styles=self.styles)


def append_rows(pkg: BookPatch, sheet: str, table: Table, columns: Mapping[str, int],
                rows: Mapping[int, Mapping[str, Value]], model: Callable[[int], int], into: SheetCells) -> None:
    """Make ``rows`` (Excel row → values by column key) rows of ``table``, which ends at the last of them.

    Every computed column gets the table's formula, every given value is written, and each written cell takes the
    style of the same column on the row's model row (``model(row)``; none when that is the header). ``columns``:
    column key → 0-based sheet column, as read. The cells go ``into`` the caller's edits of the sheet."""
    if not rows:
        return
    r0 = pkg.table_ref(sheet, table.name)[0]
    formulas = {c.key: Formula(render(c.formula or "", SCHEMA, table), "") for c in table.computed_columns}
    styles_of: dict[int, dict[int, int]] = {}
    for r, values in rows.items():
        like = model(r)
        if like not in styles_of:
            styles_of[like] = pkg.row_styles(sheet, like) if like > r0 else {}
        styles = styles_of[like]
        for col in table.columns:
            if col.key not in columns or (col.key not in formulas and col.key not in values):
                continue
            c = columns[col.key] + 1
            into.values[(r, c)] = formulas[col.key] if col.key in formulas else values[col.key]
            into.styles[(r, c)] = styles.get(c, 0)
    pkg.set_table_end(sheet, table.name, max(rows))


def catalogue_units(raw: RawBook) -> dict[str, str]:
    """Metric → unit as 指标目录 reads (empty when the book has no catalogue)."""
    rt = raw.tables.get("metrics")
    if rt is None or not {"name", "unit"} <= set(rt.data.columns):
        return {}
    return {str(n).strip(): str(u).strip() for n, u in zip(rt.data["name"], rt.data["unit"], strict=True)
            if isinstance(n, str) and isinstance(u, str)}


def metric_rows(rt: RawTable, r0: int, r1: int) -> dict[str, int]:
    """Metric → the last row of the table (as it was made, rows r0+1..r1) with that metric: a row joining the
    table takes its cell formats, whose number formats follow the metric's unit (``0.0%``, ``#,##0``…)."""
    if "metric" not in rt.data.columns:
        return {}
    out: dict[str, int] = {}
    for r, v in rt.data["metric"].items():
        if r0 < as_row(r) <= r1 and isinstance(v, str) and v.strip():
            out[v.strip()] = max(out.get(v.strip(), 0), as_row(r))
    return out


@dataclass(frozen=True)
class RowsBelow:
    """Rows typed just below an Excel table that did not grow (LibreOffice, WPS, a protected sheet)."""

    table: Table
    sheet: str
    rows: list[int]  # Excel rows with values, below the table's last row
    columns: dict[str, int]  # column key → 0-based sheet column
    facts: dict[int, dict[str, object]]  # Excel row → the values that decide its number formats (metric, target…)
    units: dict[str, str]  # metric → unit, from 指标目录 as read

    @classmethod
    def of(cls, rt: RawTable, added: Mapping[str, int] = {}, units: Mapping[str, str] = {}) -> RowsBelow:
        """The data rows of a table as read (rows below its range included: the reader reads them); ``added``:
        columns an upgrade gives the table (key → 0-based sheet column); ``units``: metric → unit."""
        keys = [k for k in ("metric", *FORMAT_REFERENCES) if k in rt.data.columns]
        rows = list(map(as_row, rt.data.index))
        columns = [rt.data[k].tolist() for k in keys]  # column by column: no Series made per row
        facts = ({r: dict(zip(keys, values, strict=True)) for r, *values in zip(rows, *columns, strict=True)}
                 if keys else {})
        return cls(rt.table, rt.sheet, sorted(rows), {**rt.columns, **added}, facts, dict(units))

    def adopt(self, pkg: BookPatch) -> list[int]:
        """Extend the table over the rows below it (blank rows between included) and give them its formulas and
        the cell formats of its last row with the same metric (else its last row), a column that mixes units the
        number format of the row's metric; the typed cells keep their values. Returns the rows typed below."""
        table = self.table
        if not table.growable or not self.rows:
            return []
        r0, _, r1, _ = pkg.table_ref(self.sheet, table.name)
        below = [r for r in self.rows if r1 < r <= r0 + table.capacity]
        if not below:
            return []
        by_metric: dict[str, int] = {}  # metric → its last row in the table
        for r in sorted(self.facts):
            if r0 < r <= r1:
                by_metric[str(self.facts[r].get("metric") or "").strip()] = r
        keep = {c.key: KEEP for c in table.columns if not c.computed}
        joined = range(r1 + 1, below[-1] + 1)
        cells = SheetCells()
        append_rows(pkg, self.sheet, table, self.columns, {r: keep for r in joined},
                    lambda r: by_metric.get(str(self.facts.get(r, {}).get("metric") or "").strip(), r1), cells)
        for col in (c for c in table.columns if c.unit_of and c.key in self.columns):
            c = self.columns[col.key] + 1
            for r in joined:
                code = row_format(col, self.facts.get(r, {}), self.units) or "General"
                cells.styles[(r, c)] = pkg.styles().numbered(cells.styles.get((r, c), 0), code)
        cells.write(pkg, self.sheet)
        return below
