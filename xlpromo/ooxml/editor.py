"""Edit cell values, cell locks, sheet protection and table ranges of an .xlsx package, keeping all the rest.

Used by ``split`` and ``merge``. :class:`BookPatch` extends :class:`xlpromo.ooxml.package.XlsxPackage`:
the parts it does not touch (tables, validations, conditional formats, names, VBA, sheets the user
added) are written back with their bytes, and untouched formula cells keep their cached values.
A worksheet is edited row by row: only the rows that change are parsed (:mod:`xlpromo.ooxml.rowedit`).

Cells written here are numbers, booleans, inline strings, error values or formulas (with a cached
value); a written cell keeps its style unless a new one is given. The public methods take 1-based
Excel rows and columns, as the sheet shows them; inside, addresses are 0-based (:mod:`xlpromo.model.a1`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence

from xlpromo.errors import MissingTable
from xlpromo.model.a1 import parse_cell, range_name
from xlpromo.ooxml.cells import KEEP, Formatted, Formula, Keep, Value, cell_xml
from xlpromo.ooxml.package import XlsxPackage
from xlpromo.ooxml.rels import rels_part, resolve
from xlpromo.ooxml.rowedit import CellFn, cell_address, edit_rows
from xlpromo.ooxml.sheets import SheetValue, hidden_sheet_xml
from xlpromo.ooxml.styles import Styles
from xlpromo.ooxml.tablecols import add_table_columns, hide_columns
from xlpromo.ooxml.workbook import set_sheet_state
from xlpromo.ooxml.xmltext import TAG, ns_prefix, set_attr, tag_attrs

__all__ = ["PROTECTION", "BookPatch"]

#: The sheet protection of the template (no password): filtering, sorting, column widths allowed.
PROTECTION = ('sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0" sort="0" autoFilter="0"')

_S_ATTR = re.compile(r'\ss\s*=\s*"(\d+)"')


def _style_of(cell: str | None) -> int:
    """The s attribute of a cell element (0 when absent)."""
    if cell is None:
        return 0
    head = cell[: cell.find(">") + 1]
    m = _S_ATTR.search(head)
    return int(m.group(1)) if m else 0


def _with_style(cell: str, style: int) -> str:
    """A cell element with its s attribute set."""
    end = cell.find(">")
    head = cell[: end + 1]
    if _S_ATTR.search(head):
        head = _S_ATTR.sub(f' s="{style}"' if style else "", head, count=1)
    elif style:
        cut = len(head) - (2 if head.endswith("/>") else 1)
        head = f'{head[:cut]} s="{style}"{head[cut:]}'
    return head + cell[end + 1:]


def _zero_based(keys: Mapping[tuple[int, int], object]) -> dict[tuple[int, int], tuple[int, int]]:
    """1-based (row, col) keys of the public methods → their 0-based address."""
    return {(r, c): (r - 1, c - 1) for r, c in keys}


class BookPatch(XlsxPackage):
    """An .xlsx package with cell, lock, protection, table-range and state-sheet edits."""

    _styles: Styles | None = None

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, stream_over: int | None = None) -> BookPatch:
        """Read the package at ``path`` (see :meth:`XlsxPackage.open`; big members stay streamed)."""
        book = super().open(path, stream_over=stream_over)
        assert isinstance(book, BookPatch)
        return book

    # ------------------------------------------------------------ styles
    def styles(self) -> Styles:
        """The package's cell styles (edits are written by :meth:`save`)."""
        if self._styles is None:
            self._styles = Styles(self._text(self._styles_part()))
        return self._styles

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the package (with any new styles) atomically to ``path``."""
        if self._styles is not None:  # over the part as it is now: set_highlights may have added its dxf
            new = self._styles.text(self._text(self._styles_part()))
            if new is not None:
                self._put(self._styles_part(), new)
                self._styles = Styles(new)
        super().save(path)

    def put_sheet(self, name: str, rows: Sequence[Sequence[SheetValue]], *, widths: Sequence[float] = (),
                  links: Mapping[str, str] = {}, header_style: int | None = None,
                  body_style: int | None = None, title: str = "", title_style: int = 0,
                  autofilter: bool = False, even: bool = False, num_styles: Mapping[str, int] = {}) -> None:
        """:meth:`XlsxPackage.put_sheet` with its header row in bold on grey, long texts wrapped and a title in
        bold, unless other styles are given; a :class:`Formatted` number in the body style with its format."""
        head = self.styles().header() if header_style is None else header_style
        body = self.styles().wrapped() if body_style is None else body_style
        top = title_style or (self.styles().title() if title else 0)
        codes = {v.num_format for r in rows for v in r if isinstance(v, Formatted)}
        number = self.styles().spaced_number() if body_style is None else body
        styles = {**{c: self.styles().numbered(number, c) for c in codes}, **num_styles}
        super().put_sheet(name, rows, widths=widths, links=links, header_style=head, body_style=body, title=title,
                          title_style=top, autofilter=autofilter, even=even, num_styles=styles)

    # ------------------------------------------------------------ cells
    def set_cells(self, sheet: str, cells: Mapping[tuple[int, int], Value], *,
                  styles: Mapping[tuple[int, int], int] = {}) -> None:
        """Write values into cells; ``styles`` sets the style of some of them. Keys are (row, col): 1-based Excel
        row and column, as the sheet shows them."""
        def writer(key: tuple[int, int]) -> CellFn:
            value, style = cells.get(key, KEEP), styles.get(key)

            def fn(old: str | None, ref: str, p: str) -> str:
                s = style if style is not None else _style_of(old)
                if isinstance(value, Formatted):
                    s = self.styles().numbered(s, value.num_format)
                if isinstance(value, Keep) and old is not None:
                    return _with_style(old, s)
                return cell_xml(ref, value, style=s, p=p)
            return fn

        keys = _zero_based({**cells, **styles})
        self._edit(sheet, {at: writer(key) for key, at in keys.items()})

    def refill_formulas(self, sheet: str, cells: Mapping[tuple[int, int], Formula]) -> list[str]:
        """Write formulas where the cell holds a formula or no value; a value typed over one stays. The A1
        addresses of the cells left as typed, in sheet order."""
        kept: list[str] = []

        def writer(value: Formula) -> CellFn:
            def fn(old: str | None, ref: str, p: str) -> str:
                if old is not None and not re.search(rf"<{p}f\b", old) and re.search(rf"<{p}(?:v|is)\b", old):
                    kept.append(ref)
                    return old
                return cell_xml(ref, value, style=_style_of(old), p=p)
            return fn

        self._edit(sheet, {at: writer(cells[key]) for key, at in _zero_based(cells).items()})
        return kept

    def lock_cells(self, sheet: str, unlocked: Mapping[tuple[int, int], int], *, fill: bool = False) -> None:
        """Lock every cell of ``sheet`` but those of ``unlocked`` ((row, col) → style of a cell to create; 1-based
        Excel row and column, as the sheet shows them); ``fill`` paints the unlocked cells in the input yellow."""
        st = self.styles()
        open_at = {at: unlocked[key] for key, at in _zero_based(unlocked).items()}

        def open_style(s: int) -> int:
            return st.filled(st.variant(s, False)) if fill else st.variant(s, False)

        def create(style: int) -> CellFn:
            return lambda old, ref, p: old if old is not None else cell_xml(ref, None, style=open_style(style), p=p)

        self._edit(sheet, {at: create(s) for at, s in open_at.items()})  # only the rows with cells to create
        part = self._worksheet_part(sheet)
        xml = self._addressed(part).decode("utf-8")
        q = ns_prefix(xml, "sheetData")
        p = re.escape(q)
        start = re.search(rf"<{p}sheetData\b", xml)
        stop = xml.rfind(f"</{q}sheetData>")
        if start is None or stop < 0:
            return
        memo: dict[tuple[int, bool], int] = {}

        def one(m: re.Match[str]) -> str:
            tag = m.group(0)
            at = cell_address(tag)
            if at is None:
                return tag
            sm = _S_ATTR.search(tag)
            s = int(sm.group(1)) if sm else 0
            want = at not in open_at
            new = memo.get((s, want))
            if new is None:
                new = memo[(s, want)] = st.variant(s, want) if want else open_style(s)
            return tag if new == s else _with_style(tag, new)

        body = re.sub(rf"<{p}c\s[^>]*>", one, xml[start.start():stop])
        self._put(part, xml[:start.start()] + body + xml[stop:])

    def protect(self, sheet: str, attrs: str = PROTECTION) -> None:
        """Protect ``sheet`` (no password), replacing any protection it had."""
        part = self._worksheet_part(sheet)
        xml = self._bytes(part).decode("utf-8")
        xml = re.sub(r"<(?:[\w.-]+:)?sheetProtection\b[^>]*/>", "", xml)
        p = ns_prefix(xml, "sheetData")
        m = re.search(rf"</{re.escape(p)}sheetData>|<{re.escape(p)}sheetData\b[^>]*/>", xml)
        if m is None:
            raise ValueError(f"no <sheetData> in {sheet!r}")
        at = m.end()
        calc = re.compile(r"\s*<(?:[\w.-]+:)?sheetCalcPr\b[^>]*/>").match(xml, at)
        if calc:
            at = calc.end()
        self._put(part, xml[:at] + f"<{p}sheetProtection {attrs}/>" + xml[at:])

    def merge_cells(self, sheet: str, ref: str) -> bool:
        """Merge the range ``ref`` (``A2:P2``) of ``sheet``; False (nothing done) when it overlaps a merged range."""
        part = self._worksheet_part(sheet)
        xml = self._text(part)
        p = ns_prefix(xml, "sheetData")
        (r0, c0), (r1, c1) = (parse_cell(x) for x in ref.split(":"))
        for other in re.findall(r"<(?:[\w.-]+:)?mergeCell\b[^>]*?\sref\s*=\s*\"([A-Z]+\d+):([A-Z]+\d+)\"", xml):
            (b0, a0), (b1, a1) = (parse_cell(x) for x in other)
            if a0 <= c1 and c0 <= a1 and b0 <= r1 and r0 <= b1:
                return False
        m = re.search(r"<(?:[\w.-]+:)?mergeCells\b[^>]*>(.*?)</(?:[\w.-]+:)?mergeCells>", xml, re.S)
        if m:
            n = len(re.findall(r"<(?:[\w.-]+:)?mergeCell\b", m.group(1))) + 1
            head = set_attr(re.match(r"<[^>]*>", m.group(0)).group(0), "count", str(n))  # type: ignore[union-attr]
            inner = m.group(1) + f'<{p}mergeCell ref="{ref}"/>'
            xml = xml[:m.start()] + head + inner + f"</{p}mergeCells>" + xml[m.end():]
        else:
            after = re.search(r"<(?:[\w.-]+:)?(?:phoneticPr|conditionalFormatting|dataValidations|hyperlinks|"
                              r"printOptions|pageMargins|pageSetup|headerFooter|rowBreaks|colBreaks|drawing|"
                              r"legacyDrawing|tableParts|extLst)\b", xml)
            at = after.start() if after else xml.rfind("</")
            xml = xml[:at] + f'<{p}mergeCells count="1"><{p}mergeCell ref="{ref}"/></{p}mergeCells>' + xml[at:]
        self._put(part, xml)
        return True

    def set_row_height(self, sheet: str, row: int, points: float) -> None:
        """Give an existing row of ``sheet`` (1-based Excel row, as the sheet shows it) a custom height in points."""
        part = self._worksheet_part(sheet)
        xml = self._addressed(part).decode("utf-8")
        m = re.search(rf'<(?:[\w.-]+:)?row\b[^>]*?\sr\s*=\s*"{row}"[^>]*?/?>', xml)
        if m is None:
            raise KeyError(f"no row {row} on {sheet!r}")
        tag = set_attr(set_attr(m.group(0), "ht", f"{points:g}"), "customHeight", "1")
        self._put(part, xml[:m.start()] + tag + xml[m.end():])

    def column_widths(self, sheet: str) -> dict[int, float]:
        """Width of each column with a ``<col>`` entry (1-based Excel column → characters; 0 when hidden)."""
        out: dict[int, float] = {}
        for m in re.finditer(r"<(?:[\w.-]+:)?col\b[^>]*>", self._text(self._worksheet_part(sheet))):
            a = tag_attrs(m.group(0))
            width = 0.0 if a.get("hidden") in ("1", "true") else float(a.get("width", 8.43))
            for c in range(int(a.get("min", 1)), int(a.get("max", a.get("min", 1))) + 1):
                out[c] = width
        return out

    def number_formats(self, sheet: str, columns: Iterable[int]) -> dict[tuple[int, int], str]:
        """Number format of each cell of ``columns`` (1-based) on ``sheet`` that has one: (row, col) → code, in one
        pass over the sheet; empty when there is no such sheet. A sheet rewritten whole keeps its numbers' looks."""
        if sheet not in self.sheet_names():
            return {}
        wanted, styles = set(columns), self.styles()
        xml = self._addressed(self._worksheet_part(sheet), keep=False).decode("utf-8")
        out: dict[tuple[int, int], str] = {}
        codes: dict[int, str | None] = {}  # a style's format looked up once, not once per cell
        for cm in re.finditer(r"<(?:[\w.-]+:)?c\b[^>]*>", xml):
            at = cell_address(cm.group(0))
            if at is None or at[1] + 1 not in wanted:
                continue
            s = _style_of(cm.group(0))
            if s not in codes:
                codes[s] = styles.code(s)
            if code := codes[s]:
                out[(at[0] + 1, at[1] + 1)] = code
        return out

    def row_styles(self, sheet: str, row: int) -> dict[int, int]:
        """Style of each existing cell of a row (1-based Excel row and column → s), for cells created below it."""
        xml = self._addressed(self._worksheet_part(sheet), keep=False).decode("utf-8")
        m = re.search(rf'<(?:[\w.-]+:)?row\b[^>]*?\sr\s*=\s*"{row}"[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?row>)', xml, re.S)
        out: dict[int, int] = {}
        for cm in re.finditer(r"<(?:[\w.-]+:)?c\b[^>]*>", m.group(0) if m else ""):
            at = cell_address(cm.group(0))
            if at is not None:
                out[at[1] + 1] = _style_of(cm.group(0))
        return out

    # ------------------------------------------------------------ tables
    def table_ref(self, sheet: str, name: str) -> tuple[int, int, int, int]:
        """(first row, first col, last row, last col) of the Excel table ``name`` on ``sheet``: 1-based Excel rows
        and columns, as the sheet shows them."""
        m = re.search(r"<(?:[\w.-]+:)?table\b[^>]*>", self._text(self._table_part(sheet, name)))
        assert m is not None
        (r0, c0), (r1, c1) = (parse_cell(x) for x in tag_attrs(m.group(0))["ref"].split(":"))
        return r0 + 1, c0 + 1, r1 + 1, c1 + 1

    def set_table_end(self, sheet: str, name: str, last_row: int) -> None:
        """Move the last row of a table (and of its autofilter) to ``last_row`` (1-based, as the sheet shows it)."""
        part = self._table_part(sheet, name)
        xml = self._text(part)
        r0, c0, _, c1 = self.table_ref(sheet, name)
        ref = range_name((r0 - 1, c0 - 1), (last_row - 1, c1 - 1))
        start = self._table_tag(sheet, name)
        head = TAG.match(xml, start)
        assert head is not None
        xml = xml[:start] + set_attr(head.group(0), "ref", ref) + xml[head.end():]
        xml = re.sub(r"(<(?:[\w.-]+:)?autoFilter\b[^>]*?\sref\s*=\s*\")[^\"]*(\")", rf"\g<1>{ref}\2", xml, count=1)
        self._put(part, xml)

    def add_table_columns(self, sheet: str, name: str, columns: Sequence[tuple[str, str]]) -> None:
        """Widen table ``name`` by ``columns`` ((header, calculated-column formula)) on its right; the header cells
        themselves are the caller's to write."""
        part = self._table_part(sheet, name)
        self._put(part, add_table_columns(self._text(part), columns))

    def hide_columns(self, sheet: str, first: int, last: int, width: float) -> None:
        """Hide columns ``first``..``last`` (1-based) of ``sheet``, ``width`` characters wide when shown."""
        part = self._worksheet_part(sheet)
        self._put(part, hide_columns(self._text(part), first, last, width))

    def _table_tag(self, sheet: str, name: str) -> int:
        """Where the <table> element of table ``name`` starts in its part."""
        m = re.search(r"<(?:[\w.-]+:)?table\b", self._text(self._table_part(sheet, name)))
        assert m is not None
        return m.start()

    def _table_part(self, sheet: str, name: str) -> str:
        """The table part of table ``name`` (its name or display name) on ``sheet``; MissingTable if none (a user's
        doing: the table was converted to a range, renamed or deleted)."""
        part = self._worksheet_part(sheet)
        for rel in self._relationships(rels_part(part)):
            if not rel.get("Type", "").endswith("/table"):
                continue
            tpart = self._name(resolve(part, rel.get("Target", "")))
            if tpart is None:
                continue
            m = re.search(r"<(?:[\w.-]+:)?table\b[^>]*>", self._text(tpart))
            a = tag_attrs(m.group(0)) if m else {}
            if name in (a.get("name"), a.get("displayName")):
                return tpart
        raise MissingTable(self._source, sheet, name)

    # ------------------------------------------------------------ the state sheet
    def put_hidden_sheet(self, name: str, rows: Iterable[Iterable[str | int | float]]) -> None:
        """Write (or replace) a very hidden, protected sheet holding ``rows`` as inline text and numbers."""
        xml = hidden_sheet_xml(rows)
        entry = self._sheet(name)
        if entry is None:
            self._add_sheet(name, xml)
        elif entry.part is not None:
            self._put(entry.part, xml)
        self._put(self._workbook, set_sheet_state(self._text(self._workbook), name, "veryHidden"))

    # ------------------------------------------------------------ rows
    def _edit(self, sheet: str, cells: Mapping[tuple[int, int], CellFn]) -> None:
        """Rewrite cells of a worksheet, by 0-based (row, col), created when absent; other rows are not parsed (their
        r attributes given, if some had none). See :mod:`xlpromo.ooxml.rowedit`."""
        part = self._worksheet_part(sheet)
        self._put(part, edit_rows(self._addressed(part), cells, sheet))
