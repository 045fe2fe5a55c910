"""A worksheet part's frame: where ``<sheetData>`` opens and closes and where ``</worksheet>`` is.

Cells live between the first two; what follows ``</sheetData>`` (merged cells, conditional
formats, protection, page setup) is the "tail" the editor and the highlights rewrite.
"""

from __future__ import annotations

import re

__all__ = ["SHEET_DATA", "sheet_end", "sheet_start", "worksheet_close"]

#: The <sheetData> start tag: groups (namespace prefix, "/" when empty).
SHEET_DATA = re.compile(rb"<(?:([\w.-]+):)?sheetData\b[^>]*?(/?)>")


def sheet_start(first: bytes) -> tuple[int, int | None, str]:
    """(start of <sheetData>, its end if it is empty <sheetData/>, namespace prefix) from a worksheet's first chunk."""
    m = SHEET_DATA.search(first)
    if m is None:
        raise ValueError("no <sheetData> in the worksheet")
    return m.start(), m.end() if m.group(2) else None, m.group(1).decode() + ":" if m.group(1) else ""


def sheet_end(last: bytes, p: str) -> int:
    """End of </sheetData> in a worksheet's last chunk (-1 if it is not there): where the tail starts."""
    close = f"</{p}sheetData>".encode()
    end = last.rfind(close)
    return end + len(close) if end >= 0 else -1


def worksheet_close(tail: str) -> int:
    """Position of </worksheet> in the text that follows sheetData: new elements go before it."""
    m = re.search(r"</(?:[\w.-]+:)?worksheet\s*>\s*$", tail)
    if m is None:
        raise ValueError("unterminated <worksheet>")
    return m.start()
