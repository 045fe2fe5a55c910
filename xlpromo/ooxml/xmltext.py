"""XML as text: escaping, the attributes of a start tag, the top-level children of an element.

The package is edited as text so that every byte it does not change stays as it was. These are
the few operations that need care (quotes of either kind, namespace prefixes, comments), written
once for every part module.
"""

from __future__ import annotations

import re

__all__ = ["ILLEGAL_XML", "MAIN_NS", "REL_NS", "STRICT_NS", "TAG", "children", "element", "esc", "esc_attr",
           "esc_cell", "ns_prefix", "open_tag", "root_span", "set_attr", "tag_attrs", "unescape"]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

#: Characters XML 1.0 forbids.
ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: One tag: groups (closing slash, name, self-closing slash); comments, PIs and CDATA match with no name.
TAG = re.compile(r"""<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<(/?)([\w.:-]+)(?:[^>"']|"[^"]*"|'[^']*')*?(/?)>""",
                 re.S)

_EXCEL_ESCAPE = re.compile(r"_([xX][0-9A-Fa-f]{4}_)")
_ATTR = re.compile(r"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def esc(text: str) -> str:
    """Text content: drop characters XML 1.0 forbids, escape markup (and CR, which parsers would fold)."""
    text = ILLEGAL_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def esc_cell(text: str) -> str:
    """Cell text: like :func:`esc`, and a literal ``_xHHHH_`` kept literal (Excel would decode it)."""
    if "_x" in text or "_X" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    return esc(text)


def esc_attr(text: str) -> str:
    """Attribute value between double quotes: markup, quotes, newlines and tabs escaped so they survive."""
    return esc(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def unescape(text: str) -> str:
    """Text with its character and entity references resolved (an attribute value as the parser sees it)."""
    def one(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.startswith("#x"):
            return chr(int(ref[2:], 16))
        if ref.startswith("#"):
            return chr(int(ref[1:]))
        return _ENTITIES[ref]

    return _ENTITY.sub(one, text) if "&" in text else text


def tag_attrs(tag_text: str) -> dict[str, str]:
    """Attributes of one start tag (names with their prefix), unescaped."""
    return {m.group(1): unescape(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTR.finditer(tag_text)}


def ns_prefix(xml: str, local: str) -> str:
    """Namespace prefix (``"x:"`` or ``""``) of the first element called ``local``: new elements use it too."""
    m = re.search(rf"<(?:([\w.-]+):)?{local}[\s/>]", xml)
    return m.group(1) + ":" if m and m.group(1) else ""


def children(xml: str, start: int, stop: int) -> list[tuple[str, int, int]]:
    """Top-level elements of ``xml[start:stop]`` as (local name, start, end), so one can be replaced whole."""
    out: list[tuple[str, int, int]] = []
    depth, begin, name = 0, 0, ""
    for m in TAG.finditer(xml, start, stop):
        tag = m.group(2)
        if tag is None:  # comment, processing instruction, CDATA
            continue
        if m.group(1):
            depth -= 1
            if depth == 0:
                out.append((name.rpartition(":")[2], begin, m.end()))
        elif m.group(3):
            if depth == 0:
                out.append((tag.rpartition(":")[2], m.start(), m.end()))
        else:
            if depth == 0:
                begin, name = m.start(), tag
            depth += 1
    return out


def element(xml: str, start: int, end: int) -> tuple[str, int, int]:
    """The element ``xml[start:end]`` as (its start tag, start and end of its content); ``<x/>`` has no content
    (both at ``end``)."""
    head = TAG.match(xml, start)
    assert head is not None
    if head.group(3):
        return head.group(0), end, end
    return head.group(0), head.end(), xml.rfind("<", start, end)


def open_tag(tag: str) -> str:
    """A start tag that may be self-closing (``<x a="1"/>``) as an opening one (``<x a="1">``), to add content."""
    return tag[:-2].rstrip() + ">" if tag.endswith("/>") else tag


def root_span(xml: str, local: str) -> tuple[int, int]:
    """(end of the start tag, start of the end tag) of the root element ``local``: where its children are."""
    p = ns_prefix(xml, local)
    m = re.search(rf"<{re.escape(p)}{local}\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", xml)
    end = xml.rfind(f"</{p}{local}>")
    if m is None or end < m.end():
        raise ValueError(f"no <{local}> element")
    return m.end(), end


def set_attr(tag: str, name: str, value: str) -> str:
    """Start tag ``tag`` with attribute ``name`` set to ``value`` (replaced, or added at the end)."""
    pat = re.compile(rf"""(\s{re.escape(name)}\s*=\s*)(?:"[^"]*"|'[^']*')""")
    if pat.search(tag):
        return pat.sub(lambda m: f'{m.group(1)}"{esc_attr(value)}"', tag, count=1)
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    return f'{tag[:end].rstrip()} {name}="{esc_attr(value)}"{tag[end:]}'
