"""MS-OVBA 2.4.1 compression: the CompressedContainer that holds the ``dir`` stream and module sources.

A container is the signature byte 0x01 followed by chunks. Each chunk encodes up to 4096 bytes of
the decompressed buffer: a 2-byte header (size - 3 in 12 bits, signature 0b011, compressed flag),
then either raw bytes or token sequences (a flag byte and up to 8 literal bytes or 2-byte copy
tokens). A copy token splits its 16 bits into offset and length by ``bit_count``, which grows with
the position inside the chunk (2.4.1.3.19.1): the maximum length is ``(0xFFFF >> bit_count) + 3``.

Chunk choices of the compressor (all within the spec's decompression algorithm, 2.4.1.3.1):

* a full 4096-byte chunk is written compressed when its tokens fit in 4096 bytes, else raw;
* the last, partial chunk is written compressed; incompressible data longer than 3640 bytes
  (which cannot fit, at 9 bytes per 8 literals) is split into two compressed chunks instead of
  a raw chunk, because a raw chunk always decodes to 4096 bytes (2.4.1.3.3) and would pad the
  stream with zeros. Real VBA source never reaches this case.
"""

from __future__ import annotations

import struct

__all__ = ["CHUNK_SIZE", "DecompressionError", "compress", "copy_token_help", "decompress"]

CHUNK_SIZE = 4096
_MIN_MATCH = 3
_MAX_CANDIDATES = 256  # hash-chain depth of the match search (greedy, bounded)
_SIGNATURE = 0b011 << 12
_COMPRESSED = 1 << 15
_RAW_HEADER = 0x0FFF | _SIGNATURE  # raw chunk: size field 4098 - 3, flag 0


class DecompressionError(ValueError):
    """The bytes are not a valid MS-OVBA CompressedContainer."""


def copy_token_help(difference: int) -> tuple[int, int]:
    """(bit_count, maximum_length) for a token ``difference`` bytes into its chunk (2.4.1.3.19.1)."""
    bit_count = max((difference - 1).bit_length(), 4)  # ceil(log2(difference)), at least 4
    return bit_count, (0xFFFF >> bit_count) + 3


def _match_length(data: bytes, candidate: int, current: int, limit: int) -> int:
    length = 0
    while length < limit and data[candidate + length] == data[current + length]:
        length += 1
    return length


def _compress_tokens(data: bytes, start: int, end: int) -> bytes:
    """Token sequences for ``data[start:end]`` (at most one chunk), greedy longest match."""
    out = bytearray()
    chains: dict[bytes, list[int]] = {}

    def remember(pos: int) -> None:
        if pos + _MIN_MATCH <= end:
            chains.setdefault(data[pos:pos + _MIN_MATCH], []).append(pos)

    pos = start
    while pos < end:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            best_length = best_offset = 0
            bit_count, maximum = copy_token_help(pos - start)
            candidates = chains.get(data[pos:pos + _MIN_MATCH]) if pos + _MIN_MATCH <= end else None
            if candidates:
                limit = min(maximum, end - pos)
                for candidate in reversed(candidates[-_MAX_CANDIDATES:]):
                    length = _match_length(data, candidate, pos, limit)
                    if length > best_length:
                        best_length, best_offset = length, pos - candidate
                        if length == limit:
                            break
            if best_length >= _MIN_MATCH:
                token = ((best_offset - 1) << (16 - bit_count)) | (best_length - _MIN_MATCH)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                for covered in range(pos, pos + best_length):
                    remember(covered)
                pos += best_length
            else:
                out.append(data[pos])
                remember(pos)
                pos += 1
        out[flag_at] = flags
    return bytes(out)


def _compressed_chunk(data: bytes, start: int, end: int) -> bytes:
    tokens = _compress_tokens(data, start, end)
    if len(tokens) <= CHUNK_SIZE:
        return struct.pack("<H", _COMPRESSED | _SIGNATURE | (len(tokens) - 1)) + tokens
    if end - start == CHUNK_SIZE:
        return struct.pack("<H", _RAW_HEADER) + data[start:end]
    middle = (start + end) // 2  # partial chunk that does not compress: two smaller chunks
    return _compressed_chunk(data, start, middle) + _compressed_chunk(data, middle, end)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer (signature byte and chunks)."""
    data = bytes(data)
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK_SIZE):
        out += _compressed_chunk(data, start, min(start + CHUNK_SIZE, len(data)))
    return bytes(out)


def _decompress_chunk(data: bytes, pos: int, end: int, out: bytearray) -> None:
    chunk_start = len(out)
    while pos < end:
        flags = data[pos]
        pos += 1
        for bit in range(8):
            if pos >= end:
                break
            if not flags >> bit & 1:
                out.append(data[pos])
                pos += 1
                continue
            if pos + 2 > end:
                raise DecompressionError("truncated copy token")
            (token,) = struct.unpack_from("<H", data, pos)
            pos += 2
            bit_count, _ = copy_token_help(len(out) - chunk_start)
            length = (token & (0xFFFF >> bit_count)) + _MIN_MATCH
            offset = (token >> (16 - bit_count)) + 1
            source = len(out) - offset
            if len(out) == chunk_start or source < chunk_start:
                raise DecompressionError(f"copy token offset {offset} points before its chunk")
            for index in range(source, source + length):  # byte by byte: copies may overlap
                out.append(out[index])
        if len(out) - chunk_start > CHUNK_SIZE:
            raise DecompressionError("a chunk decompresses to more than 4096 bytes")


def decompress(data: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (2.4.1.3.1); DecompressionError if malformed."""
    if not data or data[0] != 0x01:
        raise DecompressionError("missing signature byte 0x01")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise DecompressionError("truncated chunk header")
        (header,) = struct.unpack_from("<H", data, pos)
        if header & 0x7000 != _SIGNATURE:
            raise DecompressionError(f"bad chunk signature in header {header:#06x}")
        end = pos + (header & 0x0FFF) + 3
        if end > len(data):
            raise DecompressionError("chunk runs past the end of the container")
        if header & _COMPRESSED:
            _decompress_chunk(data, pos + 2, end, out)
        elif end - pos != CHUNK_SIZE + 2:
            raise DecompressionError("a raw chunk must hold exactly 4096 bytes")
        else:
            out += data[pos + 2:end]
        pos = end
    return bytes(out)
