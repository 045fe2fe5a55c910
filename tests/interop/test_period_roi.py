"""A ratio over the campaign is Σ numerator ÷ Σ denominator (issue 17 point 2): 目标回顾's ROI is total GMV ÷
total 推广费用, not the mean of daily ROIs, in the formulas (LibreOffice recalculates them) and in the twin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import read_values
from xlpromo.engine.report import check_book
from xlpromo.engine.summary import metric_summary
from xlpromo.files.builder import build_workbook
from xlpromo.files.demo import BURST_START, WARMUP_START, demo_frames
from xlpromo.files.reader import read_workbook

D = dt.date
Recalc = Callable[[Path], Path]
#: (channel, daily 推广费用, daily ROI): 抖音 takes two thirds of the budget and misses its ROI target 3 every day.
#: Binary fractions, so ROI × spend is exact and the expected totals need no tolerance.
CHANNELS = (("天猫", 1.0, 3.5), ("京东", 1.0, 3.25), ("抖音", 4.0, 2.5))


def _frames() -> dict[str, pd.DataFrame]:
    """The demo with its 全渠道 ROI rows replaced by ROI, 推广费用 and GMV per channel, every day."""
    frames = demo_frames()
    daily = frames["daily"]
    daily = daily[daily["metric"] != "ROI"]
    extra: list[dict[str, Any]] = []
    for i in range(28):
        day = WARMUP_START + dt.timedelta(days=i)
        for channel, spend, roi in CHANNELS:
            spend += 0.5 * (day >= BURST_START)  # more budget from 爆发开始 on (21 of the 28 days)
            extra += [dict(date=day, metric="推广费用", channel=channel, target=spend, actual=spend),
                      dict(date=day, metric="ROI", channel=channel, target=3, actual=roi),
                      dict(date=day, metric="GMV", channel=channel, target=3 * spend, actual=roi * spend)]
    frames["daily"] = pd.concat([daily, pd.DataFrame(extra)], ignore_index=True).astype(object)
    frames["daily"] = frames["daily"].sort_values("date", kind="stable", ignore_index=True)
    return frames


def _expected(frames: dict[str, pd.DataFrame]) -> float:
    """Total GMV ÷ total 推广费用 of the channel rows, from the rows themselves."""
    d = frames["daily"]
    by = {m: d[(d["metric"] == m) & (d["channel"] != "全渠道")]["actual"].astype(float).sum()
          for m in ("GMV", "推广费用")}
    return float(by["GMV"] / by["推广费用"])


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("roi") / "roi.xlsx", _frames())


def test_review_roi_is_total_gmv_over_total_spend(book: Path) -> None:
    frames = _frames()
    expected = _expected(frames)
    spend = 6 * 28 + 1.5 * 21  # half a 万元 more per channel on 21 days
    gmv = 16.75 * 28 + (3.5 + 3.25 + 2.5) * 0.5 * 21
    assert expected == gmv / spend == 566.125 / 199.5
    review = check_book(read_workbook(book)).frames["review"].set_index("metric")
    assert review.at["ROI", "auto"] == expected  # 2.8377…, while the mean of the daily ROIs is 3.0833
    assert review.at["ROI", "rate"] == expected / 3
    assert review.at["ROI", "status"] == "预警"  # 94.6%; the mean of ratios read 102.8% 达标
    cached = read_values(book)["复盘报告"]
    roi = next(r for r in cached if r[0] == "ROI")
    assert roi[2] == expected and roi[6] == "预警"


def test_douyin_fails_every_day_and_the_summary_is_weighted(book: Path) -> None:
    frames = check_book(read_workbook(book)).frames
    d = frames["daily"]
    douyin = d[(d["metric"] == "ROI") & (d["channel"] == "抖音")]
    assert len(douyin) == 28 and set(douyin["status"]) == {"未达标"}
    assert set(douyin["weight"]) == {4.0, 4.5}
    summary = metric_summary(frames).set_index("metric")
    assert summary.at["ROI", "aggregate"] == "按推广费用加权"
    assert summary.at["ROI", "actual"] == _expected(_frames()) and summary.at["ROI", "target"] == 3
    assert summary.at["ROI", "off_days"] == 28


def test_without_spend_rows_roi_stays_the_plain_mean(demo_path: Path) -> None:
    """The demo records no 推广费用: ROI has no weights, so 自动汇总 is the mean of its 28 全渠道 rows."""
    frames = check_book(read_workbook(demo_path)).frames
    d = frames["daily"]
    rois = d[d["metric"] == "ROI"]["actual"].astype(float)
    assert d[d["metric"] == "ROI"]["weight"].isna().all()
    assert frames["review"].set_index("metric").at["ROI", "auto"] == rois.sum() / 28


@pytest.mark.libreoffice
def test_libreoffice_computes_the_weighted_roi(book: Path, recalc: Recalc) -> None:
    """LibreOffice's 权重, 加权值 and 自动汇总 equal our cached ones on every row."""
    ours, theirs = read_values(book), read_values(recalc(book))
    pairs = [(a, b) for ra, rb in zip(ours["每日监控"][3:], theirs["每日监控"][3:], strict=True)
             for a, b in zip(ra[18:20], rb[18:20], strict=True)]
    assert all(a == b or b == pytest.approx(a, rel=1e-14) for a, b in pairs)  # LibreOffice keeps 15 digits
    assert sum(1 for r in ours["每日监控"][3:] if r[18] != "") == 28 * 6  # 3 ROI, 转化率, 客单价, 客诉率 a day
    roi = next(r for r in theirs["复盘报告"] if r[0] == "ROI")
    assert roi[2] == pytest.approx(_expected(_frames()), rel=1e-14) and roi[6] == "预警"
