"""The _xlpromo sheet in files: reading it, one refusal for split and merge, recalc on a damaged state, one read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import xlpromo.roundtrip.merge.load as merge_load
import xlpromo.roundtrip.recalc as recalc_module
import xlpromo.roundtrip.state as state_module
from xlpromo.errors import DamagedState, MasterTwice, NotAMaster, NotMergeable, NotSplittable
from xlpromo.files import builder
from xlpromo.files.builder import build_workbook
from xlpromo.files.demo import demo_frames
from xlpromo.model.state import DEMO_CAMPAIGN_ID, FORMAT_VERSION, STATE_SHEET, IdStamp, State
from xlpromo.ooxml import BookPatch
from xlpromo.roundtrip.merge import merge_books
from xlpromo.roundtrip.recalc import recalc
from xlpromo.roundtrip.split import split_book
from xlpromo.roundtrip.state import SideSheets, read_state, write_ids

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")  # openpyxl, x14

TASKS = "任务分工"  # rows 4–20 hold T001–T017; column P is 行ID
DAMAGED = [["xlpromo 状态（合并回传用，请勿修改）", "", ""], ["format", "", "1"], ["ids", "tasks", "many"]]


@pytest.fixture(scope="module")
def copy(master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return split_book(master, "仓储部", tmp_path_factory.mktemp("copy") / "618活动-仓储部.xlsx").output


def _with_state(src: Path, dst: Path, rows: list[list[Any]], cells: dict[tuple[int, int], Any] | None = None) -> Path:
    pkg = BookPatch.open(src)
    pkg.put_hidden_sheet(STATE_SHEET, rows)
    if cells:
        pkg.set_cells(TASKS, cells)
    pkg.save(dst)
    return dst


@pytest.fixture(scope="module")
def damaged(master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _with_state(master, tmp_path_factory.mktemp("damaged") / "坏.xlsx", DAMAGED)


def test_the_masters_state(master: Path) -> None:
    state = read_state(master)
    assert state is not None
    assert (state.role, state.campaign_id, state.format_version, state.dept) == (
        "master", DEMO_CAMPAIGN_ID, FORMAT_VERSION, "")
    assert state.max_ids["tasks"] == 17 and "T00001" in state.snapshot["tasks"].rows
    light = read_state(master, snapshot=False)
    assert light is not None and light.snapshot["tasks"].rows == {} and light.max_ids == state.max_ids


def test_no_state_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builder._Writer, "write_state", lambda self, state: None)
    old = build_workbook(tmp_path / "old.xlsx", demo_frames())
    assert read_state(old) is None
    with pytest.raises(NotSplittable) as refused:
        split_book(old, "仓储部", tmp_path / "c.xlsx")
    assert str(refused.value) == ("old.xlsx: 没有 _xlpromo 状态表（由旧版 xlpromo 生成）：请先运行 "
                                  "xlpromo merge old.xlsx -o 新主表.xlsx（不带副本）为它加上活动ID，再分发新主表")
    assert refused.value.sheet is None


def test_a_damaged_state_names_the_sheet(damaged: Path, tmp_path: Path) -> None:
    with pytest.raises(DamagedState) as exc:
        read_state(damaged)
    assert exc.value.sheet == STATE_SHEET
    assert str(exc.value) == "坏.xlsx: 隐藏的状态表已损坏：_xlpromo 的记录“ids tasks”已损坏（“many”不是它应有的值）"
    no_id = _with_state(damaged, tmp_path / "无ID.xlsx", [["x", "", ""], ["format", "", "1"]])
    with pytest.raises(DamagedState, match="隐藏的状态表已损坏：_xlpromo 中没有活动ID") as missing:
        read_state(no_id)
    assert missing.value.sheet == STATE_SHEET


def test_a_copy_whose_snapshot_rows_are_cut_short_is_blamed_in_chinese(master: Path, copy: Path,
                                                                       tmp_path: Path) -> None:
    """A snapshot row cut in half (someone typed in the hidden sheet): the copy is named, the record is shown
    short, no English parser text."""
    rows = SideSheets(copy).rows(STATE_SHEET)
    assert rows is not None
    at = next(i for i, r in enumerate(rows) if str(r[0]).startswith("["))
    rows[at] = [str(rows[at][0])[:30], *rows[at][1:]]
    bad = _with_state(copy, tmp_path / "截断.xlsx", rows)
    with pytest.raises(NotMergeable) as refused:
        merge_books(master, [bad], tmp_path / "m.xlsx")
    assert str(refused.value) == (f"截断.xlsx: 无法合并这份副本：隐藏的状态表已损坏：_xlpromo 的记录“"
                                  f"{rows[at][0]!s}”"
                                  "不完整或被改动过。请该部门重新发来副本，或对主工作簿重新运行 split 分发")
    assert not (tmp_path / "m.xlsx").exists()


def test_one_refusal_for_split_and_merge(damaged: Path, master: Path, copy: Path, tmp_path: Path) -> None:
    why = "隐藏的状态表已损坏：_xlpromo 的记录“ids tasks”已损坏（“many”不是它应有的值）"
    with pytest.raises(NotSplittable) as split_refused:
        split_book(damaged, "仓储部", tmp_path / "a.xlsx")
    with pytest.raises(NotMergeable) as master_refused:
        merge_books(damaged, [], tmp_path / "b.xlsx")
    bad_copy = _with_state(copy, tmp_path / "坏副本.xlsx", DAMAGED)
    with pytest.raises(NotMergeable) as copy_refused:
        merge_books(master, [bad_copy], tmp_path / "c.xlsx")
    assert str(split_refused.value).startswith(f"坏.xlsx: {why}")  # the file named once
    assert str(master_refused.value).startswith(f"坏.xlsx: {why}")
    assert str(copy_refused.value) == (f"坏副本.xlsx: 无法合并这份副本：{why}。请该部门重新发来副本，"
                                       "或对主工作簿重新运行 split 分发")
    assert {e.value.sheet for e in (split_refused, master_refused, copy_refused)} == {STATE_SHEET}
    with pytest.raises(NotAMaster) as not_master:
        merge_books(copy, [], tmp_path / "d.xlsx")
    assert str(not_master.value) == (f"{copy.name}: 这是仓储部部门副本，不是主工作簿："
                                     "第一个参数应为主工作簿，副本放在其后")
    with pytest.raises(MasterTwice):
        merge_books(master, [master], tmp_path / "e.xlsx")
    assert not list(tmp_path.glob("[a-e].xlsx"))


def test_recalc_works_on_a_damaged_state_while_no_id_is_needed(damaged: Path, tmp_path: Path) -> None:
    done = recalc(damaged, tmp_path / "out.xlsx")
    assert done.output.exists() and done.cells_updated > 0
    with pytest.raises(DamagedState):  # left as it was: recalc does not repair what it cannot read
        read_state(done.output)


def test_recalc_refuses_to_issue_ids_over_a_damaged_state(damaged: Path, tmp_path: Path) -> None:
    typed = _with_state(damaged, tmp_path / "手填.xlsx", DAMAGED, {(5, 16): None})  # T002's 行ID cleared
    with pytest.raises(DamagedState) as exc:
        recalc(typed, tmp_path / "out.xlsx")
    assert exc.value.sheet == STATE_SHEET
    assert "有 1 行需要新的行ID，但从损坏的状态表无法得知哪些编号已用过（行ID不能重复），未写出文件" in str(exc.value)
    assert str(exc.value).startswith("手填.xlsx: 隐藏的状态表已损坏：")
    assert not (tmp_path / "out.xlsx").exists()


def test_write_ids(master: Path, tmp_path: Path) -> None:
    pkg = BookPatch.open(master)
    state = State(campaign_id="c", max_ids={"tasks": 18})
    assert write_ids(IdStamp({TASKS: {(21, 16): "T00018"}}, state), pkg) == 1
    assert write_ids(IdStamp({}, None), pkg) == 0
    pkg.save(tmp_path / "ids.xlsx")
    back = read_state(tmp_path / "ids.xlsx")
    assert back is not None and (back.campaign_id, back.max_ids) == ("c", {"tasks": 18})


def test_side_sheets_open_the_file_once(master: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    real = state_module.CalamineWorkbook

    class Calamine:
        @staticmethod
        def from_path(path: str) -> Any:
            opened.append(path)
            return real.from_path(path)

    monkeypatch.setattr(state_module, "CalamineWorkbook", Calamine)
    sheets = SideSheets(master)
    assert sheets.state(snapshot=False) is not None and sheets.state() is not None
    assert sheets.rows("变更记录") is None
    assert opened == [str(master)]


def test_merge_reads_each_file_once(master: Path, copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: Counter[tuple[str, str]] = Counter()
    real_read, real_open, real_book = merge_load.read_workbook, BookPatch.open, state_module.CalamineWorkbook

    def name(path: Any) -> str:
        p = Path(path).name
        return "tmp" if p.endswith(".merge.xlsx") else p

    class Calamine:
        @staticmethod
        def from_path(path: str) -> Any:
            reads[(name(path), "state")] += 1
            return real_book.from_path(path)

    def read(path: Path) -> Any:
        reads[(name(path), "tables")] += 1
        return real_read(path)

    def package(path: Path, **kw: Any) -> BookPatch:
        reads[(name(path), "package")] += 1
        return real_open(path, **kw)

    monkeypatch.setattr(merge_load, "read_workbook", read)
    monkeypatch.setattr(recalc_module, "read_workbook", read)
    monkeypatch.setattr(state_module, "CalamineWorkbook", Calamine)
    monkeypatch.setattr(BookPatch, "open", package)
    merge_books(master, [copy], tmp_path / "merged.xlsx")
    assert reads == {
        ("618活动.xlsx", "tables"): 1, ("618活动.xlsx", "state"): 1, ("618活动.xlsx", "package"): 1,
        (copy.name, "tables"): 1, (copy.name, "state"): 1,
        ("tmp", "tables"): 1, ("tmp", "package"): 1,  # the patched package, recalculated: its state is known
    }
