"""``plan`` on files: the planned rows land in the blank master's table, formatted by unit, logged, recalculated."""

from __future__ import annotations

from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.roundtrip.conftest import with_targets
from xlpromo.errors import WorkbookError
from xlpromo.files.check import check
from xlpromo.model.master import SCHEMA
from xlpromo.ooxml import BookPatch
from xlpromo.roundtrip.merge import CHANGES_SHEET
from xlpromo.roundtrip.plan import PLAN_SOURCE, plan_book

DAILY = SCHEMA.sheet("daily").name


@pytest.fixture(scope="module")
def planned(blank_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("plan")
    book = with_targets(blank_path, tmp / "618.xlsx")
    out = tmp / "计划.xlsx"
    done = plan_book(book, out, channels=["天猫", "京东"])
    assert len(done.plan.rows) == 28 * 2 * 2 and done.filled.report.valid
    return book, out


def test_rows_fill_the_table_from_its_first_blank_row(planned: tuple[Path, Path]) -> None:
    _, out = planned
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(DAILY).to_python()
    t = SCHEMA.table("daily")
    head = t.header_row
    assert rows[head][:3] == ["日期", "核心指标", "渠道"]
    first = rows[head + 1]
    assert first[:3] == [first[0], "GMV", "天猫"] and str(first[0])[:10] == "2024-05-25"
    assert first[t.index("target")] == pytest.approx(3.76) and first[t.index("unit")] == "万元"
    assert len([r for r in rows[head + 1:] if r[1]]) == 112
    r0, _, r1, _ = BookPatch.open(out).table_ref(DAILY, t.name)
    assert (r0, r1) == (head + 1, head + 1 + 112)  # 20 blank rows used first, then the table grew


def test_each_metric_shows_its_unit(planned: tuple[Path, Path]) -> None:
    import openpyxl

    _, out = planned
    ws = openpyxl.load_workbook(out)[DAILY]
    t = SCHEMA.table("daily")
    col = t.index("target") + 1
    row = t.header_row + 2
    by_metric = {ws.cell(r, 2).value: ws.cell(r, col).number_format for r in range(row, row + 4)}
    assert by_metric == {"GMV": "#,##0.00", "新客占比": "0.0%"}


def test_gmv_rows_add_up_to_the_target_and_check_is_clean(planned: tuple[Path, Path]) -> None:
    _, out = planned
    report = check(out)
    d = report.frames["daily"]
    assert round(float(d.loc[d["metric"] == "GMV", "target"].sum()), 6) == 500
    assert set(d.loc[d["metric"] == "新客占比", "target"]) == {0.3}
    assert report.findings == []


def test_every_added_row_is_logged(planned: tuple[Path, Path]) -> None:
    _, out = planned
    log = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(CHANGES_SHEET).to_python()
    assert log[0][:7] == ["时间", "来源文件", "部门", "工作表", "单元格", "行ID", "列"]
    assert len(log) == 1 + 112
    assert log[1][1:5] == [PLAN_SOURCE, "", DAILY, "A4"] and log[1][6] == "（新增行）"
    assert log[1][8] == "日期 2024-05-25，核心指标 GMV，渠道 天猫，目标值 3.76"
    rates = {r[8] for r in log[1:] if "核心指标 GMV" not in r[8]}
    assert "日期 2024-05-25，核心指标 新客占比，渠道 天猫，目标值 30%" in rates and len(rates) == 56  # 30%, not 0.3


def test_planning_again_adds_nothing_and_keeps_what_was_typed(planned: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = planned
    pkg = BookPatch.open(out)
    t = SCHEMA.table("daily")
    pkg.set_cells(DAILY, {(t.header_row + 2, t.index("target") + 1): 9.99})  # a person changed a target
    pkg.save(tmp_path / "typed.xlsx")
    again = plan_book(tmp_path / "typed.xlsx", tmp_path / "again.xlsx", channels=["天猫", "京东"])
    assert len(again.plan.rows) == 0 and again.plan.kept == 112
    d = check(tmp_path / "again.xlsx").frames["daily"]
    assert len(d) == 112 and d["target"].iloc[0] == 9.99
    assert "已有的 112 行（同一日期、指标、渠道）保持原样，未改动。" in again.summary()


def test_in_place_keeps_a_backup(planned: tuple[Path, Path], tmp_path: Path) -> None:
    book, _ = planned
    copy = tmp_path / "活动.xlsx"
    copy.write_bytes(book.read_bytes())
    done = plan_book(copy, in_place=True, metrics=["GMV"])
    assert done.filled.backup == tmp_path / "活动.备份.xlsx"
    assert done.filled.backup.read_bytes() == book.read_bytes()
    assert len(check(copy).frames["daily"]) == 28


def test_a_book_without_dates_is_refused_and_nothing_is_written(blank_path: Path, tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="须都是日期"):
        plan_book(blank_path, tmp_path / "out.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_refusal_names_the_sheet_where_it_is_mended(planned: tuple[Path, Path], tmp_path: Path) -> None:
    book, _ = planned
    with pytest.raises(WorkbookError, match="渠道 天猫国际 不在数据字典的渠道列表中") as channel:
        plan_book(book, tmp_path / "out.xlsx", channels=["天猫国际"])
    with pytest.raises(WorkbookError, match="指标 回购率 不在数据字典的指标目录中") as metric:
        plan_book(book, tmp_path / "out.xlsx", metrics=["回购率"])
    assert (channel.value.sheet, metric.value.sheet) == ("数据字典", "数据字典")
    assert list(tmp_path.iterdir()) == []
