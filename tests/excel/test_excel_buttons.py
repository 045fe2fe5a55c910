"""The ribbon buttons, headless: on the file backend, on a recording fake of xlwings, and their call counts."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import read_values
from tests.roundtrip.conftest import with_targets
from tests.roundtrip.test_import import sycm_csv
from xlpromo.excel import buttons as b
from xlpromo.excel.adapter import NO_EXCEL, XlHost, from_excel, to_excel
from xlpromo.excel.backend import ExcelUnavailable, Formula
from xlpromo.files.builder import build_workbook
from xlpromo.files.demo import demo_frames
from xlpromo.model.values import CellError
from xlpromo.ooxml import BookPatch
from xlpromo.roundtrip.plan import plan_book
from xlpromo.roundtrip.split import split_book
from xlpromo.testing.filebook import FileBook, FileHost
from xlpromo.testing.xlwings_fake import FakeApp

BUTTONS: dict[str, Callable[..., str]] = {
    "validate": b.validate, "recalc": b.recalc, "highlight": b.highlight, "clear_marks": b.clear_marks,
    "review": b.review, "new_campaign": b.new_campaign, "merge_copies": b.merge_copies, "daily": b.daily,
    "plan_days": b.plan_days, "import_data": b.import_data,
}
RATE_FORMULA = ('=IF(OR(NOT(ISNUMBER(Daily[[#This Row],[目标值]])),NOT(ISNUMBER(Daily[[#This Row],[实际值]]))),"",'
                'IF(Daily[[#This Row],[方向]]="越低越好",IF(Daily[[#This Row],[实际值]]=0,"",'
                'Daily[[#This Row],[目标值]]/Daily[[#This Row],[实际值]]),IF(Daily[[#This Row],[目标值]]=0,"",'
                'Daily[[#This Row],[实际值]]/Daily[[#This Row],[目标值]])))')


def _copy(src: Path, folder: Path, name: str = "活动.xlsx") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(src, folder / name))


@pytest.fixture()
def demo_copy(demo_path: Path, tmp_path: Path) -> Path:
    return _copy(demo_path, tmp_path / "book")


@pytest.fixture(scope="module")
def bad_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frames = demo_frames()
    daily = frames["daily"].copy()
    daily.loc[1, "actual"] = "abc"  # 每日监控!G5
    frames["daily"] = daily
    return build_workbook(tmp_path_factory.mktemp("bad") / "bad.xlsx", frames)


def _sized(path: Path, rows: int, channel: str | None = None) -> Path:
    """The demo with ``rows`` daily rows (its rows repeated on later days, on ``channel`` when given: then none is a
    planned 全渠道 row) and rows/20 tasks."""
    frames = demo_frames()
    daily, tasks = frames["daily"], frames["tasks"]
    picks = [i % len(daily) for i in range(rows)]
    big = daily.iloc[picks].reset_index(drop=True)
    big["date"] = [d + dt.timedelta(days=30 * (i // len(daily))) for i, d in enumerate(big["date"])]
    if channel is not None:
        big["channel"] = channel
    frames["daily"] = big
    more = tasks.iloc[[i % len(tasks) for i in range(max(len(tasks), rows // 20))]].reset_index(drop=True)
    more["task_id"] = [f"T{i:05d}" for i in range(len(more))]
    frames["tasks"] = more
    return build_workbook(path, frames)


@pytest.fixture(scope="module")
def sized(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("sized")
    return {n: _sized(folder / f"rows{n}.xlsx", n) for n in (10, 10_000)}


@pytest.fixture(scope="module")
def sized_jd(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The sized books with every daily row on 京东: 生成日计划 adds its 140 全渠道 rows to both."""
    folder = tmp_path_factory.mktemp("sized_jd")
    return {n: _sized(folder / f"rows{n}.xlsx", n, "京东") for n in (10, 10_000)}


# --------------------------------------------------------------------------- the file backend
def test_validate_writes_marks_and_both_lists(bad_path: Path, tmp_path: Path) -> None:
    book = FileBook(_copy(bad_path, tmp_path))
    host = FileHost(book)
    text = b.validate(host)
    assert text.startswith("校验完成：错误 1 条，提示 0 条；预警 13 条（严重 3、预警 7、提示 3）。\n"
                           "已在“标记”列标出 12 行")
    assert host.messages == [(f"{b.TITLE} · 校验", text)]
    assert book.value("每日监控!O5") == "错误：【实际值】 无法识别的数字：“abc”"
    assert book.value("每日监控!O125") == "严重：【达成率】 2024-06-05 GMV 达成率 80.0%（未达标）"
    assert book.value("每日监控!O6") == "" and book.value("每日监控!P6") == "D00003"  # unflagged; row IDs untouched
    assert book.value("任务分工!O4").startswith("严重：【截止时间】 任务 T001")
    issues = book.read_sheet("问题清单")
    assert issues == [["位置", "级别", "工作表", "单元格", "列", "问题", "代码", "填写的值"],
                      ['=HYPERLINK("#\'每日监控\'!G5","每日监控!G5")', "错误", "每日监控", "G5", "实际值",
                       "无法识别的数字：“abc”", "type-number", "abc"]]
    assert isinstance(issues[1][0], Formula)
    alerts = book.read_sheet("预警")
    assert len(alerts) == 15  # the title line, the header, 13 alerts
    assert alerts[0][0] == "预警 · 统计日期 2024-06-21：共 13 条（严重 3、预警 7、提示 3；新增 2、持续 7、已说明 4）"
    assert alerts[1] == ["位置", "级别", "状态", "日期", "预警", "责任部门", "时限", "规则", "代码"]
    assert alerts[2] == ['=HYPERLINK("#\'任务分工\'!F4","任务分工!F4")', "严重", "持续 67 天", "2024-04-15",
                         "任务 T001“618活动商品选品”已逾期 67 天（截止 2024-04-15，负责人 *经理）", "运营部",
                         "立即处理或调整截止时间", "任务逾期", "task-overdue"]


def test_recalc_refills_formulas_by_column_block(demo_copy: Path) -> None:
    book = FileBook(demo_copy)
    text = b.recalc(FileHost(book))
    assert text.startswith("重算完成：25 个自动计算列已重新填入公式")
    assert book.value("每日监控!H4") == RATE_FORMULA and book.value("每日监控!H311") == RATE_FORMULA
    assert book.value("每日监控!H312") == ""  # below the Excel table: nothing written
    assert book.value("每日监控!G4") == 6.19  # input cells are never written
    writes = [c for c in book.calls if c.startswith("write_block 每日监控")]
    # 单位..方向 (D:E), 达成率..状态 (H:K), 负责部门 (N), 环比键..前一日实际值 (Q:R), then 标记 (O)
    assert writes == ["write_block 每日监控 (3, 3) 308x2", "write_block 每日监控 (3, 7) 308x4",
                      "write_block 每日监控 (3, 13) 308x1", "write_block 每日监控 (3, 16) 308x4",
                      "write_block 每日监控 (3, 14) 308x1"]
    assert not any("活动目标" in c for c in book.calls if c.startswith("write_block"))  # a protected sheet
    assert "问题清单" in book.sheet_names() and "预警" in book.sheet_names()


def test_highlight_writes_only_the_mark_column_and_clear_marks_blanks_it(demo_copy: Path) -> None:
    book = FileBook(demo_copy)
    host = FileHost(book)
    assert b.highlight(host).startswith("预警高亮：已在“标记”列标出 11 行")
    assert [c for c in book.calls if c.startswith(("write_block", "add_or"))] == [
        "write_block 目标拆解 (3, 7) 4x1", "write_block 任务分工 (3, 14) 17x1", "write_block 每日监控 (3, 14) 308x1",
        "write_block 商品与库存 (3, 18) 20x1", "write_block 复盘报告 (14, 4) 5x1"]
    assert book.value("每日监控!O278").startswith("严重：【达成率】【实际值】")
    assert b.clear_marks(host) == "已清除 11 行标记。"
    assert book.value("每日监控!O278") == "" and book.value("任务分工!O4") == ""
    assert b.clear_marks(host) == "已清除 0 行标记。"


def test_review_writes_the_retrospective_beside_the_book(demo_copy: Path) -> None:
    host = FileHost(FileBook(demo_copy))
    text = b.review(host)
    out = demo_copy.with_name("活动.复盘报告.xlsx")
    assert text.startswith(f"复盘报告已生成并打开：{out}\n错误 0 条")
    assert host.opened == [out]
    assert read_values(out)["复盘报告"][0][0] == "2024年618年中大促 · 运营效果复盘报告"


def test_new_campaign_builds_a_blank_master_beside_the_book(demo_copy: Path) -> None:
    host = FileHost(FileBook(demo_copy))
    b.new_campaign(host)
    b.new_campaign(host)
    assert host.opened == [demo_copy.with_name("新活动.xlsx"), demo_copy.with_name("新活动2.xlsx")]
    assert "活动目标" in read_values(host.opened[0])
    assert host.messages[0][1].startswith(f"已新建活动主工作簿：{host.opened[0]}")


def test_merge_copies_merges_the_picked_copies_beside_the_master_and_opens_the_result(
        demo_copy: Path, tmp_path: Path) -> None:
    """合并回传 on a real round trip: 仓储部 and 客服部 each change one task; the master file is untouched."""
    back = tmp_path / "back"
    back.mkdir()
    copies = []
    for dept, row, text in (("仓储部", 12, "已完成"), ("客服部", 11, "进行中")):
        copy = split_book(demo_copy, dept, back / f"{dept}.xlsx").output
        pkg = BookPatch.open(copy)
        pkg.set_cells("任务分工", {(row, 12): f"{dept}已回传：{text}"})  # 备注 (L)
        pkg.save(copy)
        copies.append(copy)
    before = demo_copy.read_bytes()
    host = FileHost(FileBook(demo_copy), picks=[*copies, demo_copy])  # picking the master itself is ignored
    text = b.merge_copies(host)
    out = demo_copy.with_name("活动.合并.xlsx")
    assert host.opened == [out] and demo_copy.read_bytes() == before
    assert text.startswith("已合并 2 个副本：仓储部（仓储部.xlsx）、客服部（客服部.xlsx），写入 活动.合并.xlsx。\n"
                           "采纳修改 2 处，新增行 0 行。\n没有冲突。")
    assert text.endswith("请核对后把 活动.合并.xlsx 作为新的主工作簿。")
    tasks = read_values(out)["任务分工"]
    assert tasks[11][11] == "仓储部已回传：已完成" and tasks[10][11] == "客服部已回传：进行中"
    assert "合并冲突" in read_values(out) and "变更记录" in read_values(out)
    b.merge_copies(FileHost(FileBook(demo_copy), picks=copies))  # a second merge never overwrites the first
    assert demo_copy.with_name("活动.合并2.xlsx").exists()
    again = FileHost(FileBook(out), picks=copies)  # the merged book as the new master: no 活动.合并.合并.xlsx
    b.merge_copies(again)
    assert again.opened == [demo_copy.with_name("活动.合并3.xlsx")]
    assert b.merge_copies(FileHost(FileBook(demo_copy))) == "没有选择回传的工作簿，未合并。"
    assert host.shown == []  # no conflict: the merged book opens where it was saved


def test_merge_copies_with_conflicts_opens_the_conflicts_sheet(demo_copy: Path, tmp_path: Path) -> None:
    back = tmp_path / "back"
    back.mkdir()
    copies = []
    for dept in ("仓储部", "运营部"):  # both may write 备注 of T014 (row 17): the same cell, two values
        copy = split_book(demo_copy, dept, back / f"{dept}.xlsx").output
        pkg = BookPatch.open(copy)
        pkg.set_cells("任务分工", {(17, 12): f"{dept}的说明"})
        pkg.save(copy)
        copies.append(copy)
    host = FileHost(FileBook(demo_copy), picks=copies)
    assert "冲突 1 处" in b.merge_copies(host)
    assert host.shown == ["合并冲突"]
    app = FakeApp()
    app.load(demo_copy)
    assert "冲突 1 处" in b.merge_copies(XlHost(app, picker=lambda title: copies))
    assert app.shown == ["合并冲突"] and app.calls[-2:] == ["Sheet 合并冲突.activate", "App.alert"]


def test_merge_copies_speaks_of_the_open_workbook_and_the_picked_files(demo_copy: Path, tmp_path: Path) -> None:
    copy = split_book(demo_copy, "客服部", tmp_path / "客服部.xlsx").output
    on_copy = b.merge_copies(FileHost(FileBook(copy), picks=[demo_copy]))
    assert on_copy == "合并回传未完成：客服部.xlsx: 当前打开的是客服部部门副本：请打开主工作簿后再点“合并回传”"
    master_picked = b.merge_copies(FileHost(FileBook(demo_copy), picks=[demo_copy]))
    assert master_picked == "没有选择回传的工作簿，未合并。"  # the open master itself is left out
    forwarded = Path(shutil.copy(demo_copy, tmp_path / "主表2.xlsx"))  # the master mailed and sent back
    assert b.merge_copies(FileHost(FileBook(demo_copy), picks=[forwarded])).startswith("已合并 1 个副本：转发")


def test_merge_copies_refuses_a_copy_of_another_campaign(demo_copy: Path, tmp_path: Path) -> None:
    other = build_workbook(tmp_path / "双11主表.xlsx", demo_frames())  # a new campaign ID
    stranger = split_book(other, "仓储部", tmp_path / "双11.xlsx").output
    host = FileHost(FileBook(demo_copy), picks=[stranger])
    text = b.merge_copies(host)
    assert text.startswith("合并回传未完成：双11.xlsx: 无法合并：这是另一个活动的副本")
    assert host.opened == [] and not demo_copy.with_name("活动.合并.xlsx").exists()


def _daily_cells(path: Path) -> dict[tuple[dt.date, str, str], tuple[Any, Any]]:
    """每日监控 of a written book as calamine reads it: (日期, 核心指标, 渠道) → (目标值, 实际值)."""
    rows = read_values(path)["每日监控"][3:]
    return {(r[0], r[1], r[2]): (r[5], r[6]) for r in rows if isinstance(r[0], dt.date)}


@pytest.fixture()
def targeted(blank_path: Path, tmp_path: Path) -> Path:
    """A blank master with the demo's dates and targets (核心目标 500 万元, 新客占比目标 30%), nothing on 每日监控."""
    (tmp_path / "book").mkdir()
    return with_targets(blank_path, tmp_path / "book" / "618活动.xlsx")


def test_plan_days_writes_the_daily_plan_beside_the_master_and_opens_it(targeted: Path) -> None:
    """生成日计划 (issue 15 point 3): ``xlpromo plan``'s default — one 全渠道 row per day and metric — into
    ``<name>.日计划.xlsx``, opened on 每日监控; the master is not touched; a second click adds and writes nothing."""
    before = targeted.read_bytes()
    host = FileHost(FileBook(targeted))
    text = b.plan_days(host)
    out = targeted.with_name("618活动.日计划.xlsx")
    assert host.opened == [out] and host.shown == ["每日监控"] and targeted.read_bytes() == before
    assert text.startswith("已生成日计划 56 行（GMV 28 行，新客占比 28 行），写入 618活动.日计划.xlsx。\n")
    assert ("渠道：每个指标每天一行“全渠道”（渠道留空）。“导入数据”把平台的数据写到平台的渠道（天猫、京东…）；"
            "要按渠道各一行，请用命令行：xlpromo plan 618活动.xlsx --channels 天猫,京东 "
            "-o 618活动.日计划2.xlsx\n") in text
    assert text.endswith("主工作簿未被修改；日计划以磁盘上已保存的主工作簿为准，未保存的修改不计入。"
                         "请核对后把 618活动.日计划.xlsx 作为新的主工作簿。")
    assert host.messages == [(f"{b.TITLE} · 生成日计划", text)]
    cells = _daily_cells(out)
    assert len(cells) == 56
    assert cells[(dt.date(2024, 6, 1), "GMV", "")] == (30.07, "")  # 开门红, README's example
    assert cells[(dt.date(2024, 5, 25), "GMV", "")] == (7.52, "")
    assert cells[(dt.date(2024, 6, 21), "新客占比", "")] == (0.3, "")
    assert sum(t for (_, m, _), (t, _) in cells.items() if m == "GMV") == pytest.approx(500)

    again = FileHost(FileBook(out))  # the plan as the new master: every row is there already
    assert b.plan_days(again) == "没有需要新增的日计划行：已有的 56 行（同一日期、指标、渠道）保持原样，未写出文件。"
    assert again.opened == [] and sorted(p.name for p in targeted.parent.iterdir()) == [
        "618活动.xlsx", "618活动.日计划.xlsx"]


def test_plan_days_on_a_master_without_dates_says_why_and_writes_nothing(blank_path: Path, tmp_path: Path) -> None:
    host = FileHost(FileBook(_copy(blank_path, tmp_path)))
    assert b.plan_days(host) == ("生成日计划未完成：活动.xlsx: 活动目标的预热开始、爆发开始、爆发结束、返场结束"
                                 "须都是日期，才能按天生成计划")
    assert host.opened == [] and [p.name for p in tmp_path.iterdir()] == ["活动.xlsx"]


@pytest.fixture()
def planned_tmall(targeted: Path) -> Path:
    """The targeted master planned for 天猫 (GMV only), saved as the master ``活动.xlsx``; the source removed."""
    out = plan_book(targeted, targeted.with_name("活动.xlsx"), channels=["天猫"], metrics=["GMV"]).filled.output
    targeted.unlink()
    return out


def test_import_data_fills_the_planned_rows_into_a_new_master_and_opens_it(planned_tmall: Path) -> None:
    """导入数据 (issue 15 point 3): the picked 生意参谋 export into ``<name>.导入.xlsx`` beside the master — its GMV
    on the planned 天猫 rows in 万元, the other figures on new rows — opened; the master keeps its bytes."""
    csv = sycm_csv(planned_tmall.with_name("生意参谋_店铺整体.csv"))
    before = planned_tmall.read_bytes()
    host = FileHost(FileBook(planned_tmall), picks=[csv, planned_tmall])  # the master itself among the picks: left out
    text = b.import_data(host)
    out = planned_tmall.with_name("活动.导入.xlsx")
    assert host.asked == [("选择平台导出的数据文件（生意参谋、京东商智、抖店罗盘、拼多多的 .csv、.xls、.xlsx；可多选）",
                           ("平台导出文件", ("*.csv", "*.xls", "*.xlsx")))]
    assert host.opened == [out] and host.shown == [] and planned_tmall.read_bytes() == before
    assert text.startswith("生意参谋_店铺整体.csv：生意参谋/天猫淘宝，渠道 天猫，28 天（支付金额→GMV，"
                           "访客数→访客数，支付买家数→订单量，支付转化率→转化率，客单价→客单价）。\n"
                           "GMV：填入 28\n访客数：填入 0，新增行 28\n")
    assert text.endswith("已写入 活动.导入.xlsx；校验：错误 112 条，提示 0 条；预警 36 条（严重 18、预警 18）"
                         "（见“问题清单”“预警”工作表）。\n"
                         "主工作簿未被修改；导入以磁盘上已保存的主工作簿为准，未保存的修改不计入。"
                         "请核对后把 活动.导入.xlsx 作为新的主工作簿。")
    assert host.messages == [(f"{b.TITLE} · 导入数据", text)]
    cells = _daily_cells(out)
    assert cells[(dt.date(2024, 5, 25), "GMV", "天猫")] == (7.52, pytest.approx(13.140001))  # 131,400.01 元
    assert cells[(dt.date(2024, 6, 21), "GMV", "天猫")] == (11.28, pytest.approx(15.840001))
    assert cells[(dt.date(2024, 6, 1), "访客数", "天猫")] == ("", 10700)  # appended: 目标值 blank, check asks for it
    assert cells[(dt.date(2024, 5, 25), "转化率", "天猫")] == ("", pytest.approx(0.1296))
    assert _daily_cells(planned_tmall)[(dt.date(2024, 5, 25), "GMV", "天猫")] == (7.52, "")

    # the next morning, on the import as the new master: a changed figure is a conflict, shown first; an unreadable
    # cell is named; nothing typed is overwritten, and the message says how to overwrite with the command line
    later = sycm_csv(planned_tmall.with_name("生意参谋_0622.csv"), bad={0: "999,999.00", 1: "abc"})
    host = FileHost(FileBook(out), picks=[later])
    text = b.import_data(host)
    second = planned_tmall.with_name("活动.导入2.xlsx")
    assert host.opened == [second] and host.shown == ["合并冲突"]
    assert "GMV：填入 0，未变 26，冲突 1" in text
    assert "无法读取：生意参谋_0622.csv 第 5 行：支付金额“abc”不是数字" in text
    assert text.endswith("请核对后把 活动.导入2.xlsx 作为新的主工作簿。\n"
                         "按钮从不覆盖已填写的值；确认以导出为准时，请用命令行 xlpromo import … --overwrite。")
    assert _daily_cells(second)[(dt.date(2024, 5, 25), "GMV", "天猫")] == (7.52, pytest.approx(13.140001))
    conflicts = read_values(second)["合并冲突"]
    assert any("99.9999" in str(r) or "999999" in str(r) for r in conflicts), conflicts


def test_import_data_without_a_file_or_with_one_it_cannot_use_writes_nothing(planned_tmall: Path) -> None:
    folder = planned_tmall.parent
    host = FileHost(FileBook(planned_tmall))
    assert b.import_data(host) == "没有选择导出文件，未导入。"
    assert host.messages == [(f"{b.TITLE} · 导入数据", "没有选择导出文件，未导入。")] and host.opened == []

    unknown = folder / "店铺数据.csv"
    unknown.write_text("日期,销量\n2024-06-01,5\n", encoding="utf-8")
    text = b.import_data(FileHost(FileBook(planned_tmall), picks=[unknown]))
    assert text.startswith("导入数据未完成：店铺数据.csv: 找不到表头行（需要“统计日期”等日期列和至少一个可导入的列）；"
                           "前几行是：第 1 行“日期,销量”"), text
    shared = folder / "数据.csv"  # 访客数 is every platform's: the headers do not tell, nor the name
    shared.write_text("统计日期,访客数\n2024-06-01,100\n", encoding="utf-8")
    text = b.import_data(FileHost(FileBook(planned_tmall), picks=[sycm_csv(folder / "生意参谋.csv"), shared]))
    assert text.startswith("导入数据未完成：数据.csv: 无法判断这是哪个平台的导出文件")
    assert text.endswith("\n按钮按表头和文件名判断平台：把文件名改成带平台名的（如“生意参谋_0601.csv”"
                         "“京东商智_0601.xlsx”）再导入，或用命令行 xlpromo import 的 --platform。")
    assert {p.name for p in folder.iterdir()} == {"活动.xlsx", "店铺数据.csv", "数据.csv", "生意参谋.csv"}


def test_plan_and_import_on_the_fake_excel_open_the_sheet_to_look_at(planned_tmall: Path) -> None:
    app = FakeApp()
    app.load(planned_tmall)
    text = b.plan_days(XlHost(app))  # the 全渠道 rows, beside the 天猫 ones
    assert text.startswith("已生成日计划 56 行（GMV 28 行，新客占比 28 行），写入 活动.日计划.xlsx。")
    assert app.shown == ["每日监控"] and app.calls[-2:] == ["Sheet 每日监控.activate", "App.alert"]
    csv = sycm_csv(planned_tmall.with_name("生意参谋.csv"))
    assert "GMV：填入 28\n" in b.import_data(XlHost(app, picker=lambda title: [csv]))  # on the open master's rows
    assert app.shown == ["每日监控"] and app.calls[-2:] == ["Books.open('活动.导入.xlsx')", "App.alert"]


def test_an_unusable_workbook_gives_a_message_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = FileBook(build_workbook(tmp_path / "broken.xlsx", demo_frames()))
    real = book.sheet_names
    monkeypatch.setattr(book, "sheet_names", lambda: [n for n in real() if n != "每日监控"])
    titles = {"validate": "校验", "recalc": "重算", "highlight": "预警高亮", "clear_marks": "清除标记",
              "review": "生成复盘", "daily": "日报"}
    for name, title in titles.items():
        host = FileHost(book)
        assert BUTTONS[name](host) == f"{title}未完成：broken.xlsx: 缺少工作表“每日监控”"
        assert host.messages == [(f"{b.TITLE} · {title}", f"{title}未完成：broken.xlsx: 缺少工作表“每日监控”")]

    (tmp_path / "x.xlsx").write_text("not a workbook", encoding="utf-8")
    text = b.merge_copies(FileHost(book, picks=[tmp_path / "x.xlsx"]))
    assert text.startswith("合并回传未完成：x.xlsx: "), text
    unsaved = FileBook(book.path)
    monkeypatch.setattr(unsaved, "_path", Path("工作簿1"))
    assert b.review(FileHost(unsaved)) == "生成复盘未完成：工作簿1: 工作簿还没有保存：请先保存，复盘报告会写在它旁边"


def test_a_file_that_cannot_be_written_gives_a_message(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(report: Any, out: Path) -> Path:
        raise PermissionError(13, "Permission denied", str(out))

    monkeypatch.setattr(b, "write_report", locked)
    text = b.review(FileHost(FileBook(demo_copy)))
    assert text.startswith("生成复盘未完成：无法读写文件：") and "文件可能正在 Excel 中打开" in text


def test_on_linux_every_button_says_excel_is_missing_and_names_the_cli() -> None:
    for button in BUTTONS.values():
        with pytest.raises(ExcelUnavailable) as info:
            button()
        assert str(info.value) == NO_EXCEL
    assert "xlpromo check" in NO_EXCEL and "xlpromo recalc" in NO_EXCEL and "xlpromo report" in NO_EXCEL


# --------------------------------------------------------------------------- the xlwings adapter on the fake
def test_buttons_on_the_fake_excel_write_what_the_file_backend_writes(demo_path: Path, tmp_path: Path) -> None:
    app = FakeApp()
    fake = app.load(_copy(demo_path, tmp_path / "x"))
    host = XlHost(app)
    file_book = FileBook(_copy(demo_path, tmp_path / "f"))
    assert b.validate(host) == b.validate(FileHost(file_book))
    assert app.alerts[0][1] == f"{b.TITLE} · 校验"
    daily = fake.sheet("每日监控").values()
    assert daily[124][14] == "严重：【达成率】 2024-06-05 GMV 达成率 80.0%（未达标）"  # the apostrophe is not kept
    assert daily[5][14] is None  # a blank mark is written as an empty cell
    for r in range(3, 311):
        assert (daily[r][14] or "") == file_book.value(f"每日监控!O{r + 1}")
    alerts = fake.sheet("预警").values()
    assert alerts[2][0] == '=HYPERLINK("#\'任务分工\'!F4","任务分工!F4")' and len(alerts) == 15
    assert fake.sheets.items[-1].name == "预警"
    assert b.recalc(host).startswith("重算完成：25 个")  # 问题清单 and 预警 are ours: cleared, not refused
    assert fake.sheet("每日监控").values()[3][7] == RATE_FORMULA


def test_the_fake_refuses_to_clear_a_sheet_someone_else_made(demo_path: Path, tmp_path: Path) -> None:
    app = FakeApp()
    book = app.load(_copy(demo_path, tmp_path))
    book.sheets.add("问题清单").grid.append(["我的笔记"])
    text = b.validate(XlHost(app))
    assert "工作表“问题清单”已存在且不是 xlpromo 生成的" in text
    assert book.sheet("问题清单").values() == [["我的笔记"]]


def test_a_users_alerts_sheet_with_position_in_a2_is_theirs_and_an_empty_one_is_used(demo_path: Path,
                                                                                    tmp_path: Path) -> None:
    app = FakeApp()
    book = app.load(_copy(demo_path, tmp_path / "a"))
    book.sheets.add("预警").grid.extend([["我的预警跟踪"], ["位置", "处理人"]])  # their own title, their own 位置
    assert "工作表“预警”已存在且不是 xlpromo 生成的" in b.validate(XlHost(app))
    assert book.sheet("预警").values() == [["我的预警跟踪"], ["位置", "处理人"]]
    app = FakeApp()
    book = app.load(_copy(demo_path, tmp_path / "b"))
    book.sheets.add("预警")  # an empty sheet of that name: nothing to lose, it is filled
    b.validate(XlHost(app))
    assert str(book.sheet("预警").values()[0][0]).startswith("预警 · 统计日期 2024-06-21：共 13 条")


def test_the_active_book_is_never_the_add_in(demo_path: Path, tmp_path: Path) -> None:
    app = FakeApp()
    app.load(_copy(demo_path, tmp_path, "xlpromo.xlam"))
    assert "请先打开活动主工作簿" in b.validate(XlHost(app))
    assert "请先打开活动主工作簿" in b.validate(XlHost(FakeApp()))


def test_values_cross_in_one_place() -> None:
    assert to_excel(dt.date(2024, 6, 1)) == dt.datetime(2024, 6, 1)
    assert to_excel(pd.Timestamp("2024-06-01 08:00")) == dt.datetime(2024, 6, 1, 8)
    assert to_excel(float("nan")) is None and to_excel(None) is None and to_excel("") is None
    assert to_excel("=1+1") == "'=1+1" and to_excel("2024-06-01") == "'2024-06-01"
    assert to_excel(Formula("=A1")) == "=A1"
    assert to_excel(pd.Series([3]).iloc[0]) == 3 and type(to_excel(pd.Series([3]).iloc[0])) is int
    assert from_excel(None) == "" and from_excel(dt.datetime(2024, 6, 1)) == dt.date(2024, 6, 1)
    assert from_excel(dt.datetime(2024, 6, 1, 9, 30)) == dt.datetime(2024, 6, 1, 9, 30)
    assert isinstance(from_excel("#N/A"), CellError) and from_excel(5.0) == 5.0


def test_the_daily_button_writes_the_daily_report_and_shows_its_headline(demo_path: Path, tmp_path: Path) -> None:
    """日报 (issue 14 item 4): the text ``xlpromo daily`` prints, one line a row under a head line saying who wrote
    it; the message box has the headline; a second click rewrites the sheet (it is ours), on the fake Excel too."""
    from xlpromo.engine.daily import daily_report
    from xlpromo.files.check import check
    from xlpromo.files.daily import render_daily

    lines = render_daily(daily_report(check(demo_path)), "text").splitlines()
    book = FileBook(_copy(demo_path, tmp_path / "f"))
    host = FileHost(book)
    text = b.daily(host)
    assert text == ("【2024年618年中大促 · 日报 2024-06-21】\n返场期 · 第 28/28 天，时间进度 100%\n"
                    "· GMV 06-21：7.94 万元，目标 8 万元，达成 99.2%\n"
                    "· GMV 累计 531.86 万元 / 目标 500 万元，完成 106.4%，进度比 1.06（≥1 为按计划推进）\n"
                    "待处理 7 条（按责任部门）\n全文见“日报”工作表：选中 A 列复制，即可贴到群里。")
    assert host.messages == [(f"{b.TITLE} · 日报", text)]
    assert book.value("日报!A1") == "日报（由 xlpromo 生成，每次点“日报”按钮重写）"
    assert [book.value(f"日报!A{r}") for r in range(2, len(lines) + 2)] == lines
    app = FakeApp()
    fake = app.load(_copy(demo_path, tmp_path / "x"))
    assert b.daily(XlHost(app)) == text and b.daily(XlHost(app)) == text  # the second click clears its own sheet
    assert [r[0] for r in fake.sheet("日报").values()] == ["日报（由 xlpromo 生成，每次点“日报”按钮重写）", *lines]


def test_the_daily_button_never_clears_a_sheet_named_daily_of_the_users(demo_path: Path, tmp_path: Path) -> None:
    app = FakeApp()
    book = app.load(_copy(demo_path, tmp_path))
    book.sheets.add("日报").grid.append(["我的日报草稿"])
    assert "工作表“日报”已存在且不是 xlpromo 生成的" in b.daily(XlHost(app))
    assert book.sheet("日报").values() == [["我的日报草稿"]]


# --------------------------------------------------------------------------- calls per click
def _click(name: str, path: Path, folder: Path) -> tuple[list[str], list[str]]:
    """Workbook calls of one click on a fresh copy: on the fake Excel, and on the file backend's interface."""
    (folder / "back").mkdir(parents=True, exist_ok=True)
    if name == "import_data":
        picks = [sycm_csv(folder / "back" / "生意参谋.csv")]
    else:
        picks = [split_book(path, "仓储部", folder / "back" / "副本.xlsx").output]
    app = FakeApp()
    app.load(_copy(path, folder / "xl"))
    BUTTONS[name](XlHost(app, picker=lambda title: picks))
    book = FileBook(_copy(path, folder / "file"))
    BUTTONS[name](FileHost(book, picks=picks))
    return app.calls, book.calls


def _shape(calls: list[str]) -> list[str]:
    """A call without the sizes in its description (the same call on a bigger range)."""
    return [c.split(">")[-1] if c.startswith("<Range") else c.rsplit(" ", 1)[0] if "x" in c.rsplit(" ", 1)[-1]
            else c for c in calls]


CALLS_PER_CLICK = {"validate": 170, "recalc": 206, "highlight": 135, "clear_marks": 135, "review": 124,
                   "new_campaign": 5, "merge_copies": 5, "daily": 137, "plan_days": 7, "import_data": 5}


@pytest.mark.parametrize("name", list(BUTTONS))
def test_a_click_costs_the_same_calls_for_10_and_10000_rows(name: str, sized: dict[int, Path],
                                                            sized_jd: dict[int, Path], tmp_path: Path) -> None:
    books = sized_jd if name == "plan_days" else sized  # 生成日计划 adds rows to both (the demo's are 全渠道)
    small_xl, small_file = _click(name, books[10], tmp_path / "small")
    big_xl, big_file = _click(name, books[10_000], tmp_path / "big")
    assert len(small_xl) == len(big_xl), (len(small_xl), len(big_xl))
    assert _shape(small_xl) == _shape(big_xl)
    assert _shape(small_file) == _shape(big_file)
    assert len(small_xl) == CALLS_PER_CLICK[name]  # the figures the README gives
