"""看板 in the files: chart parts over its blocks, recalc keeps the charts and refreshes the values, split locks it,
merge recomputes it."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.roundtrip.conftest import type_campaign_dates
from xlpromo.files.builder import build_workbook
from xlpromo.model import board as layout
from xlpromo.model.a1 import cell_name, col_name
from xlpromo.model.master import SCHEMA
from xlpromo.ooxml import BookPatch
from xlpromo.roundtrip.merge import merge_books
from xlpromo.roundtrip.recalc import recalc
from xlpromo.roundtrip.split import split_book

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")  # openpyxl, x14

BOARD, DAILY = "看板", "每日监控"
GMV_TOTAL = cell_name(*layout.head_cell("gmv_to_date"))
BANNED = re.compile(r"(?<![A-Z.])(XLOOKUP|XMATCH|LET|LAMBDA|FILTER|UNIQUE|SORT|SORTBY|SEQUENCE|TEXTJOIN|CONCAT|IFS|"
                    r"SWITCH|MAXIFS|MINIFS)\(")


def _board(path: Path) -> dict[str, Any]:
    """Every cached value of 看板, by A1 address."""
    ws = openpyxl.load_workbook(path, data_only=True)[BOARD]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def _parts(path: Path, prefix: str) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith(prefix)}


def _board_part(path: Path) -> str:
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    return _parts(path, f"xl/worksheets/sheet{names.index(BOARD) + 1}.xml").popitem()[1].decode()


def test_board_is_second_and_its_formulas_are_portable() -> None:
    assert [s.name for s in SCHEMA.sheets][:2] == ["使用说明", BOARD] and SCHEMA.sheet("board").protected
    cells = layout.formula_cells()
    assert [c.formula for c in cells if BANNED.search(c.formula)] == []
    assert all("[#This Row]" not in c.formula for c in cells)
    # a fixed number of criteria functions per day (5 for the GMV target, 6 for its actual, 5 per other key metric,
    # at most two of each evaluated for any day), whatever the rows: the day block's cost is linear in the rows
    per_day = sum(c.formula.count("IFS(") for c in cells if c.row == layout.day_row(0)
                  and layout.DAY_COL <= c.col < layout.DAY_COL + len(layout.DAY_COLUMNS))
    assert per_day == 5 + 6 + 5 * (len(layout.BOARD_METRICS) - 1)


def test_chart_series_point_into_the_board_blocks(master: Path) -> None:
    charts = _parts(master, "xl/charts/chart")
    assert len(charts) == 3
    refs = {name: re.findall(r"<c:f>(.*?)</c:f>", xml.decode()) for name, xml in charts.items()}
    first, last = layout.day_row(0) + 1, layout.day_row(27) + 1  # the demo's 28 campaign days
    values = _board(master)
    day_cols = {col_name(layout.day_col(k)) for k in ("gmv_target", "gmv_actual", "cum_target", "cum_actual")}
    assert {r for r in refs["xl/charts/chart1.xml"] if ":" in r} == {
        f"看板!${c}${first}:${c}${last}" for c in (*day_cols, col_name(layout.day_col("label")))}
    trend = {col_name(layout.day_col(layout.rate_key(i))) for i in range(len(layout.BOARD_METRICS))}
    trend |= {col_name(layout.day_col(k)) for k in ("pass_line", "warn_line")}
    assert {r for r in refs["xl/charts/chart2.xml"] if ":" in r} == {
        f"看板!${c}${first}:${c}${last}" for c in (*trend, col_name(layout.day_col("label")))}
    for c in day_cols | trend:  # a number on every campaign day of the demo
        assert all(isinstance(values[f"{c}{r}"], (int, float)) for r in range(first, last + 1)), c
    assert f"{col_name(layout.day_col('date'))}{last + 1}" not in values  # the day after 返场结束: blank
    tasks = [r for r in refs["xl/charts/chart3.xml"] if ":" in r]
    r0, c0 = layout.task_cell(0, -1)
    assert len(tasks) == 2 * layout.TASK_COLS and all(f"${r0 + 1}:" in r for r in tasks)
    assert f"看板!${col_name(c0)}${r0 + 1}:${col_name(c0)}${r0 + layout.TASK_ROWS}" in tasks


def test_recalc_keeps_the_charts_and_follows_a_typed_value(master: Path, tmp_path: Path) -> None:
    edited = tmp_path / "edited.xlsx"
    pkg = BookPatch.open(master)
    table = SCHEMA.table("daily")
    before = openpyxl.load_workbook(master, data_only=True)[DAILY]
    row = next(r for r in range(4, 400) if before.cell(r, 2).value == "GMV")  # the first GMV row (2024-05-25)
    actual = before.cell(row, table.index("actual") + 1).value
    pkg.set_cells(DAILY, {(row, table.index("actual") + 1): actual + 1.25})
    pkg.save(edited)
    out = recalc(edited, tmp_path / "out.xlsx").output
    for prefix in ("xl/charts/", "xl/drawings/"):
        assert _parts(out, prefix) == _parts(master, prefix)  # byte for byte, relationships included
    ours, theirs = _board(master), _board(out)
    assert theirs[GMV_TOTAL] == pytest.approx(ours[GMV_TOTAL] + 1.25)
    changed = {a for a in ours if ours[a] != theirs.get(a)}
    gmv = {col_name(layout.day_col(k)) for k in ("gmv_actual", "cum_actual", "gmv_rate")}
    assert {re.sub(r"\d", "", a) for a in changed} <= {*gmv, "B", "C"}  # the day's GMV, its totals, the header
    again = recalc(out, tmp_path / "again.xlsx").output
    assert _board(again) == theirs and _parts(again, "xl/charts/") == _parts(master, "xl/charts/")


def test_a_department_copy_keeps_board_visible_and_locked(master: Path, tmp_path: Path) -> None:
    copy = split_book(master, "运营部", tmp_path / "ops.xlsx", due=dt.date(2024, 6, 20)).output
    wb = openpyxl.load_workbook(copy)
    assert wb[BOARD].sheet_state == "visible" and wb[BOARD].protection.sheet
    assert "<sheetProtection" in _board_part(copy) and "<drawing " in _board_part(copy)
    assert _parts(copy, "xl/charts/") == _parts(master, "xl/charts/")
    assert _board(copy) == _board(master)


def test_merge_recomputes_the_board(master: Path, tmp_path: Path) -> None:
    copy = split_book(master, "运营部", tmp_path / "ops.xlsx", due=dt.date(2024, 6, 20)).output
    ws = openpyxl.load_workbook(copy, data_only=True)[DAILY]
    table = SCHEMA.table("daily")
    row = next(r for r in range(4, 400) if ws.cell(r, 2).value == "GMV")
    actual = ws.cell(row, table.index("actual") + 1).value
    pkg = BookPatch.open(copy)
    pkg.set_cells(DAILY, {(row, table.index("actual") + 1): actual + 2})  # 运营部 owns GMV: its cell to type
    pkg.save(copy)
    merged = merge_books(master, [copy], tmp_path / "merged.xlsx").output
    assert _board(merged)[GMV_TOTAL] == pytest.approx(_board(master)[GMV_TOTAL] + 2)
    assert _parts(merged, "xl/charts/") == _parts(master, "xl/charts/")


def _day_refs(path: Path) -> set[str]:
    """The chart references into the day block (the tasks block's left aside)."""
    letters = {col_name(layout.day_col(c.key)) for c in layout.DAY_COLUMNS}
    refs = {r for x in _parts(path, "xl/charts/").values() for r in re.findall(r"<c:f>(.*?)</c:f>", x.decode())}
    return {r for r in refs if ":" in r and r.split("!$")[1].split("$")[0] in letters}


def test_charts_follow_campaign_dates_typed_after_the_build(tmp_path: Path) -> None:
    """A blank master's charts span the whole day block; once 活动目标 has its dates, recalc cuts them to the
    campaign's days (and leaves the parts alone when the days have not changed)."""
    blank = build_workbook(tmp_path / "blank.xlsx")
    full, campaign = layout.day_row(layout.MAX_DAYS - 1) + 1, layout.day_row(27) + 1
    assert len(_day_refs(blank)) == 11 and all(r.endswith(f"${full}") for r in _day_refs(blank))
    out = recalc(type_campaign_dates(blank, tmp_path / "dated.xlsx"), tmp_path / "out.xlsx").output
    assert len(_day_refs(out)) == 11 and all(r.endswith(f"${campaign}") for r in _day_refs(out))
    date = col_name(layout.day_col("date"))
    assert f"{date}{campaign}" in _board(out) and f"{date}{campaign + 1}" not in _board(out)
    again = recalc(out, tmp_path / "again.xlsx").output
    assert _parts(again, "xl/charts/") == _parts(out, "xl/charts/")
