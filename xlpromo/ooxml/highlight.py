"""The highlight: one conditional format (the legend's purple frame) over the cells a check flagged, found again
by its formula.

Its rule's formula is :data:`HIGHLIGHT_FORMULA`, always true: a later run removes the rules that
carry it and adds its own, and never touches a conditional format the user made.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from xlpromo.model.a1 import cell_name, parse_cell
from xlpromo.ooxml.worksheet import worksheet_close
from xlpromo.ooxml.xmltext import children, element, esc

__all__ = ["HIGHLIGHT_FORMULA", "add_highlight", "highlight_dxf", "remove_highlights", "sqref"]

#: Always-true formula of the conditional format that :meth:`XlsxPackage.set_highlights` adds.
HIGHLIGHT_FORMULA = '"xlpromo"="xlpromo"'
_DXF_FILL, _DXF_FONT, _DXF_BORDER = "FFE4DFEC", "FF5B2C83", "FF7030A0"
_MARKER = re.compile(r"<(?:[\w.-]+:)?formula>\s*(?:\"|&quot;)xlpromo(?:\"|&quot;)=(?:\"|&quot;)xlpromo"
                     r"(?:\"|&quot;)\s*</(?:[\w.-]+:)?formula>")
# Top-level worksheet elements that come after <conditionalFormatting> (ECMA-376 CT_Worksheet).
_AFTER_CF = frozenset({
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks",
    "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
    "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst",
    "AlternateContent"})


def sqref(cells: Sequence[str]) -> str:
    """Cells and ranges (``$`` and lower case allowed) → sqref: normalised, without duplicates, in row-major order."""
    refs: set[tuple[int, int, int, int]] = set()
    for raw in cells:
        first, _, last = raw.replace("$", "").strip().upper().partition(":")
        r1, c1 = parse_cell(first)
        r2, c2 = parse_cell(last) if last else (r1, c1)
        refs.add((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    out = []
    for r1, c1, r2, c2 in sorted(refs):
        a = cell_name(r1, c1)
        out.append(a if (r1, c1) == (r2, c2) else f"{a}:{cell_name(r2, c2)}")
    return " ".join(out)


def highlight_dxf(p: str) -> str:
    """The differential style of the highlight, with the styles part's prefix ``p``: 使用说明's 紫色粗框 (bold purple
    on lavender, a medium purple frame), the very dxf the template's 标记 format uses, so that a flagged cell looks
    the same from the command line as from the button and never like 未达标's red."""
    sides = "".join(f'<{p}{side} style="medium"><{p}color rgb="{_DXF_BORDER}"/></{p}{side}>'
                    for side in ("left", "right", "top", "bottom"))
    return (f'<{p}dxf><{p}font><{p}b/><{p}color rgb="{_DXF_FONT}"/></{p}font><{p}fill><{p}patternFill>'
            f'<{p}bgColor rgb="{_DXF_FILL}"/></{p}patternFill></{p}fill><{p}border>{sides}<{p}vertical/>'
            f'<{p}horizontal/></{p}border></{p}dxf>')


def remove_highlights(tail: str) -> str:
    """Worksheet text after sheetData without our cfRules (and their conditionalFormatting when left empty)."""
    if not _MARKER.search(tail):
        return tail
    for name, s, e in reversed(children(tail, 0, worksheet_close(tail))):
        if name != "conditionalFormatting" or not _MARKER.search(tail, s, e):
            continue
        head, inner_start, inner_end = element(tail, s, e)
        rules = children(tail, inner_start, inner_end)
        kept = [tail[a:b] for n, a, b in rules if not (n == "cfRule" and _MARKER.search(tail, a, b))]
        others = any(n == "cfRule" and not _MARKER.search(tail, a, b) for n, a, b in rules)
        tail = tail[:s] + (head + "".join(kept) + tail[inner_end:e] if others else "") + tail[e:]
    return tail


def add_highlight(tail: str, p: str, ref: str, dxf_id: int) -> str:
    """Worksheet text after sheetData with our conditional format over ``ref`` (an sqref), placed where the
    schema wants it and given the lowest priority."""
    stop = worksheet_close(tail)
    priorities = [int(x) for x in re.findall(r"<(?:[\w.-]+:)?cfRule\b[^>]*?\spriority\s*=\s*[\"'](\d+)[\"']",
                                             tail[:stop])]
    rule = (f'<{p}conditionalFormatting sqref="{ref}"><{p}cfRule type="expression" '
            f'dxfId="{dxf_id}" priority="{max(priorities, default=0) + 1}">'
            f"<{p}formula>{esc(HIGHLIGHT_FORMULA)}</{p}formula></{p}cfRule></{p}conditionalFormatting>")
    at = next((s for n, s, _ in children(tail, 0, stop) if n in _AFTER_CF), stop)
    return tail[:at] + rule + tail[at:]
