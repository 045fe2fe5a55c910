"""The styles part (``styles.xml``): cell formats derived from the workbook's own, and the highlight's dxf.

A derived format (locked or not, the department note, a cell to fill in, a generated sheet's
header) is added once and found again by its text, also across runs, so a workbook split and
merged many times does not grow a new format each time.
"""

from __future__ import annotations

import re

from xlpromo.ooxml.xmltext import children, element, esc_attr, ns_prefix, open_tag, root_span, set_attr, tag_attrs

__all__ = ["INPUT_BORDER", "INPUT_FILL", "Styles", "add_dxf", "minimal_styles"]

#: Fill of the cells a department copy leaves open (Excel's light "input" yellow).
INPUT_FILL = "FFFFF2CC"
#: Frame of those cells, visible where a conditional format paints the row.
INPUT_BORDER = "FFED7D31"
#: Excel's built-in number formats that read the same in every locale (ECMA-376 18.8.30), by numFmtId.
_BUILT_IN = {"1": "0", "2": "0.00", "3": "#,##0", "4": "#,##0.00", "9": "0%", "10": "0.00%"}
# Top-level styleSheet elements that come after <dxfs> (CT_Stylesheet).
_AFTER_DXFS = frozenset({"tableStyles", "colors", "extLst"})


class Styles:
    """cellXfs (with fonts and fills) of styles.xml: lock, note and input variants of a style, added once each."""

    def __init__(self, xml: str) -> None:
        self.xml = xml
        self.p = ns_prefix(xml, "styleSheet")
        self.xfs = self._items("cellXfs")
        self.fonts = self._items("fonts")
        self.fills = self._items("fills")
        self.borders = self._items("borders")
        self.n_xfs, self.n_fonts, self.n_fills = len(self.xfs), len(self.fonts), len(self.fills)
        self.n_borders = len(self.borders)
        self.num_fmts = self._items("numFmts")
        self.n_num_fmts = len(self.num_fmts)
        self._variants: dict[tuple[int, bool], int] = {}
        self._derived_memo: dict[tuple[int, str], int] = {}

    def _items(self, block: str) -> list[str]:
        """The elements of a top-level block (``cellXfs``, ``fonts``…), as text."""
        start, stop = root_span(self.xml, "styleSheet")
        for name, s, e in children(self.xml, start, stop):
            if name == block:
                _, inner_start, inner_end = element(self.xml, s, e)
                return [self.xml[a:b] for _, a, b in children(self.xml, inner_start, inner_end)]
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
            head, inner_start, inner_end = element(xf, 0, len(xf))
            tag = set_attr(open_tag(head), "applyProtection", "1")
            inner = xf[inner_start:inner_end]
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

    def title(self) -> int:
        """The default style in bold 12 pt, not wrapped: the title line of a generated sheet runs across columns."""
        p = self.p
        return self._derived(0, "title", font=f'<{p}font><{p}b/><{p}sz val="12"/><{p}name val="微软雅黑"/>'
                                             f'<{p}family val="2"/></{p}font>')

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

    def spaced_number(self) -> int:
        """The body style of a generated sheet for numbers: right-aligned with one indent, at the top, so a number
        never touches the left-aligned text of the next column (``0.45%a.xlsx`` in 合并冲突)."""
        return self._derived(0, "number", align=f'<{self.p}alignment horizontal="right" vertical="top" indent="1"/>')

    def code(self, s: int) -> str | None:
        """The number format of style ``s`` as text (``0.00%``), None for General or one Excel keeps by locale."""
        xf = self.xfs[s] if 0 <= s < len(self.xfs) else ""
        fmt = tag_attrs(xf[:xf.find(">") + 1]).get("numFmtId", "0") if xf else "0"
        for x in self.num_fmts:
            a = tag_attrs(x[:x.find(">") + 1])
            if a.get("numFmtId") == fmt:
                return a.get("formatCode") or None
        return _BUILT_IN.get(fmt)

    def numbered(self, s: int, code: str) -> int:
        """Style ``s`` with the number format ``code`` (``yyyy-mm-dd``): a date typed into a text column of a copy
        arrives in the master shown as a date, not as its bare serial. ``General`` is Excel's built-in format 0."""
        if code == "General":
            return self._derived(s, "num:General", num_fmt="0")
        attrs = [tag_attrs(x[:x.find(">") + 1]) for x in self.num_fmts]
        ids = {a.get("formatCode", ""): a.get("numFmtId", "") for a in attrs}
        if code not in ids:
            used = [int(i) for i in ids.values() if i.isdigit()]
            ids[code] = str(max([163, *used]) + 1)  # ids below 164 are Excel's built-in formats
            self.num_fmts.append(f'<{self.p}numFmt numFmtId="{ids[code]}" formatCode="{esc_attr(code)}"/>')
        return self._derived(s, f"num:{code}", num_fmt=ids[code])

    def _derived(self, s: int, kind: str, *, font: str = "", fill: str = "", border: str = "", align: str = "",
                 num_fmt: str = "") -> int:
        """Style ``s`` with another font, fill, alignment or number format (each derived style is added once)."""
        s = s if s < len(self.xfs) else 0
        key = (s, kind)
        if key in self._derived_memo:
            return self._derived_memo[key]
        xf = self.xfs[s]
        head, inner_start, inner_end = element(xf, 0, len(xf))
        tag = open_tag(head)
        inner = xf[inner_start:inner_end]
        if font:
            tag = set_attr(set_attr(tag, "fontId", str(self._add(self.fonts, font))), "applyFont", "1")
        if fill:
            tag = set_attr(set_attr(tag, "fillId", str(self._add(self.fills, fill))), "applyFill", "1")
        if border:
            tag = set_attr(set_attr(tag, "borderId", str(self._add(self.borders, border))), "applyBorder", "1")
        if num_fmt:
            tag = set_attr(set_attr(tag, "numFmtId", num_fmt), "applyNumberFormat", "1")
        if align:
            inner = align + re.sub(r"<(?:[\w.-]+:)?alignment\b[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?alignment>)", "", inner,
                                   flags=re.S)
            tag = set_attr(tag, "applyAlignment", "1")
        self._derived_memo[key] = self._add(self.xfs, f"{tag}{inner}</{self.p}xf>")  # once, also across runs
        return self._derived_memo[key]

    @staticmethod
    def _add(items: list[str], item: str) -> int:
        """Index of ``item`` in a block, appended when not there yet."""
        if item not in items:
            items.append(item)
        return items.index(item)

    def text(self, current: str | None = None) -> str | None:
        """The new styles.xml, None when nothing was added. ``current`` is the part as it stands now (a highlight
        may have added a dxf since these styles were read): the changed blocks are laid over it, the rest kept."""
        base = self.xml if current is None else current
        xml = base
        if len(self.num_fmts) != self.n_num_fmts and not any(n == "numFmts" for n, _, _ in
                                                             children(xml, *root_span(xml, "styleSheet"))):
            start, _ = root_span(xml, "styleSheet")  # numFmts comes first in CT_Stylesheet
            xml = xml[:start] + f"<{self.p}numFmts></{self.p}numFmts>" + xml[start:]
        for block, items, n in (("numFmts", self.num_fmts, self.n_num_fmts), ("fonts", self.fonts, self.n_fonts),
                                ("fills", self.fills, self.n_fills),
                                ("borders", self.borders, self.n_borders), ("cellXfs", self.xfs, self.n_xfs)):
            if len(items) == n:
                continue
            start, stop = root_span(xml, "styleSheet")
            s, e = next((s, e) for name, s, e in children(xml, start, stop) if name == block)
            tag = set_attr(open_tag(element(xml, s, e)[0]), "count", str(len(items)))
            xml = xml[:s] + tag + "".join(items) + f"</{self.p}{block}>" + xml[e:]
        return None if xml == base else xml


def add_dxf(xml: str, dxf: str) -> tuple[str, int]:
    """styles.xml with the differential style ``dxf`` (an identical one reused, else appended), and its index."""
    p = ns_prefix(xml, "styleSheet")
    start, stop = root_span(xml, "styleSheet")
    top = children(xml, start, stop)
    block = next(((s, e) for n, s, e in top if n == "dxfs"), None)
    if block is None:
        at = next((s for n, s, _ in top if n in _AFTER_DXFS), stop)
        return xml[:at] + f'<{p}dxfs count="1">{dxf}</{p}dxfs>' + xml[at:], 0
    s, e = block
    head, inner_start, inner_end = element(xml, s, e)
    items = [xml[a:b] for _, a, b in children(xml, inner_start, inner_end)]
    same = [re.sub(r"\s*/>", "/>", re.sub(r">\s+<", "><", x)) for x in items]
    if dxf in same:
        return xml, same.index(dxf)
    tag = set_attr(open_tag(head), "count", str(len(items) + 1))
    return xml[:s] + tag + xml[inner_start:inner_end] + dxf + f"</{p}dxfs>" + xml[e:], len(items)


def minimal_styles(formats: int, dxfs: int = 0) -> str:
    """A styles part for a package that had none: one font, the two fills every styles part starts with, one
    border, ``formats`` default cell formats and ``dxfs`` empty differential formats (as many as its cells' ``s``
    and its conditional formats' ``dxfId`` name: what they pointed at is gone with the part)."""
    xf = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{formats}">{xf * formats}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            f'<dxfs count="{dxfs}">{"<dxf/>" * dxfs}</dxfs></styleSheet>')
