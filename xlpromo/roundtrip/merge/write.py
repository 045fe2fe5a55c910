"""Writing a merge into the master's package, then recalculating it into the output.

The master's package is patched (:class:`xlpromo.ooxml.BookPatch`) rather than loaded and
saved with openpyxl, which would blank every cached value, turn shared strings inline and
drop the ribbon relationship of an .xlsm: every part the merge does not edit is kept byte
for byte. The patched package goes through :func:`xlpromo.roundtrip.recalc.recalc`, which
validates the result, writes the cached values of every computed cell (appended rows
included) and the ``问题清单``/``预警`` sheets, and saves atomically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xlpromo.model.book import RawTable
from xlpromo.model.schema import Table
from xlpromo.model.state import STATE_SHEET, RowValues, State, key_text
from xlpromo.ooxml import BookPatch, Value, temp_file
from xlpromo.roundtrip.merge.cells import row_brief, write_value
from xlpromo.roundtrip.merge.load import Copy, Master
from xlpromo.roundtrip.merge.sheets import put_changes, put_conflicts
from xlpromo.roundtrip.merge.summary import MergeResult
from xlpromo.roundtrip.recalc import recalc
from xlpromo.roundtrip.rows import RowsBelow, SheetCells, append_rows, catalogue_units, metric_rows

__all__ = ["Plan", "write"]


@dataclass
class Plan:
    """What the merge writes: cells by sheet, and the rows to append per table (copy, row, its row ID or key)."""

    cells: dict[str, SheetCells] = field(default_factory=dict)
    appends: list[tuple[Table, RawTable, list[tuple[Copy, RowValues, str]]]] = field(default_factory=list)

    def put(self, sheet: str, row: int, col: int, value: Value) -> None:
        """Write ``value`` at (row, col) of ``sheet``, both 1-based."""
        self.sheet(sheet).put(row, col, value)

    def sheet(self, sheet: str) -> SheetCells:
        """The cells to write into ``sheet``."""
        return self.cells.setdefault(sheet, SheetCells())


def write(master: Master, out: Path, plan: Plan, state: State, result: MergeResult, now: str,
          depts: dict[str, str]) -> None:
    """Patch the master's package with ``plan``, the state and the two sheets; recalculate it into ``out``.

    ``now``: the time 变更记录 gives this merge's rows; ``depts``: file name → department of each copy."""
    raw = master.raw
    pkg = BookPatch.open(master.path)
    ends = {t.table.key: pkg.table_ref(t.sheet, t.table.name)[2] for t in raw.tables.values()}  # before rows join
    units = catalogue_units(raw)
    for rt in raw.tables.values():
        RowsBelow.of(rt, units=units).adopt(pkg)  # rows typed below a table in the master join it first
    for table, rt, rows in plan.appends:
        _append(pkg, table, rt, rows, ends[table.key], plan, result, units)
    for sheet, cells in plan.cells.items():
        cells.write(pkg, sheet)
    pkg.put_hidden_sheet(STATE_SHEET, state.rows())
    put_conflicts(pkg, result.conflicts)
    put_changes(pkg, master.sheets, result, now, depts)
    out.parent.mkdir(parents=True, exist_ok=True)  # as recalc, report and split do
    with temp_file(out.parent, f".{out.stem[:40]}.", ".merge.xlsx") as tmp:
        pkg.save(tmp)
        result.report = recalc(tmp, out, state=state).report  # the state just written: not read back


def _append(pkg: BookPatch, table: Table, rt: RawTable, rows: list[tuple[Copy, RowValues, str]], end: int,
            plan: Plan, result: MergeResult, units: dict[str, str]) -> None:
    """Append rows from copies below the master's table (after rows typed below it), each logged in ``result``
    (rates as the cells show them, by ``units``); a row takes the formats of the table's last row with its metric
    (``end``: the table's last row as made)."""
    r0, _, r1, _ = pkg.table_ref(rt.sheet, table.name)
    last = max([r1, *(int(x) for x in rt.data.index)])
    model = metric_rows(rt, r0, end)
    values: dict[int, dict[str, Value]] = {}
    like: dict[int, int] = {}
    for i, (cp, row, key) in enumerate(rows, start=1):
        r = last + i
        like[r] = model.get(str(row.canon.get("metric") or "").strip(), last)  # formats follow the metric's unit
        values[r] = {col.key: key if col.key == table.id_column else
                     write_value(row.raw[col.key], col) if col.key in row.raw else None
                     for col in table.columns if not col.computed}
        result.appended.append((rt.sheet, rt.address(r, table.columns[0].key), key_text(key), cp.path.name,
                                row_brief(table, row.raw, units)))
    append_rows(pkg, rt.sheet, table, rt.columns, values, like.__getitem__, plan.sheet(rt.sheet))
