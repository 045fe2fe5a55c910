"""The two tokens 环比 brought: ``{^key}`` (a head cell of the table) and ``{#index}`` (this row's position)."""

from __future__ import annotations

import pytest

from xlpromo.errors import FormulaError
from xlpromo.model.formulas import render, render_a1
from xlpromo.model.master import SCHEMA


def test_a_head_cell_renders_as_its_absolute_address() -> None:
    daily = SCHEMA.table("daily")
    assert daily.head_cell("sorted") == (0, 17)  # R1: 0-based row and column
    assert render("{^sorted}", SCHEMA, daily) == "$R$1"
    assert render("IF({^sorted}>0,1,2)", SCHEMA, daily) == "IF($R$1>0,1,2)"


def test_index_counts_rows_from_the_table_start_without_headers() -> None:
    """ROWS(INDEX(col,1):this row): 1 on the first data row, and not ROW()-ROW(T[#Headers]), which LibreOffice 7.4
    leaves without a value."""
    daily = SCHEMA.table("daily")
    assert render("{#index}", SCHEMA, daily) == "ROWS(INDEX(Daily[日期],1):Daily[[#This Row],[日期]])"
    assert "#Headers" not in render(daily.col("dod_prev").formula or "", SCHEMA, daily)


def test_unknown_head_cells_and_a1_rendering_are_clear_errors() -> None:
    daily = SCHEMA.table("daily")
    with pytest.raises(FormulaError, match=r"daily: unknown reference \{\^nope\}"):
        render("{^nope}", SCHEMA, daily)
    with pytest.raises(FormulaError, match=r"daily: unknown column \{\^sorted\}"):
        render_a1("{^sorted}", daily, 3)  # conditional formats have no head cells
