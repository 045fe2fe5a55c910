"""What an alert is, and what a rule sees: the alert, its level, a rule's declaration, the run's context.

The rules themselves are in :mod:`.rules`. A rule reads the computed frames (index = Excel row)
and the thresholds in force through a :class:`Context`, and words its message with the helpers
here, so every alert names its cell, its department and its deadline the same way.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from xlpromo.engine import thresholds
from xlpromo.engine.findings import json_value
from xlpromo.engine.metrics import as_of_date, status
from xlpromo.model.book import RawBook, RawTable, as_row
from xlpromo.model.defaults import ALL_CHANNELS, STATUS_LABELS
from xlpromo.model.parse import shown
from xlpromo.model.series import map_unique

__all__ = ["ALERT_HEADERS", "Alert", "Context", "Level", "Rule", "on", "owner_of", "records", "said", "share",
           "show", "task_of", "what", "when"]

#: Column titles of an alert list (terminal, retrospective): location, level, state, message, department, deadline.
ALERT_HEADERS = ("位置", "级别", "状态", "预警", "责任部门", "时限")

_PASS, _WARN, _FAIL = STATUS_LABELS


class Level(StrEnum):
    """How urgent an alert is."""

    INFO = "提示"
    WARNING = "预警"
    CRITICAL = "严重"


@dataclass(frozen=True)
class Alert:
    """One alert at one cell: who should act, by when, and why."""

    code: str
    level: Level
    sheet: str
    cell: str
    row: int | None
    message: str
    dept: str
    deadline: str
    value: Any = None
    table: str = ""  # the schema key of the table the row is in (daily, tasks…)
    date: dt.date | None = None  # the row's 日期, a task's 截止时间 (alert_state.settle)
    state: str = ""  # 新增, 持续 N 天 or 已说明 (alert_state.settle)
    also: tuple[str, ...] = ()  # the codes of the alerts of the same row joined into this one
    name: str = ""  # the rule's Chinese name (指标未达标, 客诉率超上限…)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with every field."""
        return {"code": self.code, "level": self.level.value, "sheet": self.sheet, "cell": self.cell,
                "row": self.row, "message": self.message, "dept": self.dept, "deadline": self.deadline,
                "value": json_value(self.value), "name": self.name, "state": self.state,
                "date": self.date.isoformat() if self.date else None, "also": list(self.also)}


@dataclass(frozen=True)
class Rule:
    """A monitoring rule of the seeds: what it watches and which thresholds it reads."""

    code: str
    title: str
    thresholds: tuple[str, ...]
    check: Callable[[Context], Iterator[Alert]]
    metrics: tuple[str, ...] = ()  # catalogue metrics the rule watches by name (validation warns when one is gone)


class Context:
    """Frames, thresholds and cell addresses shared by the rules of one run."""

    def __init__(self, frames: dict[str, pd.DataFrame], book: RawBook) -> None:
        self.frames = frames
        self.book = book
        self.typed = thresholds.typed(frames)
        self.th = thresholds.in_force(self.typed).values
        self.as_of = as_of_date(frames).date()
        daily = frames["daily"]
        self.metric_keys = map_unique(daily["metric"], lambda m: str(m).casefold())
        codes, keys = pd.factorize(self.metric_keys)  # daily(metric) compares integers, not 100k texts
        self._metric_codes, self._metric_code = codes, {k: i for i, k in enumerate(keys)}
        self._off: pd.DataFrame | None = None

    def t(self, code: str) -> float:
        """The value in force of a threshold (typed, or its default)."""
        return self.th[code]

    def alert(self, table: str, row: int, key: str, code: str, level: Level, message: str, dept: Any,
              deadline: str, value: Any = None) -> Alert:
        raw: RawTable = self.book.tables[table]
        if key not in raw.columns:  # a computed column whose header was removed: point at the row start
            key = raw.table.columns[0].key
        return Alert(code, level, raw.sheet, raw.address(row, key), row, message,
                     str(dept) if isinstance(dept, str) and dept else "运营部", deadline, value, table=table)

    def daily(self, metric: str | None = None) -> pd.DataFrame:
        d = self.frames["daily"]
        if metric is None:
            return d
        mask = pd.Series(self._metric_codes == self._metric_code.get(metric.casefold(), -2), index=d.index)
        return d.loc[mask]  # a boolean Series: rows, even when empty

    def statuses(self) -> pd.Series:
        """状态 of each daily row by the lines in force: the computed column, unless a typed line was set aside."""
        d = self.frames["daily"]
        lines = self.t("pass_line"), self.t("warn_line")
        typed = (self.typed.get("pass_line"), self.typed.get("warn_line"))
        if all(isinstance(v, numbers.Real) and float(v) == line for v, line in zip(typed, lines, strict=True)):
            return d["status"]
        return status(d["rate"], d["target"], d["actual"], d["direction"], *lines)

    def off_target(self) -> pd.DataFrame:
        """Daily rows whose 状态 (by the lines in force) is 预警 or 未达标."""
        if self._off is None:
            d, st = self.frames["daily"], self.statuses()
            off = st.isin((_WARN, _FAIL)).astype(bool)
            self._off = d.loc[off].assign(status=st[off])
        return self._off


class _Record(Mapping[str, Any]):
    """One row as ``to_dict("records")`` gives it, its values made native only when read."""

    __slots__ = ("_boxed", "_columns", "_values")

    def __init__(self, columns: dict[str, int], boxed: list[bool], values: tuple[Any, ...]) -> None:
        self._columns, self._boxed, self._values = columns, boxed, values

    def __getitem__(self, key: str) -> Any:
        i = self._columns[key]
        return _native(self._values[i]) if self._boxed[i] else self._values[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


_NATIVE = frozenset({str, float, int, bool, type(None), dt.date, dt.datetime, pd.Timestamp})


def _native(v: Any) -> Any:
    """A numpy scalar as the Python value ``to_dict`` gives (pandas' maybe_box_native), anything else as it is."""
    if type(v) in _NATIVE:
        return v
    if pd.api.types.is_float(v):
        return float(v)
    if pd.api.types.is_integer(v):
        return int(v)
    if pd.api.types.is_bool(v):
        return bool(v)
    if isinstance(v, np.datetime64):
        return pd.Timestamp(v)
    if isinstance(v, np.timedelta64):
        return pd.Timedelta(v)
    return None if v is pd.NA else v


def records(df: pd.DataFrame) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(Excel row, record) of a small selection; much cheaper than iterrows or to_dict."""
    columns = {str(k): i for i, k in enumerate(df.columns)}
    boxed = [t == np.dtype(object) or isinstance(t, ExtensionDtype) for t in df.dtypes]  # as to_dict does
    return zip((as_row(i) for i in df.index),
               (_Record(columns, boxed, v) for v in df.itertuples(index=False, name=None)), strict=True)


def show(v: float, unit: str) -> str:
    return f"{v:.1%}" if unit == "%" else f"{v:g}{unit}"


def share(v: float) -> str:
    """A share as a percentage without needless decimals: 0.05 → 5%, 0.025 → 2.5%, 90 → 9000%."""
    return f"{v * 100:.2f}".rstrip("0").rstrip(".") + "%"


def said(v: Any) -> str:
    """A cell's value as a message shows it (dates as 2024-06-18); "" when blank, never None or nan."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return ""
    return shown(v).strip() if isinstance(v, dt.date) else str(v).strip()


def when(v: Any) -> str:
    """The 日期 of a row for a message."""
    return said(v) or "（未填日期）"


def what(v: Any) -> str:
    """The 核心指标 of a row for a message."""
    return said(v) or "（未填核心指标）"


def on(r: Mapping[str, Any], metric: str | None = None) -> str:
    """A daily row's metric and channel for a message: ``ROI（抖音）``; ``GMV`` for 全渠道 or no channel."""
    channel = said(r.get("channel"))
    name = what(r["metric"]) if metric is None else metric
    return f"{name}（{channel}）" if channel and channel != ALL_CHANNELS else name


def task_of(r: Mapping[str, Any]) -> str:
    """A task for a message: ``任务 T001“618活动商品选品”``; a blank 任务编号 or 任务名称 is left out or said."""
    tid, name = said(r["task_id"]), said(r["name"])
    return "任务" + (f" {tid}" if tid else "") + (f"“{name}”" if name else "（未填任务名称）")


def owner_of(r: Mapping[str, Any], lead: str) -> str:
    """``{lead}负责人 X`` for a message; "" when 负责人 is blank."""
    owner = said(r["owner"])
    return f"{lead}负责人 {owner}" if owner else ""
