"""Cross-table checks: rules that compare columns and tables (date order, campaign window,
one owner per task, units, thresholds and their order, the breakdown against the campaign target).

Each function takes the validation run (for its typed frames and its ``add``) and a table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from typing import Any, Protocol

import numpy as np
import pandas as pd

from xlpromo.engine import findings as F
from xlpromo.engine import thresholds as TH
from xlpromo.engine.alerts import share
from xlpromo.engine.rules import RULES
from xlpromo.model.book import RawBook, RawTable, as_row
from xlpromo.model.defaults import ADDED_LATER, ALL_CHANNELS, THRESHOLD_BOUNDS, THRESHOLDS, Ordered
from xlpromo.model.defaults import threshold as default_threshold
from xlpromo.model.parse import shown
from xlpromo.model.schema import Direction
from xlpromo.model.series import map_unique


class Run(Protocol):
    """What a cross-table check needs of the validation pass that calls it (:mod:`.validate`):
    the book, the typed frames so far, the cells that failed to parse, and a way to add a finding.
    A protocol, so this module does not import the validator that imports it."""

    book: RawBook
    found: list[F.Finding]
    frames: dict[str, pd.DataFrame]
    bad: dict[str, set[tuple[int, str]]]
    units: dict[str, str]
    table_start: int

    def add(self, raw: RawTable, check: type[F.Check], row: int | None, key: str | None, value: Any = None,
            **ctx: Any) -> None:
        """Add a finding at a cell of ``raw``."""

    def unique(self, raw: RawTable, frame: pd.Series | pd.DataFrame, keys: list[str], what: str) -> None:
        """Report duplicates of ``keys`` in ``frame``."""

__all__ = [
    "FAR_DAYS",
    "SUSPICIOUS_WAN",
    "Run",
    "breakdown",
    "catalogue",
    "daily",
    "targets",
    "tasks",
    "thresholds",
    "window",
]

SUSPICIOUS_WAN = {"targets": 100_000, "daily": 10_000}  # 万元 values this large were probably typed in 元
_OWNER_SEPARATORS = re.compile(r"[、,，/／;；&＆+]|\s(和|及|与)\s")  # not 和 inside a name (王和平), not "Tom Lee"


#: Threshold codes the alert rules read: a bad value of one of them is set aside for its default.
_ALERT_CODES = frozenset(code for rule in RULES for code in rule.thresholds)


#: An actual this many times its target (or this many times smaller) is more likely a slip of unit than a result.
SCALE_GAP = 50
#: Codes of the budget split in 阈值配置 (预算占比·流量 …): together 100%.
BUDGET_PREFIX = "budget_"
#: How far a task date may lie from the campaign window before it looks like a wrong year.
FAR_DAYS = dt.timedelta(days=180)


def _day(v: dt.date) -> dt.date:
    """The calendar day of a date or datetime, so the two compare."""
    return v.date() if isinstance(v, dt.datetime) else v


def targets(run: Run, raw: RawTable, t: pd.DataFrame) -> None:
    order = ["warmup_start", "burst_start", "burst_end", "return_end"]
    for row in t.index:
        for a, b in itertools.pairwise(order):
            da, db = t.at[row, a], t.at[row, b]
            if isinstance(da, dt.date) and isinstance(db, dt.date) and _day(db) < _day(da):
                ha, hb = raw.table.col(a).header, raw.table.col(b).header
                run.add(raw, F.DateOrder, as_row(row), b, db, message=f"{hb}（{db}）早于{ha}（{da}）")
        gmv = t.at[row, "gmv_target"]
        if isinstance(gmv, float) and gmv >= SUSPICIOUS_WAN["targets"]:
            run.add(raw, F.SuspiciousUnit, as_row(row), "gmv_target", gmv, wan=gmv / 10000)

def tasks(run: Run, raw: RawTable, t: pd.DataFrame) -> None:
    is_date = lambda v: isinstance(v, dt.date)  # noqa: E731
    both = (map_unique(t["start"], is_date) & map_unique(t["due"], is_date)).astype(bool)
    early = t.loc[both, "due"].map(_day) < t.loc[both, "start"].map(_day)
    due_h, start_h = raw.table.col("due").header, raw.table.col("start").header
    for row, due in t.loc[early[early].index, "due"].items():
        run.add(raw, F.DateOrder, as_row(row), "due", due, message=f"{due_h}早于{start_h}")
    span = window(run)
    if span:  # a task months away from the campaign: most likely a typo in the year (2026 for 2025)
        lo, hi = _day(span[0]) - FAR_DAYS, _day(span[1]) + FAR_DAYS
        for key in ("start", "due"):
            far = map_unique(t[key], lambda day: isinstance(day, dt.date) and not lo <= _day(day) <= hi)
            for row, day in t[key][far.astype(bool)].items():
                before = _day(day) < lo
                days = ((_day(span[0]) - _day(day)) if before else (_day(day) - _day(span[1]))).days
                run.add(raw, F.FarFromCampaign, as_row(row), key, day, what=raw.table.col(key).header,
                        start=span[0], end=span[1], days=f"{'早' if before else '晚'} {days}")
    several = map_unique(t["owner"], lambda o: isinstance(o, str) and bool(_OWNER_SEPARATORS.search(o.strip())))
    for row, owner in t.loc[several.astype(bool), "owner"].items():
        run.add(raw, F.MultipleOwners, as_row(row), "owner", owner)

def daily(run: Run, raw: RawTable, d: pd.DataFrame) -> None:
    span = window(run)
    if span:
        start, end = span
        lo, hi = _day(start), _day(end)
        outside = map_unique(d["date"], lambda day: isinstance(day, dt.date) and not lo <= _day(day) <= hi)
        for row, day in d["date"][outside.astype(bool)].items():
            run.add(raw, F.OutsideCampaign, as_row(row), "date", day, start=start, end=end)
    keyed = d[["date", "metric", "channel"]].copy()
    keyed["channel"] = map_unique(keyed["channel"], lambda v: v if isinstance(v, str) and v.strip() else ALL_CHANNELS)
    present = keyed["date"].notna() & keyed["metric"].notna()
    run.unique(raw, keyed[present], ["date", "metric", "channel"], "日期+核心指标+渠道")
    units = map_unique(d["metric"], lambda m: run.units.get(str(m).casefold()))
    for key in ("target", "actual"):
        v = pd.to_numeric(d[key], errors="coerce")
        for row, x in v[(units == "万元") & (v >= SUSPICIOUS_WAN["daily"])].items():
            run.add(raw, F.SuspiciousUnit, as_row(row), key, x, wan=x / 10000)
        for row, x in v[(units == "%") & ((v > 1) | (v < 0))].items():
            run.add(raw, F.OutOfRange, as_row(row), key, x, bounds="0% 至 100%", hint="；百分比请输入如 4.5%")
    _stale_as_of(run, d)
    target, actual = pd.to_numeric(d["target"], errors="coerce"), pd.to_numeric(d["actual"], errors="coerce")
    with np.errstate(over="ignore", divide="ignore"):  # a value near the float limits: no ratio worth showing
        ratio = actual / target.where(target > 0)
        inverse = target / actual.where(actual > 0)
    ratio = ratio.where(np.isfinite(ratio) & (np.isfinite(inverse) | (actual == 0)))
    metrics = run.frames.get("metrics")
    lower = {str(n).casefold() for n, w in zip(metrics["name"], metrics["direction"], strict=True)
             if str(w).strip() == Direction.LOWER} if metrics is not None else set()
    better_low = map_unique(d["metric"], lambda m: str(m).strip().casefold() in lower).astype(bool)
    # too big: 0.8 typed for 0.8%, 元 for 万元; too small only where small is not simply good (客诉率 0.1% vs 5%)
    odd = (ratio >= SCALE_GAP) | ((ratio > 0) & (ratio <= 1 / SCALE_GAP) & ~better_low)
    reported = {f.cell for f in run.found[run.table_start:] if f.sheet == raw.sheet}  # out-of-range, 元 for 万元…
    for row in ratio[odd].index:
        if raw.address(as_row(row), "actual") in reported or raw.address(as_row(row), "target") in reported:
            continue
        pct = units[row] == "%"
        a, t = (share(x) if pct else shown(x) for x in (actual[row], target[row]))
        run.add(raw, F.ScaleMismatch, as_row(row), "actual", actual[row], actual=a, target=t,
                times=f"{_whole(ratio[row])} 倍" if ratio[row] >= 1 else f"1/{_whole(inverse[row])}")


def _whole(x: float) -> str:
    """A ratio as a whole number (``160``); in powers of ten when it has more digits than anyone reads (5.6e+304)."""
    return f"{x:.0f}" if x < 1e15 else f"{x:.2g}"

def _stale_as_of(run: Run, d: pd.DataFrame) -> None:
    """One warning at 统计日期 when 每日监控 has results dated after it: "today" is stale (剩余天数, 逾期, report)."""
    th, raw = run.frames.get("thresholds"), run.book.tables.get("thresholds")
    if th is None or raw is None or "as_of" not in set(th["code"]):
        return
    row = th.index[th["code"] == "as_of"][0]
    as_of = th.at[row, "value"]
    if not isinstance(as_of, dt.date):
        return
    span = window(run)
    hi = _day(span[1]) if span else dt.date.max  # a row after the campaign is outside-campaign already

    def after(v: object) -> bool:
        return isinstance(v, dt.date) and _day(as_of) < _day(v) <= hi

    done = d["actual"].notna() & map_unique(d["date"], after)
    if done.any():
        last = max(_day(v) for v in d.loc[done.astype(bool), "date"])
        run.add(raw, F.StaleAsOf, as_row(row), "value", as_of, rows=int(done.sum()), last=last)


def thresholds(run: Run, raw: RawTable, th: pd.DataFrame) -> None:
    """Each value within what its unit allows (a % up to 100%, a count of days or hours not absurd), ordered pairs
    in order (严重预警线 below 达标线 …); where the alerts set a value aside, its findings name the default used."""
    codes = set(th["code"].dropna().astype(str))
    for t in THRESHOLDS:
        if t.code not in codes and t.code not in ADDED_LATER:
            run.found.append(F.MissingThreshold.at(raw.sheet, "", None, raw.table.col("code").header, t.code))
    for row, code, value in zip(th.index, th["code"], th["value"], strict=True):
        if code != "as_of" and value is None and (as_row(row), "value") not in run.bad.get("thresholds", set()):
            run.add(raw, F.Required, as_row(row), "value")
    for row, unit, value in zip(th.index, raw.data["unit"], th["value"], strict=True):
        lo_hi = THRESHOLD_BOUNDS.get(str(unit).strip())
        if lo_hi is None or not isinstance(value, float) or lo_hi[0] <= value <= lo_hi[1]:
            continue
        pct = unit == "%"
        bounds = f"{lo_hi[0]:.0%} 至 {lo_hi[1]:.0%}" if pct else f"{lo_hi[0]:g} 至 {lo_hi[1]:g}{unit}"
        run.add(raw, F.OutOfRange, as_row(row), "value", value, bounds=bounds,
                 hint="；百分比请输入如 95%" if pct else "")
    typed = TH.typed(run.frames)
    rows = {str(c): as_row(r) for r, c in zip(th.index, th["code"], strict=True)}  # the row whose value is read
    in_force = TH.in_force(typed)
    for code in sorted(in_force.unusable & _ALERT_CODES & rows.keys()):
        _note_default(run, raw, raw.address(rows[code], "value"), f"；预警按默认值 {_shown(code)} 计算")
    for pair in in_force.misordered:
        _order(run, raw, pair, typed, rows)
    shares = [t.code for t in THRESHOLDS if t.code.startswith(BUDGET_PREFIX)]
    nums = [v for v in (typed.get(c) for c in shares) if isinstance(v, float) and 0 <= v <= 1]  # else out-of-range
    if shares and len(nums) == len(shares) and abs(sum(nums) - 1) > 1e-6:  # each one valid, together not 100%
        parts = "、".join(f"{default_threshold(c).name.split('·')[-1]} {share(v)}" for c, v in zip(shares, nums,
                                                                                                   strict=True))
        run.add(raw, F.BudgetSum, rows[shares[0]], "value", nums[0], parts=parts, total=share(sum(nums)))


def _shown(code: str, value: float | None = None) -> str:
    """A threshold's value (its default when None) as a message shows it: 95%, 30秒, 7天."""
    v = float(default_threshold(code).value or 0) if value is None else value
    unit = default_threshold(code).unit
    return share(v) if unit == "%" else f"{v:g}{unit}"


def _note_default(run: Run, raw: RawTable, cell: str, note: str) -> None:
    """Append ``note`` (the default the alerts use instead) to the error findings of this 阈值配置 cell."""
    start = run.table_start
    for i, f in enumerate(run.found[start:], start):
        if f.sheet == raw.sheet and f.cell == cell and f.severity == F.Severity.ERROR:
            run.found[i] = dataclasses.replace(f, message=f.message + note)


def _order(run: Run, raw: RawTable, pair: Ordered, typed: dict[str, Any], rows: dict[str, int]) -> None:
    """A threshold-order finding for a pair out of order, at the cell of a value typed away from its default."""
    low, high = default_threshold(pair.low), default_threshold(pair.high)
    used = {c: TH.usable(c, typed.get(c)) for c in (pair.low, pair.high)}
    changed = [t for t in (low, high) if used[t.code] is not None and used[t.code] != t.value and t.code in rows]
    if not changed:  # the defaults themselves are in order: cannot happen unless defaults.py is wrong
        return

    def side(code: str, name: str) -> str:
        """``达标线 95%``: the value the order was judged on, marked when it is the default."""
        v = used[code]
        return f"{name} {_shown(code, v)}" if v is not None else f"{name} {_shown(code)}（默认值）"

    relation = "应低于" if pair.strict else "不应大于"
    names, defaults = "和".join(t.name for t in changed), " 和 ".join(_shown(t.code) for t in changed)
    message = (f"{side(low.code, low.name)} {relation}{side(high.code, high.name)}，{pair.why}；"
               f"预警按{names}的默认值 {defaults} 计算")
    row = rows[changed[0].code]
    run.add(raw, F.ThresholdOrder, row, "value", typed.get(changed[0].code), message=message)


def catalogue(run: Run, raw: RawTable, metrics: pd.DataFrame) -> None:
    """Every metric an alert rule watches by name is still in 指标目录 (a renamed one would silence the rule)."""
    names = {str(n).strip().casefold() for n in metrics["name"] if isinstance(n, str)}
    cell = raw.address(raw.header_excel_row, "name")
    for rule in RULES:
        for metric in rule.metrics:
            if metric.casefold() not in names:
                header = raw.table.col("name").header
                run.found.append(F.UnwatchedMetric.at(raw.sheet, cell, raw.header_excel_row, header, metric,
                                                      rule=rule.title))


def breakdown(run: Run, raw: RawTable, b: pd.DataFrame) -> None:
    targets = run.frames.get("targets")
    if targets is None or not len(targets):
        return
    tol = _in_force(run)["breakdown_tolerance"]
    columns = {c.metric.casefold(): c for c in run.book.tables["targets"].table.columns if c.metric}
    units = map_unique(b["metric"], lambda m: run.units.get(str(m).casefold()))
    for row in b.index:
        col = columns.get(str(b.at[row, "metric"]).casefold())
        value, total = b.at[row, "target"], None
        if units[row] == "%" and isinstance(value, float) and not 0 <= value <= 1:  # 25 for 25%
            run.add(raw, F.OutOfRange, as_row(row), "target", value, bounds="0% 至 100%",
                    hint="；百分比请输入如 25%")
            continue
        if col is not None:
            total = targets[col.key].iloc[0]
        if isinstance(value, float) and isinstance(total, float) and total:
            gap = abs(value - total) / abs(total)
            if gap > tol:
                run.add(raw, F.TargetMismatch, as_row(row), "target", value, metric=col.metric if col else "",
                         total=shown(total), gap=gap, tol=tol)

def window(run: Run) -> tuple[dt.date, dt.date] | None:
    targets = run.frames.get("targets")
    if targets is None or not len(targets):
        return None
    start, end = targets["warmup_start"].iloc[0], targets["return_end"].iloc[0]
    if isinstance(start, dt.date) and isinstance(end, dt.date) and _day(start) <= _day(end):
        return start, end
    return None

def _in_force(run: Run) -> dict[str, float]:
    """The thresholds in force of this run (defaults where 阈值配置 is missing or unusable)."""
    th = run.frames.get("thresholds")
    return TH.in_force(TH.typed(run.frames) if th is not None else {}).values
