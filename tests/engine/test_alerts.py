"""Alert messages (blank cells, 转化率's two measures of change) and the thresholds the alerts use: a bad or
out-of-order value of 阈值配置 is reported (threshold-order, out-of-range …) and set aside for its default."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from xlpromo.engine.alerts import share
from xlpromo.engine.report import Report
from xlpromo.engine.thresholds import in_force as thresholds_in_force
from xlpromo.engine.thresholds import usable as usable_threshold
from xlpromo.files.builder import build_workbook
from xlpromo.files.check import check
from xlpromo.files.demo import demo_frames
from xlpromo.model.defaults import THRESHOLD_ORDER, THRESHOLDS, threshold

D = dt.date
Frames = dict[str, pd.DataFrame]


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> Report:
    return check(demo_path)


def _alerts(report: Report) -> list[list[Any]]:
    return report.flatten(["sheet", "cell", "code", "level", "message", "dept", "deadline"], alerts=True)


def _built(tmp_path: Path, edit: Callable[[Frames], None]) -> Report:
    """The demo built from its frames after ``edit``, checked."""
    frames = demo_frames()
    edit(frames)
    return check(build_workbook(tmp_path / "edited.xlsx", frames))


def _thresholds_typed(demo_path: Path, tmp_path: Path, values: dict[str, Any]) -> Report:
    """The demo with 阈值配置·数值 typed over, by 参数代码 (as a person types: 90 for 90%)."""
    wb = openpyxl.load_workbook(demo_path)
    ws = wb["阈值配置"]
    rows = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
    for code, value in values.items():
        ws.cell(rows[code], 3).value = value
    out = tmp_path / "thresholds.xlsx"
    wb.save(out)
    return check(out)


def _cell(code: str) -> str:
    """The 数值 cell of a code on the template's 阈值配置 (rows in THRESHOLDS order from row 4)."""
    return f"C{4 + [t.code for t in THRESHOLDS].index(code)}"


# --------------------------------------------------------------------------- blank cells in messages
def _task(frames: Frames, tid: str, **values: Any) -> None:
    tasks = frames["tasks"]
    i = tasks.index[tasks["task_id"] == tid][0]
    for k, v in values.items():
        tasks.at[i, k] = v


def _daily(frames: Frames, day: D, name: str, **values: Any) -> None:
    daily = frames["daily"]
    i = daily.index[(daily["date"] == day) & (daily["metric"] == name)][0]
    for k, v in values.items():
        daily.at[i, k] = v


def test_blank_task_name_and_owner_never_print_as_none(tmp_path: Path) -> None:
    """任务名称 or 负责人 left blank: the message says 未填任务名称 and drops “负责人 …”, never None."""
    def edit(frames: Frames) -> None:
        _task(frames, "T001", name=None)
        _task(frames, "T002", owner=None)
        _task(frames, "T013", name=None, owner=None)
        _task(frames, "T014", owner=None)
        _task(frames, "T015", task_id=None)
        _task(frames, "T007", name=None, status="进行中", due=D(2024, 6, 18))  # a 技术部 test left open

    report = _built(tmp_path, edit)
    tasks = [[a.cell, a.code, a.message, a.deadline] for a in report.raised if a.sheet == "任务分工"]
    assert tasks == [
        ["F4", "task-overdue", "任务 T001（未填任务名称）已逾期 67 天（截止 2024-04-15，负责人 *经理）",
         "立即处理或调整截止时间"],
        ["F5", "task-overdue", "任务 T002“直通车素材优化”已逾期 57 天（截止 2024-04-25）", "立即处理或调整截止时间"],
        ["F10", "task-overdue", "任务 T007（未填任务名称）已逾期 3 天（截止 2024-06-18，负责人 王*）",
         "立即处理或调整截止时间"],
        ["F16", "task-overdue", "任务 T013（未填任务名称）已逾期 3 天（截止 2024-06-18）", "立即处理或调整截止时间"],
        ["F17", "task-due-soon", "任务 T014“48小时发货跟踪”今天到期", "2024-06-21 前完成"],
        ["F18", "task-due-soon", "任务“未下单用户二次触达”今天到期（负责人 李*）", "2024-06-21 前完成"],
        ["F10", "tech-not-ready", "技术任务 T007（未填任务名称）截止 2024-06-18，晚于活动开始前 3 天（2024-05-22）",
         "2024-05-22 前完成全流程测试"],
    ]


def test_blank_date_metric_and_channel_never_print_as_none(tmp_path: Path) -> None:
    """A daily row with 日期, 核心指标 or 渠道 blank still alerts, saying what is missing (全渠道 for 渠道)."""
    def edit(frames: Frames) -> None:
        _daily(frames, D(2024, 6, 1), "客服响应时长", date=None)  # 36 s: off target and over the limit
        _daily(frames, D(2024, 6, 5), "GMV", metric=None)  # 80%
        spend = pd.DataFrame([{"date": D(2024, 6, 10), "metric": "推广费用", "channel": None, "target": 10.0,
                               "actual": 12.5, "issue": "原因已查明", "action": "已调整"}])
        frames["daily"] = pd.concat([frames["daily"], spend], ignore_index=True)

    report = _built(tmp_path, edit)
    got = {(a.cell, a.code): a.message for a in report.raised}
    assert got[("H91", "metric-off-target")] == "（未填日期） 客服响应时长 达成率 83.3%（未达标）"
    assert got[("G91", "cs-response-sec")] == "（未填日期） 客服响应时长 36秒 超过上限 30秒"
    assert got[("H125", "metric-off-target")] == "2024-06-05 （未填核心指标） 达成率 80.0%（未达标）"
    assert got[("G312", "channel-over-budget")] == ("2024-06-10 全渠道 推广费用 12.5万元，"
                                                    "超出预算 10万元 25%（超过 20%）")
    for a in report.raised:
        assert "None" not in a.message and "nan" not in a.message.casefold() and "NaT" not in a.message, a


# --------------------------------------------------------------------------- 转化率: relative drop and points
def test_conversion_drop_gives_the_relative_drop_and_the_points_the_cell_shows(demo: Report) -> None:
    """每日监控!I62 shows −0.5% (percentage points, 环比口径 百分点); the rule is a relative drop: both are said."""
    drops = [[a.cell, a.level.value, a.message, a.dept, a.deadline, round(a.value, 6)]
             for a in demo.raised if a.code == "conversion-drop"]
    assert drops == [
        ["I62", "预警", "2024-05-30 转化率较前一日相对下降 10.9%（4.6% → 4.1%，-0.5 个百分点），超过 5%", "运营部",
         "启动 A/B 测试排查原因", -0.005],
        ["I205", "预警", "2024-06-12 转化率较前一日相对下降 12.9%（4.6% → 4.0%，-0.6 个百分点），超过 5%", "运营部",
         "启动 A/B 测试排查原因", -0.0059],
    ]


def test_conversion_drop_when_the_catalogue_says_relative_change(demo: Report, tmp_path: Path) -> None:
    """转化率 switched to 环比口径 相对变化 in 指标目录: 环比变化 is then relative, the message the same."""
    def edit(frames: Frames) -> None:
        metrics = frames["metrics"]
        metrics.loc[metrics["name"] == "转化率", "dod_basis"] = "相对变化"

    report = _built(tmp_path, edit)
    drops = [[a.cell, a.message] for a in report.raised if a.code == "conversion-drop"]
    assert drops == [[a.cell, a.message] for a in demo.raised if a.code == "conversion-drop"]


def test_conversion_drop_threshold_keeps_its_decimals(demo_path: Path, tmp_path: Path) -> None:
    report = _thresholds_typed(demo_path, tmp_path, {"conversion_drop_ab": 0.125})
    assert report.findings == []
    assert [a.message for a in report.raised if a.code == "conversion-drop"] == [
        "2024-06-12 转化率较前一日相对下降 12.9%（4.6% → 4.0%，-0.6 个百分点），超过 12.5%"]


# --------------------------------------------------------------------------- thresholds in force
def test_defaults_are_usable_and_in_order() -> None:
    typed = {t.code: t.value for t in THRESHOLDS}
    in_force = thresholds_in_force(typed)
    assert in_force.unusable == frozenset() and in_force.misordered == ()
    assert in_force.values == {t.code: t.value for t in THRESHOLDS if t.value is not None}
    for pair in THRESHOLD_ORDER:
        assert pair.holds(float(threshold(pair.low).value or 0), float(threshold(pair.high).value or 0)), pair


@pytest.mark.parametrize(("code", "value"), [
    ("pass_line", 90), ("pass_line", 90.0), ("pass_line", -0.1), ("pass_line", None), ("pass_line", "95%"),
    ("pass_line", True), ("pass_line", float("nan")), ("pass_line", D(2024, 6, 1)), ("cs_response_sec", 86401),
    ("tech_ready_days", 800_000), ("ship_within_hours", float("inf"))])
def test_unusable_values_fall_back_to_the_default(code: str, value: Any) -> None:
    assert usable_threshold(code, value) is None
    in_force = thresholds_in_force({code: value})
    assert code in in_force.unusable and in_force.values[code] == threshold(code).value


@pytest.mark.parametrize(("typed", "expected"), [
    ({"pass_line": 0.95, "warn_line": 0.97}, {"pass_line": 0.95, "warn_line": 0.85}),
    ({"pass_line": 0.9, "warn_line": 0.9}, {"pass_line": 0.95, "warn_line": 0.85}),  # no 预警 band either
    ({"pass_line": 0.9, "warn_line": 0.8}, {"pass_line": 0.9, "warn_line": 0.8}),
    ({"pass_line": 90, "warn_line": 0.97}, {"pass_line": 0.95, "warn_line": 0.85}),  # 90 unusable, then 97% > 95%
    ({"cs_response_sec": 30, "cs_response_critical_sec": 20}, {"cs_response_sec": 30, "cs_response_critical_sec": 90}),
    ({"warmup_days_min": 5, "warmup_days_max": 5}, {"warmup_days_min": 5, "warmup_days_max": 5}),
    ({"return_days_min": 4, "return_days_max": 3}, {"return_days_min": 1, "return_days_max": 3}),
])
def test_pairs_out_of_order_fall_back_together(typed: dict[str, Any], expected: dict[str, float]) -> None:
    values = thresholds_in_force({**{t.code: t.value for t in THRESHOLDS}, **typed}).values
    assert {k: values[k] for k in expected} == expected


def test_share_keeps_the_decimals_typed() -> None:
    assert [share(v) for v in (0.05, 0.025, 0.2, 0.005, 0.0, 1.0, 90.0)] == [
        "5%", "2.5%", "20%", "0.5%", "0%", "100%", "9000%"]


def test_pass_line_typed_as_90_keeps_the_planted_alerts(demo: Report, demo_path: Path, tmp_path: Path) -> None:
    """达标线 typed 90 (stored 9000%): one error naming the default used, and the demo's 18 alerts, not 308."""
    report = _thresholds_typed(demo_path, tmp_path, {"pass_line": 90})
    assert report.flatten(["sheet", "cell", "code", "severity", "message"]) == [
        ["阈值配置", "C5", "out-of-range", "error",
         "90 超出允许范围（0% 至 100%）；百分比请输入如 95%；预警按默认值 95% 计算"]]
    assert _alerts(report) == _alerts(demo)
    assert len(report.raised) == 18


NO_BAND = "否则没有“预警”区间，低于达标线即为未达标"


@pytest.mark.parametrize(("values", "expected"), [
    ({"warn_line": 0.97},
     [["C6", 0.97, f"严重预警线 97% 应低于达标线 95%，{NO_BAND}；预警按严重预警线的默认值 85% 计算"]]),
    ({"cs_response_critical_sec": 20},
     [["C15", 20, "客服响应时长上限 30秒 应低于客服响应严重超时 20秒，否则每次超时都算严重；"
                  "预警按客服响应严重超时的默认值 90秒 计算"]]),
    ({"pass_line": 0.9, "warn_line": 0.92},
     [["C6", 0.92, f"严重预警线 92% 应低于达标线 90%，{NO_BAND}；"
                   "预警按严重预警线和达标线的默认值 85% 和 95% 计算"]]),
    ({"warmup_days_min": 8},
     [["C34", 8, "预热期最短天数 8天 不应大于预热期最长天数 7天，否则任何天数的预热期都会提示；"
                 "预警按预热期最短天数的默认值 3天 计算"]]),
    ({"return_days_max": 0.5},
     [["C37", 0.5, "返场期最短天数 1天 不应大于返场期最长天数 0.5天，否则任何天数的返场期都会提示；"
                   "预警按返场期最长天数的默认值 3天 计算"]]),
])
def test_thresholds_out_of_order_are_errors_and_the_alerts_use_the_defaults(
        demo: Report, demo_path: Path, tmp_path: Path, values: dict[str, Any], expected: list[list[Any]]) -> None:
    report = _thresholds_typed(demo_path, tmp_path, values)
    assert report.flatten(["cell", "value", "message"]) == expected
    assert report.flatten(["sheet", "code", "severity", "header"]) == [["阈值配置", "threshold-order", "error", "数值"]]
    assert _alerts(report) == _alerts(demo)


def test_an_unusable_line_and_its_pair_are_both_reported(demo: Report, demo_path: Path, tmp_path: Path) -> None:
    """达标线 98 (9800%) falls back to 95%, below the 严重预警线 of 97% typed beside it: two errors, default alerts."""
    report = _thresholds_typed(demo_path, tmp_path, {"pass_line": 98, "warn_line": 0.97})
    assert report.flatten(["cell", "code", "message"]) == [
        ["C5", "out-of-range", "98 超出允许范围（0% 至 100%）；百分比请输入如 95%；预警按默认值 95% 计算"],
        ["C6", "threshold-order", f"严重预警线 97% 应低于达标线 95%（默认值），{NO_BAND}；"
                                  "预警按严重预警线的默认值 85% 计算"]]
    assert _alerts(report) == _alerts(demo)


def test_blank_and_text_thresholds_name_the_default(demo: Report, demo_path: Path, tmp_path: Path) -> None:
    report = _thresholds_typed(demo_path, tmp_path, {"pass_line": "abc", "warn_line": None,
                                                     "tech_ready_days": 800_000, "budget_traffic": 45})
    assert report.flatten(["cell", "code", "message"]) == [
        ["C5", "type-number", "无法识别的数字：“abc”；预警按默认值 95% 计算"],
        ["C6", "required", "“数值”为必填项；预警按默认值 85% 计算"],
        ["C12", "out-of-range", "800000 超出允许范围（0 至 3650天）；预警按默认值 3天 计算"],
        ["C29", "out-of-range", "45 超出允许范围（0% 至 100%）；百分比请输入如 95%"]]  # no alert reads it
    assert _alerts(report) == _alerts(demo)


def test_a_valid_threshold_still_drives_the_alerts(demo_path: Path, tmp_path: Path) -> None:
    """达标线 lowered to 90%, in order with 85%: no finding; 91.1% passes, 88.4% stays 预警."""
    report = _thresholds_typed(demo_path, tmp_path, {"pass_line": 0.9})
    assert report.findings == []
    off = [[a.cell, a.level.value] for a in report.raised if a.code == "metric-off-target"]
    assert off == [["H91", "严重"], ["H125", "严重"], ["H205", "预警"], ["H267", "预警"], ["H278", "严重"]]


def test_template_cells_of_the_codes() -> None:
    """The cells named in these tests are those of the template's 阈值配置."""
    assert [_cell(c) for c in ("pass_line", "warn_line", "tech_ready_days", "cs_response_critical_sec",
                                "budget_traffic", "warmup_days_min", "return_days_max")] == [
        "C5", "C6", "C12", "C15", "C29", "C34", "C37"]
