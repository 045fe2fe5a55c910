"""Number formats: how a cell shows its value, by column type, by the unit of the row's metric, and for rates
small enough that one decimal of a percent would hide the difference (客诉率 0.45% against 0.5%).

One place, because the builder formats the rows it writes, and recalc and merge format the rows that join a
table later (typed below it in LibreOffice, added in a department copy): a row must look the same whichever
way it came in.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from xlpromo.model.schema import ColType, Column
from xlpromo.model.values import is_blank

__all__ = ["DATE_FMT", "FORMAT_REFERENCES", "PCT_FMT", "SIGNED_PCT_FMT", "SMALL_PCT_FMT", "SMALL_RATE", "TYPE_FMTS",
           "UNIT_FMTS", "row_format", "unit_format"]

DATE_FMT = "yyyy-mm-dd"
PCT_FMT = "0.0%"
SMALL_PCT_FMT = "0.00%"
SIGNED_PCT_FMT = "+0.0%;-0.0%;0.0%"
#: A rate whose row target (or, without one, actual) is under this shows two decimals: 0.45%, not 0.5%.
SMALL_RATE = 0.01
UNIT_FMTS = {"%": PCT_FMT, "万元": "#,##0.00", "元": "#,##0.00", "人": "#,##0", "单": "#,##0",
             "张": "#,##0", "倍": "0.00", "秒": "0.0", "小时": "0.0", "分钟": "0", "天": "0",
             "日期": DATE_FMT}
#: Columns whose value decides whether a rate is small, in order: the target, else what was measured.
FORMAT_REFERENCES = ("target", "value", "actual", "used")
TYPE_FMTS = {ColType.DATE: DATE_FMT, ColType.PERCENT: PCT_FMT, ColType.WAN: "#,##0.00",
             ColType.INTEGER: "#,##0"}


def unit_format(unit: str, reference: object = None) -> str | None:
    """Number format of a value in ``unit``; a rate whose ``reference`` (the row's target) is under 1% gets
    two decimals. None for a unit without a format of its own (General)."""
    if unit == "%" and isinstance(reference, (int, float)) and not isinstance(reference, bool) \
            and abs(reference) < SMALL_RATE:
        return SMALL_PCT_FMT
    return UNIT_FMTS.get(unit)


def row_format(col: Column, row: Mapping[str, object] | pd.Series,
               units: Mapping[str, str]) -> str | None:
    """Number format of ``col`` on one row of its table: a column that mixes units (``Column.unit_of``) takes
    the unit of the row's metric (``units``: metric → unit of 指标目录) or the unit the row names, judged small
    by the row's target, else its actual; other columns their own format. None: General."""
    if col.unit_of is None:
        return col.num_format or TYPE_FMTS.get(col.type)
    named = str(row.get(col.unit_of))
    unit = units.get(named, named)  # a metric's unit; 阈值配置 names the unit itself
    reference = next((row.get(k) for k in FORMAT_REFERENCES if not is_blank(row.get(k), spaces=False)
                      and isinstance(row.get(k), (int, float))), None)
    return unit_format(unit, reference)

