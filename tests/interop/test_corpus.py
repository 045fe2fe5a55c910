"""A corpus of bad workbooks, as staff really produce them, through the reader, the validator and the CLI.

Every case starts from the demo workbook (built once per module) and is damaged the way people damage
workbooks: openpyxl edits (values, headers, merged cells, columns, sheets), edited input frames, raw XML
inside the zip, raw bytes, LibreOffice recalculation. For every case:

(a) ``xlpromo.files.check.check`` returns a report with exactly the expected findings (sheet, cell, code), or
    raises the expected WorkbookError whose message names the file (and sheet/header); nothing else;
(b) ``xlpromo check --json`` exits 0/1/2 consistently and prints what the library reports;
(c) the input file is byte-identical afterwards.

Cases that once showed bugs of xlpromo (total row, damaged zip entry, 统计日期 as a number, % thresholds
without the sign, absurd day counts, 王和平 as one owner, -2+3+cmd|) now pass as regular tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.table import TableColumn
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from xlpromo.cli import app
from xlpromo.engine.metrics import as_of_date
from xlpromo.engine.report import Report
from xlpromo.errors import EncryptedWorkbook, MissingHeader, MissingSheet, NotAWorkbook, WorkbookError
from xlpromo.files import reader
from xlpromo.files.builder import build_workbook
from xlpromo.files.check import check
from xlpromo.files.demo import demo_frames
from xlpromo.testing.libreoffice import convert

D = dt.date
Frames = dict[str, pd.DataFrame]
Finding = list[str]  # [sheet, cell, code]
runner = CliRunner()

DAILY, TASKS, TARGETS, THRESHOLDS = "每日监控", "任务分工", "活动目标", "阈值配置"
REVIEW = "复盘报告"
# 每日监控: A 日期, B 核心指标, C 渠道, F 目标值, G 实际值, H.. computed; header on row 3, data from row 4.
# 任务分工: A 任务编号, C 任务描述, E 起始时间, F 截止时间, G 负责人, H 责任部门, L 备注; T001 on row 4.
# 活动目标: G 核心目标(GMV), H 新客占比目标, K ROI目标, row 4.
# 阈值配置: C 数值; C4 统计日期, C5 达标线, C12 功能测试提前天数.
# 复盘报告: 目标回顾 A 指标, B 目标值 (formulas from 活动目标); GMV on row 7, ROI on row 11.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --------------------------------------------------------------------------- fixtures and helpers
@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workbook, built once per module; every case works on a copy."""
    return build_workbook(tmp_path_factory.mktemp("corpus") / "demo.xlsx", demo_frames())


@pytest.fixture(scope="module")
def baseline(demo: Path) -> Report:
    report = check(demo)
    assert report.findings == []
    return report


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copied(demo: Path, tmp_path: Path, name: str = "case.xlsx") -> Path:
    target = tmp_path / name
    shutil.copyfile(demo, target)
    return target


def edited(demo: Path, tmp_path: Path, edit: Callable[[Workbook], None], name: str = "case.xlsx") -> Path:
    """A copy of the demo edited with openpyxl (which keeps the Excel tables)."""
    path = copied(demo, tmp_path, name)
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def built(tmp_path: Path, edit: Callable[[Frames], None], name: str = "case.xlsx") -> Path:
    """The demo built from edited input frames."""
    frames = demo_frames()
    edit(frames)
    return build_workbook(tmp_path / name, frames)


def daily_row(baseline: Report, day: dt.date, metric: str) -> int:
    """Excel row of a demo 每日监控 row."""
    d = baseline.frames["daily"]
    rows = d.index[(d["date"] == day) & (d["metric"] == metric)]
    assert len(rows) == 1
    return int(rows[0])


def rename_header(ws: Worksheet, table: str, old: str, new: str) -> None:
    """Rename a header cell of an Excel table, and the table column with it (as Excel does)."""
    t = ws.tables[table]
    first = re.match(r"([A-Z]+)([0-9]+)", t.ref)
    assert first is not None
    for cell in ws[int(first[2])]:
        if cell.value == old:
            cell.value = new
            column = next(c for c in t.tableColumns if c.name == old)
            column.name = new
            return
    raise KeyError(old)


def sheet_member(path: Path, sheet: str) -> str:
    """The zip member holding a sheet's XML."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    for s in book.iterfind("m:sheets/m:sheet", ns):
        if s.get("name") == sheet:
            target = targets[s.get(rid)]
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise KeyError(sheet)


def set_cell_xml(path: Path, sheet: str, ref: str, xml: str) -> None:
    """Replace one cell's XML inside the zip (for what openpyxl cannot write: cached errors, >32767 chars)."""
    member = sheet_member(path, sheet)
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == member:
                data, n = pattern.subn(xml.encode(), data, count=1)
                assert n == 1, ref
            zout.writestr(info, data)
    tmp.replace(path)


def cli(path: Path) -> tuple[int, Any]:
    """Exit code and parsed JSON of ``xlpromo check --json``; never a traceback."""
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


def usable(path: Path, expected: list[Finding] | None) -> Report:
    """(a) the report's findings are exactly ``expected`` (None: not checked); (b) the CLI agrees; (c) untouched."""
    digest = sha256(path)
    report = check(path)
    if expected is not None:
        assert sorted(report.flatten(["sheet", "cell", "code"])) == sorted(expected)
    has_error = any(severity == "error" for [severity] in report.flatten(["severity"]))
    assert report.valid is not has_error
    code, out = cli(path)
    assert code == (1 if has_error else 0)
    assert out == report.to_dict()
    assert sha256(path) == digest
    return report


def unusable(path: Path, error: type[WorkbookError], *mentions: str) -> WorkbookError:
    """(a) check raises exactly ``error`` naming the file and ``mentions``; (b) the CLI exits 2; (c) untouched."""
    digest = sha256(path)
    with pytest.raises(WorkbookError) as info:
        check(path)
    exc = info.value
    assert type(exc) is error
    message = str(exc)
    assert message.startswith(f"{path.name}: ")
    for m in mentions:
        assert m in message
    code, out = cli(path)
    assert code == 2
    assert out == {"valid": False, "file": path.name, "error": {
        "code": error.code, "message": message, "sheet": exc.sheet, "header": exc.header}}
    assert sha256(path) == digest
    return exc


def assert_same_frames(report: Report, baseline: Report) -> None:
    assert report.frames.keys() == baseline.frames.keys()
    for key, frame in baseline.frames.items():
        pd.testing.assert_frame_equal(report.frames[key], frame, obj=key)


def test_the_untouched_demo_passes_through_openpyxl(demo: Path, baseline: Report, tmp_path: Path) -> None:
    report = usable(edited(demo, tmp_path, lambda wb: None), [])
    assert_same_frames(report, baseline)


# --------------------------------------------------------------------------- values typed into cells
def test_text_in_a_numeric_cell(demo: Path, tmp_path: Path) -> None:
    path = edited(demo, tmp_path, lambda wb: wb[DAILY].__setitem__("G5", "abc"))
    report = usable(path, [[DAILY, "G5", "type-number"]])
    assert report.findings[0].value == "abc"


def test_wan_text_in_a_gmv_cell_is_parsed(demo: Path, baseline: Report, tmp_path: Path) -> None:
    row = daily_row(baseline, D(2024, 5, 25), "GMV")
    report = usable(edited(demo, tmp_path, lambda wb: wb[DAILY].__setitem__(f"G{row}", "5.8万")),
                    [[DAILY, f"G{row}", "text-number"]])  # understood, but the sheet's formulas see text
    assert report.findings[0].message == "“5.8万”是文本：程序读作 5.8，但表内公式不会计算它，请改为数字 5.8"
    assert report.frames["daily"].at[row, "actual"] == 5.8


def test_percent_text_in_a_percent_metric_is_parsed(demo: Path, baseline: Report, tmp_path: Path) -> None:
    row = daily_row(baseline, D(2024, 5, 25), "新客占比")
    report = usable(edited(demo, tmp_path, lambda wb: wb[DAILY].__setitem__(f"G{row}", "96.7%")),
                    [[DAILY, f"G{row}", "text-number"]])
    assert report.frames["daily"].at[row, "actual"] == 0.967


def test_percent_text_in_a_gmv_cell_is_a_unit_mismatch(demo: Path, baseline: Report, tmp_path: Path) -> None:
    row = daily_row(baseline, D(2024, 5, 25), "GMV")
    path = edited(demo, tmp_path, lambda wb: wb[DAILY].__setitem__(f"G{row}", "96.7%"))
    usable(path, [[DAILY, f"G{row}", "unit-mismatch"]])


def test_percent_typed_without_the_sign_is_out_of_range(demo: Path, baseline: Report, tmp_path: Path) -> None:
    row = daily_row(baseline, D(2024, 5, 25), "转化率")
    report = usable(edited(demo, tmp_path, lambda wb: wb[DAILY].__setitem__(f"G{row}", 4.5)),
                    [[DAILY, f"G{row}", "out-of-range"]])
    assert "4.5%" in report.findings[0].message


def test_gmv_typed_in_yuan_is_suspicious(demo: Path, baseline: Report, tmp_path: Path) -> None:
    row = daily_row(baseline, D(2024, 5, 25), "GMV")
    report = usable(edited(demo, tmp_path, lambda wb: wb[DAILY].__setitem__(f"G{row}", 61900)),
                    [[DAILY, f"G{row}", "suspicious-unit"]])
    assert report.valid


def test_dates_typed_as_text_are_parsed(demo: Path, tmp_path: Path) -> None:
    typed = {"E15": "2024.06.01", "E16": "2024/6/1", "E17": "6月1日", "E18": "2024年6月1日"}

    def edit(wb: Workbook) -> None:
        for ref, text in typed.items():
            wb[TASKS][ref] = text

    report = usable(edited(demo, tmp_path, edit), [[TASKS, ref, "text-date"] for ref in typed])
    assert report.frames["tasks"].loc[15:18, "start"].tolist() == [D(2024, 6, 1)] * 4


def test_invalid_date_text(demo: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb[TASKS]["E15"] = "2024-02-30"
        wb[TASKS]["E16"] = "明天"

    report = usable(edited(demo, tmp_path, edit), [[TASKS, "E15", "type-date"], [TASKS, "E16", "type-date"]])
    assert report.frames["tasks"]["start"].isna().loc[15]


# Excel and LibreOffice turn 1:3 typed in a cell into the time 01:03 (1:3.2 into 01:03.2, mm:ss.0). A cell of General
# format then holds a time (calamine: datetime.time); one with a number format (the 0.00 of ROI rows) keeps it and
# holds the time's number, 0.04375, shown 0.04: what LibreOffice saved when 1:3 was typed into 每日监控·实际值.
TOLD = "，或先输入单引号再输入 '"


def test_roi_typed_as_1_3_that_excel_made_a_time(demo: Path, baseline: Report, tmp_path: Path) -> None:
    row = daily_row(baseline, D(2024, 5, 25), "ROI")  # 目标值 3, 实际值 3.03, formatted 0.00

    def edit(wb: Workbook) -> None:
        wb[TARGETS]["K4"] = dt.time(1, 3)
        wb[TARGETS]["K4"].number_format = "h:mm"
        wb[DAILY][f"G{row}"] = 0.04375  # 1:3 typed over 0.00
        wb[DAILY][f"F{row}"] = 0.000731481481481482  # 1:3.2 typed over 0.00, as LibreOffice saves it
        wb[REVIEW]["D11"] = 0.04375  # 目标回顾·实际值(确认) of ROI
        wb[DAILY]["G5"] = dt.timedelta(hours=25, minutes=10)  # 订单量: 25:10 typed, a duration ([h]:mm)
        wb[DAILY]["G5"].number_format = "[h]:mm"

    report = usable(edited(demo, tmp_path, edit), None)
    number = f"0.04375 是 Excel 把输入的 1:3 当成时间 01:03 存下的数值：ROI 请填 3{TOLD}1:3"
    assert [[f.code, f.sheet, f.cell, f.message] for f in report.findings] == [
        ["type-number", TARGETS, "K4", f"“01:03”被 Excel 当成了时间（输入 1:3 会这样）：ROI 请填 3{TOLD}1:3"],
        ["type-number", DAILY, f"F{row}",
         f"0.0007314814815 是 Excel 把输入的 1:3.2 当成时间 01:03.2 存下的数值：ROI 请填 3.2{TOLD}1:3.2"],
        ["type-number", DAILY, f"G{row}", number],
        ["type-number", DAILY, "G5", "“25:10”被 Excel 当成了时间（输入 25:10 会这样）：请填数字"],
        ["type-number", REVIEW, "D11", number],
    ]
    assert not report.valid
    assert pd.isna(report.frames["targets"].at[4, "roi_target"])  # never read as ROI 0.04
    assert report.frames["daily"].loc[[5, row], ["target", "actual"]].isna().values.tolist() == [
        [False, True], [True, True]]
    assert pd.isna(report.frames["review"].at[11, "confirmed"])


def test_roi_numbers_a_person_types_are_not_times(demo: Path, baseline: Report, tmp_path: Path) -> None:
    """A ROI below 1 with four decimals at most is a ROI (0.5, 0.0625 = 1:30), however it could be a time."""
    row = daily_row(baseline, D(2024, 5, 25), "ROI")

    def edit(wb: Workbook) -> None:
        wb[DAILY][f"G{row}"], wb[DAILY][f"F{row}"], wb[TARGETS]["K4"] = 0.5, 0.0625, 0.123456

    report = usable(edited(demo, tmp_path, edit), [])
    assert report.frames["daily"].loc[row, ["target", "actual"]].tolist() == [0.0625, 0.5]


def test_a_number_in_a_date_cell_is_not_a_date_of_1900(demo: Path, baseline: Report, tmp_path: Path) -> None:
    """10.25 typed in 截止时间 (formatted yyyy-mm-dd) is 1900-01-10 06:00 to Excel: outside the years the workbook's
    validation allows, like any date outside 2000—2099. An error, and a blank to the alerts: T001 is no longer
    46,000 days overdue, and no date-order."""
    def edit(wb: Workbook) -> None:
        wb[TASKS]["F4"] = 10.25  # T001's 截止时间
        wb[TASKS]["E5"] = "1999-06-01"  # T002's 起始时间, as text
        wb[DAILY]["A311"] = dt.datetime(2100, 1, 1)

    report = usable(edited(demo, tmp_path, edit), None)
    tail = " 2000—2099 年之间的日期（表格的日期校验范围）：请填写如 2024-06-20 的日期"
    assert [[f.code, f.sheet, f.cell, f.value, f.message] for f in report.findings] == [
        ["type-date", TASKS, "E5", "1999-06-01", "“1999-06-01”不是" + tail],
        ["type-date", TASKS, "F4", 10.25, "10.25 不是" + tail],
        ["type-date", DAILY, "A311", D(2100, 1, 1), "2100-01-01 不是" + tail],
    ]
    assert report.frames["tasks"].at[4, "due"] is None and report.frames["tasks"].at[5, "start"] is None
    assert report.frames["daily"].at[311, "date"] is None
    alerts = baseline.flatten(["sheet", "cell", "code", "level"], alerts=True)
    assert [TASKS, "F4", "task-overdue", "严重"] in alerts
    assert report.flatten(["sheet", "cell", "code", "level"], alerts=True) == [
        a for a in alerts if a != [TASKS, "F4", "task-overdue", "严重"]]


def test_as_of_before_2000(demo: Path, tmp_path: Path) -> None:
    report = usable(edited(demo, tmp_path, lambda wb: wb[THRESHOLDS].__setitem__("C4", dt.datetime(1999, 6, 21))),
                    [[THRESHOLDS, "C4", "type-date"]])
    assert report.findings[0].message == ("1999-06-21 不是 2000—2099 年之间的日期（表格的日期校验范围）："
                                          "请填写如 2024-06-20 的日期")


def test_bool_in_a_number_cell(demo: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb[DAILY]["G5"] = True
        wb[DAILY]["F6"] = False  # 目标值 is required: a bad value is one finding, not two

    usable(edited(demo, tmp_path, edit), [[DAILY, "G5", "type-number"], [DAILY, "F6", "type-number"]])


def test_text_too_long_for_a_cell(demo: Path, tmp_path: Path) -> None:
    path = copied(demo, tmp_path)  # openpyxl and xlsxwriter both cut at 32767: write the XML
    set_cell_xml(path, TASKS, "C5", '<c r="C5" t="inlineStr"><is><t>' + "字" * 50_000 + "</t></is></c>")
    report = usable(path, [[TASKS, "C5", "text-too-long"]])
    assert "50000" in report.findings[0].message
    assert report.frames["tasks"]["description"].str.len().loc[5] == 50_000


def test_formula_like_text_stays_text(demo: Path, tmp_path: Path) -> None:
    texts = {"L4": '=HYPERLINK("http://x","y")', "L5": "+cmd|' /C calc'!A0"}

    def edit(wb: Workbook) -> None:
        for ref, text in texts.items():
            cell = wb[TASKS][ref]
            cell.value = text
            cell.data_type = "s"  # a string, not a formula

    report = usable(edited(demo, tmp_path, edit), [[TASKS, "L4", "formula-like-text"],
                                                    [TASKS, "L5", "formula-like-text"]])
    assert report.frames["tasks"].loc[4:5, "note"].tolist() == list(texts.values())
    assert [f.value for f in report.findings] == list(texts.values())


def test_formula_like_text_starting_with_minus_and_a_digit(demo: Path, tmp_path: Path) -> None:
    path = edited(demo, tmp_path, lambda wb: wb[TASKS].__setitem__("L4", "-2+3+cmd|' /C calc'!A0"))
    usable(path, [[TASKS, "L4", "formula-like-text"]])


# --------------------------------------------------------------------------- error values
def test_cached_error_values_written_in_the_xml(demo: Path, tmp_path: Path) -> None:
    path = copied(demo, tmp_path)
    set_cell_xml(path, DAILY, "G5", '<c r="G5" t="e"><v>#N/A</v></c>')
    set_cell_xml(path, DAILY, "G6", '<c r="G6" s="1" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    set_cell_xml(path, TASKS, "E5", '<c r="E5" t="e"><v>#VALUE!</v></c>')  # required: one finding
    report = usable(path, [[DAILY, "G5", "error-value"], [DAILY, "G6", "error-value"],
                           [TASKS, "E5", "error-value"]])
    assert sorted(f.value for f in report.findings) == ["#DIV/0!", "#N/A", "#VALUE!"]


def test_an_error_shown_by_a_formula_from_its_source_is_reported_at_the_source(demo: Path, tmp_path: Path) -> None:
    """复盘报告·目标值 (B7) shows 活动目标·GMV (G4): an error there is G4's; B7's own error is a broken formula."""
    path = copied(demo, tmp_path)
    set_cell_xml(path, TARGETS, "G4", '<c r="G4" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    set_cell_xml(path, REVIEW, "B7", '<c r="B7" t="e"><f>INDEX(Targets[核心目标(GMV/万元)],1)</f><v>#DIV/0!</v></c>')
    set_cell_xml(path, REVIEW, "B8", '<c r="B8" t="e"><f>INDEX(Targets[#REF!],1)</f><v>#REF!</v></c>')
    usable(path, [[TARGETS, "G4", "error-value"], [REVIEW, "B8", "error-value"]])


def test_text_shown_by_a_formula_from_its_source_is_reported_at_the_source(demo: Path, tmp_path: Path) -> None:
    """A text ROI target with its cached copy in 复盘报告·目标值 (B11): one finding, at 活动目标."""
    path = copied(demo, tmp_path)
    set_cell_xml(path, TARGETS, "K4", '<c r="K4" t="inlineStr"><is><t>1:3</t></is></c>')
    set_cell_xml(path, REVIEW, "B11", '<c r="B11" t="str"><f>INDEX(Targets[ROI目标],1)</f><v>1:3</v></c>')
    report = usable(path, [[TARGETS, "K4", "text-number"]])
    assert report.frames["review"].at[11, "target"] == 3.0


@pytest.mark.parametrize("block", [7, 300])
def test_error_values_found_when_the_sheet_is_read_in_small_blocks(block: int, demo: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_BLOCK", block)
    test_cached_error_values_written_in_the_xml(demo, tmp_path)


def test_sheet_blocks_end_after_a_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks rejoin to the part; each but the last ends with </row> (prefixed or not), never with text "row>"."""
    xml = ('<x:worksheet><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>arrow></x:t></x:is></x:c>'
           '</x:row><x:row r="2"><x:c r="A2" t="e"><x:v>#N/A</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    with zipfile.ZipFile(tmp_path / "s.zip", "w") as zf:
        zf.writestr("s.xml", xml)
    for block in (1, 5, 40, 10**6):
        monkeypatch.setattr(reader, "_BLOCK", block)
        with zipfile.ZipFile(tmp_path / "s.zip") as zf:
            blocks = list(reader._cell_blocks(zf, "s.xml"))
        assert b"".join(blocks).decode() == xml
        assert all(b.endswith(b"</x:row>") for b in blocks[:-1]) and len(blocks) == (3 if block < 10**6 else 2)


@pytest.mark.libreoffice
def test_error_values_recalculated_by_libreoffice(demo: Path, tmp_path: Path, soffice: str) -> None:
    def edit(wb: Workbook) -> None:
        wb[DAILY]["G5"] = "=1/0"
        wb[DAILY]["G6"] = "=NA()"
        wb[TASKS]["L4"] = "=1/0"

    path = convert(edited(demo, tmp_path, edit), "xlsx", tmp_path / "lo")
    report = usable(path, [[DAILY, "G5", "error-value"], [DAILY, "G6", "error-value"],
                           [TASKS, "L4", "error-value"]])
    assert [f.value for f in report.findings if f.sheet == DAILY] == ["#DIV/0!", "#N/A"]


# --------------------------------------------------------------------------- structure
def test_merged_cells_inside_the_data(demo: Path, tmp_path: Path) -> None:
    path = edited(demo, tmp_path, lambda wb: wb[TASKS].merge_cells("H6:H8"))
    report = usable(path, [[TASKS, "H6", "merged-cells"], [TASKS, "H7", "required"], [TASKS, "H8", "required"]])
    assert next(f for f in report.findings if f.code == "merged-cells").value == "H6:H8"


def test_blank_rows_inside_the_daily_table_are_skipped(baseline: Report, tmp_path: Path) -> None:
    def edit(frames: Frames) -> None:
        d = frames["daily"]
        gap = pd.DataFrame([dict.fromkeys(d.columns)] * 3, dtype=object)
        frames["daily"] = pd.concat([d.iloc[:10], gap, d.iloc[10:20], gap.iloc[:1], d.iloc[20:]], ignore_index=True)

    report = usable(built(tmp_path, edit), [])
    daily = report.frames["daily"]
    assert report.stats["rows"]["daily"] == len(daily) == 308
    assert not {14, 15, 16, 27} & set(daily.index)
    inputs = ["date", "metric", "channel", "target", "actual"]
    expected = baseline.frames["daily"][inputs].reset_index(drop=True)
    pd.testing.assert_frame_equal(daily[inputs].reset_index(drop=True), expected)


def test_duplicate_daily_row(tmp_path: Path) -> None:
    def edit(frames: Frames) -> None:
        d = frames["daily"]
        frames["daily"] = pd.concat([d, d.iloc[[5]]], ignore_index=True)  # Excel row 9 again, as row 312

    report = usable(built(tmp_path, edit), [[DAILY, "A312", "duplicate-key"]])
    assert "第 9 行" in report.findings[0].message


def test_duplicate_daily_row_with_a_blank_channel(demo: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:  # row 16 = row 15's day and metric; 渠道 left blank means 全渠道
        ws = wb[DAILY]
        ws["A16"], ws["B16"], ws["C16"] = ws["A15"].value, ws["B15"].value, None

    report = usable(edited(demo, tmp_path, edit), [[DAILY, "A16", "duplicate-key"]])
    assert "第 15 行" in report.findings[0].message


def test_renamed_header_is_a_missing_header(demo: Path, tmp_path: Path) -> None:
    path = edited(demo, tmp_path, lambda wb: rename_header(wb[DAILY], "Daily", "目标值", "目标"))
    exc = unusable(path, MissingHeader, DAILY, "目标值")
    assert (exc.sheet, exc.header) == (DAILY, "目标值")


def test_reordered_columns_read_the_same(demo: Path, baseline: Report, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:  # swap 目标值 (F) and 实际值 (G): headers, values, formats, table columns
        ws = wb[DAILY]
        for r in range(3, ws.max_row + 1):
            f, g = ws.cell(r, 6), ws.cell(r, 7)
            f.value, g.value = g.value, f.value
            f.number_format, g.number_format = g.number_format, f.number_format
        cols = ws.tables["Daily"].tableColumns
        cols[5].name, cols[6].name = cols[6].name, cols[5].name

    report = usable(edited(demo, tmp_path, edit), [])
    assert_same_frames(report, baseline)
    swap = {"F": "G", "G": "F"}
    moved = [[s, swap.get(c[0], c[0]) + c[1:] if s == DAILY else c, code]
             for s, c, code in baseline.flatten(["sheet", "cell", "code"], alerts=True)]
    assert report.flatten(["sheet", "cell", "code"], alerts=True) == moved


def test_extra_column_inserted_inside_the_table(demo: Path, baseline: Report, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:  # a new column 备注2 between 实际值 (G) and 达成率 (H)
        ws = wb[DAILY]
        t = ws.tables["Daily"]
        last = ws.max_row
        ws.move_range(f"H3:P{last}", cols=1, translate=True)
        ws["H3"], ws["H10"] = "备注2", "看一下"
        t.ref = f"A3:Q{last}"
        if t.autoFilter is not None:
            t.autoFilter.ref = t.ref
        t.tableColumns.insert(7, TableColumn(id=17, name="备注2"))
        for i, c in enumerate(t.tableColumns, 1):
            c.id = i

    report = usable(edited(demo, tmp_path, edit), [[DAILY, "H3", "extra-column"]])
    assert report.findings[0].value == "备注2"
    assert_same_frames(report, baseline)

    def shifted(cell: str) -> str:
        return (chr(ord(cell[0]) + 1) if cell[0] >= "H" else cell[0]) + cell[1:]

    moved = [[s, shifted(c) if s == DAILY else c, code]
             for s, c, code in baseline.flatten(["sheet", "cell", "code"], alerts=True)]
    assert report.flatten(["sheet", "cell", "code"], alerts=True) == moved


def test_extra_column_appended_to_the_table(demo: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb[DAILY]
        t = ws.tables["Daily"]
        ws["O3"] = "备用"
        t.ref = f"A3:O{ws.max_row}"
        if t.autoFilter is not None:
            t.autoFilter.ref = t.ref
        t.tableColumns.append(TableColumn(id=15, name="备用"))

    usable(edited(demo, tmp_path, edit), [[DAILY, "O3", "extra-column"]])


def test_headers_with_stray_spaces_and_full_width_characters(demo: Path, baseline: Report, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        rename_header(wb[DAILY], "Daily", "实际值", " 实际值 ")
        rename_header(wb[DAILY], "Daily", "日期", "日期\n")  # Alt+Enter
        rename_header(wb[TARGETS], "Targets", "核心目标(GMV/万元)", "核心目标（GMV／万元）")
        rename_header(wb[TASKS], "Tasks", "起始时间", "起始\u3000时间")

    report = usable(edited(demo, tmp_path, edit), [])
    assert_same_frames(report, baseline)


def test_tables_converted_to_ranges_read_the_same(demo: Path, baseline: Report, tmp_path: Path) -> None:
    """Read the same by their headers; each table is named once, at its first header, as no longer a table
    (recalc, split and merge need it: they refuse with MissingTable, see test_a_converted_table_is_refused_…)."""
    def edit(wb: Workbook) -> None:  # 表格 → 转换为区域: no ListObject left, headers found by scanning
        for ws in wb.worksheets:
            for name in list(ws.tables):
                del ws.tables[name]

    first_headers = [[raw.sheet, raw.address(raw.header_excel_row, raw.table.columns[0].key), "not-a-table"]
                     for raw in reader.read_workbook(demo).tables.values()]
    assert ["任务分工", "A3", "not-a-table"] in first_headers and len(first_headers) == 16  # 商品与库存 is the 16th
    report = usable(edited(demo, tmp_path, edit), first_headers)
    assert_same_frames(report, baseline)


@pytest.mark.parametrize("command", ["recalc", "split", "merge"])
def test_a_converted_table_is_refused_naming_it_and_how_to_restore_it(demo: Path, tmp_path: Path,
                                                                      command: str) -> None:
    def edit(wb: Workbook) -> None:  # 任务分工's table only: 转换为区域
        del wb["任务分工"].tables["Tasks"]

    book = edited(demo, tmp_path, edit)
    digest = sha256(book)
    args = {"recalc": ["recalc", str(book), "-o", str(tmp_path / "out.xlsx")],
            "split": ["split", str(book), "--dept", "仓储部", "-o", str(tmp_path / "out.xlsx")],
            "merge": ["merge", str(book), "-o", str(tmp_path / "out.xlsx")]}[command]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "工作表“任务分工”中的 Excel 表格“Tasks”已不存在" in text and "插入 → 表格" in text
    assert "内部错误" not in text
    assert not (tmp_path / "out.xlsx").exists() and sha256(book) == digest


def test_missing_sheet(demo: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        del wb[THRESHOLDS]

    exc = unusable(edited(demo, tmp_path, edit), MissingSheet, THRESHOLDS)
    assert exc.sheet == THRESHOLDS


def test_sheet_name_with_a_trailing_space(demo: Path, baseline: Report, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb[THRESHOLDS].title = THRESHOLDS + " "

    report = usable(edited(demo, tmp_path, edit), [])
    assert_same_frames(report, baseline)


def test_rows_typed_below_the_table_are_read(demo: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:  # the table ends on row 311; row 312 right below it, row 316 after a gap
        ws = wb[DAILY]
        assert ws.tables["Daily"].ref == "A3:T311"
        ws["A312"], ws["B312"], ws["F312"], ws["G312"] = dt.datetime(2024, 6, 21), "点击率", 0.05, "abc"
        ws["A316"], ws["B316"], ws["F316"], ws["G316"] = "2024-06-20", "加购率", "8%", "7.5%"

    report = usable(edited(demo, tmp_path, edit), [[DAILY, "G312", "type-number"], [DAILY, "A316", "text-date"],
                                                   [DAILY, "F316", "text-number"], [DAILY, "G316", "text-number"]])
    daily = report.frames["daily"]
    assert report.stats["rows"]["daily"] == 310
    assert list(daily.index[-3:]) == [311, 312, 316]
    assert list(daily.loc[312, ["date", "metric", "target"]]) == [D(2024, 6, 21), "点击率", 0.05]
    assert list(daily.loc[316, ["date", "metric", "target", "actual"]]) == [D(2024, 6, 20), "加购率", 0.08, 0.075]


def test_excel_total_row_is_not_data(demo: Path, baseline: Report, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb[DAILY]
        t = ws.tables["Daily"]
        t.ref, t.totalsRowCount = "A3:N312", 1
        if t.autoFilter is not None:
            t.autoFilter.ref = "A3:N311"
        t.tableColumns[0].totalsRowLabel = "汇总"
        t.tableColumns[6].totalsRowFunction = "sum"
        ws["A312"], ws["G312"] = "汇总", "=SUBTOTAL(109,Daily[实际值])"

    report = usable(edited(demo, tmp_path, edit), [])
    assert report.stats["rows"]["daily"] == baseline.stats["rows"]["daily"]


# --------------------------------------------------------------------------- files that are not workbooks
def test_truncated_zip(demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "half.xlsx"
    data = demo.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    unusable(path, NotAWorkbook)


def test_text_file_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes("日期,核心指标,目标值,实际值\n2024-06-01,GMV,40,41\n".encode())
    unusable(path, NotAWorkbook)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    unusable(path, NotAWorkbook)


def test_encrypted_workbook(tmp_path: Path) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(OLE_MAGIC + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512)
    unusable(path, EncryptedWorkbook)


def test_legacy_xls_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(OLE_MAGIC + b"\0" * 504 + "Workbook".encode("utf-16-le") + b"\0" * 512)
    unusable(path, NotAWorkbook, ".xls")


def test_damaged_sheet_inside_the_zip(demo: Path, tmp_path: Path) -> None:
    path = copied(demo, tmp_path)
    member = sheet_member(path, DAILY)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    assert info.compress_type == zipfile.ZIP_DEFLATED
    data = bytearray(path.read_bytes())
    header = info.header_offset
    start = header + 30 + int.from_bytes(data[header + 26:header + 28], "little") \
        + int.from_bytes(data[header + 28:header + 30], "little")
    data[start] = 0x07  # BFINAL=1, BTYPE=11: a reserved deflate block type, "invalid block type"
    path.write_bytes(bytes(data))
    unusable(path, NotAWorkbook, DAILY)


# --------------------------------------------------------------------------- what the validator checks
def test_due_before_start(demo: Path, tmp_path: Path) -> None:
    path = edited(demo, tmp_path, lambda wb: wb[TASKS].__setitem__("F6", dt.datetime(2024, 4, 1)))  # T003
    report = usable(path, [[TASKS, "F6", "date-order"]])
    assert "早于" in report.findings[0].message


def test_two_owners(demo: Path, tmp_path: Path) -> None:
    report = usable(edited(demo, tmp_path, lambda wb: wb[TASKS].__setitem__("G7", "张三、李四")),
                    [[TASKS, "G7", "multiple-owners"]])
    assert report.findings[0].value == "张三、李四"


def test_one_owner_whose_name_contains_he(demo: Path, tmp_path: Path) -> None:
    usable(edited(demo, tmp_path, lambda wb: wb[TASKS].__setitem__("G7", "王和平")), [])


def test_department_not_in_the_list(demo: Path, tmp_path: Path) -> None:
    report = usable(edited(demo, tmp_path, lambda wb: wb[TASKS].__setitem__("H8", "外包团队")),
                    [[TASKS, "H8", "not-in-list"]])
    assert "外包团队" in report.findings[0].message


def test_metric_with_a_trailing_space(demo: Path, tmp_path: Path) -> None:
    report = usable(edited(demo, tmp_path, lambda wb: wb[DAILY].__setitem__("B5", "订单量 ")),
                    [[DAILY, "B5", "stray-space"]])
    assert report.valid and report.frames["daily"].at[5, "metric"] == "订单量"


def test_percent_target_typed_as_a_whole_number(demo: Path, tmp_path: Path) -> None:
    report = usable(edited(demo, tmp_path, lambda wb: wb[TARGETS].__setitem__("H4", 30)),
                    [[TARGETS, "H4", "out-of-range"]])
    assert "30%" in report.findings[0].message


def test_daily_date_outside_the_campaign(demo: Path, tmp_path: Path) -> None:
    path = edited(demo, tmp_path, lambda wb: wb[DAILY].__setitem__("A311", dt.datetime(2024, 7, 1)))
    report = usable(path, [[DAILY, "A311", "outside-campaign"]])
    assert report.valid


def test_as_of_typed_as_a_yyyymmdd_number(demo: Path, tmp_path: Path) -> None:
    report = usable(edited(demo, tmp_path, lambda wb: wb[THRESHOLDS].__setitem__("C4", 20240621)),
                    [[THRESHOLDS, "C4", "type-date"]])
    assert as_of_date(report.frames) != pd.Timestamp(1970, 1, 1)


def test_as_of_typed_as_a_date_serial(demo: Path, baseline: Report, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:  # the date format was cleared: Excel still reads 45464 as 2024-06-21
        cell = wb[THRESHOLDS]["C4"]
        cell.value, cell.number_format = 45464, "General"

    report = usable(edited(demo, tmp_path, edit), [])
    assert as_of_date(report.frames) == pd.Timestamp(2024, 6, 21)
    assert report.flatten(["cell", "code"], alerts=True) == baseline.flatten(["cell", "code"], alerts=True)


def test_percent_threshold_typed_as_a_whole_number(demo: Path, tmp_path: Path) -> None:
    usable(edited(demo, tmp_path, lambda wb: wb[THRESHOLDS].__setitem__("C5", 95)),
           [[THRESHOLDS, "C5", "out-of-range"]])


def test_huge_number_of_days_in_a_threshold(demo: Path, tmp_path: Path) -> None:
    usable(edited(demo, tmp_path, lambda wb: wb[THRESHOLDS].__setitem__("C12", 800_000)), None)
