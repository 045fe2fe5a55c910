"""Shared fixtures: the demo and blank workbooks, and LibreOffice's recalculation of them."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from xlpromo.files.builder import build_workbook, default_frames
from xlpromo.files.demo import demo_frames
from xlpromo.model.state import DEMO_CAMPAIGN_ID
from xlpromo.testing.libreoffice import convert

Rows = list[list[Any]]


def read_values(path: Path) -> dict[str, Rows]:
    """Every sheet's values as calamine reads them (cached formula results included)."""
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def seed_retro_frames() -> dict[str, pd.DataFrame]:
    """Seed 002 template 4: GMV 300万→330万, 新客 10万→12万, ROI 1:3→1:3.2, with its lessons."""
    d = dt.date
    frames = default_frames()
    frames["targets"] = pd.DataFrame([dict(name="618年中大促", owner="张*", warmup_start=d(2024, 6, 1),
                                           burst_start=d(2024, 6, 1), burst_end=d(2024, 6, 18),
                                           return_end=d(2024, 6, 18), gmv_target=300, new_customers_target=100000,
                                           roi_target=3)], dtype=object)
    review = frames["review"].copy()
    review["confirmed"] = [{"GMV": 330, "新客数": 120000, "ROI": 3.2}.get(m) for m in review["metric"]]
    frames["review"] = review
    frames["lessons"] = pd.DataFrame([
        ("成功因素", "爆款提前15天预热，搜索流量提升30%", "", "运营部"),
        ("问题与改进", "仓配延迟导致200单差评", "提前与仓储部确认物流capacity", "仓储部")],
        columns=["kind", "content", "improvement", "dept"], dtype=object)
    return frames


@pytest.fixture(scope="session")
def soffice() -> str:
    """LibreOffice is required: .ci/run installs it; a missing soffice fails, never skips."""
    exe = shutil.which("soffice")
    if exe is None:
        pytest.fail("LibreOffice (soffice) is not installed: run `bash .ci/run` or "
                    "`apt-get install libreoffice-calc`")
    return exe


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("demo") / "demo.xlsx", demo_frames(), campaign_id=DEMO_CAMPAIGN_ID)


@pytest.fixture(scope="session")
def blank_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("blank") / "blank.xlsx")


@pytest.fixture(scope="session")
def recalc(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Path]:
    """Recalculate a workbook in LibreOffice and return the path of its saved copy."""
    out = tmp_path_factory.mktemp("lo")
    cache: dict[Path, Path] = {}

    def run(path: Path) -> Path:
        if path not in cache:
            target = out / str(len(cache))
            cache[path] = convert(path, "xlsx", target)
        return cache[path]

    return run
