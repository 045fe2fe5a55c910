"""A workbook as read: every table of the schema, values as typed, indexed by Excel row.

The reader (:mod:`xlpromo.files.reader`) and the Excel layer fill these; the engine and the
round trip read them. Plain data: no file is opened here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from xlpromo.model.a1 import col_name
from xlpromo.model.schema import Table

__all__ = ["RawBook", "RawTable", "TableRef", "as_row"]

#: An Excel table's corners, 0-based: first row, first column, last row, last column.
TableRef = tuple[int, int, int, int]


def as_row(label: object) -> int:
    """The Excel row number that a frame's index label stands for."""
    if not isinstance(label, (int, np.integer)):
        raise TypeError(f"not a row number: {label!r}")
    return int(label)


@dataclass
class RawTable:
    """One table as found in the file: values as typed, indexed by Excel row number."""

    table: Table
    sheet: str
    header_excel_row: int  # the header's Excel row (1-based; Table.header_row is 0-based)
    columns: dict[str, int]  # column key → 0-based sheet column
    data: pd.DataFrame  # input columns (keys) of the non-blank rows; index = Excel row
    extra: list[tuple[str, str]] = field(default_factory=list)  # (cell, header) not in the schema
    duplicate: list[tuple[str, str]] = field(default_factory=list)  # (cell, header) seen twice
    merged: list[str] = field(default_factory=list)  # merged ranges overlapping the data
    has_errors: bool = False  # some input cell holds an Excel error value (CellError) or no finite number (BadNumber)
    excel_table: bool = True  # False: found by its headers only (the Excel table converted to a range, renamed…)

    def address(self, row: int, key: str) -> str:
        """A1 address of a column's cell in an Excel row, e.g. ``E7``."""
        return f"{col_name(self.columns[key])}{row}"

    def cell(self, row: int, key: str) -> str:
        """Sheet-qualified address, e.g. ``任务分工!E7``."""
        return f"{self.sheet}!{self.address(row, key)}"


@dataclass
class RawBook:
    """Every table of the schema read from one workbook."""

    path: Path
    tables: dict[str, RawTable]
    sheet_names: list[str]
