"""The .xlsx/.xlsm package held in memory: parts read, replaced and added, then saved keeping every other byte.

openpyxl's load + save is slow, blanks every cached formula value and drops the ribbon
relationship. :class:`XlsxPackage` keeps every zip member as bytes and edits the few parts it
must change as text (the part modules beside this one). Every other member is written back with
the same bytes, so tables, validations, conditional formats, names, styles, VBA projects and
ribbons survive. Worksheets stay bytes, never decoded; a member bigger than
:data:`~xlpromo.ooxml.stream.STREAM_OVER` stays compressed (:mod:`xlpromo.ooxml.stream`).

Rows and cells without an ``r`` attribute are given theirs (:mod:`xlpromo.ooxml.addresses`) in a
worksheet that is patched. Not handled: the cells of an array formula other than its anchor are reported as not
being formula cells; Strict Open XML and .xlsb files are refused; docProps/app.xml keeps its old
list of sheet titles (Excel and LibreOffice ignore it).
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from xlpromo.errors import NotAWorkbook, SheetNameTaken
from xlpromo.ooxml import stream
from xlpromo.ooxml.addresses import addressed
from xlpromo.ooxml.atomic import atomic_path
from xlpromo.ooxml.cached import patch_values, row_major
from xlpromo.ooxml.cells import CachedValue
from xlpromo.ooxml.content_types import CT_STYLES, CT_WORKSHEET, add_override, override_names
from xlpromo.ooxml.highlight import add_highlight, highlight_dxf, remove_highlights, sqref
from xlpromo.ooxml.rels import RT_STYLES, RT_WORKSHEET, add_relationship, next_id, relationships, rels_part, resolve
from xlpromo.ooxml.sheets import SheetValue, is_generated, sheet_xml
from xlpromo.ooxml.styles import add_dxf, minimal_styles
from xlpromo.ooxml.workbook import SheetEntry, add_sheet_entry, check_sheet_name, full_calc_on_load, sheet_tags
from xlpromo.ooxml.worksheet import sheet_end, sheet_start
from xlpromo.ooxml.xmltext import STRICT_NS, esc, ns_prefix, unescape

__all__ = ["XlsxPackage"]

_NEW_MEMBER_DATE = (1980, 1, 1, 0, 0, 0)
_SERIES_REF = re.compile(r"(<(?:[\w.-]+:)?f>)([^<]*)(</(?:[\w.-]+:)?f>)")  # a chart series' cell reference
_Content = bytes | tuple[bytes, ...] | stream.Streamed  # tuple: chunks of a patched worksheet


def _retargeted(m: re.Match[str], ref: Callable[[str], str]) -> str:
    """One ``<c:f>`` element with its reference rewritten by ``ref``; as it was when ``ref`` keeps it."""
    old = unescape(m.group(2))
    new = ref(old)
    return m.group(0) if new == old else m.group(1) + esc(new) + m.group(3)


class XlsxPackage:
    """An .xlsx/.xlsm/.xlam package held in memory; edits are applied by :meth:`save` to a new file."""

    def __init__(self, infos: list[zipfile.ZipInfo], parts: dict[str, bytes], comment: bytes, source: Path,
                 raw: bytes = b"") -> None:
        self._infos = infos
        # a member not in ``parts`` stays in ``raw`` (the source file), read when needed
        self._parts: dict[str, _Content] = dict(parts)
        for info in infos:
            if info.filename not in parts:
                self._parts[info.filename] = stream.Streamed(raw, info.filename, info.file_size, source)
        self._comment = comment
        self._source = source
        self._texts: dict[str, str] = {}
        self._new: list[str] = []
        self._lower = {name.lower(): name for name in self._parts}
        self._workbook = self._find_workbook()
        if not self._workbook.lower().endswith(".xml"):
            raise NotAWorkbook(source, ("不支持二进制工作簿（.xlsb）：请在 Excel、WPS 或 LibreOffice 中"
                                         "另存为 .xlsx 或 .xlsm"))
        self._wb_rels = rels_part(self._workbook)
        if STRICT_NS in self._text(self._workbook)[:4000]:
            raise NotAWorkbook(source, ("不支持 Strict Open XML 格式：请在 Excel、WPS 或 LibreOffice 中"
                                         "另存为“Excel 工作簿 (*.xlsx)”"))

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, stream_over: int | None = None) -> XlsxPackage:
        """Read the zip members of ``path``, keeping their order, dates and compression.

        Members bigger than ``stream_over`` bytes (default :data:`~xlpromo.ooxml.stream.STREAM_OVER`) stay
        compressed in a copy of the file and are streamed when used.
        """
        path = Path(path)
        if stream_over is None:
            stream_over = stream.STREAM_OVER
        try:
            raw = path.read_bytes()
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                infos = zf.infolist()
                parts = {info.filename: zf.read(info) for info in infos
                         if not (info.file_size > stream_over and info.compress_type in stream.STREAMABLE
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
        """A member whole (a streamed one is read, and patched, once: it is held from then on)."""
        content = self._parts[name]
        if isinstance(content, stream.Streamed):
            content = b"".join(content.output())
        if isinstance(content, tuple):
            content = b"".join(content)
        self._parts[name] = content
        return content

    def _text(self, name: str) -> str:
        """A member as text (decoded once; NotAWorkbook unless it is UTF-8)."""
        if name not in self._texts:
            try:
                self._texts[name] = self._bytes(name).decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise NotAWorkbook(self._source, f"{name} 不是 UTF-8 编码的 XML") from exc
        return self._texts[name]

    def _put(self, name: str, content: str | bytes | tuple[bytes, ...]) -> None:
        """Replace a member, or add it (written after the members of the source, in the order added)."""
        if name not in self._parts:
            self._lower[name.lower()] = name
            self._new.append(name)
        self._texts.pop(name, None)
        self._parts[name] = content.encode("utf-8") if isinstance(content, str) else content

    def _chunks(self, name: str) -> tuple[bytes, ...]:
        """A part as chunks: the first holds the start of a worksheet, the last its end."""
        content = self._parts[name]
        if isinstance(content, stream.Streamed):
            content = self._bytes(name)
        return content if isinstance(content, tuple) else (content,)

    def _addressed(self, part: str, *, keep: bool = True) -> bytes:
        """A worksheet held whole with every row and cell addressed (:mod:`xlpromo.ooxml.addresses`); ``keep``
        replaces the part by it when some had no ``r`` (a sheet about to be rewritten)."""
        data = self._bytes(part)
        new = addressed(data, sheet_start(self._head(part))[2])
        if keep and new is not data:
            self._put(part, new)
        return new

    def _head(self, name: str) -> bytes:
        """The start of a worksheet part, up to the end of its <sheetData> tag at least."""
        content = self._parts[name]
        return content.first() if isinstance(content, stream.Streamed) else self._chunks(name)[0]

    # ------------------------------------------------------------ relationships and sheets
    def _relationships(self, rels: str) -> list[dict[str, str]]:
        """The relationships of the .rels part ``rels`` (none if it is absent)."""
        name = self._name(rels)
        return [] if name is None else relationships(self._text(name))

    def _find_workbook(self) -> str:
        """The workbook part, as the package relationships name it."""
        for rel in self._relationships("_rels/.rels"):
            if rel.get("Type", "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                name = self._name(resolve("", rel.get("Target", "")))
                if name is not None:
                    return name
        mime = self._name("mimetype")  # an .ods names its kind in its first member
        if mime is not None and b"opendocument" in self._bytes(mime):
            raise NotAWorkbook(self._source, "这是 OpenDocument 表格（.ods），重算、分发与合并需要 .xlsx："
                                             "请在 LibreOffice 或 WPS 中“另存为” Excel 工作簿（.xlsx）后再运行")
        raise NotAWorkbook(self._source, "缺少工作簿部件（_rels/.rels 中没有 officeDocument 关系）")

    def _styles_part(self) -> str:
        """The styles part of the workbook (cell formats and the highlight's dxf live there)."""
        rel = next((r for r in self._relationships(self._wb_rels) if r.get("Type", "").endswith("/styles")), None)
        name = self._name(resolve(self._workbook, rel["Target"])) if rel and "Target" in rel else None
        return self._add_styles() if name is None else name

    def _add_styles(self) -> str:
        """A minimal styles part for a package that has none (legal: styles are optional), registered in the
        workbook's relationships and [Content_Types].xml; as many default cell formats as the cells' ``s`` name."""
        rels_name = self._name(self._wb_rels)
        ct_name = self._name("[Content_Types].xml")
        if rels_name is None or ct_name is None:
            raise NotAWorkbook(self._source, "缺少工作簿部件（没有 workbook 的关系或 [Content_Types].xml）")
        used, dxfs = 0, 0
        for entry in self._sheets():
            if entry.part is not None and entry.rel_type.endswith("/worksheet"):
                xml = self._bytes(entry.part)
                used = max([used, *(int(m) for m in re.findall(rb'<(?:[\w.-]+:)?c\b[^>]*?\ss="([0-9]+)"', xml))])
                dxfs = max([dxfs, *(int(m) + 1 for m in re.findall(rb'\sdxfId="([0-9]+)"', xml))])
        part = posixpath.join(posixpath.dirname(self._workbook), "styles.xml")
        while self._name(part) is not None or part.lower() in override_names(self._text(ct_name)):
            part = part.removesuffix(".xml") + "1.xml"
        rid = next_id(self._relationships(self._wb_rels))
        target = posixpath.relpath(part, posixpath.dirname(self._workbook))
        self._put(rels_name, add_relationship(self._text(rels_name), rid, RT_STYLES, target))
        self._put(ct_name, add_override(self._text(ct_name), part, CT_STYLES))
        self._put(part, minimal_styles(used + 1, dxfs))
        return part

    def _sheets(self) -> list[SheetEntry]:
        """The sheets of workbook.xml, in order, with their parts."""
        rels = {r.get("Id", ""): r for r in self._relationships(self._wb_rels)}
        out = []
        for a, rid in sheet_tags(self._text(self._workbook)):
            rel = rels.get(rid, {})
            part = self._name(resolve(self._workbook, rel["Target"])) if "Target" in rel else None
            sheet_id = a.get("sheetId", "0")
            out.append(SheetEntry(a.get("name", ""), int(sheet_id) if sheet_id.isdigit() else 0, part,
                                  rel.get("Type", "")))
        return out

    def _sheet(self, sheet: str) -> SheetEntry | None:
        """The sheet called ``sheet`` (Excel's sheet names are case-insensitive), None if there is none."""
        key = sheet.casefold()
        return next((s for s in self._sheets() if s.name.casefold() == key), None)

    def _worksheet_part(self, sheet: str) -> str:
        """The part of the worksheet ``sheet``: KeyError if there is none, ValueError for a chart sheet."""
        entry = self._sheet(sheet)
        if entry is None:
            raise KeyError(f"no sheet named {sheet!r}")
        if not entry.rel_type.endswith("/worksheet") or entry.part is None:
            raise ValueError(f"{sheet!r} is not a worksheet")
        return entry.part

    def _add_sheet(self, name: str, xml: str) -> None:
        """A new worksheet part, registered in workbook.xml, its relationships and [Content_Types].xml."""
        rels_name = self._name(self._wb_rels)
        ct_name = self._name("[Content_Types].xml")
        if rels_name is None or ct_name is None:
            raise ValueError("the package has no workbook relationships or no [Content_Types].xml")
        sheets = self._sheets()
        ct = self._text(ct_name)
        target = self._free_sheet_target(len(sheets) + 1, override_names(ct))
        part = posixpath.join(posixpath.dirname(self._workbook), target)
        rid = next_id(self._relationships(self._wb_rels))
        sheet_id = 1 + max((s.sheet_id for s in sheets), default=0)
        self._put(self._workbook, add_sheet_entry(self._text(self._workbook), name, sheet_id, rid))
        self._put(rels_name, add_relationship(self._text(rels_name), rid, RT_WORKSHEET, target))
        self._put(ct_name, add_override(ct, part, CT_WORKSHEET))
        self._put(part, xml)

    def _free_sheet_target(self, n: int, taken: set[str]) -> str:
        """``worksheets/sheetN.xml`` (from ``n`` up) that no member and no content-type Override uses yet."""
        wb_dir = posixpath.dirname(self._workbook)
        while (self._name(posixpath.join(wb_dir, f"worksheets/sheet{n}.xml")) is not None
               or posixpath.join(wb_dir, f"worksheets/sheet{n}.xml").lower() in taken):
            n += 1
        return f"worksheets/sheet{n}.xml"

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
        if isinstance(content, stream.Streamed):
            return content.set_cached_values(values)
        p = sheet_start(self._head(part))[2]
        chunks, done = patch_values(self._addressed(part, keep=False), p, values)  # kept if some cell is patched
        missing = [] if done is None else row_major(a for a in values if a not in done)
        if done is None or done:
            self._put(part, tuple(chunks))  # joined only if read again
        return missing

    def put_sheet(self, name: str, rows: Sequence[Sequence[SheetValue]], *, widths: Sequence[float] = (),
                  links: Mapping[str, str] = {}, header_style: int = 0, body_style: int = 0, title: str = "",
                  title_style: int = 0, autofilter: bool = False, even: bool = False,
                  num_styles: Mapping[str, int] = {}) -> None:
        """Add a generated sheet at the end, or replace the one of that name an earlier ``put_sheet`` made.

        ``rows[0]`` is the (frozen) header row, in cell style ``header_style``, the others in ``body_style``;
        ``links`` maps a cell to a location such as ``'任务分工'!E7``. A sheet of that name that ``put_sheet``
        did not make is the user's: :class:`~xlpromo.errors.SheetNameTaken`. ``title``, ``autofilter``, ``even``:
        as :func:`~xlpromo.ooxml.sheets.sheet_xml` has them.
        """
        check_sheet_name(name)
        xml = sheet_xml(rows, widths, links, header_style, body_style, title=title, title_style=title_style,
                        autofilter=autofilter, even=even, num_styles=num_styles)
        entry = self._sheet(name)
        if entry is None:
            self._add_sheet(name, xml)
        elif entry.part is not None and entry.rel_type.endswith("/worksheet") and is_generated(self._head(entry.part)):
            self._put(entry.part, xml)
        else:  # the user's own sheet: never overwritten
            raise SheetNameTaken(self._source, entry.name)

    def retarget_charts(self, sheet: str, ref: Callable[[str], str]) -> int:
        """Rewrite every series reference (``<c:f>``) of the charts drawn on ``sheet`` by ``ref``, so a chart
        follows a block that grew or shrank; a chart part whose references stay is left byte for byte. The count
        of parts rewritten."""
        drawings = [resolve(part, r.get("Target", "")) for part in (self._worksheet_part(sheet),)
                    for r in self._relationships(rels_part(part)) if r.get("Type", "").endswith("/drawing")]
        charts = [resolve(d, r.get("Target", "")) for d in drawings
                  for r in self._relationships(rels_part(d)) if r.get("Type", "").endswith("/chart")]
        done = 0
        for name in filter(None, map(self._name, charts)):
            xml = self._text(name)
            new = _SERIES_REF.sub(lambda m: _retargeted(m, ref), xml)
            if new != xml:
                self._put(name, new)
                done += 1
        return done

    def set_highlights(self, sheet: str, cells: Sequence[str]) -> None:
        """Replace this package's highlight on ``sheet`` by one conditional format (the purple frame) over ``cells``."""
        part = self._worksheet_part(sheet)
        ref = sqref(cells) if cells else ""
        tail, p = self._tail(part)
        new = remove_highlights(tail)
        if ref:
            new = add_highlight(new, p, ref, self._dxf_id())
        if new != tail:
            self._put_tail(part, new)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the package to ``path`` atomically, with fullCalcOnLoad set; other members keep their bytes."""
        wb = self._text(self._workbook)
        calc = full_calc_on_load(wb)
        data = dict(self._parts)
        if calc != wb:
            data[self._workbook] = calc.encode("utf-8")
        with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", allowZip64=True) as zout:
            for info in self._infos:
                content = data[info.filename]
                if isinstance(content, stream.Streamed):
                    content.write(zout, _copy_info(info))
                else:
                    _write(zout, _copy_info(info), content)
            for name in self._new:
                new = zipfile.ZipInfo(name, _NEW_MEMBER_DATE)
                new.compress_type = zipfile.ZIP_DEFLATED
                content = data[name]
                assert not isinstance(content, stream.Streamed)  # made here, held in memory
                _write(zout, new, content)
            zout.comment = self._comment

    # ------------------------------------------------------------ the worksheet's tail
    def _tail(self, part: str) -> tuple[str, str]:
        """(what follows </sheetData> in a worksheet, as it will be written; the sheet's namespace prefix)."""
        content = self._parts[part]
        if isinstance(content, stream.Streamed) and sheet_start(self._head(part))[1] is not None:
            self._bytes(part)  # an empty <sheetData/>: nothing worth streaming
        if isinstance(content := self._parts[part], stream.Streamed):
            p = sheet_start(self._head(part))[2]
            return content.last(p).decode("utf-8"), p
        chunks = self._chunks(part)
        end, p = self._tail_start(chunks)
        return chunks[-1][end:].decode("utf-8"), p

    def _put_tail(self, part: str, tail: str) -> None:
        """Replace what follows </sheetData> in a worksheet (:meth:`_tail` first)."""
        content = self._parts[part]
        if isinstance(content, stream.Streamed):
            content.tail, content.tail_changed = tail.encode("utf-8"), True
            return
        chunks = self._chunks(part)
        end = self._tail_start(chunks)[0]
        last = chunks[-1][:end] + tail.encode("utf-8")
        self._put(part, (*chunks[:-1], last) if len(chunks) > 1 else last)

    @staticmethod
    def _tail_start(chunks: tuple[bytes, ...]) -> tuple[int, str]:
        """(where the tail starts in the last chunk, the namespace prefix) of a worksheet held in memory."""
        _, empty_end, p = sheet_start(chunks[0])
        end = empty_end if empty_end is not None and len(chunks) == 1 else sheet_end(chunks[-1], p)
        if end < 0:
            raise ValueError("no </sheetData> in the worksheet")
        return end, p

    def _dxf_id(self) -> int:
        """Index of the highlight's dxf in styles.xml: an identical one reused, else ours appended once."""
        name = self._styles_part()
        xml = self._text(name)
        new, index = add_dxf(xml, highlight_dxf(ns_prefix(xml, "styleSheet")))
        if new != xml:
            self._put(name, new)
        return index


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
