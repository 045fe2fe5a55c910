"""The retrospective's charts: 看板's three charts, native in the .xlsx, inline SVG in the .html, PNG for the .md.

The data is the engine's 看板 twin (:func:`~xlpromo.engine.board.board_days`, :func:`~xlpromo.engine.board.board_tasks`)
cut to the campaign days and to the departments with tasks, so the report shows what 看板 shows. The .xlsx charts are
:func:`xlpromo.files.board.charts` over the report's own data sheets; the pictures are drawn by matplotlib (Agg and
SVG, never a GUI), with the same titles, series and colours. SVG text stays text in a CJK font list, so Chinese
renders with the reader's own font on Windows, macOS and Linux.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlpromo.engine.board import board_days, board_tasks
from xlpromo.files.board import (
    GMV_BARS,
    GMV_LINES,
    GMV_TITLE,
    STATE_COLOURS,
    TASKS_TITLE,
    TREND_LINES,
    TREND_TITLE,
    Blocks,
    charts,
)
from xlpromo.model.board import DAY_COLUMNS
from xlpromo.ooxml import staged_folder

if TYPE_CHECKING:
    from matplotlib.figure import Figure as Picture
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

__all__ = ["CJK_FONTS", "DAY_SHEET", "PICTURES", "TASK_SHEET", "ChartData", "DataSheet", "chart_data", "chart_files",
           "data_sheets", "has_cjk_font", "insert_charts", "svgs", "write_pngs"]

#: Fonts tried in turn for Chinese text: Windows, macOS, then Linux (fonts-noto-cjk, wqy), then a Latin font.
CJK_FONTS = ("Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC",
             "WenQuanYi Micro Hei", "SimHei", "DejaVu Sans")
DAY_SHEET, TASK_SHEET = "每日数据", "各部门任务状态"
#: The pictures' file names (the .md report's, beside it) and titles, in the order the report shows them.
PICTURES = (("每日GMV", GMV_TITLE), ("达成率趋势", TREND_TITLE), ("任务状态", TASKS_TITLE))
_HEADERS = {c.key: c.header for c in DAY_COLUMNS}
_FORMATS = {c.key: c.fmt for c in DAY_COLUMNS}


@dataclass(frozen=True)
class ChartData:
    """The charts' numbers: one row per campaign day (看板's day columns, NaN where 看板 has #N/A or a blank) and
    the tasks per 责任部门 (those with a task) and 当前状态."""

    days: pd.DataFrame
    depts: list[str]
    states: list[str]
    counts: list[list[int]]


@dataclass(frozen=True)
class DataSheet:
    """A data sheet of the .xlsx report: headers and rows (dates, floats, texts; None blank), and which columns
    are rates (percent)."""

    title: str
    headers: list[str]
    rows: list[list[Any]]
    percent: frozenset[int]


def _number(v: Any) -> float:
    """A 看板 twin value as a plot value: texts (a blank, #N/A) are gaps."""
    return float("nan") if isinstance(v, str) or v is None else float(v)


def chart_data(frames: dict[str, pd.DataFrame]) -> ChartData:
    """The 看板 twin's blocks for the report: the campaign's days (none without 活动目标 dates), departments with
    tasks."""
    days = board_days(frames)
    days = days[days["date"].map(lambda d: isinstance(d, pd.Timestamp))].reset_index(drop=True)
    for key in days.columns:
        if key not in ("date", "phase", "label"):
            days[key] = days[key].map(_number).astype(float)
    depts, states, counts = board_tasks(frames)
    keep = [i for i in range(len(depts)) if counts[i].sum() > 0]
    return ChartData(days, [depts[i] for i in keep], list(states), [[int(n) for n in counts[i]] for i in keep])


def data_sheets(data: ChartData) -> list[DataSheet]:
    """The two sheets the .xlsx charts read: the days (看板's day columns, by their 看板 headers) and tasks per
    department and state; empty when there is nothing to chart."""
    out = []
    if len(data.days):
        cols = list(data.days.columns)
        rows = [[v.to_pydatetime() if isinstance(v, pd.Timestamp) else (None if v != v else v) for v in rec]
                for rec in data.days.itertuples(index=False)]
        pct = frozenset(j for j, k in enumerate(cols) if _FORMATS[k].endswith("%"))
        out.append(DataSheet(DAY_SHEET, [_HEADERS[k] for k in cols], rows, pct))
    if data.depts:
        out.append(DataSheet(TASK_SHEET, ["责任部门", *data.states],
                             [[d, *row] for d, row in zip(data.depts, data.counts, strict=True)], frozenset()))
    return out


#: Height of a printed page of the report in pixels of 96 dpi at 100% (A4 landscape, 210 mm less the default
#: margins, header and footer: about 160 mm); a chart taller than what is left of the page starts a new one.
PAGE_PX = 600
ROW_PX = 20  # xlsxwriter's default row: 15 points


def insert_charts(wb: Workbook, ws: Worksheet, data: ChartData, row: int) -> int:
    """Insert the native charts over :func:`data_sheets` (written as they are, header in row 1) on ``ws`` from
    ``row`` down, one below the other; the row below the last. A chart never straddles a printed page: the first
    stays under the summary when both fit on page one, each other one starts a page (two never fit on one)."""
    cols = {k: j for j, k in enumerate(data.days.columns)}
    blocks = Blocks(DAY_SHEET, 1, cols, len(data.days), 0, 0, len(data.depts), len(data.states), TASK_SHEET)
    heights = (22, 20, 25)  # rows of 20 px the three charts take (420, 380, 470 px high)
    breaks: list[int] = []
    first = True
    for chart, wanted, rows in zip(charts(wb, blocks), (len(data.days), len(data.days), len(data.depts)), heights,
                                   strict=True):
        if wanted:
            if row and (not first or (row + rows) * ROW_PX > PAGE_PX):
                breaks.append(row)  # xlsxwriter puts the break above this row
            first = False
            ws.insert_chart(row, 0, chart)
            row += rows
    ws.set_h_pagebreaks(breaks)
    return row


@contextmanager
def _style() -> Iterator[None]:
    """matplotlib settings for the report's pictures: the CJK font list, SVG text as text, reproducible files,
    no "font not found" lines for the fonts of other systems."""
    import matplotlib

    quiet = logging.getLogger("matplotlib.font_manager")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with matplotlib.rc_context({"font.family": ["sans-serif"], "font.sans-serif": list(CJK_FONTS),
                                    "svg.fonttype": "none", "svg.hashsalt": "xlpromo", "axes.unicode_minus": False,
                                    "font.size": 9}):
            yield
    finally:
        quiet.setLevel(level)


def has_cjk_font() -> bool:
    """Whether this machine has one of the CJK fonts, without which a PNG shows Chinese as boxes."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return any(f in names for f in CJK_FONTS[:-1])


def _gmv(data: ChartData) -> Picture:
    """Daily GMV target and actual as columns, cumulative target and actual as lines on the right axis."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.5, 5.2), layout="constrained")
    ax = fig.add_subplot()
    x = list(range(len(data.days)))
    width = 0.4
    for i, (key, colour) in enumerate(GMV_BARS):
        ax.bar([v + (i - 0.5) * width for v in x], data.days[key], width, color=colour, label=_HEADERS[key])
    right = ax.twinx()
    for key, colour in GMV_LINES:
        right.plot(x, data.days[key], color=colour, label=_HEADERS[key], linewidth=2.25 if key == "cum_actual" else 1.5,
                   linestyle="--" if key == "cum_target" else "-")
    ax.set_ylabel("每日(万元)")
    right.set_ylabel("累计(万元)")
    _days_axis(ax, data)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    fig.suptitle(GMV_TITLE, fontsize=11)
    return fig


def _trend(data: ChartData) -> Picture:
    """The key metrics' daily 达成率 (gaps where a day has none) with the 达标线 and 严重预警线 dashed."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    fig = Figure(figsize=(9.5, 4.8), layout="constrained")
    ax = fig.add_subplot()
    x = list(range(len(data.days)))
    for key, colour in TREND_LINES:
        line = key in ("pass_line", "warn_line")
        ax.plot(x, data.days[key], color=colour, label=_HEADERS[key], linestyle="--" if line else "-",
                marker=None if line else "o", markersize=3, linewidth=1.5 if line else 1.75)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    _days_axis(ax, data)
    fig.legend(loc="outside lower center", ncols=len(TREND_LINES), frameon=False)
    fig.suptitle(TREND_TITLE, fontsize=11)
    return fig


def _tasks(data: ChartData) -> Picture:
    """Tasks per 责任部门 as horizontal bars stacked by 当前状态, the first department on top."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(9.5, 1.6 + 0.45 * len(data.depts)), layout="constrained")
    ax = fig.add_subplot()
    left = [0] * len(data.depts)
    for j, (state, colour) in enumerate(zip(data.states, STATE_COLOURS.values(), strict=False)):
        counts = [row[j] for row in data.counts]
        ax.barh(data.depts, counts, left=left, color=colour, label=state, height=0.6)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts of tasks: no 0.5
    ax.grid(axis="x", color="#E7E6E6")
    ax.set_axisbelow(True)
    fig.legend(loc="outside lower center", ncols=len(data.states), frameon=False)
    fig.suptitle(TASKS_TITLE, fontsize=11)
    return fig


def _days_axis(ax: Any, data: ChartData) -> None:
    """The day labels (``6-1 爆发``) under the x axis, slanted; light horizontal grid lines."""
    ax.set_xticks(range(len(data.days)), list(data.days["label"]), rotation=45, ha="right")
    ax.set_xlim(-0.6, len(data.days) - 0.4)
    ax.grid(axis="y", color="#E7E6E6")
    ax.set_axisbelow(True)


#: Beyond this a value cannot be drawn: scaling an axis to it (×1.05 margins) overflows the float range.
_DRAWABLE = 1e300


def _drawable(days: pd.DataFrame) -> pd.DataFrame:
    """The day block with every number a chart cannot draw (beyond ±1e300: ``1e308`` typed into 实际值) as a gap."""
    out = days.copy()
    for key in out.columns:
        if pd.api.types.is_float_dtype(out[key]):
            out[key] = out[key].where(out[key].abs() <= _DRAWABLE)
    return out


def _pictures(data: ChartData) -> Iterator[tuple[str, str, Picture]]:
    """(file name, title, figure) of each chart there is data for, numbers too large to draw left out."""
    data = ChartData(_drawable(data.days), data.depts, data.states, data.counts)
    for (name, title), draw, wanted in zip(PICTURES, (_gmv, _trend, _tasks),
                                           (len(data.days), len(data.days), len(data.depts)), strict=True):
        if wanted:
            yield name, title, draw(data)


_ID = re.compile(r'(id="|href="#|url\(#)([^")]+)')


def svgs(data: ChartData) -> list[tuple[str, str]]:
    """(title, inline ``<svg>`` element) of each chart: no XML prolog or DTD, no metadata, ids made unique per chart
    so several can live in one page."""
    out = []
    with _style():
        for n, (_, title, fig) in enumerate(_pictures(data), start=1):
            buf = io.StringIO()
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
            text = buf.getvalue()
            text = _ID.sub(rf"\g<1>c{n}-\g<2>", text[text.index("<svg"):])
            out.append((title, text.strip()))
    return out


def write_pngs(data: ChartData, folder: Path) -> list[tuple[str, Path]]:
    """Draw each chart as ``folder/<name>.png`` (150 dpi, Agg); (title, path) of each (no folder when none).

    The pictures are drawn in a staging folder and moved in together, so an interrupted run leaves the last set;
    a picture of ours that this run does not draw (no tasks any more) is removed, so the folder never shows a
    stale chart beside the new report. Other files in the folder are the user's and stay."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    out: list[tuple[str, Path]] = []
    with _style():
        pictures = list(_pictures(data))
        if pictures:
            with staged_folder(folder) as stage:
                for name, title, fig in pictures:
                    FigureCanvasAgg(fig)
                    fig.savefig(stage / f"{name}.png", format="png", dpi=150, metadata={"Software": None})
                    out.append((title, folder / f"{name}.png"))
    drawn = {p for _, p in out}
    for path in chart_files(folder):
        if path not in drawn:
            path.unlink()
    return out


def chart_files(folder: Path) -> list[Path]:
    """The pictures of ours (``每日GMV.png`` …) already in ``folder``: what a new report would replace."""
    return [p for name, _ in PICTURES if (p := folder / f"{name}.png").is_file()]

