"""What an alert means today, without a database: its date, whether it is new, open for days, or explained.

The workbook is the only memory a campaign has between two mornings, so the state is derived from it: an alert
on a 每日监控 row is dated by the row's 日期, a task's by its 截止时间. It is ``新增`` on the latest day with
results (统计日期 when that day has results), ``持续 N 天`` when older and still unexplained, and ``已说明`` once
the row's 异常说明 and 调整措施 are both filled: it stays listed, one level lower, and no longer asks for a cause.
A 达成率 alert and a threshold alert on the same row are one problem: one line naming both.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from enum import StrEnum

import pandas as pd

from xlpromo.engine.alerts import Alert, Level, said
from xlpromo.engine.rules import ALERT_NAMES

__all__ = ["NEW", "State", "latest_day", "settle"]


class State(StrEnum):
    """How an alert stands today (``持续`` is said with its age: ``持续 3 天``)."""

    NEW = "新增"
    ONGOING = "持续"
    EXPLAINED = "已说明"


NEW = State.NEW.value
_LOWER = {Level.CRITICAL: Level.WARNING, Level.WARNING: Level.INFO, Level.INFO: Level.INFO}
_LEVEL_ORDER = {Level.CRITICAL: 0, Level.WARNING: 1, Level.INFO: 2}
_STATE_ORDER = {State.NEW: 0, State.ONGOING: 1, State.EXPLAINED: 2}
#: Alerts on a 每日监控 row that a 达成率 alert of the same row joins into one line (the row's thresholds).
_JOINS = "metric-off-target"


def latest_day(daily: pd.DataFrame, as_of: dt.date) -> dt.date:
    """The day alerts are new on: 统计日期 when a row of that day has an 实际值, else the latest such day before it
    (统计日期 itself when no day has results yet)."""
    dates = pd.to_datetime(daily["date"].where(pd.to_numeric(daily["actual"], errors="coerce").notna()),
                           errors="coerce")
    dates = dates[dates.notna() & (dates <= pd.Timestamp(as_of))]
    return as_of if dates.empty else dates.max().date()


def settle(alerts: Iterable[Alert], frames: Mapping[str, pd.DataFrame], as_of: dt.date) -> list[Alert]:
    """``alerts`` dated, joined per row and problem, named (the rule's Chinese name), given their state and
    ordered: by level, then state, then date (oldest first), then where they are."""
    daily, tasks = frames["daily"], frames["tasks"]
    latest = latest_day(daily, as_of)
    out = [dataclasses.replace(_state(_dated(a, daily, tasks), daily, latest), name=ALERT_NAMES.get(a.code, a.code))
           for a in _joined(list(alerts))]
    return sorted(out, key=lambda a: (_LEVEL_ORDER[a.level], _STATE_ORDER[_state_of(a)], a.date or dt.date.max,
                                      a.sheet, a.row or 0, a.cell))


def _dated(a: Alert, daily: pd.DataFrame, tasks: pd.DataFrame) -> Alert:
    """The alert with the date of its row: a daily row's 日期, a task's 截止时间."""
    frame, key = {"daily": (daily, "date"), "tasks": (tasks, "due")}.get(a.table, (None, ""))
    if frame is None or a.row is None or a.row not in frame.index:
        return a
    day = frame.at[a.row, key]
    return dataclasses.replace(a, date=pd.Timestamp(day).date()) if isinstance(day, dt.date) else a


def _state(a: Alert, daily: pd.DataFrame, latest: dt.date) -> Alert:
    """The alert as it stands on ``latest``: explained (a daily row with 异常说明 and 调整措施), new or ongoing."""
    if a.table == "daily" and a.row in daily.index and said(daily.at[a.row, "issue"]) \
            and said(daily.at[a.row, "action"]):
        return dataclasses.replace(a, state=State.EXPLAINED.value, level=_LOWER[a.level],
                                   deadline="已说明原因与措施：跟进措施效果")
    if a.date is None or a.date >= latest:
        return dataclasses.replace(a, state=State.NEW.value)
    return dataclasses.replace(a, state=f"{State.ONGOING.value} {(latest - a.date).days} 天")


def _state_of(a: Alert) -> State:
    """The state without its age."""
    return State(a.state.split(" ")[0]) if a.state else State.NEW


def _joined(alerts: list[Alert]) -> list[Alert]:
    """A 达成率 alert and the threshold alerts of the same row as one line: the most urgent level, the 达成率
    message followed by the others' (without their repeated date), every code in ``also``."""
    rate_of: dict[tuple[str, int | None], int] = {(a.sheet, a.row): i for i, a in enumerate(alerts)
                                                  if a.code == _JOINS and a.row is not None}
    joined: dict[int, list[Alert]] = {}
    keep: list[int] = []
    for i, a in enumerate(alerts):
        j = rate_of.get((a.sheet, a.row))
        if j is not None and i != j and a.table == "daily" and a.code != "cause-overdue":
            joined.setdefault(j, []).append(a)
        else:
            keep.append(i)
    out = []
    for i in keep:
        a = alerts[i]
        others = joined.get(i)
        if others:
            level = min([a.level, *(o.level for o in others)], key=_LEVEL_ORDER.__getitem__)
            text = "；".join([a.message, *(_without_date(o.message, a.message) for o in others)])
            a = dataclasses.replace(a, level=level, message=text, also=tuple(o.code for o in others))
        out.append(a)
    return out


def _without_date(message: str, first: str) -> str:
    """``message`` without the date it shares with ``first`` (``2024-06-21 客诉率 0.6% 超过上限 0.5%`` →
    ``客诉率 0.6% 超过上限 0.5%``)."""
    head = first.split(" ", 1)[0]
    return message[len(head) + 1:] if message.startswith(head + " ") else message
