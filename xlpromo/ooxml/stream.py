"""Big members streamed: left compressed in the source file, read in blocks cut after a ``</row>``.

A member bigger than :data:`STREAM_OVER` (uncompressed) is never held whole. It is read once to
find its formula cells, and once more when the package is saved, patched block by block while it
is copied (decompress → patch → compress). :func:`row_blocks` is the one block cutter: the
reader's scan for error values uses it too, so no cell ever straddles two blocks anywhere.
:func:`addressed_blocks` cuts the same blocks with every row and cell given its ``r`` attribute.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import deque
from collections.abc import Generator, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from xlpromo.errors import NotAWorkbook
from xlpromo.ooxml.addresses import Addresser
from xlpromo.ooxml.cached import (
    formula_tags,
    general_cell_pattern,
    patch_fast,
    patch_general,
    row_major,
    scan_cell_pattern,
)
from xlpromo.ooxml.cells import CachedValue
from xlpromo.ooxml.worksheet import SHEET_DATA, sheet_end, sheet_start

__all__ = ["READ", "STREAMABLE", "STREAM_OVER", "Streamed", "addressed_blocks", "row_blocks"]

#: Members bigger than this (uncompressed bytes) are streamed rather than held in memory.
STREAM_OVER = 16 * 2**20
READ = 4 * 2**20  # bytes decompressed at a time from a streamed member
#: Compression methods a member can be streamed with.
STREAMABLE = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_BIG = zipfile.ZIP64_LIMIT // 2  # a patched streamed member this big may grow past the ZIP64 limit
_ROW_END = re.compile(rb"</(?:[\w.-]+:)?row>")


def row_blocks(src: IO[bytes], size: int) -> Iterator[tuple[bytes, bool]]:
    """A worksheet read ``size`` bytes at a time, in blocks that end just after a ``</row>`` (any prefix), each
    with whether it is the last; the last holds what follows the last row. No cell straddles two blocks."""
    carry = b""
    while data := src.read(size):
        buf = carry + data if carry else data
        end = buf.rfind(b"row>")
        while end >= 0 and not _ROW_END.fullmatch(buf, max(0, buf.rfind(b"<", 0, end)), end + 4):
            end = buf.rfind(b"row>", 0, end)  # "row>" in a text, or the end of another tag
        if end < 0:
            carry = buf
            continue
        carry = buf[end + 4:]
        yield buf[:end + 4], False
    yield carry, True


def addressed_blocks(src: IO[bytes], size: int) -> Iterator[tuple[bytes, bool]]:
    """:func:`row_blocks`, with every row and cell given its implied ``r`` (:mod:`xlpromo.ooxml.addresses`)."""
    addresser = Addresser()
    for block, last in row_blocks(src, size):
        yield addresser.block(block), last


@dataclass
class Streamed:
    """A member left compressed in the source copy ``raw``; a worksheet's edits are applied as
    :meth:`write` copies it."""

    raw: bytes = field(repr=False)  # the source file
    name: str
    size: int  # uncompressed bytes in the source
    source: Path
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

    def blocks(self, *, cut: bool) -> Generator[tuple[bytes, bool], None, None]:
        """The member, uncompressed, in blocks of about :data:`READ` bytes, each with whether it is the last.

        With ``cut``, a worksheet's blocks are those of :func:`addressed_blocks`, so that no match of the cell
        patterns straddles two blocks and every cell has its address.
        """
        try:
            with zipfile.ZipFile(io.BytesIO(self.raw)) as zf, zf.open(self.name) as src:
                if cut:
                    yield from addressed_blocks(src, READ)
                    return
                while data := src.read(READ):
                    yield data, False
        except (OSError, RuntimeError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise NotAWorkbook(self.source, f"{self.name} 无法解压（{exc}）") from exc
        yield b"", True

    def first(self) -> bytes:
        """The start of the worksheet, up to the end of its <sheetData> tag (read once)."""
        if self.head is None:
            blocks = self.blocks(cut=True)
            first = next(blocks)[0]
            blocks.close()
            start = SHEET_DATA.search(first)
            if start is None:
                raise ValueError("no <sheetData> in the worksheet")
            self.head = first[:start.end()]
        return self.head

    def last(self, p: str) -> bytes:
        """What follows </sheetData>, as it will be written."""
        if self.tail is None:
            for block, last in self.blocks(cut=True):
                if last:
                    self._keep_tail(block, p)
        assert self.tail is not None
        return self.tail

    def _keep_tail(self, last: bytes, p: str) -> None:
        """Remember the tail found in the last block (unless a new one is already set)."""
        if self.tail is None:
            end = sheet_end(last, p)
            if end < 0:
                raise ValueError("no </sheetData> in the worksheet")
            self.tail = last[end:]

    def set_cached_values(self, values: Mapping[str, CachedValue]) -> list[str]:
        """XlsxPackage.set_cached_values for this worksheet: find the formula cells now, patch them at save."""
        p = sheet_start(self.first())[2]
        scan = scan_cell_pattern(p)
        formulas: set[str] = set()  # cells patch_fast patches
        canonical = 0
        for block, last in self.blocks(cut=True):
            if found := scan.findall(block):
                canonical += len(found)
                formulas.update(b" ".join(found).decode("ascii").split(" "))  # one decode, not one per cell
            if last:
                self._keep_tail(block, p)
        missing = [a for a in values if a not in formulas]
        fast = None
        if missing:  # as in memory: the general pattern too if some formula cell has another layout
            general = general_cell_pattern(p)
            tags, more = 0, set[str]()
            for block, _ in self.blocks(cut=True):
                tags += formula_tags(block, p)
                more.update(m.group(2).decode("ascii") for m in general.finditer(block))
            if tags > canonical:
                fast = formulas
                missing = [a for a in missing if a not in more]
        if len(missing) < len(values):
            self.patches.append((dict(values), fast))
        return row_major(missing)

    def output(self) -> Iterator[bytes]:
        """The member as it will be written: its blocks with the cached values and the tail patched in."""
        if not self.edited:
            for block, _ in self.blocks(cut=False):
                yield block
            return
        p = sheet_start(self.first())[2]
        fast = [(values, None if done is None else set(done)) for values, done in self.patches]
        for block, last in self.blocks(cut=True):
            for values, done in fast:
                chunks = patch_fast(block, p, values, track=False)[0]
                block = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                if done is not None:
                    block = patch_general(block, p, values, done)
            if last and self.tail_changed:
                assert self.tail is not None
                block = block[:sheet_end(block, p)] + self.tail
            yield block

    def write(self, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        """Copy the member into ``zout``, compressing on another core while the next block is patched."""
        info.file_size = self.size  # exact unless patched: then ZIP64 is forced where the size could pass it
        pending: deque[Future[int]] = deque()
        with zout.open(info, "w", force_zip64=self.edited and self.size > _BIG) as out, \
                ThreadPoolExecutor(max_workers=1) as pool:
            for block in self.output():
                pending.append(pool.submit(out.write, block))  # zlib releases the GIL while it compresses
                if len(pending) > 2:
                    pending.popleft().result()
            while pending:
                pending.popleft().result()
