"""xlpromo recalc: fresh cached values, 问题清单 and 预警 sheets, highlights; nothing else touched."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.cell_range import MultiCellRange
from typer.testing import CliRunner

from tests.conftest import read_values
from xlpromo.cli import app
from xlpromo.files.builder import build_workbook
from xlpromo.files.check import check
from xlpromo.files.demo import demo_frames
from xlpromo.ooxml import HIGHLIGHT_FORMULA
from xlpromo.roundtrip.recalc import ALERTS_SHEET, ISSUES_SHEET, recalc

Recalc = Callable[[Path], Path]


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def bad_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with typical mistakes, and its cached values made stale (every 达成率 cached as 0)."""
    frames = demo_frames()
    daily = frames["daily"].copy()
    daily.loc[1, "actual"] = "abc"  # 每日监控!G5
    frames["daily"] = daily
    tasks = frames["tasks"].copy()
    tasks.loc[2, "due"] = pd.Timestamp("2024-04-01").date()  # T003 due before start: 任务分工!F6
    frames["tasks"] = tasks
    path = build_workbook(tmp_path_factory.mktemp("bad") / "bad.xlsx", frames)
    wb = openpyxl.load_workbook(path)  # openpyxl blanks every cached value: a reader sees nothing computed
    wb.create_sheet("我的笔记")["A1"] = "用户自己的工作表"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def recalced(bad_book: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "out.xlsx"
    recalc(bad_book, out)
    return out


def test_input_untouched(bad_book: Path, tmp_path: Path) -> None:
    before = _sha(bad_book)
    recalc(bad_book, tmp_path / "o.xlsx")
    assert _sha(bad_book) == before


def test_cached_values_are_filled_in(bad_book: Path, recalced: Path) -> None:
    stale = read_values(bad_book)["每日监控"]
    assert stale[61][7] == ""  # openpyxl left no cached 达成率
    fresh = read_values(recalced)["每日监控"]
    assert round(fresh[61][7], 3) == 0.911 and fresh[61][10] == "预警"
    engine = check(recalced).frames["daily"]["rate"].tolist()
    assert [r[7] if r[7] != "" else None for r in fresh[3:]] == pytest.approx(
        [None if pd.isna(x) else x for x in engine], nan_ok=True)


def test_issue_and_alert_sheets(recalced: Path) -> None:
    values = read_values(recalced)
    issues = values[ISSUES_SHEET]
    assert issues[0][:4] == ["位置", "级别", "工作表", "单元格"]
    assert [r[0] for r in issues[1:]] == ["任务分工!F6", "每日监控!G5"]
    assert issues[1][5] == "截止时间早于起始时间"
    alerts = values[ALERTS_SHEET]
    assert alerts[0][0].startswith("预警 · 统计日期 ") and alerts[1][:3] == ["位置", "级别", "状态"]
    assert len(alerts) == 2 + len(check(recalced).alerts)
    ws = openpyxl.load_workbook(recalced)[ISSUES_SHEET]
    assert [(c.coordinate, c.hyperlink.location if c.hyperlink else None) for c in ws["A"][1:]] == [
        ("A2", "'任务分工'!F6"), ("A3", "'每日监控'!G5")]


def test_flagged_cells_highlighted(recalced: Path) -> None:
    wb = openpyxl.load_workbook(recalced)
    def ours(sheet: str) -> list[MultiCellRange]:
        return [MultiCellRange(str(r.sqref)) for r, rules in wb[sheet].conditional_formatting._cf_rules.items()
                if any(x.formula == [HIGHLIGHT_FORMULA] for x in rules)]

    tasks = ours("任务分工")
    assert len(tasks) == 1 and all(c in tasks[0] for c in ("F4", "F5", "F6", "F16", "F17", "F18"))
    assert "F7" not in tasks[0]
    daily = ours("每日监控")
    assert len(daily) == 1 and all(c in daily[0] for c in ("G5", "H62", "G278"))
    assert ours("阈值配置") == []


def test_flagged_rows_get_their_reason_in_the_mark_column(bad_book: Path, recalced: Path) -> None:
    """Issue 17: the command line never filled 标记, so flagged cells were coloured with no reason; recalc now writes
    what the 校验 button writes, and the template's own format paints the cells it names (使用说明's 紫色粗框)."""
    from xlpromo.engine.marks import marks
    from xlpromo.files.reader import read_workbook

    raw = read_workbook(recalced)
    expected = marks(check(recalced), raw)
    ws = openpyxl.load_workbook(recalced)
    for key, sheet in (("tasks", "任务分工"), ("daily", "每日监控")):
        col = raw.tables[key].columns["mark"] + 1
        written = {r: ws[sheet].cell(r, col).value for r in range(4, ws[sheet].max_row + 1)
                   if ws[sheet].cell(r, col).value}
        assert written == expected[key] and written, sheet
    assert ws["任务分工"].cell(6, raw.tables["tasks"].columns["mark"] + 1).value.startswith("错误：【截止时间】")
    assert check(bad_book).findings and not any(  # the input had no marks: every one is new
        v for row in openpyxl.load_workbook(bad_book)["任务分工"].iter_rows(min_row=4, min_col=15, max_col=15)
        for v in (c.value for c in row))


def test_everything_else_survives(bad_book: Path, recalced: Path) -> None:
    a, b = openpyxl.load_workbook(bad_book), openpyxl.load_workbook(recalced)
    assert b.sheetnames == [*a.sheetnames, ISSUES_SHEET, ALERTS_SHEET]
    assert b["我的笔记"]["A1"].value == "用户自己的工作表"
    assert sorted(b.defined_names) == sorted(a.defined_names)
    for name in a.sheetnames:
        wa, wb_ = a[name], b[name]
        assert sorted(wa.tables) == sorted(wb_.tables)
        assert [str(v.sqref) for v in wa.data_validations.dataValidation] == \
            [str(v.sqref) for v in wb_.data_validations.dataValidation]
        marks = {c.column for row in wa.iter_rows(max_row=min(20, wa.max_row)) for c in row if c.value == "标记"}
        assert [[c.value for c in row if c.column not in marks] for row in wa.iter_rows()] == \
            [[c.value for c in row if c.column not in marks] for row in wb_.iter_rows()]  # 标记: see below
        theirs = [str(r.sqref) for r, rules in wb_.conditional_formatting._cf_rules.items()
                  if not any(x.formula == [HIGHLIGHT_FORMULA] for x in rules)]
        assert theirs == [str(r.sqref) for r in wa.conditional_formatting._cf_rules]


def test_recalc_of_a_recalc_changes_nothing(recalced: Path, tmp_path: Path) -> None:
    again = recalc(recalced, tmp_path / "again.xlsx").output
    assert again.read_bytes() == recalced.read_bytes()


def test_overwritten_formula_is_reported_not_replaced(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "w.xlsx", demo_frames())
    wb = openpyxl.load_workbook(path)
    wb["每日监控"]["H5"] = 0.5  # someone typed over the 达成率 formula
    wb.save(path)
    result = recalc(path, tmp_path / "o.xlsx")
    assert result.not_formulas == ["每日监控!H5"]
    assert read_values(result.output)["每日监控"][4][7] == 0.5
    issues = read_values(result.output)[ISSUES_SHEET]
    assert [r[0] for r in issues[1:]] == ["每日监控!H5"]
    assert issues[1][4:7] == ["达成率", "“达成率”是自动计算列，这里的公式被手工填写的值覆盖了；请从上一行向下填充公式",
                              "formula-overwritten"]


def test_in_place_keeps_a_backup(tmp_path: Path, bad_book: Path) -> None:
    book = tmp_path / "活动.xlsx"
    shutil.copy(bad_book, book)
    before = _sha(book)
    result = CliRunner().invoke(app, ["recalc", str(book), "--in-place"])
    assert result.exit_code == 1  # the book has error findings
    backup = tmp_path / "活动.备份.xlsx"
    assert _sha(backup) == before and _sha(book) != before
    assert ISSUES_SHEET in read_values(book)
    CliRunner().invoke(app, ["recalc", str(book), "--in-place"])
    assert (tmp_path / "活动.备份2.xlsx").exists()


def test_in_place_names_the_backup_as_the_user_named_the_book(tmp_path: Path, bad_book: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(bad_book, tmp_path / "活动.xlsx")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["recalc", "活动.xlsx", "--in-place"])
    assert "原文件已备份为 活动.备份.xlsx\n" in result.output


def test_cli_refuses_existing_output_and_same_file(tmp_path: Path, bad_book: Path) -> None:
    out = tmp_path / "o.xlsx"
    out.write_bytes(b"keep me")
    assert CliRunner().invoke(app, ["recalc", str(bad_book), "-o", str(out)]).exit_code == 2
    assert out.read_bytes() == b"keep me"
    assert CliRunner().invoke(app, ["recalc", str(bad_book)]).exit_code == 2
    assert CliRunner().invoke(app, ["recalc", str(bad_book), "-o", str(bad_book), "--force"]).exit_code == 2


def test_libreoffice_opens_the_output_without_errors(recalced: Path, recalc: Recalc) -> None:
    values = read_values(recalc(recalced))
    assert ISSUES_SHEET in values
    errors = [(n, v) for n, rows in values.items() for r in rows for v in r
              if isinstance(v, str) and (v.startswith("#") or v.startswith("Err:"))]
    assert errors == []


def test_output_is_a_valid_zip_with_unchanged_vba_like_parts(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "m.xlsx", demo_frames())
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\x01VBA-like payload")
    out = recalc(path, tmp_path / "o.xlsx").output
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert z.read("xl/vbaProject.bin") == b"\x01VBA-like payload"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 307), st.one_of(
    st.floats(0, 1e6, allow_nan=False), st.just("abc"), st.just(""), st.just("5.8万"))), max_size=5))
def test_property_recalc_is_idempotent(edits: list[tuple[int, object]], tmp_path: Path) -> None:
    frames = demo_frames()
    daily = frames["daily"].copy()
    for row, value in edits:
        daily.loc[row, "actual"] = value
    frames["daily"] = daily
    book = build_workbook(tmp_path / "p.xlsx", frames)
    once = recalc(book, tmp_path / "once.xlsx").output
    twice = recalc(once, tmp_path / "twice.xlsx").output
    assert once.read_bytes() == twice.read_bytes()


def test_xlsm_stays_xlsm(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "m.xlsx", demo_frames())
    xlsm = tmp_path / "m.xlsm"
    shutil.copy(path, xlsm)
    assert CliRunner().invoke(app, ["recalc", str(xlsm), "-o", str(tmp_path / "o.xlsx")]).exit_code == 2
    result = CliRunner().invoke(app, ["recalc", str(xlsm), "-o", str(tmp_path / "o.xlsm")])
    assert result.exit_code == 0, result.output


def test_in_place_through_a_symlink_keeps_link_and_mode(tmp_path: Path, bad_book: Path) -> None:
    import os
    import stat

    real = tmp_path / "real.xlsx"
    shutil.copy(bad_book, real)
    os.chmod(real, 0o640)
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    recalc(link, in_place=True)
    assert link.is_symlink() and ISSUES_SHEET in read_values(real)
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_empty_issue_and_alert_sheets_say_so(tmp_path: Path) -> None:
    """Issue 17: an empty 问题清单 was a bare header, which reads like a sheet nobody filled; it now says 未发现问题."""
    from xlpromo.engine.report import Report
    from xlpromo.roundtrip.recalc import alert_rows, issue_rows

    clean = Report(tmp_path / "x.xlsx", [], [], {}, {})
    issues, issue_links = issue_rows(clean)
    alerts, alert_links = alert_rows(clean)
    assert issues[1] == ["未发现问题：所有填写的值均通过校验", "", "", "", "", "", "", ""] and issue_links == {}
    assert alerts[1] == ["没有预警：各项指标与任务均未触发阈值", *[""] * 8] and alert_links == {}
    assert len(issues) == len(alerts) == 2
