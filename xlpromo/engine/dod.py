"""The 环比 twins: 环比键, 前一日实际值, 环比变化 and the 有序行数 head cell, as 每日监控's formulas compute them.

Kept apart from :mod:`xlpromo.engine.metrics` because they are one idea: finding the day before's row of a series
the way the formulas' MATCH finds it (first row in table order wins, case-insensitive keys, dates as serials).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from xlpromo.engine.cells import Frames, cell_text, dates, number_text, numeric, present, text_key
from xlpromo.model.defaults import DOD_POINTS
from xlpromo.model.series import map_unique

__all__ = ["daily_dod", "daily_key", "daily_prev", "day_on_day", "head_values", "serial", "sorted_rows", "usable"]


def serial(s: pd.Series) -> pd.Series:
    """Excel serials of the dates (NaN where not a date), as the formulas see a date cell."""
    return (dates(s) - pd.Timestamp(1899, 12, 30)) / pd.Timedelta(days=1)


def usable(df: pd.DataFrame) -> pd.Series:
    """Rows with a 环比键: 日期 and 实际值 are numbers and 核心指标 is filled (the key formula's AND)."""
    return (numeric(df["actual"]).notna() & dates(df["date"]).notna()
            & map_unique(df["metric"], present).astype(bool))


def daily_key(frames: Frames, df: pd.DataFrame) -> pd.Series:
    """环比键: ``serial|len(metric)|metric|channel``, blank where the row has no usable value."""
    day = map_unique(serial(df["date"]), lambda v: "" if pd.isna(v) else number_text(v))
    metric = map_unique(df["metric"], cell_text)
    key = day + "|" + metric.map(len).astype(str) + "|" + metric + "|" + map_unique(df["channel"], cell_text)
    return key.where(usable(df), "").astype(object)


def daily_prev(frames: Frames, df: pd.DataFrame) -> pd.Series:
    """前一日实际值: the 实际值 of the first row (table order) of the same metric and channel on the day before,
    as the formula's exact MATCH finds it (case-insensitive); NaN when there is none."""
    actual = numeric(df["actual"])
    days = dates(df["date"])
    metric, _ = pd.factorize(text_key(df["metric"]))
    channel, channels = pd.factorize(text_key(df["channel"]))
    series = metric.astype(np.int64) * max(len(channels), 1) + channel
    moments, uniques = pd.factorize(days)  # NaT: -1
    n = max(len(uniques), 1)
    instants = pd.DatetimeIndex(uniques)
    day_before = np.append(instants.get_indexer(instants - pd.Timedelta(days=1)), -1)  # [-1]: none
    key = series * n + moments
    before = day_before[moments]
    prev_key = np.where(before >= 0, series * n + before, -1)
    has = usable(df).to_numpy()
    first = actual[has].groupby(key[has], sort=False).first()  # MATCH(…,0): the first row of the key wins
    at = first.index.get_indexer(pd.Index(prev_key))  # -1: no such row, which picks the NaN appended
    prev = pd.Series(np.append(first.to_numpy(dtype=float), np.nan)[at], index=df.index, dtype=float)
    return prev.where(has)


def sorted_rows(daily: pd.DataFrame) -> int:
    """Twin of 每日监控's 有序行数 head cell: the count of numbers in 日期 (COUNT: dates and numbers) when they fill
    the table's first rows in ascending order and there are at least two, else 0."""
    raw = daily["date"] if "date" in daily.columns else pd.Series([], dtype=object)
    plain = map_unique(raw, lambda v: float(v) if isinstance(v, (int, float, np.integer, np.floating))
                       and not isinstance(v, (bool, np.bool_)) and math.isfinite(float(v)) else math.nan)
    values = serial(raw).fillna(plain.astype(float)).to_numpy(dtype=float)
    count = int(np.isfinite(values).sum())
    first = values[:count]
    if count < 2 or not np.isfinite(first).all() or (np.diff(first) < 0).any():
        return 0
    return count


def head_values(frames: Frames) -> dict[tuple[str, str], Any]:
    """(table key, head key) → the value each head cell's formula computes from ``frames`` (tables present)."""
    return {("daily", "sorted"): sorted_rows(frames["daily"])} if "daily" in frames else {}


def daily_dod(frames: Frames, df: pd.DataFrame) -> pd.Series:
    """环比: change against 前一日实际值 (points for a rate metric, relative otherwise); NaN without one."""
    prev = numeric(df["dod_prev"])
    out = day_on_day(df["actual"], prev, df["dod_basis"].eq(DOD_POINTS))
    return out.where(prev.notna() & usable(df))


def day_on_day(actual: Any, previous: Any, points: Any = False) -> pd.Series:
    """环比变化: actual − previous in percentage points where ``points``, else actual ÷ previous − 1 (NaN for 0)."""
    a, p = numeric(actual), numeric(previous)
    p.index = a.index
    pts = pd.Series(points, index=a.index).astype(bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(p == 0, np.nan, a / p - 1)
    out = np.where(pts, a - p, rel)
    return pd.Series(np.where(np.isfinite(out), out, np.nan), index=a.index, dtype=float)
