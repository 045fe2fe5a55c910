"""Issue 14 item 1: an alert's date and state (新增, 持续 N 天, 已说明), one line per row and problem, the channel
in every metric alert, and the 预警 sheet that lists them (title with 统计日期, autofilter, rule names)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd

from tests.engine.test_alerts import Frames, _built, _daily
from xlpromo.engine.alert_state import latest_day
from xlpromo.model.defaults import threshold
from xlpromo.roundtrip.recalc import recalc

D = dt.date


def _as_of(frames: Frames, day: D) -> None:
    th = frames["thresholds"]
    th.loc[th["code"] == "as_of", "value"] = pd.Timestamp(day)


def _three_days(frames: Frames) -> None:
    """统计日期 2024-06-03 and nothing typed after it: days 1–3 of the 爆发期 are the campaign so far."""
    _as_of(frames, D(2024, 6, 3))
    daily = frames["daily"]
    later = pd.to_datetime(daily["date"]) > pd.Timestamp(2024, 6, 3)
    daily.loc[later, ["actual", "issue", "action"]] = None


def test_latest_day_is_the_last_day_with_results_up_to_the_statistics_day() -> None:
    daily = pd.DataFrame({"date": [D(2024, 6, 1), D(2024, 6, 2), D(2024, 6, 3)], "actual": [1.0, 2.0, None]})
    assert latest_day(daily, D(2024, 6, 3)) == D(2024, 6, 2)  # nothing typed for the 3rd yet
    assert latest_day(daily, D(2024, 6, 1)) == D(2024, 6, 1)
    assert latest_day(daily.iloc[:0], D(2024, 6, 3)) == D(2024, 6, 3)


def test_an_alert_is_new_on_its_day_then_open_until_it_is_explained(tmp_path: Path) -> None:
    """Day 3 of three typed days: the 2024-06-03 alert is 新增, the 06-01 one 持续 2 天; once 异常说明 and 调整措施
    of 06-01 are filled, it is 已说明, one level lower, and asks for no cause any more."""
    def day3(frames: Frames) -> None:
        _three_days(frames)
        _daily(frames, D(2024, 6, 1), "客服响应时长", issue=None, action=None)  # 36 s, off target: unexplained
        _daily(frames, D(2024, 6, 3), "GMV", actual=17.6)  # 80% of its target 22: new today

    report = _built(tmp_path, day3)
    got = {(a.cell, a.code): (a.level.value, a.state, a.deadline) for a in report.alerts}
    assert got[("H103", "metric-off-target")] == ("严重", "新增", "24小时内说明原因并提出调整措施")
    assert got[("H91", "metric-off-target")] == ("严重", "持续 2 天", "24小时内说明原因并提出调整措施")
    assert got[("L91", "cause-overdue")] == ("预警", "持续 2 天", "立即补填")
    assert [(a.cell, a.state) for a in report.alerts if a.table == "daily"] == [
        ("H103", "新增"), ("H91", "持续 2 天"), ("L91", "持续 2 天"), ("H62", "已说明")]  # by level, state, date

    def explained(frames: Frames) -> None:
        day3(frames)
        _daily(frames, D(2024, 6, 1), "客服响应时长", issue="客服排班不足", action="增加两名客服")

    after = {(a.cell, a.code): (a.level.value, a.state, a.deadline) for a in _built(tmp_path, explained).alerts}
    assert after[("H91", "metric-off-target")] == ("预警", "已说明", "已说明原因与措施：跟进措施效果")
    assert ("L91", "cause-overdue") not in after


def test_every_metric_alert_names_its_channel(tmp_path: Path) -> None:
    """`2024-06-10 ROI 达成率 83.3%（未达标）` did not say 天猫 or 抖音."""
    def roi(frames: Frames) -> None:
        rows = pd.DataFrame([{"date": D(2024, 6, 10), "metric": m, "channel": "抖音", "target": t, "actual": a}
                             for m, t, a in (("ROI", 3.0, 2.5), ("客诉率", 0.005, 0.009))])
        frames["daily"] = pd.concat([frames["daily"], rows], ignore_index=True)

    report = _built(tmp_path, roi)
    lines = [a.message for a in report.alerts if "抖音" in a.message]
    limit = threshold("complaint_rate_max").value
    assert limit == 0.005
    assert lines == [
        "2024-06-10 ROI（抖音） 达成率 83.3%（未达标）；抖音 ROI 2.5，低于目标 3 17%（替换线 10%）",
        "2024-06-10 客诉率（抖音） 达成率 55.6%（未达标）；客诉率（抖音） 0.9% 超过上限 0.5%",
        "2024-06-10 ROI（抖音） 未达标已超过 24 小时，尚未填写异常说明",
        "2024-06-10 客诉率（抖音） 未达标已超过 24 小时，尚未填写异常说明",
    ]


def test_the_alerts_sheet_has_a_title_an_autofilter_and_the_rule_names(demo_path: Path, tmp_path: Path) -> None:
    out = recalc(demo_path, tmp_path / "r.xlsx").output
    ws = openpyxl.load_workbook(out)["预警"]
    assert ws["A1"].value == "预警 · 统计日期 2024-06-21：共 13 条（严重 3、预警 7、提示 3；新增 2、持续 7、已说明 4）"
    assert [c.value for c in ws[2]] == ["位置", "级别", "状态", "日期", "预警", "责任部门", "时限", "规则", "代码"]
    assert [c.value for c in ws[3]] == [
        "任务分工!F4", "严重", "持续 67 天", "2024-04-15",
        "任务 T001“618活动商品选品”已逾期 67 天（截止 2024-04-15，负责人 *经理）",
        "运营部", "立即处理或调整截止时间", "任务逾期", "task-overdue"]
    assert ws["H6"].value == "指标未达标" and ws["I6"].value == "metric-off-target+conversion-drop"
    assert ws.auto_filter.ref == "A2:I15" and ws.freeze_panes == "A3"
    assert ws["A3"].hyperlink.location == "'任务分工'!F4"
    # even row heights: every alert row as high as the longest message needs (E6, 75 characters, most of them
    # CJK, in a column 70 wide: 2 lines of 15 points), also the one-line task alerts; title and header one line
    heights = {r: ws.row_dimensions[r].height for r in range(1, 16)}
    assert heights == {1: None, 2: None, **dict.fromkeys(range(3, 16), 30)}
