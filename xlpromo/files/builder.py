"""Build the master workbook from the schema with xlsxwriter.

Every data area is an Excel table with native formulas (cached values filled in by
:mod:`xlpromo.engine.metrics`, so readers that do not recalculate see them), dropdowns,
conditional formats bound to 阈值配置, number formats, print setup and protection.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from xlpromo._version import __version__
from xlpromo.engine.metrics import compute, head_values, review_header
from xlpromo.files import board, gantt, guide
from xlpromo.model.defaults import INLINE_LISTS, LISTS, METRICS, THRESHOLDS
from xlpromo.model.formats import DATE_FMT, TYPE_FMTS, row_format
from xlpromo.model.formulas import render, render_a1, threshold_name
from xlpromo.model.ids import assign_ids
from xlpromo.model.import_map import IMPORT_RULES, PLATFORMS
from xlpromo.model.master import ASOF_NAME, REVIEW_HEAD_CELLS, REVIEW_HEAD_FORMULAS, SCHEMA, list_name, review_rows
from xlpromo.model.schema import ColType, Column, Sheet, Style, Table, WorkbookSchema
from xlpromo.model.state import STATE_SHEET, State, initial_state, new_campaign_id
from xlpromo.model.values import excel_serial, is_blank
from xlpromo.ooxml import atomic_path

__all__ = ["STARTER_ROWS", "Campaign", "build_workbook", "default_frames"]

#: Empty rows a blank template offers per growable table.
STARTER_ROWS = {"breakdown": 4, "tasks": 10, "daily": 20, "stock": 10, "lessons": 4}

STYLES: dict[Style, dict[str, Any]] = {
    Style.RED: {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    Style.AMBER: {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    Style.GREEN: {"bg_color": "#C6EFCE", "font_color": "#006100"},
    Style.GREY: {"font_color": "#808080"},
    Style.RED_TEXT: {"font_color": "#C00000", "bold": True},
    Style.FLAG: {"bg_color": "#E4DFEC", "font_color": "#5B2C83", "bold": True, "border": 2,
                 "border_color": "#7030A0"},
}
INPUT_HEADER = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "border": 1,
                "text_wrap": True, "valign": "vcenter", "align": "center"}
COMPUTED_HEADER = {**INPUT_HEADER, "bg_color": "#595959"}
COMPUTED_FILL = "#EDEDED"
FONT = {"font_name": "微软雅黑", "font_size": 10}


@dataclass(frozen=True)
class Campaign:
    """What ``xlpromo new`` asks for: the campaign's name and its sale days."""

    name: str = ""
    start: dt.date | None = None  # 爆发开始
    end: dt.date | None = None  # 爆发结束
    warmup_days: int = 7
    return_days: int = 3


def default_frames(campaign: Campaign | None = None) -> dict[str, pd.DataFrame]:
    """Input frames of a blank template: lists, thresholds, catalogue, empty starter rows."""
    campaign = campaign or Campaign()
    frames: dict[str, pd.DataFrame] = {}
    for table in SCHEMA.tables:
        keys = [c.key for c in table.inputs]
        frames[table.key] = pd.DataFrame(
            [[None] * len(keys) for _ in range(STARTER_ROWS.get(table.key, 0))],
            columns=keys, dtype=object)
    for key, values in LISTS.items():
        frames[key] = pd.DataFrame({"value": list(values)}, dtype=object)
    frames["metrics"] = pd.DataFrame(
        [[m.name, m.unit, m.direction.value, m.dod_basis, m.aggregate, m.dept, m.meaning]
         for m in METRICS], columns=[c.key for c in SCHEMA.table("metrics").columns],
        dtype=object)
    frames["import_map"] = pd.DataFrame(
        [[PLATFORMS[r.platform].name, r.header, r.metric, r.factor, r.note] for r in IMPORT_RULES],
        columns=[c.key for c in SCHEMA.table("import_map").columns], dtype=object)
    frames["thresholds"] = pd.DataFrame(
        [[t.code, t.name, t.value, t.unit, t.meaning, t.source] for t in THRESHOLDS],
        columns=[c.key for c in SCHEMA.table("thresholds").columns], dtype=object)
    row: dict[str, Any] = dict.fromkeys(frames["targets"].columns)
    if campaign.name:
        row["name"] = campaign.name
    if campaign.start and campaign.end:
        row.update(warmup_start=campaign.start - dt.timedelta(days=campaign.warmup_days),
                   burst_start=campaign.start, burst_end=campaign.end,
                   return_end=campaign.end + dt.timedelta(days=campaign.return_days))
    frames["targets"] = pd.DataFrame([row], dtype=object)
    frames["review"] = pd.DataFrame([[m, None, None] for m, _ in review_rows()],
                                    columns=["metric", "confirmed", "note"], dtype=object)
    return frames


def _conform(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every table with all its input columns, in schema order; missing ones are blank."""
    out = dict(frames)
    for table in SCHEMA.tables:
        if table.key in out:
            keys = [c.key for c in table.inputs + table.system_columns]
            out[table.key] = out[table.key].reindex(columns=keys).astype(object).reset_index(drop=True)
    return out


class _Writer:
    """One build: formats, sheets, tables. Kept private; use :func:`build_workbook`."""

    def __init__(self, path: Path, schema: WorkbookSchema, frames: Mapping[str, pd.DataFrame]):
        self.schema = schema
        self.frames = frames
        self.wb = xlsxwriter.Workbook(str(path), {
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
            "default_date_format": DATE_FMT})
        self.wb.set_properties({"title": "促销活动主工作簿", "subject": "xlpromo",
                                "author": "xlpromo", "comments": f"xlpromo {__version__}"})
        self.wb.set_calc_mode("auto")
        self._formats: dict[tuple[Any, ...], Format] = {}
        self._rendered: dict[tuple[str, str], str] = {}
        self.review_rows = dict(review_rows())
        units = dict(zip(frames["metrics"]["name"], frames["metrics"]["unit"], strict=True))
        self.metric_units: dict[str, str] = {str(k): str(v) for k, v in units.items()}

    def formula(self, template: str, table: Table) -> str:
        """A rendered formula, once per template and table (not once per cell)."""
        key = (template, table.key)
        if key not in self._rendered:
            self._rendered[key] = "=" + render(template, self.schema, table)
        return self._rendered[key]

    # -------------------------------------------------------------- formats
    def fmt(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format({**FONT, **props})
        return self._formats[key]

    def cell_fmt(self, col: Column, num_format: str | None = None) -> Format:
        props: dict[str, Any] = {"border": 1, "border_color": "#BFBFBF", "valign": "top"}
        nf = num_format or col.num_format or TYPE_FMTS.get(col.type)
        if nf:
            props["num_format"] = nf
        if not col.editable:
            props["bg_color"] = COMPUTED_FILL
        else:
            props["locked"] = False
        if col.type == ColType.TEXT and col.width >= 20:
            props["text_wrap"] = True
        return self.fmt(**props)

    # -------------------------------------------------------------- names
    def define_names(self) -> None:
        th_sheet = self.schema.sheet("thresholds")
        th = self.schema.table("thresholds")
        vcol = xl_col_to_name(th.first_col + th.index("value"))
        for i, code in enumerate(self.frames["thresholds"]["code"]):
            self.wb.define_name(threshold_name(str(code)),
                                f"='{th_sheet.name}'!${vcol}${th.header_row + 2 + i}")
        self.wb.define_name(ASOF_NAME,
                            f'=IF({threshold_name("as_of")}="",TODAY(),{threshold_name("as_of")})')
        dic = self.schema.sheet("dictionary")
        for t in dic.tables:
            c = xl_col_to_name(t.first_col)
            first = t.header_row + 2
            ref = f"'{dic.name}'!${c}${first}"
            span = f"'{dic.name}'!${c}${first}:${c}${first + t.capacity}"
            self.wb.define_name(list_name(t.key), f"=OFFSET({ref},0,0,MAX(1,COUNTA({span})),1)")

    # -------------------------------------------------------------- sheets
    def build(self, state: State | None = None) -> None:
        self.define_names()
        for sheet in self.schema.sheets:
            ws = self.wb.add_worksheet(sheet.name)
            ws.hide_gridlines(2)
            if hasattr(ws, "_prepare_formula"):  # xlsxwriter re-parses each formula (~30 regexes): once per text
                ws._prepare_formula = functools.lru_cache(maxsize=1024)(ws._prepare_formula)
            if sheet.key == "guide":
                guide.write(ws, self.fmt, self.schema, STYLES)
            elif sheet.key == "board":
                board.write(ws, self.wb, self.fmt, self.frames, COMPUTED_HEADER)
            else:
                self.write_sheet(ws, sheet)
            if sheet.key == "tasks":
                gantt.write(ws, self.wb, self.fmt, self.frames, COMPUTED_HEADER)
            self.print_setup(ws, sheet)
            if sheet.protected:
                ws.protect("", {"autofilter": True, "sort": True, "format_columns": True,
                                "format_rows": True, "select_locked_cells": True,
                                "select_unlocked_cells": True})
        self.wb.get_worksheet_by_name(self.schema.sheet("daily").name).activate()
        if state is not None:
            self.write_state(state)

    def write_state(self, state: State) -> None:
        """The very hidden, protected ``_xlpromo`` sheet (see :mod:`xlpromo.roundtrip.state`)."""
        ws = self.wb.add_worksheet(STATE_SHEET)
        for r, row in enumerate(state.rows()):
            for c, v in enumerate(row):
                if isinstance(v, int):
                    ws.write_number(r, c, v)
                elif v != "":
                    ws.write_string(r, c, v)
        ws.very_hidden()
        ws.protect("")

    def write_sheet(self, ws: Worksheet, sheet: Sheet) -> None:
        ws.write_string(0, 0, sheet.name if len(sheet.tables) != 1 else sheet.tables[0].title,
                        self.fmt(bold=True, font_size=14, font_color="#1F4E78"))
        ws.set_row(0, 24)
        if sheet.key == "review":
            self.write_review_head(ws)
        else:
            ws.write_string(1, 0, f"{sheet.purpose}。填写：{sheet.filled_by}；阶段：{sheet.phase}。"
                            "蓝色表头为填写列，灰色表头为自动计算列（请勿覆盖）。",
                            self.fmt(font_color="#595959", italic=True))
        widths: dict[int, float] = {}
        for table in sheet.tables:
            self.write_table(ws, table, multi=len(sheet.tables) > 1 and sheet.key == "review")
            for j, col in enumerate(table.columns):
                c = table.first_col + j
                widths[c] = max(widths.get(c, 0), col.width)
        # a column is hidden only when no table on the sheet shows it: 成功因素与问题改进's hidden 行ID shares
        # column F with 目标回顾's 达成率, which must stay in sight
        shown = {t.first_col + j for t in sheet.tables for j, col in enumerate(t.columns) if not col.hidden}
        hidden = {t.first_col + j for t in sheet.tables for j, col in enumerate(t.columns) if col.hidden} - shown
        for c, w in widths.items():
            ws.set_column(c, c, w, None, {"hidden": True} if c in hidden else {})
        top = min(t.header_row for t in sheet.tables)
        if sheet.key != "review":
            ws.freeze_panes(top + 1, 0)

    def write_review_head(self, ws: Worksheet) -> None:
        t = self.schema.table("targets")
        label = self.fmt(bold=True)
        values = review_header(self.frames["targets"]) or ("", "")
        for r, (cell, text, value) in enumerate(zip(REVIEW_HEAD_CELLS, REVIEW_HEAD_FORMULAS, values, strict=True)):
            ws.write_string(1 + r, 0, t.col("name").header if r == 0 else "复盘周期", label)
            ws.write_formula(cell, "=" + render(text, self.schema, t), self.fmt(), value)

    def write_table(self, ws: Worksheet, table: Table, multi: bool) -> None:
        df = self.frames[table.key]
        r0, c0 = table.header_row, table.first_col
        n = max(len(df), 1)
        if multi:
            ws.write_string(r0 - 1, c0, table.title, self.fmt(bold=True, font_size=12,
                                                               font_color="#1F4E78"))
        columns = []
        for col in table.columns:
            spec: dict[str, Any] = {
                "header": col.header,
                "header_format": self.fmt(**(INPUT_HEADER if col.editable else COMPUTED_HEADER)),
                "format": self.cell_fmt(col)}
            if col.formula:
                spec["formula"] = self.formula(col.formula, table)
            columns.append(spec)
        ws.add_table(r0, c0, r0 + n, c0 + len(table.columns) - 1, {
            "name": table.name, "columns": columns, "style": "Table Style Light 1",
            "autofilter": table.growable})
        ws.set_row(r0, 30)
        self.write_head(ws, table)
        for i in range(len(df)):
            rec = df.iloc[i]
            for j, col in enumerate(table.columns):
                self.write_cell(ws, r0 + 1 + i, c0 + j, table, col, rec)
        self.validate(ws, table, n)
        self.highlight(ws, table, n)

    def write_head(self, ws: Worksheet, table: Table) -> None:
        """The table's head cells (first row, in hidden columns) with their labels, cached as the engine computes."""
        values = head_values(self.frames) if table.head else {}
        for h in table.head:
            r, c = table.head_cell(h.key)
            grey = self.fmt(font_color="#808080")
            ws.write_string(r, c - 1, h.label, grey)
            ws.write_formula(r, c, self.formula(h.formula, table), grey, _cached(values[(table.key, h.key)]))

    def write_cell(self, ws: Worksheet, r: int, c: int, table: Table, col: Column,
                   rec: pd.Series) -> None:
        v = rec.get(col.key)
        fmt = self.cell_fmt(col, row_format(col, rec, self.metric_units))
        if table.key == "review" and col.key == "target":
            template = self.review_rows.get(str(rec["metric"]))
            if template:
                ws.write_formula(r, c, self.formula(template, table), fmt,
                                 "" if is_blank(v, spaces=False) else v)
                return
        if col.formula:
            ws.write_formula(r, c, self.formula(col.formula, table), fmt,
                             "" if is_blank(v, spaces=False) else _cached(v))
        elif is_blank(v, spaces=False):
            ws.write_blank(r, c, None, fmt)
        elif isinstance(v, (dt.date, pd.Timestamp)):
            ws.write_datetime(r, c, pd.Timestamp(v).to_pydatetime(), fmt)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            ws.write_number(r, c, float(v), fmt)
        else:
            ws.write_string(r, c, str(v), fmt)

    # -------------------------------------------------------------- validation
    def validate(self, ws: Worksheet, table: Table, n: int) -> None:
        r1 = table.header_row + 1
        r2 = table.header_row + (table.capacity if table.growable else n)
        for col in (c for c in table.columns if c.editable):
            dv = _validation(col)
            if dv is not None:
                c = table.first_col + table.index(col.key)
                ws.data_validation(r1, c, r2, c, dv)

    # -------------------------------------------------------------- conditional formats
    def highlight(self, ws: Worksheet, table: Table, n: int) -> None:
        r1 = table.header_row + 1
        r2 = table.header_row + (table.capacity if table.growable else n)
        for h in table.highlights:
            cols = h.columns or tuple(c.key for c in table.columns)
            idx = sorted(table.first_col + table.index(k) for k in cols)
            crit = "=" + render_a1(h.when, table, r1, idx[0])
            fmt = self.wb.add_format(STYLES[h.style])
            ws.conditional_format(r1, idx[0], r2, idx[-1], {
                "type": "formula", "criteria": crit, "format": fmt, "stop_if_true": True,
                "multi_range": " ".join(f"{xl_rowcol_to_cell(r1, a)}:{xl_rowcol_to_cell(r2, b)}"
                                        for a, b in _runs(idx))})

    def print_setup(self, ws: Worksheet, sheet: Sheet) -> None:
        ws.set_paper(9)
        if sheet.landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 1 if sheet.one_page else 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        if sheet.tables and sheet.key != "review":
            ws.repeat_rows(0, sheet.tables[0].header_row)
        ws.set_header(f"&L&\"微软雅黑\"&9{sheet.name}&R&9xlpromo")
        ws.set_footer("&C&9第 &P 页，共 &N 页")


def _runs(idx: list[int]) -> list[tuple[int, int]]:
    """Sorted column indexes → contiguous (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for i in idx:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _cached(v: Any) -> Any:
    """A computed value as a formula's cached result: dates as serials, numbers as floats, else text."""
    if isinstance(v, dt.date):  # pandas Timestamps too
        return excel_serial(v)
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    return str(v)


def _validation(col: Column) -> dict[str, Any] | None:
    """Data validation of an input column, with a Chinese prompt and error message."""
    title = col.header[:32]
    msg = col.note + ("（必填）" if col.required else "")
    dv: dict[str, Any]
    if col.choices:
        if col.choices in INLINE_LISTS:
            dv = {"validate": "list", "source": list(INLINE_LISTS[col.choices])}
        else:
            dv = {"validate": "list", "source": "=" + list_name(col.choices)}
        if not col.strict_choices:
            dv["error_type"] = "information"
        dv["error_message"] = "请从下拉列表中选择；列表在“数据字典”工作表中维护。"
    elif col.type == ColType.DATE:
        dv = {"validate": "date", "criteria": "between", "minimum": dt.date(2000, 1, 1),
              "maximum": dt.date(2099, 12, 31),
              "error_message": "请输入日期，如 2024-06-01。"}
    elif col.type in (ColType.DECIMAL, ColType.WAN, ColType.PERCENT, ColType.INTEGER):
        kind = "integer" if col.type == ColType.INTEGER else "decimal"
        lo = col.min if col.min is not None else -1e15
        if col.max is not None:
            dv = {"validate": kind, "criteria": "between", "minimum": lo, "maximum": col.max}
        elif col.min is not None:
            dv = {"validate": kind, "criteria": ">=", "value": col.min}
        else:
            dv = {"validate": kind, "criteria": "between", "minimum": -1e15, "maximum": 1e15}
        hint = {ColType.PERCENT: "百分比，如 30%", ColType.WAN: "金额（万元），不小于 0",
                ColType.INTEGER: "整数"}.get(col.type, "数字")
        if col.min is not None and col.type != ColType.WAN:
            hint += f"，不小于 {col.min:g}"
        dv["error_message"] = f"请输入{hint}。"
    elif msg:
        dv = {"validate": "any"}
    else:
        return None
    dv["error_title"] = f"{title}：输入无效"[:32]
    if msg:
        dv["input_title"] = title
        dv["input_message"] = msg[:255]
    return dv


def build_workbook(path: str | os.PathLike[str],
                   data: Mapping[str, pd.DataFrame] | None = None,
                   *, campaign: Campaign | None = None, campaign_id: str | None = None) -> Path:
    """Write the master workbook to ``path`` atomically; ``data`` replaces default tables.

    ``campaign_id`` goes to the ``_xlpromo`` sheet (a fresh UUID when None)."""
    frames = default_frames(campaign)
    frames.update({k: v for k, v in (data or {}).items()})
    frames = _conform(frames)
    for table in SCHEMA.tables:
        if table.id_column and table.key in frames:
            frames[table.key] = assign_ids(frames[table.key], table)
    frames = compute(frames)
    target = Path(path)
    with atomic_path(target) as tmp:
        w = _Writer(tmp, SCHEMA, frames)
        w.build(initial_state(frames, campaign_id or new_campaign_id()))
        w.wb.close()
    return target
