"""An .xlsx, .xls or .ods export's sheets as rows, numbered as Excel numbers them, through python-calamine.

calamine reads the format from the bytes, not the name, so an .xlsx saved as ``.xls`` still reads; an encrypted
file (an OLE container holding ``EncryptionInfo``) and a truncated one are refused with what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from python_calamine import CalamineWorkbook

from xlpromo.errors import ExportError
from xlpromo.files.exports.layout import SourceRow

__all__ = ["OLE", "sheet_rows"]

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of .xls and of encrypted .xlsx
_BROKEN = "文件已损坏或不完整（可能没有下载完）：请从平台重新导出"


def _open(path: Path, raw: bytes) -> CalamineWorkbook:
    if raw.startswith(OLE) and "EncryptionInfo".encode("utf-16-le") in raw:
        raise ExportError(path, "文件设置了打开密码：请在 Excel 或 WPS 中取消密码后另存为 .xlsx，或从平台重新导出")
    try:
        with path.open("rb") as fh:
            return CalamineWorkbook.from_filelike(fh)
    except Exception:  # calamine's errors (zip, OLE, XML) have no common base we can name beyond Exception
        raise ExportError(path, _BROKEN) from None


def sheet_rows(path: Path, raw: bytes) -> Iterator[tuple[str, list[SourceRow]]]:
    """Each sheet's name and rows (row 1 = Excel's row 1, blank rows above the table kept), read on demand."""
    book = _open(path, raw)
    for name in book.sheet_names:
        try:
            cells = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception:  # a damaged sheet part
            raise ExportError(path, f"工作表“{name}”{_BROKEN}", sheet=name) from None
        yield name, [(i + 1, row) for i, row in enumerate(cells)]
