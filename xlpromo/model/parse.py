"""Parsers for what people type into cells: numbers with units, dates in Chinese forms, text.

Staff type ``５．８万``, ``≥95%``, ``1:3.2``, ``2024年6月1日`` or ``6/1`` as often as clean
numbers and dates. Each parser returns a typed value or raises :class:`ParseError`, whose
``code`` is an English slug (``blank``, ``not-a-number``, ``not-finite``, ``unit-mismatch``, ``not-a-date``,
``date-needs-year``, ``invalid-date``; ``date-out-of-range`` from :func:`in_years`) and whose
str() is a Chinese message for the user. Arithmetic on typed text is decimal, so ``1.1万`` is
exactly 11000. A cell where ``1:3`` was typed holds the time 01:03 (Excel and LibreOffice turn
it into one): :func:`time_message` says so.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import numbers
import re
import unicodedata
from decimal import Decimal, DecimalException, localcontext

import numpy as np
import pandas as pd

from xlpromo.errors import ParseError
from xlpromo.model.values import EXCEL_EPOCH, MAX_SERIAL, BadNumber, excel_serial, from_serial, is_blank

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "ParseError",
    "entered",
    "excel_serial",
    "in_years",
    "normalize_header",
    "normalize_text",
    "not_finite",
    "parse_date",
    "parse_number",
    "parse_text",
    "shown",
    "stored_time",
    "time_message",
]

FIRST_YEAR, LAST_YEAR = 2000, 2099  # the years the workbook's date validation accepts (builder, cli)


# --------------------------------------------------------------------------- text
def _missing(value: object) -> bool:
    """Nothing typed: a blank cell (:func:`~xlpromo.model.values.is_blank`); a float NaN is no cell's value, so
    the parsers call it not a number rather than blank."""
    return is_blank(value) and not isinstance(value, float)


def shown(value: object) -> str:
    """A typed value as a person reads it: ``5.8`` not ``5.8000``, ``30`` not ``30.0``, dates as 2024-06-01."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.10g}" if abs(value) < 1e15 else f"{value:.6e}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (dt.time, dt.timedelta)):
        return _clock(value)
    return str(value)


def _clock(value: dt.time | dt.timedelta, typed: bool = False) -> str:
    """A time as Excel shows it (``01:03``, ``01:03.2`` for mm:ss.0, ``25:10`` for a duration), or as it was
    probably typed (``1:3``, ``1:3.2``) when ``typed``."""
    if isinstance(value, dt.time):
        sign, h, m, s, us = "", value.hour, value.minute, value.second, value.microsecond
    else:
        total = value // dt.timedelta(microseconds=1)
        sign = "-" if total < 0 else ""
        seconds, us = divmod(abs(total), 1_000_000)
        h, rest = divmod(seconds, 3600)
        m, s = divmod(rest, 60)
    width = "" if typed else "02"
    frac = f".{us:06d}".rstrip("0") if us else ""
    if frac and not h:
        return f"{sign}{m:{width}}:{s:{width}}{frac}"
    return f"{sign}{h:{width}}:{m:{width}}" + (f":{s:{width}}{frac}" if s or frac else "")


def _ratio(typed: str) -> float | None:
    """``1:3`` → 3.0, ``1:3.2`` → 3.2; None when not a ratio of two positive numbers."""
    m = _RATIO.match(typed)
    if m is None or not Decimal(m[1]) or not Decimal(m[2]):
        return None
    return float(Decimal(m[2]) / Decimal(m[1]))


def stored_time(number: float) -> dt.timedelta | None:
    """The time Excel stored for ``1:3`` (01:03) or ``1:3.2`` (01:03.2) typed in a cell with a number format (it
    shows 0.04), as ``number`` is; None for a number a person types (four decimals at most, 0.5, 0.0625)."""
    if not 0 < number < 1 or round(number, 4) == number:
        return None
    centis = number * 8_640_000  # hundredths of a second
    if abs(centis - round(centis)) > 1e-6:
        return None
    clock = dt.timedelta(milliseconds=10 * round(centis))
    return clock if _ratio(_clock(clock, typed=True)) else None


def _time_of(value: object) -> dt.time | dt.timedelta | None:
    """A time as a reader gives it: a time, a duration, or a datetime of Excel's day 0 (1899-12-30, as xlwings)."""
    if isinstance(value, (dt.time, dt.timedelta)):
        return value
    if isinstance(value, dt.datetime) and value.date() == EXCEL_EPOCH.date():
        return value.time()
    return None


def time_message(value: object, unit: str | None = None, label: str = "") -> str | None:
    """Why a time (``1:3`` typed, made 01:03 by Excel; in a 倍 column also a :func:`stored_time`) is no number, with
    the number to type in a 倍 column after ``label`` (``ROI 请填 3``); None when ``value`` is no time."""
    if (time := _time_of(value)) is not None:
        clock: dt.time | dt.timedelta = time
        typed = _clock(clock, typed=True)
        head = f"“{shown(clock)}”被 Excel 当成了时间（输入 {typed} 会这样）："
    elif unit == "倍" and isinstance(value, float) and (stored := stored_time(value)) is not None:
        clock = stored
        typed = _clock(clock, typed=True)
        head = f"{shown(value)} 是 Excel 把输入的 {typed} 当成时间 {shown(clock)} 存下的数值："
    else:
        return None
    ratio = _ratio(typed) if unit == "倍" else None
    if ratio is None:
        return head + "请填数字"
    return f"{head}{label + ' ' if label else ''}请填 {shown(ratio)}，或先输入单引号再输入 '{typed}"


def normalize_text(value: str) -> str:
    """NFKC (full-width digits, letters, ％ and （） become ASCII), stripped, whitespace runs → one space."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def _squeeze(value: str) -> str:
    return "".join(ch for ch in value if not ch.isspace() and unicodedata.category(ch) != "Cf")


def normalize_header(value: object) -> str:
    """A header for matching: NFKC without any whitespace or invisible format character (BOM, zero-width)."""
    text = value if isinstance(value, str) else parse_text(value)
    out = _squeeze(text)
    while True:  # to a fixed point: removing a space can let NFKC compose what it separated
        again = _squeeze(unicodedata.normalize("NFKC", out))
        if again == out:
            return out
        out = again


def _shown(value: object) -> str:
    return value.strip() if isinstance(value, str) else str(value)


def _normalized(value: str, what: str) -> str:
    """normalize_text, refusing characters that NFKC would turn into digits (², ①, ½, ⒈)."""
    for ch in value:
        if not ("0" <= ch <= "9") and not unicodedata.decomposition(ch).startswith("<wide>") \
                and any("0" <= c <= "9" for c in unicodedata.normalize("NFKC", ch)):
            raise ParseError(f"not-a-{what}", f"无法识别的{'数字' if what == 'number' else '日期'}：“{shown(value)}”")
    return normalize_text(value)


# --------------------------------------------------------------------------- numbers
_NUM = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?"
_GROUPED = re.compile(r"(?<![0-9.,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9,])")
_PREFIX = re.compile(r"^(?:大于等于|不低于|不少于|达到|约|>=|<=|≥|≤|≧|≦|≈|>|<|=|~|〜)")
_SIGN_CURRENCY = re.compile(r"^([+\-\u2212]?)(¥|RMB|CNY)?([+\-\u2212]?)", re.IGNORECASE)
_BODY = re.compile(rf"^({_NUM})(.*)$")
_RATIO = re.compile(rf"^({_NUM})(?::|比)({_NUM})$")
_TIME_TOKEN = re.compile(rf"({_NUM})(天|小时|分钟|秒|分|min|sec|hr|d|h|s)", re.IGNORECASE)

_PERCENT = {"%": Decimal(100), "‰": Decimal(1000)}
_SCALES = {"千": Decimal(1000), "k": Decimal(1000), "万": Decimal(10000), "w": Decimal(10000),
           "亿": Decimal(100_000_000)}
_WORDS = ("元", "人", "单", "张", "个", "件")
_TIMES = {"秒": 1, "s": 1, "sec": 1, "分": 60, "分钟": 60, "min": 60, "小时": 3600, "h": 3600, "hr": 3600,
          "天": 86400, "d": 86400}
_TIME_UNITS = {"秒": 1, "分钟": 60, "小时": 3600, "天": 86400}
_NOT_AMOUNTS = {"%", "倍", *_TIME_UNITS}  # column units a 万/亿 scale or a currency cannot apply to


def _mismatch(value: object, unit: str | None) -> ParseError:
    return ParseError("unit-mismatch", f"“{_shown(value)}”不是本列的单位（{unit or '无单位'}）")


def _not_a_number(value: object, why: str = "") -> ParseError:
    return ParseError("not-a-number", f"无法识别的数字：“{shown(value)}”{why}")


FLOAT_LIMIT = "1.79769313486232E+308"  # the largest number a cell can hold, as Excel shows it


def not_finite(value: object) -> ParseError:
    """ParseError ``not-finite`` for a value that is no finite number: a cell storing ``1e309``, ``INF`` or ``NaN``
    (:class:`~xlpromo.model.values.BadNumber`, a float inf or NaN, an int beyond the largest float), or text such as
    ``1e309`` or ``-inf``."""
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, numbers.Integral):
        text = f"{Decimal(int(value)):.6E}"
    else:
        text = repr(value)
    why = "NaN 的意思是“不是数字”" if "nan" in text.casefold() else f"超出了单元格能存的最大数值 ±{FLOAT_LIMIT}"
    if isinstance(value, str) and not isinstance(value, BadNumber):
        return ParseError("not-finite", f"“{text}”不是有限的数字（{why}），无法计算：请填写实际的数值")
    return ParseError("not-finite", f"单元格存的数值“{text}”不是有限的数字（{why}），无法计算，"
                                    "Excel 等程序也可能打不开存着它的文件：请重新填写实际的数值")


def _time(value: object, body: str, unit: str | None) -> Decimal | None:
    """'1.5小时', '2分30秒' → in the column's time unit (None: in the smallest unit written); None if not a time."""
    tokens: list[tuple[Decimal, int]] = []
    pos = 0
    for m in _TIME_TOKEN.finditer(body):
        if m.start() != pos:
            return None
        tokens.append((Decimal(m[1]), _TIMES[m[2].lower()]))
        pos = m.end()
    if not tokens or pos != len(body) or (body.endswith("分") and len(tokens) == 1):
        return None  # a lone 分 may be cents or points: only 1小时30分 or 2分30秒 are minutes
    seconds = [s for _, s in tokens]
    if any(a <= b for a, b in itertools.pairwise(seconds)):
        return None  # units must go down: 1小时30分, not 30分1小时
    if unit is None:
        target = Decimal(seconds[-1])
    elif unit in _TIME_UNITS:
        target = Decimal(_TIME_UNITS[unit])
    else:
        raise _mismatch(value, unit)
    return sum((n if s == target else n * s / target for n, s in tokens), Decimal(0))


def _amount(value: object, number: Decimal, suffix: str, unit: str | None, currency: bool) -> Decimal | None:
    """'5.8万', '58000元', '3万人', '¥5亿' → in the column's unit; None if the suffix is not an amount."""
    scale_key = next((k for k in _SCALES if suffix.lower().startswith(k)), None)
    rest = suffix[len(scale_key):] if scale_key else suffix
    if rest and rest not in _WORDS and rest != unit:
        return None
    word = rest or ("元" if currency else "")
    if currency and word != "元":
        return None
    if scale_key is None and not word:
        return number
    if unit in _NOT_AMOUNTS and rest != unit:
        raise _mismatch(value, unit)
    if word and unit is not None and word != unit and not (word == "元" and unit == "万元"):
        raise _mismatch(value, unit)
    if scale_key:
        number *= _SCALES[scale_key]
    if unit == "万元" and (scale_key or word == "元"):
        number /= 10000
    return number


def _number_text(value: str, unit: str | None) -> float:
    text = _normalized(value, "number")
    if not text:
        raise ParseError("blank", "内容为空，应填数字")
    s = _GROUPED.sub(lambda m: m[0].replace(",", ""), text.replace(" ", ""))
    s = _PREFIX.sub("", s, count=1)
    head = _SIGN_CURRENCY.match(s)
    assert head is not None  # every part of the pattern is optional
    signs, currency, s = head[1] + head[3], bool(head[2]), s[head.end():]
    if len(signs) > 1:
        raise _not_a_number(value)
    negative = signs in ("-", "\u2212")
    result: Decimal | None = None
    with localcontext() as ctx:
        ctx.prec = 40
        try:
            if ratio := _RATIO.match(s):
                if unit not in (None, "倍"):
                    raise _mismatch(value, unit)
                a, b = Decimal(ratio[1]), Decimal(ratio[2])
                if a == 0 or currency or signs:
                    raise _not_a_number(value, "（比值的前项不能为 0）" if a == 0 else "")
                result = b / a
            elif body := _BODY.match(s):
                number, suffix = Decimal(body[1]), body[2]
                if suffix in _PERCENT and not currency:
                    if unit not in (None, "%"):
                        raise _mismatch(value, unit)
                    result = number / _PERCENT[suffix]
                elif suffix.lower() in ("倍", "x") and not currency:
                    if unit not in (None, "倍"):
                        raise _mismatch(value, unit)
                    result = number
                else:
                    result = _amount(value, number, suffix, unit, currency)
                    if result is None and not currency:
                        result = _time(value, s, unit)
            if result is not None:
                out = float(-result if negative else result)
                if math.isfinite(out):
                    return out
                raise not_finite(value)  # 1e309, 2e308元: beyond the largest float
        except DecimalException:
            pass
    raise _not_a_number(value)


def parse_number(value: object, unit: str | None = None) -> float:
    """A number as typed in a column of ``unit`` (万元, 元, %, 人, 单, 张, 倍, 秒, 分钟, 小时, 天 or None) → float."""
    if _missing(value):
        raise ParseError("blank", "内容为空，应填数字")
    if isinstance(value, BadNumber):
        raise not_finite(value)
    if isinstance(value, str):
        return _number_text(value, unit)
    if _time_of(value) is not None:
        raise ParseError("not-a-number", str(time_message(value, unit)))
    if isinstance(value, (bool, np.bool_, dt.date, np.datetime64)):
        raise _not_a_number(value)
    if isinstance(value, (numbers.Real, Decimal)):
        try:
            out = float(value)
        except OverflowError:
            raise not_finite(value) from None  # an int or Decimal beyond the largest float
        except ValueError:
            raise _not_a_number(value) from None
        if math.isfinite(out):
            return out
        raise not_finite(value)
    raise _not_a_number(value)


# --------------------------------------------------------------------------- dates
_CLOCK = r"(?:(?<=[日号])\s?|\s|[Tt])([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,9})?)?"
_Y, _MD = "([0-9]{4})", "([0-9]{1,2})"
_FULL = re.compile(rf"^(?:{_Y}([-/.]){_MD}\2{_MD}|{_Y}年{_MD}月{_MD}[日号]|{_Y}([0-9]{{2}})([0-9]{{2}}))(?:{_CLOCK})?$")
_MONTH_DAY = re.compile(rf"^(?:{_MD}([-/.]){_MD}|{_MD}月{_MD}[日号])(?:{_CLOCK})?$")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # at most, in any year


def _invalid(value: object) -> ParseError:
    return ParseError("invalid-date", f"不存在的日期：“{shown(value)}”")


def _serial(value: object, number: float) -> dt.date:
    if not math.isfinite(number):
        raise ParseError("not-a-date", f"无法识别的日期：“{shown(value)}”")
    whole = math.floor(number)
    if not 1 <= whole <= MAX_SERIAL:
        raise ParseError("invalid-date", f"日期序号 “{shown(value)}” 超出 Excel 的范围（1–{MAX_SERIAL}）")
    if whole == 60:
        raise ParseError("invalid-date", "日期序号 60 是 Excel 虚构的 1900-02-29，不存在")
    return from_serial(whole).date()


def _date_text(value: str, year: int | None) -> dt.date:
    text = _normalized(value, "date")
    if not text:
        raise ParseError("blank", "内容为空，应填日期")
    full, month_day = _FULL.match(text), _MONTH_DAY.match(text)
    y: int | None
    if full:  # groups: y, separator, m, d | y, m, d | y, m, d; then the clock
        y, m, d = (int(g) for i, g in enumerate(full.groups()[:10]) if g is not None and i != 1)
        clock = full.groups()[10:]
    elif month_day:  # groups: m, separator, d | m, d; then the clock
        y = None
        m, d = (int(g) for i, g in enumerate(month_day.groups()[:5]) if g is not None and i != 1)
        clock = month_day.groups()[5:]
    else:
        raise ParseError("not-a-date", f"无法识别的日期：“{shown(value)}”（示例：2024-06-01、2024年6月1日）")
    hour, minute, second = (int(g) if g else 0 for g in clock)
    if not (1 <= m <= 12 and 1 <= d <= _DAYS_IN_MONTH[m - 1]) or hour > 23 or minute > 59 or second > 59:
        raise _invalid(value)
    if y is None:
        if year is None:
            raise ParseError("date-needs-year", f"“{value.strip()}”没有年份，请写成如 2024-06-01")
        y = year
    try:
        return dt.date(y, m, d)
    except (ValueError, OverflowError):
        raise _invalid(value) from None


def parse_date(value: object, year: int | None = None) -> dt.date:
    """A date as typed: a date, an Excel serial or text (2024-06-01, 2024年6月1日, 20240601; 6月1日 with ``year``)."""
    if _missing(value):
        raise ParseError("blank", "内容为空，应填日期")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ParseError("blank", "内容为空，应填日期")
        return pd.Timestamp(value).date()
    if isinstance(value, str):
        return _date_text(value, year)
    if isinstance(value, (numbers.Real, Decimal)) and not isinstance(value, (bool, np.bool_)):
        try:
            number = float(value)
        except (OverflowError, ValueError):
            raise _invalid(value) from None
        return _serial(value, number)
    raise ParseError("not-a-date", f"无法识别的日期：“{shown(value)}”")


def entered(value: object) -> object:
    """What was typed in a date cell: a day of 1900 is a number Excel shows as a date (10.25 → 1900-01-10 06:00),
    so its serial number; a time of day 0 (xlwings) its time; anything else as it is."""
    if (time := _time_of(value)) is not None:
        return time
    if isinstance(value, dt.date) and (value.date() if isinstance(value, dt.datetime) else value).year <= 1900:
        return excel_serial(value)
    return value


def in_years(day: dt.date, typed: object) -> dt.date:
    """``day`` when its year is FIRST_YEAR–LAST_YEAR (the workbook's date validation); else ParseError
    ``date-out-of-range`` naming ``typed`` as the person typed it."""
    if FIRST_YEAR <= day.year <= LAST_YEAR:
        return day
    what = f"“{typed.strip()}”" if isinstance(typed, str) else f"{shown(entered(typed))} "
    raise ParseError("date-out-of-range", f"{what}不是 {FIRST_YEAR}—{LAST_YEAR} 年之间的日期（表格的日期校验范围）："
                                          "请填写如 2024-06-20 的日期")


# --------------------------------------------------------------------------- text
def parse_text(value: object) -> str:
    """Text as shown: stripped str as is (formulas kept), 12.0 → "12", a date → "YYYY-MM-DD", None/NaN → ""."""
    if _missing(value):
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, (numbers.Real, Decimal)):
        try:
            number = float(value)
        except (OverflowError, ValueError):
            return str(value)
        if math.isnan(number):
            return ""
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return str(value) if isinstance(value, (float, np.floating, Decimal)) else repr(number)
    return str(value).strip()
