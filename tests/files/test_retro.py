"""xlpromo report: the retrospective in Markdown, HTML and xlsx, with the seeds' golden numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import read_values, seed_retro_frames
from xlpromo.cli import app
from xlpromo.engine.summary import dept_tasks, pacing
from xlpromo.files.builder import build_workbook
from xlpromo.files.charts import DAY_SHEET, TASK_SHEET
from xlpromo.files.check import check
from xlpromo.files.retro import render_html, render_markdown, sections, write_report

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


def _xlsx_rows(path: Path) -> dict[str, list[tuple[object, str, str]]]:
    """Rows of the .xlsx report by their first cell (the last row of that name wins, e.g. GMV of 各指标汇总 over
    目标回顾): (value, openpyxl data type, number format) per cell."""
    import openpyxl

    sheets = [ws for ws in openpyxl.load_workbook(path).worksheets[1:]  # one sheet per table, its header in row 1
              if ws.title not in (DAY_SHEET, TASK_SHEET)]  # the charts' data: see test_retro_charts.py
    return {str(row[0].value): [(c.value, c.data_type, c.number_format) for c in row]
            for ws in sheets for row in ws.iter_rows(min_row=2) if row[0].value is not None}


def test_xlsx_report_stores_numbers_as_numbers(seed_retro: Path, tmp_path: Path) -> None:
    """目标值 300 vs 采用值 330 are numbers (万元, 人, 倍 as shown), 达成率 a number in a percent format."""
    rows = _xlsx_rows(write_report(check(seed_retro), tmp_path / "r.xlsx"))
    assert rows["GMV"][:5] == [("GMV", "s", "General"), (300, "n", "#,##0"), (330, "n", "#,##0"),
                               (pytest.approx(1.1), "n", "0.0%"), ("达标", "s", "General")]
    assert rows["新客数"][1:4] == [(100000, "n", "#,##0"), (120000, "n", "#,##0"), (pytest.approx(1.2), "n", "0.0%")]
    assert rows["ROI"][1:4] == [(3, "n", "#,##0"), (3.2, "n", "#,##0.0"), (pytest.approx(3.2 / 3), "n", "0.0%")]
    assert [v for v, _, _ in rows["新客占比"][1:4]] == [None] * 3  # no target typed: empty cells, not ""


def test_xlsx_report_of_the_demo_types_every_figure(demo_path: Path, tmp_path: Path) -> None:
    """Counts are numbers, dates are dates, rates and % metrics are percentages; the Markdown text is unchanged."""
    report = check(demo_path)
    rows = _xlsx_rows(write_report(report, tmp_path / "r.xlsx"))
    assert rows["运营部"][1:6] == [(6, "n", "General"), (3, "n", "General"), (2, "n", "General"), (1, "n", "General"),
                                 (0.5, "n", "0.0%")]
    conv = rows["转化率"]  # 各指标汇总: 目标 4.5%, 最差日 2024-06-12 at 88.4%
    assert conv[4][1:] == ("n", "0.0%") and conv[4][0] == pytest.approx(0.045)
    assert conv[7:10] == [(28, "n", "General"), (2, "n", "General"), (dt.datetime(2024, 6, 12), "d", "yyyy-mm-dd")]
    assert conv[10][0] == pytest.approx(0.0398 / 0.045) and conv[10][2] == "0.0%"
    assert rows["GMV"][5] == (531.855, "n", "#,##0.00")  # text 531.86, value as summed
    day = next(r for k, r in rows.items() if k.startswith("2024-06-05"))  # 未达标日: the date cell is a date
    assert day[0] == (dt.datetime(2024, 6, 5), "d", "yyyy-mm-dd")
    assert day[3:7] == [(22, "n", "#,##0"), (17.6, "n", "#,##0.0"), (pytest.approx(0.8), "n", "0.0%"),
                        ("未达标", "s", "General")]
    assert "| 2024-06-05 | GMV | 全渠道 | 22 | 17.6 | 80.0% | 未达标 |" in render_markdown(report)


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
    from xlpromo.files.demo import demo_frames

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
        values = read_values(out)
        assert values["复盘报告"][0][0] == "2024年618年中大促 · 运营效果复盘报告"
        assert values["目标回顾与结果"][0][:4] == ["指标", "目标值", "采用值", "达成率（对活动目标）"]
    else:
        assert "2024年618年中大促" in out.read_text(encoding="utf-8")


def test_cli_report_refuses_bad_output(demo_path: Path, tmp_path: Path) -> None:
    assert CliRunner().invoke(app, ["report", str(demo_path), "-o", str(tmp_path / "x.pdf")]).exit_code == 2
    same = CliRunner().invoke(app, ["report", str(demo_path), "-o", str(demo_path), "--force"])
    assert same.exit_code == 2 and "就是输入文件：xlpromo 从不写在输入文件上" in same.output


def test_write_report_rejects_unknown_suffix(demo_path: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="复盘报告只能输出为"):
        write_report(check(demo_path), tmp_path / "x.txt")


def test_off_target_days_count_warning_and_failing_days_under_one_name(demo_path: Path, tmp_path: Path) -> None:
    """各指标汇总 counts 预警 and 未达标 days together (seed 002: any day off target needs its cause within 24 h),
    so the column says both: 转化率's 2 are 91.1% and 88.4%, both 预警. The same header in .md, .html and .xlsx."""
    report = check(demo_path)
    tables = sections(report)[2]
    summary = next(t for t in tables if t[0] == "各指标汇总")
    assert summary[1][7:9] == ["天数", "预警/未达标天数"]
    conv = next(r for r in summary[2] if r[0] == "转化率")
    assert conv[7:11] == [28, 2, "2024-06-12", "88.4%"]
    daily = report.frames["daily"]
    assert daily.loc[daily["metric"].eq("转化率") & daily["status"].ne("达标") & daily["status"].ne(""),
                     "status"].tolist() == ["预警", "预警"]
    off = next(t for t in tables if t[0] == "预警/未达标日与调整措施")
    assert sorted({r[6] for r in off[2]}) == ["未达标", "预警"]
    assert ("| 指标 | 单位 | 方向 | 汇总 | 每日目标汇总 | 每日实际汇总 | 达成率（对每日目标） | 天数 "
            "| 预警/未达标天数 | 最差日 | 最差达成率 |") \
        in render_markdown(report)
    assert "## 预警/未达标日与调整措施" in render_markdown(report)
    page = render_html(report)
    assert "<th>天数</th><th>预警/未达标天数</th>" in page and "<h2>预警/未达标日与调整措施</h2>" in page
    assert "未达标天数</th>" not in page.replace("预警/未达标天数</th>", "")
    values = read_values(write_report(report, tmp_path / "r.xlsx"))
    assert values["各指标汇总"][0][7:9] == ["天数", "预警/未达标天数"]
    assert "预警、未达标日与调整措施" in values  # a sheet name holds no /
