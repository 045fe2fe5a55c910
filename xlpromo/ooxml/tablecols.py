"""Grow an Excel table by columns on its right, and hide sheet columns: the XML of a table part and a worksheet.

Used to upgrade a workbook built before a table gained columns (每日监控's 环比键 and 前一日实际值): the table's
range, autofilter and ``tableColumns`` take the new columns with their calculated-column formulas, so Excel
fills them into rows added later, and the sheet's ``<cols>`` hides them. Everything else keeps its bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from xlpromo.model.a1 import parse_cell, range_name
from xlpromo.ooxml.xmltext import esc_attr, set_attr, tag_attrs

__all__ = ["add_table_columns", "hide_columns"]

_TABLE = re.compile(r"<(?:([\w.-]+):)?table\b[^>]*>")
_COL = re.compile(r"<(?:[\w.-]+:)?col\b[^>]*/>")


def add_table_columns(xml: str, columns: Sequence[tuple[str, str]]) -> str:
    """The table part with ``columns`` ((header, calculated-column formula without ``=``), in order) appended on
    its right: ``ref`` and the autofilter's widened, each a ``tableColumn`` with the next free id."""
    head = _TABLE.search(xml)
    if head is None:
        raise ValueError("not a table part")
    p = head.group(1) + ":" if head.group(1) else ""
    (r0, c0), (r1, c1) = (parse_cell(x) for x in tag_attrs(head.group(0))["ref"].split(":"))
    ref = range_name((r0, c0), (r1, c1 + len(columns)))
    xml = xml[:head.start()] + set_attr(head.group(0), "ref", ref) + xml[head.end():]
    xml = re.sub(r"(<(?:[\w.-]+:)?autoFilter\b[^>]*?\sref\s*=\s*\")[^\"]*(\")", rf"\g<1>{ref}\2", xml, count=1)
    ids = [int(i) for i in re.findall(r"<(?:[\w.-]+:)?tableColumn\b[^>]*?\sid\s*=\s*\"(\d+)\"", xml)]
    new = "".join(
        f'<{p}tableColumn id="{max(ids, default=0) + 1 + i}" name="{esc_attr(name)}">'
        f"<{p}calculatedColumnFormula>{escape(formula)}</{p}calculatedColumnFormula></{p}tableColumn>"
        for i, (name, formula) in enumerate(columns))
    m = re.search(r"<(?:[\w.-]+:)?tableColumns\b[^>]*>", xml)
    end = xml.find(f"</{p}tableColumns>")
    if m is None or end < 0:
        raise ValueError("table part without tableColumns")
    count = len(ids) + len(columns)
    xml = xml[:m.start()] + set_attr(m.group(0), "count", str(count)) + xml[m.end():]
    end = xml.find(f"</{p}tableColumns>")
    return xml[:end] + new + xml[end:]


def hide_columns(xml: str, first: int, last: int, width: float) -> str:
    """The worksheet with columns ``first``..``last`` (1-based) hidden at ``width``: ``<col>`` entries over them
    are cut around the range, one entry for it put in order; ``<cols>`` created before ``<sheetData>`` if absent."""
    sheet_data = re.search(r"<(?:([\w.-]+):)?sheetData\b", xml)
    if sheet_data is None:
        raise ValueError("no <sheetData>")
    p = sheet_data.group(1) + ":" if sheet_data.group(1) else ""
    mine = f'<{p}col min="{first}" max="{last}" width="{width:g}" hidden="1" customWidth="1"/>'
    block = re.search(r"<(?:[\w.-]+:)?cols\b[^>]*>(.*?)</(?:[\w.-]+:)?cols>", xml, re.S)
    if block is None:
        return xml[:sheet_data.start()] + f"<{p}cols>{mine}</{p}cols>" + xml[sheet_data.start():]
    entries: list[tuple[int, str]] = [(first, mine)]
    for m in _COL.finditer(block.group(1)):
        tag = m.group(0)
        a = tag_attrs(tag)
        lo, hi = int(a.get("min", 1)), int(a.get("max", a.get("min", 1)))
        if hi < first or lo > last:
            entries.append((lo, tag))
            continue
        if lo < first:
            entries.append((lo, set_attr(set_attr(tag, "min", str(lo)), "max", str(first - 1))))
        if hi > last:
            entries.append((last + 1, set_attr(set_attr(tag, "min", str(last + 1)), "max", str(hi))))
    inner = "".join(tag for _, tag in sorted(entries, key=lambda e: e[0]))
    return xml[:block.start(1)] + inner + xml[block.end(1):]
