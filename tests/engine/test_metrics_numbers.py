"""No computed column ever holds inf (issue 11): for any float typed into 每日监控, huge, inf and NaN included, every
computed value is a finite number or blank, the retrospective's figures too, and no RuntimeWarning is raised."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlpromo.engine.metrics import achievement, average, compute, day_on_day, status, total
from xlpromo.engine.summary import metric_summary, pacing
from xlpromo.engine.validate import validate
from xlpromo.files.builder import build_workbook
from xlpromo.files.demo import demo_frames
from xlpromo.files.reader import read_workbook
from xlpromo.model.master import SCHEMA

Frames = dict[str, pd.DataFrame]
any_float = st.floats(allow_nan=True, allow_infinity=True)
near_limit = st.sampled_from([1e308, -1e308, 1.7976931348623157e308, 5e-324, 1e-308, 0.0, math.inf, math.nan])
values = st.lists(st.one_of(any_float, near_limit), min_size=1, max_size=40)


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> Frames:
    """The demo's validated input frames."""
    path = build_workbook(tmp_path_factory.mktemp("metrics") / "demo.xlsx", demo_frames())
    return validate(read_workbook(path)).frames


def _computed(out: Frames) -> list[tuple[str, str, pd.Series]]:
    return [(t.key, c.key, out[t.key][c.key]) for t in SCHEMA.tables if t.key in out
            for c in t.computed_columns if c.key in out[t.key].columns]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actual=values, target=values)
def test_no_computed_column_holds_a_non_finite_value(frames: Frames, actual: list[float], target: list[float]) -> None:
    daily = frames["daily"].copy()
    gmv = daily.index[daily["metric"].eq("GMV")][:len(actual)]  # the same metric, so the totals add them up
    daily.loc[gmv, "actual"] = actual[:len(gmv)]
    rows = daily.index[:len(target)]
    daily.loc[rows, "target"] = target
    inputs = {**frames, "daily": daily}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        out = compute(inputs)
        summary = metric_summary(out)
        pace = pacing(out)
    for table, col, s in _computed(out):
        numbers = pd.to_numeric(s, errors="coerce") if s.dtype == object else s
        if numbers.dtype.kind == "f":
            assert not np.isinf(numbers.to_numpy(dtype=float)).any(), (table, col)
    for col in ("target", "actual", "rate", "worst_rate"):
        assert not np.isinf(summary[col].to_numpy(dtype=float)).any(), col
    if pace is not None:
        assert all(not math.isinf(x) for x in (pace.gmv_to_date, pace.progress, pace.pace))


@given(st.lists(st.one_of(any_float, near_limit), max_size=30))
def test_total_and_average_are_finite_or_nan(xs: list[float]) -> None:
    s = pd.Series(xs, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for v in (total(s), average(s)):
            assert not math.isinf(v)


def test_two_numbers_at_the_limit_make_no_total() -> None:
    assert math.isnan(total(pd.Series([1e308, 1e308])))
    assert math.isnan(average(pd.Series([1e308, 1e308])))
    assert total(pd.Series([1e308, -1e308, 5.0])) == 5.0
    assert average(pd.Series([2.0, math.nan, 4.0])) == 3.0


@given(a=st.one_of(any_float, near_limit), t=st.one_of(any_float, near_limit), lower=st.booleans(),
       points=st.booleans())
def test_rates_and_changes_near_the_limit(a: float, t: float, lower: bool, points: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        rate = achievement([a], [t], ["越低越好" if lower else "越高越好"])
        dod = day_on_day([a], [t], [points])
        label = status(rate, [t], [a], ["越高越好"], 0.95, 0.85)
    assert not math.isinf(rate.iloc[0]) and not math.isinf(dod.iloc[0])
    assert label.iloc[0] in ("", "达标", "预警", "未达标")


def test_a_rate_at_the_limit_is_compared_unrounded() -> None:
    """ROUND(rate, 9) of 1.7e307 overflows when scaled: the rate is compared as it is, and passes."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        rate = achievement([1e308], [6.0], ["越高越好"])
        assert status(rate, [6.0], [1e308], ["越高越好"], 0.95, 0.85).tolist() == ["达标"]
