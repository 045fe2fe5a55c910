"""Computed columns in pandas (xlpromo.engine.metrics): the numbers the workbook's formulas give.

Golden values come from the seed documents; the semantics (ISNUMBER, MATCH, COUNTIFS/SUMIFS
over the previous day, XP_ASOF) are those of the formula templates in xlpromo.model.master.
Former differences from the spreadsheet engines are kept as regular tests at the end.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpromo.engine.metrics import achievement, as_of_date, compute, criterion_text, numeric, status
from xlpromo.files.builder import default_frames
from xlpromo.model.defaults import STATUS_LABELS, TASK_DONE_STATES
from xlpromo.model.schema import Direction

H = Direction.HIGHER.value  # 越高越好
L = Direction.LOWER.value  # 越低越好
PASS, WARN, FAIL = STATUS_LABELS
PASS_LINE, WARN_LINE = 0.95, 0.85  # seed defaults of 阈值配置
D = dt.date
NAN = float("nan")


# --------------------------------------------------------------------------- helpers
def rate_of(actual: Any, target: Any, direction: Any) -> float:
    """achievement() of one row, as a float."""
    out = achievement(actual, target, direction)
    assert len(out) == 1
    assert out.dtype == np.float64
    return float(out.iloc[0])


def status_of(rate: float, target: Any = 1.0, actual: Any = 1.0, direction: Any = H,
              pass_line: float = PASS_LINE, warn_line: float = WARN_LINE) -> str:
    """status() of one row, as a string."""
    out = status(pd.Series([rate], dtype=float), target, actual, direction, pass_line, warn_line)
    assert len(out) == 1
    return str(out.iloc[0])


DailyRow = tuple[Any, Any, Any, Any, Any]  # date, metric, channel, target, actual
TaskRow = tuple[Any, Any]  # due, status


def make_frames(daily: Sequence[DailyRow] = (), tasks: Sequence[TaskRow] = (),
                thresholds: dict[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """default_frames() with daily, tasks and thresholds replaced by hand-built rows."""
    frames = default_frames()
    cols = list(frames["daily"].columns)
    frames["daily"] = pd.DataFrame(
        [dict(zip(cols, (*row, None, None), strict=True)) for row in daily], columns=cols, dtype=object)
    tcols = list(frames["tasks"].columns)
    frames["tasks"] = pd.DataFrame(
        [{**dict.fromkeys(tcols), "task_id": f"T{i:03d}", "name": f"任务{i}", "start": D(2024, 5, 1),
          "due": due, "owner": "张*", "dept": "运营部", "status": state}
         for i, (due, state) in enumerate(tasks, 1)], columns=tcols, dtype=object)
    th = frames["thresholds"].copy()
    for code, value in (thresholds or {}).items():
        assert code in set(th["code"]), code
        th["value"] = pd.Series([value if c == code else v for c, v in zip(th["code"], th["value"], strict=True)],
                                index=th.index, dtype=object)
    frames["thresholds"] = th
    return frames


def same(x: float, y: float) -> bool:
    """Equal floats, NaN equal to NaN."""
    return (math.isnan(x) and math.isnan(y)) or x == y


# --------------------------------------------------------------------------- numeric
def test_numeric_follows_isnumber() -> None:
    values = [1, 2.5, np.int64(3), np.float32(0.5), 0, -4, True, False, np.bool_(True), "1", "", None,
              NAN, D(2024, 6, 1)]
    out = numeric(values)
    assert out.dtype == np.float64
    expected = [1.0, 2.5, 3.0, 0.5, 0.0, -4.0] + [NAN] * 8
    assert all(same(x, y) for x, y in zip(out.tolist(), expected, strict=True))


def test_numeric_keeps_the_index_of_a_series() -> None:
    out = numeric(pd.Series([1, "x", None], index=[10, 20, 30], dtype=object))
    assert list(out.index) == [10, 20, 30]
    assert out.iloc[0] == 1.0
    assert out.iloc[1:].isna().all()


# --------------------------------------------------------------------------- achievement
@pytest.mark.parametrize(("actual", "target", "direction", "expected", "shown"), [
    (5.8, 6, H, 29 / 30, "96.7%"),  # seed 002 日报: GMV 5.8 万元 against 6
    (0.041, 0.045, H, 41 / 45, "91.1%"),  # seed 002 日报: 转化率 4.1% against 4.5%
    (0.004, 0.005, L, 1.25, "125.0%"),  # 客诉率 ≤ 0.5%, actual 0.4%
    (330, 300, H, 1.10, "110.0%"),  # retrospective
    (120000, 100000, H, 1.20, "120.0%"),  # retrospective: 新客数
    (3.2, 3, H, 16 / 15, "106.7%"),  # retrospective: ROI 1:3.2 against 1:3
])
def test_achievement_golden(actual: float, target: float, direction: str, expected: float, shown: str) -> None:
    rate = rate_of(actual, target, direction)
    assert rate == pytest.approx(expected, rel=1e-12)
    assert f"{rate:.1%}" == shown


def test_achievement_golden_rounded() -> None:
    assert round(rate_of(5.8, 6, H), 5) == 0.96667
    assert round(rate_of(0.041, 0.045, H), 3) == 0.911
    assert round(rate_of(3.2, 3, H), 4) == 1.0667


@pytest.mark.parametrize(("actual", "target", "direction"), [
    (5, 0, H),  # target 0, higher is better: undefined
    (0, 0, H),
    (0, 0.005, L),  # actual 0, lower is better: undefined (status passes it, see below)
    (0.0, 0.0, L),
    ("5.8", 6, H),  # text is not a number for ISNUMBER
    (5.8, "6", H),
    ("", 6, H),
    (5.8, "", H),
    (True, 1, H),  # booleans are not numbers for ISNUMBER
    (1, True, H),
    (False, 0.005, L),
    (0.004, False, L),
    (NAN, 6, H),
])
def test_achievement_undefined_is_nan(actual: Any, target: Any, direction: str) -> None:
    assert math.isnan(rate_of(actual, target, direction))


def test_achievement_blank_cells_are_nan() -> None:
    """None is an empty cell; in a column (as compute() passes them) it gives NaN."""
    out = achievement([None, 5.8, None, 0.004], [6, None, None, None], [H, H, L, L])
    assert len(out) == 4
    assert out.isna().all()


def test_achievement_zero_on_the_other_side_is_defined() -> None:
    assert rate_of(0, 6, H) == 0.0  # nothing sold yet: 0%
    assert rate_of(0.004, 0, L) == 0.0  # lower-is-better target 0: 0/actual


@pytest.mark.parametrize("direction", ["", None, "越高", "x", NAN])
def test_achievement_unknown_direction_is_higher_is_better(direction: Any) -> None:
    """The formula tests only for 越低越好; anything else divides actual by target."""
    assert rate_of(3, 4, direction) == 0.75


def test_achievement_is_vectorised_and_keeps_the_index() -> None:
    idx = [7, 8, 9, 11]
    actual = pd.Series([5.8, 0.004, "n/a", 0], index=idx, dtype=object)
    target = pd.Series([6, 0.005, 6, 0.005], index=idx, dtype=object)
    direction = pd.Series([H, L, H, L], index=idx, dtype=object)
    out = achievement(actual, target, direction)
    assert list(out.index) == idx
    assert out[7] == pytest.approx(29 / 30)
    assert out[8] == pytest.approx(1.25)
    assert math.isnan(out[9])
    assert math.isnan(out[11])


# --------------------------------------------------------------------------- status
@pytest.mark.parametrize(("rate", "expected"), [
    (PASS_LINE, PASS),  # exactly at the pass line
    (np.nextafter(PASS_LINE, 2), PASS),
    (1.25, PASS),
    (np.nextafter(PASS_LINE, 0), PASS),  # float noise below the line is rounded away (ROUND(rate,9))
    (PASS_LINE - 1e-6, WARN),
    (0.9, WARN),
    (WARN_LINE, WARN),  # exactly at the warning line
    (np.nextafter(WARN_LINE, 0), WARN),  # float noise below the line is rounded away (ROUND(rate,9))
    (WARN_LINE - 1e-6, FAIL),
    (0.5, FAIL),
    (0.0, FAIL),
    (-0.1, FAIL),
    (NAN, ""),  # blank rate: blank status
])
def test_status_boundaries(rate: float, expected: str) -> None:
    assert status_of(float(rate)) == expected


def test_status_uses_the_lines_it_is_given() -> None:
    assert status_of(0.9, pass_line=0.9, warn_line=0.8) == PASS
    assert status_of(0.85, pass_line=0.9, warn_line=0.8) == WARN
    assert status_of(0.8, pass_line=0.9, warn_line=0.8) == WARN
    assert status_of(0.79, pass_line=0.9, warn_line=0.8) == FAIL


@pytest.mark.parametrize(("target", "actual", "direction", "expected"), [
    (0.005, 0, L, PASS),  # 客诉率 0 against ≤ 0.5%: passes although 达成率 is blank
    (0.005, 0.0, L, PASS),
    (0, 0, L, PASS),
    (None, 0, L, ""),  # no numeric target
    ("0.5%", 0, L, ""),
    (0.005, None, L, ""),  # blank actual is not zero
    (0.005, "", L, ""),
    (0.005, "0", L, ""),
    (0.005, False, L, ""),
    (0, 5, H, ""),  # target 0 of a higher-is-better metric: blank
    (0, 0, H, ""),
])
def test_status_of_a_blank_rate(target: Any, actual: Any, direction: str, expected: str) -> None:
    rate = rate_of([actual], [target], [direction])  # one-row columns: a scalar None is a known bug
    assert math.isnan(rate)
    assert status_of(rate, [target], [actual], [direction]) == expected


def test_status_is_vectorised() -> None:
    rate = achievement([5.8, 0.041, 0.004, 0, None], [6, 0.045, 0.005, 0.005, 6], [H, H, L, L, H])
    out = status(rate, [6, 0.045, 0.005, 0.005, 6], [5.8, 0.041, 0.004, 0, None], [H, H, L, L, H],
                 PASS_LINE, WARN_LINE)
    assert out.tolist() == [PASS, WARN, PASS, PASS, ""]


# --------------------------------------------------------------------------- compute: daily
def test_compute_daily_lookups_rate_and_status() -> None:
    out = compute(make_frames(daily=[
        (D(2024, 5, 30), "GMV", "天猫", 6, 5.8),
        (D(2024, 5, 30), "转化率", "天猫", 0.045, 0.041),
        (D(2024, 5, 30), "客诉率", "全渠道", 0.005, 0),
        (D(2024, 5, 30), "客服响应时长", None, 30, 45),
        (D(2024, 5, 30), "订单量", "京东", 1000, None),
    ]))["daily"]
    assert out["unit"].tolist() == ["万元", "%", "%", "秒", "单"]
    assert out["direction"].tolist() == [H, H, L, L, H]
    assert out["dod_basis"].tolist() == ["相对变化", "百分点", "百分点", "相对变化", "相对变化"]
    assert out["dept"].tolist() == ["运营部", "运营部", "客服部", "客服部", "运营部"]
    rate = out["rate"].tolist()
    assert rate[0] == pytest.approx(29 / 30)
    assert rate[1] == pytest.approx(41 / 45)
    assert math.isnan(rate[2])
    assert rate[3] == pytest.approx(30 / 45)
    assert math.isnan(rate[4])
    assert out["status"].tolist() == [PASS, WARN, PASS, FAIL, ""]


def test_compute_daily_status_reads_the_threshold_table() -> None:
    out = compute(make_frames(daily=[(D(2024, 5, 30), "GMV", "天猫", 6, 5.8)],
                              thresholds={"pass_line": 0.98, "warn_line": 0.97}))["daily"]
    assert out["status"].tolist() == [FAIL]


def test_dod_rate_metric_in_points() -> None:
    out = compute(make_frames(daily=[
        (D(2024, 5, 29), "转化率", "天猫", 0.045, 0.046),
        (D(2024, 5, 30), "转化率", "天猫", 0.045, 0.041),
    ]))["daily"]
    assert math.isnan(out["dod"].iloc[0])  # first day: no previous day
    assert out["dod"].iloc[1] == pytest.approx(-0.005, abs=1e-12)
    assert out["dod"].iloc[1] == 0.041 - 0.046


def test_dod_relative_metric() -> None:
    out = compute(make_frames(daily=[
        (D(2024, 5, 29), "GMV", "天猫", 6, 5.925),
        (D(2024, 5, 30), "GMV", "天猫", 6, 5.8),
    ]))["daily"]
    assert math.isnan(out["dod"].iloc[0])
    assert out["dod"].iloc[1] == 5.8 / 5.925 - 1
    assert out["dod"].iloc[1] == pytest.approx(-0.0210970, abs=1e-7)


def test_dod_rows_in_any_order() -> None:
    out = compute(make_frames(daily=[
        (D(2024, 5, 30), "GMV", "天猫", 6, 5.8),
        (D(2024, 5, 30), "转化率", "天猫", 0.045, 0.041),
        (D(2024, 5, 29), "GMV", "天猫", 6, 5.925),
        (D(2024, 5, 29), "转化率", "天猫", 0.045, 0.046),
    ]))["daily"]
    assert out["dod"].iloc[0] == 5.8 / 5.925 - 1
    assert out["dod"].iloc[1] == 0.041 - 0.046
    assert out["dod"].iloc[2:].isna().all()


def test_dod_needs_the_previous_calendar_day() -> None:
    out = compute(make_frames(daily=[
        (D(2024, 5, 28), "GMV", "天猫", 6, 5.9),
        (D(2024, 5, 30), "GMV", "天猫", 6, 5.8),  # 5-29 missing: no 环比
        (D(2024, 5, 31), "GMV", "天猫", 6, 5.8),  # one day *after* 5-30
    ]))["daily"]
    assert out["dod"].iloc[:2].isna().all()
    assert out["dod"].iloc[2] == 0.0


def test_dod_previous_day_with_blank_actual() -> None:
    out = compute(make_frames(daily=[
        (D(2024, 5, 29), "GMV", "天猫", 6, None),
        (D(2024, 5, 30), "GMV", "天猫", 6, 5.8),
        (D(2024, 5, 29), "转化率", "天猫", 0.045, ""),
        (D(2024, 5, 30), "转化率", "天猫", 0.045, 0.041),
    ]))["daily"]
    assert out["dod"].isna().all()


def test_dod_blank_actual_or_date_on_the_row() -> None:
    out = compute(make_frames(daily=[
        (D(2024, 5, 29), "GMV", "天猫", 6, 5.9),
        (D(2024, 5, 30), "GMV", "天猫", 6, None),
        (None, "GMV", "天猫", 6, 5.8),
    ]))["daily"]
    assert out["dod"].isna().all()


def test_dod_other_channel_is_not_the_previous_day() -> None:
    out = compute(make_frames(daily=[
        (D(2024, 5, 29), "GMV", "京东", 6, 5.925),
        (D(2024, 5, 30), "GMV", "天猫", 6, 5.8),
        (D(2024, 5, 29), "转化率", None, 0.045, 0.046),  # blank channel is its own channel
        (D(2024, 5, 30), "转化率", "天猫", 0.045, 0.041),
        (D(2024, 5, 29), "加购率", "天猫", 0.1, 0.12),  # other metric, same channel
        (D(2024, 5, 30), "点击率", "天猫", 0.05, 0.04),
    ]))["daily"]
    assert out["dod"].isna().all()


def test_dod_blank_channels_match_each_other() -> None:
    """channel&"" makes an empty cell and an empty string the same criterion."""
    out = compute(make_frames(daily=[
        (D(2024, 5, 29), "GMV", None, 6, 5.925),
        (D(2024, 5, 30), "GMV", "", 6, 5.8),
    ]))["daily"]
    assert out["dod"].iloc[1] == 5.8 / 5.925 - 1


def test_dod_of_a_duplicated_previous_day_is_against_its_first_row_with_a_value() -> None:
    """Two rows of one metric, channel and day are a duplicate-key finding; until it is fixed, the first row
    (in table order) that has a 实际值 is the previous day, as the formula's exact MATCH finds it."""
    out = compute(make_frames(daily=[
        (D(2024, 5, 29), "GMV", "天猫", 3, None),  # no value: no key, never a previous day
        (D(2024, 5, 29), "GMV", "天猫", 3, 2),
        (D(2024, 5, 29), "GMV", "天猫", 3, 3),
        (D(2024, 5, 30), "GMV", "天猫", 6, 10),
    ]))["daily"]
    assert out["dod_key"].tolist() == ["", "45441|3|GMV|天猫", "45441|3|GMV|天猫", "45442|3|GMV|天猫"]
    assert out["dod_prev"].iloc[3] == 2
    assert out["dod"].iloc[3] == 10 / 2 - 1


def test_dod_previous_zero() -> None:
    out = compute(make_frames(daily=[
        (D(2024, 5, 29), "GMV", "天猫", 6, 0),
        (D(2024, 5, 30), "GMV", "天猫", 6, 5.8),  # relative change from 0: blank
        (D(2024, 5, 29), "转化率", "天猫", 0.045, 0),
        (D(2024, 5, 30), "转化率", "天猫", 0.045, 0.041),  # points from 0: defined
    ]))["daily"]
    assert math.isnan(out["dod"].iloc[1])
    assert out["dod"].iloc[3] == 0.041


def test_metric_names_match_case_insensitively() -> None:
    out = compute(make_frames(daily=[
        (D(2024, 5, 29), "GMV", "天猫", 6, 5.925),
        (D(2024, 5, 30), "gmv", "天猫", 6, 5.8),
        (D(2024, 5, 30), "roi", "天猫", 3, 3.2),
    ]))["daily"]
    assert out["unit"].tolist() == ["万元", "万元", "倍"]
    assert out["direction"].tolist() == [H, H, H]
    assert out["dod_basis"].tolist() == ["相对变化", "相对变化", "相对变化"]
    assert out["dept"].tolist() == ["运营部", "运营部", "市场部"]
    assert out["dod"].iloc[1] == 5.8 / 5.925 - 1  # COUNTIFS/SUMIFS ignore case too
    assert out["rate"].iloc[2] == pytest.approx(16 / 15)


def test_channel_names_match_case_insensitively() -> None:
    out = compute(make_frames(daily=[
        (D(2024, 5, 29), "GMV", "Tmall", 6, 5.925),
        (D(2024, 5, 30), "GMV", "TMALL", 6, 5.8),
    ]))["daily"]
    assert out["dod"].iloc[1] == 5.8 / 5.925 - 1


def test_unknown_metric_gives_blank_lookups() -> None:
    out = compute(make_frames(daily=[(D(2024, 5, 30), "不存在的指标", "天猫", 4, 3)]))["daily"]
    row = out.iloc[0]
    assert (row["unit"], row["direction"], row["dod_basis"], row["dept"]) == ("", "", "", "")
    assert row["rate"] == 0.75  # blank direction is not 越低越好
    assert row["status"] == FAIL


def test_catalogue_edits_are_used() -> None:
    """The workbook's catalogue, not the defaults, decides direction and units."""
    frames = make_frames(daily=[(D(2024, 5, 30), "GMV", "天猫", 6, 5.8)])
    cat = frames["metrics"].copy()
    cat.loc[cat["name"] == "GMV", ["unit", "direction"]] = ["元", L]
    frames["metrics"] = cat
    out = compute(frames)["daily"]
    assert out["unit"].iloc[0] == "元"
    assert out["rate"].iloc[0] == 6 / 5.8


# --------------------------------------------------------------------------- compute: tasks
def test_tasks_days_left_and_overdue() -> None:
    done, cancelled = TASK_DONE_STATES
    out = compute(make_frames(tasks=[
        (D(2024, 6, 15), "进行中"),
        (D(2024, 6, 10), "进行中"),  # due on the as-of date: 0 days, not overdue
        (D(2024, 6, 9), "已延期"),
        (D(2024, 5, 1), "待开始"),
        (D(2024, 5, 1), done),
        (D(2024, 5, 1), cancelled),
        (None, "进行中"),
        (dt.datetime(2024, 6, 12), "进行中"),
        (pd.Timestamp(2024, 6, 8), "进行中"),
    ], thresholds={"as_of": D(2024, 6, 10)}))["tasks"]
    days = out["days_left"].tolist()
    expected = [5.0, 0.0, -1.0, -40.0, NAN, NAN, NAN, 2.0, -2.0]
    assert all(same(x, y) for x, y in zip(days, expected, strict=True)), days
    assert out["overdue"].tolist() == ["否", "否", "是", "是", "", "", "", "否", "是"]


def test_tasks_as_of_is_normalised_to_a_date() -> None:
    out = compute(make_frames(tasks=[(D(2024, 6, 15), "进行中")],
                              thresholds={"as_of": dt.datetime(2024, 6, 10, 23, 30)}))["tasks"]
    assert out["days_left"].tolist() == [5.0]


def test_tasks_blank_as_of_counts_from_today() -> None:
    due = D(2030, 1, 1)
    before = (due - dt.date.today()).days
    out = compute(make_frames(tasks=[(due, "进行中"), (D(2000, 1, 1), "进行中")],
                              thresholds={"as_of": None}))["tasks"]
    after = (due - dt.date.today()).days
    assert out["days_left"].iloc[0] in {float(before), float(after)}
    assert out["overdue"].tolist() == ["否", "是"]


@pytest.mark.parametrize("blank", [None, "", NAN])
def test_as_of_date_blank_is_today(blank: Any) -> None:
    frames = make_frames(thresholds={"as_of": blank})
    assert as_of_date(frames, today=D(2024, 6, 18)) == pd.Timestamp(2024, 6, 18)


def test_as_of_date_set() -> None:
    frames = make_frames(thresholds={"as_of": D(2024, 6, 21)})
    assert as_of_date(frames, today=D(2024, 6, 18)) == pd.Timestamp(2024, 6, 21)
    frames = make_frames(thresholds={"as_of": dt.datetime(2024, 6, 21, 9, 15)})
    assert as_of_date(frames) == pd.Timestamp(2024, 6, 21)


def test_as_of_default_is_blank() -> None:
    """The template ships with 统计日期 blank, i.e. "today" as Excel's TODAY()."""
    assert as_of_date(default_frames(), today=D(2024, 6, 1)) == pd.Timestamp(2024, 6, 1)


def test_compute_keeps_empty_tables() -> None:
    out = compute(make_frames())
    assert len(out["daily"]) == 0
    assert len(out["tasks"]) == 0
    assert {"rate", "dod", "status"} <= set(out["daily"].columns)
    assert {"days_left", "overdue"} <= set(out["tasks"].columns)


# --------------------------------------------------------------------------- compute: review
def test_review_auto_used_rate_and_status() -> None:
    frames = make_frames(daily=[
        (D(2024, 6, 1), "GMV", "天猫", 200, 180),
        (D(2024, 6, 2), "gmv", "京东", 200, 150),  # 求和, any case
        (D(2024, 6, 1), "ROI", "天猫", 3, 3.0),
        (D(2024, 6, 2), "ROI", "天猫", 3, 3.4),  # 平均
        (D(2024, 6, 2), "复购率", "天猫", 0.25, None),  # no filled row: blank
    ])
    frames["targets"] = frames["targets"].assign(gmv_target=300, roi_target=3, new_customers_target=100000)
    review = frames["review"].copy()
    review["confirmed"] = [120000 if m == "新客数" else None for m in review["metric"]]
    frames["review"] = review
    out = compute(frames)["review"].set_index("metric")
    assert out.loc["GMV", "auto"] == 330.0
    assert out.loc["GMV", "used"] == 330.0
    assert out.loc["GMV", "rate"] == pytest.approx(1.10)
    assert out.loc["ROI", "auto"] == pytest.approx(3.2)
    assert out.loc["ROI", "rate"] == pytest.approx(16 / 15)
    assert out.isna().loc["新客数", "auto"]
    assert out.loc["新客数", "used"] == 120000.0  # 实际值(确认) wins over 自动汇总
    assert out.loc["新客数", "rate"] == pytest.approx(1.20)
    assert out.isna().loc["复购率", "auto"]
    assert out.isna().loc["复购率", "rate"]
    assert out["status"].to_dict() == {"GMV": PASS, "新客占比": "", "复购率": "", "新客数": PASS, "ROI": PASS}


# --------------------------------------------------------------------------- properties
positive = st.floats(min_value=1e-6, max_value=1e9, allow_nan=False, allow_infinity=False)


@given(actual=positive, target=positive)
def test_prop_achievement_is_a_ratio(actual: float, target: float) -> None:
    higher = rate_of(actual, target, H)
    lower = rate_of(actual, target, L)
    assert higher == actual / target
    assert lower == target / actual
    assert higher * lower == pytest.approx(1.0, rel=1e-12)


@given(pairs=st.lists(st.tuples(positive, positive, st.sampled_from([H, L])), min_size=1, max_size=20))
def test_prop_achievement_vectorised_equals_rowwise(pairs: list[tuple[float, float, str]]) -> None:
    actual, target, direction = (list(x) for x in zip(*pairs, strict=True))
    out = achievement(actual, target, direction).tolist()
    assert out == [rate_of(a, t, d) for a, t, d in pairs]


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and not (isinstance(v, float) and math.isnan(v))


def _oracle(actual: Any, target: Any, direction: Any) -> float:
    """The formula: IF(OR(NOT(ISNUMBER(t)),NOT(ISNUMBER(a))),"",IF(d="越低越好",IF(a=0,"",t/a),IF(t=0,"",a/t)))."""
    if not (_is_number(actual) and _is_number(target)):
        return NAN
    a, t = np.float64(actual), np.float64(target)
    with np.errstate(all="ignore"):
        num, den = (t, a) if direction == L else (a, t)
        rate = NAN if den == 0 else float(num / den)
    return rate if math.isfinite(rate) else NAN  # Excel's #NUM! on overflow: no rate


# Integers stay within the float range, as any cell value does: numeric() raises OverflowError on 10**400.
scalars = st.one_of(
    st.booleans(), st.text(max_size=5), st.just(""), st.just(0), st.just(0.0), st.just(NAN),
    st.integers(min_value=-(10**300), max_value=10**300), st.floats(), st.sampled_from([H, L]),
)
anything = st.one_of(st.none(), scalars)


@settings(max_examples=300)
@given(actual=scalars, target=scalars, direction=st.one_of(st.sampled_from([H, L]), scalars))
def test_prop_achievement_never_raises(actual: Any, target: Any, direction: Any) -> None:
    rate = rate_of(actual, target, direction)
    assert same(rate, _oracle(actual, target, direction))


@settings(max_examples=300)
@given(rows=st.lists(st.tuples(anything, anything, st.one_of(st.sampled_from([H, L]), anything)),
                     min_size=1, max_size=10))
def test_prop_achievement_never_raises_vectorised(rows: list[tuple[Any, Any, Any]]) -> None:
    actual, target, direction = (pd.Series(list(x), dtype=object) for x in zip(*rows, strict=True))
    out = achievement(actual, target, direction)
    assert len(out) == len(rows)
    assert all(same(x, _oracle(*row)) for x, row in zip(out.tolist(), rows, strict=True))


lines = st.tuples(st.floats(0, 2), st.floats(0, 2)).map(sorted)  # (warn_line, pass_line)
finite_rates = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def _status_oracle(rate: float, target: Any, actual: Any, direction: Any, pass_line: float, warn_line: float) -> str:
    """The formula: IF(rate="",IF(AND(d="越低越好",ISNUMBER(t),ISNUMBER(a),a=0),"达标",""),IF(rate>=pass,...))."""
    if math.isnan(rate):
        return PASS if direction == L and _is_number(target) and _is_number(actual) and actual == 0 else ""
    rate = round(rate, 9)  # ROUND(rate,9)
    return PASS if rate >= pass_line else WARN if rate >= warn_line else FAIL


@settings(max_examples=300)
@given(rows=st.lists(st.tuples(st.one_of(finite_rates, st.just(NAN)), anything, anything,
                               st.one_of(st.sampled_from([H, L]), anything)), min_size=1, max_size=10),
       wp=lines)
def test_prop_status_is_a_label(rows: list[tuple[float, Any, Any, Any]], wp: list[float]) -> None:
    warn_line, pass_line = wp
    rate, target, actual, direction = (pd.Series(list(x), dtype=object) for x in zip(*rows, strict=True))
    out = status(rate.astype(float), target, actual, direction, pass_line, warn_line).tolist()
    assert len(out) == len(rows)
    assert set(out) <= {"", PASS, WARN, FAIL}
    assert out == [_status_oracle(*row, pass_line, warn_line) for row in rows]


@given(rate=st.one_of(finite_rates, st.just(NAN)), target=scalars, actual=scalars,
       direction=st.one_of(st.sampled_from([H, L]), scalars), wp=lines)
def test_prop_status_of_one_row(rate: float, target: Any, actual: Any, direction: Any, wp: list[float]) -> None:
    warn_line, pass_line = wp
    label = status_of(rate, target, actual, direction, pass_line, warn_line)
    assert label == _status_oracle(rate, target, actual, direction, pass_line, warn_line)


@given(rates=st.lists(finite_rates, min_size=1, max_size=30), wp=lines)
def test_prop_status_is_monotonic_in_rate(rates: list[float], wp: list[float]) -> None:
    warn_line, pass_line = wp
    ordered = sorted(rates)
    labels = status(pd.Series(ordered, dtype=float), 1, 1, H, pass_line, warn_line).tolist()
    rank = {FAIL: 0, WARN: 1, PASS: 2}
    ranks = [rank[s] for s in labels]
    assert ranks == sorted(ranks)
    for r, s in zip(ordered, labels, strict=True):
        r9 = round(r, 9)
        assert s == (PASS if r9 >= pass_line else WARN if r9 >= warn_line else FAIL)


# --------------------------------------------------------------------------- former differences
# Each of these once differed from the workbook's formulas (checked by recalculating a
# built workbook in LibreOffice); now pandas and the formulas agree.
def test_compute_accepts_default_frames() -> None:
    out = compute(default_frames())
    assert "status" in out["review"].columns


@pytest.mark.parametrize(("actual", "target", "direction", "expected"), [
    (1.045, 1.1, H, PASS),  # 0.9499999999999998 in float, 95% in the workbook
    (0.56, 0.476, L, WARN),  # 0.8499999999999999 in float, 85% in the workbook
])
def test_status_at_a_computed_boundary(actual: float, target: float, direction: str, expected: str) -> None:
    rate = rate_of(actual, target, direction)
    assert f"{rate:.15g}" in {"0.95", "0.85"}
    assert status_of(rate, target, actual, direction) == expected


def test_dod_previous_day_text_actual() -> None:
    """Text is no previous value: the formula's COUNTIFS counts numbers only (">=-1E+300")."""
    out = compute(make_frames(daily=[
        (D(2024, 6, 1), "加购率", "京东", 0.1, "N/A"),
        (D(2024, 6, 2), "加购率", "京东", 0.1, 0.04),
    ]))["daily"]
    assert math.isnan(out["dod"].iloc[1])


@pytest.mark.parametrize("blank", [None, "", NAN])
def test_blank_pass_line_is_zero(blank: Any) -> None:
    out = compute(make_frames(daily=[(D(2024, 6, 1), "GMV", "天猫", 6, 3)], thresholds={"pass_line": blank}))
    assert out["daily"]["status"].tolist() == [PASS]


@pytest.mark.parametrize(("actual", "target", "direction"), [(None, 6, H), (5.8, None, H), (None, None, L)])
def test_achievement_scalar_none_is_nan(actual: Any, target: Any, direction: str) -> None:
    assert math.isnan(rate_of(actual, target, direction))


def test_criterion_text_rounds_like_excel() -> None:
    assert criterion_text(0.90125) == "目标完成率≥90.13%为达标"


def test_safety_stock_is_daily_sales_times_factor() -> None:
    from xlpromo.engine.metrics import safety_stock

    assert safety_stock([100, 40.0], 1.5).tolist() == [150.0, 60.0]
    assert math.isnan(safety_stock(["n/a"]).iloc[0])
    assert safety_stock(200).iloc[0] == 300.0


def test_near_zero_previous_day_gives_a_blank_not_infinity() -> None:
    out = compute(make_frames(daily=[
        (D(2024, 6, 1), "GMV", "天猫", 6, 2.2250738585072014e-308),
        (D(2024, 6, 2), "GMV", "天猫", 6, 6.0),
    ]))["daily"]
    assert math.isnan(out["dod"].iloc[1])


def test_computed_order_follows_formula_references() -> None:
    from xlpromo.engine.metrics import computed_order
    from xlpromo.model.master import SCHEMA
    from xlpromo.model.schema import Column, Table

    daily = computed_order(SCHEMA.table("daily"))
    assert sorted(daily) == sorted(c.key for c in SCHEMA.table("daily").computed_columns)
    for before, after in [("direction", "rate"), ("rate", "status"), ("dod_basis", "dod")]:
        assert daily.index(before) < daily.index(after)
    assert computed_order(SCHEMA.table("review"))[:2] == ["auto", "used"]
    loop = Table(key="t", name="T", title="t", columns=(Column(key="a", header="A", formula="{b}+1"),
                                                         Column(key="b", header="B", formula="{a}+1")))
    with pytest.raises(ValueError, match="a → b → a"):
        computed_order(loop)


# --------------------------------------------------------------------------- cached values: cells as stored
def _stored_book(tmp_path: Path) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """A workbook with numbers and dates typed as text: the engine's frames, and those its cached values come from."""
    from xlpromo.engine.metrics import formula_frames
    from xlpromo.engine.report import check_book
    from xlpromo.files.builder import build_workbook
    from xlpromo.files.reader import read_workbook

    frames = make_frames(daily=[
        (D(2024, 6, 1), "发货时长", "", 48, 40),
        (D(2024, 6, 2), "发货时长", "", 48, "30小时"),  # text: the engine reads 30, the formula sees text
        (D(2024, 6, 3), "发货时长", "", 48, 24),  # its previous day holds text: no 环比
        (D(2024, 6, 1), "GMV", "", 6, "5.8万"),
        (D(2024, 6, 2), "GMV", "", "6万", 6.3),
        ("2024-06-02", "转化率", "", 0.045, 0.041),  # a date typed as text
        (D(2024, 6, 2), "点击率", "", "≥95%", 0.9),
    ], tasks=[("2024-06-20", "进行中"), (D(2024, 6, 20), "进行中")], thresholds={"as_of": D(2024, 6, 10)})
    targets = frames["targets"].copy()
    targets.loc[0, "gmv_target"] = "600万"
    targets.loc[0, "roi_target"] = 3
    frames["targets"] = targets
    review = frames["review"].copy()
    review["confirmed"] = [{"ROI": "3.2"}.get(m) for m in review["metric"]]
    frames["review"] = review
    book = read_workbook(build_workbook(tmp_path / "stored.xlsx", frames))
    engine = check_book(book).frames
    return engine, formula_frames(engine, book)


def _floats(s: pd.Series) -> list[float]:
    """A column's values as floats rounded to 6 places, NaN for blanks."""
    return [round(float(v), 6) if not pd.isna(v) else NAN for v in s]


def test_cached_values_follow_the_formulas_on_text_in_number_cells(tmp_path: Path) -> None:
    """The engine understands 30小时, 5.8万, ≥95%; the workbook's formulas see text (ISNUMBER false)."""
    engine, cached = _stored_book(tmp_path)
    e, c = engine["daily"], cached["daily"]
    assert _floats(e["rate"]) == [1.2, 1.6, 2.0, round(5.8 / 6, 6), 1.05, round(0.041 / 0.045, 6), round(0.9 / 0.95, 6)]
    assert all(same(x, y) for x, y in zip(_floats(c["rate"]), [1.2, NAN, 2.0, NAN, NAN, round(0.041 / 0.045, 6), NAN],
                                          strict=True))
    assert e["status"].tolist() == [PASS, PASS, PASS, PASS, PASS, WARN, WARN]
    assert c["status"].tolist() == [PASS, "", PASS, "", "", WARN, ""]
    assert all(same(x, y) for x, y in zip(_floats(e["dod"]), [NAN, -0.25, -0.2, NAN, round(6.3 / 5.8 - 1, 6), NAN, NAN],
                                          strict=True))
    assert c["dod"].isna().all()  # text on the row or on the previous day; a date typed as text
    assert c["actual"].iloc[1] == "30小时" and e["actual"].iloc[1] == 30.0  # the engine's frames are not touched


def test_cached_task_days_and_review_follow_the_formulas(tmp_path: Path) -> None:
    engine, cached = _stored_book(tmp_path)
    assert _floats(engine["tasks"]["days_left"]) == [10.0, 10.0]
    assert engine["tasks"]["overdue"].tolist() == ["否", "否"]
    assert all(same(x, y) for x, y in zip(_floats(cached["tasks"]["days_left"]), [NAN, 10.0], strict=True))
    assert cached["tasks"]["overdue"].tolist() == ["", "否"]
    e, c = engine["review"].set_index("metric"), cached["review"].set_index("metric")
    assert e.loc["GMV", ["target", "auto", "used"]].tolist() == [600.0, 12.1, 12.1]
    assert e.loc["GMV", "rate"] == pytest.approx(12.1 / 600) and e.loc["GMV", "status"] == FAIL
    assert c.loc["GMV", "target"] == "600万" and c.loc["GMV", "auto"] == 6.3 and c.loc["GMV", "used"] == 6.3
    assert math.isnan(c.loc["GMV", "rate"]) and c.loc["GMV", "status"] == ""  # IF(NOT(ISNUMBER(目标值)),"",…)
    assert e.loc["ROI", ["target", "used", "status"]].tolist() == [3.0, 3.2, PASS]
    assert c.loc["ROI", "target"] == 3.0 and math.isnan(c.loc["ROI", "used"])  # "3.2" is text: 自动汇总, blank
    assert c.loc["ROI", "status"] == ""


def test_formula_frames_are_the_engine_frames_without_text(tmp_path: Path) -> None:
    from xlpromo.engine.metrics import as_stored, formula_frames
    from xlpromo.engine.report import check_book
    from xlpromo.files.builder import build_workbook
    from xlpromo.files.reader import read_workbook

    typed = make_frames(daily=[(D(2024, 6, 1), "GMV", "", 6, 5.8)])
    book = read_workbook(build_workbook(tmp_path / "clean.xlsx", typed))  # blank cells read as "" are no text
    frames = check_book(book).frames
    assert as_stored(frames, book) is None
    assert all(formula_frames(frames, book)[k] is v for k, v in frames.items())


@pytest.mark.parametrize(("pass_line", "warn_line", "statuses", "criterion"), [
    (0.95, 0.85, [PASS, WARN, FAIL], "目标完成率≥95%为达标"),
    ("95%", 0.85, [WARN, WARN, FAIL], "目标完成率≥95%为达标"),  # a number is never ≥ text; arithmetic reads 95%
    (" 0.95 ", "85%", [FAIL, FAIL, FAIL], "目标完成率≥95%为达标"),
    ("≥95%", 0.85, [WARN, WARN, FAIL], ""),  # ROUND("≥95%"*100,2) is #VALUE!: no text cached
])
def test_thresholds_typed_as_text_are_text_to_the_formulas(pass_line: Any, warn_line: Any, statuses: list[str],
                                                             criterion: str) -> None:
    """LibreOffice: 96.7% ≥ "95%" is FALSE, "目标完成率≥"&ROUND("95%"*100,2) is 95 (test_libreoffice proves it)."""
    frames = make_frames(daily=[(D(2024, 6, 1), "GMV", "", 6, 5.8), (D(2024, 6, 1), "转化率", "", 1, 0.9),
                                (D(2024, 6, 1), "点击率", "", 1, 0.5)],
                         thresholds={"pass_line": pass_line, "warn_line": warn_line})
    out = compute(frames)
    assert out["daily"]["status"].tolist() == statuses
    assert out["targets"]["criterion"].tolist() == [criterion]


@pytest.mark.parametrize(("as_of", "days"), [
    (D(2024, 6, 10), [5.0]), ("2024-06-10", [5.0]), (" 2024-6-10 ", [5.0]), ("2024.6.10", [NAN]), ("6月10日", [NAN]),
])
def test_as_of_typed_as_text_counts_only_as_an_iso_date(as_of: Any, days: list[float]) -> None:
    """{due}-XP_ASOF: both spreadsheets read an ISO date in text; other text is #VALUE!, cached as blank."""
    out = compute(make_frames(tasks=[(D(2024, 6, 15), "进行中")], thresholds={"as_of": as_of}))["tasks"]
    assert all(same(x, y) for x, y in zip(out["days_left"].tolist(), days, strict=True))
    assert out["overdue"].tolist() == ["否" if days == [5.0] else ""]
