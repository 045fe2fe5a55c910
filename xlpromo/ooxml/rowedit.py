"""The rows of a worksheet rewritten where cells change: only those rows are parsed, each once, in one pass.

The engine under :class:`xlpromo.ooxml.editor.BookPatch`'s cell edits. A row that changes is written back with
its ``spans`` dropped and its cells in column order (a cell created goes to its place); every other byte of the
sheet is kept. Its cost is linear in the sheet and in the cells written: the patterns scan a cell's text in runs
(possessive, never backtracking through a long formula), and a row whose cells all begin with their ``r`` (what
Excel, LibreOffice, xlsxwriter and openpyxl write, and what :mod:`xlpromo.ooxml.addresses` gives the others) is
cut into cells by one ``findall``, with no Python call per cell it keeps.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping
from functools import cache

from xlpromo.model.a1 import MAX_ROW, cell_name, col_index
from xlpromo.ooxml.xmltext import tag_attrs

__all__ = ["CellFn", "cell_address", "edit_rows"]

#: Writes one cell: (old cell element or None, its A1 ref, the sheet's namespace prefix) → new element.
CellFn = Callable[[str | None, str, str], str]

_R_ATTR = re.compile(r'\sr\s*=\s*"([A-Z]+)(\d+)"')
_SPANS = re.compile(r'\sspans\s*=\s*"[^"]*"')


class _Columns(dict[str, int]):
    """Column letters → 0-based column, filled as letters are met (a lookup from C for ``map``)."""

    def __missing__(self, letters: str) -> int:
        self[letters] = col_index(letters)
        return self[letters]


_COLUMNS = _Columns()


def cell_address(tag: str) -> tuple[int, int] | None:
    """0-based (row, col) of a cell start tag, None without an r attribute."""
    ra = _R_ATTR.search(tag)
    return None if ra is None else (int(ra.group(2)) - 1, _COLUMNS[ra.group(1)])


@cache
def _patterns(p: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """For the namespace prefix ``p``: a row (its r when first), a cell or what ends a row's cells (an
    ``extLst``), a cell that begins with its r (the whole element, the letters of its column) and a cell's
    start."""
    q = re.escape(p)

    def element(name: str) -> str:  # the rest of an element once its name is matched: up to the first end tag
        return rf"[^>]*?(?:/>|>(?:[^<]++|<(?!/{q}{name}>))*+</{q}{name}>)"

    row = re.compile(rf'<{q}row\b(?:\s+r\s*=\s*"(\d+)")?' + element("row"))
    cell = re.compile(rf"<{q}c\b" + element("c") + r"|<(?:[\w.-]+:)?extLst\b.*", re.S)
    addressed = re.compile(rf'(<{q}c\s+r\s*=\s*"([A-Z]+)\d+"' + element("c") + ")")
    return row, cell, addressed, re.compile(rf"<{q}c\b")


def edit_rows(xml: str, cells: Mapping[tuple[int, int], CellFn], sheet: str = "") -> str:
    """The worksheet ``xml`` with ``cells`` (by 0-based (row, col)) rewritten, created when absent; other rows are
    not parsed. ``xml`` has every row and cell addressed; ``sheet`` names it in an error."""
    m = re.search(r"<(?:([\w.-]+):)?sheetData\b[^>]*?(/?)>", xml)
    if m is None:
        raise ValueError(f"no <sheetData> in {sheet!r}")
    p = m.group(1) + ":" if m.group(1) else ""
    if m.group(2):
        xml = xml[:m.start()] + f"<{p}sheetData></{p}sheetData>" + xml[m.end():]
        start = m.start() + len(f"<{p}sheetData>")
    else:
        start = m.end()
    stop = xml.index(f"</{p}sheetData>", start)
    by_row: dict[int, dict[int, CellFn]] = {}
    for (r, c), fn in cells.items():
        by_row.setdefault(r, {})[c] = fn
    out: list[str] = []
    pos, last = start, -1
    row_pat = _patterns(p)[0]

    pending, at = sorted(by_row), 0  # the rows asked for, in order: each looked at once (linear, not N²)

    def new_rows(upto: int) -> list[str]:  # rows to create before row ``upto``
        nonlocal at
        made = []
        while at < len(pending) and pending[at] < upto:
            k = pending[at]
            at += 1
            if k in by_row and k > last:  # not an existing row rewritten meanwhile
                made.append(_row(p, f'<{p}row r="{k + 1}">', "", by_row.pop(k), k))
        return made

    for rm in row_pat.finditer(xml, start, stop):
        text = rm.group(0)
        head_end = text.find(">") + 1
        if rm.group(1) is not None:
            r = int(rm.group(1)) - 1
        else:
            a = tag_attrs(text[:head_end])
            r = int(a["r"]) - 1 if "r" in a else last + 1
        created = new_rows(r)
        if created or r in by_row:
            out.append(xml[pos:rm.start()])
            out.extend(created)
            if r in by_row:
                closed = text[head_end - 2] == "/"
                head = text[:head_end - 2] + ">" if closed else text[:head_end]
                inner = "" if closed else text[head_end: text.rfind("<")]
                out.append(_row(p, head, inner, by_row.pop(r), r))
            else:
                out.append(text)
            pos = rm.end()
        last = r
    out.append(xml[pos:stop])
    out.extend(new_rows(MAX_ROW))
    return xml[:start] + "".join(out) + xml[stop:]


def _row(p: str, head: str, inner: str, cells: dict[int, CellFn], r: int) -> str:
    """One row (0-based ``r``) with ``cells`` (by 0-based column) rewritten or created, in column order.

    The row's cells are cut by one ``findall`` when that is the whole of them (each begins with its r, nothing
    between them, no ``extLst``, in column order); any other row is read cell by cell, the same result."""
    head = _SPANS.sub("", head)
    found = _patterns(p)[2].findall(inner) if "extLst" not in inner else None
    if not found:
        return _row_read(p, head, inner, cells, r)
    texts, letters = (list(x) for x in zip(*found, strict=True))
    cols = list(map(_COLUMNS.__getitem__, letters))
    if sum(map(len, texts)) != len(inner) or cols != sorted(cols):
        return _row_read(p, head, inner, cells, r)
    hits = {c: i for c in cells if (i := bisect.bisect_left(cols, c)) < len(cols) and cols[i] == c}
    for i, c in sorted((i, c) for c, i in hits.items()):  # the cells there in sheet order, then those created
        texts[i] = cells[c](texts[i], cell_name(r, c), p)
    for c, fn in cells.items():
        if c not in hits:
            i = bisect.bisect_left(cols, c)
            cols.insert(i, c)
            texts.insert(i, fn(None, cell_name(r, c), p))
    return head + "".join(texts) + f"</{p}row>"


def _row_read(p: str, head: str, inner: str, cells: dict[int, CellFn], r: int) -> str:
    """:func:`_row` for any row, cell by cell: a cell without r is the column after the previous one, text
    between cells is dropped, what follows the cells (an ``extLst``) is kept after them."""
    found: list[tuple[int, str]] = []
    col = -1
    rest = ""
    _, cell_pat, _, is_cell = _patterns(p)
    for cm in cell_pat.finditer(inner):
        text = cm.group(0)
        if not is_cell.match(text):
            rest = text
            break
        at = cell_address(text[: text.find(">") + 1])
        col = at[1] if at else col + 1
        found.append((col, text))
    done = [(c, cells.pop(c)(text, cell_name(r, c), p) if c in cells else text) for c, text in found]
    done.extend((c, fn(None, cell_name(r, c), p)) for c, fn in cells.items())
    done.sort(key=lambda x: x[0])
    return head + "".join(t for _, t in done) + rest + f"</{p}row>"
