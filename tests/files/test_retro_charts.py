"""The retrospective's charts (issue 13 point 3): 看板's three charts, native in the .xlsx over the report's own data
cells, inline SVG in the .html (offline, Chinese as text), PNG files beside the .md linked by relative paths."""

from __future__ import annotations

import io
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
import xlsxwriter

from xlpromo.engine.board import board_days
from xlpromo.files import retro
from xlpromo.files.board import GMV_TITLE, TASKS_TITLE, TREND_TITLE
from xlpromo.files.charts import CJK_FONTS, DAY_SHEET, TASK_SHEET, chart_data, insert_charts
from xlpromo.files.check import check
from xlpromo.files.retro import render_html, write_report
from xlpromo.model.a1 import col_name

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
DEMO_DAYS = 28  # 2024-05-25 预热开始 … 2024-06-21 返场结束
SERIES = ("GMV目标", "GMV实际", "累计目标", "累计实际", "GMV达成率", "转化率达成率", "客单价达成率",
          "客服响应时长达成率", "达标线", "严重预警线")


@pytest.fixture(scope="module")
def xlsx(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(check(demo_path), tmp_path_factory.mktemp("charts") / "复盘.xlsx")


def _charts(path: Path) -> list[ET.Element]:
    with zipfile.ZipFile(path) as z:
        names = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        return [ET.fromstring(z.read(n)) for n in names]


def _refs(plot: ET.Element) -> list[tuple[str, str, str]]:
    """(name, categories, values) references of each series of one plot (a barChart or lineChart element)."""
    return [(s.findtext(f"{C}tx/{C}strRef/{C}f", ""), s.findtext(f"{C}cat//{C}f", ""),
             s.findtext(f"{C}val/{C}numRef/{C}f", "")) for s in plot.iter(f"{C}ser")]


def _day_range(column: str) -> str:
    """The demo's campaign days in one column of the report's 每日数据 (its header in row 1)."""
    return f"{DAY_SHEET}!${column}$2:${column}${DEMO_DAYS + 1}"


def _val(el: ET.Element, tag: str) -> str | None:
    """The ``val`` of the first ``tag`` element in ``el``."""
    found = el.find(f".//{C}{tag}")
    return None if found is None else found.get("val")


def _cells(wb: openpyxl.Workbook, ref: str) -> list[object]:
    """The values of a chart reference's cells (one cell or a range), in order."""
    sheet, cells = ref.split("!")
    first, _, last = cells.replace("$", "").partition(":")
    return [c.value for row in wb[sheet][f"{first}:{last or first}"] for c in row]


def test_xlsx_charts_are_the_boards_over_the_reports_data_cells(demo_path: Path, xlsx: Path) -> None:
    gmv, trend, tasks = _charts(xlsx)
    wb = openpyxl.load_workbook(xlsx)
    # daily GMV: columns for target and actual, lines for the cumulative ones on a second value axis
    bars, lines = gmv.find(f".//{C}barChart"), gmv.find(f".//{C}lineChart")
    assert bars is not None and lines is not None
    assert _val(bars, "barDir") == "col"
    assert len(gmv.findall(f".//{C}valAx")) == 2 and {a.get("val") for a in gmv.iter(f"{C}axPos")} >= {"l", "r"}
    assert {ax.get("val") for ax in lines.findall(f"{C}axId")} != {ax.get("val") for ax in bars.findall(f"{C}axId")}
    # the 达成率 trend: one line chart, the four metrics and the two reference lines
    rates = trend.find(f".//{C}lineChart")
    assert trend.find(f".//{C}barChart") is None and rates is not None
    # tasks: horizontal bars stacked by 当前状态
    stacked = tasks.find(f".//{C}barChart")
    assert stacked is not None and (_val(stacked, "barDir"), _val(stacked, "grouping")) == ("bar", "stacked")

    day_refs = _refs(bars) + _refs(lines) + _refs(rates)
    assert [_cells(wb, name)[0] for name, _, _ in day_refs] == list(SERIES)
    label = col_name(2)
    for name, cat, val in day_refs:
        column = name.split("$")[1]
        assert (cat, val) == (_day_range(label), _day_range(column))
        values = _cells(wb, val)
        assert len(values) == DEMO_DAYS and all(isinstance(v, (int, float)) for v in values), name  # every day
    # the numbers are 看板's: its twin's days, GMV adding up to the report's 531.855
    twin = board_days(check(demo_path).frames)
    assert _cells(wb, day_refs[1][2]) == pytest.approx(list(twin["gmv_actual"][:DEMO_DAYS]))
    assert sum(float(str(v)) for v in _cells(wb, day_refs[1][2])) == pytest.approx(531.855)
    assert _cells(wb, day_refs[3][2])[-1] == pytest.approx(531.855)
    assert _cells(wb, f"{DAY_SHEET}!$C$2:$C$2") == ["5-25 预热"]

    task_refs = _refs(stacked)
    assert [_cells(wb, name)[0] for name, _, _ in task_refs] == ["待开始", "进行中", "已完成", "已延期", "已取消"]
    depts = _cells(wb, task_refs[0][1])
    assert depts[0] == "运营部" and "数据分析" in depts and len(depts) == len(set(depts))
    counts = [_cells(wb, val) for _, _, val in task_refs]
    assert all(isinstance(n, int) for col in counts for n in col)
    assert all(sum(int(str(n)) for n in row) > 0 for row in zip(*counts, strict=True))  # only departments with tasks
    assert sum(int(str(col[0])) for col in counts) == 6  # 运营部's six tasks, as 各部门任务完成情况 counts them
    assert {ref.split("!")[0] for _, cat, val in task_refs for ref in (cat, val)} == {TASK_SHEET}


def test_xlsx_charts_sit_on_the_first_sheet_under_the_summary(xlsx: Path) -> None:
    with zipfile.ZipFile(xlsx) as z:
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        drawing = z.read("xl/drawings/drawing1.xml").decode()
        titles = [ET.fromstring(z.read(f"xl/charts/chart{i}.xml")) for i in (1, 2, 3)]
    assert "drawings/drawing1.xml" in rels and drawing.count("<c:chart ") == 3
    assert ["".join(t.itertext()).strip() for t in (c.find(f".//{C}title") for c in titles) if t is not None] == [
        GMV_TITLE, TREND_TITLE, TASKS_TITLE]
    rows = [int(r) for r in re.findall(r"<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>(\d+)",
                                       drawing)]
    assert rows[0] == 5 and rows == sorted(rows) and len(rows) == 3  # below the title and three summary lines


def test_a_chart_never_straddles_a_printed_page(demo_path: Path, xlsx: Path) -> None:
    with zipfile.ZipFile(xlsx) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    # rows 5, 27, 47 (0-based) hold the charts: a break above the second and the third (xlsxwriter's id: the row)
    assert re.findall(r'<brk id="(\d+)"', sheet) == ["27", "47"]
    # a summary too long to share page one with the first chart: it starts page two (20 px rows, 600 px a page)
    wb = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    ws = wb.add_worksheet()
    assert insert_charts(wb, ws, chart_data(check(demo_path).frames), 9) == 9 + 22 + 20 + 25
    assert ws.hbreaks == [9, 31, 51]
    ws2 = wb.add_worksheet()
    insert_charts(wb, ws2, chart_data(check(demo_path).frames), 8)  # 8 + 22 rows = 600 px: it fits
    assert ws2.hbreaks == [30, 50]


def test_html_embeds_the_charts_as_inline_svg_with_no_outside_reference(demo_path: Path) -> None:
    page = render_html(check(demo_path))
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    assert len(svgs) == 3 and page.index("<svg") < page.index("<h2>目标回顾与结果</h2>")
    for svg in svgs:
        ET.fromstring(svg)  # each one well-formed XML
    text = "".join(svgs)
    for title in (GMV_TITLE, TREND_TITLE, TASKS_TITLE, *SERIES, "已延期", "运营部", "6-18 爆发"):
        assert f">{title}<" in text, title  # as text, not paths: searchable, and drawn in the reader's font
    assert "font-family: " + ", ".join(f"'{f}'" for f in CJK_FONTS) in text
    assert re.findall(r"""(?:href|src)\s*=\s*["'](?!#)""", page) == []
    assert re.findall(r"url\((?!#)", page) == [] and "@import" not in page
    assert all(tag not in page for tag in ("<image", "<script", "<link", "<!DOCTYPE svg", "<?xml"))
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # three SVGs in one page: no id shared
    assert set(re.findall(r'href="#([^"]+)"', page)) | set(re.findall(r"url\(#([^)]+)\)", page)) <= set(ids)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and data[-8:-4] == b"IEND"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_markdown_links_the_pngs_written_beside_it(demo_path: Path, tmp_path: Path) -> None:
    out = write_report(check(demo_path), tmp_path / "618 复盘(终).md")  # a space and brackets in the name
    text = out.read_text(encoding="utf-8")
    links = re.findall(r"!\[([^\]]*)\]\(([^)]*)\)", text)
    assert [t for t, _ in links] == [GMV_TITLE, TREND_TITLE, TASKS_TITLE]
    assert text.index("## 图表") < text.index("## 目标回顾与结果") and "中文字体" not in text
    folder = tmp_path / "618 复盘(终).charts"
    assert sorted(p.name for p in folder.iterdir()) == sorted(["每日GMV.png", "达成率趋势.png", "任务状态.png"])
    for _, target in links:
        assert not Path(unquote(target)).is_absolute() and " " not in target
        path = (out.parent / unquote(target)).resolve()
        assert path.parent == folder.resolve() and path.is_file()
        width, height = _png_size(path)
        assert width > 1000 and height > 300  # 150 dpi
    from PIL import Image

    with Image.open(folder / "每日GMV.png") as im:
        im.verify()


def test_markdown_says_when_no_chinese_font_drew_its_pictures(demo_path: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retro, "has_cjk_font", lambda: False)
    text = write_report(check(demo_path), tmp_path / "r.md").read_text(encoding="utf-8")
    assert "本机未找到中文字体" in text


def test_a_new_md_report_replaces_its_pictures_and_leaves_the_users_files(demo_path: Path, blank_path: Path,
                                                                          tmp_path: Path) -> None:
    write_report(check(demo_path), tmp_path / "r.md")
    folder = tmp_path / "r.charts"
    (folder / "我的截图.png").write_bytes(b"mine")
    write_report(check(blank_path), tmp_path / "r.md")  # no dates, no tasks: no chart this time
    assert sorted(p.name for p in folder.iterdir()) == ["我的截图.png"]  # no stale 每日GMV.png beside the report
    assert (folder / "我的截图.png").read_bytes() == b"mine"
    assert not [p for p in tmp_path.rglob(".xlpromo-*")]  # the staging folder is gone


def test_a_book_without_dates_or_tasks_has_no_charts(blank_path: Path, tmp_path: Path) -> None:
    report = check(blank_path)
    assert "<svg" not in render_html(report)
    md = write_report(report, tmp_path / "r.md")
    assert "## 图表" not in md.read_text(encoding="utf-8") and not (tmp_path / "r.charts").exists()
    xlsx = write_report(report, tmp_path / "r.xlsx")
    assert _charts(xlsx) == [] and DAY_SHEET not in openpyxl.load_workbook(xlsx).sheetnames


def test_days_after_the_as_of_date_are_gaps_not_zeros(tmp_path: Path) -> None:
    """Mid-sale (统计日期 2024-06-05, no actuals after it): the cumulative actual stops there, as on 看板; the
    report's cells after it are empty (a chart gap), and the pictures still draw."""
    import datetime as dt

    from xlpromo.files.builder import build_workbook
    from xlpromo.files.demo import demo_frames

    frames = demo_frames()
    daily = frames["daily"].copy()
    daily.loc[daily["date"] > dt.date(2024, 6, 5), "actual"] = None
    frames["daily"] = daily
    th = frames["thresholds"].copy()
    th.loc[th["code"] == "as_of", "value"] = dt.date(2024, 6, 5)
    frames["thresholds"] = th
    report = check(build_workbook(tmp_path / "mid.xlsx", frames))
    wb = openpyxl.load_workbook(write_report(report, tmp_path / "r.xlsx"))
    cum = _cells(wb, _day_range("G"))
    assert wb[DAY_SHEET]["G1"].value == "累计实际" and len(cum) == DEMO_DAYS
    assert all(isinstance(v, float) for v in cum[:12]) and cum[12:] == [None] * (DEMO_DAYS - 12)  # 5-25 … 6-05
    assert all(isinstance(v, (int, float)) for v in _cells(wb, _day_range("F")))  # the targets run to the end
    assert render_html(report).count("<svg") == 3
