"""Worksheets xlpromo writes whole: the generated sheets (问题清单, 预警…) and the hidden state sheet.

A generated sheet carries the tab colour :data:`GENERATED_TAB_COLOR`; a later run finds it by
that mark and replaces it, and never replaces a sheet without it (the user's own).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from xlpromo.model.a1 import MAX_COL, MAX_ROW, col_name, parse_cell
from xlpromo.ooxml.cells import CachedValue, Formatted, cell_xml, number
from xlpromo.ooxml.worksheet import sheet_start
from xlpromo.ooxml.xmltext import MAIN_NS, REL_NS, esc_attr

__all__ = ["GENERATED_TAB_COLOR", "SheetValue", "hidden_sheet_xml", "is_generated", "sheet_xml", "text_lines"]

#: Tab colour (ARGB) that marks a sheet written by :meth:`XlsxPackage.put_sheet`.
GENERATED_TAB_COLOR = "FFC00001"
#: A cell of a generated sheet: a plain value, or a number with the format its source cell shows it in.
SheetValue = CachedValue | Formatted
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def sheet_xml(rows: Sequence[Sequence[SheetValue]], widths: Sequence[float], links: Mapping[str, str],
              header_style: int = 0, body_style: int = 0, *, title: str = "", title_style: int = 0,
              autofilter: bool = False, even: bool = False, num_styles: Mapping[str, int] = {}) -> str:
    """The worksheet part of a generated sheet: frozen header, column widths, internal hyperlinks,
    printed landscape on A4, one page wide. ``title``: a line above the header (which is then row 2; the
    caller's links count it); ``autofilter``: filter buttons on the header; ``even``: every body row as high as
    the highest (a list read and filtered as a grid, 预警), not each as high as its own text; ``num_styles``: the
    style of a :class:`Formatted` cell, by its number format."""
    if title:
        rows = [[title], *rows]
    head = 2 if title else 1
    ncols = max((len(r) for r in rows), default=0)
    if len(rows) > MAX_ROW or ncols > MAX_COL or len(widths) > MAX_COL:
        raise ValueError("too many rows or columns for one sheet")
    names = [col_name(c) for c in range(max(ncols, 1))]
    dim = f"A1:{names[-1]}{len(rows)}" if rows and ncols else "A1"
    cols = "".join(_col_xml(j, w) for j, w in enumerate(widths, start=1))
    hyperlinks = "".join(_hyperlink_xml(ref, links[ref], rows) for ref in sorted(links, key=parse_cell))
    return (f'{_XML_DECL}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f'<sheetPr><tabColor rgb="{GENERATED_TAB_COLOR}"/><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="{dim}"/>'
            f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{head}" topLeftCell="A{head + 1}" '
            f'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A{head + 1}" '
            f'sqref="A{head + 1}"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + "<sheetData>"
            + _rows_xml(rows, names, widths, (header_style, body_style, title_style), head, num_styles, even)
            + "</sheetData>"
            + (f'<autoFilter ref="A{head}:{names[-1]}{max(len(rows), head)}"/>' if autofilter and ncols else "")
            + (f"<hyperlinks>{hyperlinks}</hyperlinks>" if hyperlinks else "")
            + '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>')


def _rows_xml(rows: Sequence[Sequence[SheetValue]], names: list[str], widths: Sequence[float],
              styles: tuple[int, int, int], head: int, num_styles: Mapping[str, int],
              even: bool = False) -> str:
    """The <row> elements of a generated sheet: a title above the header in the title style (``styles``: header,
    body, title), the header (row ``head``) in the header style, the others in the body style (a number with a
    format in its own) and as high as their longest wrapped text (with ``even``: as the longest of all)."""
    header_style, body_style, title_style = styles
    data = []
    tallest = max((_lines(r, widths) for r in rows[head:]), default=1) if even and body_style else 0
    for i, row in enumerate(rows, start=1):
        style = (title_style if i < head else header_style if i == head else body_style) or None
        # a generated sheet shows an error value as its text: str() of a CellError is a plain str
        cells = "".join(cell_xml(f"{names[j]}{i}", str(v) if isinstance(v, str) else v,
                                 style=num_styles.get(v.num_format, style) if isinstance(v, Formatted) else style)
                        for j, v in enumerate(row) if not (v is None or (isinstance(v, str) and v == "")))
        lines = (tallest or _lines(row, widths)) if i > head and body_style else 1
        height = f' ht="{15 * lines}" customHeight="1"' if lines > 1 else ""  # wrapped: readers do not autofit
        if cells:
            data.append(f'<row r="{i}"{height}>{cells}</row>')
    return "".join(data)


def _col_xml(col: int, width: float) -> str:
    """The <col> of a 1-based column ``width`` characters wide."""
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not 0 <= width <= 255:
        raise ValueError(f"not a column width: {width!r}")
    return f'<col min="{col}" max="{col}" width="{number(float(width))}" customWidth="1"/>'


def _hyperlink_xml(ref: str, location: str, rows: Sequence[Sequence[SheetValue]]) -> str:
    """An internal hyperlink at ``ref`` to ``location``, shown as the cell's text (else the location)."""
    r, c = parse_cell(ref)
    value = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
    display = location if value is None or value == "" else str(value)
    return f'<hyperlink ref="{ref}" location="{esc_attr(location)}" display="{esc_attr(display[:255])}"/>'


def _lines(row: Sequence[SheetValue], widths: Sequence[float]) -> int:
    """Lines the longest text of a row takes when wrapped in its column."""
    return max((text_lines(v, w) for v, w in zip(row, widths, strict=False) if isinstance(v, str)), default=1)


def text_lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide (a CJK character is two), at most 20:
    the height a wrapped row needs, since no reader autofits it."""
    if len(text) * 2 <= width - 1:  # fits on one line whatever its characters
        return 1
    size = (len(text.encode("utf-8")) + len(text)) / 2  # CJK (3 bytes in UTF-8) 2 units, ASCII 1
    return max(1, min(-int(-size // max(width - 1, 1)), 20))


def is_generated(first: bytes) -> bool:
    """Whether a worksheet part (its first chunk) carries the mark of a generated sheet: only those are replaced."""
    head = first[: sheet_start(first)[0]].decode("utf-8", "replace")
    return re.search(rf"""<(?:[\w.-]+:)?tabColor\b[^>]*\srgb\s*=\s*["']{GENERATED_TAB_COLOR}["']""", head,
                     re.I) is not None


def hidden_sheet_xml(rows: Iterable[Iterable[str | int | float]]) -> str:
    """The worksheet of a protected state sheet holding ``rows`` as inline text and numbers (blanks left out)."""
    body = []
    for i, row in enumerate(rows, start=1):
        cells = "".join(cell_xml(f"{col_name(j)}{i}", v) for j, v in enumerate(row) if v != "" and v is not None)
        body.append(f'<row r="{i}">{cells}</row>')
    return (f'{_XML_DECL}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            '<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f'<cols><col min="1" max="3" width="24" customWidth="1"/></cols><sheetData>{"".join(body)}</sheetData>'
            f'<sheetProtection sheet="1" objects="1" scenarios="1"/>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
