"""ooxml/tablecols.py on its own: a table part grown by columns, a worksheet's columns hidden (issue 12)."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlpromo.ooxml.tablecols import add_table_columns, hide_columns

TABLE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="5" name="Daily" '
         'displayName="Daily" ref="A3:C10"><autoFilter ref="A3:C10"/><tableColumns count="3">'
         '<tableColumn id="1" name="日期"/><tableColumn id="2" name="核心指标"/><tableColumn id="7" name="实际值"/>'
         '</tableColumns><tableStyleInfo name="TableStyleLight9" showRowStripes="1"/></table>')


def test_a_table_grows_by_its_new_columns_on_the_right() -> None:
    out = add_table_columns(TABLE, [("环比键", 'N([@日期])&"|"&[@核心指标]'), ("前一日<值>", "1")])
    assert 'ref="A3:E10"' in out and '<autoFilter ref="A3:E10"/>' in out
    assert '<tableColumns count="5">' in out
    assert out.endswith(
        '<tableColumn id="7" name="实际值"/>'
        '<tableColumn id="8" name="环比键"><calculatedColumnFormula>N([@日期])&amp;"|"&amp;[@核心指标]'
        '</calculatedColumnFormula></tableColumn>'
        '<tableColumn id="9" name="前一日&lt;值&gt;"><calculatedColumnFormula>1</calculatedColumnFormula>'
        '</tableColumn></tableColumns><tableStyleInfo name="TableStyleLight9" showRowStripes="1"/></table>')
    assert out.startswith(TABLE[:TABLE.index("ref=")])  # the rest keeps its bytes


def test_a_prefixed_table_part_keeps_its_prefix() -> None:
    xml = ('<x:table xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ref="B2:B4">'
           '<x:tableColumns count="1"><x:tableColumn id="1" name="a"/></x:tableColumns></x:table>')
    out = add_table_columns(xml, [("b", "2")])
    assert out == ('<x:table xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ref="B2:C4">'
                   '<x:tableColumns count="2"><x:tableColumn id="1" name="a"/><x:tableColumn id="2" name="b">'
                   '<x:calculatedColumnFormula>2</x:calculatedColumnFormula></x:tableColumn></x:tableColumns>'
                   '</x:table>')


@pytest.mark.parametrize("xml", ["<worksheet/>", '<table ref="A1:B2"></table>'])
def test_what_is_not_a_table_part_is_refused(xml: str) -> None:
    with pytest.raises(ValueError, match="table"):
        add_table_columns(xml, [("x", "1")])


def test_hidden_columns_get_cols_where_there_were_none() -> None:
    xml = '<worksheet><sheetViews/><sheetData><row r="1"/></sheetData></worksheet>'
    assert hide_columns(xml, 17, 18, 12) == ('<worksheet><sheetViews/><cols><col min="17" max="18" width="12" '
                                             'hidden="1" customWidth="1"/></cols><sheetData><row r="1"/>'
                                             '</sheetData></worksheet>')


def test_a_col_entry_over_the_range_is_cut_around_it() -> None:
    xml = ('<worksheet><cols><col min="1" max="1" width="9"/><col min="2" max="20" width="11" style="3"/>'
           '</cols><sheetData/></worksheet>')
    out = hide_columns(xml, 5, 6, 0.5)
    assert out == ('<worksheet><cols><col min="1" max="1" width="9"/><col min="2" max="4" width="11" style="3"/>'
                   '<col min="5" max="6" width="0.5" hidden="1" customWidth="1"/>'
                   '<col min="7" max="20" width="11" style="3"/></cols><sheetData/></worksheet>')


def test_no_sheet_data_is_refused() -> None:
    with pytest.raises(ValueError, match="sheetData"):
        hide_columns("<worksheet/>", 1, 1, 1)


spans = st.lists(st.tuples(st.integers(1, 40), st.integers(0, 5)), max_size=6)


@given(spans, st.integers(1, 40), st.integers(0, 5))
def test_hidden_columns_never_overlap_another_entry_and_keep_every_other_column(
        given_spans: list[tuple[int, int]], first: int, extra: int) -> None:
    """Whatever ``<col>`` entries the sheet had (disjoint, as Excel requires), the result's entries are disjoint and
    in order, the hidden range is one entry, and every other column keeps the width it had."""
    taken: set[int] = set()
    cols = []
    width_before: dict[int, str] = {}
    for lo, n in sorted(given_spans):
        hi = lo + n
        if taken & set(range(lo, hi + 1)):
            continue
        taken |= set(range(lo, hi + 1))
        cols.append(f'<col min="{lo}" max="{hi}" width="{lo + 0.5}"/>')
        width_before.update({c: f"{lo + 0.5:g}" for c in range(lo, hi + 1)})
    last = first + extra
    xml = f"<worksheet><cols>{''.join(cols)}</cols><sheetData/></worksheet>"
    out = hide_columns(xml, first, last, 3)
    entries = [(int(a), int(b), w, h) for a, b, w, h in
               re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"( hidden="1")?', out)]
    assert [e[:2] for e in entries] == sorted(e[:2] for e in entries)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(entries))
    assert [e[:2] for e in entries if e[3]] == [(first, last)]
    width_after = {c: w for a, b, w, h in entries if not h for c in range(a, b + 1)}
    assert width_after == {c: w for c, w in width_before.items() if not first <= c <= last}
