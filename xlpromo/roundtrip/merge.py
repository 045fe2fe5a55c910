"""``xlpromo merge``: a three-way merge of department copies back into the master, losing nothing.

Each copy is compared, row by ID (or natural key) and cell by cell, with its own base: the
snapshot its ``_xlpromo`` sheet took of the master when the copy was made. A cell changed only
in one copy is taken; a cell changed differently in two copies, or changed in the master too,
is a conflict: the master keeps its value and ``合并冲突`` lists every side with its file.
Rows new in a copy are appended with fresh IDs (a row merged before is recognised and not
appended twice); rows missing from a copy are listed, never deleted. Versions of one copy (the same
copy ID in several files) are merged in the order they were saved, a later one winning; the
values taken from each copy are stamped in ``_xlpromo``, so a copy sent again puts nothing back. A copy of another
campaign, of another format version or with renamed headers is refused before anything is
written. Every value the merge overwrites goes to ``变更记录`` (kept across merges), so any
value can be restored. The output's snapshot holds the merged values: the new agreed base.

Writing: the master's package is patched (:mod:`xlpromo.ooxml.editor`, on top of
:class:`xlpromo.ooxml.xlsxpatch.XlsxPackage`) rather than loaded and saved with openpyxl, which
would blank every cached value, turn shared strings inline and drop the ribbon relationship
of an .xlsm. Patching keeps every part it does not edit byte for byte: tables, validations,
conditional formats, names, styles, protection, sheets the user added. The patched package
then goes through :func:`xlpromo.roundtrip.recalc.recalc`, which validates the result, raises alerts,
writes the cached values of every computed cell (appended rows included) and the
``问题清单``/``预警`` sheets, and saves atomically.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from xlpromo.engine.report import Report
from xlpromo.errors import DamagedState, NotACopy, NotAMaster, NotMergeable, WorkbookError
from xlpromo.files.reader import read_workbook
from xlpromo.model.book import RawBook, RawTable, as_row
from xlpromo.model.formulas import render
from xlpromo.model.ids import new_ids
from xlpromo.model.master import SCHEMA
from xlpromo.model.parse import shown
from xlpromo.model.schema import ColType, Column, Table
from xlpromo.model.state import (
    FORMAT_VERSION,
    STATE_SHEET,
    BookRows,
    Canon,
    RowValues,
    State,
    TableSnapshot,
    book_rows,
    canon,
    cell_stamp,
    fingerprint,
    key_column,
    max_ids,
    new_campaign_id,
    snapshot_of,
    value_columns,
)
from xlpromo.model.values import CellError
from xlpromo.ooxml import BookPatch, Formula, Value
from xlpromo.roundtrip.recalc import RowsBelow, recalc
from xlpromo.roundtrip.state import read_state

__all__ = ["CHANGES_SHEET", "CONFLICTS_SHEET", "Change", "Conflict", "MergeResult", "NotACopy", "NotAMaster",
           "NotMergeable", "merge_books"]

CONFLICTS_SHEET = "合并冲突"
CHANGES_SHEET = "变更记录"
_CHANGE_HEADER = ["时间", "来源文件", "部门", "工作表", "单元格", "行ID", "列", "原值", "新值"]
_EPOCH = dt.date(1899, 12, 30)








@dataclass(frozen=True)
class _Copy:
    path: Path
    state: State
    raw: RawBook
    rows: BookRows

    @property
    def dept(self) -> str:
        return self.state.dept or "（未注明）"


@dataclass(frozen=True)
class Change:
    """A value the merge wrote over another (one row of 变更记录)."""

    source: str
    dept: str
    sheet: str
    cell: str
    row_id: str
    header: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Conflict:
    """A cell (or row) the merge did not decide: the master keeps its value."""

    kind: str  # 冲突 / 副本删除了此行 / 主表已删除此行 / 无法新增
    sheet: str
    cell: str
    row_id: str
    header: str
    base: Any
    master: Any
    sides: list[tuple[Any, str]]  # (value, "file（dept）")


@dataclass
class MergeResult:
    """What a merge did; :meth:`summary` says it in Chinese."""

    output: Path
    copies: list[tuple[str, str]]  # (file names, department), one per copy ID
    changes: list[Change] = field(default_factory=list)
    appended: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    # (sheet, cell, row ID, source file, the row's values as text)
    conflicts: list[Conflict] = field(default_factory=list)
    already_merged: int = 0  # new rows of a copy found merged before (not appended again)
    twins: list[tuple[str, str]] = field(default_factory=list)  # (newest file, older files) of one copy ID
    report: Report | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Numbers of changes, appended rows, conflicts, deleted-row flags, skipped rows, findings and alerts."""
        r = self.report
        return {"copies": len(self.copies), "changes": len(self.changes), "appended": len(self.appended),
                "conflicts": sum(c.kind == "冲突" for c in self.conflicts),
                "flagged": sum(c.kind != "冲突" for c in self.conflicts), "already_merged": self.already_merged,
                "errors": r.stats["errors"] if r else 0, "warnings": r.stats["warnings"] if r else 0,
                "alerts": len(r.alerts) if r else 0}

    def summary(self) -> str:
        """A Chinese summary: what was merged, what conflicted, what needs attention."""
        n = self.counts
        who = "、".join(f"{dept}（{name}）" for name, dept in self.copies) or "无"
        lines = [f"已合并 {n['copies']} 个副本：{who}，写入 {self.output.name}。"]
        for newest, older in self.twins:
            lines.append(f"{older} 与 {newest} 是同一份副本的不同版本（副本ID相同）：按保存时间合并，"
                         f"同一单元格以较新的 {newest} 为准。")
        again = f"，已合并过的新增行 {n['already_merged']} 行（未重复添加）" if n["already_merged"] else ""
        lines.append(f"采纳修改 {n['changes']} 处，新增行 {n['appended']} 行{again}。")
        if n["conflicts"]:
            lines.append(f"冲突 {n['conflicts']} 处：保留主表的值，各方的值见“{CONFLICTS_SHEET}”工作表，请人工决定。")
        else:
            lines.append("没有冲突。")
        if n["flagged"]:
            kinds: dict[str, int] = {}
            for c in self.conflicts:
                if c.kind != "冲突":
                    kinds[c.kind] = kinds.get(c.kind, 0) + 1
            lines.append("需要确认：" + "，".join(f"{k} {v} 处" for k, v in kinds.items())
                         + f"（未删除、未改动，见“{CONFLICTS_SHEET}”）。")
        if n["changes"]:
            lines.append(f"所有被覆盖的原值都记在“{CHANGES_SHEET}”工作表中，可据此恢复。")
        tally = self.report.tally() if self.report else "错误 0 条，提示 0 条；预警 0 条"
        lines.append(f"合并后校验：{tally}（见“问题清单”“预警”工作表）。")
        return "\n".join(lines)


# ---------------------------------------------------------------------------- reading and refusing


def _load_copy(path: Path, master_state: State) -> _Copy:
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
    _check_columns(path, raw, state)
    floors = {k: max(v, master_state.max_ids.get(k, 0)) for k, v in state.max_ids.items()}
    return _Copy(path, state, raw, book_rows(raw, floors))


def _check_columns(path: Path, raw: RawBook, state: State) -> None:
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


# ---------------------------------------------------------------------------- the merge


def _write_value(v: Any) -> Value:
    """A value read from a copy as it is written into the master (dates as serials, like Excel stores them)."""
    if isinstance(v, CellError):
        return CellError(str(v))
    c = canon(v)
    return c


def _show(v: Any, col: Column | None = None) -> Any:
    """A value for 合并冲突/变更记录: dates as text, blanks empty."""
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()[:10] if not isinstance(v, dt.datetime) or not (v.hour or v.minute) else v.isoformat(" ")
    if col is not None and col.type == ColType.DATE and isinstance(v, float):
        return (_EPOCH + dt.timedelta(days=int(v))).isoformat()
    if v is None:
        return ""
    if isinstance(v, (int, float, bool, str)):
        return v
    return str(v)


def _brief(v: Any, col: Column) -> str:
    """A value as text for the log of an added row: ``48`` rather than ``48.0``."""
    return shown(_show(v, col))


@dataclass
class _Proposal:
    copy: _Copy
    value: Canon
    raw: Any
    base: Canon


@dataclass
class _Plan:
    cells: dict[str, dict[tuple[int, int], Value]] = field(default_factory=dict)
    styles: dict[str, dict[tuple[int, int], int]] = field(default_factory=dict)

    appends: list[tuple[Table, RawTable, list[tuple[_Copy, RowValues, str]]]] = field(default_factory=list)

    def put(self, sheet: str, row: int, col: int, value: Value) -> None:
        self.cells.setdefault(sheet, {})[(row, col)] = value


def _label(copy: _Copy) -> str:
    return f"{copy.path.name}（{copy.dept}）"


def merge_books(master: str | os.PathLike[str], copies: Sequence[str | os.PathLike[str]],
                out: str | os.PathLike[str]) -> MergeResult:
    """Merge department copies into ``master`` and write ``out`` atomically; inputs are only read.

    NotMergeable (or another WorkbookError) before anything is written when a file cannot be used."""
    master, out = Path(master), Path(out)
    for path in (master, *map(Path, copies)):
        if path.exists() and out.exists() and out.resolve() == path.resolve():
            raise NotMergeable(path, "输出文件不能与输入文件相同")
    raw = read_workbook(master)
    try:
        state = read_state(master)
    except DamagedState as exc:
        raise NotMergeable(master, str(exc)) from None
    if state is not None and state.role != "master":
        raise NotAMaster(master, state.dept)
    if state is None:  # a master made before _xlpromo existed: it becomes a campaign now
        if copies:
            raise NotMergeable(master, f"主工作簿没有 {STATE_SHEET} 状态表，不可能有它的部门副本；"
                                       "请先不带副本运行一次 merge 为它加上活动ID，再重新分发")
        state = State(campaign_id=new_campaign_id())
    for table in SCHEMA.tables:
        if table.id_column and table.id_column not in raw.tables[table.key].columns:
            raise NotMergeable(master, f"工作表“{raw.tables[table.key].sheet}”缺少“行ID”列（旧版本的主工作簿）",
                               sheet=raw.tables[table.key].sheet, header="行ID")
    paths = list(dict.fromkeys(Path(c).resolve() for c in copies))  # a file named twice is read once
    # versions of one copy (its ID) in the order they were saved: a later one overrides an earlier
    loaded = sorted((_load_copy(Path(c), state) for c in paths), key=lambda c: _saved_at(c.path))
    mrows = book_rows(raw, state.max_ids)
    result = MergeResult(out, [])
    versions: dict[str, list[_Copy]] = {}
    for cp in loaded:
        versions.setdefault(cp.state.copy_id, []).append(cp)
    for group in versions.values():
        result.copies.append(("、".join(c.path.name for c in group), group[0].dept))
        if len(group) > 1:
            result.twins.append((group[-1].path.name, "、".join(c.path.name for c in group[:-1])))
    depts = {cp.path.name: cp.dept for cp in loaded}
    latest = {cp.state.copy_id: cp for cp in loaded}  # the last saved version of each copy
    plan = _Plan()
    now = dt.datetime.now().isoformat(sep=" ", timespec="seconds")
    ids = max_ids(mrows, state.max_ids)
    for cp in loaded:
        ids = {k: max(v, cp.state.max_ids.get(k, 0)) for k, v in ids.items()}
    merged = dict(state.merged)
    taken = {k: set(v) for k, v in state.taken.items()}
    seen_added: set[tuple[str, str]] = set()  # (copy ID, row ID) of rows copies added before and sent again
    final: dict[str, TableSnapshot] = snapshot_of(mrows)

    # row IDs the master's own rows lacked
    for tkey, rows in mrows.items():
        rt = raw.tables[tkey]
        if rt.table.id_column:
            id_col = rt.columns[rt.table.id_column] + 1
            for r in rows.values():
                if r.id_cell != r.key:
                    plan.put(rt.sheet, r.row, id_col, r.key)

    for table in SCHEMA.tables:
        rt = raw.tables[table.key]
        cols = value_columns(table)
        col_of = {c.key: c for c in cols}
        base_cols = {c.key: i for i, c in enumerate(cols)}
        proposals: dict[tuple[str, str], list[_Proposal]] = {}
        new_rows: list[tuple[_Copy, RowValues]] = []
        deleted: set[tuple[str, str]] = set()
        agreed = state.snapshot.get(table.key, TableSnapshot([c.key for c in cols])).rows
        for cp in loaded:
            snap = cp.state.snapshot.get(table.key, TableSnapshot([c.key for c in cols]))
            crows = cp.rows.get(table.key, {})
            mine = state.taken.get(cp.state.copy_id, set())
            for key, row in crows.items():
                base = snap.rows.get(key)
                if base is None:
                    again = _added_before(cp, table.key, row, mrows[table.key], merged, mine)
                    if again is None:
                        new_rows.append((cp, row))
                        continue
                    seen_added.add((cp.state.copy_id, again))
                    # a row this copy added and a merge appended: its base is what was agreed then
                    key, base = again, agreed.get(again, [None] * len(base_cols))
                m = mrows[table.key].get(key)
                for ck, i in base_cols.items():
                    value = row.canon[ck]
                    earlier = proposals.get((key, ck))
                    if earlier:  # this version of the copy replaces what an earlier version proposed
                        proposals[(key, ck)] = [p for p in earlier if p.copy.state.copy_id != cp.state.copy_id]
                    if value == base[i]:
                        continue  # as the copy received it (an old copy does not put old values back)
                    if mine and cell_stamp(cp.state.copy_id, table.key, key, ck, value) in mine:
                        continue  # taken from this copy before: sent again, or the master has moved on since
                    was = base[i]
                    if mine and m is not None and \
                            cell_stamp(cp.state.copy_id, table.key, key, ck, m.canon[ck]) in mine:
                        was = m.canon[ck]  # the master still holds what this copy gave last time
                    if value == was:
                        continue
                    proposals.setdefault((key, ck), []).append(_Proposal(cp, value, row.raw[ck], was))
            gone = [k for k in snap.rows if k not in crows]
            places = {r.row for r in crows.values()}
            prefix = f"{cp.state.copy_id}@{table.key}!"
            gone += [k for p, k in state.merged.items()  # rows this copy added before and has now cleared
                     if p.startswith(prefix) and int(p[len(prefix):]) not in places and k in mrows[table.key]]
            for key in gone:
                if (cp.state.copy_id, key) not in deleted:
                    deleted.add((cp.state.copy_id, key))
                    m = mrows[table.key].get(key)
                    cell = rt.cell(m.row, cols[0].key).split("!")[1] if m and cols else ""
                    result.conflicts.append(Conflict("副本删除了此行", rt.sheet, cell, key, "（整行）", "",
                                                     _row_brief(table, m.raw) if m else "",
                                                     [("（已删除）", _label(cp))]))
        # existing rows, cell by cell
        keyed = bool(table.id_column or key_column(table))  # 活动目标's single row: no row ID to show
        for (key, ck), props in proposals.items():
            col = col_of[ck]
            shown_key = key if keyed else ""
            m = mrows[table.key].get(key)
            if m is None:
                result.conflicts.append(Conflict("主表已删除此行", rt.sheet, "", shown_key, col.header,
                                                 _show(props[0].base, col), "（已删除）",
                                                 [(_show(p.raw), _label(p.copy)) for p in props]))
                continue
            current = m.canon[ck]
            active = [p for p in props if p.value != current]
            if not active:
                continue
            cell = rt.address(m.row, ck)
            if any(x.base != current for x in active) or len({_key(x.value) for x in active}) > 1:
                result.conflicts.append(Conflict("冲突", rt.sheet, cell, shown_key, col.header,
                                                 _show(active[0].base, col), _show(m.raw[ck]),
                                                 [(_show(x.raw), _label(x.copy)) for x in active]))
                continue
            take = active[0]
            plan.put(rt.sheet, m.row, rt.columns[ck] + 1, _write_value(take.raw))
            for q in active:
                result.changes.append(Change(q.copy.path.name, q.copy.dept, rt.sheet, cell, shown_key,
                                             col.header, _show(m.raw[ck]), _show(q.raw)))
                taken.setdefault(q.copy.state.copy_id, set()).add(
                    cell_stamp(q.copy.state.copy_id, table.key, key, ck, q.value))
            m.canon[ck] = take.value
            final[table.key].rows[key][base_cols[ck]] = take.value
        # new rows
        _append(table, raw, mrows, new_rows, plan, result, final, ids, merged, taken, latest)
    result.already_merged += len(seen_added)
    new_state = State(campaign_id=state.campaign_id, max_ids=ids, snapshot=final, merged=merged, taken=taken)
    _write(master, raw, out, plan, new_state, result, now, depts)
    return result


def _added_before(cp: _Copy, table: str, row: RowValues, master_rows: dict[str, RowValues], merged: dict[str, str],
                  mine: set[str]) -> str | None:
    """The master's row ID of a row this copy added and an earlier merge appended (the copy sent again, edited):
    the same place in the copy, and its planned cells (日期, 核心指标…; else most of its cells) as taken then.
    None: a new row (one typed where an earlier one was cleared is new too)."""
    key = merged.get(_place(cp, table, row))
    if key is None or key not in master_rows:
        return None
    planned = {c.key for c in SCHEMA.table(table).columns if c.planned}
    cells = {ck: v for ck, v in row.canon.items() if v is not None and (not planned or ck in planned)}
    same = sum(cell_stamp(cp.state.copy_id, table, key, ck, v) in mine for ck, v in cells.items())
    return key if cells and (same == len(cells) if planned else 2 * same >= len(cells)) else None


def _saved_at(path: Path) -> float:
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


def _row_brief(table: Table, values: dict[str, Any]) -> str:
    """A row's typed values as one line: ``日期 2024-06-21，核心指标 GMV，目标值 100``."""
    return "，".join(f"{c.header} {_brief(values[c.key], c)}" for c in table.columns
                    if c.key in values and c.editable and _brief(values[c.key], c) != "")


def _place(cp: _Copy, table: str, row: RowValues) -> str:
    """Where a copy added a row: ``copy_id@table!row``."""
    return f"{cp.state.copy_id}@{table}!{row.row}"


def _key(v: Canon) -> tuple[str, Canon]:
    return (type(v).__name__, v)


def _append(table: Table, raw: RawBook, mrows: BookRows, new_rows: list[tuple[_Copy, RowValues]], plan: _Plan,
            result: MergeResult, final: dict[str, TableSnapshot], ids: dict[str, int], merged: dict[str, str],
            taken: dict[str, set[str]], latest: dict[str, _Copy]) -> None:
    """Rows new in a copy: appended below the master's table with fresh IDs (natural keys: when not there yet)."""
    if not new_rows:
        return
    rt = raw.tables[table.key]
    cols = value_columns(table)
    todo: list[tuple[_Copy, RowValues, str]] = []
    here: dict[str, int] = {}  # a row a copy adds (its place, or its natural key) → its index in todo
    for cp, row in new_rows:
        last = latest[cp.state.copy_id]
        if last is not cp:  # a later version of this copy has no row there any more: the department removed it
            rows = last.rows.get(table.key, {})
            if (row.row not in {r.row for r in rows.values()}) if table.id_column else (row.key not in rows):
                continue
        same = f"{cp.state.copy_id}@{row.row}" if table.id_column else f"{cp.state.copy_id}#{row.key}"
        if same in here:  # the same row in a later version of the same copy: that version wins
            i = here[same]
            todo[i] = (cp, row, todo[i][2])
            continue
        if table.id_column:
            mark = f"{cp.state.copy_id or cp.path.name}:{fingerprint(row.canon)}"
            if mark in merged:
                result.already_merged += 1
                continue
            key = new_ids(table.id_prefix, [], 1, ids.get(table.key, 0))[0]
            ids[table.key] = ids.get(table.key, 0) + 1
            merged[_place(cp, table.key, row)] = key
        else:
            key = row.key
            existing = mrows[table.key].get(key)
            if existing is not None:  # already there (added in the master, or merged before)
                for c in cols:
                    if existing.canon[c.key] != row.canon[c.key]:
                        cell = rt.address(existing.row, c.key)
                        result.conflicts.append(Conflict("冲突", rt.sheet, cell, key, c.header, "",
                                                         _show(existing.raw[c.key]),
                                                         [(_show(row.raw[c.key]), _label(cp))]))
                continue
            if not table.growable:
                result.conflicts.append(Conflict("无法新增", rt.sheet, "", key, "（整行）", "", "",
                                                 [("固定行数的表不能新增行", _label(cp))]))
                continue
            mrows[table.key][key] = row
        here[same] = len(todo)
        todo.append((cp, row, key))
    for cp, row, key in todo:  # the values taken (the latest version's), to recognise this copy when sent again
        if table.id_column:
            merged[f"{cp.state.copy_id or cp.path.name}:{fingerprint(row.canon)}"] = key
            taken.setdefault(cp.state.copy_id, set()).update(
                cell_stamp(cp.state.copy_id, table.key, key, c.key, row.canon[c.key]) for c in cols
                if row.canon.get(c.key) is not None)
    if todo:
        plan.appends.append((table, rt, todo))
    for _, row, key in todo:
        final[table.key].rows[key] = [row.canon[c.key] for c in cols]


def _write(master: Path, raw: RawBook, out: Path, plan: _Plan, state: State, result: MergeResult, now: str,
           depts: dict[str, str]) -> None:
    pkg = BookPatch.open(master)
    ends = {t.table.key: pkg.table_ref(t.sheet, t.table.name)[2] for t in raw.tables.values()}  # before rows join
    for rt in raw.tables.values():
        RowsBelow.of(rt).adopt(pkg)  # rows typed below a table in the master join it before rows are appended
    for table, rt, rows in plan.appends:
        r0, _, r1, _ = pkg.table_ref(rt.sheet, table.name)
        last = max([r1, *(int(x) for x in rt.data.index)])
        model = _model_rows(rt, r0, ends[table.key])
        styles_of: dict[int, dict[int, int]] = {}
        for i, (cp, row, key) in enumerate(rows, start=1):
            r = last + i
            like = model.get(str(row.canon.get("metric") or "").strip(), last)  # formats follow the metric's unit
            if like not in styles_of:
                styles_of[like] = pkg.row_styles(rt.sheet, like) if like > r0 else {}
            styles = styles_of[like]
            result.appended.append((rt.sheet, rt.address(r, table.columns[0].key), key, cp.path.name,
                                    _row_brief(table, row.raw)))
            for col in table.columns:
                if col.key not in rt.columns:
                    continue
                c = rt.columns[col.key] + 1
                v: Value
                if col.formula:
                    v = Formula(render(col.formula, SCHEMA, table), "")
                elif col.key == table.id_column:
                    v = key
                elif col.key in row.raw:
                    v = _write_value(row.raw[col.key])
                else:
                    v = None
                plan.put(rt.sheet, r, c, v)
                plan.styles.setdefault(rt.sheet, {})[(r, c)] = styles.get(c, 0)
        pkg.set_table_end(rt.sheet, table.name, last + len(rows))
    for sheet, cells in plan.cells.items():
        pkg.set_cells(sheet, cells, styles=plan.styles.get(sheet, {}))
    pkg.put_hidden_sheet(STATE_SHEET, state.rows())
    _put_conflicts(pkg, result.conflicts)
    _put_changes(pkg, master, result, now, depts)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".merge.xlsx", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        pkg.save(tmp)
        result.report = recalc(tmp, out).report
    finally:
        tmp.unlink(missing_ok=True)


def _model_rows(rt: RawTable, r0: int, r1: int) -> dict[str, int]:
    """Metric → the last row of the table (as it was made, rows r0+1..r1) with that metric: an appended row takes
    its cell formats, whose number formats follow the metric's unit (``0.0%``, ``#,##0``…)."""
    if "metric" not in rt.data.columns:
        return {}
    out: dict[str, int] = {}
    for r, v in rt.data["metric"].items():
        if r0 < as_row(r) <= r1 and isinstance(v, str) and v.strip():
            out[v.strip()] = max(out.get(v.strip(), 0), as_row(r))
    return out


def _put_conflicts(pkg: BookPatch, conflicts: list[Conflict]) -> None:
    width = max((len(c.sides) for c in conflicts), default=1)
    header: list[Any] = ["类型", "工作表", "单元格", "行ID", "列", "基准值", "主表值（已保留）"]
    for i in range(1, width + 1):
        header += [f"副本值{i}", f"来源{i}"]
    rows: list[list[Any]] = [header]
    links: dict[str, str] = {}
    for n, c in enumerate(conflicts, start=2):
        row = [c.kind, c.sheet, c.cell, c.row_id, c.header, c.base, c.master]
        for v, src in c.sides:
            row += [v, src]
        rows.append(row)
        if c.cell:
            links[f"C{n}"] = f"'{c.sheet}'!{c.cell}"
    pkg.put_sheet(CONFLICTS_SHEET, rows, widths=[14, 10, 8, 9, 12, 20, 24] + [24, 26] * width, links=links)


def _previous_changes(master: Path) -> list[list[Any]]:
    try:
        wb = CalamineWorkbook.from_path(str(master))
        if CHANGES_SHEET not in wb.sheet_names:
            return []
        rows = wb.get_sheet_by_name(CHANGES_SHEET).to_python()
    except CalamineError:
        return []
    return [list(r) + [""] * (len(_CHANGE_HEADER) - len(r)) for r in rows[1:] if any(v not in ("", None) for v in r)]


def _put_changes(pkg: BookPatch, master: Path, result: MergeResult, now: str, depts: dict[str, str]) -> None:
    rows: list[list[Any]] = [list(_CHANGE_HEADER), *_previous_changes(master)]
    for ch in result.changes:
        rows.append([now, ch.source, ch.dept, ch.sheet, ch.cell, ch.row_id, ch.header, ch.old, ch.new])
    for sheet, cell, key, source, values in result.appended:
        rows.append([now, source, depts.get(source, ""), sheet, cell, key, "（新增行）", "", values])
    links = {f"E{i}": f"'{r[3]}'!{r[4]}" for i, r in enumerate(rows[1:], start=2) if r[3] and r[4]}
    pkg.put_sheet(CHANGES_SHEET, [[_cell(v) for v in r] for r in rows], widths=[19, 24, 10, 10, 8, 9, 12, 28, 28],
                  links=links)


def _cell(v: Any) -> Any:
    return v if v is None or isinstance(v, (str, int, float, bool)) else str(v)
