"""File adapter, read side: every table of the schema from an .xlsx, as typed, with origins.

One python-calamine read per sheet. Columns are found by header (reordered columns,
stray spaces and full-width characters are tolerated), blank rows are dropped, and every
value keeps its Excel row so a finding can name its cell (``任务分工!E7``). Cached results
of computed columns are not read: the engine recomputes them.
"""

from __future__ import annotations

import functools
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from xlpromo.errors import EncryptedWorkbook, MissingHeader, MissingSheet, NotAWorkbook
from xlpromo.model.a1 import col_name, parse_cell
from xlpromo.model.book import RawBook, RawTable, TableRef
from xlpromo.model.master import SCHEMA
from xlpromo.model.parse import normalize_header
from xlpromo.model.schema import Table, WorkbookSchema
from xlpromo.model.values import BadNumber, CellError, is_blank
from xlpromo.ooxml import addressed_blocks, relationships, rels_part, resolve

__all__ = ["SheetParts", "open_calamine", "package_parts", "read_rows", "read_workbook", "stored_texts"]

_SCAN_ROWS = 30  # rows searched for a header when the file has no Excel table object


def open_calamine(path: Path) -> CalamineWorkbook:
    """The workbook at ``path`` opened by python-calamine; NotAWorkbook (and kin) when it cannot be read."""
    if not path.is_file():
        raise NotAWorkbook(path, "找不到文件")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise NotAWorkbook(path, f"无法读取文件（{exc.strerror or exc}）") from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE container: encrypted OOXML or legacy .xls
        raw = path.read_bytes()
        if "EncryptionInfo".encode("utf-16-le") in raw:
            raise EncryptedWorkbook(path, ("文件设置了打开密码：请在 Excel、WPS 或 LibreOffice 中"
                                          "取消密码后另存为 .xlsx"))
        raise NotAWorkbook(path, "这是旧版 .xls 文件：请在 Excel、WPS 或 LibreOffice 中另存为 .xlsx")
    if not head.startswith(b"PK"):
        raise NotAWorkbook(path, "不是 Excel 工作簿（.xlsx）")
    try:
        return CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise NotAWorkbook(path, f"文件已损坏或不完整，无法读取（{exc}）") from None


@dataclass
class SheetParts:
    """What the package says about one sheet that calamine does not: tables and error cells."""

    tables: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # name → 0-based r0, c0, r1, c1
    totals: set[int] = field(default_factory=set)  # 0-based rows that are Excel total rows (汇总行)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → "#N/A"


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship Id → the part it names, for ``part`` (none when it has no relationships part)."""
    if not part:
        raise ValueError("a sheet without its part")
    try:
        xml = z.read(rels_part(part)).decode("utf-8-sig")
    except KeyError:
        return {}
    return {r.get("Id", ""): resolve(part, r.get("Target", "")) for r in relationships(xml)}


def package_parts(path: Path, sheet_names: Iterable[str]) -> dict[str, SheetParts]:
    """One pass over the zip: Excel tables (name and range) and error values, per wanted sheet."""
    wanted = set(sheet_names)
    out: dict[str, SheetParts] = {}
    name: str | None = None
    try:
        with zipfile.ZipFile(path) as z:
            book = ElementTree.fromstring(z.read("xl/workbook.xml"))
            targets = _rels(z, "xl/workbook.xml")
            for s in book.iterfind("m:sheets/m:sheet", _NS):
                name = s.get("name", "")
                if name not in wanted:
                    name = None
                    continue
                member = targets.get(s.get(f"{{{_NS['r']}}}id", ""), "")
                parts = out.setdefault(name, SheetParts())
                for rel_target in _rels(z, member).values():
                    if "/tables/" not in rel_target:
                        continue
                    table = ElementTree.fromstring(z.read(rel_target))
                    ref = table.get("ref", "")
                    if ":" in ref:
                        (r0, c0), (r1, c1) = (parse_cell(x) for x in ref.split(":"))
                        totals = int(table.get("totalsRowCount", "0") or 0)
                        display = table.get("displayName") or table.get("name") or ""
                        parts.tables[display] = (r0, c0, r1 - totals, c1)
                        parts.totals.update(range(r1 - totals + 1, r1 + 1))
                for xml in _cell_blocks(z, member):
                    if b't="e"' in xml:
                        for m in _ERROR_CELL.finditer(xml):
                            row, col = parse_cell(m.group(1).decode())
                            parts.errors[(row, col)] = m.group(2).decode()
    except KeyError:
        return out
    except (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, EOFError, ValueError) as exc:
        where = f"工作表“{name}”" if name else "文件"
        raise NotAWorkbook(path, f"{where}已损坏，无法解压或解析（{type(exc).__name__}: {exc}）", sheet=name) from None
    return out


# A cell tag with t="e" (attributes in any order, any namespace prefix), then an optional formula and the value.
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\s(?=[^>]*\bt="e")[^>]*?\br="([A-Z]+[0-9]+)"[^>]*>'
                         rb'(?:<(?:\w+:)?f[^>]*/>|<(?:\w+:)?f[^>]*>.*?</(?:\w+:)?f>)?'
                         rb'<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>', re.S)


_BLOCK = 4 * 2**20  # bytes of a worksheet decompressed at a time


def _cell_blocks(z: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """A worksheet's XML in blocks of about :data:`_BLOCK` bytes, cut after a </row>: no cell straddles two, and
    every cell has its r attribute (a row or cell without one is given the address it implies)."""
    with z.open(member) as src:
        for block, _ in addressed_blocks(src, _BLOCK):
            yield block


def _filled(data: pd.DataFrame) -> pd.DataFrame:
    """Cells that hold something: not None/NaN, not an empty or whitespace-only string (errors count)."""
    out = {}
    for key in data.columns:
        values = data[key].to_numpy(dtype=object)
        if pd.api.types.infer_dtype(values, skipna=True) in ("floating", "integer", "date", "datetime", "empty",
                                                             "boolean", "mixed-integer-float"):
            out[key] = pd.notna(values)  # no strings in the column: nothing can be whitespace-only
        else:  # not v.strip() is v == "" or v.isspace(), which makes no new string
            out[key] = np.array([v != "" and not v.isspace() if v.__class__ is str else not is_blank(v)
                                 for v in values.tolist()], dtype=bool)
    return pd.DataFrame(out, index=data.index, columns=data.columns)


def _locate(table: Table, rows: list[list[Any]], known: tuple[int, int, int, int] | None) -> tuple[int, int, int]:
    """(header row, first col, last col), 0-based: from the Excel table, else by scanning headers."""
    if known:
        return known[0], known[1], known[3]
    wanted = {normalize_header(c.header) for c in table.columns}
    first = normalize_header(table.columns[0].header)
    best: tuple[int, int, int] | None = None
    best_score = 0
    for r, row in enumerate(rows[:_SCAN_ROWS]):
        cells = [normalize_header(v) for v in row]
        for c, v in enumerate(cells):
            if v != first:
                continue
            end = c
            while end + 1 < len(cells) and cells[end + 1]:
                end += 1
            score = len(wanted & set(cells[c:end + 1]))
            if score > best_score:
                best, best_score = (r, c, end), score
    if best is None or best_score < max(1, len(table.inputs) // 2):
        return -1, -1, -1
    return best


#: The stored texts of number cells (0-based row, col) that hold no finite number, by their cells; those it does
#: not know are shown as Python prints the float (inf, nan).
StoredTexts = Callable[[Collection[tuple[int, int]]], Mapping[tuple[int, int], str]]


def _bad_numbers(data: pd.DataFrame, columns: Mapping[str, int], stored: StoredTexts | None) -> set[int]:
    """Replace every float inf or NaN of ``data`` (key → 0-based sheet column) by a :class:`BadNumber` of the text
    its cell stores (``1e309``, ``INF``, ``NaN``), in place; the 0-based rows where there was one."""
    found: dict[tuple[int, int], tuple[int, str, float]] = {}
    for key, c in columns.items():
        values = data[key].to_numpy(dtype=object)
        odd = (values != values) | (values == math.inf) | (values == -math.inf)  # NaN is the one value ≠ itself
        if odd.any():
            for row, v in data[key][odd].items():
                if isinstance(v, (float, np.floating)):
                    found[(int(row) - 1, c)] = (int(row), key, float(v))
    if not found:
        return set()
    texts = stored(list(found)) if stored is not None else {}
    for cell, (row, key, v) in found.items():
        data.at[row, key] = BadNumber(texts.get(cell) or repr(v))
    return {r for r, _ in found}


_VALUE_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]+[0-9]+)"[^>]*>'
                         rb'(?:<(?:\w+:)?f[^>]*/>|<(?:\w+:)?f[^>]*>[^<]*</(?:\w+:)?f>)?'
                         rb'<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>')


def stored_texts(path: Path, sheet: str, cells: Collection[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The ``<v>`` text of each cell (0-based row, col) of ``sheet`` in the package at ``path``, as stored: what
    calamine reads as inf or NaN was written ``1e309``, ``INF`` or ``NaN``. Empty when the package cannot say."""
    wanted = {f"{col_name(c)}{r + 1}".encode(): (r, c) for r, c in cells}
    out: dict[tuple[int, int], str] = {}
    try:
        with zipfile.ZipFile(path) as z:
            book = ElementTree.fromstring(z.read("xl/workbook.xml"))
            targets = _rels(z, "xl/workbook.xml")
            rid = next((s.get(f"{{{_NS['r']}}}id", "") for s in book.iterfind("m:sheets/m:sheet", _NS)
                        if s.get("name") == sheet), None)
            if rid is None or not targets.get(rid):
                return out
            for xml in _cell_blocks(z, targets[rid]):
                for m in _VALUE_CELL.finditer(xml):
                    at = wanted.get(m.group(1))
                    if at is not None:
                        out[at] = m.group(2).decode("utf-8", "replace").strip()
                if len(out) == len(wanted):
                    break
    except (KeyError, zipfile.BadZipFile, zlib.error, ElementTree.ParseError, EOFError, ValueError):
        return out
    return out


def _read_table(path: Path, sheet: str, table: Table, rows: list[list[Any]],
                known: tuple[int, int, int, int] | None, errors: dict[tuple[int, int], str],
                merged: list[tuple[tuple[int, int], tuple[int, int]]], stop: int,
                totals: frozenset[int] = frozenset(), stored: StoredTexts | None = None) -> RawTable:
    hr, c0, c1 = _locate(table, rows, known)
    if hr < 0:
        raise MissingHeader(path, f"工作表“{sheet}”中找不到“{table.title}”的表头（应有：{'、'.join(table.headers)}）",
                            sheet=sheet, header=table.headers[0])
    by_header = {normalize_header(c.header): c for c in table.columns}
    header = rows[hr]
    columns: dict[str, int] = {}
    extra, duplicate = [], []
    for c in range(c0, min(c1, len(header) - 1) + 1):
        name = normalize_header(header[c])
        if not name:
            continue
        addr = f"{col_name(c)}{hr + 1}"
        col = by_header.get(name)
        if col is None:
            extra.append((addr, str(header[c])))
        elif col.key in columns:
            duplicate.append((addr, str(header[c])))
        else:
            columns[col.key] = c
    for col in table.inputs:
        if col.key not in columns:
            raise MissingHeader(path, f"工作表“{sheet}”的表头缺少“{col.header}”列（第 {hr + 1} 行）",
                                sheet=sheet, header=col.header)
    last = stop if table.growable else (known[2] if known else stop)
    inputs = [c.key for c in table.inputs]
    keys = inputs + [c.key for c in table.system_columns if c.key in columns]  # xlpromo's own, when present
    idx = [columns[k] for k in keys]
    end = min(last, len(rows) - 1)
    block = pd.DataFrame(rows[hr + 1:end + 1], dtype=object) if end > hr else pd.DataFrame(dtype=object)
    width = block.shape[1]  # the columns the rows have: reindex adds NaN beyond them, which no cell holds
    block = block.reindex(columns=range(max(idx) + 1 if idx else 0))
    data = block[idx].copy() if len(block) else pd.DataFrame(columns=idx, dtype=object)
    data.columns = pd.Index(keys)
    data.index = pd.RangeIndex(hr + 2, hr + 2 + len(data), name="row")  # Excel row numbers
    error_rows = {r for r, c in errors if c in idx and hr < r <= end}
    error_rows |= _bad_numbers(data, {k: c for k, c in zip(keys, idx, strict=True) if c < width}, stored)
    for r, c in errors:
        if hr < r <= end and c in idx:
            data.at[r + 1, keys[idx.index(c)]] = CellError(errors[(r, c)])
    filled = _filled(data[inputs]).any(axis=1) if len(data) else pd.Series(dtype=bool)
    if totals and len(data):
        filled &= ~data.index.isin([r + 1 for r in totals])  # an Excel total row (汇总行) is not data
    if not table.growable and not known and len(data) and not filled.all():
        first_blank = int(filled.to_numpy().argmin())  # a table without an Excel table object ends at a blank row
        filled.iloc[first_blank:] = False
    if not table.growable and table.capacity == 1 and len(data):
        filled.iloc[0] = True  # the one row of 活动目标 is checked even when left blank
    data = data[filled.astype(bool)] if len(data) else data
    if len(data) and data.isna().to_numpy().any():
        data = data.where(data.notna(), None)
    lo, hi = min(columns.values()), max(columns.values())
    overlaps = [f"{col_name(a[1])}{a[0] + 1}:{col_name(b[1])}{b[0] + 1}" for a, b in merged
                if b[0] > hr and a[0] <= last and b[1] >= lo and a[1] <= hi]
    has_errors = bool(error_rows)
    return RawTable(table=table, sheet=sheet, header_excel_row=hr + 1, columns=columns, data=data,
                    extra=extra, duplicate=duplicate, merged=overlaps, has_errors=has_errors,
                    excel_table=known is not None)


def read_workbook(path: str | Path, schema: WorkbookSchema = SCHEMA) -> RawBook:
    """Read every table of ``schema`` from ``path``; WorkbookError when the file is unusable."""
    path = Path(path)
    wb = open_calamine(path)
    actual = {normalize_header(n): n for n in wb.sheet_names}
    needed = {s.key: actual.get(normalize_header(s.name)) for s in schema.sheets if s.tables}
    for s in schema.sheets:
        if s.tables and needed[s.key] is None and not all(t.optional for t in s.tables):
            raise MissingSheet(path, f"缺少工作表“{s.name}”", sheet=s.name)
    present = {k: v for k, v in needed.items() if v is not None}  # a sheet of optional tables a book made before lacks
    # The package scan (zlib, which releases the GIL) runs beside calamine's reads on another core.
    with ThreadPoolExecutor(max_workers=1) as pool:
        scan = pool.submit(package_parts, path, [n for n in present.values() if n])
        sheets = {}
        for s in schema.sheets:
            if s.key in present:
                name = present[s.key]
                try:
                    sheet = wb.get_sheet_by_name(name)
                    sheets[s.key] = (sheet.to_python(skip_empty_area=False), list(sheet.merged_cell_ranges or []))
                except CalamineError as exc:
                    raise NotAWorkbook(path, f"工作表“{name}”无法读取（{exc}）", sheet=name) from None
        package = scan.result()
    tables: dict[str, RawTable] = {}
    for s in schema.sheets:
        if s.key not in present:
            continue
        name = present[s.key]
        rows, merged = sheets[s.key]
        stop = len(rows) - 1
        parts = package.get(name, SheetParts())
        for t in s.tables:
            known = parts.tables.get(t.name)  # header row included: r0 is the header
            if t.optional and known is None and _locate(t, rows, None)[0] < 0:
                continue  # a book made before the table existed
            tables[t.key] = _read_table(path, name, t, rows, known, parts.errors, merged, stop,
                                        frozenset(parts.totals), functools.partial(stored_texts, path, name))
    return RawBook(path=path, tables=tables, sheet_names=list(wb.sheet_names))


#: An Excel table's range: 0-based first row (its header), first column, last row, last column.


def read_rows(path: str | Path, sheet_names: Sequence[str], rows_of: Callable[[str], list[list[Any]]],
              tables_of: Callable[[str], Mapping[str, TableRef]], schema: WorkbookSchema = SCHEMA,
              keys: Collection[str] | None = None) -> RawBook:
    """A RawBook from any backend: each needed sheet's values from A1 (CellError for error cells) and its Excel tables.

    ``rows_of`` and ``tables_of`` are called once per sheet that holds a table of the schema (of ``keys``, if given).
    """
    path = Path(path)
    actual = {normalize_header(n): n for n in sheet_names}
    tables: dict[str, RawTable] = {}
    for s in schema.sheets:
        if not s.tables or (keys is not None and not any(t.key in keys for t in s.tables)):
            continue
        name = actual.get(normalize_header(s.name))
        if name is None and all(t.optional for t in s.tables):
            continue  # a sheet of optional tables a book made before lacks
        if name is None:
            raise MissingSheet(path, f"缺少工作表“{s.name}”", sheet=s.name)
        rows, known = rows_of(name), tables_of(name)
        errors = {(r, c): str(v) for r, row in enumerate(rows) for c, v in enumerate(row) if isinstance(v, CellError)}
        for t in s.tables:
            if t.optional and t.name not in known and _locate(t, rows, None)[0] < 0:
                continue  # a book made before the table existed
            tables[t.key] = _read_table(path, name, t, rows, known.get(t.name), errors, [], len(rows) - 1)
    return RawBook(path=path, tables=tables, sheet_names=list(sheet_names))
