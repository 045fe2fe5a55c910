"""xlpromo report: the retrospective in Markdown, HTML and xlsx, with the seeds' golden numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlpromo.builder import build_workbook
from xlpromo.cli import app
from xlpromo.engine import check
from xlpromo.retro import render_html, render_markdown, sections, write_report
from xlpromo.summary import dept_tasks, pacing

from .conftest import read_values, seed_retro_frames

D = dt.date


@pytest.fixture(scope="module")
def seed_retro(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed 002 template 4: GMV 300万→330万, 新客 10万→12万, ROI 1:3→1:3.2."""
    return build_workbook(tmp_path_factory.mktemp("retro") / "seed.xlsx", seed_retro_frames())


def test_seed_golden_retrospective(seed_retro: Path) -> None:
    title, lines, tables = sections(check(seed_retro))
    assert title == "618年中大促 · 运营效果复盘报告"
    assert lines[0] == "复盘周期：2024-06-01 至 2024-06-18"
    review = {row[0]: row for row in tables[0][2]}
    assert review["GMV"][1:5] == ["300", "330", "110.0%", "达标"]
    assert review["新客数"][1:5] == ["100,000", "120,000", "120.0%", "达标"]
    assert review["ROI"][1:5] == ["3", "3.2", "106.7%", "达标"]
    kinds = {t[0]: t[2] for t in tables}
    assert kinds["成功因素"] == [["爆款提前15天预热，搜索流量提升30%", "", "运营部"]]
    assert kinds["问题与改进"] == [["仓配延迟导致200单差评", "提前与仓储部确认物流capacity", "仓储部"]]


def test_demo_pacing_and_departments(demo_path: Path) -> None:
    r = check(demo_path)
    p = pacing(r.frames)
    assert p is not None and p.as_of == D(2024, 6, 21) and p.phase == "返场期" and p.elapsed == 1.0
    daily = read_values(demo_path)["每日监控"][3:]
    assert p.gmv_to_date == pytest.approx(sum(row[6] for row in daily if row[1] == "GMV"))
    depts = dept_tasks(r.frames).set_index("dept")
    assert depts.loc["运营部", ["total", "done", "overdue", "due_soon"]].tolist() == [6, 3, 2, 1]
    assert depts.loc["技术部", "completion"] == 1.0


def test_markdown_and_html(demo_path: Path) -> None:
    r = check(demo_path)
    md = render_markdown(r)
    assert md.startswith("# 2024年618年中大促 · 运营效果复盘报告")
    assert "| 2024-06-12 | 转化率 | 全渠道 | 4.5% | 4.0% | 88.4% | 预警 | （未填写） |  | 运营部 |" in md
    assert "## 问题与改进" in md and "秒杀商品库存不足" in md
    page = render_html(r)
    assert page.startswith("<!DOCTYPE html>") and "<td class='未达标'>未达标</td>" in page


def test_html_escapes_user_text(tmp_path: Path) -> None:
    from xlpromo.demo import demo_frames

    frames = demo_frames()
    lessons = frames["lessons"].copy()
    lessons.loc[0, "content"] = "<script>alert(1)</script>"
    frames["lessons"] = lessons
    page = render_html(check(build_workbook(tmp_path / "x.xlsx", frames)))
    assert "<script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("suffix", [".md", ".html", ".xlsx"])
def test_cli_report_writes_each_format_and_leaves_input_alone(demo_path: Path, tmp_path: Path, suffix: str) -> None:
    before = hashlib.sha256(demo_path.read_bytes()).hexdigest()
    out = tmp_path / f"复盘{suffix}"
    result = CliRunner().invoke(app, ["report", str(demo_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(demo_path.read_bytes()).hexdigest() == before
    if suffix == ".xlsx":
        rows = read_values(out)["复盘报告"]
        assert rows[0][0] == "2024年618年中大促 · 运营效果复盘报告"
        assert [r[0] for r in rows if r[0] == "目标回顾与结果"] == ["目标回顾与结果"]
    else:
        assert "2024年618年中大促" in out.read_text(encoding="utf-8")


def test_cli_report_refuses_bad_output(demo_path: Path, tmp_path: Path) -> None:
    assert CliRunner().invoke(app, ["report", str(demo_path), "-o", str(tmp_path / "x.pdf")]).exit_code == 2
    same = CliRunner().invoke(app, ["report", str(demo_path), "-o", str(demo_path), "--force"])
    assert same.exit_code == 2 and "相同" in same.output


def test_write_report_rejects_unknown_suffix(demo_path: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="复盘报告只能输出为"):
        write_report(check(demo_path), tmp_path / "x.txt")
