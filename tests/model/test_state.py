"""The _xlpromo state as data: comparable values, the sheet's records and their reading back."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xlpromo.model.state import STATE_SHEET, State, TableSnapshot, canon, cell_stamp, parse_state
from xlpromo.model.values import CellError


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), (float("nan"), None), (pd.NaT, None), ("", None), ("  ", None),
    (True, True), (3, 3.0), (2.5, 2.5), (np.float64(1.5), 1.5),
    (dt.date(2024, 6, 1), 45444.0), (dt.datetime(2024, 6, 1, 6), 45444.25), (pd.Timestamp("2024-06-01"), 45444.0),
    (dt.date(1900, 1, 1), 1.0),  # Excel's first day, not 2
    (dt.time(12, 0), 0.5), (dt.timedelta(hours=6), 0.25),
    (" 已完成 ", " 已完成 "),  # text as typed: a stray space is a change
    (CellError("#N/A"), "#N/A"),
])
def test_canon_makes_cells_comparable(value: object, expected: object) -> None:
    assert canon(value) == expected


def test_a_state_reads_back_as_written() -> None:
    state = State(campaign_id="c-1", role="copy", dept="仓储部", copy_id="k1", made_at="2024-06-01T09:00",
                  source="618.xlsx", max_ids={"tasks": 17, "daily": 312}, merged={"k1:abc": "D00313"},
                  taken={"k1": {cell_stamp("k1", "tasks", "T00014", "status", "已完成")}},
                  snapshot={"tasks": TableSnapshot(["status", "note"], {"T00014": ["进行中", None]})})
    rows = state.rows()
    assert rows[0] == ["xlpromo 状态（合并回传用，请勿修改）", "", ""]
    assert rows[1:4] == [["format", "", 1], ["campaign", "", "c-1"], ["role", "", "copy"]]
    assert ['["T00014","进行中",null]', "", ""] in rows
    back = parse_state([[str(c) if not isinstance(c, int) else c for c in r] for r in rows])
    assert back == state


def test_a_cell_stamp_is_short_and_depends_on_every_part() -> None:
    stamp = cell_stamp("k1", "tasks", "T00014", "status", "已完成")
    assert len(stamp) == 10
    assert stamp == cell_stamp("k1", "tasks", "T00014", "status", "已完成")
    assert len({stamp, cell_stamp("k2", "tasks", "T00014", "status", "已完成"),
                cell_stamp("k1", "tasks", "T00014", "status", "已延期")}) == 3


@pytest.mark.parametrize(("rows", "message"), [
    ([["header"], ["role", "", "master"]], f"{STATE_SHEET} 中没有活动ID"),
    ([["header"], ["campaign", "", "c"], ["ids", "tasks", "many"]], f"{STATE_SHEET} 的记录“ids tasks”已损坏"),
])
def test_a_damaged_state_says_which_record(rows: list[list[object]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_state(rows)
