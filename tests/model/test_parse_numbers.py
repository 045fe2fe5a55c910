"""parse_number on what is no finite number (issue 11): a stored 1e309, INF or NaN, text beyond the float range."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from xlpromo.errors import ParseError
from xlpromo.model.parse import not_finite, parse_number
from xlpromo.model.values import BadNumber, is_blank


def code_of(value: object, unit: str | None = None) -> str:
    with pytest.raises(ParseError) as info:
        parse_number(value, unit)
    return info.value.code


@pytest.mark.parametrize("value", [
    math.inf, -math.inf, math.nan, np.float64("nan"), np.float64("inf"), Decimal("NaN"), Decimal("Infinity"),
    10**400,  # an int too large for a float
    BadNumber("1e309"), BadNumber("INF"), BadNumber("NaN"), BadNumber("-inf"),
    "1e309", "-1e309", "1e309万", "2e308", "¥2e308", "１e309",  # text read as a number beyond the largest float
])
def test_no_finite_number_is_not_finite(value: object) -> None:
    assert code_of(value) == "not-finite"


def test_yuan_beyond_the_limit_in_a_wan_column_is_a_number() -> None:
    assert parse_number("2e308元", "万元") == pytest.approx(2e304)


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "Infinity", "1e99999"])
def test_words_float_accepts_stay_not_a_number(text: str) -> None:
    """Typed text a person would not call a number (float() accepts it): not-a-number, as before."""
    assert code_of(text) == "not-a-number"


def test_numbers_at_the_float_limit_are_numbers() -> None:
    assert parse_number("1e308") == 1e308
    assert parse_number(1.7976931348623157e308) == 1.7976931348623157e308
    assert parse_number("-1.5e308") == -1.5e308


def test_messages_name_the_value_as_stored_or_typed() -> None:
    assert str(not_finite(BadNumber("1e309"))) == (
        "单元格存的数值“1e309”不是有限的数字（超出了单元格能存的最大数值 ±1.79769313486232E+308），无法计算，"
        "Excel 等程序也可能打不开存着它的文件：请重新填写实际的数值")
    assert str(not_finite(" 1e309 ")) == (
        "“1e309”不是有限的数字（超出了单元格能存的最大数值 ±1.79769313486232E+308），无法计算：请填写实际的数值")
    assert "NaN 的意思是“不是数字”" in str(not_finite(math.nan))
    assert "“1.000000E+400”" in str(not_finite(10**400))


def test_a_bad_number_is_never_blank() -> None:
    assert not is_blank(BadNumber("NaN")) and isinstance(BadNumber("NaN"), str)
