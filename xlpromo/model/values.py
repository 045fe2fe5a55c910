"""Cell values in one place: Excel's date serial, the blank test, Excel's error values and stored non-numbers.

Every layer meets the same three questions (is this cell empty? what serial does this date
have? is this text an error value?) and answers them here, so a reader, a cached value and a
merge never disagree by a day or by a space.
"""

from __future__ import annotations

import datetime as dt
import math

__all__ = ["EXCEL_EPOCH", "MAX_SERIAL", "BadNumber", "CellError", "excel_serial", "from_serial", "is_blank"]

#: Day 0 of Excel's serials from 1900-03-01 on (Excel counts a 1900-02-29 that never was).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
MAX_SERIAL = 2958465  # 9999-12-31
_MARCH_1900 = dt.datetime(1900, 3, 1)
_DAY = dt.timedelta(days=1)
_MISSING = frozenset({"NaTType", "NAType"})  # pandas' NaT and NA, without importing pandas (ooxml uses this)


class CellError(str):
    """An Excel error value (``#DIV/0!``, ``#N/A``…) found in a cell: text that is never blank."""

    __slots__ = ()


class BadNumber(str):
    """A number cell whose stored value is no finite number (``<v>1e309</v>``, ``INF``, ``NaN``, which no
    spreadsheet writes): the text as stored, never blank. The reader gives it instead of the float inf or NaN, so
    no computation sees it as a number and validation reports it at its cell."""

    __slots__ = ()


def is_blank(value: object, *, spaces: bool = True) -> bool:
    """True for None, NaN, NaT, pd.NA and empty text; whitespace-only text too unless ``spaces=False``
    (the builder writes "  " as typed); an Excel error value never."""
    if value is None or type(value).__name__ in _MISSING:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return not isinstance(value, CellError) and (value == "" or (spaces and value.isspace()))
    return False


def excel_serial(moment: dt.date) -> float:
    """Excel's serial of a date or datetime, time of day kept: 2024-06-01 → 45444, 1900-01-01 → 1.
    Whole days come back as ``int``, so a cell shows ``45444``, not ``45444.0``."""
    at = moment.replace(tzinfo=None) if isinstance(moment, dt.datetime) else dt.datetime.combine(moment, dt.time())
    base = EXCEL_EPOCH if at >= _MARCH_1900 else EXCEL_EPOCH + _DAY
    serial = (at - base) / _DAY
    return int(serial) if serial.is_integer() else serial


def from_serial(number: float) -> dt.datetime:
    """The moment of an Excel serial (the inverse of :func:`excel_serial`); ValueError for serial 60
    (Excel's 1900-02-29, which never was) and for numbers off Excel's range (0–9999-12-31)."""
    if not math.isfinite(number) or not 0 <= number < MAX_SERIAL + 1:
        raise ValueError(f"not an Excel date serial: {number!r}")
    whole = math.floor(number)
    if whole == 60:
        raise ValueError("Excel date serial 60 is 1900-02-29, which does not exist")
    base = EXCEL_EPOCH if whole > 60 else EXCEL_EPOCH + _DAY
    return base + dt.timedelta(days=whole) + (number - whole) * _DAY
