"""XP_ worksheet functions: the engine's results for the same inputs (hypothesis), error texts, the VBA contract."""

from __future__ import annotations

import datetime as dt
import inspect
import math
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpromo.engine.metrics import achievement, campaign_phase, compute, safety_stock, status
from xlpromo.engine.summary import pacing
from xlpromo.excel import udfs as u
from xlpromo.files.builder import default_frames
from xlpromo.files.check import check
from xlpromo.testing.xlwings_fake import FakeApp, FakeRange

NUMBERS = st.one_of(st.none(), st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
                    st.integers(min_value=-10**6, max_value=10**6))
DIRECTIONS = st.sampled_from([None, "", "越高越好", "越低越好", "GMV", "客诉率", "客服响应时长", "gmv"])
DAYS = st.dates(min_value=dt.date(2024, 4, 1), max_value=dt.date(2024, 7, 31))
DEMO_DATES = (dt.date(2024, 5, 25), dt.date(2024, 6, 1), dt.date(2024, 6, 18), dt.date(2024, 6, 21))


def _cell(v: Any) -> Any:
    """An engine result as the cell shows it: NaN is blank."""
    return "" if isinstance(v, float) and math.isnan(v) else v


@pytest.fixture(scope="module")
def caller(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> FakeRange:
    """A cell of the demo open in a fake Excel, as xlwings passes it in ``caller``."""
    app = FakeApp()
    book = app.load(shutil.copy(demo_path, tmp_path_factory.mktemp("udf") / "demo.xlsx"))
    return book.sheet("每日监控").range((5, 8))


@given(NUMBERS, NUMBERS, DIRECTIONS)
def test_achieve_is_the_engine_achievement(actual: Any, target: Any, direction: Any) -> None:
    known = {"GMV": "越高越好", "gmv": "越高越好", "客诉率": "越低越好", "客服响应时长": "越低越好"}
    resolved = known.get(direction, direction)
    expected = achievement([actual], [target], [resolved or "越高越好"]).iloc[0]
    assert u.XP_ACHIEVE(actual, target, direction) == _cell(expected)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=0, max_value=1e6, allow_nan=False), st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_dod_is_the_daily_sheets_day_on_day(today: float, yesterday: float) -> None:
    frames = default_frames()
    frames["daily"] = pd.DataFrame([
        dict(date=dt.date(2024, 6, 1), metric="GMV", channel="全渠道", target=1.0, actual=yesterday),
        dict(date=dt.date(2024, 6, 2), metric="GMV", channel="全渠道", target=1.0, actual=today)], dtype=object)
    expected = compute(frames)["daily"]["dod"].iloc[1]
    assert u.XP_DOD(today, yesterday) == _cell(expected)


@given(st.one_of(st.none(), st.floats(min_value=0, max_value=3, allow_nan=False)))
def test_status_is_the_engine_status_with_the_default_lines(rate: float | None) -> None:
    expected = status(pd.Series([rate], dtype=float), [None], [None], [None], 0.95, 0.85).iloc[0]
    assert u.XP_STATUS(rate) == expected


def test_status_reads_the_calling_workbooks_thresholds(caller: FakeRange) -> None:
    assert u.XP_STATUS(0.9, caller) == "预警" and u.XP_STATUS(0.95, caller) == "达标"
    assert u.XP_STATUS(104.5 / 110) == "达标"  # rounded as the formula rounds
    grid = caller.sheet.book.sheet("阈值配置").values()
    row = next(r for r in grid if r and r[0] == "pass_line")
    row[2] = 0.8  # the user lowers 达标线
    try:
        assert u.XP_STATUS(0.9, caller) == "达标"
        assert u.XP_STATUS(0.79, caller) == "未达标"
    finally:
        row[2] = 0.95


@given(NUMBERS, st.one_of(st.none(), st.floats(min_value=0, max_value=10, allow_nan=False)))
def test_safety_stock_is_the_engine_safety_stock(sales: Any, factor: float | None) -> None:
    expected = safety_stock([sales], 1.5 if factor is None else factor).iloc[0]
    assert u.XP_SAFETY_STOCK(sales, factor) == _cell(expected)


@settings(deadline=None, max_examples=40)
@given(DAYS)
def test_phase_uses_the_campaign_dates_of_the_calling_workbook(caller: FakeRange, day: dt.date) -> None:
    assert u.XP_PHASE(day, caller) == campaign_phase(day, *DEMO_DATES)
    assert u.XP_PHASE(dt.datetime.combine(day, dt.time()), caller) == u.XP_PHASE(day, caller)


def test_phase_and_pace_match_the_retrospectives_pacing(demo_path: Path, caller: FakeRange) -> None:
    p = pacing(check(demo_path).frames)
    assert p is not None
    assert u.XP_PHASE(p.as_of, caller) == p.phase == "返场期"
    assert u.XP_PACE(p.gmv_to_date, p.gmv_target, p.as_of, caller) == p.pace
    assert u.XP_PACE(300, 600, dt.date(2024, 6, 7), caller) == pytest.approx(0.5 / (14 / 28))
    assert u.XP_PHASE(45444, caller) == "爆发期"  # an Excel serial: 2024-06-01
    assert u.XP_PHASE("2024年5月20日", caller) == "筹备期"


def test_bad_input_gives_a_readable_text() -> None:
    assert u.XP_ACHIEVE("abc", 6) == "#参数错误：实际值“abc”不是数字"
    assert u.XP_ACHIEVE(5, "六") == "#参数错误：目标值“六”不是数字"
    assert u.XP_ACHIEVE(True, 6) == "#参数错误：实际值“TRUE”不是数字"
    assert u.XP_ACHIEVE(5, 6, "销量") == "#参数错误：不认识的指标或方向“销量”（可填指标名称，或 越高越好 / 越低越好）"
    assert u.XP_DOD("5.8万", 5) == "#参数错误：今天的值“5.8万”不是数字"
    assert u.XP_STATUS("高") == "#参数错误：达成率“高”不是数字"
    assert u.XP_SAFETY_STOCK(100, "x") == "#参数错误：系数“x”不是数字"
    assert u.XP_PHASE(dt.date(2024, 6, 1)) == "#参数错误：找不到活动目标：请在活动主工作簿中使用本函数"
    assert u.XP_PHASE("明天", None) == "#参数错误：日期“明天”不是日期"
    assert u.XP_ACHIEVE(None, 6) == "" and u.XP_PHASE(None) == "" and u.XP_PACE(1, None, dt.date(2024, 6, 1)) == ""


def test_phase_names_a_missing_campaign_date(caller: FakeRange) -> None:
    grid = caller.sheet.book.sheet("活动目标").values()
    saved = grid[3][3]
    grid[3][3] = None  # 爆发开始 left blank
    try:
        assert u.XP_PHASE(dt.date(2024, 6, 1), caller) == "#参数错误：活动目标的“爆发开始”未填写"
    finally:
        grid[3][3] = saved


def test_signatures_are_the_vba_wrappers_contract() -> None:
    """The add-in's VBA passes these arguments in this order; ``caller`` is supplied by xlwings, last."""
    names = [n for n in u.__all__ if n.startswith("XP_")]
    params = {n: list(inspect.signature(getattr(u, n)).parameters) for n in names}
    assert params == {
        "XP_ACHIEVE": ["actual", "target", "metric_or_direction"],
        "XP_DOD": ["today", "yesterday"],
        "XP_STATUS": ["rate", "caller"],
        "XP_SAFETY_STOCK": ["avg_daily_sales", "factor"],
        "XP_PHASE": ["on_date", "caller"],
        "XP_PACE": ["actual_to_date", "target", "on_date", "caller"],
    }


def test_an_overflowing_rate_is_blank_in_the_engine_and_the_udf() -> None:
    from xlpromo.engine.metrics import achievement, day_on_day

    assert math.isnan(achievement([58136925.0], [3.2339737684864816e-301], [None]).iloc[0])
    assert math.isnan(day_on_day([1e300], [1e-300]).iloc[0])
    assert u.XP_ACHIEVE(58136925.0, 3.2339737684864816e-301) == "" and u.XP_DOD(1e300, 1e-300) == ""
