"""How a merge shows values in 合并冲突/变更记录, and how recalc caches dates: one date serial (model.values)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xlpromo.model.master import SCHEMA
from xlpromo.roundtrip.merge.cells import row_brief, show
from xlpromo.roundtrip.recalc import _cached

DATE = SCHEMA.table("daily").col("date")


def test_dates_are_shown_as_days() -> None:
    assert show(45444.0, DATE) == "2024-06-01"
    assert show(45444.75, DATE) == "2024-06-01"  # a time of day does not change the day
    assert show(59.0, DATE) == "1900-02-28" and show(61.0, DATE) == "1900-03-01"  # Excel's 1900 leap day
    assert show(60.0, DATE) == 60.0  # 1900-02-29 never was: the number as it is
    assert show(dt.datetime(2024, 6, 1, 6, 30)) == "2024-06-01 06:30:00" and show(dt.date(2024, 6, 1)) == "2024-06-01"
    assert [show(v) for v in (None, "", float("nan"), pd.NaT)] == ["", "", "", ""]
    assert row_brief(SCHEMA.table("daily"), {"date": 45444.0, "target": 48.0}) == "日期 2024-06-01，目标值 48"


def test_cached_dates_are_serials() -> None:
    assert _cached(pd.Timestamp("2024-06-01")) == 45444 and isinstance(_cached(dt.date(2024, 6, 1)), int)
    assert _cached(dt.datetime(2024, 6, 1, 12)) == 45444.5
    assert [_cached(v) for v in (None, pd.NaT, float("nan"), float("inf"))] == [None] * 4
    assert _cached("") == "" and _cached(3) == 3
