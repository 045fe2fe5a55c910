"""The files of a merge, read and refused: a copy that cannot be merged stops the merge before anything is written.

A copy is refused when it is not a department copy, comes from another campaign or another
format version, or lost the row-ID column its rows are aligned by: merging it would put
values into the wrong rows, and a refusal that names the file lets the department fix it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xlpromo.errors import MasterTwice, NotACopy, NotAMaster, NotMergeable, WorkbookError
from xlpromo.files.reader import read_workbook
from xlpromo.model.book import RawBook
from xlpromo.model.master import SCHEMA
from xlpromo.model.state import FORMAT_VERSION, STATE_SHEET, BookRows, State, book_rows, new_campaign_id, value_columns
from xlpromo.roundtrip.state import Refusal, SideSheets, copy_mark, marked_dept, reason, state_of

__all__ = ["FORWARDED", "Copy", "Master", "author", "forwarded", "label", "load_copies", "load_copy", "load_master",
           "older_versions", "refuse_output", "saved_at", "stamp_time", "version_stamp"]

#: How the copy ID of a returned master (forwarded by e-mail, or a colleague's merged result) begins.
FORWARDED = "fwd:"


@dataclass(frozen=True)
class Copy:
    """A department copy as read: its file, its state (the base it was made from), its rows by key, and when it was
    saved (seconds since the epoch, see :func:`saved_at`)."""

    path: Path
    state: State
    raw: RawBook
    rows: BookRows
    saved: float = 0.0

    @property
    def dept(self) -> str:
        """The copy's department, for messages (a copy always has one; a damaged one says so)."""
        return self.state.dept or "（未注明）"


@dataclass(frozen=True)
class Master:
    """The master as read, once: its file, its tables, its state, its rows by key (IDs given to rows lacking one),
    and its own sheets (变更记录 is kept across merges)."""

    path: Path
    raw: RawBook
    state: State
    rows: BookRows
    sheets: SideSheets


def label(copy: Copy) -> str:
    """A copy as 合并冲突 names a side: ``file（dept）``."""
    return f"{copy.path.name}（{copy.dept}）"


def _stateless(path: Path, dept: str) -> NotMergeable:
    """A department copy whose hidden ``_xlpromo`` was deleted: its base is lost, so it can be neither merged nor
    taken for a master."""
    return NotMergeable(path, f"这是{dept}的部门副本（第 2 行写着{copy_mark(dept)}），但其中隐藏的 {STATE_SHEET} 状态表"
                              "已被删除，无法知道它从哪一版主表分出，不能合并；请用收到的原副本重新填写回传，"
                              "或把改动手工填入主工作簿", sheet=STATE_SHEET)


def _no_copy(path: Path) -> NotMergeable:
    """A file given as a copy that has no state: a copy that lost it, or a file split never made."""
    dept = marked_dept(SideSheets(path))
    if dept is not None:
        return _stateless(path, dept)
    return NotMergeable(path, f"无法合并：不是由 xlpromo split 生成的部门副本（没有 {STATE_SHEET} 状态表）")


#: A copy is refused when its state is damaged, it has none (not made by split) or it is a master.
_COPY = Refusal(damaged=lambda p, why: NotMergeable(p, f"无法合并这份副本：{why}。请该部门重新发来副本，"
                                                     "或对主工作簿重新运行 split 分发", sheet=STATE_SHEET),
                wrong_role=lambda p, _: NotACopy(p), missing=_no_copy)


def _master_refusal(with_copies: bool) -> Refusal:
    """A master is refused when its state is damaged or it is a copy; one without a state only when copies are
    given (a master made before _xlpromo existed can have no copies: a merge without copies gives it a state)."""
    def missing(path: Path) -> NotMergeable:
        return NotMergeable(path, f"主工作簿没有 {STATE_SHEET} 状态表，不可能有它的部门副本；"
                                  "请先不带副本运行一次 merge 为它加上活动ID，再重新分发")

    return Refusal(damaged=lambda p, why: NotMergeable(p, why, sheet=STATE_SHEET),
                   wrong_role=lambda p, s: NotAMaster(p, s.dept), missing=missing if with_copies else None)


def refuse_output(out: Path, inputs: Sequence[Path]) -> None:
    """NotMergeable when ``out`` is one of the inputs: they are only read."""
    for path in inputs:
        if path.exists() and out.exists() and out.resolve() == path.resolve():
            raise NotMergeable(path, "输出文件不能与输入文件相同")


def load_master(path: Path, *, with_copies: bool) -> Master:
    """Read the master once (its tables, its state and its own sheets); NotMergeable when it cannot be merged into."""
    raw = read_workbook(path)
    sheets = SideSheets(path)
    state = state_of(sheets, "master", _master_refusal(with_copies))
    if state is None:  # a master made before _xlpromo existed: it becomes a campaign now; a copy that lost it not
        dept = marked_dept(sheets)
        if dept is not None:
            raise _stateless(path, dept)
        state = State(campaign_id=new_campaign_id())
    for table in SCHEMA.tables:
        rt = raw.tables[table.key]
        if table.id_column and table.id_column not in rt.columns:
            raise NotMergeable(path, f"工作表“{rt.sheet}”缺少“行ID”列（旧版本的主工作簿）",
                               sheet=rt.sheet, header="行ID")
    return Master(path, raw, state, book_rows(raw, state.max_ids), sheets)


def load_copies(paths: Sequence[Path], master_state: State, master: Path | None = None) -> list[Copy]:
    """Read each copy once (a file named twice is read once), in the order the copies were saved: a later version
    of a copy (the same copy ID) overrides an earlier one. Two returned masters that would share an ID (the same
    name and author in two folders) are told apart, so that neither is taken for a version of the other."""
    unique = list(dict.fromkeys(p.resolve() for p in paths))
    if master is not None and master.resolve() in unique:
        raise MasterTwice(master)
    loaded = [load_copy(p, master_state) for p in unique]
    seen: dict[str, int] = {}
    for i, cp in enumerate(loaded):
        cid = cp.state.copy_id
        if cid.startswith(FORWARDED):
            seen[cid] = seen.get(cid, 0) + 1
            if seen[cid] > 1:
                loaded[i] = dataclasses.replace(cp, state=dataclasses.replace(cp.state, copy_id=f"{cid}#{seen[cid]}"))
    return sorted(loaded, key=lambda c: c.saved)


def forwarded(path: Path, state: State) -> State:
    """The state of a master that came back as a copy (forwarded by e-mail, or a colleague's merged result): its
    snapshot, the state it left with, is its base; its ID is its file name and who last saved it, so a later version
    of the same file is known as one."""
    who = author(path)
    digest = hashlib.sha1(f"{path.stem}\n{who}".encode()).hexdigest()[:12]
    return dataclasses.replace(state, role="copy", dept=f"转发·{who}" if who else "转发的主表",
                               copy_id=FORWARDED + digest, taken={}, versions={}, merged={})


def author(path: Path) -> str:
    """Who last saved a file (docProps' ``cp:lastModifiedBy``, else ``dc:creator``), "" when neither says."""
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return ""
    for tag in ("cp:lastModifiedBy", "dc:creator"):
        m = re.search(rf"<{tag}\b[^>]*>([^<]*)<", core)
        if m and m.group(1).strip():
            return m.group(1).strip()[:40]
    return ""


def older_versions(copies: Sequence[Copy], master_state: State) -> tuple[list[Copy], list[tuple[Copy, str]]]:
    """The copies to merge, and those saved before the version of the same copy an earlier merge took (with when
    that one was saved): an old e-mail sent again must never undo a later answer of the same copy."""
    take: list[Copy] = []
    old: list[tuple[Copy, str]] = []
    for cp in copies:
        merged = master_state.versions.get(cp.state.copy_id)
        if merged is not None and cp.saved < stamp_time(merged):
            old.append((cp, merged))
        else:
            take.append(cp)
    return take, old


def version_stamp(saved: float) -> str:
    """When a version was saved, as ``_xlpromo`` records it: UTC, to the second (``2024-06-20T12:00:00Z``)."""
    return dt.datetime.fromtimestamp(int(saved), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp_time(text: str) -> float:
    """The time of a :func:`version_stamp` (0 for a damaged one: nothing is then older)."""
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def load_copy(path: Path, master_state: State) -> Copy:
    """Read a copy; NotMergeable (or NotACopy) when it cannot be merged into the master of ``master_state``."""
    try:
        raw = read_workbook(path)
    except WorkbookError as exc:
        raise NotMergeable(path, f"无法合并：{reason(exc)}", sheet=exc.sheet, header=exc.header) from None
    sheets = SideSheets(path)
    try:
        state = state_of(sheets, "copy", _COPY)
    except NotACopy:  # a master came back: the forwarded file or a colleague's merged result, a copy like any
        found = sheets.state()
        assert found is not None
        state = forwarded(path, found)
    assert state is not None  # a missing state is refused
    if state.format_version != FORMAT_VERSION:
        age = "较旧" if state.format_version < FORMAT_VERSION else "较新"
        raise NotMergeable(path, f"无法合并：副本来自{age}版本的 xlpromo（格式版本 {state.format_version}，"
                                 f"本程序为 {FORMAT_VERSION}），请用同一版本重新分发")
    if state.campaign_id != master_state.campaign_id:
        raise NotMergeable(path, f"无法合并：这是另一个活动的副本（活动ID {state.campaign_id[:8]}…，"
                                 f"主工作簿为 {master_state.campaign_id[:8]}…）")
    check_columns(path, raw, state)
    floors = {k: max(v, master_state.max_ids.get(k, 0)) for k, v in state.max_ids.items()}
    return Copy(path, state, raw, book_rows(raw, floors), float(int(saved_at(path))))


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
    """When a file was last saved: its ``dcterms:modified`` (Excel, WPS, LibreOffice and openpyxl write it; an
    e-mail keeps it, unlike the file's mtime), else its mtime."""
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml").decode("utf-8", "replace")
        m = re.search(r"<dcterms:modified\b[^>]*>([^<]+)<", core)
        if m:
            return dt.datetime.fromisoformat(m.group(1).strip().replace("Z", "+00:00")).timestamp()
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        pass
    return path.stat().st_mtime
