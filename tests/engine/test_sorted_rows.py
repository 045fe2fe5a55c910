"""每日监控's 有序行数 head cell, as the pandas twin computes it: the count of dates when they fill the first
rows in ascending order (ties allowed), else 0 — 0 sends 前一日实际值 to its whole-column fallback."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from xlpromo.engine.metrics import head_values, sorted_rows

D = dt.date


def _daily(dates: list[Any]) -> pd.DataFrame:
    return pd.DataFrame({"date": pd.Series(dates, dtype=object)})


@pytest.mark.parametrize("dates, count", [
    ([D(2024, 6, 1), D(2024, 6, 1), D(2024, 6, 2)], 3),  # ties: several metrics a day
    ([D(2024, 6, 1), D(2024, 6, 2), None, None], 2),  # blank rows at the end: the dates fill the first rows
    ([D(2024, 6, 2), D(2024, 6, 1)], 0),  # out of order
    ([D(2024, 6, 1), None, D(2024, 6, 2)], 0),  # a gap: COUNT is 2 but row 2 is blank
    ([D(2024, 6, 1)], 0),  # one date: nothing to search
    ([], 0),
    ([45444, 45445.0, D(2024, 6, 3)], 3),  # serials count as COUNT counts them
    ([D(2024, 6, 1), "2024-06-02", D(2024, 6, 3)], 0),  # text in 日期: COUNT skips it, the order breaks
    ([D(2024, 6, 1), True, D(2024, 6, 2)], 0),  # a boolean is no date
    ([pd.Timestamp(2024, 6, 1), dt.datetime(2024, 6, 1, 18), D(2024, 6, 2)], 3),
])
def test_sorted_rows(dates: list[Any], count: int) -> None:
    assert sorted_rows(_daily(dates)) == count


def test_head_values_name_the_head_cell_of_each_table_present() -> None:
    assert head_values({"daily": _daily([D(2024, 6, 1), D(2024, 6, 2)])}) == {("daily", "sorted"): 2}
    assert head_values({"tasks": pd.DataFrame()}) == {}
