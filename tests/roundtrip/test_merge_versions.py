"""Property: versions of one copy, merged in any order and any number of times, never put an older value back.

A department saves v1, v2, … of its copy (each from the one before, each saved later); 运营部
merges whatever reaches it, in batches, some versions twice, some never. After every merge
each of the department's cells holds its value in the latest version merged so far.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import read_values
from tests.roundtrip.test_merge import TASKS, edit, saved, value
from xlpromo.roundtrip.merge import merge_books
from xlpromo.roundtrip.split import split_book

# 仓储部's tasks T009 (row 12) and T014 (row 17): K 当前状态, L 备注.
CELLS = {"K12": ["已完成", "已延期", "进行中"], "L12": [None, "甲", "乙"],
         "K17": ["进行中", "已完成", "未开始"], "L17": [None, "丙", "丁"]}

versions = st.lists(st.fixed_dictionaries({}, optional={ref: st.sampled_from(vs) for ref, vs in CELLS.items()}),
                    min_size=1, max_size=4)
batches = st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=3), min_size=1, max_size=3)


@pytest.fixture(scope="module")
def warehouse(master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return split_book(master, "仓储部", tmp_path_factory.mktemp("copy") / "618活动-仓储部.xlsx").output


def _blank(v: Any) -> Any:
    return None if v == "" else v


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=versions, schedule=batches)
@example(edits=[{"K12": "已延期", "L12": "甲"}, {"K12": "已完成", "L12": "乙"}], schedule=[[0, 1], [0]])  # issue 11
@example(edits=[{"K12": "已延期"}, {"K12": "已完成"}, {"K12": "已延期"}], schedule=[[0], [1], [2], [1, 0]])
def test_the_latest_version_merged_wins_every_cell(master: Path, warehouse: Path, edits: list[dict[str, Any]],
                                                   schedule: list[list[int]]) -> None:
    first = {ref: _blank(value(read_values(warehouse), TASKS, ref)) for ref in CELLS}
    with tempfile.TemporaryDirectory() as tmp:
        files, typed, cells = [], [], dict(first)
        src = warehouse
        for i, version in enumerate(edits):  # v1, v2, …: each from the one before, saved an hour later
            cells = {**cells, **version}
            src = saved(edit(src, Path(tmp, f"v{i + 1}.xlsx"), {TASKS: version}), f"2024-06-20T{9 + i:02d}:00:00Z")
            files.append(src)
            typed.append(cells)
        book, latest = master, -1
        for n, batch in enumerate(schedule):
            picked = [i % len(files) for i in batch]
            result = merge_books(book, [files[i] for i in picked], Path(tmp, f"m{n}.xlsx"))
            latest = max(latest, *picked)
            got = {ref: _blank(value(read_values(result.output), TASKS, ref)) for ref in CELLS}
            assert got == typed[latest], (n, picked)
            assert result.conflicts == []
            book = result.output
