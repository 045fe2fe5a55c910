"""Left only for :mod:`xlpromo.roundtrip.split`'s import of ``_col_name``; remove it once split uses
:func:`xlpromo.model.a1.col_name` (0-based: ``_col_name(c + 1) == col_name(c)``)."""

from __future__ import annotations

from xlpromo.model.a1 import col_name
from xlpromo.ooxml.sheets import text_lines

__all__ = ["text_lines"]


def _col_name(col: int) -> str:
    """1-based column number → letters (the old convention; :func:`xlpromo.model.a1.col_name` is 0-based)."""
    return col_name(col - 1)
