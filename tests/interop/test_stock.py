"""商品与库存 (issue 16 point 1): the seeds' golden figures through the pandas twin, the cached values and
LibreOffice's recalculation — 安全库存 = 100 × 1.5 = 150, 秒杀备货 = 1,000 × 1.2 = 1,200, 库龄 31 > 30 is 积压清仓,
and 折扣 = 活动价 ÷ 日常价 (85 / 100 = 85%, 8.5折)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import read_values
from xlpromo.engine.report import check_book
from xlpromo.files.builder import build_workbook, default_frames
from xlpromo.files.reader import read_workbook
from xlpromo.model.master import SCHEMA

Recalc = Callable[[Path], Path]
SHEET = SCHEMA.sheet("stock").name
STOCK = SCHEMA.table("stock")
#: sku, list price, promo price, stock, daily sales, 秒杀, forecast, 库龄 → discount, safety, flash, cover, 状态.
GOLDEN: tuple[tuple[Any, ...], ...] = (
    ("SKU-A", 100, 85, 500, 100, "是", 1000, 10, 0.85, 150.0, 1200.0, 5.0, "正常"),
    ("SKU-B", 100, 80, 120, 100, "否", 1000, 5, 0.8, 150.0, None, 1.2, "低于安全库存"),
    ("SKU-C", 50, 25, 300, 10, None, None, 31, 0.5, 15.0, None, 30.0, "积压清仓"),
    ("SKU-D", 0, 10, 0, 0, "是", None, 40, None, 0.0, None, None, "缺货"),
    ("SKU-E", None, 10, None, None, "是", 500, 30, None, None, 600.0, None, ""),
    ("SKU-F", 200, 190, 40, 8, "否", None, 30, 0.95, 12.0, None, 5.0, "正常"),  # 库龄 30 is not over 30
)
INPUTS = ("sku", "list_price", "promo_price", "stock", "daily_sales", "flash", "forecast", "age_days")
OUTPUTS = ("discount", "safety_stock", "flash_stock", "days_cover", "status")


def _frames() -> dict[str, pd.DataFrame]:
    frames = default_frames()
    rows = [dict(zip(INPUTS, g[:8], strict=True), name=f"商品{g[0]}", role="爆款", dept="仓储部") for g in GOLDEN]
    frames["stock"] = pd.DataFrame(rows, dtype=object)
    return frames


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("stock") / "stock.xlsx", _frames())


def _expected() -> list[list[Any]]:
    return [["" if v is None else v for v in g[8:]] for g in GOLDEN]


def _sheet_outputs(path: Path) -> list[list[Any]]:
    rows = read_values(path)[SHEET][STOCK.header_row + 1:STOCK.header_row + 1 + len(GOLDEN)]
    cols = [STOCK.first_col + STOCK.index(k) for k in OUTPUTS]
    return [[r[c] for c in cols] for r in rows]


def test_twin_gives_the_seed_figures(book: Path) -> None:
    report = check_book(read_workbook(book))
    df = report.frames["stock"]
    got = [[("" if pd.isna(v) else v) if not isinstance(v, str) else v for v in row]
           for row in df[list(OUTPUTS)].itertuples(index=False)]
    assert got == _expected()
    assert not [f for f in report.findings if f.sheet == SHEET]


def test_cached_values_are_the_twin(book: Path) -> None:
    assert _sheet_outputs(book) == _expected()


@pytest.mark.libreoffice
def test_libreoffice_computes_the_same(book: Path, recalc: Recalc) -> None:
    assert _sheet_outputs(recalc(book)) == _expected()


def test_demo_has_twenty_skus_one_low_and_one_aged(demo_path: Path) -> None:
    """The demo's planted stock situations (issue 16 point 4): SKU-014 below safety stock, SKU-019 aged 45 days."""
    report = check_book(read_workbook(demo_path))
    df = report.frames["stock"].set_index("sku")
    assert len(df) == 20 and df.index.is_unique
    assert df["status"].value_counts().to_dict() == {"正常": 18, "低于安全库存": 1, "积压清仓": 1}
    assert df.at["SKU-014", "status"] == "低于安全库存" and df.at["SKU-014", "safety_stock"] == 240
    assert df.at["SKU-019", "status"] == "积压清仓" and df.at["SKU-019", "age_days"] == 45
    flash = df[df["flash"] == "是"]
    assert (flash["stock"].astype(float) >= flash["flash_stock"]).all()  # every 秒杀 SKU stocked for 1.2 × forecast
    assert not [f for f in report.findings if f.sheet == SHEET]
