"""Campaign summaries for the retrospective: per metric, pacing, tasks per department.

Pure pandas over the engine's computed frames (see :func:`xlpromo.engine.report.check_book`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from xlpromo.engine.aggregate import period_value
from xlpromo.engine.metrics import (
    achievement,
    as_of_date,
    campaign_phase,
    elapsed_share,
    finite,
    numeric,
    pace,
    total,
    total_rows,
)
from xlpromo.model.defaults import ALL_CHANNELS, STATUS_LABELS, TASK_DONE_STATES
from xlpromo.model.series import map_unique
from xlpromo.model.values import is_blank

__all__ = ["Pacing", "dept_tasks", "gmv_to_date", "metric_summary", "off_target_days", "pacing"]

_PASS, _WARN, _FAIL = STATUS_LABELS


def metric_summary(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per metric of 每日监控: totals or means (weighted as 目标回顾's), direction-aware 达成率, days on and
    off target."""
    daily, cat = frames["daily"], frames["metrics"]
    columns = ["metric", "unit", "direction", "aggregate", "days", "target", "actual", "rate", "off_days",
               "worst_date", "worst_rate"]
    if not len(daily):
        return pd.DataFrame(columns=columns)
    info = {str(n).casefold(): (n, u, d, a) for n, u, d, a in
            zip(cat["name"], cat["unit"], cat["direction"], cat["aggregate"], strict=True)}
    rows: list[dict[str, Any]] = []
    daily = daily[total_rows(daily)]
    weights, weighted = (numeric(daily[k]) if k in daily.columns else pd.Series(math.nan, index=daily.index)
                         for k in ("weight", "weighted"))
    keys = map_unique(daily["metric"], lambda m: str(m).casefold())
    for key, group in daily.groupby(keys, sort=False):
        if str(key) not in info:
            continue
        name, unit, direction, agg = info[str(key)]
        t, a = numeric(group["target"]), numeric(group["actual"])
        both = t.notna() & a.notna()
        # a total beyond the largest float (two 1e308) is NaN: shown blank, never as inf; a ratio's mean is
        # weighted as 目标回顾's (ROI by each row's 推广费用), the target by the same weights
        w = weights[group.index].where(both)
        target = period_value(agg, t[both], w, t * w)
        actual = period_value(agg, a[both], w, weighted[group.index].where(both))
        rate = float(achievement([actual], [target], [direction]).iloc[0]) if both.any() else math.nan
        rates = numeric(group["rate"])
        worst = rates.idxmin() if rates.notna().any() else None
        worst_date = group["date"].get(worst) if worst is not None else None
        rows.append({"metric": name, "unit": unit, "direction": direction, "aggregate": agg, "days": int(both.sum()),
                     "target": target, "actual": actual, "rate": rate,
                     "off_days": int(group["status"].isin((_WARN, _FAIL)).sum()),
                     "worst_date": worst_date,
                     "worst_rate": float(rates.min()) if worst is not None else math.nan})
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class Pacing:
    """GMV to date against the campaign target and the share of the campaign elapsed."""

    as_of: dt.date
    elapsed: float  # share of campaign days elapsed, 0..1
    gmv_to_date: float
    gmv_target: float
    progress: float  # gmv_to_date / gmv_target
    pace: float  # progress / elapsed: ≥ 1 means on track
    phase: str


def pacing(frames: dict[str, pd.DataFrame]) -> Pacing | None:
    """Where the campaign stands on 统计日期; None without campaign dates or GMV target."""
    targets = frames["targets"]
    if not len(targets):
        return None
    t = targets.iloc[0].to_dict()
    keys = ("warmup_start", "burst_start", "burst_end", "return_end")
    if not all(isinstance(t.get(k), dt.date) for k in keys):
        return None
    t.update({k: pd.Timestamp(t[k]).date() for k in keys})
    gmv_target = numeric([t.get("gmv_target")]).iloc[0]
    if math.isnan(gmv_target) or gmv_target <= 0:
        return None
    as_of = as_of_date(frames).date()
    elapsed = elapsed_share(as_of, t["warmup_start"], t["return_end"])
    if math.isnan(elapsed):  # 返场结束 before 预热开始: validation reports the date order
        return None
    to_date = gmv_to_date(frames["daily"], t["warmup_start"], min(as_of, t["return_end"]))
    progress = finite(to_date / gmv_target)
    return Pacing(as_of, elapsed, to_date, float(gmv_target), progress, pace(to_date, float(gmv_target), elapsed),
                  campaign_phase(as_of, *(t[k] for k in keys)))


def gmv_to_date(daily: pd.DataFrame, first: dt.date, last: dt.date) -> float:
    """GMV from ``first`` to ``last`` as 看板's day block adds it up, day by day: a day's 全渠道 (or blank-channel)
    rows when it has one with a number, else the sum of its channels' rows — so a day told only by its channels
    counts even when other days have a total row. 0 when no day has a number."""
    if not len(daily):
        return 0.0
    gmv = daily[map_unique(daily["metric"], lambda m: str(m).casefold() == "gmv").astype(bool)]
    day = map_unique(gmv["date"], lambda d: pd.Timestamp(d).normalize() if isinstance(d, dt.date) else pd.NaT)
    actual = numeric(gmv["actual"])
    keep = day.notna() & (day >= pd.Timestamp(first)) & (day <= pd.Timestamp(last)) & actual.notna()
    if not keep.any():
        return 0.0
    day, actual = day[keep], actual[keep]
    is_total = map_unique(gmv.loc[keep.index[keep], "channel"],
                          lambda c: is_blank(c) or str(c).strip().casefold() == ALL_CHANNELS.casefold()).astype(bool)
    has_total = is_total.groupby(day).transform("any").astype(bool)
    return total(actual[is_total | ~has_total])


def dept_tasks(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per 责任部门: tasks, done, overdue, due soon and the completion rate (cancelled tasks left out)."""
    tasks = frames["tasks"]
    columns = ["dept", "total", "done", "overdue", "due_soon", "completion"]
    if not len(tasks):
        return pd.DataFrame(columns=columns)
    done_state, cancelled = TASK_DONE_STATES
    th = dict(zip(frames["thresholds"]["code"], frames["thresholds"]["value"], strict=True))
    soon = th.get("due_soon_days")
    soon = float(soon) if isinstance(soon, (int, float)) else 3.0
    left = numeric(tasks["days_left"])
    live = tasks[~tasks["status"].eq(cancelled).astype(bool)]
    rows = []
    for dept, g in live.groupby(live["dept"].fillna("（未填）"), sort=True):
        done = int(g["status"].eq(done_state).sum())
        rows.append({"dept": dept, "total": len(g), "done": done, "overdue": int((left[g.index] < 0).sum()),
                     "due_soon": int(((left[g.index] >= 0) & (left[g.index] <= soon)).sum()),
                     "completion": done / len(g)})
    return pd.DataFrame(rows, columns=columns)


def off_target_days(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Daily rows off target, with their cause and adjustment, in date order."""
    d = frames["daily"]
    off = d[d["status"].isin((_WARN, _FAIL)).astype(bool)]
    return off[["date", "metric", "channel", "target", "actual", "rate", "status", "issue", "action", "dept"]]
