"""A platform export's cells as numbers and dates: the platforms' text forms, and "no value" told from a bad one.

The exports write numbers as text (``13,140.01``, ``12.96%``, ``￥1,000.50``, full-width digits after a copy
from a web page) and ``-`` or ``--`` where a day has no figure. :func:`cell_number` reads those through
:func:`~xlpromo.model.parse.parse_number` (one number grammar for typed cells and exports) and gives None for
"no value"; :func:`cell_date` reads the date column (``2024-06-01``, ``2024/6/1``, ``20240601``, ``2024年6月1日``,
a date or an Excel serial from a spreadsheet). Anything else is a :class:`ParseError` with a Chinese reason that
reads after the column's name: ``支付金额“abc”不是数字``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from xlpromo.errors import ParseError
from xlpromo.model.parse import parse_date, parse_number, shown
from xlpromo.model.values import is_blank

__all__ = ["NO_VALUE", "cell_date", "cell_number", "cell_text"]

#: What the platforms write for "no figure that day": a run of dashes (-, --, —, ——, －) or a slash, or N/A.
NO_VALUE = re.compile(r"[-‐‑‒–—―−－/／]+|n/a|null|none", re.IGNORECASE)


def cell_text(value: str) -> str:
    """An export's text cell without its noise: invisible format characters (BOM, zero-width) and the spaces,
    full-width ones included, around it; the inside is kept as written."""
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cf").strip()


def cell_number(value: object) -> float | None:
    """An export cell as a number in the export's own unit (``12.96%`` → 0.1296, ``￥1,000.50`` → 1000.5), None
    for no value (blank, ``-``, ``--``, ``—``); ParseError with a Chinese reason for anything else."""
    if isinstance(value, str):
        value = cell_text(value)
        if not value or NO_VALUE.fullmatch(value):
            return None
        if ":" in value or "：" in value:  # a clock or a ratio (1:3) is no figure of an export
            raise ParseError("not-a-number", f"“{value}”不是数字")
    elif is_blank(value):
        return None
    try:
        return parse_number(value)
    except ParseError as exc:
        if exc.code == "not-a-number" and str(exc).startswith("无法识别"):
            raise ParseError("not-a-number", f"“{shown(value)}”不是数字") from None
        raise


def cell_date(value: object) -> dt.date:
    """An export's date cell as a day (a datetime's time of day dropped); ParseError ``blank`` for an empty cell,
    ``not-a-date`` or ``invalid-date`` with a Chinese reason for anything else."""
    if isinstance(value, str):
        value = cell_text(value)
    try:
        return parse_date(value)
    except ParseError as exc:
        if exc.code == "blank":
            raise ParseError("blank", "日期为空") from None
        if exc.code in ("not-a-date", "date-needs-year"):
            raise ParseError(exc.code, f"“{shown(value)}”不是日期（应为 2024-06-01、2024/6/1、20240601 或 "
                                       "2024年6月1日）") from None
        raise
