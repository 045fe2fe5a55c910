"""LibreOffice recalculates the 甘特图's header: every date, phase and the title equal our cached values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from xlpromo.model import gantt as layout

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning",
                                         "ignore:Print area cannot be set:UserWarning")]  # openpyxl: x14, $A:$P


def _header(path: Path) -> list[object]:
    ws = openpyxl.load_workbook(path, data_only=True)["任务分工"]
    c0 = layout.FIRST_COL + 1
    return [ws.cell(r + 1, c0 + k).value or None for r in (0, layout.PHASE_ROW, layout.DATE_ROW)
            for k in range(layout.DAYS)]


@pytest.mark.parametrize("book", ["demo_path", "blank_path"])
def test_libreoffice_computes_the_cached_header(book: str, recalc: Callable[[Path], Path],
                                                request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(book)
    mine = _header(path)
    assert _header(recalc(path)) == mine
    assert any(v is not None for v in mine[layout.DAYS:]) is (book == "demo_path")
