"""The 看板 sheet's layout: where each block sits and the formula template of every cell.

Three blocks, all native formulas over the tables: the header (统计日期, phase, day N of M, GMV to
date against the target, yesterday and today, counts of off-target rows and overdue tasks), one row
per campaign day (预热开始 → 返场结束, up to :data:`MAX_DAYS`), and tasks per 责任部门 and 当前状态.
The pandas twin (:mod:`xlpromo.engine.board`) computes the same cells by the same keys.

Templates take, besides the tokens of :mod:`xlpromo.model.formulas`: ``{@key}`` a header value,
``{=key}`` this day's cell of a day column, ``{-key}`` the cell above it, ``{K}`` the day's index
(0 for 预热开始) and ``{M}`` the metric of a per-metric column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xlpromo.model.a1 import cell_name, col_name
from xlpromo.model.defaults import ALL_CHANNELS, NUMERIC_CRITERION, RATE_DIGITS, STATUS_LABELS
from xlpromo.model.formulas import render
from xlpromo.model.master import ASOF_NAME, SCHEMA

__all__ = ["BOARD_METRICS", "DAY_COLUMNS", "HEADER", "MAX_DAYS", "PHASE_LABELS", "TASK_COLS", "TASK_ROWS",
           "BoardCell", "DayColumn", "HeadItem", "day_col", "day_row", "formula_cells", "head_cell",
           "metric_cell", "rate_key", "task_cell"]

MAX_DAYS = 180  # campaign days the day block holds (the template's 180-day window)
BOARD_METRICS = ("GMV", "转化率", "客单价", "客服响应时长")  # the 达成率 trend's metrics, and the latest block's
TASK_ROWS, TASK_COLS = 15, 5  # departments and task states the tasks block counts (数据字典's default lists)
PHASE_LABELS = ("筹备期", "预热期", "爆发期", "返场期", "复盘")  # as engine.metrics.campaign_phase names them
_PASS, _WARN, _FAIL = STATUS_LABELS

HEAD_ROW, DAY_ROW, DAY_COL, METRIC_ROW = 3, 3, 17, 27  # 0-based: first header item, first day, R, latest block


@dataclass(frozen=True)
class HeadItem:
    """One line of the header block: label in A, formula in B."""

    key: str
    label: str
    template: str
    fmt: str = ""


@dataclass(frozen=True)
class DayColumn:
    """One column of the day block; ``metric`` set for a column repeated per key metric."""

    key: str
    header: str
    template: str
    fmt: str = ""
    hidden: bool = False
    metric: str = ""


@dataclass(frozen=True)
class BoardCell:
    """A formula cell of 看板: 0-based (row, col), the formula (no ``=``) and its number format."""

    row: int
    col: int
    formula: str
    fmt: str = ""


DATE, PCT, WAN, INT = "yyyy-mm-dd", "0.0%", "#,##0.00", "0"
_NUM = f'"{NUMERIC_CRITERION}"'


def _targets(key: str) -> str:
    return f'IF(ISNUMBER(INDEX({{targets.{key}}},1)),INDEX({{targets.{key}}},1),"")'


def _phase_of(day: str, *, before: bool) -> str:
    """The phase of ``day`` by the header's dates; ``before``: 筹备期 and 复盘 too (the header's 当前阶段)."""
    body = (f'IF({day}<{{@burst_start}},"{PHASE_LABELS[1]}",IF({day}<={{@burst_end}},"{PHASE_LABELS[2]}",'
            + (f'IF({day}<={{@return_end}},"{PHASE_LABELS[3]}","{PHASE_LABELS[4]}")))' if before
               else f'"{PHASE_LABELS[3]}"))'))
    return f'IF({day}<{{@warmup_start}},"{PHASE_LABELS[0]}",{body})' if before else body


def _gmv_to_date() -> str:
    """GMV to 统计日期 as engine.summary.pacing counts it: the day block's 累计实际 on 统计日期 (each day its total
    rows, else its channels), 0 before 预热开始, the last day's after 返场结束 — one lookup, no scan of 每日监控."""
    return ('IF(OR({@days}="",NOT(ISNUMBER({@gmv_target}))),"",IF({@gmv_target}<=0,"",'
            'IF({@day_n}<1,0,N(INDEX({*cum_actual},{@day_n})))))')


def _on_day(offset: str, key: str) -> str:
    return f'IFERROR(INDEX({{*{key}}},MATCH({{@as_of}}{offset},{{*date}},0))+0,"")'


HEADER = (
    HeadItem("as_of", "统计日期", f"IFERROR({ASOF_NAME}+0,TODAY())", DATE),
    HeadItem("name", "活动名称", 'IF(INDEX({targets.name},1)="","",INDEX({targets.name},1))'),
    HeadItem("warmup_start", "预热开始", _targets("warmup_start"), DATE),
    HeadItem("burst_start", "爆发开始", _targets("burst_start"), DATE),
    HeadItem("burst_end", "爆发结束", _targets("burst_end"), DATE),
    HeadItem("return_end", "返场结束", _targets("return_end"), DATE),
    HeadItem("phase", "当前阶段", 'IF(COUNT({@warmup_start},{@burst_start},{@burst_end},{@return_end})<4,"",'
             + _phase_of("{@as_of}", before=True) + ")"),
    HeadItem("days", "活动总天数", 'IF(COUNT({@warmup_start},{@return_end})<2,"",'
             'IF({@return_end}<{@warmup_start},"",{@return_end}-{@warmup_start}+1))', INT),
    HeadItem("day_n", "今天是第几天", 'IF({@days}="","",MIN(MAX({@as_of}-{@warmup_start}+1,0),{@days}))', INT),
    HeadItem("elapsed", "时间进度", 'IF({@days}="","",{@day_n}/{@days})', PCT),
    HeadItem("gmv_target", "GMV目标(万元)", _targets("gmv_target"), WAN),
    HeadItem("gmv_to_date", "GMV累计(万元)", _gmv_to_date(), WAN),
    HeadItem("progress", "GMV完成率", 'IF({@gmv_to_date}="","",{@gmv_to_date}/{@gmv_target})', PCT),
    HeadItem("pace", "进度比(≥1为正常)", 'IF({@progress}="","",IF({@elapsed}=0,"",{@progress}/{@elapsed}))', "0.00"),
    HeadItem("yday_actual", "昨日GMV(万元)", _on_day("-1", "gmv_actual"), WAN),
    HeadItem("yday_target", "昨日GMV目标", _on_day("-1", "gmv_target"), WAN),
    HeadItem("today_actual", "今日GMV(万元)", _on_day("", "gmv_actual"), WAN),
    HeadItem("today_target", "今日GMV目标", _on_day("", "gmv_target"), WAN),
    HeadItem("warn_rows", f"{_WARN}行数", f'COUNTIFS({{daily.status}},"{_WARN}")', INT),
    HeadItem("fail_rows", f"{_FAIL}行数", f'COUNTIFS({{daily.status}},"{_FAIL}")', INT),
    HeadItem("unexplained", "其中未填异常说明",
             f'COUNTIFS({{daily.status}},"{_WARN}",{{daily.issue}},"")'
             f'+COUNTIFS({{daily.status}},"{_FAIL}",{{daily.issue}},"")', INT),
    HeadItem("overdue", "逾期任务", 'COUNTIFS({tasks.overdue},"是")', INT),
    HeadItem("due_soon", "临期任务", 'COUNTIFS({tasks.days_left},">=0",{tasks.days_left},"<="&{TH:due_soon_days})',
             INT),
)

_DAY = '{daily.date},">="&{=date},{daily.date},"<"&({=date}+1)'
_TOT = (f'{{daily.channel}},"{ALL_CHANNELS}"', '{daily.channel},""')


def _count_total(metric: str, value: str) -> str:
    """Rows of the day and metric whose 渠道 is 全渠道 or blank and whose ``value`` column holds a number."""
    return "+".join(f'COUNTIFS({{daily.metric}},"{metric}",{_DAY},{c},{{daily.{value}}},{_NUM})' for c in _TOT)


def _sum(value: str, metric: str, total: bool) -> str:
    if not total:
        return f'SUMIFS({{daily.{value}}},{{daily.metric}},"{metric}",{_DAY})'
    return "+".join(f'SUMIFS({{daily.{value}}},{{daily.metric}},"{metric}",{_DAY},{c})' for c in _TOT)


def _guard(body: str) -> str:
    return f'IF({{=date}}="","",{body})'


def _pick(value: str, metric: str, otherwise: str) -> str:
    """The day's total rows' sum of ``value`` when it has any with a number there, else ``otherwise``."""
    return f'IF({_count_total(metric, value)}>0,{_sum(value, metric, True)},{otherwise})'


def rate_key(i: int) -> str:
    """The day column charting BOARD_METRICS[i]'s 达成率: GMV's own (actual ÷ target), else the metric's."""
    return "gmv_rate" if BOARD_METRICS[i] == "GMV" else f"rate_{i}"


_DAY_COLUMNS = [
    DayColumn("date", "日期", 'IF(COUNT({@warmup_start},{@burst_start},{@burst_end},{@return_end})<4,"",'
              'IF({@warmup_start}+{K}>{@return_end},"",{@warmup_start}+{K}))', DATE),
    DayColumn("phase", "阶段", _guard(_phase_of("{=date}", before=False))),
    DayColumn("label", "图表标签", _guard('TEXT({=date},"m-d")&" "&LEFT({=phase},2)')),
    DayColumn("gmv_target", "GMV目标", _guard(_pick("target", "GMV", _sum("target", "GMV", False))), WAN),
    DayColumn("gmv_actual", "GMV实际", _guard(_pick("actual", "GMV", f'IF(COUNTIFS({{daily.metric}},"GMV",{_DAY},'
                                                                 f'{{daily.actual}},{_NUM})>0,'
                                                                 f'{_sum("actual", "GMV", False)},NA())')), WAN),
    DayColumn("cum_target", "累计目标", _guard("N({-cum_target})+{=gmv_target}"), WAN),
    DayColumn("cum_actual", "累计实际", _guard("IF({=date}>={@as_of}+1,NA(),N({-cum_actual})"
                                           "+IF(ISNUMBER({=gmv_actual}),{=gmv_actual},0))"), WAN),
    DayColumn("gmv_rate", "GMV达成率", _guard('IF(AND(ISNUMBER({=gmv_actual}),{=gmv_target}>0),'
                                             '{=gmv_actual}/{=gmv_target},NA())'), PCT),
    *[DayColumn(f"rate_{i}", f"{m}达成率", _guard(
        f'IFERROR(({_sum("rate", m, True)})/({_count_total(m, "rate")}),'
        f'IFERROR(AVERAGEIFS({{daily.rate}},{{daily.metric}},"{m}",{_DAY}),NA()))'), PCT, metric=m)
      for i, m in enumerate(BOARD_METRICS) if m != "GMV"],
    DayColumn("pass_line", "达标线", _guard("{TH:pass_line}"), PCT),
    DayColumn("warn_line", "严重预警线", _guard("{TH:warn_line}"), PCT),
]
DAY_COLUMNS = tuple(_DAY_COLUMNS)
_DAY_INDEX = {c.key: i for i, c in enumerate(DAY_COLUMNS)}
TASK_COL = DAY_COL + len(DAY_COLUMNS) + 1  # the tasks block, right of the day block


def head_cell(key: str) -> tuple[int, int]:
    """0-based (row, col) of a header item's value."""
    return HEAD_ROW + next(i for i, h in enumerate(HEADER) if h.key == key), 1


def day_col(key: str) -> int:
    """0-based column of a day column."""
    return DAY_COL + _DAY_INDEX[key]


def day_row(k: int) -> int:
    """0-based row of campaign day ``k`` (0: 预热开始)."""
    return DAY_ROW + k


def metric_cell(i: int, field: int) -> tuple[int, int]:
    """0-based (row, col) of the latest block: metric ``i``, field 0 指标, 1 最新日期, 2 最新达成率, 3 状态."""
    return METRIC_ROW + 1 + i, field


def task_cell(i: int, j: int) -> tuple[int, int]:
    """0-based (row, col) of the tasks block: ``i`` −1 is its header row, ``j`` −1 its 责任部门 column."""
    return DAY_ROW + i, TASK_COL + 1 + j


_OWN = re.compile(r"\{([@=\-*])([a-z_0-9]+)\}")


def _own(template: str, row: int, k: int = 0, metric: str = "") -> str:
    """The board's own tokens → A1 addresses (header values absolute, day cells of ``row``)."""
    last = day_row(MAX_DAYS - 1)

    def sub(m: re.Match[str]) -> str:
        kind, key = m.groups()
        if kind == "@":
            r, c = head_cell(key)
            return f"${col_name(c)}${r + 1}"
        c = day_col(key)
        if kind == "*":
            return f"${col_name(c)}${DAY_ROW + 1}:${col_name(c)}${last + 1}"
        return f"{col_name(c)}{row + (1 if kind == '=' else 0)}"

    return _OWN.sub(sub, template.replace("{K}", str(k)).replace("{M}", metric))


def _whole(key: str) -> str:
    """A day column over every row of the block, absolute."""
    c = day_col(key)
    return f"{cell_name(DAY_ROW, c, absolute=True)}:{cell_name(day_row(MAX_DAYS - 1), c, absolute=True)}"


def _render(template: str) -> str:
    return render(template, SCHEMA, SCHEMA.table("targets"))


def _status(rate: str) -> str:
    r = f"ROUND({rate},{RATE_DIGITS})"
    return (f'IF({rate}="","",IF({r}>={{TH:pass_line}},"{_PASS}",IF({r}>={{TH:warn_line}},"{_WARN}","{_FAIL}")))')


def formula_cells() -> list[BoardCell]:
    """Every formula cell of 看板, rendered (one rendering per template, not per day)."""
    out = [BoardCell(*head_cell(h.key), _render(_own(h.template, 0)), h.fmt) for h in HEADER]
    for col in DAY_COLUMNS:
        c = day_col(col.key)
        for k in range(MAX_DAYS):
            r = day_row(k)
            out.append(BoardCell(r, c, _render(_own(col.template, r, k, col.metric)), col.fmt))
    dates = _whole("date")
    for i in range(len(BOARD_METRICS)):
        r = metric_cell(i, 0)[0]
        rates = _whole(rate_key(i))
        first = cell_name(DAY_ROW, day_col("date"), absolute=True)
        at = (f"SUMPRODUCT(MAX(ISNUMBER({rates})*({dates}<{cell_name(*head_cell('as_of'), absolute=True)}+1)"
              f"*(ROW({dates})-ROW({first})+1)))")
        out += [BoardCell(r, 1, f'IF({at}=0,"",INDEX({dates},{at}))', DATE),
                BoardCell(r, 2, f'IF(B{r + 1}="","",INDEX({rates},MATCH(B{r + 1},{dates},0)))', PCT),
                BoardCell(r, 3, _render(_status(f"C{r + 1}")))]
    depts, states = _render("{departments.value}"), _render("{statuses.value}")
    for j in range(TASK_COLS):
        r, c = task_cell(-1, j)
        out.append(BoardCell(r, c, f'IFERROR(INDEX({states},{j + 1})&"","")'))
    for i in range(TASK_ROWS):
        r, c = task_cell(i, -1)
        out.append(BoardCell(r, c, f'IFERROR(INDEX({depts},{i + 1})&"","")'))
        dept = cell_name(r, c, absolute=True)
        for j in range(TASK_COLS):
            state = cell_name(*task_cell(-1, j), absolute=True)
            out.append(BoardCell(r, c + 1 + j, _render(
                f'IF(OR({dept}="",{state}=""),"",COUNTIFS({{tasks.dept}},{dept},{{tasks.status}},{state}))'), INT))
    return out
