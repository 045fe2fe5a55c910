"""The 甘特图 on 任务分工, written with xlsxwriter: header dates and phases (formulas with cached values), and
the conditional formats that draw the bars (layout and formulas in :mod:`xlpromo.model.gantt`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xlpromo.engine.cells import Frames
from xlpromo.model import gantt as layout
from xlpromo.model.a1 import MAX_ROW
from xlpromo.model.values import excel_serial

__all__ = ["COLOURS", "gantt_values", "header_values", "write"]

Fmt = Callable[..., Format]
#: The rules' formats by key: bars by state, the 统计日期 marker, phase bands.
COLOURS: dict[str, dict[str, Any]] = {
    "done": {"bg_color": "#A6A6A6"},
    "cancelled": {"bg_color": "#E7E6E6"},
    "overdue": {"bg_color": "#C00000"},
    "due_soon": {"bg_color": "#FFC000"},
    "open": {"bg_color": "#5B9BD5"},
    "today": {"left": 2, "left_color": "#C00000", "right": 2, "right_color": "#C00000"},
    "today_head": {"bg_color": "#C00000", "font_color": "#FFFFFF", "bold": True},
    "phase0": {"bg_color": "#EDEDED", "font_color": "#595959"},
    "phase1": {"bg_color": "#DDEBF7", "font_color": "#1F4E78"},
    "phase2": {"bg_color": "#F8CBAD", "font_color": "#833C0B"},
    "phase3": {"bg_color": "#E2EFDA", "font_color": "#375623"},
    "phase4": {"bg_color": "#FFF2CC", "font_color": "#7F6000"},
}
DAY_WIDTH = 2.6


def _date(v: Any) -> dt.date | None:
    if isinstance(v, (dt.date, pd.Timestamp)) and not pd.isna(v):
        return pd.Timestamp(v).date()
    return None


def header_values(frames: Frames) -> tuple[list[Any], list[str]]:
    """The cached header dates (Excel serials, blank after 返场结束) and phase characters, as the formulas give."""
    rec = frames["targets"].iloc[0] if len(frames["targets"]) else pd.Series(dtype=object)
    warm, burst, burst_end, ret = (_date(rec.get(k)) for k in ("warmup_start", "burst_start", "burst_end",
                                                                 "return_end"))
    dates: list[Any] = [""] * layout.DAYS
    phases = [""] * layout.DAYS
    if warm is None:
        return dates, phases
    prep, warm_p, burst_p, ret_p, review = layout.PHASES
    starts = [d for d in map(_date, frames["tasks"]["start"]) if d is not None] if "tasks" in frames else []
    day = warm - dt.timedelta(days=layout.PREP_DAYS)
    if starts:
        day = min(day, max(warm - dt.timedelta(days=layout.PREP_MAX), min(starts)))
    for k in range(layout.DAYS):
        dates[k] = excel_serial(day)
        # as the formula compares: a blank date is 0, before every day
        phases[k] = (prep if day < warm else warm_p if burst is not None and day < burst
                     else burst_p if burst_end is not None and day <= burst_end
                     else ret_p if ret is not None and day <= ret else review)
        if ret is None or day >= ret + dt.timedelta(days=layout.POST_DAYS):
            break
        day += dt.timedelta(days=1)
    return dates, phases


def gantt_values(frames: Frames) -> dict[tuple[int, int], Any]:
    """0-based (row, col) → cached value of every formula cell of the 甘特图 (title, phases, dates), which
    ``recalc`` patches into a file as the builder writes them."""
    c0 = layout.FIRST_COL
    dates, phases = header_values(frames)
    days = [d for d in dates if d != ""]
    out: dict[tuple[int, int], Any] = {
        (0, c0): f"{layout.TITLE}  {_text(days[0])} 至 {_text(max(days))}" if days else layout.TITLE}
    for k in range(layout.DAYS):
        out[(layout.PHASE_ROW, c0 + k)] = phases[k]
        out[(layout.DATE_ROW, c0 + k)] = dates[k]
    return out


def write(ws: Worksheet, wb: Workbook, fmt: Fmt, frames: Frames, header: dict[str, Any]) -> None:
    """Write the 甘特图 right of the Tasks table on 任务分工 (``ws``): title, phases, dates, the bars' formats."""
    c0, n = layout.FIRST_COL, layout.DAYS
    values = gantt_values(frames)
    ws.write_formula(0, c0, "=" + layout.title_formula(), fmt(bold=True, font_size=12, font_color="#1F4E78"),
                     values[(0, c0)])
    ws.write_string(0, c0 + layout.LEGEND_OFFSET, layout.LEGEND, fmt(font_color="#595959", italic=True))
    phase_fmt = fmt(align="center", font_size=8)
    date_fmt = fmt(**{**header, "num_format": "d", "font_size": 8, "text_wrap": False})
    for k in range(n):
        for r, text, f in ((layout.PHASE_ROW, layout.phase_formula(k), phase_fmt),
                           (layout.DATE_ROW, layout.date_formula(k), date_fmt)):
            ws.write_formula(r, c0 + k, "=" + text, f, values[(r, c0 + k)])
    ws.set_column(c0 - 1, c0 - 1, 2)
    ws.set_column(c0, c0 + n - 1, DAY_WIDTH)
    for rule in layout.rules():
        ws.conditional_format(rule.first_row, c0, rule.last_row, c0 + n - 1, {
            "type": "formula", "criteria": "=" + rule.formula, "format": wb.add_format(COLOURS[rule.key]),
            "stop_if_true": rule.stop})
    ws.freeze_panes(layout.DATE_ROW + 1, 2)  # 任务编号 and 任务名称 stay beside the bars
    # the task list prints one page wide as before (whole columns: only the rows in use); the chart is for the screen
    ws.print_area(0, 0, MAX_ROW - 1, c0 - 2)


def _text(serial: Any) -> str:
    return (dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))).isoformat()
