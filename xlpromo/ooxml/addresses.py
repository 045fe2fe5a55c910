"""Rows and cells given the address they imply: a ``<row>`` or ``<c>`` without an ``r`` attribute gets one.

The ``r`` attributes are optional in SpreadsheetML: a row without one is the row after the previous
row (row 1 first), a cell without one is the column after the previous cell of its row (column A
first). Every other module finds cells by their ``r``, so a worksheet is given explicit ones (as the
first attribute, the layout the fast patterns of :mod:`xlpromo.ooxml.cached` expect) before it is
read or patched. A sheet whose rows and cells all start with ``r="`` (what Excel, LibreOffice,
xlsxwriter and openpyxl write) is passed through as the same bytes object, after one search for a start tag
that does not.
"""

from __future__ import annotations

import re
from functools import cache

from xlpromo.model.a1 import col_index, col_name
from xlpromo.ooxml.worksheet import SHEET_DATA

__all__ = ["Addresser", "addressed"]

_ROW_R = re.compile(rb"""\sr\s*=\s*["']([0-9]+)["']""")
_CELL_R = re.compile(rb"""\sr\s*=\s*["']([A-Z]+)([0-9]+)["']""")


class Addresser:
    """Gives rows and cells their implied ``r``, block after block of one worksheet (blocks cut after a
    ``</row>``, as :func:`~xlpromo.ooxml.stream.row_blocks` cuts them, or the whole part at once).

    ``p`` is the sheet's namespace prefix (``"x:"``); None: found in the first block, at ``<sheetData>``.
    """

    def __init__(self, p: str | None = None) -> None:
        self.p = p
        self.row = 0  # 1-based number of the last row seen
        self._tag: re.Pattern[bytes] | None = None

    def block(self, data: bytes) -> bytes:
        """``data`` with every row and cell addressed (the same object when all already are)."""
        if self.p is None:
            m = SHEET_DATA.search(data)
            self.p = m.group(1).decode() + ":" if m and m.group(1) else ""
        q = self.p.encode()
        row = b"<" + q + b"row"
        if _unaddressed(q).search(data) is None:
            last = data.rfind(row + b' r="')
            if last >= 0:
                end = data.index(b'"', last + len(row) + 4)
                self.row = int(data[last + len(row) + 4:end])
            return data
        if self._tag is None:
            self._tag = re.compile(rb"<" + re.escape(q) + rb"(row|c)(?=[\s/>])([^>]*)>")
        col = 0

        def one(m: re.Match[bytes]) -> bytes:
            nonlocal col
            name, attrs = m.group(1), m.group(2)
            if name == b"row":
                col = 0
                found = _ROW_R.search(attrs)
                self.row = int(found.group(1)) if found else self.row + 1
                ref = None if found else str(self.row)
            else:
                found = _CELL_R.search(attrs)
                col = col_index(found.group(1).decode()) + 1 if found else col + 1
                ref = None if found else f"{col_name(col - 1)}{self.row}"
            if ref is None:
                return m.group(0)
            return b"<" + q + name + b' r="' + ref.encode() + b'"' + attrs + b">"

        return self._tag.sub(one, data)


@cache
def _unaddressed(q: bytes) -> re.Pattern[bytes]:
    """A ``<row`` or ``<c`` start tag (followed by a space, a tab, a line break, ``>`` or ``/>``) whose first
    attribute is not ``r="``, for the namespace prefix ``q``."""
    return re.compile(rb"<" + re.escape(q) + rb"""(?:row|c)(?=[ \t\n\r>]|/>)(?! r=")""")


def addressed(data: bytes, p: str | None = None) -> bytes:
    """A worksheet held whole with every row and cell addressed (the same object when all already are)."""
    return Addresser(p).block(data)
