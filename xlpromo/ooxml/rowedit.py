"""The rows of a worksheet rewritten where cells change: only those rows are parsed, each once, in one pass.

The engine under :class:`xlpromo.ooxml.editor.BookPatch`'s cell edits. A row that changes is written back with
its ``spans`` dropped and its cells in column order (a cell created goes to its place); every other byte of the
sheet is kept. Its cost is linear in the sheet and in the cells written. The sheet stays UTF-8 bytes (markup is
ASCII, and no byte of a multi-byte character is): rows are found with ``bytes.find``, as ``<`` never stands for
itself in XML text; a row whose cells all begin with their ``r`` (what Excel, LibreOffice, xlsxwriter and openpyxl
write, and what :mod:`xlpromo.ooxml.addresses` gives the others) is cut into cells by one ``findall`` whose
pattern scans a formula in runs, never backtracking; only the cells written are decoded.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache

from xlpromo.model.a1 import MAX_ROW, cell_name, col_index
from xlpromo.ooxml.xmltext import tag_attrs

__all__ = ["CellFn", "cell_address", "edit_rows"]

#: Writes one cell: (old cell element or None, its A1 ref, the sheet's namespace prefix) → new element.
CellFn = Callable[[str | None, str, str], str]

_R_ATTR = re.compile(r'\sr\s*=\s*"([A-Z]+)(\d+)"')
_SPANS = re.compile(rb'\sspans\s*=\s*"[^"]*"')
_SHEET_DATA = re.compile(rb"<(?:([\w.-]+):)?sheetData\b[^>]*?(/?)>")
_ROW_R = re.compile(rb'\s+r\s*=\s*"(\d+)"')
_WORD = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


class _Columns(dict[str | bytes, int]):
    """Column letters (text or bytes) → 0-based column, filled as letters are met (a lookup from C for ``map``)."""

    def __missing__(self, letters: str | bytes) -> int:
        self[letters] = col_index(letters if isinstance(letters, str) else letters.decode())
        return self[letters]


_COLUMNS = _Columns()


def cell_address(tag: str) -> tuple[int, int] | None:
    """0-based (row, col) of a cell start tag, None without an r attribute."""
    ra = _R_ATTR.search(tag)
    return None if ra is None else (int(ra.group(2)) - 1, _COLUMNS[ra.group(1)])


@cache
def _patterns(p: str) -> tuple[re.Pattern[bytes], re.Pattern[bytes], re.Pattern[bytes]]:
    """For the namespace prefix ``p``: a cell that begins with its r (the whole element, the letters of its
    column), a cell or what ends a row's cells (an ``extLst``), and a cell's start."""
    q = re.escape(p.encode())
    rest = rb"[^>]*?(?:/>|>(?:[^<]++|<(?!/" + q + rb"c>))*+</" + q + rb"c>)"  # up to the first </c>
    addressed = re.compile(rb"(<" + q + rb'c\s+r\s*=\s*"([A-Z]+)\d+"' + rest + rb")")
    cell = re.compile(rb"<" + q + rb"c\b" + rest + rb"|<(?:[\w.-]+:)?extLst\b.*", re.S)
    return addressed, cell, re.compile(rb"<" + q + rb"c\b")


def edit_rows(xml: bytes, cells: Mapping[tuple[int, int], CellFn], sheet: str = "") -> bytes:
    """The worksheet ``xml`` (UTF-8) with ``cells`` (by 0-based (row, col)) rewritten, created when absent; other
    rows are not parsed. ``xml`` has every row and cell addressed; ``sheet`` names it in an error."""
    m = _SHEET_DATA.search(xml)
    if m is None:
        raise ValueError(f"no <sheetData> in {sheet!r}")
    p = m.group(1).decode() + ":" if m.group(1) else ""
    q = p.encode()
    if m.group(2):
        xml = xml[:m.start()] + b"<" + q + b"sheetData></" + q + b"sheetData>" + xml[m.end():]
        start = m.start() + len(q) + 11
    else:
        start = m.end()
    stop = xml.index(b"</" + q + b"sheetData>", start)
    by_row: dict[int, dict[int, CellFn]] = {}
    for (r, c), fn in cells.items():
        by_row.setdefault(r, {})[c] = fn
    out: list[bytes] = []
    pos, last = start, -1

    pending, at = sorted(by_row), 0  # the rows asked for, in order: each looked at once (linear, not N²)

    def new_rows(upto: int) -> list[bytes]:  # rows to create before row ``upto``
        nonlocal at
        made = []
        while at < len(pending) and pending[at] < upto:
            k = pending[at]
            at += 1
            if k in by_row and k > last:  # not an existing row rewritten meanwhile
                made.append(_row(p, b"<" + q + b'row r="%d">' % (k + 1), b"", by_row.pop(k), k))
        return made

    for begin, head_end, end in _rows(xml, q, start, stop):
        rm = _ROW_R.match(xml, begin + len(q) + 4, head_end)
        if rm is not None:
            r = int(rm.group(1)) - 1
        else:
            a = tag_attrs(xml[begin:head_end].decode("utf-8"))
            r = int(a["r"]) - 1 if "r" in a else last + 1
        created = new_rows(r)
        if created or r in by_row:
            out.append(xml[pos:begin])
            out.extend(created)
            if r in by_row:
                closed = xml[head_end - 2] == 47  # "/"
                head = xml[begin:head_end - 2] + b">" if closed else xml[begin:head_end]
                inner = b"" if closed else xml[head_end:xml.rfind(b"<", head_end, end)]
                out.append(_row(p, head, inner, by_row.pop(r), r))
            else:
                out.append(xml[begin:end])
            pos = end
        last = r
    out.append(xml[pos:stop])
    out.extend(new_rows(MAX_ROW))
    return xml[:start] + b"".join(out) + xml[stop:]


def _rows(xml: bytes, q: bytes, start: int, stop: int) -> Iterator[tuple[int, int, int]]:
    """(start, end of the start tag, end) of each ``<row>`` element between ``start`` and ``stop``, in order:
    an element ends with its start tag (``<row …/>``) or at the first ``</row>`` after it."""
    tag, close = b"<" + q + b"row", b"</" + q + b"row>"
    i = xml.find(tag, start, stop)
    while i >= 0:
        j = i + len(tag)
        gt = xml.find(b">", j, stop)
        if gt < 0:
            return
        if xml[j] in _WORD:  # <rowBreaks…: not a row
            i = xml.find(tag, i + 1, stop)
            continue
        if xml[gt - 1] == 47:  # "/>"
            end = gt + 1
        else:
            end = xml.find(close, gt + 1, stop)
            if end < 0:  # a row never closed is no row
                i = xml.find(tag, i + 1, stop)
                continue
            end += len(close)
        yield i, gt + 1, end
        i = xml.find(tag, end, stop)


def _row(p: str, head: bytes, inner: bytes, cells: dict[int, CellFn], r: int) -> bytes:
    """One row (0-based ``r``) with ``cells`` (by 0-based column) rewritten or created, in column order.

    The row's cells are cut by one ``findall`` when that is the whole of them (each begins with its r, nothing
    between them, no ``extLst``, in column order); any other row is read cell by cell, the same result."""
    head = _SPANS.sub(b"", head)
    found = _patterns(p)[0].findall(inner) if b"extLst" not in inner else None
    if not found:
        return _row_read(p, head, inner, cells, r)
    texts, letters = (list(x) for x in zip(*found, strict=True))
    cols = list(map(_COLUMNS.__getitem__, letters))
    if sum(map(len, texts)) != len(inner) or cols != sorted(cols):
        return _row_read(p, head, inner, cells, r)
    hits = {c: i for c in cells if (i := bisect.bisect_left(cols, c)) < len(cols) and cols[i] == c}
    for i, c in sorted((i, c) for c, i in hits.items()):  # the cells there in sheet order, then those created
        texts[i] = cells[c](texts[i].decode("utf-8"), cell_name(r, c), p).encode("utf-8")
    for c, fn in cells.items():
        if c not in hits:
            i = bisect.bisect_left(cols, c)
            cols.insert(i, c)
            texts.insert(i, fn(None, cell_name(r, c), p).encode("utf-8"))
    return head + b"".join(texts) + b"</" + p.encode() + b"row>"


def _row_read(p: str, head: bytes, inner: bytes, cells: dict[int, CellFn], r: int) -> bytes:
    """:func:`_row` for any row, cell by cell: a cell without r is the column after the previous one, text
    between cells is dropped, what follows the cells (an ``extLst``) is kept after them."""
    found: list[tuple[int, str]] = []
    col = -1
    rest = b""
    _, cell_pat, is_cell = _patterns(p)
    for cm in cell_pat.finditer(inner):
        raw = cm.group(0)
        if not is_cell.match(raw):
            rest = raw
            break
        text = raw.decode("utf-8")
        at = cell_address(text[: text.find(">") + 1])
        col = at[1] if at else col + 1
        found.append((col, text))
    done = [(c, cells.pop(c)(text, cell_name(r, c), p) if c in cells else text) for c, text in found]
    done.extend((c, fn(None, cell_name(r, c), p)) for c, fn in cells.items())
    done.sort(key=lambda x: x[0])
    return head + "".join(t for _, t in done).encode("utf-8") + rest + b"</" + p.encode() + b"row>"
