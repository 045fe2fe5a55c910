"""The ``_xlpromo`` sheet in files: read it from a workbook, refuse a file by it, write row IDs and the state.

The state itself (what the sheet holds, how rows are keyed and compared) is data, in
:mod:`xlpromo.model.state`; this module is where it meets a file. A file's own sheets
(``_xlpromo``, and 变更记录 for a merge) are read through one :class:`SideSheets`, so a
command opens the file for them once. Every command that needs a state of a given role
(split a master, merge a master and its copies) refuses a file through :func:`state_of`,
each with its own exception and message, so a damaged, missing or wrong-role state is
refused the same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from xlpromo.errors import DamagedState, WorkbookError
from xlpromo.model.master import SCHEMA
from xlpromo.model.state import STATE_SHEET, IdStamp, State, parse_state
from xlpromo.ooxml import BookPatch

__all__ = ["Refusal", "SideSheets", "copy_mark", "marked_dept", "read_state", "reason", "state_of", "write_ids"]

_MARK = re.compile(r"^\s*【(.{1,60}?)副本】")


def copy_mark(dept: str) -> str:
    """How row 2 of every sheet of a department copy begins: ``【仓储部副本】``."""
    return f"【{dept}副本】"


def marked_dept(sheets: SideSheets) -> str | None:
    """The department a file's row 2 names as a copy's (:func:`copy_mark`), None when it bears no such mark: a copy
    whose hidden ``_xlpromo`` was deleted is still known by what its people read."""
    try:
        rows = sheets.rows(SCHEMA.sheet_of("targets").name)
    except CalamineError:
        return None
    text = rows[1][0] if rows and len(rows) > 1 and rows[1] else None
    found = _MARK.match(text) if isinstance(text, str) else None
    return found.group(1) if found else None


class SideSheets:
    """The sheets of a file that are not tables of the schema (``_xlpromo``, 变更记录), from one python-calamine
    open of the file, made when a sheet is first asked for."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._wb: CalamineWorkbook | None = None

    def rows(self, name: str) -> list[list[Any]] | None:
        """The values of sheet ``name`` from A1, None when the file has no such sheet; CalamineError if unreadable."""
        if self._wb is None:
            self._wb = CalamineWorkbook.from_path(str(self.path))
        if name not in self._wb.sheet_names:
            return None
        return self._wb.get_sheet_by_name(name).to_python()

    def state(self, *, snapshot: bool = True) -> State | None:
        """The file's state, None when it has no ``_xlpromo`` sheet; DamagedState (naming the sheet) when the sheet
        cannot be read or parsed. ``snapshot=False`` skips the snapshot rows (faster; such a State must not be
        written back)."""
        try:
            rows = self.rows(STATE_SHEET)
        except CalamineError as exc:
            raise DamagedState(self.path, f"无法读取隐藏的状态表 {STATE_SHEET}（{exc}）", sheet=STATE_SHEET) from None
        if rows is None:
            return None
        try:
            return parse_state(rows, snapshot=snapshot)
        except ValueError as exc:
            raise DamagedState(self.path, f"隐藏的状态表已损坏：{exc}", sheet=STATE_SHEET) from None


def read_state(path: str | Path, *, snapshot: bool = True) -> State | None:
    """The state of the workbook at ``path`` (see :meth:`SideSheets.state`)."""
    return SideSheets(path).state(snapshot=snapshot)


def reason(exc: WorkbookError) -> str:
    """An error's message without the file name it starts with, to be said again under another file's name."""
    return str(exc).removeprefix(f"{exc.path.name}: ")


@dataclass(frozen=True)
class Refusal:
    """How a command refuses a file by its state: the command's own exception, with its message, for each case."""

    damaged: Callable[[Path, str], WorkbookError]  # given the damage (:func:`reason` of the DamagedState)
    wrong_role: Callable[[Path, State], WorkbookError]
    missing: Callable[[Path], WorkbookError] | None = None  # None: a file without a state sheet is taken (None)


def state_of(sheets: SideSheets, role: str, refusal: Refusal) -> State | None:
    """The state of a file that must be a ``role`` ("master" or "copy"), or the refusal of ``refusal`` when its
    state sheet is damaged, is of another role, or is missing (None when a missing sheet is allowed)."""
    try:
        state = sheets.state()
    except DamagedState as exc:
        raise refusal.damaged(sheets.path, reason(exc)) from None
    if state is None:
        if refusal.missing is None:
            return None
        raise refusal.missing(sheets.path)
    if state.role != role:
        raise refusal.wrong_role(sheets.path, state)
    return state


def write_ids(stamp: IdStamp, pkg: BookPatch) -> int:
    """Write the fresh row IDs (and the state when IDs were issued) into ``pkg``; the number of IDs written."""
    for sheet, cells in stamp.cells.items():
        pkg.set_cells(sheet, cells)
    n = sum(map(len, stamp.cells.values()))
    if n and stamp.state is not None:
        pkg.put_hidden_sheet(STATE_SHEET, stamp.state.rows())
    return n
