"""The xlwings adapter: :class:`XlBook` and :class:`XlHost` over a live Excel, in bulk calls only.

A sheet is read with one ``used_range.options(ndim=2, err_to_str=True).value`` call and a block
is written with one ``range(...).value = rows`` call, so a click costs the same number of calls
for 10 rows and for 10,000. Values cross between Python and Excel in :func:`to_excel` and
:func:`from_excel` only.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlpromo.errors import WorkbookError
from xlpromo.excel.backend import GENERATED_HEADS, WORKBOOKS, ExcelUnavailable, FileKind, Formula, TableRef
from xlpromo.model.a1 import parse_cell
from xlpromo.model.values import CellError
from xlpromo.roundtrip.recalc import ALERTS_TITLE_HEAD

__all__ = ["ERROR_TEXTS", "NO_EXCEL", "XlBook", "XlHost", "excel_host", "from_excel", "to_excel"]

#: Excel error values as ``err_to_str=True`` returns them.
ERROR_TEXTS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                         "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!"})
#: What every entry point says where there is no Excel (Linux, or Excel not running).
NO_EXCEL = ("未检测到 Excel：促销活动按钮和 XP_ 函数只能在 Windows 或 macOS 的 Excel 中使用（需安装 xlpromo 加载项）。"
            "没有 Excel 时请用命令行：xlpromo check 活动.xlsx（校验），xlpromo recalc 活动.xlsx -o 重算.xlsx"
            "（重算、问题清单、预警与标记），xlpromo report 活动.xlsx -o 复盘.html（复盘报告），"
            "xlpromo daily 活动.xlsx（日报）。")
_TAB_BGR = 0x0100C0  # xlsxpatch.GENERATED_TAB_COLOR (C00001) as Excel's BGR number


def from_excel(v: Any) -> Any:
    """A value read from Excel as calamine gives it: blank "", midnight datetime → date, error text → CellError."""
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date() if v.time() == dt.time() and v.tzinfo is None else v
    if isinstance(v, str) and v in ERROR_TEXTS:
        return CellError(v)
    return v


def to_excel(v: Any) -> Any:
    """A value to write: None/NaN/"" blank, dates as datetime, numpy scalars as Python, text kept as text."""
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, Formula):
        return str(v)
    if isinstance(v, str):  # the apostrophe keeps text as typed: Excel never reads it as a formula, date or number
        return "'" + v if v else None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) or math.isinf(v) else float(v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    return str(v)


def _ref(address: str) -> TableRef:
    """``$A$3:$P$200`` → (2, 0, 199, 15)."""
    first, _, last = address.replace("$", "").partition(":")
    (r0, c0), (r1, c1) = parse_cell(first), parse_cell(last or first)
    return r0, c0, r1, c1


class XlBook:
    """A workbook open in Excel (an ``xlwings.Book`` or anything of its shape); implements the Book interface."""

    def __init__(self, book: Any) -> None:
        self.book = book

    @property
    def path(self) -> Path:
        """``Book.fullname``: the full path, or the bare name of a never-saved book."""
        return Path(self.book.fullname)

    def sheet_names(self) -> list[str]:
        """Names of the sheets."""
        return [s.name for s in self.book.sheets]

    def read_sheet(self, sheet: str) -> list[list[Any]]:
        """The used range in one read, padded to start at A1."""
        used = self.book.sheets[sheet].used_range
        values = used.options(ndim=2, err_to_str=True).value or []
        r0, c0 = used.row - 1, used.column - 1
        width = c0 + max((len(r) for r in values), default=0)
        rows = [[""] * width for _ in range(r0)]
        rows += [[""] * c0 + [from_excel(v) for v in r] for r in values]
        return rows

    def tables(self, sheet: str) -> dict[str, TableRef]:
        """ListObjects of the sheet: one name and one address read per table."""
        return {t.name: _ref(t.range.address) for t in self.book.sheets[sheet].tables}

    def write_block(self, sheet: str, top_left: tuple[int, int], rows: Sequence[Sequence[Any]]) -> None:
        """One ``range((row, col)).value = rows`` call."""
        if not rows:
            return
        data = [[to_excel(v) for v in r] for r in rows]
        self.book.sheets[sheet].range((top_left[0] + 1, top_left[1] + 1)).value = data

    def add_or_clear_sheet(self, sheet: str) -> None:
        """Clear the sheet when xlpromo made it (A1, or A2 under a title line, is 位置), else add it after the last."""
        sheets = self.book.sheets
        if sheet in self.sheet_names():
            target = sheets[sheet]
            if not _generated(target):
                message = f"工作表“{sheet}”已存在且不是 xlpromo 生成的，没有覆盖；请将它改名后重试"
                raise WorkbookError(self.path, message, sheet=sheet)
            target.clear()
            return
        added = sheets.add(sheet, after=sheets[-1])
        if sys.platform.startswith("win"):  # the tab colour by which `xlpromo recalc` recognises its sheets
            added.api.Tab.Color = _TAB_BGR


def _generated(sheet: Any) -> bool:
    """Whether xlpromo made the sheet: A1 is one of its heads, or 预警's title line (``预警 · 统计日期 …``) stands
    above 位置 in A2, or the sheet is empty. A user's sheet with 位置 in A2 under their own A1 is theirs."""
    a1 = sheet.range((1, 1)).value
    if a1 in GENERATED_HEADS:
        return True
    if isinstance(a1, str) and a1.startswith(ALERTS_TITLE_HEAD):
        return bool(sheet.range((2, 1)).value == GENERATED_HEADS[0])
    return a1 is None and sheet.used_range.address == "$A$1"


def _com_pick(app: Any, title: str, kind: FileKind) -> list[Path]:
    """Windows: Excel's own open dialog, several files allowed."""
    patterns = ";".join(kind[1])
    picked = app.api.GetOpenFilename(f"{kind[0]} ({patterns}),{patterns}", 1, title, None, True)
    if not picked:
        return []
    return [Path(p) for p in (picked if isinstance(picked, (list, tuple)) else [picked])]


def _tk_pick(title: str, kind: FileKind) -> list[Path]:
    """macOS (and elsewhere): a Tk file dialog."""
    import tkinter
    from tkinter import filedialog

    root = tkinter.Tk()
    root.withdraw()
    try:
        names = filedialog.askopenfilenames(title=title, filetypes=[(kind[0], " ".join(kind[1]))])
    finally:
        root.destroy()
    return [Path(n) for n in names]


class XlHost:
    """An Excel application (an ``xlwings.App`` or anything of its shape); implements the Host interface."""

    def __init__(self, app: Any, picker: Callable[[str], list[Path]] | None = None) -> None:
        self.app = app
        self.picker = picker

    def active_book(self) -> XlBook:
        """``app.books.active``: the user's workbook, never the add-in that runs the button."""
        try:
            book = self.app.books.active
            name = str(book.name)
        except Exception:  # no workbook open: COM raises, appscript returns a missing value
            book, name = None, ""
        if book is None or name.lower().endswith(".xlam"):
            raise ExcelUnavailable("没有打开的工作簿：请先打开活动主工作簿，再点击按钮")
        return XlBook(book)

    def message(self, text: str, title: str) -> None:
        """``App.alert``."""
        self.app.alert(text, title=title)

    def pick_files(self, title: str, kind: FileKind = WORKBOOKS) -> list[Path]:
        """Excel's open dialog on Windows, a Tk dialog elsewhere, showing the files of ``kind``."""
        if self.picker is not None:
            return self.picker(title)
        return _com_pick(self.app, title, kind) if sys.platform.startswith("win") else _tk_pick(title, kind)

    def open_book(self, path: Path, sheet: str | None = None) -> None:
        """``app.books.open``, then ``sheets[sheet].activate()`` when a sheet is given."""
        book = self.app.books.open(str(path))
        if sheet is not None:
            book.sheets[sheet].activate()


def excel_host() -> XlHost:
    """The Excel that ran the button: the caller's app (the caller is the add-in), else the active app.

    ExcelUnavailable with :data:`NO_EXCEL` where xlwings has no Excel engine (Linux) or none is running.
    """
    import xlwings as xw

    if not any(e.name == "excel" for e in xw.engines):
        raise ExcelUnavailable(NO_EXCEL)
    app: Any
    try:
        app = xw.Book.caller().app
    except Exception:  # not started by RunPython (and no mock caller): the running Excel, if any
        app = xw.apps.active
    if app is None:
        raise ExcelUnavailable(NO_EXCEL)
    return XlHost(app)
