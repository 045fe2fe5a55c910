"""Parsers of typed cell values (xlpromo.model.parse): every written form, every error code, round trips."""

from __future__ import annotations

import datetime as dt
import math
import pickle
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from xlpromo.model.parse import (
    ParseError,
    entered,
    excel_serial,
    in_years,
    normalize_header,
    normalize_text,
    parse_date,
    parse_number,
    parse_text,
    shown,
    stored_time,
    time_message,
)

D = dt.date
UNITS = [None, "万元", "元", "%", "人", "单", "张", "倍", "秒", "分钟", "小时", "天"]
EXCEL_EPOCH = D(1899, 12, 30)


def code_of(fn: Any, *args: Any) -> str:
    """The ParseError code raised by fn(*args); fails when nothing or something else is raised."""
    with pytest.raises(ParseError) as info:
        fn(*args)
    assert str(info.value)  # a Chinese message, never empty
    return info.value.code


# --------------------------------------------------------------------------- ParseError
def test_parse_error_is_a_value_error_with_code_and_message() -> None:
    err = ParseError("blank", "内容为空")
    assert isinstance(err, ValueError)
    assert (err.code, str(err)) == ("blank", "内容为空")
    again = pickle.loads(pickle.dumps(err))
    assert (again.code, str(again)) == ("blank", "内容为空")


# --------------------------------------------------------------------------- normalize_text / header
@pytest.mark.parametrize(("raw", "expected"), [
    ("５．８万", "5.8万"),
    ("９５％", "95%"),
    ("（ＧＭＶ）", "(GMV)"),
    ("  a \u3000\t b\n c  ", "a b c"),
    ("１：３", "1:3"),
    ("", ""),
])
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    (" 核心目标（GMV/万元）\n", "核心目标(GMV/万元)"),
    ("活动\u3000名称", "活动名称"),
    ("实际\n值", "实际值"),
    ("\ufeff日期", "日期"),  # BOM of a CSV's first header
    ("负责\u200b人", "负责人"),  # zero-width space
    ("ＲＯＩ目标", "ROI目标"),
    (None, ""),  # an empty header cell
    (2024.0, "2024"),
    (7, "7"),
    (D(2024, 6, 1), "2024-06-01"),
])
def test_normalize_header(raw: object, expected: str) -> None:
    assert normalize_header(raw) == expected


# --------------------------------------------------------------------------- parse_number: values
@pytest.mark.parametrize(("raw", "unit", "expected"), [
    # seed forms
    ("5.8万", "万元", 5.8),
    ("5.8万", None, 58000),
    ("58,000", None, 58000),
    ("96.7%", None, 0.967),
    ("96.7%", "%", 0.967),
    ("≥95%", "%", 0.95),
    ("５．８万", "万元", 5.8),
    ("９５％", "%", 0.95),
    ("1:3.2", None, 3.2),
    # plain text, separators, signs, prefixes, currency
    ("42", None, 42),
    (" 4.1 ", "%", 4.1),  # a bare number is taken as written, whatever the unit
    ("1,234,567.89", "元", 1234567.89),
    ("1，234", None, 1234),
    ("1 234", None, 1234),
    ("-1,234.50", None, -1234.5),
    ("+5", None, 5),
    ("−5", None, -5),  # U+2212 minus sign
    (".5", None, 0.5),
    ("1e-05", None, 1e-05),
    ("≤0.5%", "%", 0.005),
    (">3", None, 3),
    ("<3", None, 3),
    (">=3", None, 3),
    ("<=3", None, 3),
    ("=3", None, 3),
    ("~3", None, 3),
    ("约5万", "元", 50000),
    ("约 5 万", "万元", 5),
    ("大于等于95%", "%", 0.95),
    ("不低于95%", "%", 0.95),
    ("不少于3000人", "人", 3000),
    ("达到6万", "万元", 6),
    ("＞＝95％", "%", 0.95),
    ("¥1,200", "元", 1200),
    ("￥1200", None, 1200),
    ("RMB 1200", "元", 1200),
    ("CNY1200", "元", 1200),
    ("rmb1200", "元", 1200),
    ("-¥5", None, -5),
    ("¥-5", None, -5),
    # 万 / 亿 / 元 relative to the column's unit
    ("5.8万元", "万元", 5.8),
    ("5.8万元", "元", 58000),
    ("5.8万", "元", 58000),
    ("5.8万", "人", 58000),
    ("5.8万", "单", 58000),
    ("5.8万", "张", 58000),
    ("1.1万", None, 11000),  # decimal arithmetic: not 11000.000000000002
    ("1亿", None, 1e8),
    ("1.2亿元", "元", 1.2e8),
    ("1亿", "万元", 10000),
    ("1亿元", "万元", 10000),
    ("58000元", "万元", 5.8),
    ("58000元", "元", 58000),
    ("58000元", None, 58000),
    ("¥58,000", "万元", 5.8),  # a currency sign means 元
    ("¥5.8万", "万元", 5.8),
    ("3万人", "人", 30000),
    ("2万单", "单", 20000),
    # extensions: 千, k, w, ‰, x
    ("5千", "元", 5000),
    ("5k", None, 5000),
    ("5W", None, 50000),
    ("5w", "万元", 5),
    ("5‰", "%", 0.005),
    ("3.5x", "倍", 3.5),
    # ratios and 倍
    ("1:3", "倍", 3),
    ("1：3", "倍", 3),
    ("１：３", None, 3),
    ("1比3", None, 3),
    ("2:5", None, 2.5),
    ("1:0", None, 0),
    ("3倍", "倍", 3),
    ("3倍", None, 3),
    # time
    ("30秒", "秒", 30),
    ("30s", "秒", 30),
    ("30S", "秒", 30),
    ("2分钟", "秒", 120),
    ("2min", "秒", 120),
    ("1.5小时", "小时", 1.5),
    ("1.5h", "小时", 1.5),
    ("1.5小时", "分钟", 90),
    ("1.5h", "分钟", 90),
    ("2天", "小时", 48),
    ("2天", "天", 2),
    ("36小时", "天", 1.5),
    ("90秒", "分钟", 1.5),
    ("2分30秒", "秒", 150),
    ("1小时30分", "分钟", 90),
    ("1小时30分钟", "小时", 1.5),
    ("30秒", None, 30),  # no unit: as written
    ("2分30秒", None, 150),  # no unit: in the smallest unit written
    # counting suffixes
    ("3000人", "人", 3000),
    ("3000人", None, 3000),
    ("120单", "单", 120),
    ("50张", "张", 50),
    ("8个", None, 8),
    ("8件", None, 8),
])
def test_parse_number_text(raw: str, unit: str | None, expected: float) -> None:
    assert parse_number(raw, unit) == pytest.approx(expected, rel=1e-12)


def test_parse_number_decimal_arithmetic_is_exact() -> None:
    assert parse_number("1.1万") == 11000.0
    assert parse_number("96.7%") == 0.967
    assert parse_number("0.29万") == 2900.0
    assert parse_number("5.8万", "万元") == 5.8


@pytest.mark.parametrize(("raw", "expected"), [
    (3, 3.0),
    (-2.5, -2.5),
    (0, 0.0),
    (np.int64(7), 7.0),
    (np.float64(0.25), 0.25),
    (np.float32(0.5), 0.5),
    (Decimal("1.5"), 1.5),
    (Fraction(1, 4), 0.25),
])
def test_parse_number_numbers_pass_through(raw: object, expected: float) -> None:
    for unit in UNITS:
        out = parse_number(raw, unit)
        assert type(out) is float
        assert out == expected


# --------------------------------------------------------------------------- parse_number: errors
@pytest.mark.parametrize(("raw", "unit"), [
    ("30%", "秒"),
    ("30%", "万元"),
    ("30%", "倍"),
    ("5万", "%"),
    ("5万", "倍"),
    ("5万", "秒"),
    ("5万元", "人"),
    ("58000元", "人"),
    ("5人", "单"),
    ("5件", "人"),
    ("¥5", "人"),
    ("¥5", "%"),
    ("1:3", "%"),
    ("1:3", "秒"),
    ("3倍", "%"),
    ("30秒", "%"),
    ("30秒", "人"),
    ("2天", "万元"),
])
def test_parse_number_unit_mismatch(raw: str, unit: str) -> None:
    assert code_of(parse_number, raw, unit) == "unit-mismatch"


def test_parse_number_unit_mismatch_message() -> None:
    with pytest.raises(ParseError, match=r"^“30%”不是本列的单位（秒）$"):
        parse_number("30%", "秒")


@pytest.mark.parametrize("raw", [
    "abc", "N/A", "#DIV/0!", "-", "—", "/", "无",
    "nan", "inf", "-inf", "Infinity", "1_000",  # float() accepts these, a cell must not
    "1,5", "12,34", "1,234,5", "1.2.3", "1..2", "5.8万万", "--5", "+-5", "¥¥5",
    "90~95", "90-95", "1:2:3", "0:3", "0比3", "-1:3", "¥1:3",
    "30分",  # a lone 分: cents or points, not minutes
    "30秒2分", "1分钟30分",  # time units out of order
    "5kg", "5%%", "%5", "¥5%",
    "10²", "①", "½", "⒈5",  # NFKC would make digits of these
    "٣", "१२",  # non-ASCII digits that float() would accept
    "1e99999",  # overflows a float
])
def test_parse_number_not_a_number(raw: str) -> None:
    assert code_of(parse_number, raw, None) == "not-a-number"


def test_parse_number_not_a_number_message() -> None:
    with pytest.raises(ParseError, match=r"^无法识别的数字：“abc”$"):
        parse_number("abc")


@pytest.mark.parametrize("raw", [
    Decimal("sNaN"),  # float() refuses it; inf, NaN and 10**400 are not-finite (test_parse_numbers)
    True, False, np.bool_(True),
    D(2024, 6, 1), dt.datetime(2024, 6, 1), pd.Timestamp("2024-06-01"), np.datetime64("2024-06-01"),
    dt.time(1, 3),  # Excel turns a typed "1:3" into this time unless the cell is text
    [1], object(),
])
def test_parse_number_not_a_number_objects(raw: object) -> None:
    assert code_of(parse_number, raw, None) == "not-a-number"


def test_parse_number_of_a_time_says_excel_made_it_one() -> None:
    """A cell where 1:3 was typed holds the time 01:03 (Excel and LibreOffice both do this)."""
    told = r"^“01:03”被 Excel 当成了时间（输入 1:3 会这样）：请填 3，或先输入单引号再输入 '1:3$"
    with pytest.raises(ParseError, match=told):
        parse_number(dt.time(1, 3), "倍")
    with pytest.raises(ParseError, match=r"^“25:10”被 Excel 当成了时间（输入 25:10 会这样）：请填数字$"):
        parse_number(dt.timedelta(hours=25, minutes=10), "秒")


@pytest.mark.parametrize(("value", "unit", "label", "expected"), [
    (dt.time(1, 3), "倍", "ROI",
     "“01:03”被 Excel 当成了时间（输入 1:3 会这样）：ROI 请填 3，或先输入单引号再输入 '1:3"),
    (dt.time(0, 1, 3, 200000), "倍", "ROI",  # 1:3.2 is read as mm:ss.0
     "“01:03.2”被 Excel 当成了时间（输入 1:3.2 会这样）：ROI 请填 3.2，或先输入单引号再输入 '1:3.2"),
    (dt.time(1, 3), None, "", "“01:03”被 Excel 当成了时间（输入 1:3 会这样）：请填数字"),
    (dt.time(0, 45), "倍", "ROI", "“00:45”被 Excel 当成了时间（输入 0:45 会这样）：请填数字"),  # 0:45 is no ratio
    (dt.time(1, 3, 5), "倍", "", "“01:03:05”被 Excel 当成了时间（输入 1:3:5 会这样）：请填数字"),
    (dt.timedelta(days=1, seconds=4200), "%", "", "“25:10”被 Excel 当成了时间（输入 25:10 会这样）：请填数字"),
    (dt.datetime(1899, 12, 30, 1, 3), "倍", "ROI",  # the time as xlwings gives it: a datetime of Excel's day 0
     "“01:03”被 Excel 当成了时间（输入 1:3 会这样）：ROI 请填 3，或先输入单引号再输入 '1:3"),
    (0.04375, "倍", "ROI",  # 1:3 typed over a 0.00 format: the time's number, shown as 0.04
     "0.04375 是 Excel 把输入的 1:3 当成时间 01:03 存下的数值：ROI 请填 3，或先输入单引号再输入 '1:3"),
    (0.000731481481481482, "倍", "",  # 1:3.2 as LibreOffice saves it
     "0.0007314814815 是 Excel 把输入的 1:3.2 当成时间 01:03.2 存下的数值：请填 3.2，或先输入单引号再输入 '1:3.2"),
    (0.04375, None, "", None),  # only a ratio column reads a number as a time
    (3.0, "倍", "ROI", None),
    ("1:3", "倍", "ROI", None),
])
def test_time_message(value: object, unit: str | None, label: str, expected: str | None) -> None:
    assert time_message(value, unit, label) == expected


@pytest.mark.parametrize(("number", "expected"), [
    (0.04375, dt.timedelta(hours=1, minutes=3)),
    (62 / 1440, dt.timedelta(hours=1, minutes=2)),
    (0.000731481481481482, dt.timedelta(minutes=1, seconds=3.2)),
    (0.5, None), (0.25, None), (0.0625, None), (0.05, None),  # typed as they are: four decimals at most
    (0.123456, None), (1 / 3, None),  # not a whole number of minutes or hundredths of a second
    (63 / 86400, None),  # 0:01:03: no ratio typed gives it
    (180 / 1440, None),  # 3:00: a ratio of 0
    (1.04375, None), (0.0, None), (-0.04375, None),
])
def test_stored_time(number: float, expected: dt.timedelta | None) -> None:
    assert stored_time(number) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (30.0, "30"), (5000000.0, "5000000"), (-5.0, "-5"), (0.04375, "0.04375"), (12, "12"),
    (dt.datetime(2024, 6, 20), "2024-06-20"), (dt.datetime(2024, 6, 20, 6), "2024-06-20 06:00"),
    (D(2024, 6, 20), "2024-06-20"), (pd.Timestamp("2024-06-20 18:30"), "2024-06-20 18:30"),
    (dt.time(1, 3), "01:03"), (dt.time(13, 30, 5), "13:30:05"), (dt.time(0, 1, 3, 200000), "01:03.2"),
    (dt.timedelta(hours=25, minutes=10), "25:10"), (dt.timedelta(seconds=-90), "-00:01:30"),
    ("1:3", "1:3"), (True, "TRUE"),
])
def test_shown(value: object, expected: str) -> None:
    assert shown(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (dt.datetime(1900, 1, 10, 6), 10.25), (D(1900, 1, 1), 1.0), (dt.datetime(1900, 2, 28, 12), 59.5),
    (D(1900, 3, 1), 61.0), (D(2024, 6, 20), 45463.0), (dt.datetime(2024, 6, 20, 18), 45463.75),
])
def test_excel_serial(value: dt.date, expected: float) -> None:
    """As calamine reads a date-formatted serial: 10.25 is 1900-01-10 06:00 (before March 1900, Excel's false
    1900-02-29 is not yet counted)."""
    assert excel_serial(value) == expected
    assert parse_date(expected) == (value.date() if isinstance(value, dt.datetime) else value)  # and back


def test_entered_gives_back_the_number_excel_shows_as_a_day_of_1900() -> None:
    assert entered(dt.datetime(1900, 1, 10, 6)) == 10.25
    assert entered(dt.datetime(1901, 9, 9)) == dt.datetime(1901, 9, 9)
    assert entered(D(2100, 1, 1)) == D(2100, 1, 1)
    assert entered("10.25") == "10.25"
    assert entered(dt.datetime(1899, 12, 30, 10)) == dt.time(10)  # a time, as xlwings gives it


@pytest.mark.parametrize(("day", "typed", "message"), [
    (D(1900, 1, 10), 10.25, "10.25 不是"),
    (D(1900, 1, 10), dt.datetime(1900, 1, 10, 6), "10.25 不是"),
    (D(1999, 6, 1), " 1999-06-01 ", "“1999-06-01”不是"),
    (D(2100, 1, 1), dt.datetime(2100, 1, 1), "2100-01-01 不是"),
    (D(1901, 9, 9), 618, "618 不是"),
    (D(1899, 12, 30), dt.datetime(1899, 12, 30, 10), "10:00 不是"),  # a time, as xlwings gives it
])
def test_in_years_refuses_dates_the_workbook_validation_refuses(day: dt.date, typed: object, message: str) -> None:
    with pytest.raises(ParseError) as info:
        in_years(day, typed)
    assert info.value.code == "date-out-of-range"
    assert str(info.value) == message + " 2000—2099 年之间的日期（表格的日期校验范围）：请填写如 2024-06-20 的日期"


@pytest.mark.parametrize("day", [D(2000, 1, 1), D(2099, 12, 31), dt.datetime(2024, 6, 20, 6)])
def test_in_years_passes_dates_of_2000_to_2099(day: dt.date) -> None:
    assert in_years(day, day) is day


@pytest.mark.parametrize("raw", ["", "   ", "\u3000", "\n\t", None, pd.NA, pd.NaT])
def test_parse_number_blank(raw: object) -> None:
    assert code_of(parse_number, raw, "万元") == "blank"


# --------------------------------------------------------------------------- parse_date: values
@pytest.mark.parametrize("raw", [
    "2024-06-01", "2024/6/1", "2024/06/01", "2024.06.01", "2024.6.1", "2024-6-1",
    "2024年6月1日", "2024年06月01日", "2024年6月1号", "２０２４年６月１日", "20240601",
    " 2024-06-01 ", "2024-06-01 10:30", "2024-06-01T10:30:00", "2024-06-01 10:30:00.123",
    "2024/6/1 9:05", "2024年6月1日 10:30", "2024年6月1日10:30", "20240601 10:30",
    "2024-06-01\u300010:30", "2024－06－01",
])
def test_parse_date_text(raw: str) -> None:
    assert parse_date(raw) == D(2024, 6, 1)
    assert parse_date(raw, 2020) == D(2024, 6, 1)  # a written year wins


@pytest.mark.parametrize("raw", ["6月1日", "06月01日", "6月1号", "6/1", "06/01", "06-01", "6-1", "6.1", "6月1日 10:30"])
def test_parse_date_month_day_uses_year(raw: str) -> None:
    assert parse_date(raw, 2024) == D(2024, 6, 1)
    assert parse_date(raw, 2025) == D(2025, 6, 1)
    assert code_of(parse_date, raw) == "date-needs-year"


@pytest.mark.parametrize(("raw", "expected"), [
    (D(2024, 6, 1), D(2024, 6, 1)),
    (dt.datetime(2024, 6, 1, 23, 59), D(2024, 6, 1)),
    (pd.Timestamp("2024-06-01 10:30"), D(2024, 6, 1)),
    (np.datetime64("2024-06-01T10:30"), D(2024, 6, 1)),
    (45444, D(2024, 6, 1)),
    (45444.0, D(2024, 6, 1)),
    (45444.99, D(2024, 6, 1)),  # a time of day is dropped
    (np.int64(45444), D(2024, 6, 1)),
    (np.float64(45444.5), D(2024, 6, 1)),
    (1, D(1900, 1, 1)),
    (59, D(1900, 2, 28)),
    (61, D(1900, 3, 1)),
    (2958465, D(9999, 12, 31)),
])
def test_parse_date_values(raw: object, expected: dt.date) -> None:
    out = parse_date(raw)
    assert type(out) is dt.date
    assert out == expected


def test_parse_date_serial_matches_excel_epoch() -> None:
    assert parse_date(45444) == EXCEL_EPOCH + dt.timedelta(days=45444)
    assert parse_date(30) == D(1899, 12, 31) + dt.timedelta(days=30)


# --------------------------------------------------------------------------- parse_date: errors
@pytest.mark.parametrize(("raw", "year"), [
    ("2024-02-30", None), ("2023-02-29", None), ("2024-13-01", None), ("2024-00-10", None), ("2024-06-00", None),
    ("2024年2月30日", None), ("20240230", None), ("20241301", None), ("0000-01-01", None),
    ("13月1日", None), ("13月1日", 2024), ("2月30日", 2024), ("2月29日", 2023), ("6/31", 2024), ("0/1", 2024),
    ("2024-06-01 24:00", None), ("2024-06-01 10:60", None),
    (60, None), (60.5, None),  # Excel's 1900-02-29
    (0, None), (0.5, None), (-1, None), (2958466, None), (10**30, None), (1e300, None),
])
def test_parse_date_invalid(raw: object, year: int | None) -> None:
    assert code_of(parse_date, raw, year) == "invalid-date"


def test_parse_date_needs_year_only_when_the_date_could_exist() -> None:
    assert code_of(parse_date, "2月29日") == "date-needs-year"
    assert parse_date("2月29日", 2024) == D(2024, 2, 29)
    assert code_of(parse_date, "2月30日") == "invalid-date"


@pytest.mark.parametrize("raw", [
    "hello", "2024", "45444", "24/6/1", "2024-06", "2024年6月", "6月", "2024-06/01", "2024.06-01",
    "2024-06-01 morning", "2024-06-01 10", "六月一日", "2024-06-01T", "1/2/3/4", "2024²-06-01",
    True, False, np.bool_(False), float("nan"), float("inf"), dt.time(10, 30), [2024, 6, 1], object(),
])
def test_parse_date_not_a_date(raw: object) -> None:
    assert code_of(parse_date, raw, 2024) == "not-a-date"


@pytest.mark.parametrize("raw", ["", "  ", "\u3000", None, pd.NaT, pd.NA, np.datetime64("NaT")])
def test_parse_date_blank(raw: object) -> None:
    assert code_of(parse_date, raw, 2024) == "blank"


# --------------------------------------------------------------------------- parse_text
@pytest.mark.parametrize(("raw", "expected"), [
    (None, ""),
    ("  张三 ", "张三"),
    ("ＧＭＶ", "ＧＭＶ"),  # width kept
    ('=HYPERLINK("https://x.cn","看板")', '=HYPERLINK("https://x.cn","看板")'),
    (" =A1+1 ", "=A1+1"),
    (12.0, "12"),
    (-3.0, "-3"),
    (12, "12"),
    (np.int64(12), "12"),
    (12.5, "12.5"),
    (0.1, "0.1"),
    (np.float64(0.1), "0.1"),
    (Decimal("1.50"), "1.50"),
    (float("nan"), ""),
    (pd.NaT, ""),
    (pd.NA, ""),
    (D(2024, 6, 1), "2024-06-01"),
    (dt.datetime(2024, 6, 1), "2024-06-01"),
    (pd.Timestamp("2024-06-01"), "2024-06-01"),
    (dt.datetime(2024, 6, 1, 10, 30), "2024-06-01 10:30:00"),
    (True, "TRUE"),
    (False, "FALSE"),
])
def test_parse_text(raw: object, expected: str) -> None:
    assert parse_text(raw) == expected


# --------------------------------------------------------------------------- properties
@st.composite
def written_dates(draw: st.DrawFn) -> tuple[dt.date, object]:
    """A date and one way staff write it."""
    d = draw(st.dates(D(1900, 3, 1), D(2099, 12, 31)))
    serial = (d - EXCEL_EPOCH).days
    forms: list[object] = [
        d.isoformat(),
        f"{d.year}/{d.month}/{d.day}",
        f"{d:%Y.%m.%d}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d:%Y%m%d}",
        serial,
        serial + draw(st.floats(0, 0.999, exclude_max=True)),
    ]
    return d, draw(st.sampled_from(forms))


@given(written_dates())
def test_parse_date_round_trip(case: tuple[dt.date, object]) -> None:
    d, written = case
    assert parse_date(written) == d


finite = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)


@given(finite)
@example(1e-05)
@example(-0.0)
@example(123456789.123)
def test_parse_number_round_trip_str(x: float) -> None:
    assert parse_number(str(x)) == x


@given(finite)
@example(1234567.891)
@example(-0.001)
def test_parse_number_round_trip_thousands(x: float) -> None:
    assert parse_number(f"{x:,.2f}") == round(x, 2)


@given(finite)
@example(0.967)
@example(1e-07)
def test_parse_number_round_trip_percent(x: float) -> None:
    for unit in ("%", None):
        assert parse_number(f"{x * 100}%", unit) == pytest.approx(x, rel=1e-12, abs=1e-300)


mixed = st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none(), st.dates())
typed_text = st.text(alphabet=st.sampled_from("0123456789０１２３４５６７８９.,，%％:：比万亿元¥￥"
                                              "人单张个件倍秒分钟小时天hsmindkw+-−~≥≤<>=约年月日号/T ²①"), max_size=12)


@given(st.one_of(mixed, typed_text), st.sampled_from(UNITS))
def test_parse_number_only_raises_parse_error(value: object, unit: str | None) -> None:
    try:
        out = parse_number(value, unit)
    except ParseError as e:
        assert e.code in {"blank", "not-a-number", "not-finite", "unit-mismatch"}
    else:
        assert type(out) is float and math.isfinite(out)


@given(st.one_of(mixed, typed_text), st.one_of(st.none(), st.integers(-10**6, 10**6)))
def test_parse_date_only_raises_parse_error(value: object, year: int | None) -> None:
    try:
        out = parse_date(value, year)
    except ParseError as e:
        assert e.code in {"blank", "not-a-date", "date-needs-year", "invalid-date"}
    else:
        assert type(out) is dt.date


@given(mixed)
def test_parse_text_always_gives_a_stripped_str(value: object) -> None:
    out = parse_text(value)
    assert isinstance(out, str) and out == out.strip()


whitespace = st.text(alphabet=st.sampled_from(" \t\n\r\u3000\u00a0\u2002\u200b\ufeff"), min_size=1, max_size=3)


@given(st.one_of(st.text(), mixed))
def test_normalize_header_is_idempotent(value: object) -> None:
    once = normalize_header(value)
    assert normalize_header(once) == once
    assert not any(ch.isspace() for ch in once)


@given(st.text(), st.data())
def test_normalize_header_ignores_inserted_whitespace(value: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(value)))
    spaced = value[:cut] + data.draw(whitespace) + value[cut:]
    assert normalize_header(spaced) == normalize_header(value)


@given(st.text())
def test_normalize_text_is_idempotent_and_trimmed(value: str) -> None:
    once = normalize_text(value)
    assert normalize_text(once) == once
    assert once == once.strip() and "  " not in once
