"""The 甘特图 in the files: recalc refreshes its header dates when 活动目标's dates were typed after the build, and
recalc, split and merge keep its conditional formats byte for byte."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.roundtrip.conftest import type_campaign_dates
from xlpromo.files.builder import build_workbook
from xlpromo.model import gantt as layout
from xlpromo.roundtrip.merge import merge_books
from xlpromo.roundtrip.recalc import recalc
from xlpromo.roundtrip.split import split_book

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning",
                                        "ignore:Print area cannot be set:UserWarning")  # openpyxl: x14, $A:$P
TASKS = "任务分工"


def _gantt_formats(path: Path) -> list[str]:
    """The 甘特图's <conditionalFormatting> elements of 任务分工, as stored."""
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    with zipfile.ZipFile(path) as z:
        xml = z.read(f"xl/worksheets/sheet{names.index(TASKS) + 1}.xml").decode()
    blocks = re.findall(r"<conditionalFormatting .*?</conditionalFormatting>", xml)
    return [b for b in blocks if re.search(r'sqref="R[234]:DM', b)]


def _header(path: Path) -> tuple[list[object], list[object], object]:
    ws = openpyxl.load_workbook(path, data_only=True)[TASKS]
    c0 = layout.FIRST_COL + 1
    return ([ws.cell(layout.DATE_ROW + 1, c0 + k).value for k in range(layout.DAYS)],
            [ws.cell(layout.PHASE_ROW + 1, c0 + k).value for k in range(layout.DAYS)], ws.cell(1, c0).value)


def test_recalc_dates_the_header_typed_after_the_build(tmp_path: Path) -> None:
    blank = build_workbook(tmp_path / "blank.xlsx")
    assert _header(blank)[0][:2] == [None, None] and len(_gantt_formats(blank)) == 3
    out = recalc(type_campaign_dates(blank, tmp_path / "dated.xlsx"), tmp_path / "out.xlsx").output
    days, phases, title = _header(out)
    first = dt.datetime(2024, 4, 27)  # 预热开始 − 28: the blank master has no tasks yet
    n = (dt.datetime(2024, 6, 28) - first).days + 1  # to 返场结束 + the 复盘 week
    assert days[:n] == [first + dt.timedelta(days=k) for k in range(n)] and set(days[n:]) <= {None, ""}
    assert phases[0] == "筹" and phases[28] == "预" and phases[35] == "爆" and phases[n - 1] == "复"
    assert title == "甘特图  2024-04-27 至 2024-06-28"
    assert _gantt_formats(out) == _gantt_formats(blank)


def test_split_and_merge_keep_the_chart(demo_path: Path, tmp_path: Path) -> None:
    rules = _gantt_formats(demo_path)
    assert len(rules) == 3
    copy = split_book(demo_path, "运营部", tmp_path / "ops.xlsx", due=dt.date(2024, 6, 20)).output
    assert _gantt_formats(copy) == rules and _header(copy) == _header(demo_path)
    merged = merge_books(demo_path, [copy], tmp_path / "merged.xlsx").output
    assert _gantt_formats(merged) == rules and _header(merged) == _header(demo_path)
    again = recalc(merged, tmp_path / "again.xlsx").output
    assert _gantt_formats(again) == rules and _header(again) == _header(demo_path)
