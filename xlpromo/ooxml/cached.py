"""Cached values written into formula cells, the formulas left as they are: the kernel of ``recalc``.

Most formula cells are in the one layout Excel, LibreOffice, xlsxwriter and openpyxl write
(``<c r="A1" ...><f>..</f><v>..</v></c>``): :func:`patch_fast` splits a sheet on that pattern
and fills the values with no Python call per cell. :func:`patch_general` then takes the cells in
any other layout. Works on bytes, whole sheets or blocks cut after a ``</row>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from itertools import islice, repeat
from typing import Any

from xlpromo.model.a1 import parse_cell
from xlpromo.ooxml.cells import CachedValue, encode, number, with_t
from xlpromo.ooxml.xmltext import esc_cell

__all__ = ["formula_tags", "general_cell_pattern", "patch_fast", "patch_general", "patch_values", "row_major",
           "scan_cell_pattern"]

_CHUNK = 5 * 800  # pieces of a split worksheet joined into one chunk (~800 formula cells)


class _Missing:
    """Type of the sentinel for an address absent from the values."""


_MISSING = _Missing()

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


def scan_cell_pattern(p: str) -> re.Pattern[bytes]:
    """The cells :func:`_fast_cell_pattern` matches, with their address as the only group."""
    if p not in _SCAN:
        _SCAN[p] = re.compile(_fast_source(p, True), re.S)
    return _SCAN[p]


def general_cell_pattern(p: str) -> re.Pattern[bytes]:
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


def patch_fast(data: bytes, p: str, values: Mapping[str, CachedValue], *,
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
                number(v)
            return opening + (text[:-2] if text[-2:] == ".0" else text).encode() + closing
        if isinstance(v, str):
            done = known[v] = opening + esc_cell(v).encode() + closing
            return done
        return opening + encode(v)[1].encode() + closing

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
        t = encode(next(v for v in vals if type(v) is kind))[0]
        rests[kind] = {old: ('"' + with_t(old[1:-1].decode(), t) + ">").encode() for old in olds}
    if any(new != old for table in rests.values() for old, new in table.items()):
        pieces[2::5] = [old if v is _MISSING else rests[type(v)][old]
                        for old, v in zip(pieces[2::5], vals, strict=True)]
    done = None if ordered is not None or not track else {
        k for k, v in zip(keys, vals, strict=True) if v is not _MISSING}
    if done is not None and len(done) == len(values):
        done = None
    # a few hundred chunks of ~1 MB rather than one copy of the whole sheet (save() streams them to the zip)
    return [b"".join(pieces[i:i + _CHUNK]) for i in range(0, len(pieces), _CHUNK)], n, done


def patch_general(data: bytes, p: str, values: Mapping[str, CachedValue], done: set[str]) -> bytes:
    """Cached values into the formula cells :func:`patch_fast` could not read (``done`` is updated)."""

    def patch(m: re.Match[bytes]) -> bytes:
        addr = m.group(2).decode("ascii")
        if addr in done or addr not in values:
            return m.group(0)
        done.add(addr)
        t, text = encode(values[addr])
        attrs = with_t(m.group(1).decode(), t)
        return f"<{p}c{attrs}>".encode() + m.group(3) + f"<{p}v>{text}</{p}v></{p}c>".encode()

    return general_cell_pattern(p).sub(patch, data)


def formula_tags(data: bytes, p: str) -> int:
    """Number of ``<f>`` elements: more than the canonical formula cells means some have another layout."""
    q = p.encode()
    return data.count(b"<" + q + b"f>") + data.count(b"<" + q + b"f ")


def patch_values(data: bytes, p: str, values: Mapping[str, CachedValue]) -> tuple[list[bytes], set[str] | None]:
    """Cached values into every formula cell of a sheet held whole: the fast pattern, then the general one if
    some formula cell has another layout. Returns the chunks and the addresses patched (None: all of them)."""
    chunks, canonical, done = patch_fast(data, p, values)
    if done is not None and len(done) < len(values) and formula_tags(data, p) > canonical:
        chunks = [patch_general(b"".join(chunks), p, values, done)]
    return chunks, done


def row_major(refs: Iterable[str]) -> list[str]:
    """Canonical A1 addresses in row-major order; ValueError for any other text (``$H$4``, ``h4``)."""
    def key(ref: str) -> tuple[int, int]:
        if "$" in ref:
            raise ValueError(f"not a cell address (A1 form, upper case, no $): {ref!r}")
        return parse_cell(ref)

    return sorted(refs, key=key)
