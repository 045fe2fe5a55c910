"""The workbook interface the buttons use: a few bulk calls, each independent of the number of rows.

:class:`Book` is one open workbook (read a sheet, list its Excel tables, write a block, add a
sheet); :class:`Host` is the application around it (the active book, message boxes, file
dialogs). Adapters: xlwings (:mod:`.adapter`), a .xlsx file (:mod:`xlpromo.testing.filebook`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from xlpromo.errors import ExcelUnavailable
from xlpromo.files.reader import read_rows
from xlpromo.model.book import RawBook, TableRef

__all__ = ["DAILY_HEAD", "GENERATED_HEADS", "WORKBOOKS", "Book", "ExcelUnavailable", "FileKind", "Formula", "Host",
           "TableRef", "load"]

#: A1 of the 日报 sheet the 日报 button writes: it says who wrote the sheet and that the next click rewrites it.
DAILY_HEAD = "日报（由 xlpromo 生成，每次点“日报”按钮重写）"
#: What A1 (or A2, under 预警's title line) holds in a sheet xlpromo made and may clear: 问题清单/预警's 位置 header,
#: the 日报's head line. Any other sheet of the same name is the user's and is never cleared.
GENERATED_HEADS = ("位置", DAILY_HEAD)

#: What a file dialog offers: the label of its filter and the patterns it shows (``("Excel 工作簿", ("*.xlsx",))``).
FileKind = tuple[str, tuple[str, ...]]
#: The files 合并回传 picks: workbooks.
WORKBOOKS: FileKind = ("Excel 工作簿", ("*.xlsx", "*.xlsm"))


class Formula(str):
    """A value to write as a formula (``=HYPERLINK(…)``); any other text starting with ``=`` is written as text."""

    __slots__ = ()


class Book(Protocol):
    """One open workbook. Every method is one bulk call, whatever the number of rows."""

    @property
    def path(self) -> Path:
        """Full path of the workbook; just its name while it was never saved."""
        ...

    def sheet_names(self) -> list[str]:
        """Names of the sheets, in order."""
        ...

    def read_sheet(self, sheet: str) -> list[list[Any]]:
        """Values from A1 to the last used cell: blanks ``""``, dates ``date``, error cells :class:`CellError`."""
        ...

    def tables(self, sheet: str) -> dict[str, TableRef]:
        """Excel tables (ListObjects) of a sheet: name → 0-based (header row, first col, last row, last col)."""
        ...

    def write_block(self, sheet: str, top_left: tuple[int, int], rows: Sequence[Sequence[Any]]) -> None:
        """Write a rectangle of values at 0-based (row, col); ``None`` blanks a cell, :class:`Formula` is a formula."""
        ...

    def add_or_clear_sheet(self, sheet: str) -> None:
        """An empty sheet of that name at the end: created, or cleared when xlpromo made it earlier."""
        ...


class Host(Protocol):
    """The application around the workbooks."""

    def active_book(self) -> Book:
        """The workbook the user is looking at (never the add-in); ExcelUnavailable when there is none."""
        ...

    def message(self, text: str, title: str) -> None:
        """Show a message box."""
        ...

    def pick_files(self, title: str, kind: FileKind = WORKBOOKS) -> list[Path]:
        """Let the user choose files of ``kind`` (workbooks unless told); an empty list when cancelled."""
        ...

    def open_book(self, path: Path, sheet: str | None = None) -> None:
        """Open a workbook in the application, showing ``sheet`` when given."""
        ...


def load(book: Book) -> RawBook:
    """Every table of the schema from an open workbook: one read per sheet that holds a table."""
    return read_rows(book.path, book.sheet_names(), book.read_sheet, book.tables)
