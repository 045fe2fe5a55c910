"""``read_export``: any platform export file (CSV, tab-separated text, .xls, .xlsx, .ods) → its table.

The file's content decides how it is read (a zip or OLE container is a spreadsheet, anything else text),
its name only which files are exports at all: a ``.xls`` that is really a CSV, as some platforms write it,
reads as one; an HTML table saved as ``.xls`` is refused with what to do. Every failure is an
:class:`~xlpromo.errors.ExportError` naming the file, never a traceback.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from xlpromo.errors import ExportError
from xlpromo.files.exports.layout import ExportTable, SourceRow, find_table, first_lines
from xlpromo.files.exports.sheets import OLE, sheet_rows
from xlpromo.files.exports.text import text_rows

__all__ = ["SPREADSHEETS", "TEXTS", "read_export"]

TEXTS = (".csv", ".txt", ".tsv")
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
_NEED = "找不到表头行（需要“统计日期”等日期列和至少一个可导入的列）"


def _bytes(path: Path) -> bytes:
    if not path.is_file():
        raise ExportError(path, "找不到文件")
    suffix = path.suffix.lower()
    if suffix not in TEXTS + SPREADSHEETS:
        raise ExportError(path, f"不支持的文件类型“{path.suffix or '无扩展名'}”：请从平台导出 CSV、.xls 或 .xlsx 文件")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExportError(path, f"无法读取文件（{exc.strerror or exc}）") from None
    if not raw.strip():
        raise ExportError(path, "文件是空的：请从平台重新导出")
    return raw


def _html(raw: bytes) -> bool:
    head = raw[:1024].lstrip().lower()
    return head.startswith(b"<") and any(tag in head for tag in (b"<html", b"<table", b"<!doctype"))


def _no_header(path: Path, sheet: str | None, rows: list[SourceRow], expected: str) -> ExportError:
    seen = first_lines(rows)
    where = f"工作表“{sheet}”" if sheet else ""
    tail = f"；{where}前几行是：{seen}" if seen else f"；{where or '文件'}里没有任何内容"
    return ExportError(path, _NEED + tail + (f"；{expected}" if expected else ""), sheet=sheet)


def read_export(path: str | Path, known_headers: Collection[str], *, expected: str = "") -> ExportTable:
    """The table of a platform export: header row found below any title, data rows, summary and note rows set
    aside with their lines. ``known_headers`` are the mapping's export column names (the date headers are known
    anyway). ExportError, in Chinese naming the file, for anything that is no readable export; ``expected`` (the
    mapping's columns, as a sentence) ends the message of a file without a header row."""
    path = Path(path)
    raw = _bytes(path)
    if raw.startswith((b"PK\x03\x04", OLE)):
        first: tuple[str, list[SourceRow]] | None = None
        for sheet, rows in sheet_rows(path, raw):
            table = find_table(path, sheet, rows, known_headers)
            if table is not None:
                return table
            if first is None or (not first_lines(first[1]) and first_lines(rows)):
                first = (sheet, rows)
        raise _no_header(path, first[0] if first else None, first[1] if first else [], expected)
    if _html(raw):
        raise ExportError(path, "这是网页（HTML）格式的表格，不是 Excel 文件：请用 Excel 或 WPS 打开后另存为 .xlsx")
    rows = text_rows(path, raw, known_headers)
    table = find_table(path, None, rows, known_headers)
    if table is None:
        raise _no_header(path, None, rows, expected)
    return table
