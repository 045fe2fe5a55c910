"""``workbook.xml``: the list of sheets, a sheet added or hidden, a valid sheet name, ``fullCalcOnLoad``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from xlpromo.ooxml.xmltext import ILLEGAL_XML, REL_NS, children, esc_attr, ns_prefix, root_span, set_attr, tag_attrs

__all__ = ["SheetEntry", "add_sheet_entry", "check_sheet_name", "full_calc_on_load", "set_sheet_state",
           "sheet_tags"]

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Top-level workbook elements that come before <calcPr> (CT_Workbook, plus Excel's extensions there).
_BEFORE_CALCPR = frozenset({
    "fileVersion", "fileSharing", "workbookPr", "AlternateContent", "revisionPtr", "workbookProtection", "bookViews",
    "sheets", "functionGroups", "externalReferences", "definedNames"})


@dataclass(frozen=True)
class SheetEntry:
    """One sheet of the workbook: its name, sheetId, zip member (None if its relationship is broken) and the
    type of that relationship (a worksheet, chartsheet…)."""

    name: str
    sheet_id: int
    part: str | None
    rel_type: str


def sheet_tags(wb: str) -> list[tuple[dict[str, str], str]]:
    """The attributes of each <sheet> of workbook.xml, in order, with its relationship Id."""
    block = re.search(r"<(?:[\w.-]+:)?sheets\b[^>]*>(.*?)</(?:[\w.-]+:)?sheets>", wb, re.S)
    out = []
    tags = re.finditer(r"<(?:[\w.-]+:)?sheet\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)/?>", block.group(1) if block else "")
    for tag in tags:
        a = tag_attrs(tag.group(1))
        out.append((a, next((v for k, v in a.items() if k.endswith(":id")), "")))
    return out


def check_sheet_name(name: str) -> None:
    """ValueError unless Excel accepts ``name`` for a sheet (1–31 characters, none of ``[]:*?/\\``…)."""
    if not name or len(name) > 31 or _BAD_SHEET_CHARS.search(name) or name[0] == "'" or name[-1] == "'" \
            or ILLEGAL_XML.search(name) or name.casefold() == "history":
        raise ValueError(f"not a valid Excel sheet name: {name!r}")


def add_sheet_entry(wb: str, name: str, sheet_id: int, rid: str) -> str:
    """workbook.xml with a sheet appended to its list, related by ``rid``."""
    p = ns_prefix(wb, "workbook")
    r_ns = re.search(rf"""xmlns:([\w.-]+)\s*=\s*["']{re.escape(REL_NS)}["']""", wb)
    r_attr = f'{r_ns.group(1)}:id="{rid}"' if r_ns else f'xmlns:r="{REL_NS}" r:id="{rid}"'
    close = wb.find(f"</{p}sheets>")
    if close < 0:
        raise ValueError("workbook.xml has no <sheets> list")
    return wb[:close] + f'<{p}sheet name="{esc_attr(name)}" sheetId="{sheet_id}" {r_attr}/>' + wb[close:]


def set_sheet_state(wb: str, name: str, state: str) -> str:
    """workbook.xml with the sheet ``name`` (as written by :func:`add_sheet_entry`) in ``state``
    (``veryHidden``: only a program shows it again)."""
    m = re.search(rf"<(?:[\w.-]+:)?sheet\b[^>]*\sname\s*=\s*\"{re.escape(esc_attr(name))}\"[^>]*?/>", wb)
    if m is None:
        raise ValueError(f"sheet {name!r} not registered")
    return wb[:m.start()] + set_attr(m.group(0), "state", state) + wb[m.end():]


def full_calc_on_load(wb: str) -> str:
    """workbook.xml with <calcPr fullCalcOnLoad="1"> (the element added where the schema puts it if absent),
    so that Excel recomputes what xlpromo did not."""
    m = re.search(r"<(?:[\w.-]+:)?calcPr\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?/?>", wb)
    if m is not None:
        return wb[:m.start()] + set_attr(m.group(0), "fullCalcOnLoad", "1") + wb[m.end():]
    start, stop = root_span(wb, "workbook")
    at = start
    for name, _, e in children(wb, start, stop):
        if name in _BEFORE_CALCPR:
            at = e
    return wb[:at] + f'<{ns_prefix(wb, "workbook")}calcPr fullCalcOnLoad="1"/>' + wb[at:]
