"""The file backend: an .xlsx read with calamine, writes kept in memory — the buttons, headless.

A :class:`FileBook` stands in for a workbook open in Excel: reads see earlier writes, and tests
read back exactly what a button wrote. :class:`FileHost` records message boxes and opened files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xlpromo.excel.backend import WORKBOOKS, ExcelUnavailable, FileKind, TableRef
from xlpromo.files.reader import open_calamine, package_parts
from xlpromo.model.a1 import parse_cell
from xlpromo.model.values import CellError

__all__ = ["FileBook", "FileHost"]


class FileBook:
    """A workbook file as the buttons see it; implements :class:`xlpromo.excel.backend.Book`."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        self._wb = open_calamine(self._path)
        self._names: list[str] = list(self._wb.sheet_names)
        self._parts = package_parts(self._path, self._names)
        self._grids: dict[str, list[list[Any]]] = {}
        self.calls: list[str] = []  # one entry per interface call, e.g. ``write_block 每日监控 (3, 14) 2000x1``

    @property
    def path(self) -> Path:
        """The file's path."""
        return self._path

    def sheet_names(self) -> list[str]:
        """Sheets of the file, then those added by :meth:`add_or_clear_sheet`."""
        self.calls.append("sheet_names")
        return list(self._names)

    def _grid(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._grids:
            rows = self._wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            parts = self._parts.get(sheet)
            for (r, c), err in (parts.errors.items() if parts else ()):
                rows[r][c] = CellError(err)
            self._grids[sheet] = rows
        return self._grids[sheet]

    def read_sheet(self, sheet: str) -> list[list[Any]]:
        """Values from A1, as calamine reads them, with this session's writes applied."""
        self.calls.append(f"read_sheet {sheet}")
        return [list(r) for r in self._grid(sheet)]

    def tables(self, sheet: str) -> dict[str, TableRef]:
        """Excel tables of the sheet, from the package."""
        self.calls.append(f"tables {sheet}")
        parts = self._parts.get(sheet)
        return dict(parts.tables) if parts else {}

    def write_block(self, sheet: str, top_left: tuple[int, int], rows: Sequence[Sequence[Any]]) -> None:
        """Write values into the in-memory sheet (``None`` blanks a cell, stored as ``""`` as calamine reads it)."""
        self.calls.append(f"write_block {sheet} {top_left} {len(rows)}x{max((len(r) for r in rows), default=0)}")
        grid = self._grid(sheet)
        r0, c0 = top_left
        width = max([len(grid[0]) if grid else 0, *(c0 + len(r) for r in rows)])
        while len(grid) < r0 + len(rows):
            grid.append([""] * width)
        for row in grid:
            row.extend([""] * (width - len(row)))
        for i, values in enumerate(rows):
            grid[r0 + i][c0:c0 + len(values)] = ["" if v is None else v for v in values]

    def add_or_clear_sheet(self, sheet: str) -> None:
        """An empty sheet at the end (an existing one of that name is emptied)."""
        self.calls.append(f"add_or_clear_sheet {sheet}")
        if sheet not in self._names:
            self._names.append(sheet)
        self._grids[sheet] = []

    def value(self, cell: str) -> Any:
        """The value of ``'Sheet'!A1``-style ``每日监控!O125`` in this session ("" when outside the data)."""
        sheet, ref = cell.rsplit("!", 1)
        row, col = parse_cell(ref)
        grid = self._grid(sheet.strip("'"))
        return grid[row][col] if row < len(grid) and col < len(grid[row]) else ""


class FileHost:
    """A host without Excel: one :class:`FileBook`; messages and opened files recorded, picked files given."""

    def __init__(self, book: FileBook | None, picks: Sequence[Path] = ()) -> None:
        self.book = book
        self.picks = list(picks)
        self.messages: list[tuple[str, str]] = []
        self.opened: list[Path] = []
        self.shown: list[str] = []  # sheets activated in the books opened
        self.asked: list[tuple[str, FileKind]] = []  # each file dialog's title and the files it offered

    def active_book(self) -> FileBook:
        """The one book; ExcelUnavailable when there is none."""
        if self.book is None:
            raise ExcelUnavailable("没有打开的工作簿：请先打开活动主工作簿")
        return self.book

    def message(self, text: str, title: str) -> None:
        """Record a message box."""
        self.messages.append((title, text))

    def pick_files(self, title: str, kind: FileKind = WORKBOOKS) -> list[Path]:
        """The files given in advance; the dialog's title and kind recorded."""
        self.asked.append((title, kind))
        return list(self.picks)

    def open_book(self, path: Path, sheet: str | None = None) -> None:
        """Record the file that Excel would open, and the sheet it would show."""
        self.opened.append(path)
        if sheet is not None:
            self.shown.append(sheet)
