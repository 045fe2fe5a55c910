"""A long message cut into messages a robot accepts: at line boundaries, by UTF-8 bytes, with a cap.

Robots limit a message in bytes, not characters (企业微信 4,096 bytes of markdown; a Chinese character
is 3 of them), and a group wants a few messages, not thirty. So the lines are packed greedily into
pieces of at most ``limit`` bytes; a single line longer than that is cut by bytes, never inside a
character; past ``max_messages`` pieces the last one ends with a line saying how many lines were left
out (``……另有 37 行未发送``), the place to read them being the caller's to name in ``trailer``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_TRAILER", "Split", "plan_messages", "split_message", "utf8_len"]

#: The line that ends the last message when lines were left out; ``{n}`` is their number.
DEFAULT_TRAILER = "……另有 {n} 行未发送"


@dataclass(frozen=True)
class Split:
    """The pieces to send, and how many lines of the text are in none of them."""

    pieces: tuple[str, ...]
    omitted: int


def utf8_len(text: str) -> int:
    """The size of ``text`` in UTF-8 bytes, the unit every robot counts in."""
    return len(text.encode("utf-8"))


def split_message(text: str, limit_bytes: int, max_messages: int, trailer: str = DEFAULT_TRAILER) -> list[str]:
    """``text`` as at most ``max_messages`` pieces of at most ``limit_bytes`` UTF-8 bytes each (see the module)."""
    return list(plan_messages(text, limit_bytes, max_messages, trailer).pieces)


def plan_messages(text: str, limit_bytes: int, max_messages: int, trailer: str = DEFAULT_TRAILER) -> Split:
    """The pieces of :func:`split_message` with the number of lines left out, which a report of the post needs."""
    lines = text.splitlines()
    reserve = utf8_len(trailer.format(n=len(lines))) + 1  # the trailer and its newline, at its widest
    if max_messages < 1:
        raise ValueError(f"max_messages must be at least 1, not {max_messages}")
    if limit_bytes < max(4, reserve):
        raise ValueError(f"limit_bytes {limit_bytes} cannot hold a character and the trailer ({reserve} bytes)")
    units = [(part, i) for i, line in enumerate(lines) for part in _cut(line, limit_bytes)]
    pieces = _pack(units, limit_bytes)
    if len(pieces) <= max_messages:
        return Split(tuple("\n".join(p for p, _ in piece) for piece in pieces), 0)
    kept = pieces[: max_messages - 1]
    rest = units[sum(len(piece) for piece in kept):]
    last = _fill(rest, limit_bytes - reserve)
    if last and len(last) < len(rest) and rest[len(last)][1] == last[-1][1]:  # a line that goes on: drop it whole
        last = [u for u in last if u[1] != last[-1][1]]
    omitted = len({i for _, i in rest[len(last):]})  # lines not sent whole
    tail = "\n".join([*(part for part, _ in last), trailer.format(n=omitted)])
    return Split((*("\n".join(part for part, _ in piece) for piece in kept), tail), omitted)


def _cut(line: str, limit: int) -> list[str]:
    """A line in parts of at most ``limit`` bytes, each ending at a whole character."""
    data = line.encode("utf-8")
    if len(data) <= limit:
        return [line]
    parts = []
    while data:
        part = data[:limit].decode("utf-8", "ignore")  # drops only a character cut at the end
        parts.append(part)
        data = data[utf8_len(part):]
    return parts


def _pack(units: list[tuple[str, int]], limit: int) -> list[list[tuple[str, int]]]:
    """Consecutive units (line parts with their line number, none over ``limit``) in pieces of at most ``limit``
    bytes, joined by newlines."""
    pieces: list[list[tuple[str, int]]] = []
    while units:
        piece = _fill(units, limit)
        pieces.append(piece)
        units = units[len(piece):]
    return pieces


def _fill(units: list[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
    """The longest run of ``units`` from the first that fits in one piece of ``limit`` bytes."""
    size = -1
    for n, (part, _) in enumerate(units):
        size += 1 + utf8_len(part)
        if size > limit:
            return units[:n]
    return units
