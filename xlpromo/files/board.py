"""The 看板 sheet written with xlsxwriter: its formulas with cached values, and three native charts.

Layout and formulas come from :mod:`xlpromo.model.board`, values from its twin :mod:`xlpromo.engine.board`
(:func:`board_values`, which ``recalc`` patches into a file the same way). The charts read the day block
and the tasks block, so Excel, WPS and LibreOffice redraw them when a number is typed on 每日监控.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xlpromo.engine.board import board_days, board_header, board_metrics, board_tasks
from xlpromo.engine.cells import Frames
from xlpromo.model import board as layout
from xlpromo.model.a1 import cell_name, col_name
from xlpromo.model.values import excel_serial

__all__ = ["board_values", "campaign_days", "chart_ref", "write"]

Fmt = Callable[..., Format]
_STATE_COLOURS = {"待开始": "#BDD7EE", "进行中": "#2E75B6", "已完成": "#A6A6A6", "已延期": "#C00000",
                  "已取消": "#E7E6E6"}
_METRIC_COLOURS = ("#1F4E78", "#ED7D31", "#7030A0", "#00B0F0")


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
    _charts(ws, wb, ws.get_name(), campaign_days(values) or layout.MAX_DAYS)
    ws.print_area(0, 0, 69, 15)


def _range(sheet: str, key: str, n: int) -> list[Any]:
    c = layout.day_col(key)
    return [sheet, layout.DAY_ROW, c, layout.day_row(n - 1), c]


def _series(sheet: str, key: str, n: int, **props: Any) -> dict[str, Any]:
    c = layout.day_col(key)
    return {"name": [sheet, layout.DAY_ROW - 1, c], "categories": _range(sheet, "label", n),
            "values": _range(sheet, key, n), **props}


def _charts(ws: Worksheet, wb: Workbook, sheet: str, n: int) -> None:
    """The three charts over the first ``n`` days of the day block (the campaign's days) and the tasks block."""
    font = {"name": "微软雅黑", "size": 9}
    gmv = wb.add_chart({"type": "column"})
    assert gmv is not None
    gmv.add_series(_series(sheet, "gmv_target", n, fill={"color": "#BDD7EE"}, gap=60))
    gmv.add_series(_series(sheet, "gmv_actual", n, fill={"color": "#1F4E78"}))
    cum = wb.add_chart({"type": "line"})
    assert cum is not None
    cum.add_series(_series(sheet, "cum_target", n, y2_axis=True, line={"color": "#A6A6A6", "dash_type": "dash"}))
    cum.add_series(_series(sheet, "cum_actual", n, y2_axis=True, line={"color": "#ED7D31", "width": 2.25}))
    gmv.combine(cum)
    gmv.set_title({"name": "每日GMV：实际 vs 目标（柱，万元）与累计（线，右轴）", "name_font": {**font, "size": 11}})
    gmv.set_x_axis({"num_font": {**font, "rotation": -45}, "interval_unit": 1})
    gmv.set_y_axis({"name": "每日(万元)", "num_font": font, "major_gridlines": {"visible": True,
                                                                             "line": {"color": "#E7E6E6"}}})
    cum.set_y2_axis({"name": "累计(万元)", "num_font": font})
    gmv.set_legend({"position": "bottom", "font": font})
    gmv.set_size({"width": 760, "height": 420})
    ws.insert_chart(3, 4, gmv)

    trend = wb.add_chart({"type": "line"})
    assert trend is not None
    for i, colour in enumerate(_METRIC_COLOURS):
        trend.add_series(_series(sheet, layout.rate_key(i), n, line={"color": colour, "width": 1.75},
                                 marker={"type": "circle", "size": 3, "fill": {"color": colour},
                                         "border": {"color": colour}}))
    trend.add_series(_series(sheet, "pass_line", n, line={"color": "#00B050", "dash_type": "dash"}))
    trend.add_series(_series(sheet, "warn_line", n, line={"color": "#C00000", "dash_type": "dash"}))
    trend.set_title({"name": "关键指标达成率趋势（虚线：达标线 / 严重预警线）", "name_font": {**font, "size": 11}})
    trend.set_x_axis({"num_font": {**font, "rotation": -45}, "interval_unit": 1})
    trend.set_y_axis({"num_format": "0%", "num_font": font, "major_gridlines": {"visible": True,
                                                                             "line": {"color": "#E7E6E6"}}})
    trend.set_legend({"position": "bottom", "font": font})
    trend.show_na_as_empty_cell()
    trend.set_size({"width": 760, "height": 380})
    ws.insert_chart(25, 4, trend)

    tasks = wb.add_chart({"type": "bar", "subtype": "stacked"})
    assert tasks is not None
    r_first, c_dept = layout.task_cell(0, -1)
    r_last = layout.task_cell(layout.TASK_ROWS - 1, -1)[0]
    for j, colour in enumerate(_STATE_COLOURS.values()):
        r_head, c = layout.task_cell(-1, j)
        tasks.add_series({"name": [sheet, r_head, c], "categories": [sheet, r_first, c_dept, r_last, c_dept],
                          "values": [sheet, r_first, c, r_last, c], "fill": {"color": colour}, "gap": 50})
    tasks.set_title({"name": "各责任部门任务状态（项）", "name_font": {**font, "size": 11}})
    tasks.set_x_axis({"num_font": font, "major_gridlines": {"visible": True, "line": {"color": "#E7E6E6"}}})
    tasks.set_y_axis({"num_font": font, "reverse": True, "interval_unit": 1})
    tasks.set_legend({"position": "bottom", "font": font})
    tasks.set_size({"width": 760, "height": 470})
    ws.insert_chart(45, 4, tasks)
