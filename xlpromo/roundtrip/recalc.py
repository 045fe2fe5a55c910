"""``xlpromo recalc``: a copy of a workbook with fresh computed values, a 问题清单, a 预警 sheet
and the flagged cells highlighted — everything else in the file left as it was.

The input is never modified unless ``in_place`` is asked for, and then only after a backup
copy sits beside it. Running recalc on its own output changes nothing.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from xlpromo.engine.findings import FormulaOverwritten, Severity
from xlpromo.engine.marks import marks
from xlpromo.engine.metrics import formula_frames, head_values, review_header
from xlpromo.engine.report import Report, check_book
from xlpromo.errors import DamagedState
from xlpromo.files.board import board_values, campaign_days, chart_ref
from xlpromo.files.gantt import gantt_values
from xlpromo.files.reader import read_workbook
from xlpromo.model.a1 import cell_name, col_name, parse_cell
from xlpromo.model.book import RawBook, as_row
from xlpromo.model.formulas import render
from xlpromo.model.master import REVIEW_HEAD_CELLS, REVIEW_HEAD_FORMULAS, SCHEMA
from xlpromo.model.parse import shown
from xlpromo.model.state import STATE_SHEET, IdStamp, State, pending_ids
from xlpromo.model.values import excel_serial, is_blank
from xlpromo.ooxml import BookPatch, CachedValue, Formula
from xlpromo.roundtrip.rows import RowsBelow, catalogue_units
from xlpromo.roundtrip.state import SideSheets, reason, write_ids
from xlpromo.roundtrip.stored import bad_number_cells
from xlpromo.roundtrip.upgrade import Upgrade, not_upgraded, plan_upgrades

__all__ = ["ALERTS_SHEET", "ALERTS_TITLE_HEAD", "ISSUES_SHEET", "Recalculated", "alert_rows", "alert_title",
           "backup_path", "issue_rows", "recalc"]

ISSUES_SHEET = "问题清单"
BOARD_SHEET = SCHEMA.sheet("board").name
ALERTS_SHEET = "预警"


@dataclass(frozen=True)
class Recalculated:
    """What a recalc wrote: the output, its report, and computed cells that held no formula."""

    output: Path
    report: Report
    cells_updated: int
    not_formulas: list[str]  # sheet-qualified cells of computed columns that a person overwrote
    backup: Path | None = None


def _cached(v: Any) -> CachedValue:
    """A computed value as a cached cell value: dates as serials (time of day kept), a missing value as no value."""
    if (not isinstance(v, str) and is_blank(v)) or (isinstance(v, float) and not math.isfinite(v)):
        return None
    if isinstance(v, dt.date):  # pandas Timestamps too
        return excel_serial(v)
    if isinstance(v, (bool, int, float, str)):
        return v
    return str(v)


def backup_path(book: Path) -> Path:
    """A free name beside ``book`` for its backup: ``活动.备份.xlsx``, then ``活动.备份2.xlsx``…"""
    n = 1
    while True:
        candidate = book.with_name(f"{book.stem}.备份{'' if n == 1 else n}{book.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def _computed_cells(book: RawBook, report: Report,
                    upgrades: Mapping[str, Upgrade]) -> dict[str, dict[str, CachedValue]]:
    """Sheet → {A1: value} for every computed column found in the file or added by an upgrade, on every data row,
    and every table's head cells."""
    out: dict[str, dict[str, CachedValue]] = {}
    heads = head_values(report.frames)
    for key, raw in book.tables.items():
        frame = report.frames.get(key)
        columns = {**raw.columns, **(upgrades[key].added if key in upgrades else {})}
        for h in raw.table.head:
            if h.column in columns and (key, h.key) in heads:
                row = raw.table.head_cell(h.key)[0] + 1
                out.setdefault(raw.sheet, {})[f"{col_name(columns[h.column])}{row}"] = _cached(heads[(key, h.key)])
        if frame is None or not len(frame):
            continue
        cols = [c.key for c in raw.table.computed_columns if c.key in columns]
        if key == "review" and "target" in raw.columns:
            cols.append("target")  # per-row formulas from 活动目标
        cells = out.setdefault(raw.sheet, {})
        index = frame.index
        rows = list(map(str, index.tolist() if index.dtype.kind in "iu" else map(as_row, index)))
        for col in cols:
            letters = col_name(columns[col])
            cells.update(zip([letters + r for r in rows], _cached_column(frame[col]), strict=True))
    return out


def _cached_column(s: pd.Series) -> list[CachedValue]:
    """:func:`_cached` of every value of a column, without a call for a number of a float column or a text."""
    if s.dtype.kind == "f":
        return [v if math.isfinite(v) else None for v in s.tolist()]
    return [v if type(v) is str else _cached(v) for v in s.tolist()]


def issue_rows(report: Report) -> tuple[list[list[CachedValue]], dict[str, str]]:
    """The 问题清单 sheet: a header and one row per finding (its value as a person reads it: 30, 2024-06-20 06:00),
    and the link of each row's 位置 cell."""
    rows: list[list[CachedValue]] = [["位置", "级别", "工作表", "单元格", "列", "问题", "代码", "填写的值"]]
    links: dict[str, str] = {}
    for i, f in enumerate(report.findings, start=2):
        rows.append([f.ref, "错误" if f.severity == Severity.ERROR else "提示", f.sheet, f.cell, f.header, f.message,
                     f.code, f.shown_value])
        if f.cell:
            links[f"A{i}"] = f"'{f.sheet}'!{f.cell}"
    if not report.findings:  # a bare header reads like a sheet that was never filled
        rows.append(["未发现问题：所有填写的值均通过校验", "", "", "", "", "", "", ""])
    return rows, links


def alert_rows(report: Report) -> tuple[list[list[CachedValue]], dict[str, str]]:
    """The 预警 sheet: a header and one row per alert (its state, date and the rule's Chinese name, the code in
    its own column), and the link of each row's 位置 cell (counting the title line above the header)."""
    rows: list[list[CachedValue]] = [["位置", "级别", "状态", "日期", "预警", "责任部门", "时限", "规则", "代码"]]
    links: dict[str, str] = {}
    for i, a in enumerate(report.alerts, start=3):
        rows.append([f"{a.sheet}!{a.cell}", a.level.value, a.state, shown(a.date) if a.date else "", a.message,
                     a.dept, a.deadline, a.name, "+".join((a.code, *a.also))])
        links[f"A{i}"] = f"'{a.sheet}'!{a.cell}"
    if not report.alerts:
        rows.append(["没有预警：各项指标与任务均未触发阈值", *[""] * (len(rows[0]) - 1)])
    return rows, links


#: How the 预警 sheet's first line starts: the Excel buttons know their own 预警 sheet by it (and 位置 below it).
ALERTS_TITLE_HEAD = "预警 · 统计日期"


def alert_title(report: Report) -> str:
    """The 预警 sheet's first line: 统计日期 and the counts by level and by state."""
    levels = "、".join(f"{k} {n}" for k in ("严重", "预警", "提示")
                       if (n := sum(a.level.value == k for a in report.alerts)))
    states = "、".join(f"{k} {n}" for k in ("新增", "持续", "已说明")
                       if (n := sum(a.state.startswith(k) for a in report.alerts)))
    day = shown(report.as_of) if report.as_of else ""
    return f"{ALERTS_TITLE_HEAD} {day}：共 {len(report.alerts)} 条" + (f"（{levels}；{states}）" if levels else "")


def _flagged(report: Report) -> dict[str, list[str]]:
    cells: dict[str, set[str]] = {}
    for f in report.findings:
        if f.cell:
            cells.setdefault(f.sheet, set()).add(f.cell)
    for a in report.cell_alerts:
        cells.setdefault(a.sheet, set()).add(a.cell)
    return {sheet: sorted(c) for sheet, c in cells.items()}


def recalc(book: str | Path, out: str | Path | None = None, *, in_place: bool = False,
           step: Callable[[str], None] | None = None, state: State | None = None) -> Recalculated:
    """Write ``out`` (or replace ``book`` after a backup when ``in_place``); WorkbookError if unusable.

    ``state``: the file's ``_xlpromo`` state when the caller has it (merge has just written it), so it is not read
    again. The jobs in order: read, row IDs, check and compute, then into the package: IDs, rows typed below a
    table, cached values, the generated sheets and highlights, and the atomic save."""
    book = Path(book)
    if (out is None) == (not in_place):
        raise ValueError("recalc needs either an output path or in_place=True")
    note = step or (lambda _: None)
    note("读取")
    raw = read_workbook(book)
    stamp = _row_ids(book, raw, state)
    note("校验与计算")
    upgrades = plan_upgrades(raw)  # a book built before a table gained computed columns
    report, cells, board = _check(raw, upgrades)
    report.findings.extend(not_upgraded(raw, upgrades))
    marked = _mark_cells(report, raw)
    headers = _headers(raw)
    stored = bad_number_cells(raw)
    review_sheet = raw.tables["review"].sheet if "review" in raw.tables else None
    units = catalogue_units(raw)
    growing = [RowsBelow.of(rt, upgrades[k].added if k in upgrades else {}, units)
               for k, rt in raw.tables.items() if rt.table.growable]
    del raw  # the frames are gone with the report's; free the book before the package is held in memory
    gc.collect()
    note("写入")
    pkg = BookPatch.open(book)
    for upgrade in upgrades.values():
        upgrade.apply(pkg)  # typed-over cells it leaves are reported with the others by _put_cached
    write_ids(stamp, pkg)  # rows added by hand get their row IDs, never reused
    for typed in growing:
        typed.adopt(pkg)  # rows typed below a table join it, with its formulas
    for sheet, kept in stored.items():
        pkg.set_cells(sheet, kept)  # an INF/NaN no reader opens becomes the text it stored
    if review_sheet is not None:  # the current formulas (a book made before has the old 复盘周期), typed values kept
        pkg.refill_formulas(review_sheet, review_head_formulas())
    updated, not_formulas = _put_cached(pkg, cells, headers, report)
    board_cells, days, gantt_cells = board
    if BOARD_SHEET in pkg.sheet_names() and board_cells:  # a book made before 看板 has none: nothing to refresh
        pkg.set_cached_values(BOARD_SHEET, board_cells)  # not counted: cells_updated counts the tables' cells
        pkg.retarget_charts(BOARD_SHEET, lambda ref: chart_ref(ref, days))  # the campaign's dates may have moved
    if gantt_cells:  # the 甘特图's dates follow 活动目标; a book made before it has no such formulas: left as it is
        pkg.set_cached_values(gantt_cells[0], gantt_cells[1])
    for sheet, texts in marked.items():
        pkg.set_cells(sheet, texts)  # the reasons, which the template's own format paints as 使用说明 says
    _put_generated(pkg, report)
    target, backup = _save(pkg, book, out, in_place)
    return Recalculated(target, report, updated, not_formulas, backup)


def _row_ids(book: Path, raw: RawBook, state: State | None) -> IdStamp:
    """The row IDs rows typed by hand get, above the floors of the state (read from ``book`` unless given).

    A damaged state is no reason not to recalculate, unless IDs must be issued: its floors are unknown, and an ID
    issued below them could be one a department copy already uses. Then DamagedState, before anything is written."""
    sheets = SideSheets(book)
    damage: DamagedState | None = None
    whole = state is not None
    if state is None:
        try:
            state = sheets.state(snapshot=False)  # the ID floors; the snapshot only when the sheet is rewritten
        except DamagedState as exc:
            damage = exc
    stamp = pending_ids(raw, state)
    n = sum(map(len, stamp.cells.values()))
    if damage is not None and n:
        raise DamagedState(book, f"{reason(damage)}。有 {n} 行需要新的行ID，但从损坏的状态表无法得知哪些编号已用过"
                                 "（行ID不能重复），未写出文件：请用备份恢复该工作簿后重试", sheet=STATE_SHEET)
    if stamp.state is not None and not whole:  # IDs issued: the state sheet is rewritten, snapshot and all
        stamp = pending_ids(raw, sheets.state())
    return stamp


def _check(raw: RawBook, upgrades: Mapping[str, Upgrade]
           ) -> tuple[Report, dict[str, dict[str, CachedValue]],
                      tuple[dict[str, CachedValue], int, tuple[str, dict[str, CachedValue]] | None]]:
    """Validate, compute and raise alerts; the report (without its frames, which are large), the cached value of
    every computed cell as the workbook's own formulas compute it, 复盘报告's head included, and 看板's cells with
    its number of campaign days, and the 甘特图's header (its sheet and cells)."""
    report = check_book(raw)
    as_formulas = formula_frames(report.frames, raw)
    cells = _computed_cells(raw, replace(report, frames=as_formulas), upgrades)
    head = review_header(as_formulas["targets"]) if "targets" in as_formulas else None
    if head is not None and "review" in raw.tables:  # 活动名称, 复盘周期 above the 复盘 tables
        cells.setdefault(raw.tables["review"].sheet, {}).update(zip(REVIEW_HEAD_CELLS, map(_cached, head), strict=True))
    needs = ("targets", "daily", "tasks", "thresholds", "departments", "statuses")
    values = board_values(as_formulas) if all(k in as_formulas for k in needs) else {}
    gantt = ((raw.tables["tasks"].sheet, {cell_name(r, c): v for (r, c), v in gantt_values(as_formulas).items()})
             if "tasks" in raw.tables and "targets" in as_formulas and "tasks" in as_formulas else None)
    board = ({cell_name(r, c): v for (r, c), v in values.items()}, campaign_days(values) if values else 0, gantt)
    return replace(report, frames={}), cells, board


def review_head_formulas() -> dict[tuple[int, int], Formula]:
    """复盘报告's head cells (1-based row, col) → their formulas as the template has them now (cached later)."""
    targets = SCHEMA.table("targets")
    return {(r + 1, c + 1): Formula(render(text, SCHEMA, targets))
            for (r, c), text in zip(map(parse_cell, REVIEW_HEAD_CELLS), REVIEW_HEAD_FORMULAS, strict=True)}


def _mark_cells(report: Report, raw: RawBook) -> dict[str, dict[tuple[int, int], str | None]]:
    """The 标记 cells to write, by sheet ((row, col), 1-based): the reason of every flagged row, as the ribbon's
    校验 button writes it, and blank where an earlier mark no longer applies; cells that stay as they are are left."""
    texts = marks(report, raw)
    out: dict[str, dict[tuple[int, int], str | None]] = {}
    for key, rt in raw.tables.items():
        col = rt.table.mark_column
        if col is None or col not in rt.columns or key not in texts:
            continue
        now = {as_row(r): v for r, v in rt.data[col].items()} if col in rt.data.columns else {}
        cells = out.setdefault(rt.sheet, {})
        for row in sorted(set(texts[key]) | {r for r, v in now.items() if not is_blank(v)}):
            text = texts[key].get(row)
            if (text or None) != (None if is_blank(now.get(row)) else now.get(row)):
                cells[(row, rt.columns[col] + 1)] = text
    return {sheet: cells for sheet, cells in out.items() if cells}


def _headers(raw: RawBook) -> dict[tuple[str, str], tuple[str, int]]:
    """(sheet, column letters) → (header, header row) of every table column: names a computed cell typed over."""
    return {(t.sheet, t.address(1, c.key).rstrip("1")): (c.header, t.header_excel_row)
            for t in raw.tables.values() for c in t.table.columns if c.key in t.columns}


def _put_cached(pkg: BookPatch, cells: dict[str, dict[str, CachedValue]],
                headers: dict[tuple[str, str], tuple[str, int]], report: Report) -> tuple[int, list[str]]:
    """Write the cached values (``cells`` is emptied as it goes, to free memory); a computed cell that holds no
    formula is left as typed and reported in ``report``. The number of cells written and those left, sorted."""
    updated, not_formulas = 0, []
    while cells:
        sheet, values = cells.popitem()
        skipped = pkg.set_cached_values(sheet, values)
        updated += len(values) - len(skipped)
        not_formulas += [f"{sheet}!{c}" for c in skipped]
        del values
    for ref in not_formulas:  # a computed cell typed over: report it, leave the value
        sheet, cell = ref.split("!")
        header, _ = headers.get((sheet, cell.rstrip("0123456789")), ("", 0))
        row = int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        report.findings.append(FormulaOverwritten.at(sheet, cell, row, header))
        report.stats["warnings"] += 1
    return updated, sorted(not_formulas)


def _put_generated(pkg: BookPatch, report: Report) -> None:
    """Highlight the flagged cells of every sheet and write the 问题清单 and 预警 sheets."""
    flagged = _flagged(report)
    for sheet in pkg.sheet_names():
        if sheet not in (ISSUES_SHEET, ALERTS_SHEET):
            pkg.set_highlights(sheet, flagged.get(sheet, []))
    rows, links = issue_rows(report)
    pkg.put_sheet(ISSUES_SHEET, rows, widths=[16, 6, 10, 8, 14, 60, 18, 20], links=links)
    rows, links = alert_rows(report)
    pkg.put_sheet(ALERTS_SHEET, rows, widths=[16, 6, 10, 11, 70, 10, 30, 26, 30], links=links,
                  title=alert_title(report), autofilter=True, even=True)


def _save(pkg: BookPatch, book: Path, out: str | Path | None, in_place: bool) -> tuple[Path, Path | None]:
    """Save to ``out``, or over ``book`` after a backup beside it (keeping its permissions); (target, backup)."""
    backup = None
    if in_place:
        book = book.resolve()  # a symlink keeps pointing at the recalculated file
        backup = backup_path(book)
        shutil.copy2(book, backup)
        target = book
    else:
        assert out is not None
        target = Path(out)
    mode = target.stat().st_mode if in_place else None
    pkg.save(target)
    if mode is not None:
        os.chmod(target, mode & 0o7777)  # the replaced file keeps its permissions
    return target, backup
