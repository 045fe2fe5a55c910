"""Writing a merge into the master's package, then recalculating it into the output.

The master's package is patched (:class:`xlpromo.ooxml.BookPatch`) rather than loaded and
saved with openpyxl, which would blank every cached value, turn shared strings inline and
drop the ribbon relationship of an .xlsm: every part the merge does not edit is kept byte
for byte. The patched package goes through :func:`xlpromo.roundtrip.recalc.recalc`, which
validates the result, writes the cached values of every computed cell (appended rows
included) and the ``问题清单``/``预警`` sheets, and saves atomically.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from xlpromo.model.book import RawBook, RawTable, as_row
from xlpromo.model.formulas import render
from xlpromo.model.master import SCHEMA
from xlpromo.model.schema import Table
from xlpromo.model.state import STATE_SHEET, RowValues, State
from xlpromo.ooxml import BookPatch, Formula, Value
from xlpromo.roundtrip.merge.cells import row_brief, write_value
from xlpromo.roundtrip.merge.load import Copy
from xlpromo.roundtrip.merge.sheets import put_changes, put_conflicts
from xlpromo.roundtrip.merge.summary import MergeResult
from xlpromo.roundtrip.recalc import RowsBelow, recalc

__all__ = ["Plan", "write"]


@dataclass
class Plan:
    """What the merge writes: cells by sheet ((row, col), 1-based), their styles, and rows to append per table."""

    cells: dict[str, dict[tuple[int, int], Value]] = field(default_factory=dict)
    styles: dict[str, dict[tuple[int, int], int]] = field(default_factory=dict)

    appends: list[tuple[Table, RawTable, list[tuple[Copy, RowValues, str]]]] = field(default_factory=list)

    def put(self, sheet: str, row: int, col: int, value: Value) -> None:
        """Write ``value`` at (row, col) of ``sheet``."""
        self.cells.setdefault(sheet, {})[(row, col)] = value


def write(master: Path, raw: RawBook, out: Path, plan: Plan, state: State, result: MergeResult, now: str,
          depts: dict[str, str]) -> None:
    """Patch the master's package with ``plan``, the state and the two sheets; recalculate it into ``out``."""
    pkg = BookPatch.open(master)
    ends = {t.table.key: pkg.table_ref(t.sheet, t.table.name)[2] for t in raw.tables.values()}  # before rows join
    for rt in raw.tables.values():
        RowsBelow.of(rt).adopt(pkg)  # rows typed below a table in the master join it before rows are appended
    for table, rt, rows in plan.appends:
        r0, _, r1, _ = pkg.table_ref(rt.sheet, table.name)
        last = max([r1, *(int(x) for x in rt.data.index)])
        model = _model_rows(rt, r0, ends[table.key])
        styles_of: dict[int, dict[int, int]] = {}
        for i, (cp, row, key) in enumerate(rows, start=1):
            r = last + i
            like = model.get(str(row.canon.get("metric") or "").strip(), last)  # formats follow the metric's unit
            if like not in styles_of:
                styles_of[like] = pkg.row_styles(rt.sheet, like) if like > r0 else {}
            styles = styles_of[like]
            result.appended.append((rt.sheet, rt.address(r, table.columns[0].key), key, cp.path.name,
                                    row_brief(table, row.raw)))
            for col in table.columns:
                if col.key not in rt.columns:
                    continue
                c = rt.columns[col.key] + 1
                v: Value
                if col.formula:
                    v = Formula(render(col.formula, SCHEMA, table), "")
                elif col.key == table.id_column:
                    v = key
                elif col.key in row.raw:
                    v = write_value(row.raw[col.key])
                else:
                    v = None
                plan.put(rt.sheet, r, c, v)
                plan.styles.setdefault(rt.sheet, {})[(r, c)] = styles.get(c, 0)
        pkg.set_table_end(rt.sheet, table.name, last + len(rows))
    for sheet, cells in plan.cells.items():
        pkg.set_cells(sheet, cells, styles=plan.styles.get(sheet, {}))
    pkg.put_hidden_sheet(STATE_SHEET, state.rows())
    put_conflicts(pkg, result.conflicts)
    put_changes(pkg, master, result, now, depts)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".merge.xlsx", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        pkg.save(tmp)
        result.report = recalc(tmp, out).report
    finally:
        tmp.unlink(missing_ok=True)


def _model_rows(rt: RawTable, r0: int, r1: int) -> dict[str, int]:
    """Metric → the last row of the table (as it was made, rows r0+1..r1) with that metric: an appended row takes
    its cell formats, whose number formats follow the metric's unit (``0.0%``, ``#,##0``…)."""
    if "metric" not in rt.data.columns:
        return {}
    out: dict[str, int] = {}
    for r, v in rt.data["metric"].items():
        if r0 < as_row(r) <= r1 and isinstance(v, str) and v.strip():
            out[v.strip()] = max(out.get(v.strip(), 0), as_row(r))
    return out
