"""The day's picture for the 日报: where the campaign stands, what is off target, who must act, what went well.

Pure pandas over a checked workbook (:class:`~xlpromo.engine.report.Report`): the pacing is
:func:`~xlpromo.engine.summary.pacing`'s and the day's GMV that of 看板's day block
(:func:`~xlpromo.engine.board.board_days`), so the 日报, ``report`` and 看板 say the same GMV; the to-do list is
the settled alerts (新增 / 持续 N 天), grouped by 责任部门, without the explained ones.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from xlpromo.engine.alert_state import latest_day
from xlpromo.engine.alerts import Alert, said
from xlpromo.engine.board import board_days
from xlpromo.engine.metrics import campaign_phase, finite, numeric
from xlpromo.engine.report import Report
from xlpromo.engine.summary import Pacing, pacing
from xlpromo.model.defaults import ALL_CHANNELS, STATUS_LABELS, TASK_DONE_STATES
from xlpromo.model.series import map_unique

__all__ = ["DailyReport", "DayMetric", "DoneTask", "Todo", "daily_report"]

_PASS, _WARN, _FAIL = STATUS_LABELS
#: The alert that only says another alert of its row is unexplained after 24 h: the 日报 says so on that line.
_CAUSE_OVERDUE = "cause-overdue"


@dataclass(frozen=True)
class DayMetric:
    """One 每日监控 row of the report day: a metric on a channel, its 达成率, 状态 and 环比."""

    metric: str
    channel: str
    unit: str
    target: float
    actual: float
    rate: float
    status: str
    dod: float  # 环比: a relative change, or points when ``dod_points``
    dod_points: bool
    dept: str


@dataclass(frozen=True)
class Todo:
    """An alert someone must act on today (not explained yet), and whether its cause is over 24 h late."""

    alert: Alert
    cause_late: bool = False


@dataclass(frozen=True)
class DoneTask:
    """A task done with its deadline on the report day or the day before."""

    task_id: str
    name: str
    dept: str
    owner: str
    due: dt.date


@dataclass(frozen=True)
class DailyReport:
    """Everything the 日报 says, as numbers and alerts; rendered by :mod:`xlpromo.files.daily`."""

    campaign: str
    as_of: dt.date  # 统计日期 of the run
    day: dt.date  # the day whose numbers are reported: the latest day with results up to 统计日期
    phase: str
    day_no: int | None  # day N of M of the campaign (预热开始 → 返场结束); None outside it or without dates
    days: int | None
    pacing: Pacing | None
    gmv: float  # GMV of ``day`` (the rows that make its total), NaN when none
    gmv_target: float
    off: list[DayMetric]  # rows of ``day`` off target (未达标 first, then 预警), with channel
    good: list[DayMetric]  # rows of ``day`` at or above target, best first
    todo: dict[str, list[Todo]]  # 责任部门 → open alerts, most urgent first
    explained: int  # alerts whose cause and adjustment are filled (still followed up, not asked for)
    done: list[DoneTask] = field(default_factory=list)
    alerts: int = 0

    @property
    def gmv_rate(self) -> float:
        """GMV of the day ÷ its daily target; NaN when either is missing."""
        return finite(self.gmv / self.gmv_target) if self.gmv_target and math.isfinite(self.gmv_target) else math.nan

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``xlpromo daily --format json``."""
        p = self.pacing
        return {
            "campaign": self.campaign, "as_of": self.as_of.isoformat(), "day": self.day.isoformat(),
            "phase": self.phase, "day_no": self.day_no, "days": self.days,
            "gmv": {"day": _num(self.gmv), "day_target": _num(self.gmv_target), "day_rate": _num(self.gmv_rate),
                    "to_date": _num(p.gmv_to_date) if p else None, "target": _num(p.gmv_target) if p else None,
                    "progress": _num(p.progress) if p else None, "elapsed": _num(p.elapsed) if p else None,
                    "pace": _num(p.pace) if p else None},
            "off_target": [_metric_dict(m) for m in self.off],
            "on_target": [_metric_dict(m) for m in self.good],
            "todo": {dept: [{**t.alert.to_dict(), "cause_late": t.cause_late} for t in items]
                     for dept, items in self.todo.items()},
            "explained": self.explained, "alerts": self.alerts,
            "done": [{"task_id": d.task_id, "name": d.name, "dept": d.dept, "owner": d.owner,
                      "due": d.due.isoformat()} for d in self.done],
        }


def _num(v: float) -> float | None:
    """A float for JSON: None for NaN or inf."""
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None


def _metric_dict(m: DayMetric) -> dict[str, Any]:
    return {"metric": m.metric, "channel": m.channel, "unit": m.unit, "target": _num(m.target),
            "actual": _num(m.actual), "rate": _num(m.rate), "status": m.status, "dod": _num(m.dod),
            "dod_basis": "百分点" if m.dod_points else "相对变化", "dept": m.dept}


def daily_report(report: Report) -> DailyReport:
    """The 日报 of a checked workbook as of its 统计日期 (``check_book(as_of=…)`` sets another): rows dated after
    it are not the day's business and are left out, as if not typed yet."""
    f = report.frames
    as_of = report.as_of or pd.Timestamp.today().date()
    daily = f["daily"]
    day = latest_day(daily, as_of)
    p = pacing(f)
    name, day_no, days, phase = _campaign(f["targets"], as_of)
    rows = daily[_on(daily, day)] if len(daily) else daily
    metrics = [_day_metric(r) for r in rows.to_dict("records")]
    off = sorted((m for m in metrics if m.status in (_WARN, _FAIL)),
                 key=lambda m: (m.status != _FAIL, _key(m.rate)))
    good = sorted((m for m in metrics if m.status == _PASS and math.isfinite(m.rate) and m.rate >= 1),
                  key=lambda m: -m.rate)
    gmv, gmv_target = _gmv(f, day)
    alerts = [a for a in report.alerts if not (a.table == "daily" and a.date is not None and a.date > as_of)]
    todo, explained = _todo(alerts)
    return DailyReport(name, as_of, day, phase, day_no, days, p, gmv, gmv_target, off,
                       good, todo, explained, _done(f["tasks"], day), len(alerts))


def _key(rate: float) -> float:
    return rate if math.isfinite(rate) else math.inf


def _on(daily: pd.DataFrame, day: dt.date) -> pd.Series:
    """Rows dated ``day``."""
    return map_unique(daily["date"], lambda d: isinstance(d, dt.date) and pd.Timestamp(d).date() == day).astype(bool)


def _campaign(targets: pd.DataFrame, day: dt.date) -> tuple[str, int | None, int | None, str]:
    """The campaign's name, day N of M (None outside 预热开始 → 返场结束) and the phase of ``day`` ("" without
    the four campaign dates)."""
    t = targets.iloc[0].to_dict() if len(targets) else {}
    name = str(t["name"]).strip() if isinstance(t.get("name"), str) and t["name"].strip() else "促销活动"
    keys = ("warmup_start", "burst_start", "burst_end", "return_end")
    if not all(isinstance(t.get(k), dt.date) for k in keys):
        return name, None, None, ""
    start, burst, burst_end, end = (pd.Timestamp(t[k]).date() for k in keys)
    days = (end - start).days + 1
    n = (day - start).days + 1
    return (name, n if 1 <= n <= days else None, days if days > 0 else None,
            campaign_phase(day, start, burst, burst_end, end))


def _gmv(frames: Mapping[str, pd.DataFrame], day: dt.date) -> tuple[float, float]:
    """GMV actual and target of ``day`` as 看板's day block has them (the day's 全渠道 rows, else its channels
    summed): the 日报 and 看板 say the same number. NaN outside the campaign or where nothing is typed."""
    days = board_days(dict(frames))
    hit = days[map_unique(days["date"], lambda d: isinstance(d, dt.date) and pd.Timestamp(d).date() == day)
               .astype(bool)]
    if not len(hit):
        return math.nan, math.nan
    row = hit.iloc[0]
    return _float(row["gmv_actual"]), _float(row["gmv_target"])


def _day_metric(r: Mapping[Hashable, Any]) -> DayMetric:
    return DayMetric(said(r["metric"]), said(r["channel"]) or ALL_CHANNELS, said(r["unit"]), _float(r["target"]),
                     _float(r["actual"]), _float(r["rate"]), said(r["status"]), _float(r["dod"]),
                     said(r["dod_basis"]) == "百分点", said(r["dept"]) or "运营部")


def _float(v: Any) -> float:
    x = numeric([v]).iloc[0]
    return float(x) if pd.notna(x) else math.nan


def _todo(alerts: list[Alert]) -> tuple[dict[str, list[Todo]], int]:
    """Open alerts per 责任部门 (departments in order of their most urgent alert), and how many are explained.
    A row's "cause over 24 h late" alert is said on that row's line, not twice."""
    open_ = [a for a in alerts if not a.state.startswith("已说明")]
    late = {(a.sheet, a.row) for a in open_ if a.code == _CAUSE_OVERDUE}
    lined = {(a.sheet, a.row) for a in open_ if a.code != _CAUSE_OVERDUE}
    todo: dict[str, list[Todo]] = {}
    for a in open_:  # already ordered by level, state, date (alert_state.settle)
        if a.code == _CAUSE_OVERDUE and (a.sheet, a.row) in lined:
            continue
        todo.setdefault(a.dept, []).append(Todo(a, (a.sheet, a.row) in late and a.code != _CAUSE_OVERDUE))
    return todo, len(alerts) - len(open_)


def _done(tasks: pd.DataFrame, day: dt.date) -> list[DoneTask]:
    """Tasks 已完成 whose 截止时间 is ``day`` or the day before (the sheet keeps no date of completion)."""
    done_state = TASK_DONE_STATES[0]
    out = []
    for r in tasks.to_dict("records"):
        due = r.get("due")
        if r.get("status") == done_state and isinstance(due, dt.date):
            d = pd.Timestamp(due).date()
            if day - dt.timedelta(days=1) <= d <= day:
                out.append(DoneTask(said(r["task_id"]), said(r["name"]), said(r["dept"]), said(r["owner"]), d))
    return out
