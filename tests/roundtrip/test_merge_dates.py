"""Issue 11: a date typed into a text column of a copy (Excel turns ``6/1`` into one) arrives in the master as the
date it is, shown as a date, not as its bare serial in a General cell; dates before 1900-03-01 keep their day."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl

from tests.conftest import read_values
from tests.roundtrip.test_merge import DAILY, TASKS, change_rows, value
from xlpromo.roundtrip.merge import merge_books
from xlpromo.roundtrip.split import split_book


def _typed(copy: Path, out: Path) -> Path:
    """The 仓储部 copy with dates typed into 备注 (L12, L17) and a new 每日监控 row dated 1900-01-01, saved by
    openpyxl as Excel would (date cells with a date format)."""
    wb = openpyxl.load_workbook(copy)
    ws = wb[TASKS]
    ws["L12"], ws["L17"] = dt.datetime(2024, 6, 1), dt.datetime(1900, 1, 1)
    ws["L12"].number_format = ws["L17"].number_format = "m/d"
    daily = wb[DAILY]
    daily["A312"], daily["B312"], daily["C312"] = dt.datetime(1900, 1, 1), "发货时长", "全渠道"
    daily["F312"], daily["G312"], daily["L312"] = 48, 36, dt.datetime(2024, 6, 2, 9, 30)
    daily["A312"].number_format = "yyyy-mm-dd"
    wb.save(out)
    return out


def _cell_xml(path: Path, sheet_part: str, ref: str) -> str:
    xml = zipfile.ZipFile(path).read(sheet_part).decode()
    found = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml)
    assert found is not None, ref
    return found.group(0)


def test_a_date_typed_into_a_text_column_arrives_as_a_date(master: Path, tmp_path: Path) -> None:
    copy = split_book(master, "仓储部", tmp_path / "618活动-仓储部.xlsx").output
    typed = _typed(copy, tmp_path / "仓储部.xlsx")
    result = merge_books(master, [typed], tmp_path / "merged.xlsx")
    assert sorted((c.cell, c.new) for c in result.changes) == [("L12", "2024-06-01"), ("L17", "1900-01-01")]
    assert [a[:3] for a in result.appended] == [(DAILY, "A312", "D00309")]
    values = read_values(result.output)  # calamine reads the dates back as dates: a number format says so
    assert [value(values, TASKS, "L12"), value(values, TASKS, "L17")] == [dt.date(2024, 6, 1), dt.date(1900, 1, 1)]
    assert value(values, DAILY, "A312") == dt.date(1900, 1, 1)
    assert value(values, DAILY, "L312") == dt.datetime(2024, 6, 2, 9, 30)
    wb = openpyxl.load_workbook(result.output)
    assert [wb[TASKS][c].number_format for c in ("L12", "L17", "L13")] == ["yyyy-mm-dd", "yyyy-mm-dd", "General"]
    assert wb[TASKS]["L12"].alignment.wrap_text == wb[TASKS]["L13"].alignment.wrap_text  # the column's style kept
    assert [wb[DAILY][c].number_format for c in ("A312", "L312")] == ["yyyy-mm-dd", "yyyy-mm-dd hh:mm"]
    sheets = {ws.title: f"xl/worksheets/sheet{i}.xml" for i, ws in enumerate(wb.worksheets, start=1)}
    assert "<v>45444</v>" in _cell_xml(result.output, sheets[TASKS], "L12")  # the serial Excel stores for 6/1
    assert "<v>1</v>" in _cell_xml(result.output, sheets[TASKS], "L17")  # 1900-01-01 is serial 1, not 2
    assert "<v>1</v>" in _cell_xml(result.output, sheets[DAILY], "A312")
    logged = {r[3]: r[-1] for r in change_rows(values)}
    assert logged["L12"] == "2024-06-01" and logged["L17"] == "1900-01-01"
    assert logged["A312"].startswith("日期 1900-01-01，核心指标 发货时长")
