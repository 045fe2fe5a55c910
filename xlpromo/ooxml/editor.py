"""Edit cell values, cell locks, sheet protection and table ranges of an .xlsx package, keeping all the rest.

Used by ``split`` and ``merge``. :class:`BookPatch` extends :class:`xlpromo.ooxml.xlsxpatch.XlsxPackage`:
the parts it does not touch (tables, validations, conditional formats, names, VBA, sheets the user
added) are written back with their bytes, and untouched formula cells keep their cached values.
A worksheet is edited row by row: only the rows that change are parsed.

Cells written here are numbers, booleans, inline strings, error values or formulas (with a cached
value); a written cell keeps its style unless a new one is given.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from xlpromo.model.values import CellError
from xlpromo.ooxml.xlsxpatch import (
    _TAG,
    CachedValue,
    XlsxPackage,
    _attrs,
    _children,
    _col_name,
    _col_number,
    _esc_attr,
    _esc_cell,
    _number,
    _prefix,
    _root_span,
    _set_attr,
)

__all__ = ["INPUT_BORDER", "INPUT_FILL", "PROTECTION", "BookPatch", "Formula", "Keep", "Value"]

#: Fill of the cells a department copy leaves open (Excel's light "input" yellow).
INPUT_FILL = "FFFFF2CC"
#: Frame of those cells, visible where a conditional format paints the row.
INPUT_BORDER = "FFED7D31"
#: The sheet protection of the template (no password): filtering, sorting, column widths allowed.
PROTECTION = ('sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0" sort="0" autoFilter="0"')


@dataclass(frozen=True)
class Formula:
    """A formula cell: its text (no leading ``=``) and the cached value written with it."""

    text: str
    cached: str | float | None = ""


class Keep:
    """Sentinel type: leave the cell's content as it is (only its style changes)."""


KEEP = Keep()
Value = str | float | int | bool | None | Formula | Keep

_MAX_ROWS = 1_048_576
_S_ATTR = re.compile(r'\ss\s*=\s*"(\d+)"')
_R_ATTR = re.compile(r'\sr\s*=\s*"([A-Z]+)(\d+)"')


def _cell_xml(p: str, ref: str, style: int | None, value: Value) -> str:
    """A ``<c>`` element for ``value`` (None: an empty, styled cell)."""
    attrs = f' r="{ref}"' + (f' s="{style}"' if style else "")
    if value is None or isinstance(value, Keep) or (isinstance(value, str) and value == ""):
        return f"<{p}c{attrs}/>"
    if isinstance(value, Formula):
        f = f"<{p}f>{_esc_cell(value.text)}</{p}f>"
        cached = value.cached
        if cached is None or isinstance(cached, str):
            return f'<{p}c{attrs} t="str">{f}<{p}v>{_esc_cell(cached or "")}</{p}v></{p}c>'
        return f"<{p}c{attrs}>{f}<{p}v>{_number(cached)}</{p}v></{p}c>"
    if isinstance(value, CellError):
        return f'<{p}c{attrs} t="e"><{p}v>{_esc_cell(str(value))}</{p}v></{p}c>'
    if isinstance(value, bool):
        return f'<{p}c{attrs} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
    if isinstance(value, (int, float)):
        return f"<{p}c{attrs}><{p}v>{_number(value)}</{p}v></{p}c>"
    text = _esc_cell(str(value)[:32767])
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<{p}c{attrs} t="inlineStr"><{p}is><{p}t{space}>{text}</{p}t></{p}is></{p}c>'


def _style_of(cell: str | None) -> int:
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


CellFn = Callable[[str | None, str], str]  # (old cell element or None, its A1 ref) → new element


class _Styles:
    """cellXfs (with fonts and fills) of styles.xml: lock, note and input variants of a style, added once each."""

    def __init__(self, xml: str) -> None:
        self.xml = xml
        self.p = _prefix(xml, "styleSheet")
        self.xfs = self._items("cellXfs")
        self.fonts = self._items("fonts")
        self.fills = self._items("fills")
        self.borders = self._items("borders")
        self.n_xfs, self.n_fonts, self.n_fills = len(self.xfs), len(self.fonts), len(self.fills)
        self.n_borders = len(self.borders)
        self._variants: dict[tuple[int, bool], int] = {}
        self._derived_memo: dict[tuple[int, str], int] = {}

    def _items(self, block: str) -> list[str]:
        start, stop = _root_span(self.xml, "styleSheet")
        for name, s, e in _children(self.xml, start, stop):
            if name == block:
                head = _TAG.match(self.xml, s)
                assert head is not None
                if head.group(3):
                    return []
                inner_end = self.xml.rfind("<", s, e)
                return [self.xml[a:b] for _, a, b in _children(self.xml, head.end(), inner_end)]
        return []

    def locked(self, s: int) -> bool:
        """Whether cells of style ``s`` are locked (Excel's default: yes)."""
        xf = self.xfs[s] if s < len(self.xfs) else ""
        return re.search(r"<(?:[\w.-]+:)?protection\b[^>]*?\slocked\s*=\s*[\"'](0|false)[\"']", xf) is None

    def variant(self, s: int, locked: bool) -> int:
        """Style ``s``, locked or not."""
        if s >= len(self.xfs):
            s = 0
        if self.locked(s) == locked:
            return s
        key = (s, locked)
        if key not in self._variants:
            xf = re.sub(r"<(?:[\w.-]+:)?protection\b[^>]*/>", "", self.xfs[s])
            prot = "" if locked else f'<{self.p}protection locked="0"/>'
            head = _TAG.match(xf)
            assert head is not None
            tag = _set_attr(head.group(0) if not head.group(3) else head.group(0)[:-2].rstrip() + ">",
                            "applyProtection", "1")
            inner = "" if head.group(3) else xf[head.end(): xf.rfind("<")]
            ext = inner.find("extLst")
            if ext >= 0:
                at = inner.rfind("<", 0, ext)
                inner = inner[:at] + prot + inner[at:]
            else:
                inner += prot
            self.xfs.append(f"{tag}{inner}</{self.p}xf>")
            self._variants[key] = len(self.xfs) - 1
        return self._variants[key]

    def emphasised(self, s: int) -> int:
        """Style ``s`` with a bold dark-red font, wrapped at the top (the department note)."""
        p = self.p
        return self._derived(s, "note", font=f'<{p}font><{p}b/><{p}sz val="10"/><{p}color rgb="FFC00000"/>'
                                            f'<{p}name val="微软雅黑"/><{p}family val="2"/></{p}font>',
                             align=f'<{p}alignment vertical="top" wrapText="1"/>')

    def filled(self, s: int) -> int:
        """Style ``s`` as a cell to fill in: light yellow, framed in orange (the frame shows through the
        row colours of conditional formats, which replace the fill)."""
        p = self.p
        solid = f'<{p}patternFill patternType="solid"><{p}fgColor rgb="{INPUT_FILL}"/><{p}bgColor indexed="64"/>'
        side = "".join(f'<{p}{e} style="thin"><{p}color rgb="{INPUT_BORDER}"/></{p}{e}>'
                       for e in ("left", "right", "top", "bottom"))
        return self._derived(s, "input", fill=f"<{p}fill>{solid}</{p}patternFill></{p}fill>",
                             border=f"<{p}border>{side}<{p}diagonal/></{p}border>")

    def header(self) -> int:
        """Bold 微软雅黑 on a light grey fill: the header row of a generated sheet."""
        p = self.p
        font = f'<{p}font><{p}b/><{p}sz val="10"/><{p}name val="微软雅黑"/><{p}family val="2"/></{p}font>'
        solid = f'<{p}patternFill patternType="solid"><{p}fgColor rgb="FFD9D9D9"/><{p}bgColor indexed="64"/>'
        return self._derived(0, "header", font=font, fill=f"<{p}fill>{solid}</{p}patternFill></{p}fill>")

    def wrapped(self) -> int:
        """The default style, wrapped and at the top: a long text stays whole in its column."""
        return self._derived(0, "wrap", align=f'<{self.p}alignment vertical="top" wrapText="1"/>')

    def _derived(self, s: int, kind: str, *, font: str = "", fill: str = "", border: str = "", align: str = "") -> int:
        """Style ``s`` with another font, fill or alignment (each derived style is added once)."""
        s = s if s < len(self.xfs) else 0
        key = (s, kind)
        if key in self._derived_memo:
            return self._derived_memo[key]
        xf = self.xfs[s]
        head = _TAG.match(xf)
        assert head is not None
        tag = head.group(0) if not head.group(3) else head.group(0)[:-2].rstrip() + ">"
        inner = "" if head.group(3) else xf[head.end(): xf.rfind("<")]
        if font:
            tag = _set_attr(_set_attr(tag, "fontId", str(self._add(self.fonts, font))), "applyFont", "1")
        if fill:
            tag = _set_attr(_set_attr(tag, "fillId", str(self._add(self.fills, fill))), "applyFill", "1")
        if border:
            tag = _set_attr(_set_attr(tag, "borderId", str(self._add(self.borders, border))), "applyBorder", "1")
        if align:
            inner = align + re.sub(r"<(?:[\w.-]+:)?alignment\b[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?alignment>)", "", inner,
                                   flags=re.S)
            tag = _set_attr(tag, "applyAlignment", "1")
        self._derived_memo[key] = self._add(self.xfs, f"{tag}{inner}</{self.p}xf>")  # once, also across runs
        return self._derived_memo[key]

    @staticmethod
    def _add(items: list[str], item: str) -> int:
        """Index of ``item`` in a block, appended when not there yet."""
        if item not in items:
            items.append(item)
        return items.index(item)

    def text(self) -> str | None:
        """The new styles.xml, None when nothing was added."""
        xml = self.xml
        for block, items, n in (("fonts", self.fonts, self.n_fonts), ("fills", self.fills, self.n_fills),
                                ("borders", self.borders, self.n_borders), ("cellXfs", self.xfs, self.n_xfs)):
            if len(items) == n:
                continue
            start, stop = _root_span(xml, "styleSheet")
            s, e = next((s, e) for name, s, e in _children(xml, start, stop) if name == block)
            head = _TAG.match(xml, s)
            assert head is not None
            tag = _set_attr(head.group(0) if not head.group(3) else head.group(0)[:-2] + ">", "count", str(len(items)))
            xml = xml[:s] + tag + "".join(items) + f"</{self.p}{block}>" + xml[e:]
        return None if xml == self.xml else xml


class BookPatch(XlsxPackage):
    """An .xlsx package with cell, lock, protection, table-range and state-sheet edits."""

    _styles: _Styles | None = None

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, stream_over: int | None = None) -> BookPatch:
        """Read the package at ``path`` (see :meth:`XlsxPackage.open`; big members stay streamed)."""
        book = super().open(path, stream_over=stream_over)
        assert isinstance(book, BookPatch)
        return book

    # ------------------------------------------------------------ styles
    def styles(self) -> _Styles:
        """The package's cell styles (edits are written by :meth:`save`)."""
        if self._styles is None:
            self._styles = _Styles(self._text(self._styles_part()))
        return self._styles

    def _styles_part(self) -> str:
        rel = next((r for r in self._relationships(self._wb_rels) if r.get("Type", "").endswith("/styles")), None)
        name = self._name(self._resolve(self._workbook, rel["Target"])) if rel and "Target" in rel else None
        if name is None:
            raise ValueError("the workbook has no styles part")
        return name

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the package (with any new styles) atomically to ``path``."""
        if self._styles is not None:
            new = self._styles.text()
            if new is not None:
                self._put(self._styles_part(), new)
                self._styles = _Styles(new)
        super().save(path)

    def put_sheet(self, name: str, rows: Sequence[Sequence[CachedValue]], *, widths: Sequence[float] = (),
                  links: Mapping[str, str] = {}, header_style: int | None = None,
                  body_style: int | None = None) -> None:
        """:meth:`XlsxPackage.put_sheet` with its header row in bold on grey and long texts wrapped, unless
        other styles are given."""
        head = self.styles().header() if header_style is None else header_style
        body = self.styles().wrapped() if body_style is None else body_style
        super().put_sheet(name, rows, widths=widths, links=links, header_style=head, body_style=body)

    # ------------------------------------------------------------ cells
    def set_cells(self, sheet: str, cells: Mapping[tuple[int, int], Value], *,
                  styles: Mapping[tuple[int, int], int] = {}) -> None:
        """Write values into cells ((row, col), both 1-based); ``styles`` sets the style of some of them."""
        def writer(key: tuple[int, int]) -> CellFn:
            value, style = cells.get(key, KEEP), styles.get(key)

            def fn(old: str | None, ref: str) -> str:
                s = style if style is not None else _style_of(old)
                if isinstance(value, Keep):
                    return _with_style(old, s) if old is not None else _cell_xml(self._p, ref, s, None)
                return _cell_xml(self._p, ref, s, value)
            return fn

        keys = set(cells) | set(styles)
        self._edit(sheet, {k: writer(k) for k in keys})

    def lock_cells(self, sheet: str, unlocked: Mapping[tuple[int, int], int], *, fill: bool = False) -> None:
        """Lock every cell of ``sheet`` but those of ``unlocked`` ((row, col) → style of a cell to create);
        ``fill`` paints the unlocked cells in :data:`INPUT_FILL`."""
        st = self.styles()

        def open_style(s: int) -> int:
            return st.filled(st.variant(s, False)) if fill else st.variant(s, False)

        def create(key: tuple[int, int]) -> CellFn:
            return lambda old, ref: old if old is not None else _cell_xml(self._p, ref, open_style(unlocked[key]), None)

        self._edit(sheet, {k: create(k) for k in unlocked})  # only the rows with cells to create are parsed
        part = self._worksheet_part(sheet)
        xml = self._bytes(part).decode("utf-8")
        p = re.escape(self._p)
        start = re.search(rf"<{p}sheetData\b", xml)
        stop = xml.rfind(f"</{self._p}sheetData>")
        if start is None or stop < 0:
            return
        memo: dict[tuple[int, bool], int] = {}

        def one(m: re.Match[str]) -> str:
            tag = m.group(0)
            ra = _R_ATTR.search(tag)
            if ra is None:
                return tag
            key = (int(ra.group(2)), _col_number(ra.group(1)))
            sm = _S_ATTR.search(tag)
            s = int(sm.group(1)) if sm else 0
            want = key not in unlocked
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
        p = _prefix(xml, "sheetData")
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
        p = _prefix(xml, "sheetData")
        (c0, r0), (c1, r1) = (_split(x) for x in ref.split(":"))
        for other in re.findall(r"<(?:[\w.-]+:)?mergeCell\b[^>]*?\sref\s*=\s*\"([A-Z]+\d+):([A-Z]+\d+)\"", xml):
            (a0, b0), (a1, b1) = (_split(x) for x in other)
            if a0 <= c1 and c0 <= a1 and b0 <= r1 and r0 <= b1:
                return False
        m = re.search(r"<(?:[\w.-]+:)?mergeCells\b[^>]*>(.*?)</(?:[\w.-]+:)?mergeCells>", xml, re.S)
        if m:
            n = len(re.findall(r"<(?:[\w.-]+:)?mergeCell\b", m.group(1))) + 1
            head = _set_attr(re.match(r"<[^>]*>", m.group(0)).group(0), "count", str(n))  # type: ignore[union-attr]
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
        """Give an existing row of ``sheet`` a custom height in points."""
        part = self._worksheet_part(sheet)
        xml = self._text(part)
        m = re.search(rf'<(?:[\w.-]+:)?row\b[^>]*?\sr\s*=\s*"{row}"[^>]*?/?>', xml)
        if m is None:
            raise KeyError(f"no row {row} on {sheet!r}")
        tag = _set_attr(_set_attr(m.group(0), "ht", f"{points:g}"), "customHeight", "1")
        self._put(part, xml[:m.start()] + tag + xml[m.end():])

    def column_widths(self, sheet: str) -> dict[int, float]:
        """Width of each column with a ``<col>`` entry (1-based column → characters; 0 when hidden)."""
        out: dict[int, float] = {}
        for m in re.finditer(r"<(?:[\w.-]+:)?col\b[^>]*>", self._text(self._worksheet_part(sheet))):
            a = _attrs(m.group(0))
            width = 0.0 if a.get("hidden") in ("1", "true") else float(a.get("width", 8.43))
            for c in range(int(a.get("min", 1)), int(a.get("max", a.get("min", 1))) + 1):
                out[c] = width
        return out

    def row_styles(self, sheet: str, row: int) -> dict[int, int]:
        """Style of each existing cell of a row (column → s), for cells created below it."""
        xml = self._bytes(self._worksheet_part(sheet)).decode("utf-8")
        m = re.search(rf'<(?:[\w.-]+:)?row\b[^>]*?\sr\s*=\s*"{row}"[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?row>)', xml, re.S)
        out: dict[int, int] = {}
        for cm in re.finditer(r"<(?:[\w.-]+:)?c\b[^>]*>", m.group(0) if m else ""):
            ra = _R_ATTR.search(cm.group(0))
            if ra:
                out[_col_number(ra.group(1))] = _style_of(cm.group(0))
        return out

    # ------------------------------------------------------------ tables
    def table_ref(self, sheet: str, name: str) -> tuple[int, int, int, int]:
        """(first row, first col, last row, last col), 1-based, of the Excel table ``name`` on ``sheet``."""
        m = re.search(r"<(?:[\w.-]+:)?table\b[^>]*>", self._text(self._table_part(sheet, name)))
        assert m is not None
        ref = _attrs(m.group(0))["ref"]
        (c0, r0), (c1, r1) = (_split(x) for x in ref.split(":"))
        return r0, c0, r1, c1

    def set_table_end(self, sheet: str, name: str, last_row: int) -> None:
        """Move the last row of a table (and of its autofilter) to ``last_row``."""
        part = self._table_part(sheet, name)
        xml = self._text(part)
        r0, c0, _, c1 = self.table_ref(sheet, name)
        ref = f"{_col_name(c0)}{r0}:{_col_name(c1)}{last_row}"
        start = self._table_tag(sheet, name)
        head = _TAG.match(xml, start)
        assert head is not None
        xml = xml[:start] + _set_attr(head.group(0), "ref", ref) + xml[head.end():]
        xml = re.sub(r"(<(?:[\w.-]+:)?autoFilter\b[^>]*?\sref\s*=\s*\")[^\"]*(\")", rf"\g<1>{ref}\2", xml, count=1)
        self._put(part, xml)

    def _table_tag(self, sheet: str, name: str) -> int:
        m = re.search(r"<(?:[\w.-]+:)?table\b", self._text(self._table_part(sheet, name)))
        assert m is not None
        return m.start()

    def _table_part(self, sheet: str, name: str) -> str:
        part = self._worksheet_part(sheet)
        folder, base = part.rsplit("/", 1)
        for rel in self._relationships(f"{folder}/_rels/{base}.rels"):
            if not rel.get("Type", "").endswith("/table"):
                continue
            tpart = self._name(self._resolve(part, rel.get("Target", "")))
            if tpart is None:
                continue
            m = re.search(r"<(?:[\w.-]+:)?table\b[^>]*>", self._text(tpart))
            a = _attrs(m.group(0)) if m else {}
            if name in (a.get("name"), a.get("displayName")):
                return tpart
        raise KeyError(f"no table {name!r} on {sheet!r}")

    # ------------------------------------------------------------ the state sheet
    def put_hidden_sheet(self, name: str, rows: Iterable[Iterable[str | int | float]]) -> None:
        """Write (or replace) a very hidden, protected sheet holding ``rows`` as inline text and numbers."""
        body = []
        for i, row in enumerate(rows, start=1):
            cells = "".join(_cell_xml("", f"{_col_name(j)}{i}", None, v) for j, v in enumerate(row, start=1)
                            if v != "" and v is not None)
            body.append(f'<row r="{i}">{cells}</row>')
        xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
               '<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
               f'<cols><col min="1" max="3" width="24" customWidth="1"/></cols><sheetData>{"".join(body)}</sheetData>'
               f'<sheetProtection sheet="1" objects="1" scenarios="1"/>'
               '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
        entry = self._sheet(name)
        if entry is None:
            self._add_sheet(name, xml)
        elif entry.part is not None:
            self._put(entry.part, xml)
        wb = self._text(self._workbook)
        m = re.search(rf"<(?:[\w.-]+:)?sheet\b[^>]*\sname\s*=\s*\"{re.escape(_esc_attr(name))}\"[^>]*?/>", wb)
        if m is None:
            raise ValueError(f"sheet {name!r} not registered")
        self._put(self._workbook, wb[:m.start()] + _set_attr(m.group(0), "state", "veryHidden") + wb[m.end():])

    # ------------------------------------------------------------ internals
    _p = ""

    def _edit(self, sheet: str, cells: Mapping[tuple[int, int], CellFn], *,
              every: Callable[[str | None, str, tuple[int, int]], str] | None = None) -> None:
        """Rewrite cells of a worksheet: ``cells`` by (row, col) (created when absent); ``every`` for all others."""
        part = self._worksheet_part(sheet)
        xml = self._bytes(part).decode("utf-8")
        m = re.search(r"<(?:([\w.-]+):)?sheetData\b[^>]*?(/?)>", xml)
        if m is None:
            raise ValueError(f"no <sheetData> in {sheet!r}")
        p = self._p = m.group(1) + ":" if m.group(1) else ""
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
        pos, last = start, 0
        row_pat = re.compile(rf"<{re.escape(p)}row\b[^>]*?(?:/>|>.*?</{re.escape(p)}row>)", re.S)

        def new_rows(upto: int) -> list[str]:  # rows to create before row ``upto``
            return [self._row(p, f'<{p}row r="{r}">', "", by_row.pop(r), r, every)
                    for r in sorted(k for k in by_row if last < k < upto)]

        for rm in row_pat.finditer(xml, start, stop):
            text = rm.group(0)
            head_end = text.find(">") + 1
            a = _attrs(text[:head_end])
            r = int(a["r"]) if "r" in a else last + 1
            created = new_rows(r)
            if created or r in by_row or every is not None:
                out.append(xml[pos:rm.start()])
                out.extend(created)
                if r in by_row or every is not None:
                    closed = text[head_end - 2] == "/"
                    head = text[:head_end - 2] + ">" if closed else text[:head_end]
                    inner = "" if closed else text[head_end: text.rfind("<")]
                    out.append(self._row(p, head, inner, by_row.pop(r, {}), r, every))
                else:
                    out.append(text)
                pos = rm.end()
            last = r
        out.append(xml[pos:stop])
        out.extend(new_rows(_MAX_ROWS + 1))
        self._put(part, xml[:start] + "".join(out) + xml[stop:])

    @staticmethod
    def _row(p: str, head: str, inner: str, cells: dict[int, CellFn], r: int,
             every: Callable[[str | None, str, tuple[int, int]], str] | None) -> str:
        head = re.sub(r'\sspans\s*=\s*"[^"]*"', "", head)
        found: list[tuple[int, str]] = []
        col = 0
        rest = ""
        for cm in re.finditer(rf"<{re.escape(p)}c\b[^>]*?(?:/>|>.*?</{re.escape(p)}c>)|<(?:[\w.-]+:)?extLst\b.*",
                              inner, re.S):
            text = cm.group(0)
            if not re.match(rf"<{re.escape(p)}c\b", text):
                rest = text
                break
            ra = _R_ATTR.search(text[: text.find(">") + 1])
            col = _col_number(ra.group(1)) if ra else col + 1
            found.append((col, text))
        done: list[tuple[int, str]] = []
        for c, text in found:
            ref = f"{_col_name(c)}{r}"
            if c in cells:
                done.append((c, cells.pop(c)(text, ref)))
            elif every is not None:
                done.append((c, every(text, ref, (r, c))))
            else:
                done.append((c, text))
        for c, fn in cells.items():
            done.append((c, fn(None, f"{_col_name(c)}{r}")))
        done.sort(key=lambda x: x[0])
        return head + "".join(t for _, t in done) + rest + f"</{p}row>"


def _split(ref: str) -> tuple[int, int]:
    """``E7`` → (5, 7): 1-based column and row."""
    ref = ref.replace("$", "")
    letters = ref.rstrip("0123456789")
    return _col_number(letters), int(ref[len(letters):])
