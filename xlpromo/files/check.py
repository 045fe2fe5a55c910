"""Check a workbook file: read it (one calamine read per sheet) and hand it to the engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from xlpromo.engine.report import Report, check_book
from xlpromo.files.reader import read_workbook

__all__ = ["check"]


def check(path: str | Path, *, as_of: dt.date | None = None) -> Report:
    """Read and check the workbook at ``path`` (WorkbookError when it cannot be used), as of its 统计日期 or
    ``as_of``."""
    return check_book(read_workbook(path), as_of=as_of)
