"""The two sheets a merge writes: ``合并冲突`` (what a person decides) and ``变更记录`` (every value overwritten).

变更记录 is kept across merges (the master's earlier rows come first), so any value a merge
ever overwrote can be restored; each row links to its cell.
"""

from __future__ import annotations

from typing import Any

from python_calamine import CalamineError

from xlpromo.model.values import is_blank
from xlpromo.ooxml import BookPatch, Formatted
from xlpromo.roundtrip.merge.summary import CHANGES_SHEET, CONFLICTS_SHEET, Conflict, MergeResult
from xlpromo.roundtrip.state import SideSheets

__all__ = ["previous_changes", "put_changes", "put_conflicts"]

_CHANGE_HEADER = ["时间", "来源文件", "部门", "工作表", "单元格", "行ID", "列", "原值", "新值"]


def put_conflicts(pkg: BookPatch, conflicts: list[Conflict]) -> None:
    """Write 合并冲突: one row per conflict, every side with its file, the cell linked."""
    width = max((len(c.sides) for c in conflicts), default=1)
    header: list[Any] = ["类型", "工作表", "单元格", "行ID", "列", "基准值", "主表值（已保留）"]
    for i in range(1, width + 1):
        header += [f"副本值{i}", f"来源{i}"]
    rows: list[list[Any]] = [header]
    links: dict[str, str] = {}
    for n, c in enumerate(conflicts, start=2):
        fmt = c.num_format
        row = [c.kind, c.sheet, c.cell, c.row_id, c.header, _shown(c.base, fmt), _shown(c.master, fmt)]
        for v, src in c.sides:
            row += [_shown(v, c.num_format), src]
        rows.append(row)
        if c.cell:
            links[f"C{n}"] = f"'{c.sheet}'!{c.cell}"
    pkg.put_sheet(CONFLICTS_SHEET, rows, widths=[14, 10, 8, 9, 12, 20, 24] + [24, 26] * width, links=links)


#: 原值 and 新值 (1-based columns of 变更记录): the values shown in their source cell's number format.
_VALUE_COLUMNS = (_CHANGE_HEADER.index("原值") + 1, _CHANGE_HEADER.index("新值") + 1)


def previous_changes(master: SideSheets, formats: dict[tuple[int, int], str] | None = None) -> list[list[Any]]:
    """The rows of the master's own 变更记录 (earlier merges), blank rows left out, padded to the header's width;
    a number keeps the format its cell had (``formats``: (row, col) → code), so 0.45% stays 0.45%, not 0.0045."""
    try:
        rows = master.rows(CHANGES_SHEET) or []
    except CalamineError:
        return []
    out = []
    for n, r in enumerate(rows[1:], start=2):
        if all(is_blank(v, spaces=False) for v in r):
            continue
        row = list(r) + [""] * (len(_CHANGE_HEADER) - len(r))
        for c in _VALUE_COLUMNS:
            row[c - 1] = _shown(row[c - 1], (formats or {}).get((n, c)))
        out.append(row)
    return out


def put_changes(pkg: BookPatch, master: SideSheets, result: MergeResult, now: str, depts: dict[str, str]) -> None:
    """Write 变更记录: the earlier rows, then this merge's changes and appended rows, each cell linked."""
    formats = pkg.number_formats(CHANGES_SHEET, _VALUE_COLUMNS)
    rows: list[list[Any]] = [list(_CHANGE_HEADER), *previous_changes(master, formats)]
    for ch in result.changes:
        rows.append([now, ch.source, ch.dept, ch.sheet, ch.cell, ch.row_id, ch.header, _shown(ch.old, ch.num_format),
                     _shown(ch.new, ch.num_format)])
    for sheet, cell, key, source, values in result.appended:
        rows.append([now, source, depts.get(source, ""), sheet, cell, key, "（新增行）", "", values])
    links = {f"E{i}": f"'{r[3]}'!{r[4]}" for i, r in enumerate(rows[1:], start=2) if r[3] and r[4]}
    pkg.put_sheet(CHANGES_SHEET, [[_cell(v) for v in r] for r in rows], widths=[19, 24, 10, 10, 8, 9, 12, 28, 28],
                  links=links)


def _cell(v: Any) -> Any:
    return v if v is None or isinstance(v, (str, int, float, bool, Formatted)) else str(v)


def _shown(v: Any, num_format: str | None) -> Any:
    """A number as its source cell shows it (0.45%, not 0.0045): written with that cell's number format, so it
    stays a number, right-aligned, while text stays left-aligned."""
    if num_format and isinstance(v, (int, float)) and not isinstance(v, bool):
        return Formatted(v, num_format)
    return v
