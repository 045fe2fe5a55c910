"""Rows and values brought into 每日监控 from outside the workbook (the daily plan, platform exports).

The master's package is patched as a merge patches it (every part not edited kept byte for byte): new rows first
take the table's blank rows after its last filled row (a blank master has twenty), then go below it, each with the
table's formulas, the cell formats of a row of the same metric and the number format of the metric's unit (0.0%,
#,##0); values go into their cells; ``变更记录`` gets a line per added row and per value written over another (kept
across merges and imports), ``合并冲突`` the values that were not written. Then the package is recalculated into
the output (cached values, 问题清单, 预警, row IDs), atomically; ``in_place`` replaces the input after a backup.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlpromo.engine.report import Report
from xlpromo.model.book import RawBook, RawTable, as_row
from xlpromo.model.formats import row_format
from xlpromo.ooxml import BookPatch, Value, temp_file
from xlpromo.roundtrip.merge.cells import row_brief, write_value
from xlpromo.roundtrip.merge.sheets import put_changes, put_conflicts
from xlpromo.roundtrip.merge.summary import Change, Conflict, MergeResult
from xlpromo.roundtrip.recalc import backup_path, recalc
from xlpromo.roundtrip.rows import RowsBelow, SheetCells, append_rows, catalogue_units, metric_rows
from xlpromo.roundtrip.state import SideSheets

__all__ = ["Filled", "Into", "fill_daily"]


@dataclass
class Into:
    """What goes into 每日监控: rows to add (values by column key) and cells to write ((Excel row, column key) →
    value), with the records 变更记录 and 合并冲突 are made of."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    cells: dict[tuple[int, str], Any] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


@dataclass
class Filled:
    """The output written, where each added row went (sheet, first cell, source, the row as text), the check of
    the result and the backup of an ``in_place`` input."""

    output: Path
    appended: list[tuple[str, str, str, str, str]]
    report: Report
    backup: Path | None = None


def _free_rows(rt: RawTable, r0: int, r1: int) -> list[int]:
    """The table's blank rows after its last filled row (rows r0+1..r1 as made)."""
    filled = [as_row(r) for r in rt.data.index if r0 < as_row(r) <= r1]
    return list(range(max(filled, default=r0) + 1, r1 + 1))


def fill_daily(raw: RawBook, out: Path | None, into: Into, *, source: str, conflicts_sheet: bool = False,
               in_place: bool = False) -> Filled:
    """Patch ``into`` into the book ``raw`` was read from and recalculate it into ``out`` (or over the book after
    a backup when ``in_place``). ``source``: what 变更记录 names as the origin (``xlpromo plan``, an export's
    name); ``conflicts_sheet``: write 合并冲突 (an import does, even empty: it lists the last run's conflicts)."""
    book = raw.path
    rt = raw.tables["daily"]
    table = rt.table
    pkg = BookPatch.open(book)
    units = catalogue_units(raw)
    r0, _, r1, _ = pkg.table_ref(rt.sheet, table.name)
    free = _free_rows(rt, r0, r1)
    model = metric_rows(rt, r0, r1)
    for t in raw.tables.values():
        RowsBelow.of(t, units=units).adopt(pkg)  # rows typed below a table join it first
    last = max([r1, *(as_row(r) for r in rt.data.index)])
    cells = SheetCells()
    for (r, key), v in into.cells.items():
        cells.put(r, rt.columns[key] + 1, write_value(v, table.col(key)))
    appended: list[tuple[str, str, str, str, str]] = []
    values: dict[int, dict[str, Value]] = {}
    like: dict[int, int] = {}
    below = iter(range(last + 1, last + 1 + len(into.rows)))
    for row in into.rows:
        r = free.pop(0) if free else next(below)
        like[r] = model.get(str(row.get("metric") or "").strip(), r1)
        values[r] = {c.key: write_value(row[c.key], c) for c in table.columns if c.key in row}
        appended.append((rt.sheet, rt.address(r, table.columns[0].key), "", source, row_brief(table, row, units)))
    append_rows(pkg, rt.sheet, table, rt.columns, values, like.__getitem__, cells)
    for col in (c for c in table.columns if c.unit_of and c.key in rt.columns):
        for r, row in values.items():  # a metric's rows show its unit: 30%, not 0.3; 100,000, not 100000.0
            code = row_format(col, row, units) or "General"
            at = (r, rt.columns[col.key] + 1)
            cells.styles[at] = pkg.styles().numbered(cells.styles.get(at, 0), code)
    pkg.set_table_end(rt.sheet, table.name, max([r1, *values]))
    cells.write(pkg, rt.sheet)
    log = MergeResult(out or book, [], changes=list(into.changes), appended=appended, conflicts=list(into.conflicts))
    if conflicts_sheet:
        put_conflicts(pkg, log.conflicts)
    if appended or log.changes:
        now = dt.datetime.now().isoformat(sep=" ", timespec="seconds")
        put_changes(pkg, SideSheets(book), log, now, {})
    return _save(pkg, book, out, in_place, appended)


def _save(pkg: BookPatch, book: Path, out: Path | None, in_place: bool,
          appended: list[tuple[str, str, str, str, str]]) -> Filled:
    """Save the patched package beside the target and recalculate it there; a backup first when ``in_place``."""
    target = book.resolve() if in_place else out
    assert target is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    with temp_file(target.parent, f".{target.stem[:40]}.", ".fill.xlsx") as tmp:
        pkg.save(tmp)
        if in_place:
            backup = backup_path(target)
            mode = target.stat().st_mode
            shutil.copy2(target, backup)
            report = recalc(tmp, target).report
            os.chmod(target, mode & 0o7777)
        else:
            report = recalc(tmp, target).report
    report.path = target  # the report speaks of the output, not of the temporary file it was made from
    return Filled(target, appended, report, backup)

