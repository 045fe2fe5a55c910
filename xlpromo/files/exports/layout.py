"""Where the table is in an export: the header row below title lines, the data rows, and what is not data.

A platform writes a title (``生意参谋 - 店铺整体 2024-06-01 ~ 2024-06-30``), blank lines, then the header, the
days, and below them a 合计 or 平均 row and notes (``注：支付金额含运费``). The header row is the one, among the first
:data:`SCAN_ROWS`, with a date header and the most columns the mapping knows; below it each row is data unless it
is blank, a summary or a note, and those are kept as skipped with their source line, never dropped unseen.
Nothing here opens a file: the readers hand in rows numbered as the source numbers them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlpromo.errors import ParseError
from xlpromo.model.export_values import cell_date, cell_number, cell_text
from xlpromo.model.import_map import DATE_HEADERS, header_key
from xlpromo.model.parse import parse_text, shown
from xlpromo.model.values import is_blank

__all__ = ["SCAN_ROWS", "ExportRow", "ExportTable", "SourceRow", "find_table", "first_lines", "header_row"]

SCAN_ROWS = 30  # rows searched for the header
SUMMARY_WORDS = ("合计", "总计", "汇总", "平均", "均值", "日均", "小计", "总和", "total", "sum", "average", "avg")
NOTE_MARKS = ("注", "说明", "备注", "数据来源", "温馨提示", "提示", "*", "※", "#", "note", "tips")

#: One source row: its 1-based line (CSV) or row (sheet) number and its cells as read.
SourceRow = tuple[int, Sequence[object]]


@dataclass(frozen=True)
class ExportRow:
    """One row of an export: its source line (1-based, as an editor or Excel shows it) and its cells as read;
    for a skipped row, ``why`` it is not data (空行, 合计行, 说明)."""

    line: int
    cells: tuple[object, ...]
    why: str = ""


@dataclass(frozen=True)
class ExportTable:
    """An export's table as found: the header row's line and headers, the data rows and the rows left out."""

    path: Path
    sheet: str | None
    header_line: int
    headers: tuple[str, ...]
    rows: tuple[ExportRow, ...]
    skipped: tuple[ExportRow, ...]

    def column(self, header: str) -> int | None:
        """The index of ``header`` (compared as the mapping compares, full-width and spaces aside); None if absent."""
        key = header_key(header)
        return next((i for i, h in enumerate(self.headers) if header_key(h) == key), None)

    @property
    def date_column(self) -> int:
        """The index of the date column (the header row has one by construction)."""
        dates = {header_key(h) for h in DATE_HEADERS}
        return next(i for i, h in enumerate(self.headers) if header_key(h) in dates)


def _trim(value: object) -> object:
    return cell_text(value) if isinstance(value, str) else value


def _key(value: object) -> str:
    return header_key(value) if isinstance(value, str) else ""


def header_row(rows: Sequence[SourceRow], known_headers: Collection[str]) -> tuple[int, int] | None:
    """(index in ``rows``, known columns) of the header row: a date header and the most known columns among the
    first :data:`SCAN_ROWS` rows, the first such row on a tie; None when no row has a date and a known column."""
    dates = {header_key(h) for h in DATE_HEADERS}
    known = {header_key(h) for h in known_headers} - dates
    best: tuple[int, int] | None = None
    for i, (_, cells) in enumerate(rows[:SCAN_ROWS]):
        keys = {_key(c) for c in cells}
        if keys & dates and (n := len(keys & known)) and (best is None or n > best[1]):
            best = (i, n)
    return best


def _starts(text: str, words: Sequence[str]) -> bool:
    folded = text.casefold()
    return any(folded.startswith(w) for w in words)


def _readable(value: object) -> bool:
    """A lone cell that is a number or a date is a value, not a note."""
    for parse in (cell_number, cell_date):
        try:
            parse(value)
        except ParseError:
            continue
        return True
    return False


def _why(cells: Sequence[object], date_col: int) -> str:
    """Why a row below the header is not data ("" when it is)."""
    filled = [c for c in cells if not is_blank(c)]
    if not filled:
        return "空行"
    first = parse_text(filled[0])
    dated = parse_text(cells[date_col]) if date_col < len(cells) else ""
    if _starts(dated, SUMMARY_WORDS) or _starts(first, SUMMARY_WORDS):
        return "合计行"
    if _starts(first, NOTE_MARKS) or (len(filled) == 1 and isinstance(filled[0], str) and not _readable(filled[0])):
        return "说明"
    return ""


def find_table(path: Path, sheet: str | None, rows: Sequence[SourceRow],
               known_headers: Collection[str]) -> ExportTable | None:
    """The export's table in ``rows`` (header, data, skipped rows), cells trimmed and padded to the header's
    width; None when no header row is found (the caller says what it saw: :func:`first_lines`)."""
    found = header_row(rows, known_headers)
    if found is None:
        return None
    at = found[0]
    line, head = rows[at]
    headers = [parse_text(h) if not isinstance(h, str) else cell_text(h) for h in head]
    while headers and not headers[-1]:
        headers.pop()
    dates = {header_key(h) for h in DATE_HEADERS}
    date_col = next(i for i, h in enumerate(headers) if header_key(h) in dates)
    data: list[ExportRow] = []
    skipped: list[ExportRow] = []
    for number, cells in rows[at + 1:]:
        trimmed = tuple(_trim(c) for c in cells)
        trimmed += ("",) * (len(headers) - len(trimmed))
        why = _why(trimmed, date_col)
        (skipped if why else data).append(ExportRow(number, trimmed, why))
    return ExportTable(path, sheet, line, tuple(headers), tuple(data), tuple(skipped))


def _shown_row(cells: Sequence[object], limit: int = 60) -> str:
    text = ",".join(shown(_trim(c)) for c in cells if not is_blank(c))
    return text if len(text) <= limit else text[:limit] + "…"


def first_lines(rows: Sequence[SourceRow], count: int = 5) -> str:
    """The first non-blank rows as a message shows them: ``第 1 行“生意参谋 - 店铺整体”；第 3 行“日期,UV”``."""
    shown_rows = [f"第 {line} 行“{_shown_row(cells)}”" for line, cells in rows[:SCAN_ROWS]
                  if any(not is_blank(c) for c in cells)]
    return "；".join(shown_rows[:count])
