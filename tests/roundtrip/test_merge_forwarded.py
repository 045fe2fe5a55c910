"""Issue 17: the master itself forwarded by e-mail (no split) comes back edited and merges like a department copy.

Its base is the snapshot it carries (the state it left with); who edited it is its file name and docProps'
last-modified-by. Two colleagues edit different cells and one the same cell: the disjoint edits are taken,
the common cell keeps the master's value and lists both, and no input changes.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.conftest import read_values
from tests.roundtrip.test_merge import DAILY, TASKS, change_rows, conflict_rows, value
from xlpromo.cli import app
from xlpromo.errors import NotMergeable
from xlpromo.roundtrip.merge import merge_books
from xlpromo.roundtrip.state import read_state
from xlpromo.testing.libreoffice import convert

runner = CliRunner()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _forward(master: Path, out: Path, who: str, cells: dict[str, dict[str, object]]) -> Path:
    """The master as a colleague returns it: opened, cells typed over, saved under their name (openpyxl)."""
    wb = openpyxl.load_workbook(master)
    for sheet, edits in cells.items():
        for ref, v in edits.items():
            wb[sheet][ref] = v
    wb.properties.lastModifiedBy = who
    wb.save(out)
    return out


@pytest.fixture()
def returned(master: Path, tmp_path: Path) -> tuple[Path, Path]:
    """张三 edits 任务分工 L12 and the common L5; 李四 edits L13, 每日监控 L10 and L5 too."""
    a = _forward(master, tmp_path / "A.xlsx", "张三", {TASKS: {"L12": "张三的备注", "L5": "共同格-张三"}})
    b = _forward(master, tmp_path / "B.xlsx", "李四", {TASKS: {"L13": "李四的备注", "L5": "共同格-李四"},
                                                       DAILY: {"L10": "李四：直播间断流"}})
    return a, b


def test_two_forwarded_masters_merge_with_one_conflict(master: Path, returned: tuple[Path, Path],
                                                       tmp_path: Path) -> None:
    a, b = returned
    before = {p: _sha(p) for p in (master, a, b)}
    original = read_values(master)
    out = tmp_path / "OUT.xlsx"
    result = runner.invoke(app, ["merge", str(master), str(a), str(b), "-o", str(out)])
    assert result.exit_code == 1, result.output  # a conflict to decide
    assert "已合并 2 个副本：转发·张三（A.xlsx）、转发·李四（B.xlsx）" in result.output
    values = read_values(out)
    assert [value(values, TASKS, c) for c in ("L12", "L13", "L5")] == [
        "张三的备注", "李四的备注", value(original, TASKS, "L5")]  # the common cell keeps the master's value
    assert value(values, DAILY, "L10") == "李四：直播间断流"
    was = value(original, TASKS, "L5")
    assert conflict_rows(values) == [["冲突", TASKS, "L5", "T00002", "备注", was, was, "共同格-张三",
                                      "A.xlsx（转发·张三）", "共同格-李四", "B.xlsx（转发·李四）"]]
    assert sorted((r[0], r[1], r[3], r[7]) for r in change_rows(values)) == [
        ("A.xlsx", "转发·张三", "L12", "张三的备注"), ("B.xlsx", "转发·李四", "L10", "李四：直播间断流"),
        ("B.xlsx", "转发·李四", "L13", "李四的备注")]
    assert {p: _sha(p) for p in before} == before  # the inputs are only read
    state = read_state(out)
    assert state is not None and state.role == "master" and len(state.versions) == 2
    again = merge_books(out, [a, b], tmp_path / "again.xlsx")  # sent again: nothing applies twice
    assert again.changes == [] and again.appended == []


def test_a_forwarded_master_resaved_by_libreoffice_as_xlsx_and_ods(master: Path, returned: tuple[Path, Path],
                                                                   tmp_path: Path, soffice: str) -> None:
    a, b = returned
    a_lo = convert(a, "xlsx", tmp_path / "lo-xlsx")
    b_lo = convert(b, "ods", tmp_path / "lo-ods")
    result = merge_books(master, [a_lo, b_lo], tmp_path / "OUT.xlsx")
    values = read_values(result.output)
    assert [value(values, TASKS, c) for c in ("L12", "L13")] == ["张三的备注", "李四的备注"]
    assert value(values, DAILY, "L10") == "李四：直播间断流"
    assert [(c.cell, c.kind) for c in result.conflicts] == [("L5", "冲突")]


def test_the_master_given_again_as_a_copy_is_refused(master: Path, tmp_path: Path) -> None:
    with pytest.raises(NotMergeable, match="主工作簿不能同时作为副本给出"):
        merge_books(master, [master], tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()


def test_a_colleagues_merged_result_brings_its_own_later_edits(master: Path, tmp_path: Path) -> None:
    """A merged result mailed on is a returned master too: what was typed into it after its merge comes through."""
    merged = merge_books(master, [], tmp_path / "王五-合并.xlsx").output
    later = _forward(merged, tmp_path / "王五-合并后又改.xlsx", "王五", {TASKS: {"L14": "王五合并后补充"}})
    result = merge_books(master, [later], tmp_path / "OUT.xlsx")
    assert [(c.cell, c.new, c.dept) for c in result.changes] == [("L14", "王五合并后补充", "转发·王五")]


def test_two_returned_masters_of_one_name_and_author_are_not_versions_of_each_other(
        master: Path, tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    a = _forward(master, tmp_path / "x" / "618活动.xlsx", "", {TASKS: {"L12": "甲填的"}})
    b = _forward(master, tmp_path / "y" / "618活动.xlsx", "", {TASKS: {"L13": "乙填的"}})
    shutil.copystat(a, b)
    result = merge_books(master, [a, b], tmp_path / "OUT.xlsx")
    assert sorted((c.cell, c.new) for c in result.changes) == [("L12", "甲填的"), ("L13", "乙填的")]
