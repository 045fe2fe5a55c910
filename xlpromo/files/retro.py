"""The retrospective (运营效果复盘报告) from a checked workbook, as Markdown, HTML or .xlsx.

Sections follow seed 002 template 4: 目标回顾 and 结果数据 (达成率 per core target), every
monitored metric, pacing, tasks per department, off-target days (预警 and 未达标) with their
causes, alerts, 成功因素 and 问题与改进. Below the summary, 看板's three charts
(:mod:`xlpromo.files.charts`): native in the .xlsx, inline SVG in the .html, PNG files beside the .md.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import numbers
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format

from xlpromo.engine.alerts import ALERT_HEADERS
from xlpromo.engine.report import Report
from xlpromo.engine.summary import dept_tasks, metric_summary, off_target_days, pacing
from xlpromo.files.charts import chart_data, data_sheets, has_cjk_font, insert_charts, svgs, write_pngs
from xlpromo.model.defaults import LISTS
from xlpromo.model.master import SCHEMA
from xlpromo.ooxml import atomic_path

__all__ = [
    "CHARTS_SUFFIX",
    "DAILY_RATE",
    "FORMATS",
    "OFF_DAYS",
    "OFF_SECTION",
    "REVIEW_RATE",
    "Figure",
    "chart_folder",
    "column_widths",
    "render_html",
    "render_markdown",
    "sections",
    "sheet_title",
    "text_width",
    "write_report",
]

FORMATS = (".md", ".html", ".xlsx")
CHARTS_SUFFIX = ".charts"  # the .md report's pictures: <name>.charts/每日GMV.png beside <name>.md
#: Days off target are 预警 and 未达标 days alike: each needs its cause within 24 h (seed 002, metric-off-target).
OFF_DAYS, OFF_SECTION = "预警/未达标天数", "预警/未达标日与调整措施"
Table = tuple[str, list[str], list[list[Any]]]  # title, headers, rows
#: The two achievements of GMV: against 活动目标's target (500), and against the daily targets added up (518).
REVIEW_RATE, DAILY_RATE = "达成率（对活动目标）", "达成率（对每日目标）"


class Figure(str):
    """A number or date as the report prints it, carrying the value and the Excel number format the .xlsx writes."""

    value: float | dt.datetime
    num_format: str

    def __new__(cls, text: str, value: float | dt.datetime, num_format: str) -> Figure:
        """``text`` as printed in Markdown and HTML; ``value`` in the number format ``num_format`` in the .xlsx."""
        self = super().__new__(cls, text)
        self.value, self.num_format = value, num_format
        return self


def _fmt(v: Any, unit: str = "") -> str:
    """A value as printed: numbers and dates as :class:`Figure` (percent when ``unit`` is %), blank for NaN (and
    for inf, which no cell can hold); a number of 16 digits or more in powers of ten (1.000E+308)."""
    if v is None or v is pd.NaT or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    if isinstance(v, (dt.date, pd.Timestamp)):
        when = pd.Timestamp(v)
        text = f"{when:%Y-%m-%d}"
        return Figure(text, when.to_pydatetime(), "yyyy-mm-dd") if when.year >= 1900 else text  # Excel's first year
    if isinstance(v, float):
        if unit == "%":
            return _pct(v)
        if abs(v) >= 1e15:
            return Figure(f"{v:.3E}", v, "0.000E+00")
        if abs(v) >= 1e6:
            return Figure(f"{v:,.0f}", v, "#,##0")
        text = f"{v:,.2f}".rstrip("0").rstrip(".")
        decimals = len(text.partition(".")[2])
        return Figure(text, v, "#,##0" + ("." + "0" * decimals if decimals else ""))
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return Figure(str(v), float(v), "0")
    return str(v)


def _pct(v: Any) -> str:
    """A rate as printed, e.g. 96.7%; blank for NaN."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    return Figure(f"{float(v):.1%}", float(v), "0.0%") if abs(float(v)) < 1e13 else Figure(f"{float(v):.3E}",
                                                                                            float(v), "0.000E+00")


def _headers(table: str, *keys: str) -> list[str]:
    """The schema's headers of these columns of a table."""
    t = SCHEMA.table(table)
    return [t.col(k).header for k in keys]


def sections(report: Report) -> tuple[str, list[str], list[Table]]:
    """Title, summary lines and tables of the retrospective."""
    f = report.frames
    targets = f["targets"]
    name = str(targets["name"].iloc[0]) if len(targets) and isinstance(targets["name"].iloc[0], str) else "促销活动"
    start = targets["warmup_start"].iloc[0] if len(targets) else None
    end = targets["return_end"].iloc[0] if len(targets) else None
    lines = [f"复盘周期：{_fmt(start)} 至 {_fmt(end)}" if start is not None and end is not None else "复盘周期：未填写"]
    p = pacing(f)
    if p is not None and math.isfinite(p.gmv_to_date) and math.isfinite(p.progress):
        lines.append(f"统计日期 {_fmt(p.as_of)}（{p.phase}）：时间进度 {p.elapsed:.0%}，"
                     f"GMV 累计 {_fmt(p.gmv_to_date)} 万元，完成活动目标 {_pct(p.progress)}，"
                     f"进度比 {p.pace:.2f}（≥1 为按计划推进）")
    elif p is not None:  # a sum beyond the largest number (two 1e308): no progress to give
        lines.append(f"统计日期 {_fmt(p.as_of)}（{p.phase}）：时间进度 {p.elapsed:.0%}，"
                     "GMV 累计超出可计算的数值范围，无法计算完成目标与进度比：请检查每日监控的 GMV 实际值")
    s = report.stats
    lines.append(f"校验：错误 {s['errors']} 条，提示 {s['warnings']} 条；预警 {s['alerts']} 条")
    units = {str(n): str(u) for n, u in zip(f["metrics"]["name"], f["metrics"]["unit"], strict=True)}
    review = f["review"]
    tables: list[Table] = [(
        "目标回顾与结果", [*_headers("review", "metric", "target", "used"), REVIEW_RATE,
                   *_headers("review", "status", "note")],
        [[r["metric"], _fmt(r["target"], units.get(str(r["metric"]), "")),
          _fmt(r["used"], units.get(str(r["metric"]), "")), _pct(r["rate"]), r["status"], _fmt(r["note"])]
         for r in review.to_dict("records")])]
    ms = metric_summary(f)
    tables.append(("各指标汇总", ["指标", "单位", "方向", "汇总", "每日目标汇总", "每日实际汇总", DAILY_RATE, "天数",
                                OFF_DAYS, "最差日", "最差达成率"],
                   [[r["metric"], r["unit"], r["direction"], r["aggregate"], _fmt(r["target"], r["unit"]),
                     _fmt(r["actual"], r["unit"]), _pct(r["rate"]), r["days"], r["off_days"], _fmt(r["worst_date"]),
                     _pct(r["worst_rate"])] for r in ms.to_dict("records")]))
    dt_ = dept_tasks(f)
    tables.append(("各部门任务完成情况", ["责任部门", "任务数", "已完成", "逾期", "临期", "完成率"],
                   [[r["dept"], r["total"], r["done"], r["overdue"], r["due_soon"], _pct(r["completion"])]
                    for r in dt_.to_dict("records")]))
    off = off_target_days(f)
    tables.append((OFF_SECTION, _headers("daily", "date", "metric", "channel", "target", "actual", "rate",
                                             "status", "issue", "action", "dept"),
                   [[_fmt(r["date"]), r["metric"], _fmt(r["channel"]),
                     _fmt(r["target"], units.get(str(r["metric"]), "")),
                     _fmt(r["actual"], units.get(str(r["metric"]), "")), _pct(r["rate"]), r["status"],
                     _fmt(r["issue"]) or "（未填写）", _fmt(r["action"]), _fmt(r["dept"])]
                    for r in off.to_dict("records")]))
    tables.append(("预警", list(ALERT_HEADERS),
                   [[f"{a.sheet}!{a.cell}", a.level.value, a.state, a.message, a.dept, a.deadline]
                    for a in report.alerts]))
    lessons = f["lessons"]
    for kind in LISTS["review_kinds"]:
        rows = [[_fmt(r["content"]), _fmt(r["improvement"]), _fmt(r["dept"])]
                for r in lessons.to_dict("records") if r["kind"] == kind]
        tables.append((kind, _headers("lessons", "content", "improvement", "dept"), rows))
    return f"{name} · 运营效果复盘报告", lines, tables


def _md_cell(v: Any) -> str:
    return str(v).replace("|", "\\|").replace("\n", " ")


def _link(path: str) -> str:
    """A relative path as a Markdown link target: the characters that end or break one percent-encoded, CJK kept."""
    return "".join(quote(ch) if ch in " ()<>[]%#?" else ch for ch in path)


def render_markdown(report: Report, images: Sequence[tuple[str, str]] = (), *, font_note: bool = False) -> str:
    """The retrospective as Markdown; ``images`` (title, relative path) are the charts' PNGs, shown below the summary
    (``font_note``: they were drawn without a Chinese font, say so)."""
    title, lines, tables = sections(report)
    out = [f"# {title}", "", *[f"- {line}" for line in lines], ""]
    if images:
        out += ["## 图表", ""] + [x for t, p in images for x in (f"![{t}]({_link(p)})", "")]
        if font_note:
            out += ["（本机未找到中文字体，图中文字可能显示为方框：请安装 Noto Sans CJK SC 或微软雅黑后重新生成）", ""]
    for name, headers, rows in tables:
        out += [f"## {name}", ""]
        if not rows:
            out += ["（无）", ""]
            continue
        out.append("| " + " | ".join(headers) + " |")
        out.append("|" + "---|" * len(headers))
        out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
        out.append("")
    return "\n".join(out)


_CSS = ("body{font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',sans-serif;margin:2em;color:#222}"
        "h1{color:#1F4E78}h2{color:#1F4E78;border-bottom:1px solid #ccc;padding-bottom:.2em}"
        "table{border-collapse:collapse;margin-bottom:1.5em}th{background:#1F4E78;color:#fff}"
        "th,td{border:1px solid #bbb;padding:.3em .6em;font-size:14px}"
        "td.达标{background:#C6EFCE}td.预警{background:#FFEB9C}td.未达标,td.严重{background:#FFC7CE}"
        "figure{margin:0 0 1.5em}figure svg{max-width:100%;height:auto}")


def render_html(report: Report) -> str:
    """The retrospective as one self-contained HTML page, the charts inline SVG (it opens offline, from e-mail)."""
    title, lines, tables = sections(report)
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{_CSS}</style></head><body><h1>{e(title)}</h1><ul>"]
    parts += [f"<li>{e(line)}</li>" for line in lines]
    parts.append("</ul>")
    pictures = svgs(chart_data(report.frames))
    if pictures:
        parts.append("<h2>图表</h2>")
        parts += [f"<figure aria-label='{e(t)}'>{svg}</figure>" for t, svg in pictures]
    for name, headers, rows in tables:
        parts.append(f"<h2>{e(name)}</h2>")
        if not rows:
            parts.append("<p>（无）</p>")
            continue
        parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr>")
        for row in rows:
            cells = "".join(f"<td class='{e(str(v))}'>{e(str(v))}</td>" if str(v) in ("达标", "预警", "未达标", "严重")
                            else f"<td>{e(str(v))}</td>" for v in row)
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def _write_xlsx(report: Report, path: Path) -> None:
    """The retrospective as a workbook: 复盘报告 (title, summary lines and 看板's charts), then one sheet per table,
    each with its own header row frozen and columns as wide as their content, the charts' data sheets last; numbers
    and dates stored as such, in the text's formats."""
    title, lines, tables = sections(report)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    font = {"font_name": "微软雅黑", "font_size": 10}
    h1 = wb.add_format({**font, "bold": True, "font_size": 14, "font_color": "#1F4E78"})
    head = wb.add_format({**font, "bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "border": 1,
                          "text_wrap": True, "valign": "top"})
    boxed = {**font, "border": 1, "border_color": "#BFBFBF", "valign": "top"}
    cell = wb.add_format({**boxed, "text_wrap": True})
    number_formats: dict[str, Format] = {}
    ws = wb.add_worksheet("复盘报告")

    def put(r: int, j: int, v: Any) -> None:
        """One cell: a Figure as its value in its number format, a count as a number, a blank as an empty cell."""
        if isinstance(v, Figure):
            if v.num_format not in number_formats:
                number_formats[v.num_format] = wb.add_format({**boxed, "num_format": v.num_format})
            if isinstance(v.value, dt.datetime):
                ws.write_datetime(r, j, v.value, number_formats[v.num_format])
            else:
                ws.write_number(r, j, v.value, number_formats[v.num_format])
        elif isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v):
            ws.write_number(r, j, float(v), cell)
        elif str(v):
            ws.write_string(r, j, str(v), cell)
        else:
            ws.write_blank(r, j, None, cell)  # an empty cell, not an empty text that formulas trip on

    _page(ws)
    ws.write_string(0, 0, title, h1)
    for r, line in enumerate(lines, start=1):
        ws.write_string(r, 0, line, wb.add_format(font))
    ws.set_column(0, 0, min(_MAX_WIDTH * 2, max((text_width(x) for x in (title, *lines)), default=10)))
    data = chart_data(report.frames)
    insert_charts(wb, ws, data, len(lines) + 2)  # under the summary, over the data sheets written last
    for sheet in data_sheets(data):
        shown = [[v if isinstance(v, int) else _fmt(v, "%" if j in sheet.percent else "") for j, v in enumerate(row)]
                 for row in sheet.rows]  # counts as counts, figures in the report's formats
        tables.append((sheet.title, sheet.headers, shown))
    for name, headers, rows in tables:
        ws = wb.add_worksheet(sheet_title(name))
        _page(ws)
        ws.freeze_panes(1, 1 if headers and headers[0] == "指标" else 0)  # the header, and the metric beside figures
        for j, h in enumerate(headers):
            ws.write_string(0, j, h, head)
        for r, row in enumerate(rows or [["（无）"]], start=1):
            for j, v in enumerate(row):
                put(r, j, v)
        for j, w in enumerate(column_widths(headers, rows)):
            ws.set_column(j, j, w)
    wb.close()


_MAX_WIDTH = 60  # a longer text wraps in its column


def text_width(v: Any) -> int:
    """Columns a value takes as printed: a CJK (wide) character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(v))


def column_widths(headers: list[str], rows: list[list[Any]]) -> list[int]:
    """Width of each column of a table: its widest header or value plus a margin, 6 to 60 (wider text wraps)."""
    return [min(_MAX_WIDTH, max(6, *(text_width(r[j]) + 2 for r in rows if j < len(r)), text_width(h) + 2))
            for j, h in enumerate(headers)]


def sheet_title(name: str) -> str:
    """A table's title as a sheet name: the characters Excel refuses there (``/`` of 预警/未达标) become 、."""
    return "".join("、" if ch in "/\\?*[]:" else ch for ch in name)[:31]


def _page(ws: Any) -> None:
    """No gridlines; printed landscape on A4, one page wide."""
    ws.hide_gridlines(2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def chart_folder(out: Path) -> Path:
    """Where a .md report's pictures go: ``<name>.charts/`` beside ``<name>.md``."""
    return out.with_name(out.stem + CHARTS_SUFFIX)


def write_report(report: Report, out: str | Path) -> Path:
    """Write the retrospective to ``out`` (.md, .html or .xlsx), atomically; a .md's charts as PNGs in
    ``<name>.charts/`` beside it, linked by relative paths (the folder travels with the file)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{out.name}：复盘报告只能输出为 {'、'.join(FORMATS)}")
    with atomic_path(out) as tmp:
        if suffix == ".xlsx":
            _write_xlsx(report, tmp)
        elif suffix == ".md":
            folder = chart_folder(out)
            images = [(t, f"{folder.name}/{p.name}") for t, p in write_pngs(chart_data(report.frames), folder)]
            tmp.write_text(render_markdown(report, images, font_note=bool(images) and not has_cjk_font()),
                           encoding="utf-8")
        else:
            tmp.write_text(render_html(report), encoding="utf-8")
    return out
