"""LibreOffice opens the retrospective .xlsx and prints it: the summary and 看板's three charts with their titles,
legends and day labels (issue 13 point 3)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from xlpromo.files.board import GMV_TITLE, TASKS_TITLE, TREND_TITLE
from xlpromo.files.check import check
from xlpromo.files.retro import write_report
from xlpromo.testing.libreoffice import convert

pytestmark = pytest.mark.libreoffice


def test_libreoffice_prints_the_report_with_its_charts(demo_path: Path, tmp_path: Path, soffice: str) -> None:
    pdf = convert(write_report(check(demo_path), tmp_path / "复盘.xlsx"), "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = re.sub(r"\s+", "", text)  # LibreOffice spaces CJK from Latin letters in chart text
    first = squeezed.split("\f")[0]
    assert "运营效果复盘报告" in first and "进度比1.06" in first
    for title in (GMV_TITLE, TREND_TITLE, TASKS_TITLE):
        assert re.sub(r"\s+", "", title) in squeezed, title
    for legend in ("GMV实际", "累计实际", "严重预警线", "已延期", "6-18爆发"):
        assert legend in squeezed, legend
    assert "#N/A" not in text and "Err:" not in text
    # no chart straddles a page: the first under the summary on page one, the others each at the top of a page
    # (LibreOffice's PDF also carries the clipped-away text of a chart beside a page, so only the tops are read)
    pages = [re.sub(r"\s+", "", page) for page in text.split("\f")]
    assert GMV_TITLE.replace(" ", "") in pages[0]
    assert pages[1].startswith(re.sub(r"\s+", "", TREND_TITLE)) and pages[2].startswith(re.sub(r"\s+", "", TASKS_TITLE))
