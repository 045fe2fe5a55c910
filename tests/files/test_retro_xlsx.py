"""The report .xlsx is a grid (issue 17 point 7): a sheet per table with its own frozen header, columns as wide as
their content (CJK counts double), figures in their formats, and GMV's two achievements told apart."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from xlpromo.files.check import check
from xlpromo.files.retro import column_widths, sheet_title, text_width, write_report


@pytest.fixture(scope="module")
def wb(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    return openpyxl.load_workbook(write_report(check(demo_path), tmp_path_factory.mktemp("r") / "r.xlsx"))


def test_one_sheet_per_table_each_with_its_header_frozen(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames == ["复盘报告", "目标回顾与结果", "各指标汇总", "各部门任务完成情况",
                             "预警、未达标日与调整措施", "预警", "成功因素", "问题与改进", "每日数据", "各部门任务状态"]
    assert [wb[n].freeze_panes for n in wb.sheetnames[1:]] == ["B2", "B2", "A2", "A2", "A2", "A2", "A2", "A2", "A2"]
    assert [c.value for c in wb["各部门任务完成情况"][1]] == ["责任部门", "任务数", "已完成", "逾期", "临期", "完成率"]


def test_the_two_gmv_achievements_say_what_they_compare_with(demo_path: Path, wb: openpyxl.Workbook) -> None:
    review = wb["目标回顾与结果"]
    assert review["D1"].value == "达成率（对活动目标）"
    assert (review["A2"].value, review["B2"].value, review["C2"].value) == ("GMV", 500, 531.855)
    assert review["D2"].value == pytest.approx(531.855 / 500) and review["D2"].number_format == "0.0%"
    daily = check(demo_path).frames["daily"]
    gmv_targets = float(daily[daily["metric"] == "GMV"]["target"].astype(float).sum())
    assert gmv_targets == 518
    summary = wb["各指标汇总"]
    assert [summary.cell(1, c).value for c in (5, 6, 7)] == ["每日目标汇总", "每日实际汇总", "达成率（对每日目标）"]
    assert (summary["A2"].value, summary["E2"].value) == ("GMV", 518)
    assert summary["G2"].value == pytest.approx(531.855 / 518) and summary["G2"].number_format == "0.0%"
    assert "完成活动目标 106.4%" in wb["复盘报告"]["A3"].value


def test_columns_fit_their_content(wb: openpyxl.Workbook) -> None:
    assert text_width("预警/未达标天数") == 15 and text_width("GMV") == 3
    assert column_widths(["指标", "说明"], [["GMV", "x" * 100]]) == [6, 60]  # wider text wraps at 60
    assert sheet_title("预警/未达标日与调整措施") == "预警、未达标日与调整措施"
    summary = wb["各指标汇总"]
    assert summary.column_dimensions["I"].width > 17  # 预警/未达标天数: 15 columns wide, whole
    alerts = wb["预警"]
    assert alerts.column_dimensions["D"].width > 60  # the messages: wrapped, never cut at 40
    off = wb["预警、未达标日与调整措施"]
    assert off.column_dimensions["H"].width > text_width("主会场首屏加载慢，跳出率升高") + 2
    assert summary.column_dimensions["A"].width < summary.column_dimensions["I"].width  # each column its own
