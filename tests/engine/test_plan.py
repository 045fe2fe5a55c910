"""The daily plan's twin: phase weights, the exact split, and which rows a plan adds."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlpromo.engine.plan import PlanError, day_weights, plan_daily, split_exact
from xlpromo.engine.thresholds import with_threshold
from xlpromo.files.builder import default_frames
from xlpromo.files.demo import demo_frames

D = dt.date


def _frames(**targets: object) -> dict[str, pd.DataFrame]:
    """The blank master's frames with the demo's campaign dates and the given 活动目标 values."""
    frames = default_frames()
    row = dict(name="618", owner="张三", warmup_start=D(2024, 5, 25), burst_start=D(2024, 6, 1),
               burst_end=D(2024, 6, 18), return_end=D(2024, 6, 21), **targets)
    frames["targets"] = pd.DataFrame([row], dtype=object)
    return frames


def test_day_weights_follow_the_phases_and_the_opening_day() -> None:
    w = day_weights(_frames())
    assert len(w) == 28 and w.index[0] == pd.Timestamp(2024, 5, 25) and w.index[-1] == pd.Timestamp(2024, 6, 21)
    total = 7 * 1 + 4 + 17 * 3 + 3 * 1.5  # 预热 7 days, 开门红, 17 more 爆发 days, 返场 3 days
    assert w[pd.Timestamp(2024, 5, 31)] == pytest.approx(1 / total)
    assert w[pd.Timestamp(2024, 6, 1)] == pytest.approx(4 / total)
    assert w[pd.Timestamp(2024, 6, 2)] == pytest.approx(3 / total)
    assert w[pd.Timestamp(2024, 6, 19)] == pytest.approx(1.5 / total)
    assert w.sum() == pytest.approx(1)


def test_weights_typed_in_thresholds_are_used() -> None:
    frames = with_threshold(_frames(), "plan_weight_opening", 3.0)
    w = day_weights(frames)
    assert w[pd.Timestamp(2024, 6, 1)] == w[pd.Timestamp(2024, 6, 2)]


def test_all_weights_zero_is_refused() -> None:
    frames = _frames()
    for code in ("plan_weight_warmup", "plan_weight_burst", "plan_weight_opening", "plan_weight_return"):
        frames = with_threshold(frames, code, 0.0)
    with pytest.raises(PlanError, match="都为 0"):
        day_weights(frames)


def test_no_dates_no_plan() -> None:
    frames = default_frames()
    with pytest.raises(PlanError, match="须都是日期"):
        day_weights(frames)


def test_split_exact_golden() -> None:
    assert split_exact(10, [1 / 3] * 3, 2) == [3.34, 3.33, 3.33]
    assert split_exact(100000, [0.5, 0.25, 0.25], 0) == [50000, 25000, 25000]
    assert split_exact(1, [1 / 3] * 3, 0) == [1, 0, 0]


@given(st.decimals(min_value=0, max_value=10**7, places=2),
       st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=60), st.sampled_from([0, 2, 4]))
def test_split_exact_adds_up_to_the_rounded_total(total: Decimal, weights: list[int], digits: int) -> None:
    shares = [w / sum(weights) for w in weights]
    parts = split_exact(float(total), shares, digits)
    unit = Decimal(1).scaleb(-digits)
    whole = (Decimal(repr(float(total))) / unit).quantize(Decimal(1), rounding="ROUND_HALF_UP")
    assert sum(Decimal(repr(p)) / unit for p in parts) == whole  # in units of the last digit: exact
    for p, s in zip(parts, shares, strict=True):
        assert abs(p - float(total) * s) <= float(unit) + 1e-9  # each part within one unit of its exact share


def test_plan_of_the_blank_master_with_targets() -> None:
    plan = plan_daily(_frames(gmv_target=500.0, new_share_target=0.3, new_customers_target=100000.0))
    rows = plan.rows
    assert list(rows["metric"].unique()) == ["GMV", "新客占比", "新客数"]
    assert len(rows) == 28 * 3 and plan.kept == 0 and plan.skipped == []
    gmv = rows[rows["metric"] == "GMV"]
    assert round(gmv["target"].sum(), 6) == 500
    assert gmv["target"].iloc[0] == 7.52 and gmv["target"].iloc[7] == 30.07 and gmv["target"].iloc[8] == 22.56
    assert gmv["target"].iloc[-1] == 11.28
    # the 20 hundredths left after rounding down go to the largest remainders: 预热 (.88), 返场 (.82), then the
    # first ten 爆发 days (.64) — 开门红 (.52) keeps 30.07
    assert gmv["target"].iloc[8:25].tolist() == [22.56] * 10 + [22.55] * 7
    assert set(rows.loc[rows["metric"] == "新客占比", "target"]) == {0.3}
    assert rows.loc[rows["metric"] == "新客数", "target"].sum() == 100000
    assert all(t == int(t) for t in rows.loc[rows["metric"] == "新客数", "target"])
    assert set(rows["channel"]) == {""}  # 全渠道: 渠道 left blank


def test_channels_share_a_summed_target_and_repeat_a_rate() -> None:
    plan = plan_daily(_frames(gmv_target=500.0, new_share_target=0.3), channels=["天猫", "京东", "抖音"])
    rows = plan.rows
    first = rows[rows["date"] == pd.Timestamp(2024, 5, 25)]
    assert first.values.tolist()[:3] == [[pd.Timestamp(2024, 5, 25), "GMV", c, v]
                                        for c, v in (("天猫", 2.51), ("京东", 2.51), ("抖音", 2.50))]
    assert round(rows.loc[rows["metric"] == "GMV", "target"].sum(), 6) == 500
    assert set(rows.loc[rows["metric"] == "新客占比", "target"]) == {0.3}


def test_a_metric_of_the_breakdown_is_planned_and_unknown_ones_are_named() -> None:
    frames = demo_frames()
    frames["daily"] = frames["daily"].iloc[0:0]
    plan = plan_daily(frames)
    assert "爆款(TOP3)销售额占比：不在数据字典的指标目录中" in plan.skipped
    assert list(plan.rows["metric"].unique()) == ["GMV", "新客占比", "复购率", "新客数", "ROI"]


def test_rows_already_there_are_kept() -> None:
    frames = demo_frames()
    plan = plan_daily(frames)
    assert plan.kept == 140 and len(plan.rows) == 0
    plan = plan_daily(frames, channels=["天猫"], metrics=["GMV"])
    kept = frames["daily"]
    have = int(((kept["metric"] == "GMV") & (kept["channel"] == "天猫")).sum())
    assert plan.kept == have and len(plan.rows) == 28 - have


def test_what_cannot_be_planned_is_said() -> None:
    frames = _frames(gmv_target=500.0)
    with pytest.raises(PlanError, match="指标 转化率 没有目标值"):
        plan_daily(frames, metrics=["转化率"])
    with pytest.raises(PlanError, match="指标 UV值 不在数据字典的指标目录中"):
        plan_daily(frames, metrics=["UV值"])
    with pytest.raises(PlanError, match=r"渠道 淘宝 不在数据字典的渠道列表中（可选：全渠道、天猫、京东"):
        plan_daily(frames, channels=["淘宝"])
    with pytest.raises(PlanError, match="没有指标目录里的指标的目标值"):
        plan_daily(_frames())
    assert not math.isnan(day_weights(frames).sum())
