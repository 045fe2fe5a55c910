"""split_message: pieces within the byte limit, cut at lines (a long line by bytes, never inside a character),
and past the cap a last line saying how many lines were left out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlpromo.robots import plan_messages, split_message

TRAILER = "……另有 {n} 行未发送，见工作簿“预警”表"


def test_short_text_is_one_message_as_it_is() -> None:
    assert split_message("# 日报\n- GMV 达成率 83.3%", 4096, 5) == ["# 日报\n- GMV 达成率 83.3%"]
    assert split_message("", 4096, 5) == []


def test_lines_are_packed_greedily_within_the_limit() -> None:
    # "aaa\nbbb" is 7 bytes, adding "\nccc" would make 11
    assert split_message("aaa\nbbb\nccc\nd", 10, 9, "…{n}") == ["aaa\nbbb", "ccc\nd"]
    assert split_message("aaa\nbbb\nccc\nd", 7, 9, "…{n}") == ["aaa\nbbb", "ccc\nd"]
    assert split_message("aaa\nbbb\nccc\nd", 6, 9, "…{n}") == ["aaa", "bbb", "ccc\nd"]


def test_a_long_line_is_cut_by_bytes_at_whole_characters() -> None:
    line = "中" * 10 + "😀" + "a"  # 30 + 4 + 1 bytes
    pieces = split_message(line, 8, 99, "…{n}")
    assert pieces == ["中中", "中中", "中中", "中中", "中中", "😀a"]
    assert "".join(pieces) == line
    assert all(len(p.encode()) <= 8 for p in pieces)


def test_the_multibyte_boundary_one_byte_short() -> None:
    # 4096 bytes hold 1365 characters of 3 bytes (4095); the 1366th starts the next piece whole
    line = "预" * 1366
    pieces = split_message(line, 4096, 5)
    assert [len(p.encode()) for p in pieces] == [4095, 3]
    assert pieces[0] == "预" * 1365


def test_past_the_cap_the_last_message_says_how_many_lines_were_left_out() -> None:
    lines = [f"- 第{i:03d}行 天猫 GMV 达成率 83.3%（未达标）" for i in range(500)]
    split = plan_messages("\n".join(lines), 4096, 3, TRAILER)
    assert len(split.pieces) == 3
    assert all(len(p.encode()) <= 4096 for p in split.pieces)
    sent = "\n".join(split.pieces).split("\n")
    assert sent[-1] == f"……另有 {split.omitted} 行未发送，见工作簿“预警”表"
    assert sent[:-1] == lines[: 500 - split.omitted]
    assert split.omitted == 500 - len(sent) + 1 > 0


def test_a_line_cut_across_the_end_is_left_out_whole() -> None:
    split = plan_messages("a\n" + "中" * 40, 40, 2, "…{n}")
    assert split.pieces == ("a", "…1")  # not the first 36 bytes of the long line in the last message
    assert split.omitted == 1


def test_a_limit_that_cannot_hold_the_trailer_is_refused() -> None:
    with pytest.raises(ValueError, match="trailer"):
        split_message("a\nb", 10, 1, TRAILER)
    with pytest.raises(ValueError, match="max_messages"):
        split_message("a", 100, 0)


_text = st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c\x1c"
                                                "\x1d\x1e\x85\u2028\u2029"), max_size=40), max_size=30)


@given(lines=_text, limit=st.integers(30, 200), cap=st.integers(1, 6))
def test_pieces_fit_decode_and_keep_the_lines_in_order(lines: list[str], limit: int, cap: int) -> None:
    text = "\n".join(lines)
    split = plan_messages(text, limit, cap, "…另有 {n} 行")
    pieces = list(split.pieces)
    for piece in pieces:
        data = piece.encode("utf-8")
        assert len(data) <= limit
        assert data.decode("utf-8") == piece
    assert len(pieces) <= cap
    if split.omitted:
        last = pieces[-1].split("\n")
        assert last[-1] == f"…另有 {split.omitted} 行"
        if last[:-1]:
            pieces[-1] = "\n".join(last[:-1])
        else:  # the trailer alone (not after an empty line)
            pieces.pop()
    kept = text.splitlines()[: len(text.splitlines()) - split.omitted]
    sent = "\n".join(pieces)
    if all(len(line.encode()) <= limit for line in lines):  # no line cut: the very lines, in order
        assert (sent.split("\n") if pieces else []) == kept
    else:  # cut lines: the same characters in the same order (a line cut across the end may be sent in part)
        flat = sent.replace("\n", "")
        assert flat.startswith("".join(kept))
        assert text.replace("\n", "").startswith(flat)
        if not split.omitted:
            assert flat == text.replace("\n", "")


def test_a_line_cut_across_a_kept_message_counts_as_left_out() -> None:
    split = plan_messages("a\n" + "中" * 40, 40, 3, "…{n}")
    assert split.pieces == ("a", "中" * 13, "…1")
