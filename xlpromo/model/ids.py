"""Stable row IDs: ``D00017`` — a table's prefix and a number that is never handed out twice.

A table's ID column (:attr:`xlpromo.model.schema.Table.id_column`) is written by xlpromo. A row
that has data but no ID, or a copy of another row's ID (a row copied and pasted in Excel),
gets a fresh one above every number the table has used, ``floor`` included (the highest
number ever issued, kept by the caller so that the ID of a deleted row is not reused).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from xlpromo.model.schema import Table

__all__ = ["assign_ids", "id_number", "new_ids"]

_ID = re.compile(r"([A-Z]+)(\d+)")


def id_number(value: object, prefix: str) -> int | None:
    """The number of an ID of this prefix (``D00017`` → 17), None for anything else."""
    if not isinstance(value, str):
        return None
    m = _ID.fullmatch(value.strip())
    return int(m.group(2)) if m and m.group(1) == prefix else None


def new_ids(prefix: str, used: Iterable[object], n: int, floor: int = 0) -> list[str]:
    """``n`` fresh IDs numbered above ``floor`` and above every ID of ``used``."""
    top = max([floor, *(k for k in (id_number(v, prefix) for v in used) if k is not None)])
    return [f"{prefix}{top + i:05d}" for i in range(1, n + 1)]


def assign_ids(frame: pd.DataFrame, table: Table, floor: int = 0) -> pd.DataFrame:
    """A copy of ``frame`` where every row with data has a unique ID (blank and repeated ones replaced)."""
    key = table.id_column
    if key is None:
        return frame
    out = frame.copy()
    if key not in out.columns:
        out[key] = None
    inputs = [c.key for c in table.inputs if c.key in out.columns]
    data = out[inputs].map(lambda v: v is not None and not (isinstance(v, float) and v != v) and v != "")
    has_data = data.any(axis=1) if inputs else pd.Series(False, index=out.index)
    ids = out[key]
    valid = ids.map(lambda v: id_number(v, table.id_prefix) is not None)
    repeated = ids.where(valid).duplicated(keep="first") & valid
    needs = has_data & (~valid | repeated)
    if needs.any():
        fresh = new_ids(table.id_prefix, ids[valid], int(needs.sum()), floor)
        out[key] = out[key].astype(object)
        out.loc[needs, key] = fresh
    return out
