"""Issue 17 points 4 and 5: a row shows its values as its metric's unit wants, however it joined its table.

The builder formats the rows it writes; rows typed below a table (LibreOffice and WPS do not grow it), rows a
department adds in its copy, and rows a merge appends must look the same: the fonts and borders of the table,
the number format of the row's metric, two decimals for a rate under 1% (客诉率 0.45%, not 0.5%).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell import Cell

from tests.roundtrip.test_merge import DAILY, edit
from xlpromo.model.formats import row_format, unit_format
from xlpromo.model.master import SCHEMA
from xlpromo.roundtrip.merge import merge_books
from xlpromo.roundtrip.recalc import recalc
from xlpromo.roundtrip.split import split_book
from xlpromo.testing.libreoffice import convert

THRESHOLDS = SCHEMA.sheet("thresholds").name


def look(cell: Cell) -> tuple[str, str | None, str | None, bool]:
    """What a person sees of a cell's style: number format, font, left border, and whether it is locked."""
    return cell.number_format, cell.font.name, cell.border.left.style, bool(cell.protection.locked)


def test_a_rate_under_one_percent_shows_two_decimals() -> None:
    assert unit_format("%", 0.005) == "0.00%"
    assert unit_format("%", 0.05) == "0.0%"
    assert unit_format("%", None) == "0.0%"
    assert unit_format("万元", 0.005) == "#,##0.00"
    assert unit_format("件", 1) is None  # a unit without a format of its own: General
    daily = SCHEMA.table("daily")
    actual = daily.col("actual")
    units = {"客诉率": "%", "GMV": "万元"}
    assert row_format(actual, {"metric": "客诉率", "target": 0.005, "actual": 0.0045}, units) == "0.00%"
    assert row_format(actual, {"metric": "客诉率", "target": None, "actual": 0.0045}, units) == "0.00%"
    assert row_format(actual, {"metric": "客诉率", "target": 0.02, "actual": 0.0045}, units) == "0.0%"
    assert row_format(actual, {"metric": "GMV", "target": 100}, units) == "#,##0.00"
    assert row_format(daily.col("dod"), {"metric": "GMV"}, units) == "+0.0%;-0.0%;0.0%"


def test_the_demo_shows_its_small_rates_with_two_decimals(master: Path) -> None:
    wb = openpyxl.load_workbook(master)
    ws = wb[DAILY]
    rows = {ws[f"B{r}"].value: r for r in range(4, ws.max_row + 1)}
    assert ws[f"B{rows['客诉率']}"].value == "客诉率"
    assert [ws[f"{c}{rows['客诉率']}"].number_format for c in "FG"] == ["0.00%", "0.00%"]
    assert [ws[f"{c}{rows['转化率']}"].number_format for c in "FG"] == ["0.0%", "0.0%"]
    assert [ws[f"{c}{rows['GMV']}"].number_format for c in "FG"] == ["#,##0.00", "#,##0.00"]
    th = wb[THRESHOLDS]
    complaint = next(r for r in range(1, th.max_row + 1) if th[f"A{r}"].value == "complaint_rate_max")
    assert th[f"C{complaint}"].number_format == "0.00%"


def test_rows_typed_below_a_table_take_the_formats_of_their_metric(master: Path, tmp_path: Path) -> None:
    """Typed cells below the table have LibreOffice's default style; after recalc they look like the rows of the
    same metric (客诉率: 0.00%, GMV: #,##0.00); a catalogue metric the table has no row of gets the formats of the
    last row with its own unit's number format (跳出率: 0.0%), an unknown metric General."""
    typed = edit(master, tmp_path / "typed.xlsx", {DAILY: {
        "A312": 45464, "B312": "客诉率", "C312": "天猫", "F312": 0.005, "G312": 0.0045,
        "A313": 45464, "B313": "GMV", "C313": "天猫", "F313": 100, "G313": 120.5,
        "A314": 45464, "B314": "跳出率", "C314": "天猫", "F314": 0.4, "G314": 0.38,
        "A315": 45464, "B315": "未知指标", "C315": "天猫", "F315": 3, "G315": 2}})
    before = openpyxl.load_workbook(typed)[DAILY]
    assert look(before["G312"]) == ("General", "Calibri", None, True)  # as LibreOffice leaves a typed cell
    out = recalc(typed, tmp_path / "r.xlsx").output
    ws = openpyxl.load_workbook(out)[DAILY]
    assert ws.tables["Daily"].ref == "A3:T315"
    last = {m: max(r for r in range(4, 312) if ws[f"B{r}"].value == m) for m in ("客诉率", "GMV")}
    for r, metric in ((312, "客诉率"), (313, "GMV")):
        assert [look(ws[f"{c}{r}"]) for c in "ABCDFGH"] == [look(ws[f"{c}{last[metric]}"]) for c in "ABCDFGH"]
    assert look(ws["G312"]) == ("0.00%", "微软雅黑", "thin", False)
    assert look(ws["G313"]) == ("#,##0.00", "微软雅黑", "thin", False)
    assert [ws[f"{c}314"].number_format for c in "FG"] == ["0.0%", "0.0%"]
    assert [ws[f"{c}315"].number_format for c in "FG"] == ["General", "General"]
    assert [ws[f"G{r}"].value for r in range(312, 316)] == [0.0045, 120.5, 0.38, 2]  # the typed values stay
    assert recalc(out, tmp_path / "r2.xlsx").output.read_bytes() == out.read_bytes()


def test_new_rows_of_a_copy_look_like_the_table_and_show_a_typed_percent(master: Path, tmp_path: Path) -> None:
    """The rows a department may add: the table's fonts and borders, its formula columns locked, and General in
    the columns whose unit follows the metric (a 0.5% typed there shows 0.5%, not the last row's "0.0")."""
    copy = split_book(master, "客服部", tmp_path / "cs.xlsx").output
    ws = openpyxl.load_workbook(copy)[DAILY]
    assert ws["B311"].value == "客服响应时长" and ws["G311"].number_format == "0.0"
    assert look(ws["G312"]) == ("General", "微软雅黑", "thin", False)
    assert look(ws["F312"]) == ("General", "微软雅黑", "thin", False)
    assert look(ws["A312"]) == ("yyyy-mm-dd", "微软雅黑", "thin", False)
    assert look(ws["H312"]) == ("0.0%", "微软雅黑", "thin", True)  # 达成率: a formula once merged, locked
    assert ws["H312"].fill.fgColor.rgb == ws["H311"].fill.fgColor.rgb
    filled = edit(copy, tmp_path / "cs-filled.xlsx", {DAILY: {
        "A312": 45464, "B312": "客诉率", "C312": "天猫", "F312": 0.005, "G312": 0.0045, "N312": "客服部"}})
    merged = merge_books(master, [filled], tmp_path / "merged.xlsx").output
    mw = openpyxl.load_workbook(merged)[DAILY]
    assert mw["B312"].value == "客诉率" and mw["G312"].value == 0.0045
    assert [look(mw[f"{c}312"]) for c in "FG"] == [("0.00%", "微软雅黑", "thin", False)] * 2


@pytest.mark.libreoffice
def test_libreoffice_shows_a_typed_small_rate_as_typed(master: Path, tmp_path: Path, soffice: str) -> None:
    """What a person sees after recalc: 0.45% and 0.50% on the typed row, 120.50 on the GMV row."""
    typed = edit(master, tmp_path / "typed.xlsx", {DAILY: {
        "A312": 45464, "B312": "客诉率", "C312": "抖音", "F312": 0.005, "G312": 0.0045,
        "A313": 45464, "B313": "GMV", "C313": "抖音", "F313": 100, "G313": 120.5}})
    out = recalc(typed, tmp_path / "r.xlsx").output
    pdf = convert(out, "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    lines = [ln.split() for ln in text.splitlines() if "抖音" in ln and "2024-06-21" in ln]
    assert ["2024-06-21", "客诉率", "抖音", "%", "越低越好", "0.50%", "0.45%"] in [ln[:7] for ln in lines]
    assert ["2024-06-21", "GMV", "抖音", "万元", "越高越好", "100.00", "120.50"] in [ln[:7] for ln in lines]
