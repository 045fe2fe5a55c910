"""A CSV export's bytes as rows: the encoding found (UTF-8 with or without BOM, GB18030/GBK, UTF-16 with BOM,
else what charset-normalizer says), comma or tab as the header finds them, every row with its source line.

The platforms write GBK (生意参谋's old exports, anything saved by Excel on Chinese Windows) as often as UTF-8
with a BOM; a file re-saved by WPS may be either. Strict UTF-8 first (GBK bytes are almost never valid UTF-8),
then GB18030 (a superset of GBK), then charset-normalizer for anything else; what decodes to control characters
is binary, not an export.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Collection
from pathlib import Path

import charset_normalizer

from xlpromo.errors import ExportError
from xlpromo.files.exports.layout import SCAN_ROWS, SourceRow, header_row

__all__ = ["csv_rows", "decode", "delimiter", "text_rows"]

_BINARY = "不是文本文件（内容是二进制数据）：请从平台重新导出 CSV 或 Excel 文件"
_HEAD = 8192  # bytes or characters looked at for binary content


def _binary(text: str) -> bool:
    """More than a stray control character in the head of the text: a binary file that happened to decode."""
    head = text[:_HEAD]
    controls = sum(1 for ch in head if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    return controls > max(2, len(head) // 200)


def decode(path: Path, raw: bytes) -> str:
    """The text of a CSV export; ExportError for binary content or bytes no encoding reads."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ExportError(path, _BINARY) from None
    elif b"\x00" in raw[:_HEAD]:
        raise ExportError(path, _BINARY)
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            best = charset_normalizer.from_bytes(raw).best()
            if best is None:
                raise ExportError(path, "无法识别文件的编码：请在 Excel 或 WPS 中打开后另存为“CSV UTF-8”或 .xlsx")
            text = str(best)
    if _binary(text):
        raise ExportError(path, _BINARY)
    return text


def csv_rows(path: Path, text: str, sep: str) -> list[SourceRow]:
    """Every record of ``text`` with the line it starts on (a quoted cell may hold line breaks)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows: list[SourceRow] = []
    line = 0
    try:
        for cells in reader:
            rows.append((line + 1, cells))
            line = reader.line_num
    except csv.Error as exc:
        raise ExportError(path, f"第 {line + 1} 行无法按 CSV 读取（{exc}）：请从平台重新导出") from None
    return rows


def delimiter(path: Path, text: str, known_headers: Collection[str]) -> str:
    """Tab when the head of the file read tab-separated shows a better header row than read comma-separated."""
    if "\t" not in text:
        return ","
    head = "".join(io.StringIO(text, newline="").readlines()[:SCAN_ROWS])
    scores = {}
    for sep in (",", "\t"):
        found = header_row(csv_rows(path, head, sep), known_headers)
        scores[sep] = -1 if found is None else found[1]
    return "\t" if scores["\t"] > scores[","] else ","


def text_rows(path: Path, raw: bytes, known_headers: Collection[str]) -> list[SourceRow]:
    """A CSV or tab-separated export's rows, decoded and split."""
    text = decode(path, raw)
    return csv_rows(path, text, delimiter(path, text, known_headers))
