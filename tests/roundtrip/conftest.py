"""The demo 618 master the round-trip tests split, merge and recalculate (built once per module: tests edit copies)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xlpromo.files.builder import build_workbook
from xlpromo.files.demo import demo_frames
from xlpromo.model.master import SCHEMA
from xlpromo.model.state import DEMO_CAMPAIGN_ID
from xlpromo.model.values import excel_serial
from xlpromo.ooxml import BookPatch

#: 预热开始, 爆发开始, 爆发结束, 返场结束 of the demo, as a person types them into a blank master.
CAMPAIGN_DATES = (dt.date(2024, 5, 25), dt.date(2024, 6, 1), dt.date(2024, 6, 18), dt.date(2024, 6, 21))


def type_campaign_dates(book: Path, out: Path) -> Path:
    """``book`` with :data:`CAMPAIGN_DATES` typed into 活动目标 (no recalculation), saved as ``out``."""
    pkg = BookPatch.open(book)
    t = SCHEMA.table("targets")
    pkg.set_cells(SCHEMA.sheet("targets").name, {
        (t.header_row + 2, t.index(k) + 1): excel_serial(d)
        for k, d in zip(("warmup_start", "burst_start", "burst_end", "return_end"), CAMPAIGN_DATES, strict=True)})
    pkg.save(out)
    return out


def with_targets(blank: Path, out: Path) -> Path:
    """The blank master with the demo's dates, name, owner, 核心目标 500 万元 and 新客占比目标 30% in 活动目标."""
    type_campaign_dates(blank, out)
    pkg = BookPatch.open(out)
    t = SCHEMA.table("targets")
    row = t.header_row + 2
    pkg.set_cells(SCHEMA.sheet("targets").name, {(row, 1): "2024年618", (row, 2): "张三",
                                                  (row, t.index("gmv_target") + 1): 500.0,
                                                  (row, t.index("new_share_target") + 1): 0.3})
    pkg.save(out)
    return out


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo master as ``xlpromo demo`` builds it, with the demo's fixed campaign ID, named 618活动.xlsx."""
    return build_workbook(tmp_path_factory.mktemp("master") / "618活动.xlsx", demo_frames(),
                          campaign_id=DEMO_CAMPAIGN_ID)
