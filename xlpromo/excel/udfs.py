"""Worksheet functions: ``=XP_ACHIEVE(G5,F5,"GMV")`` and siblings, thin wrappers over the engine's functions.

Arguments are converted in one place (:func:`_number`, :func:`_date`, :func:`_direction`) and results
leave through :func:`_result`, so each function returns what the engine returns for the same inputs
(a blank where the engine gives NaN). Bad input gives a readable ``#参数错误：…`` text instead of an
exception. ``xw.func`` and ``xw.arg`` only attach metadata; off Windows they return the function as is.
A ``caller`` argument is filled in by xlwings with the calling cell (it is not an Excel argument).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from xlpromo.engine import thresholds
from xlpromo.engine.metrics import (
    achievement,
    campaign_phase,
    day_on_day,
    elapsed_share,
    numeric,
    pace,
    safety_stock,
    status,
)
from xlpromo.errors import XlpromoError
from xlpromo.excel.adapter import XlBook
from xlpromo.files.reader import read_rows
from xlpromo.model.defaults import METRICS
from xlpromo.model.master import SCHEMA
from xlpromo.model.parse import ParseError, parse_date, shown
from xlpromo.model.schema import Direction
from xlpromo.model.values import is_blank

__all__ = ["ARG_ERROR", "XP_ACHIEVE", "XP_DOD", "XP_PACE", "XP_PHASE", "XP_SAFETY_STOCK", "XP_STATUS"]

#: Start of every error text a function returns for bad input.
ARG_ERROR = "#参数错误："
_DATES = ("warmup_start", "burst_start", "burst_end", "return_end")


class _BadArg(ValueError):
    """An argument the function cannot use; its text follows ARG_ERROR."""


def _number(v: Any, what: str) -> float | None:
    """A number argument: None when blank, _BadArg for text, booleans and dates (Excel's ISNUMBER)."""
    if is_blank(v):
        return None
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise _BadArg(f"{what}“{shown(v)}”不是数字")
    if not math.isfinite(float(v)):
        raise _BadArg(f"{what}不是有限的数字")
    return float(v)


def _date(v: Any, what: str) -> dt.date | None:
    """A date argument: a date cell, an Excel serial or date text; None when blank."""
    if is_blank(v):
        return None
    try:
        return parse_date(v)
    except ParseError:
        raise _BadArg(f"{what}“{shown(v)}”不是日期") from None


def _direction(v: Any) -> str:
    """越高越好 / 越低越好, given as such or as a metric name of the default catalogue; blank is 越高越好."""
    if is_blank(v):
        return Direction.HIGHER.value
    text = str(v).strip()
    if text in {d.value for d in Direction}:
        return text
    for m in METRICS:
        if m.name.casefold() == text.casefold():
            return m.direction.value
    raise _BadArg(f"不认识的指标或方向“{text}”（可填指标名称，或 越高越好 / 越低越好）")


def _result(v: Any) -> Any:
    """An engine value as a cell shows it: NaN and None blank, numpy scalars as Python."""
    if v is None or (isinstance(v, (float, np.floating)) and not math.isfinite(float(v))):
        return ""
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return v


def _call(fn: Callable[[], Any]) -> Any:
    """Run one function body: its result as a cell shows it, or the error text."""
    try:
        return _result(fn())
    except _BadArg as exc:
        return ARG_ERROR + str(exc)
    except XlpromoError as exc:
        return f"#工作簿错误：{exc}"


def _caller_table(caller: Any, key: str) -> pd.DataFrame:
    """One table of the calling cell's workbook (one read of its sheet)."""
    book = XlBook(caller.sheet.book)
    raw = read_rows(book.path, book.sheet_names(), book.read_sheet, book.tables, keys={key})
    return raw.tables[key].data


def _lines(caller: Any) -> tuple[float, float]:
    """达标线 and 严重预警线 from the calling workbook's 阈值配置 (blank counts 0, as in its formulas), or defaults."""
    if caller is None:
        return thresholds.default("pass_line"), thresholds.default("warn_line")
    th = _caller_table(caller, "thresholds")
    values = {str(c): float(v) for c, v in zip(th["code"], numeric(th["value"]), strict=True)}
    pass_line, warn_line = (values.get(c, math.nan) for c in ("pass_line", "warn_line"))
    return (0.0 if math.isnan(pass_line) else pass_line), (0.0 if math.isnan(warn_line) else warn_line)


def _campaign(caller: Any) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """预热开始, 爆发开始, 爆发结束, 返场结束 from the calling workbook's 活动目标."""
    if caller is None:
        raise _BadArg("找不到活动目标：请在活动主工作簿中使用本函数")
    targets = _caller_table(caller, "targets")
    row = targets.iloc[0].to_dict() if len(targets) else {}
    out = []
    for key in _DATES:
        header = SCHEMA.table("targets").col(key).header
        day = _date(row.get(key), f"活动目标的“{header}”")
        if day is None:
            raise _BadArg(f"活动目标的“{header}”未填写")
        out.append(day)
    return out[0], out[1], out[2], out[3]


@xw.func
@xw.arg("actual", doc="实际值")
@xw.arg("target", doc="目标值")
@xw.arg("metric_or_direction", doc="指标名称（如 客诉率），或 越高越好 / 越低越好；省略为越高越好")
def XP_ACHIEVE(actual: Any, target: Any, metric_or_direction: Any = None) -> Any:
    """达成率：实际÷目标；越低越好的指标为 目标÷实际。无法计算时为空。"""
    return _call(lambda: achievement([_number(actual, "实际值")], [_number(target, "目标值")],
                                     [_direction(metric_or_direction)]).iloc[0])


@xw.func
@xw.arg("today", doc="今天的实际值")
@xw.arg("yesterday", doc="前一天的实际值")
def XP_DOD(today: Any, yesterday: Any) -> Any:
    """环比变化（相对变化）：今天÷前一天−1。前一天为 0 或空时为空。"""
    return _call(lambda: day_on_day([_number(today, "今天的值")], [_number(yesterday, "前一天的值")]).iloc[0])


@xw.func
@xw.arg("rate", doc="达成率，如 0.967")
def XP_STATUS(rate: Any, caller: Any = None) -> Any:
    """状态：达标 / 预警 / 未达标，按本工作簿阈值配置的达标线和严重预警线（没有时用 95% 与 85%）。"""
    def body() -> Any:
        r = _number(rate, "达成率")
        pass_line, warn_line = _lines(caller)
        blank = [None]
        return status(pd.Series([r], dtype=float), blank, blank, blank, pass_line, warn_line).iloc[0]
    return _call(body)


@xw.func
@xw.arg("avg_daily_sales", doc="日均销量")
@xw.arg("factor", doc="安全库存系数，省略为 1.5")
def XP_SAFETY_STOCK(avg_daily_sales: Any, factor: Any = None) -> Any:
    """安全库存 = 日均销量 × 系数（默认 1.5）。"""
    def body() -> Any:
        f = _number(factor, "系数")
        k = thresholds.default("safety_stock_factor") if f is None else f
        return safety_stock([_number(avg_daily_sales, "日均销量")], k).iloc[0]
    return _call(body)


@xw.func
@xw.arg("on_date", doc="日期")
def XP_PHASE(on_date: Any, caller: Any = None) -> Any:
    """活动阶段：按活动目标的日期返回 筹备期 / 预热期 / 爆发期 / 返场期 / 复盘。"""
    def body() -> Any:
        day = _date(on_date, "日期")
        return None if day is None else campaign_phase(day, *_campaign(caller))
    return _call(body)


@xw.func
@xw.arg("actual_to_date", doc="截至该日的累计实际值")
@xw.arg("target", doc="整个活动的目标值")
@xw.arg("on_date", doc="统计日期")
def XP_PACE(actual_to_date: Any, target: Any, on_date: Any, caller: Any = None) -> Any:
    """进度比 =（累计÷目标）÷ 活动时间进度（预热开始至返场结束）；≥1 为按计划推进。"""
    def body() -> Any:
        a, t, day = _number(actual_to_date, "累计实际值"), _number(target, "目标值"), _date(on_date, "日期")
        if a is None or t is None or day is None:
            return None
        start, _, _, end = _campaign(caller)
        return pace(a, t, elapsed_share(day, start, end))
    return _call(body)
