"""The cells of a platform export as numbers and dates (issue 15): the platforms' text forms, no value, bad values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from xlpromo.errors import ParseError
from xlpromo.model.export_values import cell_date, cell_number, cell_text


@pytest.mark.parametrize(("typed", "number"), [
    ("13,140.01", 13140.01), ("12.96%", 0.1296), ("￥1,000.50", 1000.5), ("¥1,000.50", 1000.5),
    ("１３，１４０．０１", 13140.01), ("１２．９６％", 0.1296), ("  131.40  ", 131.4), ("\u3000131.40\u3000", 131.4),
    ("\ufeff5", 5.0), ("-12.5", -12.5), ("1,234,567", 1234567.0), ("0", 0.0), ("12.96 %", 0.1296),
    ("1,000.50元", 1000.5), (13140.01, 13140.01), (7, 7.0),
])
def test_export_numbers(typed: object, number: float) -> None:
    assert cell_number(typed) == number


@pytest.mark.parametrize("typed", ["-", "--", "—", "——", "－", "–", "/", "", "   ", "\u3000", "N/A", "null", None,
                                   float("nan")])
def test_no_value_is_none(typed: object) -> None:
    assert cell_number(typed) is None


@pytest.mark.parametrize(("typed", "message"), [
    ("abc", "“abc”不是数字"),
    ("12.3.4", "“12.3.4”不是数字"),
    ("1:3", "“1:3”不是数字"),
    ("2024-06-01", "“2024-06-01”不是数字"),
    (dt.date(2024, 6, 1), "“2024-06-01”不是数字"),
    (True, "“TRUE”不是数字"),
])
def test_not_a_number_says_so(typed: object, message: str) -> None:
    with pytest.raises(ParseError) as info:
        cell_number(typed)
    assert (info.value.code, str(info.value)) == ("not-a-number", message)


def test_beyond_a_float_is_not_finite() -> None:
    with pytest.raises(ParseError) as info:
        cell_number("1e400")
    assert info.value.code == "not-finite"


def _grouped(cents: int) -> str:
    return f"{Decimal(cents) / 100:,.2f}"


def _full_width(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789,.%"})


@given(st.integers(min_value=-10**13, max_value=10**13))
@example(1314001)
@example(-5)
@example(0)
def test_thousands_separators_round_trip(cents: int) -> None:
    exact = float(Decimal(cents) / 100)
    assert cell_number(_grouped(cents)) == exact
    assert cell_number(f" {_grouped(cents)} ") == exact
    assert cell_number(_full_width(_grouped(cents))) == exact
    if cents >= 0:
        assert cell_number(f"￥{_grouped(cents)}") == exact
        assert cell_number(f"¥{_grouped(cents)}") == exact


@given(st.integers(min_value=0, max_value=10**7))
@example(1296)
def test_percent_round_trip(hundredths: int) -> None:
    shown_ = f"{Decimal(hundredths) / 100:,.2f}%"  # 12.96% → 0.1296
    assert cell_number(shown_) == float(Decimal(hundredths) / 10000)
    assert cell_number(_full_width(shown_)) == float(Decimal(hundredths) / 10000)


@given(st.text())
@example("\x00")
@example("1e99999")
@example("9" * 5000)
@example("--1")
@example("¥-")
@example("%")
def test_any_text_is_a_number_none_or_parse_error(text: str) -> None:
    try:
        out = cell_number(text)
    except ParseError as exc:
        assert str(exc)
    else:
        assert out is None or isinstance(out, float)


@given(st.text())
def test_any_text_is_a_date_or_parse_error(text: str) -> None:
    try:
        assert isinstance(cell_date(text), dt.date)
    except ParseError as exc:
        assert str(exc)


@pytest.mark.parametrize("typed", [
    "2024-06-01", "2024/6/1", "2024/06/01", "20240601", "2024年6月1日", "2024.6.1", " 2024-06-01 ", "\ufeff2024-06-01",
    "２０２４－０６－０１", "2024-06-01 00:00:00", dt.date(2024, 6, 1), dt.datetime(2024, 6, 1, 13, 5), 45444, 45444.0,
    45444.75,
])
def test_export_dates(typed: object) -> None:
    assert cell_date(typed) == dt.date(2024, 6, 1)


@pytest.mark.parametrize(("typed", "code", "message"), [
    ("", "blank", "日期为空"),
    (None, "blank", "日期为空"),
    ("合计", "not-a-date", "“合计”不是日期（应为 2024-06-01、2024/6/1、20240601 或 2024年6月1日）"),
    ("6月1日", "date-needs-year", "“6月1日”不是日期（应为 2024-06-01、2024/6/1、20240601 或 2024年6月1日）"),
    ("2024-02-30", "invalid-date", "不存在的日期：“2024-02-30”"),
])
def test_bad_dates(typed: object, code: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        cell_date(typed)
    assert (info.value.code, str(info.value)) == (code, message)


def test_cell_text_keeps_the_inside() -> None:
    assert cell_text("\ufeff\u3000支付 金额\u200b \t") == "支付 金额"
