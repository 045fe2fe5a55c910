"""Patch an .xlsx/.xlsm package instead of loading and saving it: cached values, generated sheets, highlights.

openpyxl's load + save is slow, blanks every cached formula value and drops the ribbon
relationship. :class:`XlsxPackage` keeps every zip member in memory as bytes and edits the few
parts it must change with regular expressions. Every other member is written back with the
same bytes, so tables, validations, conditional formats, names, styles, VBA projects and
ribbons survive. Worksheets stay bytes, never decoded. A member bigger than
:data:`STREAM_OVER` (uncompressed) is not held at all: it stays compressed in a copy of
the file, and is read in blocks when needed — once to find which cells are formula cells,
and once more when :meth:`XlsxPackage.save` patches it while it copies it (decompress →
patch → compress). Only the values to write and a few blocks are in memory then.

Sheets made by :meth:`XlsxPackage.put_sheet` carry the tab colour :data:`GENERATED_TAB_COLOR`.
Highlights carry the rule formula :data:`HIGHLIGHT_FORMULA`. A later run finds both by these
marks and replaces them, and never touches anything the user made.

Not handled: cells without an ``r`` attribute and the cells of an array formula other than
its anchor are reported as not being formula cells; Strict Open XML and .xlsb files are
refused; docProps/app.xml keeps its old list of sheet titles (Excel and LibreOffice ignore it).
"""

from __future__ import annotations

import io
import math
import numbers
import os
import posixpath
import re
import zipfile
import zlib
from collections import deque
from collections.abc import Generator, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice, repeat
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from xlpromo.errors import NotAWorkbook
from xlpromo.ooxml.atomic import atomic_path

__all__ = ["GENERATED_TAB_COLOR", "HIGHLIGHT_FORMULA", "STREAM_OVER", "CachedValue", "XlsxPackage", "text_lines"]

CachedValue = float | int | str | bool | None

#: Tab colour (ARGB) that marks a sheet written by :meth:`XlsxPackage.put_sheet`.
GENERATED_TAB_COLOR = "FFC00001"
#: Always-true formula of the conditional format that :meth:`XlsxPackage.set_highlights` adds.
HIGHLIGHT_FORMULA = '"xlpromo"="xlpromo"'
#: Members bigger than this (uncompressed bytes) are streamed rather than held in memory.
STREAM_OVER = 16 * 2**20

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RT_WORKSHEET = _REL_NS + "/worksheet"
_CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_NEW_MEMBER_DATE = (1980, 1, 1, 0, 0, 0)
_MAX_TEXT = 32767  # characters Excel keeps in one cell
_CHUNK = 5 * 800  # pieces of a split worksheet joined into one chunk (~800 formula cells)
_READ = 4 * 2**20  # bytes decompressed at a time from a streamed member
_BIG = zipfile.ZIP64_LIMIT // 2  # a patched streamed member this big may grow past the ZIP64 limit
_MAX_ROW, _MAX_COL = 1_048_576, 16_384
_DXF_FILL, _DXF_FONT = "FFFFC7CE", "FF9C0006"

_A1 = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_EXCEL_ESCAPE = re.compile(r"_([xX][0-9A-Fa-f]{4}_)")
_ATTR = re.compile(r"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_TAG = re.compile(r"""<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<(/?)([\w.:-]+)(?:[^>"']|"[^"]*"|'[^']*')*?(/?)>""",
                  re.S)
_T_ATTR = re.compile(r"""\st\s*=\s*(?:"[^"]*"|'[^']*')""")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_SHEET_DATA = re.compile(rb"<(?:([\w.-]+):)?sheetData\b[^>]*?(/?)>")
_MARKER = re.compile(r"<(?:[\w.-]+:)?formula>\s*(?:\"|&quot;)xlpromo(?:\"|&quot;)=(?:\"|&quot;)xlpromo"
                     r"(?:\"|&quot;)\s*</(?:[\w.-]+:)?formula>")

# Top-level worksheet elements that come after <conditionalFormatting> (ECMA-376 CT_Worksheet).
_AFTER_CF = frozenset({
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks",
    "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
    "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst",
    "AlternateContent"})
# Top-level workbook elements that come before <calcPr> (CT_Workbook, plus Excel's extensions there).
_BEFORE_CALCPR = frozenset({
    "fileVersion", "fileSharing", "workbookPr", "AlternateContent", "revisionPtr", "workbookProtection", "bookViews",
    "sheets", "functionGroups", "externalReferences", "definedNames"})
# Top-level styleSheet elements that come after <dxfs> (CT_Stylesheet).
_AFTER_DXFS = frozenset({"tableStyles", "colors", "extLst"})
_STREAMABLE = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


class _Missing:
    """Type of the sentinel for an address absent from the values."""


_MISSING = _Missing()


@dataclass(frozen=True)
class _SheetEntry:
    name: str
    sheet_id: int
    part: str | None  # zip member of the sheet part
    rel_type: str


@dataclass
class _Streamed:
    """A member left compressed in the source copy; a worksheet's edits are applied as :meth:`XlsxPackage.save`
    copies it."""

    size: int  # uncompressed bytes in the source
    head: bytes | None = None  # a worksheet's start, up to the end of its <sheetData> tag (None: not read yet)
    tail: bytes | None = None  # what follows </sheetData>, as it will be written (None: not read yet)
    tail_changed: bool = False
    # cached values to write, in call order, each with the cells patched the canonical way when the other
    # layouts must be patched too (else None)
    patches: list[tuple[dict[str, CachedValue], set[str] | None]] = field(default_factory=list)

    @property
    def edited(self) -> bool:
        """Whether the member differs from the source."""
        return bool(self.patches) or self.tail_changed


# ---------------------------------------------------------------------------- XML text


def _esc(text: str) -> str:
    """Text content: drop characters XML 1.0 forbids, escape markup (and CR, which parsers would fold)."""
    text = _ILLEGAL_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _esc_cell(text: str) -> str:
    """Cell text: like :func:`_esc`, and a literal ``_xHHHH_`` kept literal (Excel would decode it)."""
    if "_x" in text or "_X" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    return _esc(text)


def _esc_attr(text: str) -> str:
    """Attribute value between double quotes."""
    return _esc(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.startswith("#x"):
            return chr(int(ref[2:], 16))
        if ref.startswith("#"):
            return chr(int(ref[1:]))
        return _ENTITIES[ref]

    return _ENTITY.sub(one, text) if "&" in text else text


def _attrs(tag_text: str) -> dict[str, str]:
    """Attributes of one start tag (names with their prefix), unescaped."""
    return {m.group(1): _unescape(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTR.finditer(tag_text)}


def _prefix(xml: str, local: str) -> str:
    """Namespace prefix (``"x:"`` or ``""``) of the first element called ``local``."""
    m = re.search(rf"<(?:([\w.-]+):)?{local}[\s/>]", xml)
    return m.group(1) + ":" if m and m.group(1) else ""


def _children(xml: str, start: int, stop: int) -> list[tuple[str, int, int]]:
    """Top-level elements of ``xml[start:stop]`` as (local name, start, end)."""
    out: list[tuple[str, int, int]] = []
    depth, begin, name = 0, 0, ""
    for m in _TAG.finditer(xml, start, stop):
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


def _root_span(xml: str, local: str) -> tuple[int, int]:
    """(end of the start tag, start of the end tag) of the root element ``local``."""
    p = _prefix(xml, local)
    m = re.search(rf"<{re.escape(p)}{local}\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", xml)
    end = xml.rfind(f"</{p}{local}>")
    if m is None or end < m.end():
        raise ValueError(f"no <{local}> element")
    return m.end(), end


def _set_attr(tag: str, name: str, value: str) -> str:
    """Start tag ``tag`` with attribute ``name`` set to ``value`` (replaced, or added at the end)."""
    pat = re.compile(rf"""(\s{re.escape(name)}\s*=\s*)(?:"[^"]*"|'[^']*')""")
    if pat.search(tag):
        return pat.sub(lambda m: f'{m.group(1)}"{_esc_attr(value)}"', tag, count=1)
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    return f'{tag[:end].rstrip()} {name}="{_esc_attr(value)}"{tag[end:]}'


# ---------------------------------------------------------------------------- cells and values


def _col_name(col: int) -> str:
    """1-based column number → letters."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _parse_a1(ref: str) -> tuple[int, int]:
    """Canonical A1 address → (row, column), 1-based; ValueError if malformed or off the grid."""
    m = _A1.fullmatch(ref)
    if m is None or int(m.group(2)) > _MAX_ROW or _col_number(m.group(1)) > _MAX_COL:
        raise ValueError(f"not a cell address (A1 form, upper case, no $): {ref!r}")
    return int(m.group(2)), _col_number(m.group(1))


def _number(v: float | int) -> str:
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"a cell cannot hold {v!r}: pass None for a blank result")
        text = float.__repr__(v)
        return text[:-2] if text.endswith(".0") else text
    return str(v)


def _encode(v: object) -> tuple[str | None, str]:
    """A cached value → (t attribute, or None for a number; escaped <v> text)."""
    if v is None:
        return "str", ""
    if isinstance(v, str):
        return "str", _esc_cell(str(v))
    if isinstance(v, bool) or type(v).__name__ == "bool_":  # numpy booleans too
        return "b", "1" if v else "0"
    if isinstance(v, numbers.Integral):
        return None, str(int(v))
    if isinstance(v, numbers.Real):
        return None, _number(float(v))
    raise TypeError(f"not a cached value (number, text, bool or None): {v!r}")


def _with_t(attrs: str, t: str | None) -> str:
    """Cell attributes with the t attribute set to ``t`` (removed for None)."""
    if _T_ATTR.search(attrs):
        return _T_ATTR.sub("" if t is None else f' t="{t}"', attrs, count=1)
    return attrs if t is None else f'{attrs} t="{t}"'


_FAST: dict[str, re.Pattern[bytes]] = {}
_SCAN: dict[str, re.Pattern[bytes]] = {}
_GENERAL: dict[str, re.Pattern[bytes]] = {}


def _fast_source(p: str, scan: bool) -> bytes:
    """The regular expression of :func:`_fast_cell_pattern`; with ``scan``, one group: the address alone."""
    q = re.escape(p).encode()
    o, a, c = (b"(?:", b"(", b")") if scan else (b"(", b"", b"")
    # possessive repeats: nothing to backtrack into, 15% faster
    return (o + b"<" + q + b'c r="' + a + b"[A-Z]++[0-9]++" + c + b")" + o + b'"[^>]*+>)'
            + o + b"<" + q + rb"f\b(?:[^>]*?/>|[^>]*+>[^<]*+</" + q + b"f>))"
            + o + b"(?:<" + q + rb"v\b[^>]*?/>|<" + q + rb"v\b[^>]*+>[^<]*+</" + q + b"v>|<" + q + rb"is\b.*?</"
            + q + b"is>)?</" + q + b"c>)")


def _fast_cell_pattern(p: str) -> re.Pattern[bytes]:
    """A formula cell as Excel, LibreOffice, xlsxwriter and openpyxl write it, as 4 groups.

    ``<c r="A1"`` | ``" s="1" t="str">`` | ``<f>..</f>`` or ``<f .../>`` | ``<v>..</v></c>`` (value optional).
    """
    if p not in _FAST:
        _FAST[p] = re.compile(_fast_source(p, False), re.S)
    return _FAST[p]


def _scan_cell_pattern(p: str) -> re.Pattern[bytes]:
    """The cells :func:`_fast_cell_pattern` matches, with their address as the only group."""
    if p not in _SCAN:
        _SCAN[p] = re.compile(_fast_source(p, True), re.S)
    return _SCAN[p]


def _general_cell_pattern(p: str) -> re.Pattern[bytes]:
    """Any formula cell with an r attribute (quotes, order, white space free): attrs, address, <f> element."""
    if p not in _GENERAL:
        q = re.escape(p).encode()
        _GENERAL[p] = re.compile(
            b"<" + q + rb"""c\b([^>]*?\sr\s*=\s*["']([A-Z]+[0-9]+)["'][^>]*)>\s*"""
            b"(<" + q + rb"f\b(?:[^>]*/>|[^>]*>[^<]*</" + q + rb"f>))\s*"
            b"(?:<" + q + rb"v\b[^>]*/>|<" + q + rb"v\b[^>]*>[^<]*</" + q + b"v>|<" + q + rb"is\b.*?</" + q
            + rb"is>)?\s*</" + q + b"c>", re.S)
    return _GENERAL[p]


def _in_sheet_order(values: Mapping[str, CachedValue], heads: list[bytes], head: str) -> list[object] | None:
    """The values in the order of ``heads`` (every formula cell, as ``<c r="A1``) without looking each one up.

    Works when ``values`` lists these cells row by row, or column by column over a block of full rows (as a
    caller filling whole table columns does); None otherwise. Equal concatenations mean equal keys: an address
    holds no "<", and each head holds exactly one.
    """
    skip, letters = len(head), b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    first = list(islice(values, 2))
    if not first or not all(isinstance(k, str) for k in first) or first[0].encode() != heads[0][skip:]:
        return None
    joined = b"".join(heads)
    if len(heads) < 2 or first[1].encode() == heads[1][skip:]:
        return list(values.values()) if (head + head.join(values)).encode() == joined else None
    first_row = heads[0][skip:].lstrip(letters)
    width = next((i for i, h in enumerate(heads) if h[skip:].lstrip(letters) != first_row), len(heads))
    rows = len(heads) // width
    if width < 2 or rows < 2 or rows * width != len(heads) or first[1].encode() != heads[width][skip:]:
        return None

    def by_row(items: list[Any]) -> list[Any]:
        return [x for row in zip(*(items[i * rows:(i + 1) * rows] for i in range(width)), strict=True) for x in row]

    if (head + head.join(by_row(list(values)))).encode() != joined:
        return None
    return by_row(list(values.values()))


def _patch_fast(data: bytes, p: str, values: Mapping[str, CachedValue], *,
                track: bool = True) -> tuple[list[bytes], int, set[str] | None]:
    """Cached values into the canonical formula cells, with no Python call for most of them.

    Returns the new content as chunks to concatenate, the number of canonical formula cells, and the addresses
    patched (None: all of ``values``, or not ``track``-ed). Only bytes, str and a few lists are made: the garbage
    collector stays idle.
    """
    pieces = _fast_cell_pattern(p).split(data)  # [text, <c r="A1, " s="1">, <f>..</f>, <v>..</v></c>, text, ...]
    n = len(pieces) // 5
    head = f'<{p}c r="'
    heads = pieces[1::5]
    keys: list[str] = []
    ordered = _in_sheet_order(values, heads, head) if len(values) == n else None
    if ordered is not None:
        vals: list[object] = ordered
        hits = n
    else:
        keys = b"".join(heads).decode("utf-8").split(head)[1:]  # one decode, not one per cell
        vals = list(map(values.get, keys, repeat(_MISSING)))
        hits = n - vals.count(_MISSING)
    if not hits:
        return [data], n, set()
    opening, closing = f"<{p}v>".encode(), f"</{p}v></{p}c>".encode()
    known: dict[object, bytes] = {None: opening + closing}  # None and strings only: no number equals them

    def tail(v: object) -> bytes:
        if type(v) is float:
            text = float.__repr__(v)
            if text[-1] in "fn":  # inf, nan
                _number(v)
            return opening + (text[:-2] if text[-2:] == ".0" else text).encode() + closing
        if isinstance(v, str):
            done = known[v] = opening + _esc_cell(v).encode() + closing
            return done
        return opening + _encode(v)[1].encode() + closing

    get = known.get
    if hits == n:  # every formula cell gets a value
        pieces[4::5] = [get(v) or tail(v) for v in vals]
    else:
        pieces[4::5] = [old if v is _MISSING else (get(v) or tail(v))
                        for old, v in zip(pieces[4::5], vals, strict=True)]
    # the rest of each start tag (' s="1" t="str">'), with t set for the type of the value; rewritten only if needed
    olds = set(pieces[2::5])
    rests: dict[type, dict[bytes, bytes]] = {}
    for kind in set(map(type, vals)) - {_Missing}:
        t = _encode(next(v for v in vals if type(v) is kind))[0]
        rests[kind] = {old: ('"' + _with_t(old[1:-1].decode(), t) + ">").encode() for old in olds}
    if any(new != old for table in rests.values() for old, new in table.items()):
        pieces[2::5] = [old if v is _MISSING else rests[type(v)][old]
                        for old, v in zip(pieces[2::5], vals, strict=True)]
    done = None if ordered is not None or not track else {
        k for k, v in zip(keys, vals, strict=True) if v is not _MISSING}
    if done is not None and len(done) == len(values):
        done = None
    # a few hundred chunks of ~1 MB rather than one copy of the whole sheet (save() streams them to the zip)
    return [b"".join(pieces[i:i + _CHUNK]) for i in range(0, len(pieces), _CHUNK)], n, done


def _patch_general(data: bytes, p: str, values: Mapping[str, CachedValue], done: set[str]) -> bytes:
    """Cached values into the formula cells :func:`_patch_fast` could not read (``done`` is updated)."""

    def patch(m: re.Match[bytes]) -> bytes:
        addr = m.group(2).decode("ascii")
        if addr in done or addr not in values:
            return m.group(0)
        done.add(addr)
        t, text = _encode(values[addr])
        attrs = _with_t(m.group(1).decode(), t)
        return f"<{p}c{attrs}>".encode() + m.group(3) + f"<{p}v>{text}</{p}v></{p}c>".encode()

    return _general_cell_pattern(p).sub(patch, data)


def _sheet_start(first: bytes) -> tuple[int, int | None, str]:
    """(start of <sheetData>, its end if it is empty <sheetData/>, namespace prefix) from a worksheet's first chunk."""
    m = _SHEET_DATA.search(first)
    if m is None:
        raise ValueError("no <sheetData> in the worksheet")
    return m.start(), m.end() if m.group(2) else None, m.group(1).decode() + ":" if m.group(1) else ""


def _sheet_end(last: bytes, p: str) -> int:
    """End of </sheetData> in a worksheet's last chunk (-1 if it is not there)."""
    close = f"</{p}sheetData>".encode()
    end = last.rfind(close)
    return end + len(close) if end >= 0 else -1


def _worksheet_close(tail: str) -> int:
    """Position of </worksheet> in the text that follows sheetData."""
    m = re.search(r"</(?:[\w.-]+:)?worksheet\s*>\s*$", tail)
    if m is None:
        raise ValueError("unterminated <worksheet>")
    return m.start()


def _is_generated(first: bytes) -> bool:
    """Whether a worksheet part (its first chunk) carries the mark of :meth:`XlsxPackage.put_sheet`."""
    head = first[: _sheet_start(first)[0]].decode("utf-8", "replace")
    return re.search(rf"""<(?:[\w.-]+:)?tabColor\b[^>]*\srgb\s*=\s*["']{GENERATED_TAB_COLOR}["']""", head,
                     re.I) is not None


def _sqref(cells: Sequence[str]) -> str:
    """Cells and ranges (``$`` and lower case allowed) → sqref: normalised, without duplicates, in row-major order."""
    refs: set[tuple[int, int, int, int]] = set()
    for raw in cells:
        first, _, last = raw.replace("$", "").strip().upper().partition(":")
        r1, c1 = _parse_a1(first)
        r2, c2 = _parse_a1(last) if last else (r1, c1)
        refs.add((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    out = []
    for r1, c1, r2, c2 in sorted(refs):
        a = f"{_col_name(c1)}{r1}"
        out.append(a if (r1, c1) == (r2, c2) else f"{a}:{_col_name(c2)}{r2}")
    return " ".join(out)


def _remove_highlights(tail: str) -> str:
    """Worksheet text after sheetData without our cfRules (and their conditionalFormatting when left empty)."""
    if not _MARKER.search(tail):
        return tail
    for name, s, e in reversed(_children(tail, 0, _worksheet_close(tail))):
        if name != "conditionalFormatting" or not _MARKER.search(tail, s, e):
            continue
        head = _TAG.match(tail, s)
        assert head is not None
        inner_end = tail.rfind("<", s, e)
        rules = _children(tail, head.end(), inner_end)
        kept = [tail[a:b] for n, a, b in rules if not (n == "cfRule" and _MARKER.search(tail, a, b))]
        others = any(n == "cfRule" and not _MARKER.search(tail, a, b) for n, a, b in rules)
        tail = tail[:s] + (head.group(0) + "".join(kept) + tail[inner_end:e] if others else "") + tail[e:]
    return tail


def _check_sheet_name(name: str) -> None:
    if not name or len(name) > 31 or _BAD_SHEET_CHARS.search(name) or name[0] == "'" or name[-1] == "'" \
            or _ILLEGAL_XML.search(name) or name.casefold() == "history":
        raise ValueError(f"not a valid Excel sheet name: {name!r}")


# ---------------------------------------------------------------------------- the package


class XlsxPackage:
    """An .xlsx/.xlsm/.xlam package held in memory; edits are applied by :meth:`save` to a new file."""

    def __init__(self, infos: list[zipfile.ZipInfo], parts: dict[str, bytes], comment: bytes, source: Path,
                 raw: bytes = b"") -> None:
        self._infos = infos
        # tuple: chunks of a patched worksheet; _Streamed: a member of ``raw`` (the source file) read when needed
        self._parts: dict[str, bytes | tuple[bytes, ...] | _Streamed] = dict(parts)
        self._raw = raw
        for info in infos:
            if info.filename not in parts:
                self._parts[info.filename] = _Streamed(info.file_size)
        self._comment = comment
        self._source = source
        self._texts: dict[str, str] = {}
        self._new: list[str] = []
        self._lower = {name.lower(): name for name in self._parts}
        self._workbook = self._find_workbook()
        if not self._workbook.lower().endswith(".xml"):
            raise NotAWorkbook(source, "不支持二进制工作簿（.xlsb）：请在 Excel 中另存为 .xlsx 或 .xlsm")
        self._wb_rels = posixpath.join(posixpath.dirname(self._workbook), "_rels",
                                       posixpath.basename(self._workbook) + ".rels")
        if _STRICT_NS in self._text(self._workbook)[:4000]:
            raise NotAWorkbook(source, "不支持 Strict Open XML 格式：请在 Excel 中另存为“Excel 工作簿 (*.xlsx)”")

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, stream_over: int | None = None) -> XlsxPackage:
        """Read the zip members of ``path``, keeping their order, dates and compression.

        Members bigger than ``stream_over`` bytes (default :data:`STREAM_OVER`) stay compressed in a copy of the
        file and are streamed when used.
        """
        path = Path(path)
        if stream_over is None:
            stream_over = STREAM_OVER
        try:
            raw = path.read_bytes()
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                infos = zf.infolist()
                parts = {info.filename: zf.read(info) for info in infos
                         if not (info.file_size > stream_over and info.compress_type in _STREAMABLE
                                 and not info.flag_bits & 1)}  # bit 0: encrypted
                comment = zf.comment
        except (OSError, RuntimeError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError,
                zlib.error) as exc:
            raise NotAWorkbook(path, f"不是可读的 Excel 文件（{exc}）") from exc
        return cls(infos, parts, comment, path, raw if len(parts) < len(infos) else b"")

    # ------------------------------------------------------------ parts
    def _name(self, part: str) -> str | None:
        """Zip member of a part name (OPC part names are case-insensitive)."""
        return self._lower.get(part.lstrip("/").lower())

    def _bytes(self, name: str) -> bytes:
        content = self._parts[name]
        if isinstance(content, _Streamed):  # wanted whole after all: read (and patch) it once
            content = b"".join(self._output(name, content))
        if isinstance(content, tuple):
            content = b"".join(content)
        self._parts[name] = content
        return content

    def _text(self, name: str) -> str:
        if name not in self._texts:
            try:
                self._texts[name] = self._bytes(name).decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise NotAWorkbook(self._source, f"{name} 不是 UTF-8 编码的 XML") from exc
        return self._texts[name]

    def _put(self, name: str, content: str | bytes | tuple[bytes, ...]) -> None:
        if name not in self._parts:
            self._lower[name.lower()] = name
            self._new.append(name)
        self._texts.pop(name, None)
        self._parts[name] = content.encode("utf-8") if isinstance(content, str) else content

    def _relationships(self, rels_part: str) -> list[dict[str, str]]:
        name = self._name(rels_part)
        if name is None:
            return []
        return [_attrs(m.group(1)) for m in
                re.finditer(r"<(?:[\w.-]+:)?Relationship\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)/?>", self._text(name))]

    @staticmethod
    def _resolve(source_part: str, target: str) -> str:
        target = unquote(target)
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))

    def _find_workbook(self) -> str:
        for rel in self._relationships("_rels/.rels"):
            if rel.get("Type", "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                name = self._name(self._resolve("", rel.get("Target", "")))
                if name is not None:
                    return name
        raise NotAWorkbook(self._source, "缺少工作簿部件（_rels/.rels 中没有 officeDocument 关系）")

    def _sheets(self) -> list[_SheetEntry]:
        wb = self._text(self._workbook)
        rels = {r.get("Id", ""): r for r in self._relationships(self._wb_rels)}
        block = re.search(r"<(?:[\w.-]+:)?sheets\b[^>]*>(.*?)</(?:[\w.-]+:)?sheets>", wb, re.S)
        out = []
        for tag in re.finditer(r"<(?:[\w.-]+:)?sheet\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)/?>",
                               block.group(1) if block else ""):
            a = _attrs(tag.group(1))
            rel = rels.get(next((v for k, v in a.items() if k.endswith(":id")), ""), {})
            part = self._name(self._resolve(self._workbook, rel["Target"])) if "Target" in rel else None
            sheet_id = a.get("sheetId", "0")
            out.append(_SheetEntry(a.get("name", ""), int(sheet_id) if sheet_id.isdigit() else 0, part,
                                   rel.get("Type", "")))
        return out

    def _sheet(self, sheet: str) -> _SheetEntry | None:
        key = sheet.casefold()  # Excel's sheet names are case-insensitive
        return next((s for s in self._sheets() if s.name.casefold() == key), None)

    def _worksheet_part(self, sheet: str) -> str:
        entry = self._sheet(sheet)
        if entry is None:
            raise KeyError(f"no sheet named {sheet!r}")
        if not entry.rel_type.endswith("/worksheet") or entry.part is None:
            raise ValueError(f"{sheet!r} is not a worksheet")
        return entry.part

    # ------------------------------------------------------------ public API
    def sheet_names(self) -> list[str]:
        """Names of all sheets, in workbook order."""
        return [s.name for s in self._sheets()]

    def set_cached_values(self, sheet: str, values: Mapping[str, CachedValue]) -> list[str]:
        """Write cached results into the formula cells of ``sheet`` (keys: A1 addresses); formulas stay as they are.

        Returns the addresses that are not formula cells (left unchanged), in row-major order.
        """
        part = self._worksheet_part(sheet)
        content = self._parts[part]
        if isinstance(content, _Streamed):
            return self._set_streamed(part, content, values)
        data = self._bytes(part)
        p = _sheet_start(data)[2]
        chunks, canonical, done = _patch_fast(data, p, values)
        if done is not None and len(done) < len(values):
            q = p.encode()
            if data.count(b"<" + q + b"f>") + data.count(b"<" + q + b"f ") > canonical:  # cells in another layout
                chunks = [_patch_general(b"".join(chunks), p, values, done)]
        missing = [] if done is None else sorted((_parse_a1(a), a) for a in values if a not in done)
        if done is None or done:
            self._put(part, tuple(chunks))  # joined only if read again
        return [a for _, a in missing]

    def put_sheet(self, name: str, rows: Sequence[Sequence[CachedValue]], *, widths: Sequence[float] = (),
                  links: Mapping[str, str] = {}, header_style: int = 0, body_style: int = 0) -> None:
        """Add a generated sheet at the end, or replace the one of that name an earlier ``put_sheet`` made.

        ``rows[0]`` is the (frozen) header row, in cell style ``header_style``, the others in ``body_style``;
        ``links`` maps a cell to a location such as ``'任务分工'!E7``.
        """
        _check_sheet_name(name)
        xml = _sheet_xml(rows, widths, links, header_style, body_style)
        entry = self._sheet(name)
        if entry is None:
            self._add_sheet(name, xml)
        elif entry.part is not None and entry.rel_type.endswith("/worksheet") \
                and _is_generated(self._head(entry.part)):
            self._put(entry.part, xml)
        else:
            raise ValueError(f"sheet {entry.name!r} exists and was not generated by xlpromo: it is not overwritten")

    def set_highlights(self, sheet: str, cells: Sequence[str]) -> None:
        """Replace this module's highlight on ``sheet`` by one light-red conditional format over ``cells``."""
        part = self._worksheet_part(sheet)
        sqref = _sqref(cells) if cells else ""
        streamed = self._parts[part]
        if isinstance(streamed, _Streamed) and _sheet_start(self._head(part))[1] is not None:
            self._bytes(part)  # an empty <sheetData/>: nothing worth streaming
        if isinstance(streamed := self._parts[part], _Streamed):
            p = _sheet_start(self._head(part))[2]
            tail = self._tail(part, streamed, p).decode("utf-8")
        else:
            chunks = self._chunks(part)
            _, empty_end, p = _sheet_start(chunks[0])
            last = chunks[-1]
            end = empty_end if empty_end is not None and len(chunks) == 1 else _sheet_end(last, p)
            if end < 0:
                raise ValueError(f"no </sheetData> in the worksheet of {sheet!r}")
            tail = last[end:].decode("utf-8")
        new = _remove_highlights(tail)
        if sqref:
            stop = _worksheet_close(new)
            priorities = [int(x) for x in re.findall(
                r"<(?:[\w.-]+:)?cfRule\b[^>]*?\spriority\s*=\s*[\"'](\d+)[\"']", new[:stop])]
            rule = (f'<{p}conditionalFormatting sqref="{sqref}"><{p}cfRule type="expression" '
                    f'dxfId="{self._dxf_id()}" priority="{max(priorities, default=0) + 1}">'
                    f"<{p}formula>{_esc(HIGHLIGHT_FORMULA)}</{p}formula></{p}cfRule></{p}conditionalFormatting>")
            at = next((s for n, s, _ in _children(new, 0, stop) if n in _AFTER_CF), stop)
            new = new[:at] + rule + new[at:]
        if new == tail:
            return
        if isinstance(streamed, _Streamed):
            streamed.tail, streamed.tail_changed = new.encode("utf-8"), True
            return
        last = last[:end] + new.encode("utf-8")
        self._put(part, (*chunks[:-1], last) if len(chunks) > 1 else last)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the package to ``path`` atomically, with fullCalcOnLoad set; other members keep their bytes."""
        wb = self._text(self._workbook)
        calc = _full_calc_on_load(wb)
        data = dict(self._parts)
        if calc != wb:
            data[self._workbook] = calc.encode("utf-8")
        with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", allowZip64=True) as zout:
            for info in self._infos:
                content = data[info.filename]
                if isinstance(content, _Streamed):
                    self._write_streamed(zout, _copy_info(info), content)
                else:
                    _write(zout, _copy_info(info), content)
            for name in self._new:
                new = zipfile.ZipInfo(name, _NEW_MEMBER_DATE)
                new.compress_type = zipfile.ZIP_DEFLATED
                content = data[name]
                assert not isinstance(content, _Streamed)  # made here, held in memory
                _write(zout, new, content)
            zout.comment = self._comment

    # ------------------------------------------------------------ internals
    def _chunks(self, name: str) -> tuple[bytes, ...]:
        """A part as chunks: the first holds the start of a worksheet, the last its end."""
        content = self._parts[name]
        if isinstance(content, _Streamed):
            content = self._bytes(name)
        return content if isinstance(content, tuple) else (content,)

    def _head(self, name: str) -> bytes:
        """The start of a worksheet part, up to the end of its <sheetData> tag at least."""
        content = self._parts[name]
        if not isinstance(content, _Streamed):
            return self._chunks(name)[0]
        if content.head is None:
            blocks = self._blocks(name, cut=True)
            first = next(blocks)[0]
            blocks.close()
            start = _SHEET_DATA.search(first)
            if start is None:
                raise ValueError("no <sheetData> in the worksheet")
            content.head = first[:start.end()]
        return content.head

    def _tail(self, name: str, content: _Streamed, p: str) -> bytes:
        """What follows </sheetData> in a streamed worksheet, as it will be written."""
        if content.tail is None:
            for block, last in self._blocks(name, cut=True):
                if last:
                    self._keep_tail(content, block, p)
        assert content.tail is not None
        return content.tail

    @staticmethod
    def _keep_tail(content: _Streamed, last: bytes, p: str) -> None:
        if content.tail is None:
            end = _sheet_end(last, p)
            if end < 0:
                raise ValueError("no </sheetData> in the worksheet")
            content.tail = last[end:]

    def _blocks(self, name: str, *, cut: bool) -> Generator[tuple[bytes, bool], None, None]:
        """A streamed member, uncompressed, in blocks of about :data:`_READ` bytes, each with whether it is the last.

        With ``cut``, a worksheet's blocks end just after a </row> (the last holds what follows the last row), so
        that no cell, and no match of the cell patterns, straddles two blocks.
        """
        close: bytes | None = None
        carry = b""
        try:
            with zipfile.ZipFile(io.BytesIO(self._raw)) as zf, zf.open(name) as src:
                while data := src.read(_READ):
                    if not cut:
                        yield data, False
                        continue
                    buf = carry + data if carry else data
                    if close is None and (m := _SHEET_DATA.search(buf)) is not None:
                        close = b"</" + (m.group(1) + b":" if m.group(1) else b"") + b"row>"
                    end = buf.rfind(close) if close is not None else -1
                    if end < 0:
                        carry = buf
                        continue
                    end += len(close)  # type: ignore[arg-type]
                    carry = buf[end:]
                    yield buf[:end], False
        except (OSError, RuntimeError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise NotAWorkbook(self._source, f"{name} 无法解压（{exc}）") from exc
        yield carry, True

    def _set_streamed(self, name: str, content: _Streamed, values: Mapping[str, CachedValue]) -> list[str]:
        """:meth:`set_cached_values` for a streamed worksheet: find the formula cells now, patch them at save."""
        p = _sheet_start(self._head(name))[2]
        scan = _scan_cell_pattern(p)
        formulas: set[str] = set()  # cells _patch_fast patches
        canonical = 0
        for block, last in self._blocks(name, cut=True):
            if found := scan.findall(block):
                canonical += len(found)
                formulas.update(b" ".join(found).decode("ascii").split(" "))  # one decode, not one per cell
            if last:
                self._keep_tail(content, block, p)
        missing = [a for a in values if a not in formulas]
        fast = None
        if missing:  # as set_cached_values: the general pattern too if some formula cell has another layout
            q = p.encode()
            f_open, f_attrs, general = b"<" + q + b"f>", b"<" + q + b"f ", _general_cell_pattern(p)
            tags, more = 0, set[str]()
            for block, _ in self._blocks(name, cut=True):
                tags += block.count(f_open) + block.count(f_attrs)
                more.update(m.group(2).decode("ascii") for m in general.finditer(block))
            if tags > canonical:
                fast = formulas
                missing = [a for a in missing if a not in more]
        if len(missing) < len(values):
            content.patches.append((dict(values), fast))
        return [a for _, a in sorted((_parse_a1(a), a) for a in missing)]

    def _output(self, name: str, content: _Streamed) -> Iterator[bytes]:
        """A streamed member as it will be written: its blocks with the cached values and the tail patched in."""
        if not content.edited:
            for block, _ in self._blocks(name, cut=False):
                yield block
            return
        p = _sheet_start(self._head(name))[2]
        fast = [(values, None if done is None else set(done)) for values, done in content.patches]
        for block, last in self._blocks(name, cut=True):
            for values, done in fast:
                chunks = _patch_fast(block, p, values, track=False)[0]
                block = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                if done is not None:
                    block = _patch_general(block, p, values, done)
            if last and content.tail_changed:
                assert content.tail is not None
                block = block[:_sheet_end(block, p)] + content.tail
            yield block

    def _write_streamed(self, zout: zipfile.ZipFile, info: zipfile.ZipInfo, content: _Streamed) -> None:
        """Copy a streamed member into ``zout``, compressing on another core while the next block is patched."""
        info.file_size = content.size  # exact unless patched: then ZIP64 is forced where the size could pass it
        pending: deque[Future[int]] = deque()
        with zout.open(info, "w", force_zip64=content.edited and content.size > _BIG) as out, \
                ThreadPoolExecutor(max_workers=1) as pool:
            for block in self._output(info.filename, content):
                pending.append(pool.submit(out.write, block))  # zlib releases the GIL while it compresses
                if len(pending) > 2:
                    pending.popleft().result()
            while pending:
                pending.popleft().result()

    def _add_sheet(self, name: str, xml: str) -> None:
        """A new worksheet part, registered in workbook.xml, its relationships and [Content_Types].xml."""
        sheets = self._sheets()
        rels_name = self._name(self._wb_rels)
        ct_name = self._name("[Content_Types].xml")
        if rels_name is None or ct_name is None:
            raise ValueError("the package has no workbook relationships or no [Content_Types].xml")
        wb_dir = posixpath.dirname(self._workbook)
        ct = self._text(ct_name)
        taken = {a.get("PartName", "").lstrip("/").lower() for a in map(_attrs, re.findall(
            r"<(?:[\w.-]+:)?Override\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", ct))}
        n = len(sheets) + 1
        while (self._name(posixpath.join(wb_dir, f"worksheets/sheet{n}.xml")) is not None
               or posixpath.join(wb_dir, f"worksheets/sheet{n}.xml").lower() in taken):
            n += 1
        target = f"worksheets/sheet{n}.xml"
        part = posixpath.join(wb_dir, target)
        ids = {r.get("Id", "") for r in self._relationships(self._wb_rels)}
        k = 1 + max((int(i[3:]) for i in ids if re.fullmatch(r"rId[0-9]+", i)), default=0)
        rid = f"rId{k}"
        sheet_id = 1 + max((s.sheet_id for s in sheets), default=0)

        wb = self._text(self._workbook)
        p = _prefix(wb, "workbook")
        r_ns = re.search(rf"""xmlns:([\w.-]+)\s*=\s*["']{re.escape(_REL_NS)}["']""", wb)
        r_attr = f'{r_ns.group(1)}:id="{rid}"' if r_ns else f'xmlns:r="{_REL_NS}" r:id="{rid}"'
        close = wb.find(f"</{p}sheets>")
        if close < 0:
            raise ValueError("workbook.xml has no <sheets> list")
        self._put(self._workbook,
                  wb[:close] + f'<{p}sheet name="{_esc_attr(name)}" sheetId="{sheet_id}" {r_attr}/>' + wb[close:])

        rels = self._text(rels_name)
        rp = _prefix(rels, "Relationships")
        close = rels.rfind(f"</{rp}Relationships>")
        self._put(rels_name, rels[:close] + f'<{rp}Relationship Id="{rid}" Type="{_RT_WORKSHEET}" Target="{target}"/>'
                  + rels[close:])

        tp = _prefix(ct, "Types")
        close = ct.rfind(f"</{tp}Types>")
        override = f'<{tp}Override PartName="/{part}" ContentType="{_CT_WORKSHEET}"/>'
        self._put(ct_name, ct[:close] + override + ct[close:])
        self._put(part, xml)

    def _dxf_id(self) -> int:
        """Index of the highlight's dxf in styles.xml: an identical one reused, else ours appended once."""
        rel = next((r for r in self._relationships(self._wb_rels) if r.get("Type", "").endswith("/styles")), None)
        name = self._name(self._resolve(self._workbook, rel["Target"])) if rel and "Target" in rel else None
        if name is None:
            raise ValueError("the workbook has no styles part")
        xml = self._text(name)
        p = _prefix(xml, "styleSheet")
        dxf = (f'<{p}dxf><{p}font><{p}color rgb="{_DXF_FONT}"/></{p}font><{p}fill><{p}patternFill>'
               f'<{p}bgColor rgb="{_DXF_FILL}"/></{p}patternFill></{p}fill></{p}dxf>')
        start, stop = _root_span(xml, "styleSheet")
        top = _children(xml, start, stop)
        block = next(((s, e) for n, s, e in top if n == "dxfs"), None)
        if block is None:
            at = next((s for n, s, _ in top if n in _AFTER_DXFS), stop)
            self._put(name, xml[:at] + f'<{p}dxfs count="1">{dxf}</{p}dxfs>' + xml[at:])
            return 0
        s, e = block
        head = _TAG.match(xml, s)
        assert head is not None
        empty = bool(head.group(3))
        inner_end = e if empty else xml.rfind("<", s, e)
        items = [] if empty else [xml[a:b] for _, a, b in _children(xml, head.end(), inner_end)]
        same = [re.sub(r"\s*/>", "/>", re.sub(r">\s+<", "><", x)) for x in items]
        if dxf in same:
            return same.index(dxf)
        open_tag = _set_attr(head.group(0)[:-2] + ">" if empty else head.group(0), "count", str(len(items) + 1))
        inner = "" if empty else xml[head.end():inner_end]
        self._put(name, xml[:s] + open_tag + inner + dxf + f"</{p}dxfs>" + xml[e:])
        return len(items)


# ---------------------------------------------------------------------------- parts we write


def _cell_xml(ref: str, v: CachedValue) -> str:
    if v is None or (isinstance(v, str) and v == ""):
        return ""
    if isinstance(v, str):
        text = _esc_cell(_ILLEGAL_XML.sub("", v)[:_MAX_TEXT])
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
    t, text = _encode(v)
    return f'<c r="{ref}" t="{t}"><v>{text}</v></c>' if t else f'<c r="{ref}"><v>{text}</v></c>'


def _sheet_xml(rows: Sequence[Sequence[CachedValue]], widths: Sequence[float], links: Mapping[str, str],
               header_style: int = 0, body_style: int = 0) -> str:
    """The worksheet part of a generated sheet: frozen header, column widths, internal hyperlinks,
    printed landscape on A4, one page wide."""
    ncols = max((len(r) for r in rows), default=0)
    if len(rows) > _MAX_ROW or ncols > _MAX_COL or len(widths) > _MAX_COL:
        raise ValueError("too many rows or columns for one sheet")
    names = [_col_name(c + 1) for c in range(max(ncols, 1))]
    data = []
    for i, row in enumerate(rows, start=1):
        cells = "".join(_cell_xml(f"{names[j]}{i}", v) for j, v in enumerate(row))
        style = header_style if i == 1 else body_style
        if style:
            cells = cells.replace("<c r=", f'<c s="{style}" r=')
        lines = _lines(row, widths) if i > 1 and body_style else 1
        height = f' ht="{15 * lines}" customHeight="1"' if lines > 1 else ""  # wrapped: readers do not autofit
        if cells:
            data.append(f'<row r="{i}"{height}>{cells}</row>')
    cols = []
    for j, w in enumerate(widths, start=1):
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 <= w <= 255:
            raise ValueError(f"not a column width: {w!r}")
        cols.append(f'<col min="{j}" max="{j}" width="{_number(float(w))}" customWidth="1"/>')
    hyperlinks = []
    for ref in sorted(links, key=_parse_a1):
        r, c = _parse_a1(ref)
        value = rows[r - 1][c - 1] if r <= len(rows) and c <= len(rows[r - 1]) else None
        display = links[ref] if value is None or value == "" else str(value)
        hyperlinks.append(f'<hyperlink ref="{ref}" location="{_esc_attr(links[ref])}" '
                          f'display="{_esc_attr(display[:255])}"/>')
    dim = f"A1:{names[-1]}{len(rows)}" if rows and ncols else "A1"
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            f'<sheetPr><tabColor rgb="{GENERATED_TAB_COLOR}"/><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="{dim}"/>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{''.join(cols)}</cols>" if cols else "")
            + f"<sheetData>{''.join(data)}</sheetData>"
            + (f"<hyperlinks>{''.join(hyperlinks)}</hyperlinks>" if hyperlinks else "")
            + '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>')


def _lines(row: Sequence[CachedValue], widths: Sequence[float]) -> int:
    """Lines the longest text of a row takes when wrapped in its column."""
    return max((text_lines(v, w) for v, w in zip(row, widths, strict=False) if isinstance(v, str)), default=1)


def text_lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide (a CJK character is two), at most 20."""
    if len(text) * 2 <= width - 1:  # fits on one line whatever its characters
        return 1
    size = (len(text.encode("utf-8")) + len(text)) / 2  # CJK (3 bytes in UTF-8) 2 units, ASCII 1
    return max(1, min(-int(-size // max(width - 1, 1)), 20))


def _full_calc_on_load(wb: str) -> str:
    """workbook.xml with <calcPr fullCalcOnLoad="1"> (the element added where the schema puts it if absent)."""
    m = re.search(r"<(?:[\w.-]+:)?calcPr\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?/?>", wb)
    if m is not None:
        return wb[:m.start()] + _set_attr(m.group(0), "fullCalcOnLoad", "1") + wb[m.end():]
    start, stop = _root_span(wb, "workbook")
    at = start
    for name, _, e in _children(wb, start, stop):
        if name in _BEFORE_CALCPR:
            at = e
    return wb[:at] + f'<{_prefix(wb, "workbook")}calcPr fullCalcOnLoad="1"/>' + wb[at:]


def _write(zout: zipfile.ZipFile, info: zipfile.ZipInfo, content: bytes | tuple[bytes, ...]) -> None:
    """One member, given as bytes or as chunks (the same bytes in the zip as writestr of their concatenation)."""
    if isinstance(content, bytes):
        zout.writestr(info, content)
        return
    info.file_size = sum(map(len, content))  # decides ZIP64 exactly as writestr would
    with zout.open(info, "w") as out:
        for chunk in content:
            out.write(chunk)


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh ZipInfo with the name, date, attributes and comment of ``info``."""
    out = zipfile.ZipInfo(info.filename, info.date_time)
    out.compress_type = info.compress_type
    out.external_attr = info.external_attr
    out.internal_attr = info.internal_attr
    out.create_system = info.create_system
    out.comment = info.comment
    return out

