"""A1 cell addresses, the one convention of xlpromo: rows and columns are 0-based ``(row, col)``.

As in XlsxWriter: ``(0, 0)`` is ``A1``, ``(6, 4)`` is ``E7``. Excel's own 1-based row number
appears only where a name says so (a frame's index label is an *Excel row*, ``excel_row``).
Every module that turns numbers into letters or back goes through here, so an off-by-one
has one place to live.
"""

from __future__ import annotations

import re

__all__ = ["MAX_COL", "MAX_ROW", "cell_name", "col_index", "col_name", "parse_cell", "range_name"]

#: Excel's grid: 1,048,576 rows, 16,384 columns (XFD).
MAX_ROW, MAX_COL = 1_048_576, 16_384
_A1 = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")


def col_name(col: int) -> str:
    """0-based column → letters: 0 → ``A``, 26 → ``AA``."""
    out, n = "", col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    """Column letters → 0-based column: ``A`` → 0, ``AA`` → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def cell_name(row: int, col: int, *, absolute: bool = False) -> str:
    """0-based ``(row, col)`` → ``E7`` (``$E$7`` when ``absolute``)."""
    mark = "$" if absolute else ""
    return f"{mark}{col_name(col)}{mark}{row + 1}"


def range_name(first: tuple[int, int], last: tuple[int, int], *, absolute: bool = False) -> str:
    """Two 0-based corners → ``A1:C9``."""
    return f"{cell_name(*first, absolute=absolute)}:{cell_name(*last, absolute=absolute)}"


def parse_cell(ref: str) -> tuple[int, int]:
    """``E7`` (or ``$E$7``) → 0-based ``(6, 4)``; ValueError if malformed or off the grid."""
    m = _A1.fullmatch(ref.replace("$", ""))
    if m is None:
        raise ValueError(f"not a cell address (A1 form, upper case): {ref!r}")
    row, col = int(m.group(2)) - 1, col_index(m.group(1))
    if row >= MAX_ROW or col >= MAX_COL:
        raise ValueError(f"not a cell address (off the grid): {ref!r}")
    return row, col
