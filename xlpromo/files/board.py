"""The 看板 sheet written with xlsxwriter: its formulas with cached values, and three native charts.

Layout and formulas come from :mod:`xlpromo.model.board`, values from its twin :mod:`xlpromo.engine.board`
(:func:`board_values`, which ``recalc`` patches into a file the same way). The charts read the day block
and the tasks block, so Excel, WPS and LibreOffice redraw them when a number is typed on 每日监控.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xlpromo.engine.board import board_days, board_header, board_metrics, board_tasks
from xlpromo.engine.cells import Frames
from xlpromo.model import board as layout
from xlpromo.model.a1 import cell_name, col_name
from xlpromo.model.values import excel_serial

__all__ = ["GMV_BARS", "GMV_LINES", "GMV_TITLE", "METRIC_COLOURS", "STATE_COLOURS", "TASKS_TITLE", "TREND_LINES",
           "TREND_TITLE", "Blocks", "board_blocks", "board_values", "campaign_days", "chart_ref", "charts", "write"]

Fmt = Callable[..., Format]
STATE_COLOURS = {"待开始": "#BDD7EE", "进行中": "#2E75B6", "已完成": "#A6A6A6", "已延期": "#C00000",
                  "已取消": "#E7E6E6"}
METRIC_COLOURS = ("#1F4E78", "#ED7D31", "#7030A0", "#00B0F0")


def _cell(v: Any) -> Any:
    """A twin value as a cached cell value: dates as serials, finite numbers as floats, #N/A kept as the error."""
    if isinstance(v, (dt.date, pd.Timestamp)):
        return excel_serial(v)
    if isinstance(v, (bool, str)):
        return v
    v = float(v)
    return v if math.isfinite(v) else ""  # beyond the largest float: the formula's #NUM!, cached blank as elsewhere


def board_values(frames: Frames) -> dict[tuple[int, int], Any]:
    """0-based (row, col) → cached value of every formula cell of 看板, from the engine's computed frames."""
    days = board_days(frames)
    out: dict[tuple[int, int], Any] = {}
    for key, v in board_header(frames, days).items():
        out[layout.head_cell(key)] = _cell(v)
    for col in layout.DAY_COLUMNS:
        c = layout.day_col(col.key)
        values = days[col.key].tolist() if col.key in days.columns else [""] * len(days)
        for k, v in enumerate(values):
            out[(layout.day_row(k), c)] = _cell(v)
    for i, rec in board_metrics(frames, days).iterrows():
        for field, key in ((1, "date"), (2, "rate"), (3, "status")):
            out[layout.metric_cell(int(str(i)), field)] = _cell(rec[key])
    depts, states, counts = board_tasks(frames)
    for j in range(layout.TASK_COLS):
        out[layout.task_cell(-1, j)] = states[j] if j < len(states) else ""
    for i in range(layout.TASK_ROWS):
        out[layout.task_cell(i, -1)] = depts[i] if i < len(depts) else ""
        for j in range(layout.TASK_COLS):
            known = i < len(depts) and j < len(states)
            out[layout.task_cell(i, j)] = float(counts[i, j]) if known else ""
    return out


_REF = re.compile(r"(.*!)\$([A-Z]+)\$([0-9]+):\$([A-Z]+)\$([0-9]+)")
_DAY_LETTERS = frozenset(col_name(layout.day_col(c.key)) for c in layout.DAY_COLUMNS)


def campaign_days(values: dict[tuple[int, int], Any]) -> int:
    """How many rows of the day block hold a campaign day (the charts' length), from :func:`board_values`."""
    return sum(1 for k in range(layout.MAX_DAYS) if values[(layout.day_row(k), layout.DAY_COL)] != "")


def chart_ref(ref: str, days: int) -> str:
    """A chart series reference into the day block, cut to its first ``days`` rows (all of them when 0), so a
    chart shows the campaign's days, no empty slots; any other reference as it is."""
    m = _REF.fullmatch(ref)
    if m is None or m[2] != m[4] or m[2] not in _DAY_LETTERS or int(m[3]) != layout.DAY_ROW + 1:
        return ref
    return f"{m[1]}${m[2]}${m[3]}:${m[2]}${layout.day_row((days or layout.MAX_DAYS) - 1) + 1}"


def write(ws: Worksheet, wb: Workbook, fmt: Fmt, frames: Frames, header: dict[str, Any]) -> None:
    """Write the 看板 sheet on ``ws``: labels, every formula with its cached value, the charts."""
    values = board_values(frames)
    ws.write_string(0, 0, "活动看板", fmt(bold=True, font_size=14, font_color="#1F4E78"))
    ws.write_string(1, 0, "统计日期当天活动进展：全部为公式，随每日监控、任务分工和阈值配置自动更新（请勿填写）。",
                    fmt(font_color="#595959", italic=True))
    label, head = fmt(bold=True, bg_color="#DDEBF7", border=1), fmt(**header)
    for h in layout.HEADER:
        r, c = layout.head_cell(h.key)
        ws.write_string(r, 0, h.label, label)
    r0 = layout.METRIC_ROW
    for j, text in enumerate(("关键指标", "最新日期", "最新达成率", "状态")):
        ws.write_string(r0, j, text, head)
    for i, m in enumerate(layout.BOARD_METRICS):
        ws.write_string(layout.metric_cell(i, 0)[0], 0, m, label)
    for col in layout.DAY_COLUMNS:
        ws.write_string(layout.DAY_ROW - 1, layout.day_col(col.key), col.header, head)
        ws.set_column(layout.day_col(col.key), layout.day_col(col.key), 11, None,
                      {"hidden": True} if col.hidden else {})
    ws.write_string(layout.DAY_ROW - 1, layout.TASK_COL, "责任部门", head)
    cell_fmts: dict[str, Format] = {}
    for cell in layout.formula_cells():
        if cell.fmt not in cell_fmts:
            number = {"num_format": cell.fmt} if cell.fmt else {}
            cell_fmts[cell.fmt] = fmt(border=1, border_color="#BFBFBF", **number)
        ws.write_formula(cell.row, cell.col, "=" + cell.formula, cell_fmts[cell.fmt], values[(cell.row, cell.col)])
    first = cell_name(layout.DAY_ROW, layout.DAY_COL)
    ws.conditional_format(layout.DAY_ROW, layout.DAY_COL, layout.day_row(layout.MAX_DAYS - 1),
                          layout.day_col(layout.DAY_COLUMNS[-1].key),
                          {"type": "formula", "criteria": f"=ISNA({first})", "format": wb.add_format(
                              {"font_color": "#FFFFFF"})})  # a day a chart skips: no #N/A in sight
    for c, w in ((0, 18), (1, 16), (2, 12), (3, 8), (layout.TASK_COL, 10)):
        ws.set_column(c, c, w)
    for chart, row in zip(charts(wb, board_blocks(ws.get_name(), campaign_days(values) or layout.MAX_DAYS)),
                          (3, 25, 45), strict=True):
        ws.insert_chart(row, 4, chart)
    ws.print_area(0, 0, 69, 15)


@dataclass(frozen=True)
class Blocks:
    """Where the three charts read their data, so 看板 and the retrospective draw the same charts over their own
    cells: the day block (its headers one row above ``day_row``, a column per day key), ``days`` rows long, and the
    tasks block (the 当前状态 along ``task_row``, the 责任部门 down ``task_col``), ``depts`` × ``states``, on
    ``task_sheet`` (``sheet`` when blank)."""

    sheet: str
    day_row: int
    day_cols: Mapping[str, int]
    days: int
    task_row: int
    task_col: int
    depts: int
    states: int
    task_sheet: str = ""


#: The charts' titles, as 看板 and the reports show them.
GMV_TITLE = "每日GMV：实际 vs 目标（柱，万元）与累计（线，右轴）"
TREND_TITLE = "关键指标达成率趋势（虚线：达标线 / 严重预警线）"
TASKS_TITLE = "各责任部门任务状态（项）"
#: The day columns of each chart with their colours: GMV's columns and lines, the 达成率 trend (the metrics', then
#: the 达标线 and 严重预警线 dashed).
GMV_BARS = (("gmv_target", "#BDD7EE"), ("gmv_actual", "#1F4E78"))
GMV_LINES = (("cum_target", "#A6A6A6"), ("cum_actual", "#ED7D31"))
TREND_LINES = (*((layout.rate_key(i), c) for i, c in enumerate(METRIC_COLOURS)),
               ("pass_line", "#00B050"), ("warn_line", "#C00000"))
_DASHED = frozenset(("cum_target", "pass_line", "warn_line"))


def board_blocks(sheet: str, days: int) -> Blocks:
    """The blocks of the 看板 sheet: its day block over ``days`` campaign days, its whole tasks block."""
    r, c = layout.task_cell(-1, -1)
    return Blocks(sheet, layout.DAY_ROW, {col.key: layout.day_col(col.key) for col in layout.DAY_COLUMNS}, days,
                  r, c, layout.TASK_ROWS, layout.TASK_COLS)


def _range(b: Blocks, key: str) -> list[Any]:
    c = b.day_cols[key]
    return [b.sheet, b.day_row, c, b.day_row + b.days - 1, c]


def _series(b: Blocks, key: str, **props: Any) -> dict[str, Any]:
    return {"name": [b.sheet, b.day_row - 1, b.day_cols[key]], "categories": _range(b, "label"),
            "values": _range(b, key), **props}


def _line(key: str, colour: str, width: float | None = None) -> dict[str, Any]:
    line: dict[str, Any] = {"color": colour, **({"width": width} if width else {})}
    return line | ({"dash_type": "dash"} if key in _DASHED else {})


def charts(wb: Workbook, b: Blocks) -> list[Chart]:
    """The three charts over blocks ``b``: daily GMV with its cumulative lines, the 达成率 trend, tasks per 部门."""
    font = {"name": "微软雅黑", "size": 9}
    gmv = wb.add_chart({"type": "column"})
    assert gmv is not None
    for (key, colour), extra in zip(GMV_BARS, ({"gap": 60}, {}), strict=True):
        gmv.add_series(_series(b, key, fill={"color": colour}, **extra))
    cum = wb.add_chart({"type": "line"})
    assert cum is not None
    for (key, colour), width in zip(GMV_LINES, (None, 2.25), strict=True):
        cum.add_series(_series(b, key, y2_axis=True, line=_line(key, colour, width)))
    gmv.combine(cum)
    gmv.set_title({"name": GMV_TITLE, "name_font": {**font, "size": 11}})
    gmv.set_x_axis({"num_font": {**font, "rotation": -45}, "interval_unit": 1})
    gmv.set_y_axis({"name": "每日(万元)", "num_font": font, "major_gridlines": {"visible": True,
                                                                             "line": {"color": "#E7E6E6"}}})
    cum.set_y2_axis({"name": "累计(万元)", "num_font": font})
    gmv.set_legend({"position": "bottom", "font": font})
    gmv.set_size({"width": 760, "height": 420})

    trend = wb.add_chart({"type": "line"})
    assert trend is not None
    for key, colour in TREND_LINES:
        marker = {} if key in _DASHED else {"marker": {"type": "circle", "size": 3, "fill": {"color": colour},
                                                         "border": {"color": colour}}}
        trend.add_series(_series(b, key, line=_line(key, colour, None if key in _DASHED else 1.75), **marker))
    trend.set_title({"name": TREND_TITLE, "name_font": {**font, "size": 11}})
    trend.set_x_axis({"num_font": {**font, "rotation": -45}, "interval_unit": 1})
    trend.set_y_axis({"num_format": "0%", "num_font": font, "major_gridlines": {"visible": True,
                                                                             "line": {"color": "#E7E6E6"}}})
    trend.set_legend({"position": "bottom", "font": font})
    trend.show_na_as_empty_cell()
    trend.set_size({"width": 760, "height": 380})

    tasks = wb.add_chart({"type": "bar", "subtype": "stacked"})
    assert tasks is not None
    first, last, sheet = b.task_row + 1, b.task_row + b.depts, b.task_sheet or b.sheet
    for j, colour in enumerate(list(STATE_COLOURS.values())[:b.states]):
        c = b.task_col + 1 + j
        tasks.add_series({"name": [sheet, b.task_row, c], "values": [sheet, first, c, last, c],
                          "categories": [sheet, first, b.task_col, last, b.task_col], "fill": {"color": colour},
                          "gap": 50})
    tasks.set_title({"name": TASKS_TITLE, "name_font": {**font, "size": 11}})
    tasks.set_x_axis({"num_font": font, "major_gridlines": {"visible": True, "line": {"color": "#E7E6E6"}}})
    tasks.set_y_axis({"num_font": font, "reverse": True, "interval_unit": 1})
    tasks.set_legend({"position": "bottom", "font": font})
    tasks.set_size({"width": 760, "height": 470})
    return [gmv, trend, tasks]
