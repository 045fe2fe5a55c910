"""标记 texts (xlpromo.engine.marks) and RawBooks built from any backend's rows (reader.read_rows)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from xlpromo.engine.marks import REASON_CHARS, mark_text, marks
from xlpromo.engine.report import check_book
from xlpromo.errors import MissingSheet
from xlpromo.excel.backend import load
from xlpromo.files.builder import build_workbook
from xlpromo.files.demo import demo_frames
from xlpromo.files.reader import read_rows, read_workbook
from xlpromo.testing.filebook import FileBook


@pytest.fixture(scope="module")
def bad_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with 每日监控!G5 typed as text and 每日监控!A7 blanked: two errors on planted rows."""
    frames = demo_frames()
    daily = frames["daily"].copy()
    daily.loc[1, "actual"] = "abc"
    daily.loc[3, "date"] = None
    frames["daily"] = daily
    return build_workbook(tmp_path_factory.mktemp("bad") / "bad.xlsx", frames)


def test_demo_marks_name_level_headers_and_reason(demo_path: Path) -> None:
    raw = read_workbook(demo_path)
    got = marks(check_book(raw), raw)
    assert set(got) == {"breakdown", "tasks", "daily", "stock", "lessons"}
    assert got["breakdown"] == {} and got["lessons"] == {} and got["stock"] == {}
    assert got["daily"][125] == "严重：【达成率】 2024-06-05 GMV 达成率 80.0%（未达标）"
    # two alert levels on one row: the highest first, headers in level then column order
    assert got["daily"][205].startswith("预警：【达成率】【环比变化】【异常说明】 "
                                        "2024-06-12 转化率 达成率 88.4%（预警）；")
    assert got["tasks"][4] == ("严重：【截止时间】 任务 T001“618活动商品选品”已逾期 67 天"
                               "（截止 2024-04-15，负责人 *经理）")
    assert got["tasks"][17].startswith("提示：【截止时间】")
    assert sorted(got["daily"]) == [62, 91, 125, 205, 267, 278]


def test_error_findings_rank_above_alerts(bad_path: Path) -> None:
    raw = read_workbook(bad_path)
    got = marks(check_book(raw), raw)
    assert got["daily"][5] == "错误：【实际值】 无法识别的数字：“abc”"
    assert got["daily"][7] == "错误：【日期】 “日期”为必填项"


def test_mark_text_orders_and_cuts() -> None:
    text = mark_text([("提示", "B", "b" * 10), ("严重", "A", "a" * 80), ("提示", "B", "b" * 10)])
    assert text.startswith("严重：【A】【B】 " + "a" * 10)
    reason = text.split(" ", 1)[1]
    assert len(reason) == REASON_CHARS and reason.endswith("…")
    assert mark_text([("预警", "实际值", "x")]) == "预警：【实际值】 x"


@pytest.mark.parametrize("which", ["demo", "bad"])
def test_read_rows_gives_the_same_report_as_the_file_reader(which: str, demo_path: Path, bad_path: Path) -> None:
    path = demo_path if which == "demo" else bad_path
    direct = check_book(read_workbook(path))
    via_rows = check_book(load(FileBook(path)))
    assert [f.to_dict() for f in via_rows.findings] == [f.to_dict() for f in direct.findings]
    assert [a.to_dict() for a in via_rows.alerts] == [a.to_dict() for a in direct.alerts]
    for key, frame in direct.frames.items():
        pd.testing.assert_frame_equal(via_rows.frames[key], frame, check_dtype=False)


def test_read_rows_reads_only_the_sheets_it_needs_and_names_a_missing_one(demo_path: Path) -> None:
    book = FileBook(demo_path)
    raw = read_rows(book.path, book.sheet_names(), book.read_sheet, book.tables, keys={"thresholds"})
    assert list(raw.tables) == ["thresholds"]
    assert book.calls == ["sheet_names", "read_sheet 阈值配置", "tables 阈值配置"]
    names = [n for n in book.sheet_names() if n != "每日监控"]
    with pytest.raises(MissingSheet, match="每日监控"):
        read_rows(book.path, names, book.read_sheet, book.tables)
