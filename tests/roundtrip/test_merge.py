"""Department copies and the three-way merge, on the demo 618 campaign, as the departments use them."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import read_values
from xlpromo.cli import app
from xlpromo.files.builder import build_workbook
from xlpromo.files.demo import demo_frames
from xlpromo.model.state import DEMO_CAMPAIGN_ID, STATE_SHEET
from xlpromo.ooxml import HIGHLIGHT_FORMULA, BookPatch, Value, stream
from xlpromo.roundtrip.merge import CHANGES_SHEET, CONFLICTS_SHEET, MergeResult, NotMergeable, merge_books
from xlpromo.roundtrip.recalc import recalc
from xlpromo.roundtrip.split import GROWTH_ROWS, copy_name, split_book
from xlpromo.roundtrip.state import read_state
from xlpromo.testing.libreoffice import convert

runner = CliRunner()
TASKS, DAILY, REVIEW = "任务分工", "每日监控", "复盘报告"
# 任务分工 rows 4–20 hold T001–T017: T009 (row 12) and T014 (row 17) belong to 仓储部,
# T008 (11) and T013 (16) to 客服部.
# Columns: K 当前状态, L 备注, P 行ID. 每日监控: rows 4–311 (D00001–D00308), F 目标值, G 实际值, L 异常说明, P 行ID.


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cell(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters):]), col


def edit(src: Path, dst: Path, edits: Mapping[str, Mapping[str, Value]]) -> Path:
    """A copy of ``src`` with cells typed over, as a department would (protection is Excel's, not the file's)."""
    pkg = BookPatch.open(src)
    for sheet, cells in edits.items():
        pkg.set_cells(sheet, {_cell(ref): v for ref, v in cells.items()})
    pkg.save(dst)
    return dst


def value(values: dict[str, list[list[Any]]], sheet: str, ref: str) -> Any:
    r, c = _cell(ref)
    return values[sheet][r - 1][c - 1]


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("master") / "618活动.xlsx", demo_frames(),
                          campaign_id=DEMO_CAMPAIGN_ID)


@pytest.fixture(scope="module")
def copies(master: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("copies")
    return {d: split_book(master, d, folder / f"618活动-{d}.xlsx").output for d in ("仓储部", "客服部", "运营部")}


@pytest.fixture()
def untouched(master: Path, copies: dict[str, Path]) -> Iterator[None]:
    """Every input file is byte-identical after the test."""
    before = {p: _sha(p) for p in (master, *copies.values())}
    yield
    assert {p: _sha(p) for p in before} == before


def conflict_rows(values: dict[str, list[list[Any]]]) -> list[list[Any]]:
    return values[CONFLICTS_SHEET][1:]


def change_rows(values: dict[str, list[list[Any]]]) -> list[list[Any]]:
    return [r[1:] for r in values[CHANGES_SHEET][1:]]  # without the time


# ---------------------------------------------------------------------------- split


def test_split_unlocks_the_departments_cells_only(copies: dict[str, Path], soffice: str, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(copies["仓储部"])
    ws = wb[TASKS]
    unlocked = sorted(c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked)
    assert unlocked == ["K12", "K17", "L12", "L17"]  # 当前状态 and 备注 of T009 and T014, nothing else
    daily = wb[DAILY]
    assert all(daily[f"{c}311"].protection.locked for c in "ABCFGLMP")  # the existing rows: not 仓储部's metrics
    assert not daily["A312"].protection.locked and not daily["G312"].protection.locked  # new rows below the table
    assert not daily[f"A{311 + GROWTH_ROWS}"].protection.locked and daily[f"A{312 + GROWTH_ROWS}"].protection.locked
    assert daily["H312"].protection.locked  # 达成率 stays a formula column
    for sheet in wb.worksheets:
        assert sheet.protection.sheet, sheet.title
        assert not sheet.protection.password, sheet.title
    assert wb[STATE_SHEET].sheet_state == "veryHidden"
    assert ws["A2"].value == ("【仓储部副本】请填写浅黄色单元格："
                              "任务分配与进度跟踪表的当前状态、备注（负责部门为仓储部的 2 行）。"
                              "填好后请尽快回传运营部。其余单元格已锁定（保护无密码）：请勿撤销保护改他人内容，"
                              "勿改表头、删行或另存为其他格式，否则无法合并回主表。")
    assert "A2:P2" in {str(r) for r in ws.merged_cells.ranges}  # the note wraps across the table
    assert ws["A2"].alignment.wrap_text and ws.row_dimensions[2].height == 33  # two lines
    assert [ws[c].fill.fgColor.rgb for c in ("K12", "L17", "K13", "A12")] == ["FFFFF2CC", "FFFFF2CC", "00000000",
                                                                              "00000000"]  # open cells are yellow
    assert wb["活动目标"]["A2"].value == "【仓储部副本】本表无需仓储部填写，仅供查看；单元格已锁定。"
    assert daily["A2"].value.startswith("【仓储部副本】请填写浅黄色单元格：核心数据监控日报表（可新增行）。"
                                        f"新增行请直接填在表格下方紧接着的空行（已开放 {GROWTH_ROWS} 行），"
                                        "合并时自动并入主表。")
    assert daily["A312"].fill.fgColor.rgb == "FFFFF2CC"
    # framed too: conditional formats paint overdue and finished rows over the fill, not over the frame
    assert {ws["K17"].border.left.color.rgb, ws["L12"].border.bottom.color.rgb} == {"FFED7D31"}
    assert ws["K13"].border.left.color is None or ws["K13"].border.left.color.rgb != "FFED7D31"
    state = read_state(copies["仓储部"])
    assert state is not None and state.role == "copy" and state.dept == "仓储部"
    assert state.campaign_id == DEMO_CAMPAIGN_ID and state.max_ids["daily"] == 308
    assert state.snapshot["tasks"].rows["T00014"][state.snapshot["tasks"].columns.index("status")] == "进行中"
    opened = convert(copies["仓储部"], "csv", tmp_path)  # LibreOffice opens it
    assert opened.read_text(encoding="utf-8", errors="replace")


def test_split_of_the_owner_of_a_table(copies: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(copies["客服部"])
    daily = wb[DAILY]
    assert not daily["G14"].protection.locked and not daily["L14"].protection.locked  # D00011 客服响应时长 is 客服部's
    assert all(daily[f"{c}14"].protection.locked for c in "ABCF")  # its 日期, 核心指标, 渠道, 目标值 are planned
    assert daily["A2"].value.startswith("【客服部副本】请填写浅黄色单元格："
                                        "核心数据监控日报表的实际值、异常说明、调整措施（负责部门为客服部的 56 行）。")
    assert daily["G15"].protection.locked  # D00012 GMV is 运营部's
    ops = openpyxl.load_workbook(copies["运营部"])
    assert not ops["阈值配置"]["C4"].protection.locked and ops["阈值配置"]["A4"].protection.locked
    assert not ops[TASKS]["B4"].protection.locked  # 运营部 fills 任务名称
    assert "填好后请尽快合并回主表。" in ops["阈值配置"]["A2"].value  # 运营部 keeps the master: no mail to itself
    assert ops["活动目标"]["A4"].protection.locked  # 市场部 fills 活动目标


def test_copy_names_do_not_pile_up_the_marks_of_earlier_rounds() -> None:
    assert [copy_name(Path(n), "仓储部") for n in ("618活动.xlsx", "618活动.合并.xlsx", "618活动-合并2.xlsx",
                                                 "618活动.合并.备份.xlsx", "合并.xlsx")] == [
        "618活动-仓储部.xlsx", "618活动-仓储部.xlsx", "618活动-仓储部.xlsx", "618活动-仓储部.xlsx", "合并-仓储部.xlsx"]


def test_split_refuses_an_unknown_department(master: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["split", str(master), "--dept", "宣传科", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert "“宣传科”不在“数据字典”的部门列表中" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_split_all_depts_names_files_by_department(master: Path, tmp_path: Path) -> None:
    before = _sha(master)
    result = runner.invoke(app, ["split", str(master), "--all-depts", "-o", str(tmp_path), "--due", "2024-06-20"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "618活动-仓储部.xlsx" in names and "618活动-运营部.xlsx" in names
    assert "618活动-财务部.xlsx" not in names  # nothing to fill
    skipped = "销售部、商品部、供应链部、流量组、用户组、公关部、财务部"
    assert f"未生成副本：{skipped}（现有各表中没有需要他们填写的单元格；" in result.output.replace("\n", "")
    assert "请于 2024-06-20 前回传运营部" in read_values(tmp_path / "618活动-仓储部.xlsx")[TASKS][1][0]
    assert _sha(master) == before
    again = runner.invoke(app, ["split", str(master), "--all-depts", "-o", str(tmp_path)])
    assert again.exit_code == 2
    assert all(str(tmp_path / n) in again.output.replace("\n", "") for n in names)  # every file in the way


# ---------------------------------------------------------------------------- merge


def test_disjoint_edits_of_two_departments_are_both_taken(master: Path, copies: dict[str, Path], tmp_path: Path,
                                                          untouched: None) -> None:
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx", {TASKS: {"K17": "已完成", "L17": "已全部发出"}})
    cs = edit(copies["客服部"], tmp_path / "cs.xlsx", {TASKS: {"K16": "已完成"}, DAILY: {"G14": 28.5}})
    result = merge_books(master, [wh, cs], tmp_path / "merged.xlsx")
    assert result.counts["changes"] == 4 and result.conflicts == []
    values = read_values(result.output)
    assert [value(values, TASKS, r) for r in ("K17", "L17", "K16", "L16")] == \
        ["已完成", "已全部发出", "已完成", "话术审批延迟"]
    assert value(values, DAILY, "G14") == 28.5
    assert value(values, DAILY, "H14") == pytest.approx(30 / 28.5)  # the cached 达成率 follows the new value
    assert change_rows(values) == [
        ["wh.xlsx", "仓储部", TASKS, "K17", "T00014", "当前状态", "进行中", "已完成"],
        ["wh.xlsx", "仓储部", TASKS, "L17", "T00014", "备注", "", "已全部发出"],
        ["cs.xlsx", "客服部", TASKS, "K16", "T00013", "当前状态", "已延期", "已完成"],
        ["cs.xlsx", "客服部", DAILY, "G14", "D00011", "实际值", 29.4, 28.5],
    ]
    assert conflict_rows(values) == []
    assert "采纳修改 4 处" in result.summary() and "没有冲突" in result.summary()
    state = read_state(result.output)
    assert state is not None and state.role == "master" and state.campaign_id == DEMO_CAMPAIGN_ID
    assert state.snapshot["tasks"].rows["T00014"][state.snapshot["tasks"].columns.index("status")] == "已完成"


def test_split_and_merge_give_the_same_workbook_when_every_part_is_streamed(
        master: Path, copies: dict[str, Path], tmp_path: Path, untouched: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Big workbooks keep their sheets compressed (xlsxpatch.STREAM_OVER): the edits must not depend on it."""
    def round_trip(folder: Path) -> dict[str, list[list[Any]]]:
        folder.mkdir()
        copy = split_book(master, "仓储部", folder / "wh.xlsx").output
        wh = edit(copy, folder / "wh2.xlsx", {TASKS: {"K17": "已完成"}, DAILY: {"A312": "2024-06-20"}})
        values = read_values(merge_books(master, [wh], folder / "merged.xlsx").output)
        values[CHANGES_SHEET] = change_rows(values)  # without the time
        values[STATE_SHEET] = [[r[0], re.split("[:@]", r[1])[-1], r[2]] if r[0] == "merged"  # copy ID: random
                               else [r[0], "", len(r[2].split())] if r[0] == "taken"
                               else [r[0], "", ""] if r[0] == "version" else r
                               for r in values[STATE_SHEET]]
        return values

    whole = round_trip(tmp_path / "whole")
    monkeypatch.setattr(stream, "STREAM_OVER", 1)
    streamed = round_trip(tmp_path / "streamed")
    assert streamed == whole
    assert whole[CHANGES_SHEET][0][2:] == [TASKS, "K17", "T00014", "当前状态", "进行中", "已完成"]
    assert value(whole, DAILY, "P312") == "D00309"  # the appended row


def test_the_same_cell_edited_in_two_copies_is_one_conflict(master: Path, copies: dict[str, Path], tmp_path: Path,
                                                            untouched: None) -> None:
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx", {TASKS: {"L17": "仓库已发货98%"}})
    ops = edit(copies["运营部"], tmp_path / "ops.xlsx", {TASKS: {"L17": "运营催促中"}})
    result = merge_books(master, [wh, ops], tmp_path / "merged.xlsx")
    values = read_values(result.output)
    assert value(values, TASKS, "L17") == ""  # the master's value stays
    assert conflict_rows(values) == [["冲突", TASKS, "L17", "T00014", "备注", "", "",
                                      "仓库已发货98%", "wh.xlsx（仓储部）", "运营催促中", "ops.xlsx（运营部）"]]
    assert change_rows(values) == []
    sheet = openpyxl.load_workbook(result.output)[CONFLICTS_SHEET]
    link = sheet["C2"].hyperlink
    assert link is not None and link.location == f"'{TASKS}'!L17"
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb == "FFD9D9D9" and sheet.freeze_panes == "A2"
    assert sheet["H2"].alignment.wrap_text and sheet.column_dimensions["H"].width == 24
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert result.counts["conflicts"] == 1


def test_long_values_in_the_conflicts_sheet_wrap_in_a_taller_row(master: Path, copies: dict[str, Path],
                                                                 tmp_path: Path) -> None:
    long_a, long_b = "仓库：咨询量超平日3倍，人手不足，已加派夜班", "运营部：服务器卡顿导致排队，已联系技术部扩容"
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx", {TASKS: {"L17": long_a}})
    ops = edit(copies["运营部"], tmp_path / "ops.xlsx", {TASKS: {"L17": long_b}})
    sheet = openpyxl.load_workbook(merge_books(master, [wh, ops], tmp_path / "m.xlsx").output)[CONFLICTS_SHEET]
    assert [sheet["H2"].value, sheet["J2"].value] == [long_a, long_b]  # whole, in 24-wide wrapped columns
    assert sheet.row_dimensions[2].height == 30 and sheet.row_dimensions[1].height is None


def test_a_cell_changed_in_the_master_and_a_copy_is_a_conflict(master: Path, copies: dict[str, Path],
                                                               tmp_path: Path, untouched: None) -> None:
    moved = edit(master, tmp_path / "moved.xlsx", {TASKS: {"K17": "已延期"}})  # ops edits the master by hand
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx", {TASKS: {"K17": "已完成"}})
    result = merge_books(moved, [wh], tmp_path / "merged.xlsx")
    values = read_values(result.output)
    assert value(values, TASKS, "K17") == "已延期"
    assert conflict_rows(values) == [["冲突", TASKS, "K17", "T00014", "当前状态", "进行中", "已延期",
                                      "已完成", "wh.xlsx（仓储部）"]]


def test_an_old_copy_applies_only_its_own_changes(master: Path, copies: dict[str, Path], tmp_path: Path,
                                                  untouched: None) -> None:
    first = edit(copies["仓储部"], tmp_path / "wh.xlsx", {TASKS: {"K17": "已完成"}})
    m1 = merge_books(master, [first], tmp_path / "m1.xlsx").output
    old = edit(copies["运营部"], tmp_path / "ops-old.xlsx", {TASKS: {"C4": "确定22款主推SKU"}})  # made before m1
    result = merge_books(m1, [old], tmp_path / "m2.xlsx")
    values = read_values(result.output)
    assert value(values, TASKS, "K17") == "已完成"  # not put back to the old copy's 进行中
    assert value(values, TASKS, "C4") == "确定22款主推SKU"
    assert result.conflicts == [] and [c.cell for c in result.changes] == ["C4"]
    assert len(change_rows(values)) == 2  # the log keeps the first merge's row


def test_merging_the_same_copy_twice_changes_nothing_the_second_time(master: Path, copies: dict[str, Path],
                                                                     tmp_path: Path, untouched: None) -> None:
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx",
              {TASKS: {"K17": "已完成"}, DAILY: {"A312": 45464, "B312": "发货时长", "F312": 48, "G312": 36}})
    m1 = merge_books(master, [wh], tmp_path / "m1.xlsx")
    m2 = merge_books(m1.output, [wh], tmp_path / "m2.xlsx")
    assert m1.counts["changes"] == 1 and m1.counts["appended"] == 1
    assert m2.counts["changes"] == 0 and m2.counts["appended"] == 0 and m2.already_merged == 1
    v1, v2 = read_values(m1.output), read_values(m2.output)
    for sheet in (TASKS, DAILY, REVIEW, "活动目标", "目标拆解", "阈值配置", "数据字典", CHANGES_SHEET):
        assert v1[sheet] == v2[sheet], sheet
    s1, s2 = read_state(m1.output), read_state(m2.output)
    assert s1 is not None and s2 is not None
    assert s1.snapshot == s2.snapshot and s1.max_ids == s2.max_ids and s1.merged == s2.merged


def test_a_copy_sent_again_after_the_master_moved_on_is_not_a_conflict(master: Path, copies: dict[str, Path],
                                                                       tmp_path: Path, untouched: None) -> None:
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx", {TASKS: {"K17": "已完成", "L17": "已发货"}})
    m1 = merge_books(master, [wh], tmp_path / "m1.xlsx").output
    moved = edit(m1, tmp_path / "moved.xlsx", {TASKS: {"K17": "已延期"}})  # ops corrects the master afterwards
    again = merge_books(moved, [wh], tmp_path / "m2.xlsx")  # the warehouse sends the same file once more
    assert again.conflicts == [] and again.changes == []
    assert value(read_values(again.output), TASKS, "K17") == "已延期"
    # the warehouse edits its copy a second time: its new value is an ordinary change, not a conflict
    wh2 = edit(wh, tmp_path / "wh2.xlsx", {TASKS: {"L17": "已发货，补发2单"}})
    third = merge_books(again.output, [wh2], tmp_path / "m3.xlsx")
    assert third.conflicts == []
    assert [(c.cell, c.old, c.new) for c in third.changes] == [("L17", "已发货", "已发货，补发2单")]
    assert value(read_values(third.output), TASKS, "K17") == "已延期"


def test_the_untouched_copy_sent_after_a_merge_puts_nothing_back(master: Path, copies: dict[str, Path],
                                                                  tmp_path: Path, untouched: None) -> None:
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx", {TASKS: {"K17": "已完成", "L17": "已发货"}})
    m1 = merge_books(master, [wh], tmp_path / "m1.xlsx").output
    stale = merge_books(m1, [copies["仓储部"]], tmp_path / "m2.xlsx")  # the copy as first received, mailed by mistake
    assert stale.changes == [] and stale.conflicts == []
    assert [value(read_values(stale.output), TASKS, c) for c in ("K17", "L17")] == ["已完成", "已发货"]
    old = edit(copies["仓储部"], tmp_path / "old.xlsx", {TASKS: {"L12": "库位已确认"}})  # an old copy, one real edit
    mixed = merge_books(m1, [old], tmp_path / "m3.xlsx")
    assert [(c.cell, c.new) for c in mixed.changes] == [("L12", "库位已确认")] and mixed.conflicts == []
    assert [value(read_values(mixed.output), TASKS, c) for c in ("K17", "L17")] == ["已完成", "已发货"]


def test_a_fix_to_a_row_the_copy_added_updates_that_row(master: Path, copies: dict[str, Path], tmp_path: Path,
                                                        untouched: None) -> None:
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx",
              {DAILY: {"A312": 45464, "B312": "发货时长", "F312": 48, "G312": "30小时"}})
    m1 = merge_books(master, [wh], tmp_path / "m1.xlsx")
    assert [a[2] for a in m1.appended] == ["D00309"]
    fixed = edit(wh, tmp_path / "wh2.xlsx", {DAILY: {"G312": 30}})  # 问题清单 said: a number, please
    m2 = merge_books(m1.output, [fixed], tmp_path / "m2.xlsx")
    assert m2.appended == [] and m2.conflicts == [] and m2.already_merged == 1
    assert [(c.cell, c.row_id, c.old, c.new) for c in m2.changes] == [("G312", "D00309", "30小时", 30.0)]
    values = read_values(m2.output)
    assert value(values, DAILY, "G312") == 30 and len(values[DAILY]) == 312  # no second row
    assert m2.report is not None and not [f for f in m2.report.findings if f.code == "duplicate-key"]
    # the master corrected the same cell meanwhile: the copy's fix is a conflict, the master's value stays
    moved = edit(m1.output, tmp_path / "moved.xlsx", {DAILY: {"G312": 31}})
    m3 = merge_books(moved, [fixed], tmp_path / "m3.xlsx")
    assert [(c.cell, c.base, c.master, c.sides[0][0]) for c in m3.conflicts] == [("G312", "30小时", 31, 30)]
    assert m3.appended == [] and value(read_values(m3.output), DAILY, "G312") == 31


def saved(path: Path, when: str) -> Path:
    """``path`` as Excel would have saved it at ``when``: docProps/core.xml's dcterms:modified."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified\b[^>]*>)[^<]*", rb"\g<1>" + when.encode(), data)
            zout.writestr(item, data)
    tmp.replace(path)
    return path


def test_the_same_copy_named_twice_counts_once(master: Path, copies: dict[str, Path], tmp_path: Path,
                                               untouched: None) -> None:
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx",
              {TASKS: {"K17": "已完成"}, DAILY: {"A312": 45464, "B312": "发货时长", "F312": 48, "G312": 36}})
    twin = tmp_path / "wh（再次发送）.xlsx"
    shutil.copyfile(wh, twin)  # the same copy, mailed twice under two names
    result = merge_books(master, [wh, wh, twin], tmp_path / "merged.xlsx")
    assert result.conflicts == []
    assert [(c.cell, c.new) for c in result.changes] == [("K17", "已完成")]
    assert len(result.appended) == 1 and result.already_merged == 0
    assert result.copies == [("wh.xlsx、wh（再次发送）.xlsx", "仓储部")] and result.counts["copies"] == 1
    assert result.summary().splitlines()[:2] == [
        "已合并 1 个副本：仓储部（wh.xlsx、wh（再次发送）.xlsx），写入 merged.xlsx。",
        "wh.xlsx 与 wh（再次发送）.xlsx 是同一份副本的不同版本（副本ID相同）：按保存时间合并，"
        "同一单元格以较新的 wh（再次发送）.xlsx 为准。"]


def test_two_versions_of_one_copy_in_one_merge_the_later_wins(master: Path, copies: dict[str, Path],
                                                              tmp_path: Path, untouched: None) -> None:
    """Both e-mails in the inbox, merged with 回传/*.xlsx: the version saved later wins, cell by cell and row by row."""
    v1 = saved(edit(copies["仓储部"], tmp_path / "仓储部-更正.xlsx", {  # named so that it sorts first
        TASKS: {"L17": "第一版", "L12": "库位已确认"},
        DAILY: {"A312": 45464, "B312": "发货时长", "F312": 48, "G312": "30小时"}}), "2024-06-20T09:00:00Z")
    v2 = saved(edit(v1, tmp_path / "仓储部.xlsx", {TASKS: {"L17": "第二版"}, DAILY: {"G312": 30}}),
               "2024-06-20T15:30:00Z")
    result = merge_books(master, [v2, v1], tmp_path / "merged.xlsx")
    assert result.conflicts == []
    assert sorted((c.cell, c.new, c.source) for c in result.changes) == [
        ("L12", "库位已确认", "仓储部.xlsx"), ("L17", "第二版", "仓储部.xlsx")]  # the later one has L12 too
    assert [(a[2], a[3]) for a in result.appended] == [("D00309", "仓储部.xlsx")] and result.already_merged == 0
    values = read_values(result.output)
    assert [value(values, TASKS, "L17"), value(values, DAILY, "G312"), len(values[DAILY])] == ["第二版", 30, 312]
    assert "仓储部-更正.xlsx 与 仓储部.xlsx 是同一份副本的不同版本" in result.summary()


def test_a_later_version_that_puts_a_cell_back_or_drops_a_row_wins(master: Path, copies: dict[str, Path],
                                                                    tmp_path: Path, untouched: None) -> None:
    v1 = saved(edit(copies["仓储部"], tmp_path / "v1.xlsx", {
        TASKS: {"K17": "已完成"}, DAILY: {"A312": 45464, "B312": "发货时长", "F312": 48}}), "2024-06-20T09:00:00Z")
    v2 = saved(edit(v1, tmp_path / "v2.xlsx", {TASKS: {"K17": "进行中"}, DAILY: {"A312": None, "B312": None,
                                                                                 "F312": None}}),
               "2024-06-20T15:30:00Z")  # the department took both back
    result = merge_books(master, [v1, v2], tmp_path / "merged.xlsx")
    assert result.changes == [] and result.appended == [] and result.conflicts == []
    assert value(read_values(result.output), TASKS, "K17") == "进行中"


def test_an_older_version_sent_after_its_later_one_was_merged_puts_nothing_back(
        master: Path, copies: dict[str, Path], tmp_path: Path, untouched: None) -> None:
    """Issue 11: v1 (09:00) sets K12 已延期 and L12; v2 (12:00) puts K12 back and changes L12. v1 found in an outbox
    and merged again must not undo v2, in a later merge or in the same one."""
    v1 = saved(edit(copies["仓储部"], tmp_path / "仓储部-v1.xlsx", {TASKS: {"K12": "已延期", "L12": "v1值"}}),
               "2024-06-20T09:00:00Z")
    v2 = saved(edit(v1, tmp_path / "仓储部-v2.xlsx", {TASKS: {"K12": "已完成", "L12": "v2值"}}), "2024-06-20T12:00:00Z")
    m1 = merge_books(master, [v1, v2], tmp_path / "m1.xlsx")
    assert [(c.cell, c.new) for c in m1.changes] == [("L12", "v2值")]
    assert read_state(m1.output).versions == {read_state(v1).copy_id: "2024-06-20T12:00:00Z"}
    for n, again in enumerate(([v1], [v2, v1], [v1, v1])):
        m2 = merge_books(m1.output, again, tmp_path / f"m2-{n}.xlsx")
        assert m2.changes == [] and m2.conflicts == [] and m2.appended == []
        values = read_values(m2.output)
        assert [value(values, TASKS, "K12"), value(values, TASKS, "L12")] == ["已完成", "v2值"]
    assert [o[:2] for o in m2.older] == [("仓储部-v1.xlsx", "仓储部")] and m2.counts["older"] == 1
    assert m2.summary().splitlines()[1].startswith("仓储部-v1.xlsx 是仓储部副本的较旧版本（保存于 2024-06-20 ")
    v3 = saved(edit(v2, tmp_path / "仓储部-v3.xlsx", {TASKS: {"L12": "v3值"}}), "2024-06-21T08:00:00Z")
    m3 = merge_books(m1.output, [v1, v3], tmp_path / "m3.xlsx")  # a later version still comes through
    assert [(c.cell, c.new) for c in m3.changes] == [("L12", "v3值")]
    assert read_state(m3.output).versions == {read_state(v1).copy_id: "2024-06-21T08:00:00Z"}


def test_a_new_row_typed_where_an_added_row_was_cleared_is_a_new_row(master: Path, copies: dict[str, Path],
                                                                     tmp_path: Path, untouched: None) -> None:
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx", {DAILY: {"A312": 45464, "B312": "发货时长", "F312": 48}})
    m1 = merge_books(master, [wh], tmp_path / "m1.xlsx").output
    other = edit(wh, tmp_path / "wh2.xlsx", {DAILY: {"A312": 45463, "B312": "缺货率", "F312": 0.03}})
    m2 = merge_books(m1, [other], tmp_path / "m2.xlsx")
    assert [a[2] for a in m2.appended] == ["D00310"] and m2.changes == []
    values = read_values(m2.output)
    assert [value(values, DAILY, c) for c in ("B312", "P312", "B313", "P313")] == ["发货时长", "D00309", "缺货率",
                                                                                  "D00310"]


def test_a_copy_in_the_masters_place_and_a_master_in_a_copys_are_refused(master: Path, copies: dict[str, Path],
                                                                          tmp_path: Path, untouched: None) -> None:
    out = tmp_path / "merged.xlsx"
    swapped = runner.invoke(app, ["merge", str(copies["仓储部"]), str(master), "-o", str(out)])
    assert swapped.exit_code == 2, swapped.output
    assert "这是仓储部部门副本，不是主工作簿：第一个参数应为主工作簿，副本放在其后" in swapped.output
    with pytest.raises(NotMergeable, match=re.escape("618活动.xlsx: 主工作簿不能同时作为副本给出")):
        merge_books(master, [master], out)
    assert not out.exists()  # a merged result given as a copy is a returned master: test_merge_forwarded
    again = runner.invoke(app, ["split", str(copies["仓储部"]), "--dept", "客服部", "-o", str(tmp_path / "x.xlsx")])
    assert again.exit_code == 2 and "这是仓储部部门副本，不是主工作簿" in again.output
    assert not (tmp_path / "x.xlsx").exists()


def test_split_of_a_file_that_is_not_a_workbook_says_so(tmp_path: Path) -> None:
    fake = tmp_path / "活动.xlsx"
    fake.write_text("这不是表格", encoding="utf-8")
    result = runner.invoke(app, ["split", str(fake), "--dept", "仓储部", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert "活动.xlsx: 不是 Excel 工作簿" in result.output and "Calamine" not in result.output


def test_a_copy_of_a_merged_master_keeps_the_merge_sheets_read_only(master: Path, copies: dict[str, Path],
                                                                    tmp_path: Path, untouched: None) -> None:
    ops = edit(copies["运营部"], tmp_path / "ops.xlsx", {TASKS: {"L17": "运营催促中"}})
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx", {TASKS: {"L17": "仓库已发货98%", "K17": "已完成"}})
    merged = merge_books(master, [wh, ops], tmp_path / "merged.xlsx").output
    copy = split_book(merged, "仓储部", tmp_path / "again.xlsx").output
    wb = openpyxl.load_workbook(copy)
    for name in (CONFLICTS_SHEET, CHANGES_SHEET, "问题清单", "预警", "使用说明"):
        ws = wb[name]
        assert ws.protection.sheet, name
        assert all(c.protection.locked for row in ws.iter_rows() for c in row), name


def test_a_new_row_is_appended_with_a_fresh_id(master: Path, copies: dict[str, Path], tmp_path: Path,
                                               untouched: None) -> None:
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx",
              {DAILY: {"A312": 45464, "B312": "发货时长", "C312": "全渠道", "F312": 48, "G312": 36}})
    cs = edit(copies["客服部"], tmp_path / "cs.xlsx", {DAILY: {"A312": 45464, "B312": "客诉率", "F312": 0.005,
                                                                "G312": 0.004}})
    result = merge_books(master, [wh, cs], tmp_path / "merged.xlsx")
    assert [a[:3] for a in result.appended] == [(DAILY, "A312", "D00309"), (DAILY, "A313", "D00310")]
    values = read_values(result.output)
    assert values[DAILY][311][:8] == [read_values(master)[DAILY][310][0], "发货时长", "全渠道", "小时", "越低越好",
                                      48.0, 36.0, pytest.approx(48 / 36)]
    assert values[DAILY][311][15] == "D00309" and values[DAILY][312][15] == "D00310"
    wb = openpyxl.load_workbook(result.output)
    assert wb[DAILY].tables["Daily"].ref == "A3:T313"
    # formats as the rows of the same metric (客诉率: 0.00%), not as the table's last row (客服响应时长: 0.0)
    assert [wb[DAILY][c].number_format for c in ("A313", "F313", "G313", "A312")] == [
        "yyyy-mm-dd", "0.00%", "0.00%", "yyyy-mm-dd"]
    assert str(wb[DAILY]["H313"].value).startswith("=IF(OR(NOT(ISNUMBER(Daily[[#This Row],[目标值]]))")
    state = read_state(result.output)
    assert state is not None and state.max_ids["daily"] == 310 and "D00310" in state.snapshot["daily"].rows
    assert change_rows(values)[-2:] == [  # what was added, so that it can be found and undone
        ["wh.xlsx", "仓储部", DAILY, "A312", "D00309", "（新增行）", "",
         "日期 2024-06-21，核心指标 发货时长，渠道 全渠道，目标值 48，实际值 36"],
        ["cs.xlsx", "客服部", DAILY, "A313", "D00310", "（新增行）", "",
         "日期 2024-06-21，核心指标 客诉率，目标值 0.5%，实际值 0.4%"]]


def test_a_row_deleted_in_a_copy_is_flagged_not_deleted(master: Path, copies: dict[str, Path], tmp_path: Path,
                                                        untouched: None) -> None:
    cleared: dict[str, Value] = {f"{c}19": None for c in "ABCD"}  # 问题与改进 秒杀商品库存不足 (L00005)
    ops = edit(copies["运营部"], tmp_path / "ops.xlsx", {REVIEW: cleared})
    result = merge_books(master, [ops], tmp_path / "merged.xlsx")
    values = read_values(result.output)
    assert values[REVIEW][18][:4] == ["问题与改进", "秒杀商品库存不足", "下次活动按预估流量1.2倍备货", "采购部"]
    assert conflict_rows(values) == [[  # the master's row as it stands, so that 运营部 can decide without searching
        "副本删除了此行", REVIEW, "A19", "L00005", "（整行）", "",
        "类型 问题与改进，内容 秒杀商品库存不足，改进措施 下次活动按预估流量1.2倍备货，责任部门 采购部",
        "（已删除）", "ops.xlsx（运营部）"]]
    assert result.counts["flagged"] == 1 and "副本删除了此行 1 处" in result.summary()


def test_a_row_the_copy_added_and_then_cleared_is_flagged(master: Path, copies: dict[str, Path],
                                                          tmp_path: Path, untouched: None) -> None:
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx", {DAILY: {"A312": 45464, "B312": "发货时长", "F312": 48}})
    m1 = merge_books(master, [wh], tmp_path / "m1.xlsx").output
    cleared = edit(wh, tmp_path / "wh2.xlsx", {DAILY: {"A312": None, "B312": None, "F312": None}})
    m2 = merge_books(m1, [cleared], tmp_path / "m2.xlsx")
    assert [(c.kind, c.cell, c.row_id, c.master) for c in m2.conflicts] == [
        ("副本删除了此行", "A312", "D00309", "日期 2024-06-21，核心指标 发货时长，目标值 48")]
    assert value(read_values(m2.output), DAILY, "B312") == "发货时长"  # flagged, not deleted


def test_a_copy_of_another_campaign_is_refused_and_nothing_is_written(master: Path, tmp_path: Path) -> None:
    other = build_workbook(tmp_path / "双11.xlsx", demo_frames())  # a fresh campaign ID
    stranger = split_book(other, "仓储部", tmp_path / "双11-仓储部.xlsx").output
    out = tmp_path / "merged.xlsx"
    with pytest.raises(NotMergeable, match=re.escape("双11-仓储部.xlsx: 无法合并：这是另一个活动的副本")):
        merge_books(master, [stranger], out)
    assert not out.exists() and not list(tmp_path.glob(".merged*"))
    result = runner.invoke(app, ["merge", str(master), str(stranger), "-o", str(out)])
    assert result.exit_code == 2 and "另一个活动" in result.output and "未写出任何文件" in result.output
    assert not out.exists()


def test_a_copy_with_a_renamed_header_is_refused(master: Path, copies: dict[str, Path], tmp_path: Path) -> None:
    renamed = edit(copies["仓储部"], tmp_path / "wh.xlsx", {TASKS: {"K3": "状态"}})
    out = tmp_path / "merged.xlsx"
    with pytest.raises(NotMergeable, match=re.escape("wh.xlsx: 无法合并：工作表“任务分工”的表头缺少“当前状态”列")):
        merge_books(master, [renamed], out)
    no_ids = edit(copies["仓储部"], tmp_path / "wh2.xlsx", {DAILY: {"P3": "编号"}})
    with pytest.raises(NotMergeable, match="缺少“行ID”列"):
        merge_books(master, [no_ids], out)
    assert not out.exists()


def test_a_copy_of_another_format_version_is_refused(master: Path, copies: dict[str, Path], tmp_path: Path) -> None:
    old = edit(copies["仓储部"], tmp_path / "old.xlsx", {STATE_SHEET: {"C2": 0}})
    with pytest.raises(NotMergeable, match=re.escape("old.xlsx: 无法合并：副本来自较旧版本的 xlpromo")):
        merge_books(master, [old], tmp_path / "merged.xlsx")


def test_merge_cli_prints_the_summary_and_exit_code(master: Path, copies: dict[str, Path], tmp_path: Path) -> None:
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx", {TASKS: {"K17": "已完成"}})
    out = tmp_path / "merged.xlsx"
    result = runner.invoke(app, ["merge", str(master), str(wh), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "采纳修改 1 处" in result.output and "预警" in result.output
    again = runner.invoke(app, ["merge", str(master), str(wh), "-o", str(out)])
    assert again.exit_code == 2 and "已存在" in again.output
    ops = edit(copies["运营部"], tmp_path / "ops.xlsx", {TASKS: {"K17": "已延期"}})
    clash = runner.invoke(app, ["merge", str(master), str(wh), str(ops), "-o", str(out), "--force"])
    assert clash.exit_code == 1 and "冲突 1 处" in clash.output
    assert clash.output.count(" ← ") == 2  # each side's value, then its file (folded in the table)


def test_merge_cli_shows_conflicting_numbers_as_cells_show_them(master: Path, tmp_path: Path) -> None:
    a = edit(master, tmp_path / "a.xlsx", {DAILY: {"G5": 28.0}})  # the forwarded master, edited twice
    b = edit(master, tmp_path / "b.xlsx", {DAILY: {"G5": 27.0}})
    result = runner.invoke(app, ["merge", str(master), str(a), str(b), "-o", str(tmp_path / "m.xlsx")])
    assert result.exit_code == 1, result.output
    flat = re.sub(r"\s+|[│┃]", "", result.output)
    assert "28←a.xlsx" in flat and "27←b.xlsx" in flat and "28.0" not in flat and "27.0" not in flat


def test_template_features_survive_the_merge(master: Path, copies: dict[str, Path], tmp_path: Path,
                                             soffice: str) -> None:
    with_sheet = tmp_path / "with-notes.xlsx"
    shutil.copy(master, with_sheet)
    pkg = BookPatch.open(with_sheet)
    pkg.put_hidden_sheet("我的备注", [["供应商电话", "12345"]])  # a sheet of the user's (hidden: it must survive too)
    pkg.save(with_sheet)
    wh = edit(copies["仓储部"], tmp_path / "wh.xlsx",
              {TASKS: {"K17": "已完成"}, DAILY: {"A312": 45464, "B312": "发货时长", "F312": 48, "G312": 36}})
    out = merge_books(with_sheet, [wh], tmp_path / "merged.xlsx").output

    def features(path: Path) -> dict[str, Any]:
        wb = openpyxl.load_workbook(path)
        out: dict[str, Any] = {"names": sorted((n, d.attr_text) for n, d in wb.defined_names.items())}
        for ws in wb.worksheets:
            out[ws.title] = (
                sorted((t.name, t.ref if t.name != "Daily" else "", tuple(c.name for c in t.tableColumns))
                       for t in ws.tables.values()),
                sorted((str(v.sqref), v.type, v.formula1, v.prompt) for v in ws.data_validations.dataValidation),
                sorted((str(r.sqref), tuple(x.formula[0] for x in rules))
                       for r, rules in ws.conditional_formatting._cf_rules.items()
                       if rules[0].formula[0] != HIGHLIGHT_FORMULA),  # recalc's own highlight of alerts
                ws.protection.sheet, ws.sheet_state, ws.freeze_panes)
        return out

    before, after = features(with_sheet), features(out)
    for sheet in (CONFLICTS_SHEET, CHANGES_SHEET, "问题清单", "预警"):
        assert sheet in after and sheet not in before
        del after[sheet]
    main = {k: v for k, v in after.items() if k != DAILY}
    assert main == {k: v for k, v in before.items() if k != DAILY}
    assert after[DAILY][1:3] == before[DAILY][1:3]  # validations and conditional formats of the grown table
    assert openpyxl.load_workbook(out)[DAILY].tables["Daily"].ref == "A3:T312"
    assert read_values(out)["我的备注"] == [["供应商电话", "12345"]]
    assert value(read_values(out), REVIEW, "B2") == "2024年618年中大促"  # a cached value the merge did not touch
    assert convert(out, "csv", tmp_path / "lo").read_text(encoding="utf-8", errors="replace")  # LibreOffice opens it


# ---------------------------------------------------------------------------- nothing is lost

EDITABLE = [(TASKS, f"{c}{r}") for r in (12, 16, 17) for c in "KL"] + \
           [(DAILY, f"{c}{r}") for r in (14, 25, 36) for c in "GLM"]
WORDS = st.sampled_from(["已完成", "进行中", "已延期", "补货中", "客服已跟进", "已修复", ""])
NUMBERS = st.sampled_from([0.0, 12.5, 30.0, 31.5, 58.0])


@st.composite
def scenarios(draw: Callable[..., Any]) -> list[dict[tuple[str, str], Any]]:
    """Edits per copy (3 copies): each a few cells of 任务分工 / 每日监控 typed over."""
    out = []
    for _ in range(3):
        cells = draw(st.lists(st.sampled_from(EDITABLE), max_size=4, unique=True))
        out.append({cell: draw(NUMBERS if cell[1][0] == "G" else WORDS) for cell in cells})
    return out


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenarios())
def test_every_edit_ends_in_the_merge_or_in_the_conflicts(master: Path, copies: dict[str, Path],
                                                          tmp_path_factory: pytest.TempPathFactory,
                                                          edits: list[dict[tuple[str, str], Any]]) -> None:
    folder = tmp_path_factory.mktemp("prop")
    paths = []
    for i, (dept, per_copy) in enumerate(zip(("仓储部", "客服部", "运营部"), edits, strict=True)):
        grouped: dict[str, dict[str, Value]] = {}
        for (sheet, ref), v in per_copy.items():
            grouped.setdefault(sheet, {})[ref] = None if v == "" else v
        paths.append(edit(copies[dept], folder / f"c{i}.xlsx", grouped))
    result: MergeResult = merge_books(master, paths, folder / "merged.xlsx")
    before, after = read_values(master), read_values(result.output)
    conflicts = {(r[1], r[2]): r for r in conflict_rows(after)}
    for per_copy, path in zip(edits, paths, strict=True):
        for (sheet, ref), v in per_copy.items():
            typed = v
            if value(before, sheet, ref) == typed:
                continue  # typed what was there: nothing to keep
            merged = value(after, sheet, ref)
            listed = conflicts.get((sheet, ref))
            assert merged == typed or (listed is not None and typed in listed[7::2]
                                       and f"{path.name}（" in "".join(map(str, listed[8::2]))), (sheet, ref, v)
    log = {(r[3], r[4]): r for r in after[CHANGES_SHEET][1:]}
    for sheet, ref in EDITABLE:
        old, new = value(before, sheet, ref), value(after, sheet, ref)
        if old != new:
            assert (sheet, ref) in log and log[(sheet, ref)][7] == old and log[(sheet, ref)][8] == new


def test_recalc_gives_rows_typed_by_hand_an_id_that_is_never_reused(master: Path, tmp_path: Path) -> None:
    typed = edit(master, tmp_path / "typed.xlsx", {DAILY: {"A312": 45464, "B312": "GMV", "F312": 8}})
    first = recalc(typed, tmp_path / "r1.xlsx").output
    assert value(read_values(first), DAILY, "P312") == "D00309"
    state = read_state(first)
    assert state is not None and state.max_ids["daily"] == 309
    gone = edit(first, tmp_path / "gone.xlsx", {DAILY: {"A312": None, "B312": None, "F312": None, "P312": None}})
    retyped = edit(gone, tmp_path / "retyped.xlsx", {DAILY: {"A312": 45464, "B312": "访客数", "F312": 50000}})
    second = recalc(retyped, tmp_path / "r2.xlsx").output
    assert value(read_values(second), DAILY, "P312") == "D00310"  # D00309 belonged to the deleted row
    assert recalc(second, tmp_path / "r3.xlsx").output.read_bytes() == second.read_bytes()


def test_rows_typed_below_a_table_join_it_with_its_formulas(master: Path, copies: dict[str, Path], tmp_path: Path,
                                                             soffice: str) -> None:
    """LibreOffice, WPS and a protected sheet do not grow a table: recalc and merge take the typed rows in."""
    typed = edit(master, tmp_path / "typed.xlsx", {DAILY: {
        "A312": 45464, "B312": "GMV", "C312": "天猫", "F312": 100, "G312": 120,
        "A314": 45464, "B314": "新客数", "C314": "天猫", "F314": 40, "G314": 30}})
    out = recalc(typed, tmp_path / "r1.xlsx")
    assert out.not_formulas == [] and out.report.stats["warnings"] == 0
    wb = openpyxl.load_workbook(out.output)
    assert wb[DAILY].tables["Daily"].ref == "A3:T314"
    assert wb[DAILY]["H312"].value.startswith("=IF(OR(NOT(ISNUMBER(Daily[[#This Row],[目标值]]))")
    assert wb[DAILY]["H313"].value.startswith("=IF(")  # the blank row between them is part of the table
    values = read_values(out.output)
    assert [value(values, DAILY, c) for c in ("D312", "H312", "K312", "H314", "K314", "P312", "P314")] == [
        "万元", 1.2, "达标", 0.75, "未达标", "D00309", "D00310"]
    lo = read_values(convert(out.output, "xlsx", tmp_path / "lo"))  # LibreOffice's own recalculation agrees
    assert [value(lo, DAILY, c) for c in ("D312", "H312", "K312", "H314", "K314")] == [
        "万元", 1.2, "达标", 0.75, "未达标"]
    assert recalc(out.output, tmp_path / "r2.xlsx").output.read_bytes() == out.output.read_bytes()
    # the same rows typed in a master that a copy then adds to: both kept, all with formulas
    wh = edit(copies["客服部"], tmp_path / "cs.xlsx", {DAILY: {"A312": 45463, "B312": "客服响应时长",
                                                              "C312": "天猫", "F312": 30, "G312": 25}})
    merged = merge_books(typed, [wh], tmp_path / "merged.xlsx")
    assert merged.report is not None and merged.report.stats["warnings"] == 0
    assert [a[1] for a in merged.appended] == ["A315"]
    mv = read_values(merged.output)
    assert [value(mv, DAILY, c) for c in ("H312", "H314", "B315", "H315")] == [1.2, 0.75, "客服响应时长", 1.2]


def test_a_master_made_before_the_state_sheet_is_upgraded_by_a_merge(master: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from xlpromo.files import builder

    monkeypatch.setattr(builder._Writer, "write_state", lambda self, state: None)
    old = build_workbook(tmp_path / "旧主表.xlsx", demo_frames())
    monkeypatch.undo()
    assert read_state(old) is None
    refused = runner.invoke(app, ["split", str(old), "--dept", "仓储部", "-o", str(tmp_path / "c.xlsx")])
    assert refused.exit_code == 2 and "没有 _xlpromo 状态表" in refused.output and not (tmp_path / "c.xlsx").exists()
    with pytest.raises(NotMergeable, match=re.escape("旧主表.xlsx: 无法合并：不是由 xlpromo split 生成的部门副本")):
        merge_books(master, [old], tmp_path / "x.xlsx")
    upgraded = merge_books(old, [], tmp_path / "新主表.xlsx").output
    state = read_state(upgraded)
    assert state is not None and state.max_ids["daily"] == 308 and len(state.snapshot["daily"].rows) == 308
    assert split_book(upgraded, "仓储部", tmp_path / "c.xlsx").cells == 4 + 15 * 4  # and 商品与库存


def test_a_copy_whose_state_sheet_was_deleted_is_neither_merged_nor_made_a_master(
        master: Path, copies: dict[str, Path], tmp_path: Path, untouched: None) -> None:
    """Issue 11: without _xlpromo a copy still says 【运营部副本】 on row 2; given alone to merge it was "upgraded"
    to a master. Every command that needs its state now names it as the copy it is, and writes nothing."""
    wb = openpyxl.load_workbook(copies["运营部"])
    del wb[STATE_SHEET]
    wb.save(lost := tmp_path / "运营部-无状态.xlsx")
    why = ("运营部-无状态.xlsx: 这是运营部的部门副本（第 2 行写着【运营部副本】），"
           "但其中隐藏的 _xlpromo 状态表已被删除，无法知道它从哪一版主表分出，不能合并；"
           "请用收到的原副本重新填写回传，或把改动手工填入主工作簿")
    for args in ([lost], [master, lost]):
        result = runner.invoke(app, ["merge", *map(str, args), "-o", str(tmp_path / "out.xlsx")])
        assert result.exit_code == 2, result.output
        assert f"错误：{why}。未写出任何文件。" in result.output
        assert not (tmp_path / "out.xlsx").exists()
    with pytest.raises(NotMergeable, match=re.escape(why)):
        merge_books(lost, [], tmp_path / "out.xlsx")
    split = runner.invoke(app, ["split", str(lost), "--dept", "仓储部", "-o", str(tmp_path / "c.xlsx")])
    assert split.exit_code == 2 and "这是运营部的部门副本（第 2 行写着【运营部副本】），不是主工作簿" in split.output
    assert not (tmp_path / "c.xlsx").exists()


def test_the_single_target_row_is_logged_without_a_row_id(master: Path, tmp_path: Path) -> None:
    mkt = split_book(master, "市场部", tmp_path / "mkt.xlsx").output
    edited = edit(mkt, tmp_path / "mkt2.xlsx", {"活动目标": {"G4": 520}})  # GMV目标 500 → 520
    result = merge_books(master, [edited], tmp_path / "m.xlsx")
    assert [(c.sheet, c.cell, c.row_id, c.header, c.old, c.new) for c in result.changes] == [
        ("活动目标", "G4", "", "核心目标(GMV/万元)", 500.0, 520.0)]


def test_split_all_names_a_department_it_cannot_name_a_file_after(tmp_path: Path) -> None:
    import pandas as pd

    frames = demo_frames()
    frames["departments"] = pd.concat([frames["departments"], pd.DataFrame({"value": ["技术/研发部"]})],
                                      ignore_index=True)
    book = build_workbook(tmp_path / "618活动.xlsx", frames, campaign_id=DEMO_CAMPAIGN_ID)
    result = runner.invoke(app, ["split", str(book), "--all-depts", "-o", str(tmp_path / "分发")])
    assert result.exit_code == 0, result.output
    text = result.output.replace("\n", "")
    assert "未生成副本：技术/研发部（部门名称含文件名不能用的字符 \\/:*?\"<>|；请在“数据字典”中改名后再分发）" in text
    assert "未生成副本：销售部、商品部" in text and "技术/研发部、" not in text


def test_the_note_does_not_merge_over_cells_someone_merged(master: Path, tmp_path: Path) -> None:
    pkg = BookPatch.open(master)
    assert pkg.merge_cells(TASKS, "A2:D2")
    pkg.save(tmp_path / "merged-row2.xlsx")
    copy = split_book(tmp_path / "merged-row2.xlsx", "仓储部", tmp_path / "wh.xlsx").output
    ws = openpyxl.load_workbook(copy)[TASKS]
    assert {str(r) for r in ws.merged_cells.ranges} == {"A2:D2"}  # one range, no overlapping second one
    assert ws["A2"].value.startswith("【仓储部副本】")
