"""LibreOffice recalculates 看板: every cell equals our cached value, and a typed 实际值 moves the totals by itself."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from xlpromo.files.builder import build_workbook
from xlpromo.files.demo import demo_frames
from xlpromo.model import board as layout
from xlpromo.model.a1 import cell_name
from xlpromo.model.master import SCHEMA
from xlpromo.roundtrip.recalc import recalc as xlpromo_recalc

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")]  # openpyxl, x14

Recalc = Callable[[Path], Path]
BOARD, DAILY = "看板", "每日监控"


def _board(path: Path) -> dict[str, Any]:
    """Every cell of 看板 as saved (cached values; an error value as its text, #N/A), by A1 address."""
    ws = openpyxl.load_workbook(path, data_only=True)[BOARD]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value not in (None, "")}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def _differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    return [(a, ours.get(a), theirs.get(a)) for a in sorted(ours.keys() | theirs.keys())
            if not _same(ours.get(a), theirs.get(a))]


def test_libreoffice_computes_every_board_cell_as_cached(demo_path: Path, recalc: Recalc) -> None:
    ours, theirs = _board(demo_path), _board(recalc(demo_path))
    assert _differences(ours, theirs) == []
    assert len(theirs) > 28 * len(layout.DAY_COLUMNS)  # the day block and the header are there, not blanks
    assert theirs[cell_name(*layout.head_cell("phase"))] == "返场期"
    na = [a for a, v in theirs.items() if isinstance(v, str) and v.startswith("#")]
    assert na == []  # the demo has a number on every campaign day: no #N/A anywhere


def test_a_typed_actual_moves_the_board_totals_by_exactly_that_amount(demo_path: Path, tmp_path: Path,
                                                                     recalc: Recalc) -> None:
    wb = openpyxl.load_workbook(demo_path)  # as a user's tool would save it: no cached values at all
    ws = wb[DAILY]
    col = SCHEMA.table("daily").index("actual") + 1
    row = next(r for r in range(4, 400) if ws.cell(r, 2).value == "GMV" and ws.cell(r, 1).value.day == 10)
    ws.cell(row, col).value = ws.cell(row, col).value + 3.5
    edited = tmp_path / "typed.xlsx"
    wb.save(edited)
    before, after = _board(recalc(demo_path)), _board(recalc(edited))
    total = cell_name(*layout.head_cell("gmv_to_date"))
    last_cum = cell_name(layout.day_row(27), layout.day_col("cum_actual"))
    assert after[total] == pytest.approx(before[total] + 3.5, abs=1e-9)
    assert after[last_cum] == pytest.approx(before[last_cum] + 3.5, abs=1e-9)
    moved = {a for a, _, _ in _differences(before, after)}
    assert total in moved and len(moved) < 40  # that day's GMV and 达成率, the cumulative days after it, the header


def test_libreoffice_agrees_mid_campaign_with_gaps_and_channels(tmp_path: Path, recalc: Recalc) -> None:
    """统计日期 mid-sale, no actuals after it (#N/A where the charts skip), a GMV day told by channels only, a rate
    metric with two channel rows: every 看板 cell of ours equals LibreOffice's, the #N/A cells included."""
    frames = demo_frames()
    daily = frames["daily"].copy()
    daily.loc[daily["date"] > dt.date(2024, 6, 5), "actual"] = None
    first = (daily["metric"] == "GMV") & (daily["date"] == dt.date(2024, 5, 26))
    base = daily[first]
    channels = pd.concat([base.assign(channel="天猫", target=3.5, actual=4.0),
                          base.assign(channel="京东", target=2.5, actual=2.25)])
    rate = daily[(daily["metric"] == "转化率") & (daily["date"] == dt.date(2024, 5, 27))]
    extra = pd.concat([rate.assign(channel="抖音", actual=0.03), rate.assign(channel="天猫", actual=0.05)])
    frames["daily"] = pd.concat([daily[~first], channels, extra], ignore_index=True)
    th = frames["thresholds"].copy()
    th.loc[th["code"] == "as_of", "value"] = dt.date(2024, 6, 5)
    frames["thresholds"] = th
    book = build_workbook(tmp_path / "mid.xlsx", frames)
    ours, theirs = _board(book), _board(recalc(book))
    assert _differences(ours, theirs) == []
    assert theirs[cell_name(*layout.head_cell("phase"))] == "爆发期"
    assert theirs[cell_name(layout.day_row(1), layout.day_col("gmv_actual"))] == pytest.approx(6.25)
    assert theirs[cell_name(layout.day_row(12), layout.day_col("cum_actual"))] == "#N/A"  # 6-06: after 统计日期
    recalculated = xlpromo_recalc(book, tmp_path / "recalc.xlsx").output
    assert _differences(_board(recalculated), theirs) == []  # recalc writes the same, #N/A as an error value
