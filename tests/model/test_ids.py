"""Stable row IDs: fresh, unique, never below the floor, existing ones kept."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from xlpromo.model.ids import assign_ids, id_number, new_ids
from xlpromo.model.master import SCHEMA

TASKS = SCHEMA.table("tasks")


def test_id_number_reads_only_its_own_prefix() -> None:
    assert id_number("T00017", "T") == 17
    assert id_number(" T00017 ", "T") == 17
    assert id_number("D00017", "T") is None
    assert id_number("T-17", "T") is None
    assert id_number(17, "T") is None


def test_new_ids_start_above_floor_and_used() -> None:
    assert new_ids("D", ["D00003", "x", None], 2) == ["D00004", "D00005"]
    assert new_ids("D", ["D00003"], 1, floor=10) == ["D00011"]
    assert new_ids("D", [], 1, floor=99_999) == ["D100000"]


def test_assign_ids_fills_blanks_and_pasted_copies_but_not_blank_rows() -> None:
    frame = pd.DataFrame({"task_id": ["T1", "T2", None, "T4", "T5"], "name": ["a", "b", None, "d", "e"],
                          "row_id": ["T00007", None, None, "T00007", "junk"]}, dtype=object)
    out = assign_ids(frame, TASKS, floor=8)
    assert out["row_id"].tolist() == ["T00007", "T00009", None, "T00010", "T00011"]
    assert frame["row_id"].tolist() == ["T00007", None, None, "T00007", "junk"]  # the input is not modified


@given(st.lists(st.one_of(st.none(), st.integers(1, 50).map(lambda n: f"T{n:05d}"), st.just("?")), max_size=30),
       st.integers(0, 60))
def test_assign_ids_gives_every_row_a_unique_id_and_never_reuses(ids: list[str | None], floor: int) -> None:
    frame = pd.DataFrame({"name": ["x"] * len(ids), "row_id": ids}, dtype=object)
    out = assign_ids(frame, TASKS, floor=floor)["row_id"].tolist()
    assert len(set(out)) == len(out) and all(id_number(v, "T") for v in out)
    kept = [a for a, b in zip(ids, out, strict=True) if a == b]
    fresh = [id_number(b, "T") or 0 for a, b in zip(ids, out, strict=True) if a != b]
    assert all(n > max([floor, *(id_number(v, "T") or 0 for v in ids)]) for n in fresh)
    assert len(kept) == len({v for v in ids if v and id_number(v, "T")})  # first of each valid ID stays
