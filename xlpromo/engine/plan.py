"""The daily plan: one 每日监控 row per campaign day × metric × channel, its 目标值 from the campaign's targets.

A target that adds up over the days (汇总方式 求和: GMV, 订单量, 新客数 …) is split over 预热开始..返场结束 by
the phase weights of 阈值配置 (预热/爆发/返场 days, and the first 爆发 day's 开门红), then equally over the
channels picked, rounded to the unit (0.01 万元, whole 人 and 单) by the largest remainder, so the rows add up
to the target exactly as it reads. Any other target (a rate, an average, a ratio weighted by its denominator) is
the same every day and on every channel. Rows already on 每日监控 (the same 日期, 核心指标 and 渠道) are kept and
never overwritten. Works on validated frames; never opens a file.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from xlpromo.engine.board import campaign_dates
from xlpromo.engine.cells import Frames, dates, numeric
from xlpromo.engine.metrics import campaign_phase
from xlpromo.engine.thresholds import in_force, typed
from xlpromo.model.defaults import AGG_SUM, ALL_CHANNELS
from xlpromo.model.master import TARGETS
from xlpromo.model.values import is_blank

__all__ = ["PHASE_WEIGHTS", "DailyPlan", "PlanError", "day_weights", "plan_daily", "split_exact"]

#: The 阈值配置 code of each phase's daily weight; the first 爆发 day takes ``plan_weight_opening``.
PHASE_WEIGHTS = {"预热期": "plan_weight_warmup", "爆发期": "plan_weight_burst", "返场期": "plan_weight_return"}
_OPENING = "plan_weight_opening"
#: Decimals a split target keeps, by unit: counts are whole, money to the cent of its unit.
_DIGITS = {"人": 0, "单": 0, "张": 0, "万元": 2, "元": 2}


class PlanError(ValueError):
    """The plan cannot be made (no campaign dates, a metric without a target, weights all zero): a Chinese reason,
    and the key of the table where it is mended, so the message names that sheet."""

    def __init__(self, message: str, table: str = "targets") -> None:
        super().__init__(message)
        self.table = table


@dataclass
class DailyPlan:
    """The rows to add (日期, 核心指标, 渠道, 目标值, in date, metric and channel order) and what was left out."""

    rows: pd.DataFrame
    kept: int = 0  # planned keys already on 每日监控: left as they are
    skipped: list[str] = field(default_factory=list)  # metrics left out, each with why


def day_weights(frames: Frames) -> pd.Series:
    """Each campaign day (预热开始..返场结束) → its share of a summed target (the shares add up to 1)."""
    span = campaign_dates(frames)
    if span is None:
        raise PlanError("活动目标的预热开始、爆发开始、爆发结束、返场结束须都是日期，才能按天生成计划")
    start, burst, burst_end, end = (d.date() for d in span)
    if not start <= burst <= burst_end <= end:
        raise PlanError("活动目标的四个日期须依次不早于前一个（预热开始 ≤ 爆发开始 ≤ 爆发结束 ≤ 返场结束）")
    th = in_force(typed(frames)).values
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    weights = [th[_OPENING] if d == burst else th[PHASE_WEIGHTS[campaign_phase(d, start, burst, burst_end, end)]]
               for d in days]
    total = sum(weights)
    if total <= 0:
        raise PlanError("阈值配置中日计划权重（预热期、爆发期、开门红、返场期）都为 0，无法拆分目标", "thresholds")
    return pd.Series([w / total for w in weights], index=pd.DatetimeIndex(days), dtype=float)


def split_exact(total: float, shares: Sequence[float], digits: int) -> list[float]:
    """``total`` split by ``shares`` (adding up to 1), each part rounded to ``digits`` decimals, the parts adding up
    to ``total`` as rounded to ``digits``: the largest remainders take the last units (ties to the earlier part)."""
    unit = Decimal(1).scaleb(-digits)
    whole = int((Decimal(repr(total)) / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    raw = [whole * s for s in shares]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - parts[i]), i))
    for i in order[:whole - sum(parts)]:
        parts[i] += 1
    return [float(Decimal(p) * unit) for p in parts]


def targets(frames: Frames) -> dict[str, float]:
    """Metric → the campaign's target: 活动目标's columns first, then the first 目标值 of 目标拆解 for the metric."""
    out: dict[str, float] = {}
    t = frames["targets"]
    if len(t):
        for col in TARGETS.columns:
            v = numeric(t[col.key]).iloc[0] if col.metric and col.key in t else math.nan
            if col.metric and not math.isnan(v):
                out[col.metric] = float(v)
    b = frames["breakdown"]
    for m, v in zip(b["metric"], numeric(b["target"]), strict=True):
        if isinstance(m, str) and m.strip() and not math.isnan(v):
            out.setdefault(m.strip(), float(v))
    return out


def _catalogue(frames: Frames) -> dict[str, tuple[str, str]]:
    """Metric → (unit, 汇总方式) as 指标目录 reads."""
    m = frames["metrics"]
    return {str(n).strip(): (str(u).strip() if isinstance(u, str) else "", str(a).strip() if isinstance(a, str) else "")
            for n, u, a in zip(m["name"], m["unit"], m["aggregate"], strict=True) if isinstance(n, str) and n.strip()}


def _existing(frames: Frames) -> set[tuple[pd.Timestamp, str, str]]:
    """The keys already on 每日监控 (日期, 核心指标, 渠道; a blank 渠道 is 全渠道)."""
    d = frames["daily"]
    return {(day, str(m).strip(), _channel(c)) for day, m, c in zip(dates(d["date"]), d["metric"], d["channel"],
                                                                     strict=True)
            if not pd.isna(day) and isinstance(m, str)}


def _channel(c: object) -> str:
    return ALL_CHANNELS if is_blank(c) else str(c).strip()


def plan_daily(frames: Frames, metrics: Sequence[str] = (), channels: Sequence[str] = ()) -> DailyPlan:
    """The rows to add to 每日监控 for ``metrics`` (default: every catalogued metric with a target) on ``channels``
    (default: 全渠道, whose 渠道 is left blank). PlanError when a metric or channel asked for cannot be planned."""
    weights = day_weights(frames)
    goals, catalogue = targets(frames), _catalogue(frames)
    known = list(dict.fromkeys(str(v).strip() for v in frames["channels"]["value"] if not is_blank(v)))
    unknown = [c for c in channels if c not in known]
    if unknown:
        raise PlanError(f"渠道 {'、'.join(unknown)} 不在数据字典的渠道列表中（可选：{'、'.join(known)}）", "channels")
    plan = DailyPlan(pd.DataFrame(columns=["date", "metric", "channel", "target"]))
    picked = list(metrics) or list(goals)
    for m in picked:
        why = ("不在数据字典的指标目录中" if m not in catalogue else
               "没有目标值（活动目标或目标拆解中填写后再生成）" if m not in goals else "")
        if why and metrics:
            raise PlanError(f"指标 {m} {why}", "metrics" if m not in catalogue else "targets")
        if why:
            plan.skipped.append(f"{m}：{why}")
    if not any(m in catalogue for m in picked if m in goals):
        raise PlanError("活动目标与目标拆解中没有指标目录里的指标的目标值（如核心目标(GMV/万元)），无法生成日计划")
    rows: list[tuple[pd.Timestamp, str, str, float]] = []
    chans = list(channels) or [ALL_CHANNELS]
    have = _existing(frames)
    for m in (m for m in picked if m in catalogue and m in goals):
        unit, how = catalogue[m]
        per_day = (split_exact(goals[m], list(weights), _DIGITS.get(unit, 4)) if how == AGG_SUM
                   else [goals[m]] * len(weights))
        shares = [c for c in chans if c != ALL_CHANNELS]  # 全渠道 is the day's whole; the channels share it
        for day, goal in zip(weights.index, per_day, strict=True):
            parts = dict(zip(shares, split_exact(goal, [1 / len(shares)] * len(shares), _DIGITS.get(unit, 4))
                             if how == AGG_SUM and shares else [goal] * len(shares), strict=True))
            for c in chans:
                v = parts.get(c, goal)
                if (day, m, c) in have:
                    plan.kept += 1
                else:
                    rows.append((day, m, "" if c == ALL_CHANNELS else c, v))
    rows.sort(key=lambda r: (r[0], picked.index(r[1]), chans.index(r[2] or ALL_CHANNELS)))
    plan.rows = pd.DataFrame(rows, columns=["date", "metric", "channel", "target"])
    return plan
