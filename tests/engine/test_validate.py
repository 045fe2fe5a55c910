"""The validator on its own: a RawBook in memory (no file is opened) in, findings at exact cells out.

The demo is read once; each test changes a few cells of its frames the way a person would type
them, and asserts the findings' cells, codes and messages (the seeds' 任务分工!F6 style).
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from xlpromo.engine.validate import validate
from xlpromo.files.reader import read_workbook
from xlpromo.model.book import RawBook


@pytest.fixture(scope="module")
def demo_book(demo_path: Path) -> RawBook:
    return read_workbook(demo_path)


@pytest.fixture
def book(demo_book: RawBook, tmp_path: Path) -> RawBook:
    """A fresh deep copy whose path names no file: validate must not need one."""
    fresh = copy.deepcopy(demo_book)
    fresh.path = tmp_path / "不存在.xlsx"
    return fresh


def _found(book: RawBook) -> list[tuple[str, str, str]]:
    return [(f"{f.sheet}!{f.cell}", f.code, f.message) for f in validate(book).findings]


def _cell(book: RawBook, table: str, key: str, n: int = 0) -> tuple[int, str]:
    """The Excel row of the n-th data row of a table and the A1 address of its ``key`` cell."""
    raw = book.tables[table]
    row = int(raw.data.index[n])
    return row, raw.address(row, key)


def test_the_demo_has_no_error_and_no_file_is_opened(book: RawBook) -> None:
    result = validate(book)
    assert not book.path.exists()
    assert result.errors == []
    assert len(result.frames["daily"]) == len(book.tables["daily"].data)


def test_a_due_date_before_the_start_is_named_at_its_cell(book: RawBook) -> None:
    row, due = _cell(book, "tasks", "due", 2)
    start = book.tables["tasks"].data.at[row, "start"]
    book.tables["tasks"].data.at[row, "due"] = start - dt.timedelta(days=3)
    assert ("任务分工!" + due, "date-order", "截止时间早于起始时间") in _found(book)
    assert due == f"F{row}"


def test_text_in_a_number_cell_is_an_error_and_reads_as_blank(book: RawBook) -> None:
    row, cell = _cell(book, "daily", "actual", 0)
    book.tables["daily"].data.at[row, "actual"] = "五十"
    result = validate(book)
    hits = [f for f in result.findings if f.cell == cell and f.sheet == "每日监控"]
    assert [f.code for f in hits] == ["type-number"]
    assert hits[0].message == "无法识别的数字：“五十”"
    assert pd.isna(result.frames["daily"].at[row, "actual"])  # set aside; the finding names the cell


def test_list_duplicate_and_required_are_all_reported_at_once(book: RawBook) -> None:
    tasks = book.tables["tasks"].data
    (r0, dept), (r1, task_id), (r2, owner) = (_cell(book, "tasks", k, n) for k, n in
                                              (("dept", 0), ("task_id", 1), ("owner", 2)))
    tasks.at[r0, "dept"] = "外星部"
    tasks.at[r1, "task_id"] = tasks.at[r0, "task_id"]
    tasks.at[r2, "owner"] = "   "
    found = {(cell, code) for cell, code, _ in _found(book)}
    assert {("任务分工!" + dept, "not-in-list"), ("任务分工!" + task_id, "duplicate-key"),
            ("任务分工!" + owner, "required")} <= found


def test_validation_does_not_change_the_book_it_reads(book: RawBook, demo_book: RawBook) -> None:
    before = {k: t.data.copy() for k, t in book.tables.items()}
    validate(book)
    for key, frame in before.items():
        assert book.tables[key].data.equals(frame), key
