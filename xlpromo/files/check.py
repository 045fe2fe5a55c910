"""Check a workbook file: read it (one calamine read per sheet) and hand it to the engine."""

from __future__ import annotations

from pathlib import Path

from xlpromo.engine.report import Report, check_book
from xlpromo.files.reader import read_workbook

__all__ = ["check"]


def check(path: str | Path) -> Report:
    """Read and check the workbook at ``path`` (WorkbookError when it cannot be used)."""
    return check_book(read_workbook(path))
