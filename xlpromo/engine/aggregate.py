"""A metric's days added up over the campaign, as the formulas of :mod:`xlpromo.model.aggregate` compute it.

Sums, means and weighted means (a ratio over a period is Σ numerator ÷ Σ denominator: ROI weighted by 推广费用),
the 每日监控 rows that make a metric's total, and the twins of 权重, 加权值 and 目标回顾's 自动汇总.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from xlpromo.engine.cells import Frames, catalogue_lookup, cell_text, numeric, text_key
from xlpromo.engine.dod import serial, usable
from xlpromo.model.defaults import AGG_SUM, ALL_CHANNELS, weight_of
from xlpromo.model.series import map_unique

__all__ = ["average", "daily_weight", "daily_weighted", "finite", "period_value", "review_auto", "total",
           "total_rows"]


def finite(x: float) -> float:
    """``x`` when it is a finite number, else NaN: a result beyond the largest float (1e308 + 1e308) is no number
    a cell can hold (Excel shows #NUM!), so a computed cell shows none."""
    return x if math.isfinite(x) else math.nan


def total(values: pd.Series) -> float:
    """The sum of the numbers of ``values`` (NaN skipped; 0 for none); NaN when it overflows."""
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the NaN returned
        return finite(float(values.sum()))


def average(values: pd.Series) -> float:
    """The mean of the numbers of ``values`` (NaN skipped; NaN for none), as their :func:`total` over their count."""
    count = int(values.notna().sum())
    return total(values) / count if count else math.nan


def period_value(how: str, values: pd.Series, weights: pd.Series, weighted: pd.Series) -> float:
    """A metric over the period: the sum (求和), else Σweighted ÷ Σweights when the weights add up above 0, else
    the plain mean — as 自动汇总's ``IF(agg="求和",…,IF(Σ权重>0,Σ加权值/Σ权重,…/COUNT))``."""
    if how == AGG_SUM:
        return total(values)
    w = total(weights)
    return total(weighted) / w if w > 0 else average(values)


def total_rows(daily: pd.DataFrame) -> pd.Series:
    """Rows that make a metric's total: its 全渠道/blank-channel rows when it has any, else all its rows
    (so per-channel rows are not added to a total row twice)."""
    metric = text_key(daily["metric"])
    channel = text_key(daily["channel"])
    is_total = channel.isin(["", ALL_CHANNELS.casefold()]) & numeric(daily["actual"]).notna()
    has_total = is_total.groupby(metric).transform("any") if len(daily) else is_total
    return (is_total | ~has_total.astype(bool)).astype(bool)


def daily_weight(frames: Frames, df: pd.DataFrame) -> pd.Series:
    """权重: for a row whose 汇总方式 is ``按X加权``, the 实际值 of the first row (table order) of metric X with the
    same 日期 and 渠道 (case-insensitive, as MATCH on 环比键); NaN otherwise."""
    agg = map_unique(catalogue_lookup(frames, df["metric"], "aggregate"), cell_text)
    has = usable(df)
    wants = has & map_unique(agg, lambda a: a.endswith("加权")).astype(bool)
    day, actual = serial(df["date"]), numeric(df["actual"])
    metric, channel = text_key(df["metric"]), text_key(df["channel"])
    first: dict[tuple[float, str, str], float] = {}
    for key, value in zip(zip(day[has], metric[has], channel[has], strict=True), actual[has], strict=True):
        first.setdefault(key, float(value))
    out = pd.Series(np.nan, index=df.index, dtype=float)
    for i in df.index[wants.to_numpy()]:
        out[i] = first.get((day[i], weight_of(agg[i]).casefold(), channel[i]), math.nan)
    return out


def daily_weighted(frames: Frames, df: pd.DataFrame) -> pd.Series:
    """加权值: 实际值 × 权重 where the row has a weight; NaN otherwise."""
    weight = numeric(df["weight"])
    return (numeric(df["actual"]) * weight).where(weight.notna())


def _column(rows: pd.DataFrame, key: str) -> pd.Series:
    """A computed column of 每日监控 as numbers; NaN when the frame has none (a table not computed)."""
    return numeric(rows[key]) if key in rows.columns else pd.Series(np.nan, index=rows.index, dtype=float)


def review_auto(frames: Frames, df: pd.DataFrame) -> pd.Series:
    """自动汇总: each metric of 目标回顾 over the 每日监控 rows that make its total (:func:`period_value`)."""
    daily = frames["daily"]
    rows = daily[total_rows(daily)] if len(daily) else daily
    m = text_key(rows["metric"])
    a, w, x = numeric(rows["actual"]), _column(rows, "weight"), _column(rows, "weighted")
    agg = catalogue_lookup(frames, df["metric"], "aggregate")
    out = []
    for name, how in zip(text_key(df["metric"]), agg, strict=True):
        sel = m.eq(name)
        values = a[sel].dropna()
        out.append(period_value(how, values, w[sel], x[sel]) if len(values) else math.nan)
    return pd.Series(out, index=df.index, dtype=float)
