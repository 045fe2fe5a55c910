"""Thresholds in one place: as typed in 阈值配置, and the values in force (bounds and order applied).

Two readings, on purpose. The workbook's formulas compute with what is typed (a blank is 0),
and the engine's twins of those formulas (:mod:`.metrics`) read :func:`typed` the same way.
The alerts, the cross-checks and the worksheet functions use :func:`in_force`: a value that is
blank, not a number, outside its unit's bounds or out of order with its pair falls back to the
seeds' default, so one typo neither floods the alerts nor silences them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlpromo.model.defaults import THRESHOLD_BOUNDS, THRESHOLD_ORDER, THRESHOLDS, Ordered, threshold

__all__ = ["InForce", "default", "in_force", "typed", "usable", "with_threshold"]


def typed(frames: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """Threshold code → value, as typed in 阈值配置 (validated types: numbers, dates, None)."""
    th = frames["thresholds"]
    return {str(c): v for c, v in zip(th["code"], th["value"], strict=True)}


def with_threshold(frames: Mapping[str, pd.DataFrame], code: str, value: Any) -> dict[str, pd.DataFrame]:
    """``frames`` with one threshold set as if typed (its row added when the sheet lost it); the frames given
    are not changed."""
    th = frames["thresholds"]
    hit = th["code"].eq(code).to_numpy(dtype=bool)
    if hit.any():
        th = th.copy()
        th["value"] = th["value"].astype(object)
        th.loc[hit, "value"] = [value] * int(hit.sum())
    else:
        th = pd.concat([th, pd.DataFrame([{"code": code, "value": value}])], ignore_index=True)
    return {**frames, "thresholds": th}


def default(code: str) -> float:
    """The seeds' default of a numeric threshold (defaults.THRESHOLDS)."""
    return float(threshold(code).value or 0)


def usable(code: str, value: Any) -> float | None:
    """A typed threshold as the alerts may use it: a finite number within its unit's bounds; else None."""
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        return None
    v = float(value)
    lo, hi = THRESHOLD_BOUNDS.get(threshold(code).unit, (-math.inf, math.inf))
    return v if math.isfinite(v) and lo <= v <= hi else None


@dataclass(frozen=True)
class InForce:
    """The threshold values in force, and why some typed values were set aside for their defaults."""

    values: dict[str, float]  # every numeric code of defaults.THRESHOLDS
    unusable: frozenset[str]  # codes whose value is missing, blank, not a number or out of range
    misordered: tuple[Ordered, ...]  # pairs out of order (after the unusable fell back): both at their defaults


def in_force(values_typed: Mapping[str, Any]) -> InForce:
    """Each threshold as typed (:func:`typed`), or its default where the value is unusable or out of order
    with its pair (defaults.THRESHOLD_ORDER)."""
    values: dict[str, float] = {}
    unusable: set[str] = set()
    for t in THRESHOLDS:
        if t.value is None:  # 统计日期: a date, read by metrics.as_of_date
            continue
        v = usable(t.code, values_typed.get(t.code))
        if v is None:
            unusable.add(t.code)
        values[t.code] = default(t.code) if v is None else v
    misordered = tuple(p for p in THRESHOLD_ORDER if not p.holds(values[p.low], values[p.high]))
    for p in misordered:
        values[p.low], values[p.high] = default(p.low), default(p.high)
    return InForce(values, frozenset(unusable), misordered)
