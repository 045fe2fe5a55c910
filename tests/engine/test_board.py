"""The 看板 twin on the demo: golden numbers computed here, independently, from the demo's 每日监控 rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from xlpromo.engine.board import NA, board_days, board_header, board_metrics, board_tasks
from xlpromo.files.check import check
from xlpromo.files.demo import AS_OF, demo_frames
from xlpromo.model.board import BOARD_METRICS, MAX_DAYS

D = dt.date


@pytest.fixture(scope="module")
def frames(demo_path: Path) -> dict[str, pd.DataFrame]:
    """The demo workbook as the engine computes it (read back from the file)."""
    return dict(check(demo_path).frames)


def _gmv_rows() -> list[dict[str, Any]]:
    """The demo's GMV rows, straight from its input (every one is 全渠道)."""
    rows = demo_frames()["daily"].to_dict("records")
    return [r for r in rows if r["metric"] == "GMV"]


def test_days_span_the_campaign_and_hold_its_gmv(frames: dict[str, pd.DataFrame]) -> None:
    days = board_days(frames)
    gmv = _gmv_rows()
    assert len(days) == MAX_DAYS
    campaign = days[days["date"] != ""]
    assert len(campaign) == 28 and len(gmv) == 28
    assert campaign["date"].iloc[0] == pd.Timestamp(2024, 5, 25) and campaign["date"].iloc[-1] == pd.Timestamp(AS_OF)
    assert (days["date"].iloc[28:] == "").all()  # beyond 返场结束: blank
    by_day = {pd.Timestamp(r["date"]): r for r in gmv}
    target_sum = actual_sum = 0.0
    for _, row in campaign.iterrows():
        r = by_day[row["date"]]
        target_sum += float(r["target"])
        actual_sum += float(r["actual"])
        assert row["gmv_target"] == pytest.approx(float(r["target"]))
        assert row["gmv_actual"] == pytest.approx(float(r["actual"]))
        assert row["cum_target"] == pytest.approx(target_sum) and row["cum_actual"] == pytest.approx(actual_sum)
        assert row["gmv_rate"] == pytest.approx(float(r["actual"]) / float(r["target"]))
    assert actual_sum == pytest.approx(531.855)
    phases = campaign["phase"].tolist()
    assert phases.count("预热期") == 7 and phases.count("爆发期") == 18 and phases.count("返场期") == 3
    assert campaign["label"].iloc[0] == "5-25 预热" and campaign["label"].iloc[7] == "6-1 爆发"


def test_header_where_the_campaign_stands(frames: dict[str, pd.DataFrame]) -> None:
    h = board_header(frames)
    gmv = {pd.Timestamp(r["date"]): r for r in _gmv_rows()}
    total = sum(float(r["actual"]) for r in gmv.values())
    assert (h["phase"], h["days"], h["day_n"], h["elapsed"]) == ("返场期", 28, 28, 1.0)
    assert h["gmv_to_date"] == pytest.approx(total) and h["gmv_target"] == 500
    assert h["progress"] == pytest.approx(total / 500) and h["pace"] == pytest.approx(total / 500)
    today, yday = pd.Timestamp(AS_OF), pd.Timestamp(AS_OF) - pd.Timedelta(days=1)
    assert h["today_actual"] == pytest.approx(float(gmv[today]["actual"]))
    assert h["yday_target"] == pytest.approx(float(gmv[yday]["target"]))
    daily = frames["daily"]
    assert h["warn_rows"] == int((daily["status"] == "预警").sum()) == 3
    assert h["fail_rows"] == int((daily["status"] == "未达标").sum()) == 3
    assert (h["overdue"], h["due_soon"]) == (3, 2)  # T001, T002, T013; T014, T015 (README: the demo campaign)


def test_mid_campaign_the_cumulative_line_stops_at_the_as_of_day(frames: dict[str, pd.DataFrame]) -> None:
    mid = dict(frames)
    th = frames["thresholds"].copy()
    th.loc[th["code"] == "as_of", "value"] = D(2024, 6, 5)
    mid["thresholds"] = th
    days = board_days(mid)
    assert days["cum_actual"].iloc[11] != NA and days["cum_actual"].iloc[12] == NA  # 6-5 is day 12
    h = board_header(mid, days)
    assert (h["phase"], h["day_n"]) == ("爆发期", 12)
    assert h["gmv_to_date"] == pytest.approx(days["cum_actual"].iloc[11])


def test_channels_add_up_on_a_day_without_a_total_row(frames: dict[str, pd.DataFrame]) -> None:
    f = dict(frames)
    daily = frames["daily"]
    first = (daily["metric"] == "GMV") & (daily["date"] == D(2024, 5, 25))
    extra = daily[first].copy()
    split = pd.concat([extra.assign(channel="天猫", actual=4.0, target=3.5),
                       extra.assign(channel="京东", actual=2.5, target=2.5)])
    f["daily"] = pd.concat([daily[~first], split], ignore_index=True)
    days = board_days(f)
    assert days["gmv_actual"].iloc[0] == pytest.approx(6.5) and days["gmv_target"].iloc[0] == pytest.approx(6.0)


def test_latest_rates_and_task_counts(frames: dict[str, pd.DataFrame]) -> None:
    latest = board_metrics(frames)
    daily = frames["daily"]
    assert latest["metric"].tolist() == list(BOARD_METRICS)
    for _, rec in latest.iterrows():
        row = daily[(daily["metric"] == rec["metric"]) & (daily["date"] == AS_OF)].iloc[0]
        assert rec["date"] == pd.Timestamp(AS_OF) and rec["rate"] == pytest.approx(row["rate"])
        assert rec["status"] == row["status"]
    depts, states, counts = board_tasks(frames)
    tasks = demo_frames()["tasks"]
    assert counts.sum() == len(tasks)
    assert counts[depts.index("运营部"), states.index("已完成")] == int(
        ((tasks["dept"] == "运营部") & (tasks["status"] == "已完成")).sum())
