"""The demo 618 master the round-trip tests split, merge and recalculate (built once per module: tests edit copies)."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlpromo.files.builder import build_workbook
from xlpromo.files.demo import demo_frames
from xlpromo.model.state import DEMO_CAMPAIGN_ID


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo master as ``xlpromo demo`` builds it, with the demo's fixed campaign ID, named 618活动.xlsx."""
    return build_workbook(tmp_path_factory.mktemp("master") / "618活动.xlsx", demo_frames(),
                          campaign_id=DEMO_CAMPAIGN_ID)
