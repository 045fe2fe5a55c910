"""Cells as the workbook's formulas see them: ISNUMBER, blank, case-insensitive text, dates, ``&""`` text.

Shared by the formula twins of :mod:`xlpromo.engine.metrics` and :mod:`xlpromo.engine.dod`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from xlpromo.model.series import map_unique

__all__ = ["Frames", "catalogue_lookup", "cell_text", "dates", "number_text", "numeric", "present", "text_key"]

Frames = Mapping[str, pd.DataFrame]


def numeric(values: Any) -> pd.Series:
    """Float where a value is a real number (as Excel's ISNUMBER), NaN elsewhere."""
    if isinstance(values, pd.Series):
        s = values
    else:
        s = pd.Series(list(values) if pd.api.types.is_list_like(values) else [values], dtype=object)
    if s.dtype.kind in "if":
        return s.astype(float)
    ok = s.map(type).isin(_NUMBER_TYPES).astype(bool)
    out = pd.Series(np.nan, index=s.index, dtype=float)
    out[ok] = s[ok].astype(float)
    return out


_NUMBER_TYPES = [int, float, np.int64, np.int32, np.float64, np.float32]


def present(v: Any) -> bool:
    """Not blank: None, "" and NaN are what a formula sees as an empty cell."""
    return not (v is None or v == "" or (isinstance(v, float) and np.isnan(v)))


def text_key(s: pd.Series) -> pd.Series:
    """Casefolded text, "" for blank: MATCH and COUNTIFS compare text case-insensitively."""
    return map_unique(s, lambda v: str(v).casefold() if present(v) else "")


def dates(s: pd.Series) -> pd.Series:
    """Timestamps where a cell holds a date, NaT elsewhere (text that looks like a date is not one)."""
    return pd.to_datetime(map_unique(s, lambda v: v if isinstance(v, (dt.date, pd.Timestamp)) else None))


def number_text(v: Any) -> str:
    """A number as ``&`` turns it into text (General: up to 15 significant digits, no trailing zeros)."""
    f = float(v)
    return str(int(f)) if f.is_integer() and abs(f) < 1e15 else f"{f:.15g}"


def cell_text(v: Any) -> str:
    """A cell as ``&""`` reads it: blank is "", a number its General text, anything else its text."""
    if not present(v):
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    return number_text(v) if isinstance(v, (int, float, np.integer, np.floating)) else str(v)


def catalogue_lookup(frames: Frames, names: pd.Series, field: str) -> pd.Series:
    """INDEX/MATCH into the metric catalogue: case-insensitive, first match, blank if none."""
    cat = frames["metrics"]
    table: dict[str, Any] = {}
    for k, v in zip(cat["name"], cat[field], strict=True):
        table.setdefault(str(k).casefold(), "" if v is None else v)
    return map_unique(names, lambda n: table.get(str(n).casefold(), "") if present(n) else "")
