"""LibreOffice recalculates our native formulas: seed golden values, no errors, parity.

LibreOffice is the independent engine here: a private profile forces recalculation on
load, so every value read back was computed by LibreOffice, not cached by us.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from tests.conftest import read_values, seed_retro_frames
from xlpromo.files.builder import build_workbook, default_frames
from xlpromo.files.check import check
from xlpromo.files.demo import AS_OF
from xlpromo.files.reader import package_parts
from xlpromo.model.formulas import render_a1
from xlpromo.model.master import SCHEMA
from xlpromo.roundtrip.recalc import recalc as xlpromo_recalc

D = dt.date
Recalc = Callable[[Path], Path]


def _daily(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["date", "metric", "channel", "target", "actual", "issue", "action"],
                        dtype=object)


@pytest.fixture(scope="module")
def seed_book(tmp_path_factory: pytest.TempPathFactory, recalc: Recalc) -> list[list[Any]]:
    """Seed 002 template 3 rows (and their previous day), recalculated by LibreOffice."""
    frames = default_frames()
    frames["daily"] = _daily([
        (D(2024, 4, 19), "GMV", "", 6, 5.925, "", ""),
        (D(2024, 4, 19), "转化率", "", 0.045, 0.046, "", ""),
        (D(2024, 4, 20), "GMV", "", 6, 5.8, "上午流量高峰期服务器卡顿", "技术部已修复，明日追加500元推广预算挽回损失"),
        (D(2024, 4, 20), "转化率", "", 0.045, 0.041, "商品详情页某主图加载失败", "设计部4月21日上午9点前替换图片"),
        (D(2024, 4, 20), "客诉率", "", 0.005, 0.004, "", ""),
        (D(2024, 4, 20), "客服响应时长", "", 30, 45, "", ""),
        (D(2024, 4, 20), "缺货率", "", 0.05, 0, "", ""),
        (D(2024, 4, 20), "GMV", "天猫", 3, 2.9, "", ""),  # other channel: no previous day
    ])
    path = build_workbook(tmp_path_factory.mktemp("seed") / "seed.xlsx", frames)
    return read_values(recalc(path))["每日监控"][3:]


def test_seed_gmv_row(seed_book: list[list[Any]]) -> None:
    row = seed_book[2]
    assert row[:3] == [D(2024, 4, 20), "GMV", ""]
    assert round(row[7], 3) == 0.967  # 96.7%
    assert round(row[8], 3) == -0.021  # 环比 -2.1%
    assert row[9] == "相对变化" and row[10] == "达标"


def test_seed_conversion_row_in_points(seed_book: list[list[Any]]) -> None:
    row = seed_book[3]
    assert round(row[7], 3) == 0.911  # 91.1%
    assert row[8] == pytest.approx(-0.005)  # -0.5 个百分点
    assert row[9] == "百分点" and row[10] == "预警"


def test_lower_is_better_metrics(seed_book: list[list[Any]]) -> None:
    complaint, response, stockout = seed_book[4], seed_book[5], seed_book[6]
    assert complaint[4] == "越低越好" and complaint[7] == pytest.approx(1.25) and complaint[10] == "达标"
    assert response[7] == pytest.approx(30 / 45) and response[10] == "未达标"
    assert stockout[7] == "" and stockout[10] == "达标"  # zero stock-outs pass


def test_other_channel_has_no_previous_day(seed_book: list[list[Any]]) -> None:
    tmall = seed_book[7]
    assert tmall[2] == "天猫" and tmall[8] == "" and tmall[7] == pytest.approx(2.9 / 3)


def _errors(values: dict[str, list[list[Any]]]) -> list[tuple[str, int, int, Any]]:
    return [(name, i, j, v) for name, rows in values.items() for i, row in enumerate(rows)
            for j, v in enumerate(row)
            if isinstance(v, str) and (v.startswith("#") or v.startswith("Err:"))]


@pytest.mark.parametrize("which", ["demo", "blank"])
def test_no_cell_shows_an_error_after_recalculation(which: str, demo_path: Path, blank_path: Path,
                                                    recalc: Recalc) -> None:
    values = read_values(recalc(demo_path if which == "demo" else blank_path))
    assert _errors(values) == []
    assert values["活动目标"][3][12] == "目标完成率≥95%为达标"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def _trimmed(values: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """Drop trailing all-blank rows (readers differ on whether formatted blank rows count)."""
    out = {}
    for name, rows in values.items():
        rows = list(rows)
        while rows and all(v == "" for v in rows[-1]):
            rows.pop()
        out[name] = rows
    return out


def _error_cells(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Error values (#VALUE! …) per sheet: calamine reads them as "", so a comparison of values cannot see them."""
    sheets = [s.name for s in SCHEMA.sheets if s.tables]
    return {name: parts.errors for name, parts in package_parts(path, sheets).items() if parts.errors}


def _differences(path: Path, recalc: Recalc) -> list[tuple[str, int, int, Any, Any]]:
    assert _error_cells(recalc(path)) == {}  # LibreOffice computed no error where our cache holds a value or ""
    ours, theirs = _trimmed(read_values(path)), _trimmed(read_values(recalc(path)))
    assert ours.keys() == theirs.keys()
    diffs = []
    for name in ours:
        assert len(ours[name]) == len(theirs[name]), name
        for i, (ra, rb) in enumerate(zip(ours[name], theirs[name], strict=True)):
            # a formula whose value is "" (the 甘特图's days past its window) is a cell to LibreOffice and none to
            # us: both are blank, so the shorter row is padded with blanks rather than compared short
            width = max(len(ra), len(rb))
            ra, rb = [*ra, *[""] * (width - len(ra))], [*rb, *[""] * (width - len(rb))]
            diffs += [(name, i, j, a, b) for j, (a, b) in enumerate(zip(ra, rb, strict=True)) if not _same(a, b)]
    return diffs


def test_engine_equals_libreoffice_on_every_cell_of_the_demo(demo_path: Path, recalc: Recalc) -> None:
    """Our cached values (pandas) and LibreOffice's recalculation agree everywhere."""
    assert _differences(demo_path, recalc) == []
    theirs = read_values(recalc(demo_path))
    daily = theirs["每日监控"]
    assert len(daily) == 3 + 28 * 11
    assert sum(1 for r in daily[3:] if isinstance(r[7], float)) == 28 * 11  # every 达成率 computed


def test_engine_equals_libreoffice_on_edge_cases(tmp_path: Path, recalc: Recalc) -> None:
    """Boundaries, text where numbers belong, blanks, a due time, a custom metric without a department."""
    frames = default_frames()
    frames["daily"] = _daily([
        (D(2024, 6, 1), "GMV", "", 1.1, 1.045, "", ""),  # 0.9499999999999998: 95% passes
        (D(2024, 6, 1), "客诉率", "", 0.476, 0.56, "", ""),  # lower-is-better at the warning line
        (D(2024, 6, 1), "加购率", "京东", 0.1, "N/A", "", ""),  # text: no previous value
        (D(2024, 6, 2), "加购率", "京东", 0.1, 0.04, "", ""),
        (D(2024, 6, 1), "", "", 5, 5, "", ""),  # rows without a metric
        (D(2024, 6, 2), "", "", 5, 6, "", ""),
        (D(2024, 6, 2), "gmv", "", 1.1, 1.2, "", ""),  # matched case-insensitively, as MATCH does
        (D(2024, 6, 2), "直播间停留时长", "", 60, 50, "", ""),  # custom metric, blank department
        (None, "GMV", "", "六万", 5, "", ""),
    ])
    metrics = frames["metrics"]
    frames["metrics"] = pd.concat([metrics, pd.DataFrame([dict(
        name="直播间停留时长", unit="秒", direction="越高越好", dod_basis="相对变化", aggregate="平均")])],
        ignore_index=True).astype(object)
    th = frames["thresholds"].copy()
    th.loc[th["code"] == "as_of", "value"] = D(2024, 6, 2)
    frames["thresholds"] = th
    frames["tasks"] = pd.DataFrame([
        dict(task_id="T1", name="带时间的截止", start=D(2024, 6, 1), due=dt.datetime(2024, 6, 2, 18), owner="王*",
             dept="技术部", status="进行中"),
        dict(task_id="T2", name="已取消", start=D(2024, 6, 1), due=D(2024, 5, 1), owner="王*", dept="技术部",
             status="已取消")], dtype=object)
    path = build_workbook(tmp_path / "edge.xlsx", frames)
    assert _differences(path, recalc) == []
    daily = read_values(path)["每日监控"][3:]
    assert [r[10] for r in daily[:2]] == ["达标", "预警"]
    assert daily[3][8] == "" and daily[7][13] == ""
    assert read_values(path)["任务分工"][3][12] == pytest.approx(0.75)


def test_demo_planted_situations(demo_path: Path, recalc: Recalc) -> None:
    values = read_values(recalc(demo_path))
    tasks = {r[0]: r for r in values["任务分工"][3:]}
    assert [k for k, r in tasks.items() if r[13] == "是"] == ["T001", "T002", "T013"]
    assert tasks["T001"][12] == (D(2024, 4, 15) - AS_OF).days
    assert tasks["T014"][12] == 0 and tasks["T003"][12] == ""
    daily = values["每日监控"][3:]
    complaint = [r for r in daily if r[1] == "客诉率"]
    response = [r for r in daily if r[1] == "客服响应时长"]
    assert all(r[10] == "达标" for r in complaint)  # a lower-is-better metric that is fine
    assert [r[0] for r in response if r[10] != "达标"] == [D(2024, 6, 1), D(2024, 6, 17), D(2024, 6, 18)]
    assert {r[10] for r in daily} == {"达标", "预警", "未达标"}
    review = {r[0]: r for r in values["复盘报告"][6:11]}
    assert review["GMV"][1] == 500 and review["GMV"][2] == pytest.approx(
        sum(r[6] for r in daily if r[1] == "GMV"))


def test_thresholds_drive_the_formulas(tmp_path: Path, recalc: Recalc) -> None:
    """A user who lowers the pass line to 90% turns 91.1% from 预警 into 达标."""
    frames = default_frames()
    frames["daily"] = _daily([(D(2024, 4, 20), "转化率", "", 0.045, 0.041, "", "")])
    th = frames["thresholds"].copy()
    th.loc[th["code"] == "pass_line", "value"] = 0.9
    th.loc[th["code"] == "as_of", "value"] = D(2024, 4, 20)
    frames["thresholds"] = th
    frames["tasks"] = pd.DataFrame([dict(task_id="T1", name="x", start=D(2024, 4, 1), due=D(2024, 4, 18),
                                         owner="李*", dept="运营部", status="进行中")], dtype=object)
    values = read_values(recalc(build_workbook(tmp_path / "th.xlsx", frames)))
    assert values["每日监控"][3][10] == "达标"
    assert values["活动目标"][3][12] == "目标完成率≥90%为达标"
    assert values["任务分工"][3][12:14] == [-2.0, "是"]


def test_review_retrospective_golden(tmp_path: Path, recalc: Recalc) -> None:
    """Seed 002 template 4: GMV 300→330 (110%), 新客 10万→12万 (120%), ROI 1:3→1:3.2."""
    values = read_values(recalc(build_workbook(tmp_path / "r.xlsx", seed_retro_frames())))["复盘报告"]
    rows = {r[0]: r for r in values[6:11]}
    assert values[2][1] == "2024-06-01 至 2024-06-18"
    assert rows["GMV"][5] == pytest.approx(1.10) and rows["GMV"][6] == "达标"
    assert rows["新客数"][5] == pytest.approx(1.20)
    assert rows["ROI"][5] == pytest.approx(3.2 / 3)
    assert rows["新客占比"][1] == "" and rows["新客占比"][5] == ""  # no target typed: blank, not an error


def test_pdf_prints_every_sheet_readably(demo_path: Path, tmp_path: Path, soffice: str) -> None:
    from xlpromo.testing.libreoffice import convert

    pdf = convert(demo_path, "pdf", tmp_path)
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.count("\f")
    assert 8 <= pages <= 16, pages
    for title in ["促销活动主工作簿 · 使用说明", "活动目标确认表", "任务分配与进度跟踪表", "核心数据监控日报表",
                  "目标回顾", "成功因素与问题改进", "阈值配置", "数据字典"]:
        assert title in text, title
    assert "第 1 页，共" in text
    assert SCHEMA.sheet("daily").name in text  # page header names the sheet
    # 阈值配置 is a short fixed list: on one page, not its last two rows spilling onto a second
    thresholds = [p for p in text.split("\f") if p.lstrip().startswith("阈值配置")]
    assert len(thresholds) == 1 and "return_days_max" in thresholds[0]


def test_engine_rate_equals_libreoffice_formula_on_every_demo_row(demo_path: Path, recalc: Recalc) -> None:
    """check() recomputes from inputs; LibreOffice computes the native formula: same 达成率, 环比, 状态 per row."""
    from xlpromo.files.check import check

    lo = read_values(recalc(demo_path))["每日监控"][3:]
    daily = check(demo_path).frames["daily"]
    assert len(daily) == len(lo) == 308
    for (_, row), cells in zip(daily.iterrows(), lo, strict=True):
        assert row["rate"] == pytest.approx(cells[7])
        assert (row["dod"] == pytest.approx(cells[8])) if cells[8] != "" else math.isnan(row["dod"])
        assert row["status"] == cells[10]


def test_totals_do_not_count_channels_twice(tmp_path: Path, recalc: Recalc) -> None:
    """GMV has a 全渠道 row and per-channel rows: the total is the 全渠道 row. 订单量 has only channels: summed.
    A blank 渠道 counts as 全渠道. LibreOffice's 自动汇总 agrees with the engine."""
    frames = default_frames()
    frames["daily"] = _daily([
        (D(2024, 6, 1), "GMV", "全渠道", 10, 12, "", ""),
        (D(2024, 6, 1), "GMV", "天猫", 6, 7, "", ""),
        (D(2024, 6, 1), "GMV", "京东", 4, 5, "", ""),
        (D(2024, 6, 2), "GMV", "", 10, 9, "", ""),
        (D(2024, 6, 1), "新客数", "天猫", 100, 120, "", ""),
        (D(2024, 6, 1), "新客数", "京东", 50, 40, "", ""),
        (D(2024, 6, 1), "复购率", "天猫", 0.25, 0.2, "", ""),
        (D(2024, 6, 1), "复购率", "京东", 0.25, 0.3, "", ""),
    ])
    path = build_workbook(tmp_path / "ch.xlsx", frames)
    assert _differences(path, recalc) == []
    review = {r[0]: r for r in read_values(recalc(path))["复盘报告"][6:11]}
    assert review["GMV"][2] == 21  # 12 + 9, not 12 + 7 + 5 + 9
    assert review["新客数"][2] == 160
    assert review["复购率"][2] == pytest.approx(0.25)


def _text_in_number_cells() -> dict[str, pd.DataFrame]:
    """Numbers and dates typed as text, as staff type them: the engine reads each one, the formulas see text."""
    frames = default_frames()
    frames["targets"] = pd.DataFrame([dict(
        name="文本型数字", owner="张*", warmup_start=D(2024, 5, 25), burst_start=D(2024, 6, 1),
        burst_end=D(2024, 6, 18), return_end=D(2024, 6, 20), gmv_target="600万", roi_target=3)], dtype=object)
    frames["daily"] = _daily([
        (D(2024, 6, 1), "发货时长", "", 48, 40, "", ""),
        (D(2024, 6, 2), "发货时长", "", 48, "30小时", "", ""),  # the engine: 30 → 达成率 160%
        (D(2024, 6, 3), "发货时长", "", 48, 24, "", ""),  # the previous day holds text: no 环比
        (D(2024, 6, 1), "GMV", "", 6, "5.8万", "", ""),
        (D(2024, 6, 2), "GMV", "", "6万", 6.3, "", ""),
        (D(2024, 6, 2), "安全库存覆盖率", "", 0.85, "96.7%", "", ""),
        (D(2024, 6, 2), "点击率", "", "≥95%", 0.9, "", ""),
        ("2024.6.2", "转化率", "", 0.045, 0.041, "", ""),  # a date typed as text: 环比 blank, no #VALUE!
        (D(2024, 6, 3), "转化率", "", 0.045, 0.04, "", ""),
        (D(2024, 6, 2), "缺货率", "", 0.05, "0", "", ""),  # a lower-is-better zero, as text: no 达标
    ])
    frames["tasks"] = pd.DataFrame([
        dict(task_id="T1", name="文本截止", start=D(2024, 6, 1), due="2024-06-20", owner="王*", dept="技术部",
             status="进行中"),
        dict(task_id="T2", name="日期截止", start=D(2024, 6, 1), due=D(2024, 6, 20), owner="王*", dept="技术部",
             status="进行中")], dtype=object)
    review = frames["review"].copy()
    review["confirmed"] = [{"ROI": "3.2"}.get(m) for m in review["metric"]]
    frames["review"] = review
    th = frames["thresholds"].copy()
    th.loc[th["code"] == "as_of", "value"] = D(2024, 6, 10)
    frames["thresholds"] = th
    return frames


def test_recalc_caches_what_the_formulas_compute_from_text_in_number_cells(tmp_path: Path, recalc: Recalc) -> None:
    """xlpromo recalc's cached values equal LibreOffice's recalculation on every cell; check still reports each text
    cell, and the engine (alerts, report) still reads what was meant."""
    book = build_workbook(tmp_path / "text.xlsx", _text_in_number_cells())
    out = xlpromo_recalc(book, tmp_path / "recalc.xlsx").output
    assert _differences(out, recalc) == []
    values = read_values(out)
    daily = values["每日监控"][3:]
    assert [[r[7] if r[7] == "" else round(r[7], 4), r[8], r[10]] for r in daily] == [
        [1.2, "", "达标"], ["", "", ""], [2.0, "", "达标"], ["", "", ""], ["", "", ""], ["", "", ""], ["", "", ""],
        [0.9111, "", "预警"], [0.8889, "", "预警"], ["", "", ""]]
    assert [r[12:14] for r in values["任务分工"][3:5]] == [["", ""], [10.0, "否"]]
    review = {r[0]: r for r in values["复盘报告"][6:11]}
    assert review["GMV"][1:7] == ["600万", 6.3, "", 6.3, "", ""]  # 目标值 is text: no 达成率, no 结论
    assert review["ROI"][1:7] == [3.0, "", "3.2", "", "", ""]  # 实际值(确认) is text: 自动汇总 (none) is used
    report = check(book)
    assert report.flatten(["sheet", "cell", "code"]) == [
        ["活动目标", "G4", "text-number"], ["任务分工", "F4", "text-date"], ["每日监控", "A11", "text-date"],
        ["每日监控", "F8", "text-number"], ["每日监控", "F10", "text-number"], ["每日监控", "G5", "text-number"],
        ["每日监控", "G7", "text-number"], ["每日监控", "G9", "text-number"], ["每日监控", "G13", "text-number"],
        ["复盘报告", "D11", "text-number"]]
    assert report.findings[5].message == "“30小时”是文本：程序读作 30，但表内公式不会计算它，请改为数字 30"
    engine = report.frames["daily"]
    assert engine.loc[5, "rate"] == pytest.approx(1.6) and engine.loc[5, "status"] == "达标"
    # 新增 (the latest day, 06-03) before 持续; 点击率 0.9 ÷ "≥95%" is H10
    assert report.flatten(["cell", "code"], alerts=True) == [
        ["H12", "metric-off-target"], ["L12", "cause-overdue"], ["H10", "metric-off-target"],
        ["L10", "cause-overdue"], ["H11", "metric-off-target"], ["L11", "cause-overdue"]]


def test_recalc_caches_what_the_formulas_compute_from_text_thresholds(tmp_path: Path, recalc: Recalc) -> None:
    """A pass line typed as text ("95%") is above every number in a comparison, but 95 in arithmetic (考核标准);
    统计日期 typed as an ISO date is a date to the subtraction in 剩余天数."""
    frames = _text_in_number_cells()
    th = frames["thresholds"].copy()
    th.loc[th["code"] == "pass_line", "value"] = "95%"
    th.loc[th["code"] == "as_of", "value"] = "2024-06-10"
    frames["thresholds"] = th
    book = build_workbook(tmp_path / "th.xlsx", frames)
    out = xlpromo_recalc(book, tmp_path / "recalc.xlsx").output
    assert _differences(out, recalc) == []
    values = read_values(out)
    assert values["活动目标"][3][12] == "目标完成率≥95%为达标"
    assert [r[10] for r in values["每日监控"][3:]] == ["预警", "", "预警", "", "", "", "", "预警", "预警", ""]
    assert [r[12:14] for r in values["任务分工"][3:5]] == [["", ""], [10.0, "否"]]


def test_recalc_caches_what_the_formulas_compute_from_text_with_stray_spaces(tmp_path: Path, recalc: Recalc) -> None:
    """The engine strips "GMV " and "已完成 "; MATCH and = do not: no catalogue values, no 环比, days still counted."""
    frames = _text_in_number_cells()
    frames["daily"] = _daily([(D(2024, 6, 1), "GMV ", "", 6, 5.8, "", ""), (D(2024, 6, 2), "GMV", "", 6, 6, "", "")])
    frames["tasks"] = pd.DataFrame([dict(task_id="T1", name="已完成", start=D(2024, 6, 1), due=D(2024, 6, 5),
                                         owner="王*", dept="技术部", status="已完成 ")], dtype=object)
    book = build_workbook(tmp_path / "spaces.xlsx", frames)
    out = xlpromo_recalc(book, tmp_path / "recalc.xlsx").output
    assert _differences(out, recalc) == []
    values = read_values(out)
    gmv = values["每日监控"][3]
    assert gmv[3:5] == ["", ""] and gmv[7] == pytest.approx(5.8 / 6) and gmv[9:11] == ["", "达标"]
    assert gmv[13] == "" and values["每日监控"][4][8] == ""  # 负责部门; the next day's 环比 finds no "GMV"
    assert values["任务分工"][3][12:14] == [-5.0, "是"]
    engine = check(book).frames
    assert engine["daily"].loc[4, "unit"] == "万元" and engine["tasks"].loc[4, "overdue"] == ""


def test_recalc_refreshes_the_review_heading_from_the_targets(demo_path: Path, tmp_path: Path,
                                                              recalc: Recalc) -> None:
    """复盘报告's 活动名称 and 复盘周期 sit above its tables: recalc caches them too, as LibreOffice computes them."""
    from xlpromo.ooxml import BookPatch

    pkg = BookPatch.open(demo_path)
    pkg.set_cells("活动目标", {(4, 1): "2024年618大促（延长）", (4, 6): 45470.0})  # 活动名称, 返场结束 2024-06-27
    pkg.save(tmp_path / "moved.xlsx")
    out = xlpromo_recalc(tmp_path / "moved.xlsx", tmp_path / "recalc.xlsx").output
    ours = [row[:2] for row in read_values(out)["复盘报告"][1:3]]
    assert ours == [["活动名称", "2024年618大促（延长）"], ["复盘周期", "2024-05-25 至 2024-06-27"]]
    assert [row[:2] for row in read_values(recalc(out))["复盘报告"][1:3]] == ours


def test_dod_is_red_only_when_it_shows_an_unfavourable_change(tmp_path: Path, recalc: Recalc) -> None:
    """环比变化 shows 0.0%: a change that rounds to -0.0% (or +0.0% for lower-is-better) is not red; LibreOffice
    evaluates the highlight's own condition, written beside each row."""
    frames = default_frames()
    frames["daily"] = _daily([
        (D(2024, 6, 1), "GMV", "天猫", 100, 100, "", ""),
        (D(2024, 6, 1), "GMV", "京东", 100, 100, "", ""),
        (D(2024, 6, 1), "客服响应时长", "", 30, 30, "", ""),
        (D(2024, 6, 1), "客服响应时长", "抖音", 30, 30, "", ""),
        (D(2024, 6, 2), "GMV", "天猫", 100, 99.96, "", ""),  # -0.04%: shows -0.0%
        (D(2024, 6, 2), "GMV", "京东", 100, 99.9, "", ""),  # -0.1%
        (D(2024, 6, 2), "客服响应时长", "", 30, 30.01, "", ""),  # +0.03%: shows +0.0%
        (D(2024, 6, 2), "客服响应时长", "抖音", 30, 30.1, "", ""),  # +0.3%
    ])
    book = build_workbook(tmp_path / "dod.xlsx", frames)
    daily = SCHEMA.table("daily")
    (red,) = [h for h in daily.highlights if h.meaning == "环比朝不利方向变化"]
    wb = openpyxl.load_workbook(book)
    ws = wb["每日监控"]
    for r in range(4, 12):
        ws[f"Z{r}"] = "=" + render_a1(red.when, daily, r - 1)
    wb.save(book)
    rows = read_values(recalc(book))["每日监控"][3:11]
    assert [round(r[8], 4) for r in rows[4:]] == [-0.0004, -0.001, 0.0003, 0.0033]
    # a first day has no 环比: the condition is an error there (ROUND of ""), which colours nothing either
    assert [r[25] is True for r in rows] == [False] * 4 + [False, True, False, True]


def test_engine_equals_libreoffice_on_a_book_out_of_date_order(tmp_path: Path, recalc: Recalc) -> None:
    """Rows out of date order: 有序行数 is 0 and 前一日实际值 takes its whole-column fallback; our cached values and
    LibreOffice's still agree on every cell, and the first row with a value wins among duplicates."""
    frames = default_frames()
    frames["daily"] = _daily([
        (D(2024, 6, 3), "GMV", "", 10, 12, "", ""),
        (D(2024, 6, 1), "GMV", "", 10, 8, "", ""),
        (D(2024, 6, 2), "GMV", "", 10, 10, "", ""),
        (D(2024, 6, 2), "GMV", "", 10, 99, "", ""),  # a duplicate below: the first one is the previous day
        (D(2024, 6, 2), "转化率", "", 0.04, 0.05, "", ""),
        (D(2024, 6, 1), "转化率", "", 0.04, 0.03, "", ""),
    ])
    book = build_workbook(tmp_path / "unsorted.xlsx", frames)
    assert _differences(book, recalc) == []
    theirs = read_values(recalc(book))["每日监控"]
    assert theirs[0][17] == 0  # R1 有序行数
    dod = [r[8] for r in theirs[3:9]]
    assert dod[0] == pytest.approx(0.2) and dod[1] == "" and dod[2] == pytest.approx(0.25)
    assert dod[3] == pytest.approx(99 / 8 - 1) and dod[4] == pytest.approx(0.02) and dod[5] == ""


def test_engine_equals_libreoffice_on_a_legacy_book_after_its_upgrade(tmp_path: Path, recalc: Recalc) -> None:
    """A book built by 0.1.0 (环比变化 by COUNTIFS) is upgraded by recalc; LibreOffice then computes what we
    cached, on every cell."""
    legacy = Path(__file__).parents[1] / "roundtrip" / "legacy" / "demo-0.1.0-countifs.xlsx"
    before = read_values(legacy)["每日监控"]
    out = xlpromo_recalc(legacy, tmp_path / "upgraded.xlsx").output
    assert _differences(out, recalc) == []
    after = read_values(recalc(out))["每日监控"]
    assert after[2][16:18] == ["环比键", "前一日实际值"]
    assert [r[8] for r in after[3:]] == pytest.approx([r[8] if r[8] != "" else "" for r in before[3:]], abs=1e-12)
