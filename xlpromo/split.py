"""``xlpromo split``: a department copy of the master, to be emailed, filled in and merged back.

In the copy every sheet is protected (no password, so it works in Excel, WPS and LibreOffice
without Python) and only the department's input cells are unlocked: columns it fills
(``Column.filled_by``), and in tables with an owner column (任务分工·责任部门, 每日监控·负责部门)
the row owner's columns on its own rows. A protected sheet stops an Excel table from
growing, so the rows just below a table the department may add to are unlocked too; the
merge reads rows typed there. Row 2 of each sheet says who fills what and by when. The
copy's ``_xlpromo`` sheet records the department, a copy ID and the master's values at the
time (the base of the three-way merge). The master is only read.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from xlpromo.engine import check_book
from xlpromo.errors import WorkbookError
from xlpromo.pkgedit import BookPatch
from xlpromo.reader import RawBook, RawTable, as_row, read_workbook
from xlpromo.schema import Column, Sheet, Table
from xlpromo.sheets import SCHEMA
from xlpromo.state import STATE_SHEET, State, book_rows, max_ids, read_state, snapshot_of

__all__ = ["GROWTH_ROWS", "NotSplittable", "Split", "copy_name", "departments", "split_all", "split_book"]

#: Rows below a table left unlocked in a copy, for the rows a department adds.
GROWTH_ROWS = 100


class NotSplittable(WorkbookError):
    """The master cannot be split (no state sheet, unknown department)."""

    code = "not-splittable"


@dataclass(frozen=True)
class Split:
    """One department copy: where it is and how many cells and new rows it offers."""

    output: Path
    dept: str
    cells: int  # existing cells the department fills
    tables: list[str]  # titles of the tables with something to fill


def copy_name(master: Path, dept: str) -> str:
    """File name of a department copy: ``618活动-仓储部.xlsx``."""
    return f"{master.stem}-{dept}{master.suffix or '.xlsx'}"


def departments(raw: RawBook) -> list[str]:
    """The departments of the master's 数据字典 list, in order."""
    rt = raw.tables.get("departments")
    if rt is None:
        return []
    return [str(v).strip() for v in rt.data["value"] if v is not None and str(v).strip()]


def _fillers(sheet: Sheet, depts: Sequence[str]) -> set[str]:
    """Departments named in a sheet's 填写 text (``运营部、数据分析``)."""
    return {d for d in depts if d in sheet.filled_by}


def _can_add_rows(table: Table, sheet: Sheet, dept: str, depts: Sequence[str]) -> bool:
    if not table.growable:
        return False
    if table.owner_column:
        owner = table.col(table.owner_column)
        return owner.computed or owner.filled_by in (None, dept)
    return dept in _fillers(sheet, depts)


def _mine(col: Column, table: Table, sheet: Sheet, dept: str, owner: object, depts: Sequence[str]) -> bool:
    """Whether ``dept`` fills this column on a row whose owner is ``owner``."""
    if not col.editable:
        return False
    if col.filled_by is not None:
        return col.filled_by == dept
    if table.owner_column:
        return isinstance(owner, str) and owner.strip() == dept
    return dept in _fillers(sheet, depts)


@dataclass
class _Scope:
    unlocked: dict[tuple[int, int], int]  # (row, col), 1-based → style of a created cell
    lines: list[str]  # what the department fills on the sheet
    cells: int = 0


def _table_scope(pkg: BookPatch, sheet: Sheet, rt: RawTable, owners: pd.Series | None, dept: str,
                 depts: Sequence[str], scope: _Scope) -> None:
    table = rt.table
    cols = [c for c in table.columns if c.key in rt.columns]
    rows = [as_row(r) for r in rt.data.index]
    own_rows = 0
    picked: list[str] = []
    owner_of = {as_row(k): v for k, v in owners.items()} if owners is not None else {}
    for col in cols:
        c = rt.columns[col.key] + 1
        hit = 0
        for r in rows:
            if _mine(col, table, sheet, dept, owner_of.get(r), depts):
                scope.unlocked[(r, c)] = 0
                hit += 1
        if hit:
            picked.append(col.header)
            scope.cells += hit
            if table.owner_column and col.filled_by is None:
                own_rows = max(own_rows, hit)
    grow = _can_add_rows(table, sheet, dept, depts)
    grow_cols = [c for c in cols if c.editable and (c.filled_by == dept or (c.filled_by is None and grow))]
    if grow and grow_cols:
        r0, _, r1, _ = pkg.table_ref(rt.sheet, table.name)
        last = max([r1, *rows])
        styles = pkg.row_styles(rt.sheet, last) if last > r0 else {}
        for col in grow_cols:
            c = rt.columns[col.key] + 1
            for r in range(last + 1, min(last + GROWTH_ROWS, r0 + table.capacity) + 1):
                scope.unlocked[(r, c)] = styles.get(c, 0)
    if picked:
        where = f"（责任部门为{dept}的 {own_rows} 行）" if own_rows else ""
        scope.lines.append(f"“{table.title}”的{'、'.join(picked)}{where}")
    if grow and grow_cols:
        scope.lines.append(f"“{table.title}”新增行：直接填在表格下方紧接着的空行（已开放 {GROWTH_ROWS} 行），"
                           "合并时自动并入主表")


def _note(sheet: Sheet, dept: str, scope: _Scope, due: dt.date | None) -> str:
    when = f"请于 {due:%Y-%m-%d} 前" if due else "填好后请尽快"
    if scope.lines:
        what = f"请只填写白色（未锁定）单元格：{'；'.join(scope.lines)}。填写阶段：{sheet.phase}；{when}回传运营部。"
    else:
        what = "本表无需本部门填写，仅供查看。"
    return (f"【{dept} 部门副本】{what}其余单元格已锁定（工作表保护无密码，请勿撤销保护去改他人内容）；"
            "不要改表头、不要删除行、不要另存为其他格式，否则无法合并回主表。")


def split_book(master: str | os.PathLike[str], dept: str, out: str | os.PathLike[str], *,
               due: dt.date | None = None) -> Split:
    """Write the copy of ``master`` for ``dept`` to ``out`` (atomically); the master is only read."""
    done = _split(Path(master), dept, Path(out), due, None, None, skip_empty=False)
    assert done is not None
    return done


def _split(master: Path, dept: str, out: Path, due: dt.date | None, raw: RawBook | None,
           frames: dict[str, pd.DataFrame] | None, skip_empty: bool) -> Split | None:
    state = read_state_or_refuse(master)
    raw = raw or read_workbook(master)
    depts = departments(raw)
    if dept not in depts:
        raise NotSplittable(master, f"部门“{dept}”不在“数据字典”的部门列表中（{'、'.join(depts)}）")
    frames = frames if frames is not None else check_book(raw).frames
    rows = book_rows(raw, state.max_ids)
    pkg = BookPatch.open(master)
    total, titles = 0, []
    for sheet in SCHEMA.sheets:
        name = next((t.sheet for t in raw.tables.values() if t.table.key in {x.key for x in sheet.tables}), None)
        if name is None:
            if sheet.key == "guide" and sheet.name in pkg.sheet_names():
                pkg.protect(sheet.name)
            continue
        scope = _Scope({}, [])
        for table in sheet.tables:
            rt = raw.tables[table.key]
            owner = frames[table.key][table.owner_column] if table.owner_column else None
            _table_scope(pkg, sheet, rt, owner, dept, depts, scope)
            if table.id_column and table.id_column in rt.columns:  # rows without an ID get theirs in the copy
                c = rt.columns[table.id_column] + 1
                ids = {(r.row, c): r.key for r in rows[table.key].values() if r.id_cell != r.key}
                if ids:
                    pkg.set_cells(name, ids)
        note_at = (2, 3) if any(t.key == "review" for t in sheet.tables) else (2, 1)  # 复盘报告: A2:B2 hold 活动名称
        base = pkg.row_styles(name, 2).get(note_at[1], 0)
        pkg.set_cells(name, {note_at: _note(sheet, dept, scope, due)}, styles={note_at: pkg.styles().emphasised(base)})
        pkg.lock_cells(name, scope.unlocked)
        pkg.protect(name)
        total += scope.cells
        if scope.lines:
            titles.append(sheet.name)
    if skip_empty and not total:
        return None
    copy = State(campaign_id=state.campaign_id, role="copy", dept=dept, copy_id=str(uuid.uuid4()),
                 made_at=dt.datetime.now().isoformat(timespec="seconds"), source=master.name,
                 max_ids=max_ids(rows, state.max_ids), snapshot=snapshot_of(rows))
    pkg.put_hidden_sheet(STATE_SHEET, copy.rows())
    target = Path(out)
    pkg.save(target)
    return Split(target, dept, total, titles)


def read_state_or_refuse(master: Path) -> State:
    """The master's state; NotSplittable when it has none or it is damaged."""
    try:
        state = read_state(master)
    except ValueError as exc:
        raise NotSplittable(master, str(exc)) from None
    if state is None:
        raise NotSplittable(master, f"没有 {STATE_SHEET} 状态表（由旧版 xlpromo 生成）：请先运行 "
                                    f"xlpromo merge {master.name} -o 新主表.xlsx（不带副本）为它加上活动ID，"
                                    "再分发新主表")
    return state


def split_all(master: str | os.PathLike[str], folder: str | os.PathLike[str], *,
              due: dt.date | None = None) -> list[Split]:
    """One copy per department of the 数据字典 list that has something to fill, in ``folder``."""
    master = Path(master)
    read_state_or_refuse(master)
    raw = read_workbook(master)
    frames = check_book(raw).frames
    out = []
    for dept in departments(raw):
        if not re.fullmatch(r"[^\\/:*?\"<>|]+", dept):
            continue  # not usable in a file name
        done = _split(master, dept, Path(folder) / copy_name(master, dept), due, raw, frames,
                      skip_empty=True)
        if done is not None:
            out.append(done)
    return out
