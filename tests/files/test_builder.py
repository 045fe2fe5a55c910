"""The built workbook, inspected with openpyxl and calamine (readers we did not write)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tests.conftest import read_values
from xlpromo.files.builder import STARTER_ROWS, Campaign, build_workbook
from xlpromo.files.demo import demo_frames
from xlpromo.model.master import SCHEMA, list_name
from xlpromo.model.schema import ColType
from xlpromo.roundtrip.merge import merge_books
from xlpromo.roundtrip.split import split_book


@pytest.fixture(scope="module")
def demo_wb(demo_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(demo_path)


@pytest.fixture(scope="module")
def blank_wb(blank_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(blank_path)


def _table_sheet(wb: openpyxl.Workbook, key: str) -> Worksheet:
    return wb[SCHEMA.sheet_of(key).name]


@pytest.mark.parametrize("table", SCHEMA.tables, ids=lambda t: t.key)
def test_every_table_is_a_listobject_with_schema_headers(demo_wb: openpyxl.Workbook, table: Any) -> None:
    ws = _table_sheet(demo_wb, table.key)
    assert table.name in ws.tables
    obj = ws.tables[table.name]
    first = ws[obj.ref.split(":")[0]]
    assert (first.row, first.column) == (table.header_row + 1, table.first_col + 1)
    header = [ws.cell(first.row, first.column + j).value for j in range(len(table.columns))]
    assert header == table.headers
    assert [c.name for c in obj.tableColumns] == table.headers


def test_sheet_order(demo_wb: openpyxl.Workbook) -> None:
    assert demo_wb.sheetnames == [s.name for s in SCHEMA.sheets] + ["_xlpromo"]
    assert [ws.sheet_state for ws in demo_wb.worksheets][-1] == "veryHidden"
    assert demo_wb["_xlpromo"].protection.sheet


@pytest.mark.parametrize("key", ["tasks", "daily", "review", "breakdown", "targets"])
def test_computed_columns_are_native_formulas_in_every_row(demo_wb: openpyxl.Workbook, key: str) -> None:
    table = SCHEMA.table(key)
    ws = _table_sheet(demo_wb, key)
    obj = ws.tables[table.name]
    last_row = ws[obj.ref.split(":")[1]].row
    for col in table.computed_columns:
        c = table.first_col + table.index(col.key) + 1
        tc = obj.tableColumns[table.index(col.key)]
        assert tc.calculatedColumnFormula is not None, col.header
        for r in range(table.header_row + 2, last_row + 1):
            value = ws.cell(r, c).value
            assert isinstance(value, str) and value.startswith("="), (col.header, r)
            assert "[#This Row]" in value or key == "targets"


def test_achievement_formula_is_direction_aware(demo_wb: openpyxl.Workbook) -> None:
    f = demo_wb["每日监控"]["H4"].value
    assert f == ('=IF(OR(NOT(ISNUMBER(Daily[[#This Row],[目标值]])),NOT(ISNUMBER(Daily[[#This Row],[实际值]]))),"",'
                 'IF(Daily[[#This Row],[方向]]="越低越好",IF(Daily[[#This Row],[实际值]]=0,"",'
                 'Daily[[#This Row],[目标值]]/Daily[[#This Row],[实际值]]),IF(Daily[[#This Row],[目标值]]=0,"",'
                 'Daily[[#This Row],[实际值]]/Daily[[#This Row],[目标值]])))')


def test_dropdowns_and_typed_validation(demo_wb: openpyxl.Workbook) -> None:
    ws = demo_wb["每日监控"]
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert dvs["B4:B2003"].type == "list" and dvs["B4:B2003"].formula1 == list_name("metrics")
    assert dvs["A4:A2003"].type == "date"
    assert dvs["F4:F2003"].type == "decimal" and dvs["F4:F2003"].operator == "greaterThanOrEqual"
    tasks = {str(dv.sqref): dv for dv in demo_wb["任务分工"].data_validations.dataValidation}
    assert tasks["K4:K2003"].formula1 == "L_STATUSES"
    assert tasks["H4:H2003"].formula1 == "L_DEPARTMENTS"
    assert tasks["I4:I2003"].errorStyle == "information"  # 协作部门 may list several
    targets = {str(dv.sqref): dv for dv in demo_wb["活动目标"].data_validations.dataValidation}
    assert targets["H4"].type == "decimal" and targets["H4"].formula2 == "1"  # 新客占比 ≤ 100%


def test_every_input_column_with_a_rule_is_validated(demo_wb: openpyxl.Workbook) -> None:
    for table in SCHEMA.tables:
        ws = _table_sheet(demo_wb, table.key)
        covered = {str(dv.sqref).split(":")[0] for dv in ws.data_validations.dataValidation}
        for col in (c for c in table.columns if c.editable):
            if col.choices or col.type in (ColType.DATE, ColType.PERCENT, ColType.WAN, ColType.DECIMAL):
                cell = ws.cell(table.header_row + 2, table.first_col + table.index(col.key) + 1).coordinate
                assert cell in covered, (table.key, col.header)


def test_list_names_grow_with_the_dictionary(demo_wb: openpyxl.Workbook) -> None:
    ref = demo_wb.defined_names["L_DEPARTMENTS"].attr_text
    assert ref == "OFFSET('数据字典'!$A$4,0,0,MAX(1,COUNTA('数据字典'!$A$4:$A$2004)),1)"


def test_threshold_names_point_at_their_value_cells(demo_wb: openpyxl.Workbook) -> None:
    ws = demo_wb["阈值配置"]
    for code, expected in [("pass_line", 0.95), ("warn_line", 0.85), ("complaint_rate_max", 0.005),
                           ("safety_stock_factor", 1.5)]:
        sheet, cell = demo_wb.defined_names["TH_" + code.upper()].attr_text.split("!")
        assert sheet == "'阈值配置'"
        c = ws[cell.replace("$", "")]
        assert ws.cell(c.row, 1).value == code and c.value == expected
    assert demo_wb.defined_names["XP_ASOF"].attr_text == 'IF(TH_AS_OF="",TODAY(),TH_AS_OF)'


def test_conditional_formats_follow_thresholds(demo_wb: openpyxl.Workbook) -> None:
    rules = {str(r.sqref): [x.formula[0] for x in rs]
             for r, rs in demo_wb["每日监控"].conditional_formatting._cf_rules.items()}
    assert rules["H4:H2003 K4:K2003"] == ["AND(ISNUMBER($H4),ROUND($H4,9)<TH_WARN_LINE)",
                                          "AND(ISNUMBER($H4),ROUND($H4,9)<TH_PASS_LINE)",
                                          "AND(ISNUMBER($H4),ROUND($H4,9)>=TH_PASS_LINE)"]
    tasks = {str(r.sqref): [x.formula[0] for x in rs]
             for r, rs in demo_wb["任务分工"].conditional_formatting._cf_rules.items()}
    assert tasks["A4:P2003"] == ['AND($O4<>"",ISNUMBER(FIND("【"&A$3&"】",$O4)))',  # xlpromo's marks win
                                 '$N4="是"', "AND(ISNUMBER($M4),$M4<=TH_DUE_SOON_DAYS)", '$K4="已完成"']
    assert tasks["O4:O2003"] == ['$O4<>""']
    assert demo_wb["任务分工"]["O3"].value == "标记" and demo_wb["任务分工"]["P3"].value == "行ID"
    assert demo_wb["任务分工"].column_dimensions["P"].hidden
    assert not demo_wb["任务分工"].column_dimensions["O"].hidden
    assert [demo_wb["任务分工"].cell(r, 16).value for r in (4, 5, 20)] == ["T00001", "T00002", "T00017"]


def test_protection_leaves_inputs_unlocked(demo_wb: openpyxl.Workbook) -> None:
    for sheet in SCHEMA.sheets:
        assert demo_wb[sheet.name].protection.sheet is sheet.protected, sheet.name
    assert demo_wb["活动目标"].protection.password is None
    targets = demo_wb["活动目标"]
    assert targets["A4"].protection.locked is False  # 活动名称: input
    assert targets["M4"].protection.locked is True  # 考核标准: formula
    th = demo_wb["阈值配置"]
    assert th["C4"].protection.locked is False and th["A4"].protection.locked is True


def test_layout_and_print_setup(demo_wb: openpyxl.Workbook) -> None:
    ws = demo_wb["每日监控"]
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$3"
    assert ws.column_dimensions["L"].width > ws.column_dimensions["D"].width  # 异常说明 wider than 单位


def test_number_formats_follow_units(demo_wb: openpyxl.Workbook) -> None:
    ws = demo_wb["每日监控"]
    by_metric = {}
    for row in ws.iter_rows(min_row=4, max_row=20):
        by_metric[row[1].value] = (row[5].number_format, row[7].number_format, row[8].number_format)
    assert by_metric["转化率"] == ("0.0%", "0.0%", "+0.0%;-0.0%;0.0%")
    assert by_metric["GMV"][0] == "#,##0.00"
    assert ws["A4"].number_format == "yyyy-mm-dd"


def test_cached_values_visible_without_recalculation(demo_path: Path) -> None:
    daily = read_values(demo_path)["每日监控"]
    row = next(r for r in daily[3:] if r[0] == dt.date(2024, 5, 30) and r[1] == "GMV")
    assert row[3:11] == ["万元", "越高越好", 6.0, 5.8, pytest.approx(5.8 / 6), pytest.approx(5.8 / 5.925 - 1),
                         "相对变化", "达标"]
    targets = read_values(demo_path)["活动目标"]
    assert targets[3][12] == "目标完成率≥95%为达标"


def test_blank_template_has_starter_rows_and_defaults(blank_path: Path, blank_wb: openpyxl.Workbook) -> None:
    assert blank_wb["任务分工"].tables["Tasks"].ref == f"A3:P{3 + STARTER_ROWS['tasks']}"
    assert blank_wb["每日监控"].tables["Daily"].ref == f"A3:T{3 + STARTER_ROWS['daily']}"
    values = read_values(blank_path)
    assert values["阈值配置"][4][:3] == ["pass_line", "达标线", 0.95]
    review = values["复盘报告"]
    assert [r[0] for r in review[6:11]] == ["GMV", "新客占比", "复购率", "新客数", "ROI"]
    assert all(r[1] == "" for r in review[6:11])  # no target yet: blank, not 0


def test_campaign_dates_prefilled(tmp_path: Path) -> None:
    out = build_workbook(tmp_path / "n.xlsx", campaign=Campaign(
        name="2025年双11大促", start=dt.date(2025, 11, 1), end=dt.date(2025, 11, 11)))
    row = read_values(out)["活动目标"][3]
    assert row[:6] == ["2025年双11大促", "", dt.date(2025, 10, 25), dt.date(2025, 11, 1),
                       dt.date(2025, 11, 11), dt.date(2025, 11, 14)]
    assert read_values(out)["复盘报告"][1][1] == "2025年双11大促"


def test_formula_like_text_stays_inert(tmp_path: Path) -> None:
    frames = demo_frames()
    tasks = frames["tasks"].copy()
    tasks.loc[0, "name"] = '=HYPERLINK("http://evil","x")'
    tasks.loc[1, "note"] = "+cmd|' /C calc'!A0"
    frames["tasks"] = tasks
    out = build_workbook(tmp_path / "inj.xlsx", frames)
    ws = openpyxl.load_workbook(out)["任务分工"]
    assert ws["B4"].data_type == "s" and ws["B4"].value == '=HYPERLINK("http://evil","x")'
    assert ws["L5"].data_type == "s"


def test_output_is_atomic_and_leaves_no_temp_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"previous version")

    def boom(*args: object) -> None:
        raise RuntimeError("interrupted")

    monkeypatch.setattr("xlpromo.files.builder.guide.write", boom)
    with pytest.raises(RuntimeError, match="interrupted"):
        build_workbook(target, demo_frames())
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_bytes() == b"previous version"


def test_partial_frames_are_completed_with_blanks(tmp_path: Path) -> None:
    out = build_workbook(tmp_path / "p.xlsx", {"tasks": pd.DataFrame({"task_id": ["T9"], "name": ["只有名称"]})})
    row = read_values(out)["任务分工"][3]
    assert row[:3] == ["T9", "只有名称", ""] and row[12:16] == ["", "", "", "T00001"]  # the row got its ID


def test_emailable_size(demo_path: Path, blank_path: Path) -> None:
    # 看板 and the 甘特图 (~4 KB: 200 header formulas, 13 rules); 导入映射's 39 rows (~1 KB); 商品与库存 (~4 KB)
    assert blank_path.stat().st_size < 113_000
    assert demo_path.stat().st_size < 300_000


def _hidden_columns(path: Path, sheet: str) -> set[str]:
    """The column letters a sheet's <cols> hides, read from the XML (openpyxl groups column ranges)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    part = f"xl/worksheets/sheet{wb.sheetnames.index(sheet) + 1}.xml"
    xml = zipfile.ZipFile(path).read(part).decode()
    out: set[str] = set()
    for lo, hi in re.findall(r'<col\b[^>]*?min="(\d+)"[^>]*?max="(\d+)"[^>]*?hidden="1"', xml):
        out |= {get_column_letter(c) for c in range(int(lo), int(hi) + 1)}
    return out


def test_the_review_sheets_achievement_column_is_in_sight(blank_path: Path, demo_path: Path, tmp_path: Path) -> None:
    """Issue 17: 成功因素与问题改进's hidden 行ID shares column F with 目标回顾's 达成率; F hid 达成率 in every
    workbook. A column is hidden only when no table on the sheet shows it; split copies and merges keep it so."""
    copy = split_book(demo_path, "运营部", tmp_path / "运营部.xlsx").output
    merged = merge_books(demo_path, [copy], tmp_path / "合并.xlsx").output
    for path in (blank_path, demo_path, copy, merged):
        assert _hidden_columns(path, "复盘报告") == set(), path.name
        assert _hidden_columns(path, "任务分工") == {"P"}, path.name  # 行ID stays out of sight elsewhere
    ws = openpyxl.load_workbook(demo_path)["复盘报告"]
    assert (ws["F6"].value, ws["F14"].value) == ("达成率", "行ID")


def test_the_legend_names_the_departments_framed_cells(blank_path: Path) -> None:
    """Issue 17: light yellow framed in orange means "yours to fill" in a copy, yellow FFEB9C means 预警/临期; the
    legend had no entry for the first."""
    ws = openpyxl.load_workbook(blank_path)["使用说明"]
    rows = {str(ws.cell(r, 1).value): r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    framed, amber = ws.cell(rows["浅黄色橙框"], 1), ws.cell(rows["黄色"], 1)
    assert ws.cell(rows["浅黄色橙框"], 2).value == ("部门副本中本部门要填写的单元格（仅这些未锁定）；"
                                                 "与表示预警、临期的黄色不同")
    assert (framed.fill.fgColor.rgb, framed.border.left.color.rgb) == ("FFFFF2CC", "FFED7D31")
    assert amber.fill.fgColor.rgb == "FFFFEB9C" and rows["三、颜色说明"] < rows["浅黄色橙框"] < rows["黄色"]
