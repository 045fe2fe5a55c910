"""The 看板 twin: where the campaign stands on 统计日期, day by day, in pandas.

Computes what the 看板 sheet's formulas (:mod:`xlpromo.model.board`) compute, by the same keys, from
the engine's computed frames: the header (:func:`board_header`), one row per campaign day
(:func:`board_days`), the latest 达成率 of the key metrics (:func:`board_metrics`) and tasks per 责任部门
and 当前状态 (:func:`board_tasks`). A value a formula leaves blank is ``""``; ``#N/A`` (where a chart
must skip a day) is :data:`NA`. Never opens a file; a daily summary can reuse it as it is.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, cast

import numpy as np
import pandas as pd

from xlpromo.engine.cells import Frames, dates, numeric, text_key
from xlpromo.engine.metrics import campaign_phase, elapsed_share, formula_as_of, status
from xlpromo.engine.summary import dept_tasks, pacing
from xlpromo.model.board import BOARD_METRICS, DAY_COLUMNS, MAX_DAYS, TASK_COLS, TASK_ROWS, rate_key
from xlpromo.model.defaults import ALL_CHANNELS, STATUS_LABELS
from xlpromo.model.values import CellError, is_blank

__all__ = ["NA", "board_days", "board_header", "board_metrics", "board_tasks", "campaign_dates"]

NA = CellError("#N/A")
_KEYS = ("warmup_start", "burst_start", "burst_end", "return_end")
_WARN, _FAIL = STATUS_LABELS[1:]


def campaign_dates(frames: Frames) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp, pd.Timestamp] | None:
    """预热开始, 爆发开始, 爆发结束, 返场结束 of 活动目标 when all four are dates, else None."""
    t = frames["targets"]
    if not len(t):
        return None
    row = t.iloc[0]
    values = [row.get(k) for k in _KEYS]
    if not all(isinstance(v, (dt.date, pd.Timestamp)) for v in values):
        return None
    a, b, c, d = (pd.Timestamp(cast(Any, v)).normalize() for v in values)
    return a, b, c, d


def _blank(x: float) -> Any:
    return "" if isinstance(x, float) and math.isnan(x) else x


def board_header(frames: Frames, days: pd.DataFrame | None = None) -> dict[str, Any]:
    """The header block, key → value: phase and day N of M, GMV to date against the target (engine.summary's
    pacing), yesterday and today against their daily target, off-target rows and overdue tasks."""
    days = board_days(frames) if days is None else days
    as_of = formula_as_of(frames)
    t = frames["targets"].iloc[0] if len(frames["targets"]) else pd.Series(dtype=object)
    out: dict[str, Any] = {"as_of": as_of, "name": "" if is_blank(t.get("name")) else t.get("name")}
    for k in (*_KEYS, "gmv_target"):
        v = t.get(k)
        out[k] = v if isinstance(v, (dt.date, pd.Timestamp, int, float)) and not is_blank(v) else ""
    span = campaign_dates(frames)
    out["phase"] = campaign_phase(as_of, *span) if span else ""
    ws, re_ = out["warmup_start"], out["return_end"]
    if isinstance(ws, (dt.date, pd.Timestamp)) and isinstance(re_, (dt.date, pd.Timestamp)) and re_ >= ws:
        ws, re_ = pd.Timestamp(ws).normalize(), pd.Timestamp(re_).normalize()
        out["days"] = (re_ - ws).days + 1
        out["day_n"] = min(max((as_of - ws).days + 1, 0), out["days"])
        out["elapsed"] = elapsed_share(as_of.date(), ws.date(), re_.date())
    else:
        out.update(days="", day_n="", elapsed="")
    p = pacing(_dated(frames, as_of)) if out["days"] != "" else None
    out["gmv_to_date"] = p.gmv_to_date if p else ""
    out["progress"] = _blank(p.progress) if p else ""
    out["pace"] = _blank(p.pace) if p else ""
    by_day = {d: i for i, d in enumerate(days["date"]) if d != ""}
    for key, day in (("yday", as_of - pd.Timedelta(days=1)), ("today", as_of)):
        i = by_day.get(day)
        for field in ("actual", "target"):
            v = days[f"gmv_{field}"].iloc[i] if i is not None else ""
            out[f"{key}_{field}"] = "" if isinstance(v, str) else v
    daily = frames["daily"]
    st = daily["status"] if len(daily) else pd.Series(dtype=object)
    silent = daily["issue"].map(lambda v: is_blank(v, spaces=False)) if len(daily) else st
    out["warn_rows"] = int(st.eq(_WARN).sum())
    out["fail_rows"] = int(st.eq(_FAIL).sum())
    out["unexplained"] = int((st.isin((_WARN, _FAIL)) & silent.astype(bool)).sum())
    tasks = dept_tasks(dict(frames))
    out["overdue"] = int(tasks["overdue"].sum()) if len(tasks) else 0
    out["due_soon"] = int(tasks["due_soon"].sum()) if len(tasks) else 0
    return out


Sums = dict[tuple[pd.Timestamp, str, bool], dict[str, float]]


def _dated(frames: Frames, as_of: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """``frames`` with 统计日期 the day 看板 counts from (an ISO date typed as text is that date to a formula)."""
    th = frames["thresholds"].copy()
    th.loc[th["code"].eq("as_of"), "value"] = as_of
    return {**frames, "thresholds": th}


def _day_sums(daily: pd.DataFrame, metrics: tuple[str, ...]) -> Sums:
    """Per (day, metric, total?): count and sum of 目标值, 实际值 and 达成率 where they are numbers."""
    day = dates(daily["date"]).dt.normalize()
    metric = text_key(daily["metric"])
    keep = day.notna() & metric.isin([m.casefold() for m in metrics])
    frame = pd.DataFrame({"day": day[keep], "metric": metric[keep],
                          "total": text_key(daily["channel"])[keep].isin(["", ALL_CHANNELS.casefold()])})
    for col in ("target", "actual", "rate"):
        v = numeric(daily[col])[keep]
        frame[f"{col}_n"] = v.notna().astype(int)
        frame[f"{col}_s"] = v.fillna(0.0)
    return cast(Sums, frame.groupby(["day", "metric", "total"]).sum().to_dict("index"))


def _pick(sums: Sums | None, day: pd.Timestamp, metric: str, col: str) -> tuple[int, float, int, float]:
    """(count, sum) of the day's total rows, then of all its rows, for one value column."""
    n_t = n_a = 0
    s_t = s_a = 0.0
    for total in (True, False):
        key = (day, metric.casefold(), total)
        row = sums.get(key) if sums is not None else None
        if row is not None:
            n, v = int(row[f"{col}_n"]), float(row[f"{col}_s"])
            n_a, s_a = n_a + n, s_a + v
            if total:
                n_t, s_t = n, v
    return n_t, s_t, n_a, s_a


def _day(frames: Frames, sums: Sums | None, day: pd.Timestamp,
         span: tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp, pd.Timestamp]) -> dict[str, Any]:
    """One campaign day's own cells (the running columns are the caller's): phase, GMV target and actual, the
    key metrics' 达成率 (the mean of the day's total rows, else of all its rows), the reference lines."""
    r: dict[str, Any] = {"date": day, "phase": campaign_phase(day, *span)}
    r["label"] = f"{day.month}-{day.day} {r['phase'][:2]}"
    n_tt, s_tt, _, s_ta = _pick(sums, day, "GMV", "target")
    n_at, s_at, n_aa, s_aa = _pick(sums, day, "GMV", "actual")
    r["gmv_target"] = s_tt if n_tt else s_ta
    r["gmv_actual"] = s_at if n_at else (s_aa if n_aa else NA)
    a = r["gmv_actual"]
    r["gmv_rate"] = a / r["gmv_target"] if not isinstance(a, str) and r["gmv_target"] > 0 else NA
    for i, m in enumerate(BOARD_METRICS):
        if rate_key(i) != "gmv_rate":
            n_t, s_t, n_all, s_all = _pick(sums, day, m, "rate")
            r[rate_key(i)] = s_t / n_t if n_t else (s_all / n_all if n_all else NA)
    r.update(pass_line=_line(frames, "pass_line"), warn_line=_line(frames, "warn_line"))
    return r


def board_days(frames: Frames) -> pd.DataFrame:
    """One row per day of the block (:data:`~xlpromo.model.board.MAX_DAYS` rows): the campaign days from 预热开始
    to 返场结束, then blanks. GMV is its 全渠道 rows, or the sum of channels on a day without one; the cumulative
    actual stops at 统计日期 (#N/A after it, so the line ends there)."""
    span = campaign_dates(frames)
    end = formula_as_of(frames) + pd.Timedelta(days=1)
    sums = _day_sums(frames["daily"], BOARD_METRICS) if span and len(frames["daily"]) else None
    rows: list[dict[str, Any]] = []
    cum_t = cum_a = 0.0
    for k in range(MAX_DAYS):
        day = span[0] + pd.Timedelta(days=k) if span else None
        if span is None or day is None or day > span[3]:
            rows.append({"date": ""})
            continue
        r = _day(frames, sums, day, span)
        cum_t += float(r["gmv_target"])
        r["cum_target"] = cum_t
        if day >= end:
            r["cum_actual"] = NA
        else:
            cum_a += 0.0 if isinstance(r["gmv_actual"], str) else float(r["gmv_actual"])
            r["cum_actual"] = cum_a
        rows.append(r)
    return pd.DataFrame(rows, columns=[c.key for c in DAY_COLUMNS], dtype=object).fillna("")


def _line(frames: Frames, code: str) -> Any:
    """A threshold as ``=TH_…`` shows it: the value typed, 0 for a blank."""
    th = frames["thresholds"]
    v = dict(zip(th["code"], th["value"], strict=True)).get(code)
    return 0.0 if is_blank(v) else v


def _compared(line: Any) -> float:
    """A threshold in ``rate >= TH_…``: text is above every number (never reached), a blank is 0."""
    return math.inf if isinstance(line, str) and line else float(line or 0)


def board_metrics(frames: Frames, days: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per key metric: the last day up to 统计日期 with a 达成率, that 达成率 and its 状态."""
    days = board_days(frames) if days is None else days
    pass_line, warn_line = (_line(frames, c) for c in ("pass_line", "warn_line"))
    end = formula_as_of(frames) + pd.Timedelta(days=1)
    rows = []
    for i, m in enumerate(BOARD_METRICS):
        hits = [(d, v) for d, v in zip(days["date"], days[rate_key(i)], strict=True)
                if isinstance(d, pd.Timestamp) and d < end and not isinstance(v, str)]
        day, rate = hits[-1] if hits else ("", "")
        label = "" if rate == "" else str(status(pd.Series([rate], dtype=float), [1], [1], [""],
                                                 _compared(pass_line), _compared(warn_line)).iloc[0])
        rows.append({"metric": m, "date": day, "rate": rate, "status": label})
    return pd.DataFrame(rows, dtype=object)


def board_tasks(frames: Frames) -> tuple[list[str], list[str], np.ndarray]:
    """Tasks counted per 责任部门 (数据字典's list, first rows) and 当前状态 (its list): names and counts."""
    depts = [str(v) for v in frames["departments"]["value"]][:TASK_ROWS]
    states = [str(v) for v in frames["statuses"]["value"]][:TASK_COLS]
    tasks = frames["tasks"]
    d, s = text_key(tasks["dept"]), text_key(tasks["status"])
    counts = np.array([[int((d.eq(a.casefold()) & s.eq(b.casefold())).sum()) for b in states] for a in depts],
                      dtype=int).reshape(len(depts), len(states))
    return depts, states, counts
