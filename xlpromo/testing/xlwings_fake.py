"""A recording fake of the xlwings objects the adapter uses: App, Books, Book, Sheets, Sheet, Table, Range.

Backed by lists of rows (loaded from an .xlsx with calamine) and behaving as Excel does for
what the adapter needs: blanks read as None, numbers as float, dates as datetime, errors as
their text; a leading apostrophe makes text. Every call that would cross to Excel is appended
to :attr:`FakeApp.calls`, so tests can count the calls of a click.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from xlpromo.files.reader import open_calamine, package_parts
from xlpromo.model.values import CellError

__all__ = ["FakeApp", "FakeBook", "FakeRange", "FakeSheet", "FakeTable"]


def _excel_value(v: Any) -> Any:
    """A calamine value as Excel holds it."""
    if isinstance(v, CellError):
        return str(v)
    if v == "" or v is None:
        return None
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


def _typed(v: Any) -> Any:
    """What Excel stores when a value is written: a leading apostrophe makes text and is not kept."""
    if isinstance(v, str) and v.startswith("'"):
        return v[1:]
    return v


class FakeRange:
    """A rectangle of a FakeSheet: 1-based first row/col and shape; ``value`` reads or writes it."""

    def __init__(self, sheet: FakeSheet, row: int, column: int, rows: int = 1, cols: int = 1) -> None:
        self.sheet, self._row, self._col, self._rows, self._cols = sheet, row, column, rows, cols
        self._ndim: int | None = None

    def options(self, convert: Any = None, **options: Any) -> FakeRange:
        """Options live on the Python side (no call); ``ndim=2`` always gives a list of rows."""
        out = FakeRange(self.sheet, self._row, self._col, self._rows, self._cols)
        out._ndim = options.get("ndim")
        return out

    @property
    def row(self) -> int:
        self.sheet.app.record(f"{self!r}.row")
        return self._row

    @property
    def column(self) -> int:
        self.sheet.app.record(f"{self!r}.column")
        return self._col

    @property
    def address(self) -> str:
        self.sheet.app.record(f"{self!r}.address")
        first = xl_rowcol_to_cell(self._row - 1, self._col - 1, True, True)
        last = xl_rowcol_to_cell(self._row + self._rows - 2, self._col + self._cols - 2, True, True)
        return f"{first}:{last}" if (self._rows, self._cols) != (1, 1) else first

    @property
    def value(self) -> Any:
        self.sheet.app.record(f"{self!r}.value")
        grid = self.sheet.grid
        out = [[grid[r][c] if r < len(grid) and c < len(grid[r]) else None
                for c in range(self._col - 1, self._col - 1 + self._cols)]
               for r in range(self._row - 1, self._row - 1 + self._rows)]
        if self._ndim == 2 or (self._rows > 1 and self._cols > 1):
            return out
        if self._rows == 1 and self._cols == 1:
            return out[0][0]
        return out[0] if self._rows == 1 else [r[0] for r in out]

    @value.setter
    def value(self, data: Any) -> None:
        self.sheet.app.record(f"{self!r}.value=")
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [[data]]
        grid = self.sheet.grid
        for i, values in enumerate(rows):
            r = self._row - 1 + i
            while len(grid) <= r:
                grid.append([])
            line = grid[r]
            need = self._col - 1 + len(values)
            line.extend([None] * (need - len(line)))
            line[self._col - 1:need] = [_typed(v) for v in values]

    def __repr__(self) -> str:
        return f"<Range {self.sheet._name}!R{self._row}C{self._col}:{self._rows}x{self._cols}>"


class FakeTable:
    """A ListObject: its name and range."""

    def __init__(self, sheet: FakeSheet, name: str, ref: tuple[int, int, int, int]) -> None:
        self.sheet, self._name, self._ref = sheet, name, ref

    @property
    def name(self) -> str:
        self.sheet.app.record(f"Table {self._name}.name")
        return self._name

    @property
    def range(self) -> FakeRange:
        self.sheet.app.record(f"Table {self._name}.range")
        r0, c0, r1, c1 = self._ref
        return FakeRange(self.sheet, r0 + 1, c0 + 1, r1 - r0 + 1, c1 - c0 + 1)


class FakeSheet:
    """A worksheet backed by a list of rows (Excel values, None for blank)."""

    def __init__(self, book: FakeBook, name: str, grid: list[list[Any]],
                 tables: dict[str, tuple[int, int, int, int]] | None = None) -> None:
        self.book, self._name, self.grid = book, name, grid
        self._tables = [FakeTable(self, n, ref) for n, ref in (tables or {}).items()]

    @property
    def app(self) -> FakeApp:
        return self.book.app

    @property
    def name(self) -> str:
        self.app.record(f"Sheet {self._name}.name")
        return self._name

    @property
    def tables(self) -> list[FakeTable]:
        self.app.record(f"Sheet {self._name}.tables")
        return list(self._tables)

    @property
    def used_range(self) -> FakeRange:
        """From the first to the last non-blank cell, as Excel's UsedRange."""
        self.app.record(f"Sheet {self._name}.used_range")
        used = [(r, c) for r, row in enumerate(self.grid) for c, v in enumerate(row) if v is not None]
        if not used:
            return FakeRange(self, 1, 1)
        r0, r1 = min(r for r, _ in used), max(r for r, _ in used)
        c0, c1 = min(c for _, c in used), max(c for _, c in used)
        return FakeRange(self, r0 + 1, c0 + 1, r1 - r0 + 1, c1 - c0 + 1)

    def range(self, cell: tuple[int, int]) -> FakeRange:
        self.app.record(f"Sheet {self._name}.range{cell}")
        return FakeRange(self, cell[0], cell[1])

    def clear(self) -> None:
        self.app.record(f"Sheet {self._name}.clear")
        self.grid.clear()

    def activate(self) -> None:
        self.app.record(f"Sheet {self._name}.activate")
        self.app.shown.append(self._name)

    def values(self) -> list[list[Any]]:
        """The grid, for tests (not recorded)."""
        return self.grid


class _Sheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book
        self.items: list[FakeSheet] = []

    def __iter__(self) -> Iterator[FakeSheet]:
        self.book.app.record("Sheets.__iter__")
        return iter(list(self.items))

    def __getitem__(self, key: str | int) -> FakeSheet:
        self.book.app.record(f"Sheets[{key!r}]")
        if isinstance(key, int):
            return self.items[key]
        for s in self.items:
            if s._name.lower() == key.lower():
                return s
        raise KeyError(key)

    def add(self, name: str, before: Any = None, after: Any = None) -> FakeSheet:
        self.book.app.record(f"Sheets.add({name!r})")
        sheet = FakeSheet(self.book, name, [])
        self.items.insert(self.items.index(after) + 1 if after is not None else len(self.items), sheet)
        return sheet


class FakeBook:
    """A workbook: its full name and sheets."""

    def __init__(self, app: FakeApp, fullname: str) -> None:
        self.app, self._fullname = app, fullname
        self.sheets = _Sheets(self)

    @property
    def fullname(self) -> str:
        self.app.record("Book.fullname")
        return self._fullname

    @property
    def name(self) -> str:
        self.app.record("Book.name")
        return Path(self._fullname).name

    def sheet(self, name: str) -> FakeSheet:
        """A sheet by name, for tests (not recorded)."""
        return next(s for s in self.sheets.items if s._name == name)

    @classmethod
    def from_file(cls, app: FakeApp, path: str | Path) -> FakeBook:
        """Every sheet of an .xlsx (values as Excel holds them) and its Excel tables."""
        path = Path(path)
        wb = open_calamine(path)
        parts = package_parts(path, wb.sheet_names)
        book = cls(app, str(path))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            info = parts.get(name)
            for (r, c), err in (info.errors.items() if info else ()):
                rows[r][c] = CellError(err)
            grid = [[_excel_value(v) for v in row] for row in rows]
            book.sheets.items.append(FakeSheet(book, name, grid, dict(info.tables) if info else {}))
        return book


class _Books:
    def __init__(self, app: FakeApp) -> None:
        self.app = app
        self.items: list[FakeBook] = []

    @property
    def active(self) -> FakeBook | None:
        self.app.record("Books.active")
        return self.items[-1] if self.items else None

    def open(self, fullname: str) -> FakeBook:
        self.app.record(f"Books.open({Path(fullname).name!r})")
        book = FakeBook.from_file(self.app, fullname)
        self.items.append(book)
        return book


class FakeApp:
    """An Excel application: its books, alerts shown, and every call recorded in :attr:`calls`."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.alerts: list[tuple[str, str | None]] = []
        self.shown: list[str] = []  # sheets activated
        self.books = _Books(self)

    def record(self, call: str) -> None:
        """Note one call that would cross to Excel."""
        self.calls.append(call)

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None,
              callback: str | None = None) -> str:
        self.record("App.alert")
        self.alerts.append((prompt, title))
        return "ok"

    def load(self, path: str | Path) -> FakeBook:
        """Open a workbook without recording it (test setup); it becomes the active book."""
        book = FakeBook.from_file(self, path)
        self.books.items.append(book)
        return book
