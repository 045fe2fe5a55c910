"""What each copy proposes: the cells it changed from its own base, the rows it added, the rows it dropped.

A copy is compared with its own base (the snapshot taken when it was made), never with the
master as it is now: a department that did not touch a cell proposes nothing for it, however
the master moved on since.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xlpromo.model.master import SCHEMA
from xlpromo.model.state import Canon, RowValues, cell_stamp
from xlpromo.roundtrip.merge.load import Copy

__all__ = ["Proposal", "added_before", "place"]


@dataclass
class Proposal:
    """A value one copy proposes for one cell, with what it was when the copy had it (its base)."""

    copy: Copy
    value: Canon
    raw: Any
    base: Canon


def added_before(cp: Copy, table: str, row: RowValues, master_rows: dict[str, RowValues], merged: dict[str, str],
                 mine: set[str]) -> str | None:
    """The master's row ID of a row this copy added and an earlier merge appended (the copy sent again, edited):
    the same place in the copy, and its planned cells (日期, 核心指标…; else most of its cells) as taken then.
    None: a new row (one typed where an earlier one was cleared is new too)."""
    key = merged.get(place(cp, table, row))
    if key is None or key not in master_rows:
        return None
    planned = {c.key for c in SCHEMA.table(table).columns if c.planned}
    cells = {ck: v for ck, v in row.canon.items() if v is not None and (not planned or ck in planned)}
    same = sum(cell_stamp(cp.state.copy_id, table, key, ck, v) in mine for ck, v in cells.items())
    return key if cells and (same == len(cells) if planned else 2 * same >= len(cells)) else None


def place(cp: Copy, table: str, row: RowValues) -> str:
    """Where a copy added a row: ``copy_id@table!row``."""
    return f"{cp.state.copy_id}@{table}!{row.row}"
