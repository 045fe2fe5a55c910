"""标记 text of flagged rows: the level, the flagged headers in 【】 and a short reason.

A growable table ends with a 标记 column; its native conditional format paints every cell of
the row whose header appears in brackets, so the marks survive e-mail without Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlpromo.engine.alerts import Alert, Level
from xlpromo.engine.findings import Finding, Severity
from xlpromo.engine.report import Report
from xlpromo.model.a1 import parse_cell
from xlpromo.model.book import RawBook, RawTable
from xlpromo.model.defaults import MARK_CLOSE, MARK_OPEN

__all__ = ["LEVELS", "REASON_CHARS", "mark_text", "marks"]

#: Mark levels, highest first: error findings, then the alert levels (warning findings count as 提示).
LEVELS = ("错误", Level.CRITICAL.value, Level.WARNING.value, Level.INFO.value)
#: Longest reason kept after the brackets; a longer one is cut and ends with "…".
REASON_CHARS = 60


@dataclass(frozen=True, order=True)
class _Item:
    level: int  # index into LEVELS
    col: int  # 0-based sheet column
    header: str
    message: str


def _level(item: Finding | Alert) -> int:
    if isinstance(item, Alert):
        return LEVELS.index(item.level.value)
    return 0 if item.severity == Severity.ERROR else LEVELS.index(Level.INFO.value)


def _owner(tables: list[RawTable], row: int, col: int) -> RawTable | None:
    """The table of a sheet whose data area holds the cell: the lowest header above it among those owning the column."""
    best: RawTable | None = None
    for raw in tables:
        below = row > raw.header_excel_row and col in raw.columns.values()
        if below and (best is None or raw.header_excel_row > best.header_excel_row):
            best = raw
    return best


def mark_text(items: list[tuple[str, str, str]]) -> str:
    """One 标记 cell from (level, header, message) items, e.g. ``严重：【达成率】【异常说明】 …``."""
    ordered = sorted(items, key=lambda i: LEVELS.index(i[0]))
    headers = list(dict.fromkeys(h for _, h, _ in ordered))
    reason = "；".join(dict.fromkeys(m for _, _, m in ordered))
    if len(reason) > REASON_CHARS:
        reason = reason[:REASON_CHARS - 1] + "…"
    return f"{ordered[0][0]}：{''.join(MARK_OPEN + h + MARK_CLOSE for h in headers)} {reason}"


def marks(report: Report, book: RawBook) -> dict[str, dict[int, str]]:
    """Table key → {Excel row: 标记 text} for each table with a 标记 column; rows nothing flags are absent."""
    by_sheet: dict[str, list[RawTable]] = {}
    for raw in book.tables.values():
        by_sheet.setdefault(raw.sheet, []).append(raw)
    found: dict[str, dict[int, list[_Item]]] = {}
    items: list[Finding | Alert] = [*report.findings, *report.cell_alerts]
    for item in items:
        if not item.cell or item.sheet not in by_sheet:
            continue
        row0, col = parse_cell(item.cell)
        owner = _owner(by_sheet[item.sheet], row0 + 1, col)
        if owner is None or owner.table.mark_column is None:
            continue
        key = next(k for k, c in owner.columns.items() if c == col)
        entry = _Item(_level(item), col, owner.table.col(key).header, item.message)
        found.setdefault(owner.table.key, {}).setdefault(row0 + 1, []).append(entry)
    out: dict[str, dict[int, str]] = {t.table.key: {} for t in book.tables.values() if t.table.mark_column}
    for tkey, rows in found.items():
        for row, entries in sorted(rows.items()):
            entries.sort()
            out[tkey][row] = mark_text([(LEVELS[e.level], e.header, e.message) for e in entries])
    return out
