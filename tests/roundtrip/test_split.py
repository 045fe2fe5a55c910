"""xlpromo split on the demo 618 master: file names, the note, locks, the copy's state, refusals, one read."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import xlpromo.roundtrip.split as split_module
import xlpromo.roundtrip.state as state_module
from xlpromo.engine.report import check_book
from xlpromo.errors import NotSplittable
from xlpromo.files.reader import read_workbook
from xlpromo.model.state import DEMO_CAMPAIGN_ID, STATE_SHEET
from xlpromo.ooxml import BookPatch
from xlpromo.roundtrip.split import (
    GROWTH_ROWS,
    campaign_stem,
    copy_name,
    owners,
    split_all,
    split_book,
    split_needed,
)
from xlpromo.roundtrip.state import read_state

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")  # openpyxl, x14

TASKS, DAILY, STOCK = "任务分工", "每日监控", "商品与库存"
# 任务分工 rows 4–20 hold T001–T017: T009 (row 12) and T014 (row 17) belong to 仓储部, T008 (11) to 客服部.
# Columns: A 任务编号, K 当前状态, L 备注. 每日监控 rows 4–311.


@pytest.fixture(scope="module")
def warehouse(master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("copy") / copy_name(master, "仓储部")
    made = split_book(master, "仓储部", out, due=dt.date(2024, 6, 20))
    # 4 task cells, and 当前库存, 日均销量, 库龄天数, 备注 of the demo’s 15 仓储部 SKUs on 商品与库存
    assert (made.output, made.dept, made.cells, made.tables) == (out, "仓储部", 4 + 15 * 4, [TASKS, DAILY, STOCK])
    return out


def test_file_names() -> None:
    assert copy_name(Path("618活动.xlsx"), "仓储部") == "618活动-仓储部.xlsx"
    assert copy_name(Path("618活动.合并.xlsx"), "客服部") == "618活动-客服部.xlsx"
    assert copy_name(Path("618活动.xlsm"), "仓储部") == "618活动-仓储部.xlsm"
    assert campaign_stem("618活动-合并2.备份") == "618活动"
    assert campaign_stem("618活动.日计划.导入3") == "618活动"  # the 生成日计划 and 导入数据 buttons' results
    assert copy_name(Path("618活动.导入.xlsx"), "客服部") == "618活动-客服部.xlsx"


def test_the_note_says_what_to_fill_and_by_when(warehouse: Path) -> None:
    ws = openpyxl.load_workbook(warehouse)[TASKS]
    assert ws["A2"].value == (
        "【仓储部副本】请填写浅黄色单元格：任务分配与进度跟踪表的当前状态、备注（负责部门为仓储部的 2 行）。"
        "请于 2024-06-20 前回传运营部。其余单元格已锁定（保护无密码）：请勿撤销保护改他人内容，"
        "勿改表头、删行或另存为其他格式，否则无法合并回主表。")
    assert [str(r) for r in ws.merged_cells.ranges] == ["A2:P2"]
    assert ws.row_dimensions[2].height == 33.0


def test_only_the_departments_cells_are_unlocked(warehouse: Path) -> None:
    wb = openpyxl.load_workbook(warehouse)
    assert all(ws.protection.sheet for ws in wb.worksheets)
    ws = wb[TASKS]
    locked = {ref: ws[ref].protection.locked for ref in ("K12", "L12", "K17", "L17", "K11", "A12", "K21")}
    assert locked == {"K12": False, "L12": False, "K17": False, "L17": False, "K11": True, "A12": True,
                      "K21": True}  # 仓储部 adds no task: the rows below stay locked
    assert ws["K12"].fill.fgColor.rgb == "FFFFF2CC" and ws["K11"].fill.fgColor.rgb == "00000000"


def test_a_department_that_adds_rows_gets_growth_rows(master: Path, tmp_path: Path) -> None:
    copy = split_book(master, "运营部", tmp_path / "ops.xlsx").output
    ws = openpyxl.load_workbook(copy)[TASKS]
    assert ws["A21"].protection.locked is False and ws[f"A{20 + GROWTH_ROWS}"].protection.locked is False
    assert ws[f"A{21 + GROWTH_ROWS}"].protection.locked is True


def test_the_copy_state_is_the_masters_values(master: Path, warehouse: Path) -> None:
    mine, base = read_state(warehouse), read_state(master)
    assert mine is not None and base is not None
    assert (mine.role, mine.dept, mine.source, mine.campaign_id) == ("copy", "仓储部", "618活动.xlsx", DEMO_CAMPAIGN_ID)
    assert len(mine.copy_id) == 36 and mine.made_at
    assert mine.max_ids == base.max_ids
    assert {k: v.rows for k, v in mine.snapshot.items()} == {k: v.rows for k, v in base.snapshot.items()}
    assert openpyxl.load_workbook(warehouse)[STATE_SHEET].sheet_state == "veryHidden"


def test_owners_are_what_the_check_reads(master: Path) -> None:
    raw = read_workbook(master)
    found = owners(raw)
    frames = check_book(raw).frames
    assert set(found) == {"tasks", "daily", "stock"}
    for key, series in found.items():
        assert series.tolist() == frames[key]["dept"].tolist()
        assert list(series.index) == list(frames[key].index)
    assert found["tasks"].loc[12] == "仓储部" and found["daily"].iloc[0]


def test_split_runs_no_alert(master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any) -> None:
        raise AssertionError("split ran the whole check")
    monkeypatch.setattr("xlpromo.engine.report.check_book", boom)
    assert split_book(master, "客服部", tmp_path / "cs.xlsx").cells == 172


def test_refusals(master: Path, warehouse: Path, tmp_path: Path) -> None:
    with pytest.raises(NotSplittable) as unknown:
        split_book(master, "法务部", tmp_path / "x.xlsx")
    assert str(unknown.value) == ("618活动.xlsx: 部门“法务部”不在“数据字典”的部门列表中（运营部、市场部、销售部、"
                                  "技术部、客服部、仓储部、采购部、设计部、商品部、供应链部、流量组、用户组、数据分析、"
                                  "公关部、财务部）")
    with pytest.raises(NotSplittable) as copy:
        split_book(warehouse, "仓储部", tmp_path / "y.xlsx")
    assert str(copy.value) == f"{warehouse.name}: 这是仓储部部门副本，不是主工作簿：请对主工作簿运行 split"
    assert split_needed(master, "销售部", tmp_path / "sales.xlsx") is None
    assert not list(tmp_path.iterdir())


def test_split_all_reads_the_master_once(master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: Counter[str] = Counter()
    real_read, real_open, real_book = split_module.read_workbook, BookPatch.open, state_module.CalamineWorkbook

    class Calamine:
        @staticmethod
        def from_path(path: str) -> Any:
            reads["state"] += 1
            return real_book.from_path(path)

    def read(path: Path) -> Any:
        reads["tables"] += 1
        return real_read(path)

    def package(path: Path, **kw: Any) -> BookPatch:
        reads["package"] += 1
        return real_open(path, **kw)

    monkeypatch.setattr(split_module, "read_workbook", read)
    monkeypatch.setattr(state_module, "CalamineWorkbook", Calamine)
    monkeypatch.setattr(BookPatch, "open", package)
    made = split_all(master, tmp_path)
    assert [m.output.name for m in made] == [f"618活动-{d}.xlsx" for d in (
        "运营部", "市场部", "技术部", "客服部", "仓储部", "采购部", "设计部", "数据分析")]
    # the tables and the state once; a package per department tried (an empty one is dropped before it is written)
    assert reads == {"tables": 1, "state": 1, "package": 15}


def test_the_cli_split_all_depts_reads_the_tables_once(master: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The command names the departments from the same read the copies are made from."""
    from typer.testing import CliRunner

    from xlpromo.cli import app
    from xlpromo.files import reader

    reads: Counter[str] = Counter()
    real_read = reader.read_workbook

    def read(path: Path) -> Any:
        reads[Path(path).name] += 1
        return real_read(path)

    monkeypatch.setattr(reader, "read_workbook", read)
    monkeypatch.setattr(split_module, "read_workbook", read)
    result = CliRunner().invoke(app, ["split", str(master), "--all-depts", "-o", str(tmp_path / "copies")])
    assert result.exit_code == 0, result.output
    assert reads == {"618活动.xlsx": 1}
    assert len(list((tmp_path / "copies").glob("*.xlsx"))) == 8
