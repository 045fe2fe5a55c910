"""A minimal Compound File Binary writer (MS-CFB version 3, 512-byte sectors).

Enough for a ``vbaProject.bin``: a root storage, nested storages and streams given by path.
Layout, in sector order: FAT sectors, directory, mini FAT, the mini stream (which holds every
stream under 4096 bytes in 64-byte mini sectors), then the regular streams. The children of
each storage form a red-black tree (MS-CFB 2.6.4), built balanced from the sorted names. Up to
109 FAT sectors (about 6.8 MB), so no DIFAT sectors are ever needed.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["write_cfb"]

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
_MAX_FAT_SECTORS = 109  # the header's DIFAT array
_NOSTREAM = 0xFFFFFFFF
_FREESECT = 0xFFFFFFFF
_ENDOFCHAIN = 0xFFFFFFFE
_FATSECT = 0xFFFFFFFD
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1
_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_FORBIDDEN = set("/\\:!")


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Entry] = field(default_factory=dict)
    index: int = 0
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM
    color: int = _BLACK
    start: int = _ENDOFCHAIN


def _sort_key(name: str) -> tuple[int, str]:
    """MS-CFB 2.6.4 order: shorter names first, then by upper-cased UTF-16 code units."""
    return len(name.encode("utf-16-le")) // 2, name.upper()


def _check_name(name: str) -> None:
    if not name or len(name.encode("utf-16-le")) > 62 or _FORBIDDEN & set(name):
        raise ValueError(f"invalid compound file entry name {name!r} (1-31 characters, none of / \\ : !)")


def _tree(entries: list[_Entry], depth: int, red_depth: int) -> int:
    """Link the sorted ``entries`` as a balanced tree; return the root index (NOSTREAM if none).

    A tree built by halving has every level full except possibly the last; colouring that last
    level red and the rest black satisfies the red-black rules.
    """
    if not entries:
        return _NOSTREAM
    middle = len(entries) // 2
    node = entries[middle]
    node.color = _RED if depth == red_depth else _BLACK
    node.left = _tree(entries[:middle], depth + 1, red_depth)
    node.right = _tree(entries[middle + 1:], depth + 1, red_depth)
    return node.index


def _build_tree(streams: Mapping[str, bytes]) -> list[_Entry]:
    root = _Entry("Root Entry", _ROOT)
    for path, data in streams.items():
        *storages, leaf = path.split("/")
        parent = root
        for name in storages:
            _check_name(name)
            node = parent.children.setdefault(name.upper(), _Entry(name, _STORAGE))
            if node.kind != _STORAGE:
                raise ValueError(f"{path!r}: {name!r} is both a stream and a storage")
            parent = node
        _check_name(leaf)
        if leaf.upper() in parent.children:
            raise ValueError(f"duplicate compound file entry {path!r} (names are case-insensitive)")
        parent.children[leaf.upper()] = _Entry(leaf, _STREAM, bytes(data))
    order: list[_Entry] = []

    def visit(entry: _Entry) -> None:
        entry.index = len(order)
        order.append(entry)
        for child in entry.children.values():
            visit(child)

    visit(root)
    for entry in order:
        kids = sorted(entry.children.values(), key=lambda e: _sort_key(e.name))
        entry.child = _tree(kids, 0, (len(kids) + 1).bit_length() - 1)
    return order


def _chain(fat: list[int], start: int, count: int) -> int:
    """Mark ``count`` consecutive sectors from ``start`` as one chain; return its first sector."""
    for sector in range(start, start + count):
        fat[sector] = sector + 1 if sector + 1 < start + count else _ENDOFCHAIN
    return start if count else _ENDOFCHAIN


def _sectors(size: int, unit: int) -> int:
    return -(-size // unit)


def _pad(data: bytes | bytearray, unit: int) -> bytes:
    return bytes(data) + b"\0" * (-len(data) % unit)


def _directory_entry(entry: _Entry | None, size: int = 0) -> bytes:
    if entry is None:  # unused slot
        return b"\0" * 68 + struct.pack("<III", _NOSTREAM, _NOSTREAM, _NOSTREAM) + b"\0" * 48
    name = (entry.name + "\0").encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sI8s8sIQ", name, len(name), entry.kind, entry.color, entry.left, entry.right,
        entry.child, b"\0" * 16, 0, b"\0" * 8, b"\0" * 8, entry.start, size)


def write_cfb(streams: Mapping[str, bytes]) -> bytes:
    """A compound file holding ``streams`` ({"VBA/dir": data, ...}; storages come from the paths)."""
    entries = _build_tree(streams)
    small = [e for e in entries if e.kind == _STREAM and len(e.data) < MINI_CUTOFF]
    large = [e for e in entries if e.kind == _STREAM and len(e.data) >= MINI_CUTOFF]

    mini_fat: list[int] = []
    mini_stream = bytearray()
    for entry in small:
        count = _sectors(len(entry.data), MINI_SECTOR)
        mini_fat += [_FREESECT] * count
        entry.start = _chain(mini_fat, len(mini_fat) - count, count)
        mini_stream += _pad(entry.data, MINI_SECTOR)

    n_dir = _sectors(len(entries) * 128, SECTOR)
    n_minifat = _sectors(len(mini_fat) * 4, SECTOR)
    n_ministream = _sectors(len(mini_stream), SECTOR)
    n_data = n_dir + n_minifat + n_ministream + sum(_sectors(len(e.data), SECTOR) for e in large)
    n_fat = 1
    while n_fat * (SECTOR // 4) < n_fat + n_data:
        n_fat += 1
    if n_fat > _MAX_FAT_SECTORS:
        raise ValueError("compound file too large for a writer without DIFAT sectors (about 6.8 MB)")

    fat = [_FREESECT] * (n_fat * (SECTOR // 4))
    for sector in range(n_fat):
        fat[sector] = _FATSECT
    first_dir = _chain(fat, n_fat, n_dir)
    first_minifat = _chain(fat, n_fat + n_dir, n_minifat)
    root = entries[0]
    root.start = _chain(fat, n_fat + n_dir + n_minifat, n_ministream)
    body = [_pad(mini_stream, SECTOR)]
    next_sector = n_fat + n_dir + n_minifat + n_ministream
    for entry in large:
        count = _sectors(len(entry.data), SECTOR)
        entry.start = _chain(fat, next_sector, count)
        next_sector += count
        body.append(_pad(entry.data, SECTOR))

    directory = b"".join(
        _directory_entry(e, len(mini_stream) if e is root else len(e.data)) for e in entries)
    directory += _directory_entry(None) * (n_dir * (SECTOR // 128) - len(entries))
    difat = list(range(n_fat)) + [_FREESECT] * (_MAX_FAT_SECTORS - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I", _SIGNATURE, b"\0" * 16, 0x003E, 0x0003, 0xFFFE, 9, 6, b"\0" * 6,
        0, n_fat, first_dir, 0, MINI_CUTOFF, first_minifat, n_minifat, _ENDOFCHAIN, 0, *difat)
    mini_fat += [_FREESECT] * (n_minifat * (SECTOR // 4) - len(mini_fat))
    return b"".join([header, struct.pack(f"<{len(fat)}I", *fat), directory,
                     struct.pack(f"<{len(mini_fat)}I", *mini_fat), *body])
