"""合并冲突 and 变更记录 show numbers as their cells show them (issue 17 point 6): a number written as a number in
the source row's format (0.45%, not 0.0045; 6.50 万元; 41,000 人), so it stays right-aligned beside left text."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.roundtrip.test_merge import edit
from xlpromo.roundtrip.merge import CHANGES_SHEET, CONFLICTS_SHEET, merge_books

DAILY = "每日监控"


def test_conflicts_and_changes_keep_the_cells_number_formats(master: Path, tmp_path: Path) -> None:
    # row 13: 2024-05-25 客诉率 (target 0.5%: 0.00%); row 4: GMV (万元: #,##0.00); row 6: 访客数 (人: #,##0)
    before = openpyxl.load_workbook(master)[DAILY]
    base = before["G13"].value
    a = edit(master, tmp_path / "a.xlsx", {DAILY: {"G13": 0.0045, "G4": 6.5}})
    b = edit(master, tmp_path / "b.xlsx", {DAILY: {"G13": 0.0041, "G6": 41000}})
    out = merge_books(master, [a, b], tmp_path / "m.xlsx").output
    wb = openpyxl.load_workbook(out)
    conflicts = wb[CONFLICTS_SHEET]
    assert [c.value for c in conflicts[2]][:5] == ["冲突", DAILY, "G13", "D00010", "实际值"]
    assert [c.value for c in conflicts[2]][5:11] == [base, base, 0.0045, "a.xlsx（转发·xlpromo）", 0.0041,
                                                        "b.xlsx（转发·xlpromo）"]
    assert [conflicts.cell(2, c).number_format for c in (6, 7, 8, 10)] == ["0.00%"] * 4
    assert conflicts.cell(2, 9).number_format == "General" and conflicts.cell(2, 9).data_type == "s"
    # a number keeps one character of room on its right: 0.45% and a.xlsx beside it do not run together
    assert [(conflicts.cell(2, c).alignment.horizontal, conflicts.cell(2, c).alignment.indent) for c in (8, 9)] == [
        ("right", 1), (None, 0)]
    changes = wb[CHANGES_SHEET]
    logged = {r[4].value: r for r in changes.iter_rows(min_row=2)}
    assert (logged["G4"][7].value, logged["G4"][8].value) == (before["G4"].value, 6.5)
    assert logged["G4"][8].number_format == logged["G4"][7].number_format == "#,##0.00"
    assert (logged["G6"][7].value, logged["G6"][8].value) == (before["G6"].value, 41000)
    assert logged["G6"][8].number_format == "#,##0"
    assert logged["G4"][6].value == "实际值" and logged["G4"][6].number_format == "General"


def test_a_second_merge_keeps_the_earlier_rows_number_formats(master: Path, tmp_path: Path) -> None:
    # the first merge logs 客诉率 (0.00%) and GMV (#,##0.00); the second rewrites 变更记录 with those rows first
    a = edit(master, tmp_path / "a.xlsx", {DAILY: {"G13": 0.0045, "G4": 6.5}})
    first = merge_books(master, [a], tmp_path / "m1.xlsx").output
    b = edit(first, tmp_path / "b.xlsx", {DAILY: {"G6": 41000}})
    second = merge_books(first, [b], tmp_path / "m2.xlsx").output
    changes = openpyxl.load_workbook(second)[CHANGES_SHEET]
    logged = {r[4].value: r for r in changes.iter_rows(min_row=2)}
    assert sorted(logged) == ["G13", "G4", "G6"]
    assert logged["G13"][8].value == 0.0045 and logged["G13"][8].number_format == "0.00%"
    assert logged["G13"][7].number_format == "0.00%"
    assert logged["G4"][8].value == 6.5 and logged["G4"][8].number_format == "#,##0.00"
    assert logged["G6"][8].number_format == "#,##0"  # this merge's own row, as before
    assert logged["G4"][1].number_format == "General" and logged["G4"][1].data_type == "s"
