"""The files of a merge, read and refused: a copy that cannot be merged stops the merge before anything is written.

A copy is refused when it is not a department copy, comes from another campaign or another
format version, or lost the row-ID column its rows are aligned by: merging it would put
values into the wrong rows, and a refusal that names the file lets the department fix it.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from xlpromo.errors import DamagedState, NotACopy, NotMergeable, WorkbookError
from xlpromo.files.reader import read_workbook
from xlpromo.model.book import RawBook
from xlpromo.model.master import SCHEMA
from xlpromo.model.state import FORMAT_VERSION, STATE_SHEET, BookRows, State, book_rows, value_columns
from xlpromo.roundtrip.state import read_state

__all__ = ["Copy", "label", "load_copy", "saved_at"]


@dataclass(frozen=True)
class Copy:
    """A department copy as read: its file, its state (the base it was made from), its rows by key."""

    path: Path
    state: State
    raw: RawBook
    rows: BookRows

    @property
    def dept(self) -> str:
        """The copy's department, for messages (a copy always has one; a damaged one says so)."""
        return self.state.dept or "（未注明）"


def label(copy: Copy) -> str:
    """A copy as 合并冲突 names a side: ``file（dept）``."""
    return f"{copy.path.name}（{copy.dept}）"


def load_copy(path: Path, master_state: State) -> Copy:
    """Read a copy; NotMergeable (or NotACopy) when it cannot be merged into the master of ``master_state``."""
    try:
        raw = read_workbook(path)
    except WorkbookError as exc:
        reason = str(exc).split(": ", 1)[-1]
        raise NotMergeable(path, f"无法合并：{reason}", sheet=exc.sheet, header=exc.header) from None
    try:
        state = read_state(path)
    except DamagedState as exc:
        raise NotMergeable(path, f"无法合并：{exc}") from None
    if state is None:
        raise NotMergeable(path, f"无法合并：不是由 xlpromo split 生成的部门副本（没有 {STATE_SHEET} 状态表）")
    if state.role != "copy":
        raise NotACopy(path)
    if state.format_version != FORMAT_VERSION:
        age = "较旧" if state.format_version < FORMAT_VERSION else "较新"
        raise NotMergeable(path, f"无法合并：副本来自{age}版本的 xlpromo（格式版本 {state.format_version}，"
                                 f"本程序为 {FORMAT_VERSION}），请用同一版本重新分发")
    if state.campaign_id != master_state.campaign_id:
        raise NotMergeable(path, f"无法合并：这是另一个活动的副本（活动ID {state.campaign_id[:8]}…，"
                                 f"主工作簿为 {master_state.campaign_id[:8]}…）")
    check_columns(path, raw, state)
    floors = {k: max(v, master_state.max_ids.get(k, 0)) for k, v in state.max_ids.items()}
    return Copy(path, state, raw, book_rows(raw, floors))


def check_columns(path: Path, raw: RawBook, state: State) -> None:
    """Refuse a copy whose row-ID column is gone or whose snapshot has other columns than this version."""
    for table in SCHEMA.tables:
        rt = raw.tables[table.key]
        if table.id_column and table.id_column not in rt.columns:
            header = table.col(table.id_column).header
            raise NotMergeable(path, f"无法合并：工作表“{rt.sheet}”缺少“{header}”列（表头被改名或删除），"
                                     "无法对齐行", sheet=rt.sheet, header=header)
        snap = state.snapshot.get(table.key)
        if snap is not None and snap.columns != [c.key for c in value_columns(table)]:
            raise NotMergeable(path, f"无法合并：{STATE_SHEET} 中“{table.title}”的列与本版本不同")


def saved_at(path: Path) -> float:
    """When a file was last saved: its ``dcterms:modified`` (Excel, WPS and LibreOffice write it), else its mtime."""
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml").decode("utf-8", "replace")
        m = re.search(r"<dcterms:modified\b[^>]*>([^<]+)<", core)
        if m:
            return dt.datetime.fromisoformat(m.group(1).strip().replace("Z", "+00:00")).timestamp()
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        pass
    return path.stat().st_mtime
