"""Values of a merge as they are written into the master and as ``合并冲突``/``变更记录`` show them.

One rule for both, so the value a person reads in the log is the value the cell holds.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from xlpromo.model.parse import shown
from xlpromo.model.schema import ColType, Column, Table
from xlpromo.model.state import canon
from xlpromo.model.values import CellError, from_serial, is_blank
from xlpromo.ooxml import Formatted, Value

__all__ = ["brief", "row_brief", "show", "write_value"]


def write_value(v: Any, col: Column | None = None) -> Value:
    """A value read from a copy as it is written into the master (dates as serials, like Excel stores them). A date
    or time typed into a column that is not a date column (备注, 任务编号: Excel makes ``6/1`` a date) brings its
    number format along, so the master shows 2024-06-01 as the copy did, not 45444 in a General cell."""
    if isinstance(v, CellError):
        return CellError(str(v))
    value = canon(v)
    if isinstance(value, float) and (col is None or col.type != ColType.DATE):
        code = _date_format(v)
        if code:
            return Formatted(value, code)
    return value


def _date_format(v: Any) -> str:
    """The number format a date, datetime or time is shown with ("" for anything else)."""
    if isinstance(v, dt.datetime):  # pandas Timestamps too
        return "yyyy-mm-dd hh:mm:ss" if v.second else "yyyy-mm-dd hh:mm" if v.hour or v.minute else "yyyy-mm-dd"
    if isinstance(v, dt.date):
        return "yyyy-mm-dd"
    if isinstance(v, dt.time):
        return "hh:mm:ss" if v.second else "hh:mm"
    return ""


def show(v: Any, col: Column | None = None) -> Any:
    """A value for 合并冲突/变更记录: dates as text, blanks empty."""
    if is_blank(v, spaces=False):
        return ""
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()[:10] if not isinstance(v, dt.datetime) or not (v.hour or v.minute) else v.isoformat(" ")
    if col is not None and col.type == ColType.DATE and isinstance(v, float):
        try:
            return from_serial(v).date().isoformat()  # a serial a base holds: the day it is
        except ValueError:
            return v  # not a date Excel can show: the number as it is
    if isinstance(v, (int, float, bool, str)):
        return v
    return str(v)


def brief(v: Any, col: Column) -> str:
    """A value as text for the log of an added row: ``48`` rather than ``48.0``."""
    return shown(show(v, col))


def row_brief(table: Table, values: dict[str, Any], units: Mapping[str, str] | None = None) -> str:
    """A row's typed values as one line: ``日期 2024-06-21，核心指标 GMV，目标值 100``; with ``units`` (metric →
    unit of 指标目录) a rate reads as its cell shows it, ``目标值 30%``, not 0.3."""
    parts = []
    for c in table.columns:
        if c.key in values and c.editable:
            text = _percent(values[c.key], c, values, units) or brief(values[c.key], c)
            if text:
                parts.append(f"{c.header} {text}")
    return "，".join(parts)


def _percent(v: Any, col: Column, row: Mapping[str, Any], units: Mapping[str, str] | None) -> str:
    """``30%`` for 0.3 in a column whose row's metric is a rate (unit %); "" otherwise."""
    if units is None or col.unit_of is None or isinstance(v, bool) or not isinstance(v, int | float):
        return ""
    named = str(row.get(col.unit_of) or "").strip()
    if units.get(named, named) != "%" or not math.isfinite(v):
        return ""
    return f"{shown(round(v * 100, 8))}%"
