"""数据字典 merges like every other sheet: a list entry typed in a returned file arrives with its text, and a
row of 导入映射 (many rows per 平台) is aligned by 平台 + 导出列名 + 指标, so an edited 换算系数 is taken, not lost."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.roundtrip.test_merge_forwarded import _forward
from xlpromo.files.reader import read_workbook
from xlpromo.model.master import SCHEMA
from xlpromo.model.state import KEY_SEP, book_rows, key_columns, parse_state
from xlpromo.roundtrip.merge import CHANGES_SHEET, CONFLICTS_SHEET, merge_books

DICT = SCHEMA.sheet("dictionary").name  # 数据字典


def _cells(path: Path, *refs: str) -> list[object]:
    ws = openpyxl.load_workbook(path)[DICT]
    return [ws[r].value for r in refs]


def test_the_demo_layout_these_tests_type_into(master: Path) -> None:
    # 渠道 in G (全渠道 … 自营商城 in G4:G11); 导入映射 in U:Y, its fourth row 生意参谋's 访客数 with factor 1
    assert _cells(master, "G3", "G11", "G12") == ["渠道", "自营商城", None]
    assert _cells(master, "U3", "X3", "U6", "V6", "W6", "X6") == ["平台", "换算系数", "生意参谋/天猫淘宝", "访客数",
                                                                   "访客数", 1]


def test_a_channel_typed_in_a_forwarded_master_arrives_with_its_name(master: Path, tmp_path: Path) -> None:
    a = _forward(master, tmp_path / "A.xlsx", "张三", {DICT: {"G12": "快手"}})
    result = merge_books(master, [a], tmp_path / "m.xlsx")
    assert _cells(result.output, "G12") == ["快手"]  # was appended blank: the list's only column is its key
    assert result.appended == [(DICT, "G12", "快手", "A.xlsx", "渠道 快手")]
    log = [[c.value for c in r] for r in openpyxl.load_workbook(result.output)[CHANGES_SHEET].iter_rows(min_row=2)]
    assert [r[1:8] for r in log] == [["A.xlsx", "转发·张三", DICT, "G12", "快手", "（新增行）", None]]
    assert not [f for f in result.report.findings if f.sheet == DICT]


def test_an_edited_import_factor_is_taken_and_a_new_mapping_row_appended(master: Path, tmp_path: Path) -> None:
    a = _forward(master, tmp_path / "A.xlsx", "张三", {DICT: {
        "X6": 0.5,  # 生意参谋's 访客数: another row of the same 平台 than the first
        "U43": "京东商智", "V43": "成交金额（新）", "W43": "GMV", "X43": 0.0001}})
    result = merge_books(master, [a], tmp_path / "m.xlsx")
    assert result.conflicts == []
    assert _cells(result.output, "X6", "U43", "V43", "W43", "X43") == [0.5, "京东商智", "成交金额（新）", "GMV", 0.0001]
    wb = openpyxl.load_workbook(result.output)
    log = {r[4].value: [c.value for c in r] for r in wb[CHANGES_SHEET].iter_rows(min_row=2)}
    assert log["X6"][5:9] == ["生意参谋/天猫淘宝 · 访客数 · 访客数", "换算系数", 1, 0.5]
    assert log["U43"][5:8] == ["京东商智 · 成交金额（新） · GMV", "（新增行）", None]
    assert wb[CONFLICTS_SHEET].max_row == 1  # the header only


def test_two_copies_changing_one_mapping_row_differently_conflict_on_that_row(master: Path, tmp_path: Path) -> None:
    a = _forward(master, tmp_path / "A.xlsx", "张三", {DICT: {"X6": 0.5}})
    b = _forward(master, tmp_path / "B.xlsx", "李四", {DICT: {"X6": 2}})
    result = merge_books(master, [a, b], tmp_path / "m.xlsx")
    assert [(c.cell, c.row_id, c.header, c.master) for c in result.conflicts] == [
        ("X6", "生意参谋/天猫淘宝 · 访客数 · 访客数", "换算系数", 1)]
    assert _cells(result.output, "X6") == [1]


@pytest.mark.parametrize("table", ["import_map", "thresholds", "channels"])
def test_every_row_of_a_natural_key_table_has_its_own_key(master: Path, table: str) -> None:
    raw = read_workbook(master)
    rows = book_rows(raw)[table]
    assert len(rows) == len(raw.tables[table].data)  # no two rows share a key, so no row is left out of a merge
    assert all(k.count(KEY_SEP) == len(key_columns(SCHEMA.table(table))) - 1 for k in rows)


def test_a_snapshot_of_the_mapping_keyed_by_platform_alone_is_set_aside() -> None:
    state = parse_state([["head"], ["format", "", 1], ["campaign", "", "C1"],
                         ["columns", "import_map", '["header","metric","factor","note"]'],
                         ['["拼多多","成交金额","GMV",0.0001,""]', "", ""],
                         ["columns", "channels", "[]"], ['["天猫"]', "", ""]])
    assert "import_map" not in state.snapshot and list(state.snapshot["channels"].rows) == ["天猫"]
