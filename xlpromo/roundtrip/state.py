"""The ``_xlpromo`` sheet in files: read it from a workbook, write row IDs and the state into a package.

The state itself (what the sheet holds, how rows are keyed and compared) is data, in
:mod:`xlpromo.model.state`; this module is where it meets a file.
"""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from xlpromo.errors import DamagedState
from xlpromo.model.state import STATE_SHEET, IdStamp, State, parse_state
from xlpromo.ooxml import BookPatch

__all__ = ["read_state", "write_ids"]


def read_state(path: str | Path, *, snapshot: bool = True) -> State | None:
    """The state of a workbook, None when it has no ``_xlpromo`` sheet; DamagedState when the sheet is damaged.
    ``snapshot=False`` skips the snapshot rows (faster; such a State must not be written back)."""
    try:
        wb = CalamineWorkbook.from_path(str(path))
        if STATE_SHEET not in wb.sheet_names:
            return None
        rows = wb.get_sheet_by_name(STATE_SHEET).to_python()
    except CalamineError as exc:
        raise DamagedState(path, f"无法读取隐藏的状态表 {STATE_SHEET}（{exc}）", sheet=STATE_SHEET) from None
    try:
        return parse_state(rows, snapshot=snapshot)
    except ValueError as exc:
        raise DamagedState(path, f"隐藏的状态表已损坏：{exc}", sheet=STATE_SHEET) from None


def write_ids(stamp: IdStamp, pkg: BookPatch) -> int:
    """Write the fresh row IDs (and the state when IDs were issued) into ``pkg``; the number of IDs written."""
    for sheet, cells in stamp.cells.items():
        pkg.set_cells(sheet, cells)
    n = sum(map(len, stamp.cells.values()))
    if n and stamp.state is not None:
        pkg.put_hidden_sheet(STATE_SHEET, stamp.state.rows())
    return n
