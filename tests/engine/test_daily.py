"""Issue 14 item 2: the 日报 of the demo and of a campaign typed day by day — its numbers from the rows themselves,
its to-do list from the settled alerts (新增, 持续 N 天; the explained ones only counted)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from tests.engine.test_alerts import Frames, _built, _daily
from xlpromo.engine.daily import daily_report
from xlpromo.engine.report import Report
from xlpromo.files.check import check
from xlpromo.files.daily import render_daily
from xlpromo.files.demo import demo_frames

D = dt.date


def _gmv_rows(day: D | None = None, upto: D | None = None) -> pd.DataFrame:
    """The demo's 全渠道 GMV rows, as typed (the oracle: the demo's own frames, not the engine)."""
    d = demo_frames()["daily"]
    d = d[(d["metric"] == "GMV") & (d["channel"] == "全渠道")]
    dates = pd.to_datetime(d["date"]).dt.date
    if day is not None:
        d = d[dates == day]
    if upto is not None:
        d = d[dates <= upto]
    return d


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> Report:
    return check(demo_path)


def test_the_demo_headline_is_the_rows_own_numbers(demo: Report) -> None:
    """统计日期 2024-06-21, the last of 28 days (05-25 → 06-21): GMV of the day and to date as typed."""
    r = daily_report(demo)
    assert (r.campaign, r.as_of, r.day, r.phase, r.day_no, r.days) == (
        "2024年618年中大促", D(2024, 6, 21), D(2024, 6, 21), "返场期", 28, 28)
    today = _gmv_rows(D(2024, 6, 21))
    assert (r.gmv, r.gmv_target) == (float(today["actual"].sum()), float(today["target"].sum())) == (7.94, 8.0)
    to_date = float(pd.to_numeric(_gmv_rows(upto=D(2024, 6, 21))["actual"]).sum())
    assert r.pacing is not None and math.isclose(r.pacing.gmv_to_date, to_date) and r.pacing.gmv_target == 500
    assert math.isclose(r.pacing.progress, to_date / 500) and r.pacing.elapsed == 1.0


def test_the_demo_todo_holds_every_open_alert_by_department_and_no_explained_one(demo: Report) -> None:
    r = daily_report(demo)
    assert list(r.todo) == ["运营部", "客服部", "仓储部"]  # in the order of their most urgent alert
    lines = {dept: [(t.alert.cell, t.alert.state, t.cause_late) for t in items] for dept, items in r.todo.items()}
    assert lines == {
        "运营部": [("F4", "持续 67 天", False), ("F5", "持续 57 天", False), ("H205", "持续 9 天", True),
                  ("F18", "新增", False)],
        "客服部": [("F16", "持续 3 天", False), ("H267", "持续 4 天", True)],
        "仓储部": [("F17", "新增", False)],
    }
    explained = [a for a in demo.alerts if a.state == "已说明"]
    assert r.explained == len(explained) == 4 and r.alerts == 13
    # the rows whose 异常说明 and 调整措施 are filled are nowhere in the to-do list
    assert not {a.cell for a in explained} & {c for items in lines.values() for c, _, _ in items}


def test_the_demo_day_off_target_and_what_went_well(demo: Report) -> None:
    """06-21 has no row off target; 06-12 has 转化率 at 88.4% (预警) with its 环比 in points."""
    r = daily_report(demo)
    assert r.off == []
    assert [m.metric for m in r.good][:3] == ["客诉率", "新客数", "客服响应时长"]  # best 达成率 first
    assert all(m.rate >= 1 and m.status == "达标" for m in r.good)


def test_an_earlier_date_reports_that_day_as_if_later_rows_were_not_typed(demo_path: Path) -> None:
    r = daily_report(check(demo_path, as_of=D(2024, 6, 12)))
    assert (r.as_of, r.day, r.phase, r.day_no) == (D(2024, 6, 12), D(2024, 6, 12), "爆发期", 19)
    assert [(m.metric, m.channel, round(m.rate, 3), m.status, m.dod_points) for m in r.off] == [
        ("转化率", "全渠道", 0.884, "预警", True)]
    assert r.pacing is not None and math.isclose(
        r.pacing.gmv_to_date, float(pd.to_numeric(_gmv_rows(upto=D(2024, 6, 12))["actual"]).sum()))
    cells = {t.alert.cell: t.alert.state for items in r.todo.values() for t in items}
    assert cells["H205"] == "新增" and "H267" not in cells  # 06-17 is after the day: not yet the day's business
    assert r.explained == 3  # 05-30, 06-01 and 06-05; the explained 06-18 row lies after the day


def test_three_days_typed_in_sequence_ask_a_cause_only_of_unexplained_rows(tmp_path: Path) -> None:
    """Day 3: two off-target rows; the one explained on day 2 no longer asks for a cause on day 3."""
    def day3(frames: Frames) -> None:
        th = frames["thresholds"]
        th.loc[th["code"] == "as_of", "value"] = pd.Timestamp(2024, 6, 3)
        daily = frames["daily"]
        later = pd.to_datetime(daily["date"]) > pd.Timestamp(2024, 6, 3)
        daily.loc[later, ["actual", "issue", "action"]] = None
        _daily(frames, D(2024, 6, 1), "客服响应时长", issue="咨询量激增", action="增派客服")  # explained
        _daily(frames, D(2024, 6, 3), "GMV", actual=17.6)  # 80% of 22: new today

    r = daily_report(_built(tmp_path, day3))
    asks = [(t.alert.cell, t.alert.state) for items in r.todo.values() for t in items
            if t.alert.table == "daily"]
    assert asks == [("H103", "新增")]
    assert r.gmv == 17.6 and r.off[0].metric == "GMV" and r.off[0].status == "未达标"
    text = render_daily(r, "text")
    assert "【严重·新增】2024-06-03 GMV 达成率 80.0%（未达标） → 24小时内说明原因并提出调整措施" in text
    assert "客服响应时长 达成率" not in text


def test_the_daily_report_says_the_numbers_of_the_board_and_the_retrospective(demo_path: Path, tmp_path: Path) -> None:
    """One summary feeds all three (issue 14): the day's GMV, GMV to date, 进度比, day N of M and phase of the 日报
    are 看板's header cells and ``report``'s pacing sentence — also on a day told by its channels only."""
    from xlpromo.engine.board import board_header
    from xlpromo.files.retro import sections

    def by_channels(frames: Frames) -> None:  # 06-21's GMV only on 天猫 and 京东: the day is their sum
        daily = frames["daily"]
        at = daily.index[(pd.to_datetime(daily["date"]) == pd.Timestamp(2024, 6, 21)) & (daily["metric"] == "GMV")]
        row = daily.loc[at[0]].to_dict()
        channels = pd.DataFrame([{**row, "channel": "天猫", "target": 5, "actual": 4.5},
                                 {**row, "channel": "京东", "target": 3, "actual": 3.25}])
        frames["daily"] = pd.concat([daily.drop(index=at), channels], ignore_index=True)

    totals = []
    for report in (check(demo_path), _built(tmp_path, by_channels)):
        r, head = daily_report(report), board_header(report.frames)
        totals.append(r.pacing.gmv_to_date if r.pacing else math.nan)
        assert (r.gmv, r.gmv_target) == (head["today_actual"], head["today_target"])
        assert r.pacing is not None and (r.pacing.gmv_to_date, r.pacing.pace) == (head["gmv_to_date"], head["pace"])
        assert (r.day_no, r.days, r.phase) == (head["day_n"], head["days"], head["phase"])
        assert f"GMV 累计 {r.pacing.gmv_to_date:,.2f}".rstrip("0").rstrip(".") in sections(report)[1][1]
    assert (r.gmv, r.gmv_target) == (7.75, 8.0)  # 4.5 + 3.25 against 5 + 3
    demo = check(demo_path).frames["daily"]
    was = demo.loc[(pd.to_datetime(demo["date"]) == pd.Timestamp(2024, 6, 21)) & (demo["metric"] == "GMV"), "actual"]
    assert totals[1] == pytest.approx(totals[0] - float(was.iloc[0]) + 7.75)  # the day its channels tell counts
