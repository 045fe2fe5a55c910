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

import contextlib
import datetime as dt
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from xlpromo.engine.metrics import COMPUTED
from xlpromo.engine.validate import validate
from xlpromo.errors import NotSplittable
from xlpromo.files.reader import read_workbook
from xlpromo.model.a1 import col_name
from xlpromo.model.book import RawBook, RawTable, as_row
from xlpromo.model.master import SCHEMA
from xlpromo.model.schema import Column, Sheet, Table
from xlpromo.model.state import STATE_SHEET, BookRows, State, book_rows, max_ids, snapshot_of
from xlpromo.model.values import is_blank
from xlpromo.ooxml import BookPatch, staged_folder, text_lines
from xlpromo.roundtrip.state import Refusal, SideSheets, copy_mark, marked_dept, state_of
from xlpromo.roundtrip.stored import bad_number_cells

__all__ = ["GROWTH_ROWS", "MASTER_OWNER", "NotSplittable", "Split", "campaign_stem", "copy_name", "departments",
           "file_safe", "name_problem", "owners", "plan_copies", "split_all", "split_book", "split_needed"]

#: The department that keeps the master, splits it and merges the copies (domain.md: 运营部 coordinates).
MASTER_OWNER = "运营部"
#: Rows below a table left unlocked in a copy, for the rows a department adds.
GROWTH_ROWS = 100


@dataclass(frozen=True)
class Split:
    """One department copy: where it is and how many cells and new rows it offers."""

    output: Path
    dept: str
    cells: int  # existing cells the department fills
    tables: list[str]  # titles of the tables with something to fill


def campaign_stem(stem: str) -> str:
    """A file stem without the marks xlpromo adds (``.合并``, ``-合并2``, ``.备份``, ``.导入``, ``.日计划``):
    ``618活动.合并`` → ``618活动``."""
    return re.sub(r"(?:[.\-](?:合并|备份|导入|日计划)\d*)+$", "", stem) or stem


def file_safe(dept: str) -> bool:
    """Whether a department's name can be part of a file name (no ``\\/:*?"<>|``)."""
    return re.fullmatch(r"[^\\/:*?\"<>|]+", dept) is not None


#: The longest file name, in bytes of UTF-8, that Linux and macOS take (Windows: 255 UTF-16 units, which is more).
NAME_BYTES = 255


def copy_name(master: Path, dept: str) -> str:
    """File name of a department copy: ``618活动-仓储部.xlsx`` (also from ``618活动.合并.xlsx``)."""
    return f"{campaign_stem(master.stem)}-{dept}{master.suffix or '.xlsx'}"


def name_problem(master: Path, dept: str) -> str | None:
    """Why ``dept``'s copy cannot have a file name of its own, in Chinese; None when it can."""
    if not file_safe(dept):
        return "部门名称含文件名不能用的字符 \\/:*?\"<>|"
    if len(copy_name(master, dept).encode("utf-8")) > NAME_BYTES:
        return f"部门名称太长，副本的文件名会超过 {NAME_BYTES} 字节"
    return None


def departments(raw: RawBook) -> list[str]:
    """The departments of the master's 数据字典 list, in order."""
    rt = raw.tables.get("departments")
    if rt is None:
        return []
    return [str(v).strip() for v in rt.data["value"] if not is_blank(v)]


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
    if not col.editable or col.planned:
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
    styled: dict[tuple[int, int], int] = field(default_factory=dict)  # cells of new rows that stay locked → style
    cells: int = 0
    grows: bool = False  # the department may add rows to a table of the sheet
    last_col: int = 1  # right edge of the sheet's tables


def _table_scope(pkg: BookPatch, sheet: Sheet, rt: RawTable, owners: pd.Series | None, dept: str,
                 depts: Sequence[str], scope: _Scope) -> None:
    table = rt.table
    cols = [c for c in table.columns if c.key in rt.columns]
    rows = [as_row(r) for r in rt.data.index]
    own_rows = 0
    every: list[str] = []  # columns open on every row
    own: list[str] = []  # columns open on the department's own rows
    owner_of = {as_row(k): v for k, v in owners.items()} if owners is not None else {}
    for col in cols:
        c = rt.columns[col.key] + 1
        hit = 0
        for r in rows:
            if _mine(col, table, sheet, dept, owner_of.get(r), depts):
                scope.unlocked[(r, c)] = 0
                hit += 1
        if hit:
            scope.cells += hit
            if table.owner_column and col.filled_by is None:
                own_rows = max(own_rows, hit)
                own.append(col.header)
            else:
                every.append(col.header)
    grow = _can_add_rows(table, sheet, dept, depts)
    grow_cols = [c for c in cols if c.editable and (c.filled_by == dept or (c.filled_by is None and grow))]
    r0, _, r1, c1 = pkg.table_ref(rt.sheet, table.name)
    scope.last_col = max(scope.last_col, c1)
    if grow and grow_cols:
        scope.grows = True
        last = max([r1, *rows])
        styles = pkg.row_styles(rt.sheet, last) if last > r0 else {}
        new_rows = range(last + 1, min(last + GROWTH_ROWS, r0 + table.capacity) + 1)
        for col in cols:  # new rows look like the table's; a column that mixes units is General, so that
            if col.key not in rt.columns:  # 0.5% typed on a 客诉率 row shows 0.5%, not the last row's 0.0
                continue
            c = rt.columns[col.key] + 1
            style = styles.get(c, 0)
            if col.unit_of:
                style = pkg.styles().numbered(style, "General")
            for r in new_rows:
                if col in grow_cols:
                    scope.unlocked[(r, c)] = style
                else:
                    scope.styled[(r, c)] = style
    parts = []
    if every:
        parts.append("" if every == [table.title] else _columns(every))
    if own_rows:
        parts.append(f"{_columns(own)}（负责部门为{dept}的 {own_rows} 行）")
    if parts:
        scope.lines.append(f"{table.title}{'的' if parts[0] else ''}{'；'.join(parts)}")
    elif grow and grow_cols:
        scope.lines.append(f"{table.title}（可新增行）")


def _columns(headers: list[str]) -> str:
    """Column headers as a short list: ``任务编号、任务名称等 10 列`` when there are many."""
    return "、".join(headers) if len(headers) <= 4 else f"{'、'.join(headers[:2])}等 {len(headers)} 列"


def _note(sheet: Sheet, dept: str, scope: _Scope, due: dt.date | None) -> str:
    """Row 2 of a copy's sheet: what the department fills there, by when, and what not to do."""
    if not scope.lines:
        return f"{copy_mark(dept)}本表无需{dept}填写，仅供查看；单元格已锁定。"
    when = f"请于 {due:%Y-%m-%d} 前" if due else "填好后请尽快"
    grow = (f"新增行请直接填在表格下方紧接着的空行（已开放 {GROWTH_ROWS} 行），合并时自动并入主表。"
            if scope.grows else "")
    back = "合并回主表" if dept == MASTER_OWNER else f"回传{MASTER_OWNER}"  # 运营部 does not mail itself
    return (f"{copy_mark(dept)}请填写浅黄色单元格：{'；'.join(scope.lines)}。{grow}{when}{back}。"
            "其余单元格已锁定（保护无密码）：请勿撤销保护改他人内容，勿改表头、删行或另存为其他格式，否则无法合并回主表。")


def _put_note(pkg: BookPatch, name: str, at: tuple[int, int], last_col: int, text: str) -> None:
    """Write the note wrapped across the tables' width, the row as high as its lines."""
    r, c = at
    base = pkg.row_styles(name, r).get(c, 0)
    pkg.set_cells(name, {at: text}, styles={at: pkg.styles().emphasised(base)})
    last_col = max(last_col, c + 5)
    widths = pkg.column_widths(name)
    chars = sum(widths.get(x, 8.43) for x in range(c, last_col + 1))
    if pkg.merge_cells(name, f"{col_name(c - 1)}{r}:{col_name(last_col - 1)}{r}"):  # not over cells someone merged
        pkg.set_row_height(name, r, 15.0 * text_lines(text, chars) + 3)


def split_book(master: str | os.PathLike[str], dept: str, out: str | os.PathLike[str], *,
               due: dt.date | None = None) -> Split:
    """Write the copy of ``master`` for ``dept`` to ``out`` (atomically); the master is only read."""
    done = _split(_Master.read(Path(master)), dept, Path(out), due, skip_empty=False)
    assert done is not None
    return done


def split_needed(master: str | os.PathLike[str], dept: str, out: str | os.PathLike[str], *,
                 due: dt.date | None = None) -> Split | None:
    """:func:`split_book`, or None (nothing written) when ``dept`` has no existing cell to fill, as ``split_all``."""
    return _split(_Master.read(Path(master)), dept, Path(out), due, skip_empty=True)


def plan_copies(master: str | os.PathLike[str], raw: RawBook, folder: str | os.PathLike[str]
                ) -> tuple[dict[str, Path], dict[str, str]]:
    """Where ``split_all`` would write each department's copy, and the departments whose name cannot be a file
    name (with why). NotSplittable, before anything is written, for an empty 部门 list or a copy that would
    land on the master itself (a master ``demo-合并.xlsx`` and a department 合并)."""
    master, folder = Path(master), Path(folder)
    depts = departments(raw)
    if not depts:
        raise NotSplittable(master, "“数据字典”的部门列表是空的：请先填写各部门，再分发副本")
    targets: dict[str, Path] = {}
    problems: dict[str, str] = {}
    for dept in depts:
        problem = name_problem(master, dept)
        if problem is not None:
            problems[dept] = problem
            continue
        target = folder / copy_name(master, dept)
        if target.resolve() == master.resolve() or (target.exists() and os.path.samefile(target, master)):
            raise NotSplittable(master, f"部门“{dept}”的副本 {target.name} 会写在主工作簿本身上：请用 -o 指定"
                                        "另一个文件夹，或把主工作簿改名")
        targets[dept] = target
    return targets, problems


def split_all(master: str | os.PathLike[str], folder: str | os.PathLike[str], *,
              due: dt.date | None = None, raw: RawBook | None = None) -> list[Split]:
    """One copy per department of the 数据字典 list that has something to fill, in ``folder``; ``raw``: the
    master's tables when the caller has read them already (the CLI, to name the departments), so it is read once.

    All or nothing: the copies are written in a hidden folder inside ``folder`` and moved in together at the end;
    a failure or an interruption leaves ``folder`` as it was."""
    book = _Master.read(Path(master), raw)
    targets, _ = plan_copies(book.path, book.raw, folder)
    out = []
    with staged_folder(folder) as stage:
        for dept, target in targets.items():
            done = _split(book, dept, stage / target.name, due, skip_empty=True)
            if done is not None:
                out.append(replace(done, output=target))
    return out


#: A master is refused when its state is damaged, missing (made by an old xlpromo) or it is a department copy.
_REFUSAL = Refusal(
    damaged=lambda p, why: NotSplittable(p, why, sheet=STATE_SHEET),
    wrong_role=lambda p, s: NotSplittable(p, f"这是{s.dept or ''}部门副本，不是主工作簿：请对主工作簿运行 split"),
    missing=lambda p: _no_state(p))


def _no_state(path: Path) -> NotSplittable:
    """A file without ``_xlpromo``: a master made by an old xlpromo (merge gives it one), or a copy that lost it."""
    dept = marked_dept(SideSheets(path))
    if dept is not None:
        return NotSplittable(path, f"这是{dept}的部门副本（第 2 行写着{copy_mark(dept)}），不是主工作簿，且其中隐藏的 "
                                   f"{STATE_SHEET} 状态表已被删除：请对主工作簿运行 split", sheet=STATE_SHEET)
    return NotSplittable(path, f"没有 {STATE_SHEET} 状态表（由旧版 xlpromo 生成）：请先运行 "
                               f"xlpromo merge {path.name} -o 新主表.xlsx（不带副本）为它加上活动ID，再分发新主表")


@dataclass(frozen=True)
class _Master:
    """The master as split reads it, once for any number of copies: tables, state, rows by key, row owners."""

    path: Path
    raw: RawBook
    state: State
    rows: BookRows  # rows lacking an ID have theirs: each copy gets the same
    owners: dict[str, pd.Series]

    @classmethod
    def read(cls, path: Path, raw: RawBook | None = None) -> _Master:
        """Read ``path`` (its tables unless the caller read them: ``raw``); NotSplittable when its state refuses it."""
        raw = read_workbook(path) if raw is None else raw
        state = state_of(SideSheets(path), "master", _REFUSAL)
        assert state is not None  # a missing state is refused
        return cls(path, raw, state, book_rows(raw, state.max_ids), owners(raw))


def owners(raw: RawBook) -> dict[str, pd.Series]:
    """Table key → the owning department of each row (任务分工·责任部门, 每日监控·负责部门), as the engine reads it.

    A typed owner is the validated value; a computed one (负责部门, looked up from the metric) is computed alone.
    No alert and no other formula is worked out: split only needs to know whose rows are whose."""
    tables = [t for t in SCHEMA.tables if t.owner_column and t.key in raw.tables]
    if not tables:
        return {}
    frames = validate(raw).frames
    out: dict[str, pd.Series] = {}
    for t in tables:
        assert t.owner_column is not None
        df = frames[t.key]
        if not t.col(t.owner_column).computed:
            out[t.key] = df[t.owner_column]
        else:
            out[t.key] = COMPUTED[(t.key, t.owner_column)](frames, df) if len(df) else pd.Series(dtype=object)
    return out


def _split(master: _Master, dept: str, out: Path, due: dt.date | None, skip_empty: bool) -> Split | None:
    """Write ``dept``'s copy of ``master`` to ``out``; None (nothing written) when ``skip_empty`` and it has no cell
    to fill."""
    raw, state, rows = master.raw, master.state, master.rows
    depts = departments(raw)
    if not depts:
        raise NotSplittable(master.path, "“数据字典”的部门列表是空的：请先填写各部门，再分发副本")
    if dept not in depts:
        raise NotSplittable(master.path, f"部门“{dept}”不在“数据字典”的部门列表中（{'、'.join(depts)}）")
    pkg = BookPatch.open(master.path)
    for sheet_name, texts in bad_number_cells(raw).items():
        pkg.set_cells(sheet_name, texts)  # an INF/NaN no reader opens becomes the text it stored
    total, titles = 0, []
    done: set[str] = {STATE_SHEET}
    for sheet in SCHEMA.sheets:
        name = next((t.sheet for t in raw.tables.values() if t.table.key in {x.key for x in sheet.tables}), None)
        if name is None:
            continue
        scope = _Scope({}, [])
        for table in sheet.tables:
            rt = raw.tables[table.key]
            _table_scope(pkg, sheet, rt, master.owners.get(table.key), dept, depts, scope)
            if table.id_column and table.id_column in rt.columns:  # rows without an ID get theirs in the copy
                c = rt.columns[table.id_column] + 1
                ids = {(r.row, c): r.key for r in rows[table.key].values() if r.id_cell != r.key}
                if ids:
                    pkg.set_cells(name, ids)
        note_at = (2, 3) if any(t.key == "review" for t in sheet.tables) else (2, 1)  # 复盘报告: A2:B2 hold 活动名称
        _put_note(pkg, name, note_at, scope.last_col, _note(sheet, dept, scope, due))
        if scope.styled:
            pkg.set_cells(name, {}, styles=scope.styled)
        pkg.lock_cells(name, scope.unlocked, fill=True)
        pkg.protect(name)
        done.add(name)
        total += scope.cells
        if scope.lines:
            titles.append(sheet.name)
    if skip_empty and not total:
        return None
    for name in pkg.sheet_names():  # 使用说明, 问题清单, 预警, 合并冲突, 变更记录, sheets the user added: read only
        if name not in done:
            with contextlib.suppress(ValueError):  # a chart sheet has no cells to protect
                pkg.protect(name)
    copy = State(campaign_id=state.campaign_id, role="copy", dept=dept, copy_id=str(uuid.uuid4()),
                 made_at=dt.datetime.now().isoformat(timespec="seconds"), source=master.path.name,
                 max_ids=max_ids(rows, state.max_ids), snapshot=snapshot_of(rows))
    pkg.put_hidden_sheet(STATE_SHEET, copy.rows())
    target = Path(out)
    pkg.save(target)
    return Split(target, dept, total, titles)
