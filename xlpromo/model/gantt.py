"""The 甘特图 on 任务分工: where it sits, its header formulas and the conditional formats that draw its bars.

Right of the Tasks table, after one gap column: one column per day from 预热开始 − :data:`PREP_DAYS` (the
preparation weeks) to 返场结束, at most :data:`DAYS` columns. Row 3 (the table's header row) holds each day's
date, a formula off 活动目标, so the chart follows the campaign; row 2 the day's phase (筹/预/爆/返/复). The bars are
conditional formats only: a cell of a task's row is painted when its column's date lies between the row's 起始时间
and 截止时间 (the cells stay empty), coloured by 当前状态 and 统计日期. Each rule compares the cell's own row with
its own column's header (O(1) a cell), over the rows the table's other formats cover.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlpromo.model.a1 import cell_name, col_name
from xlpromo.model.board import PHASE_LABELS
from xlpromo.model.defaults import TASK_DONE_STATES
from xlpromo.model.formulas import render, render_a1, threshold_name
from xlpromo.model.master import ASOF_NAME, SCHEMA

__all__ = ["DATE_ROW", "DAYS", "FIRST_COL", "LEGEND", "LEGEND_OFFSET", "PHASES", "PHASE_ROW", "POST_DAYS",
           "PREP_DAYS", "PREP_MAX", "TITLE", "GanttRule", "date_formula", "last_row", "phase_formula", "rules",
           "title_formula"]

TASKS = SCHEMA.table("tasks")
PREP_DAYS = 28  # the preparation weeks drawn before 预热开始, at least
PREP_MAX = 56  # and at most: earlier when a task starts earlier, but not so early a typed 2023 hides the campaign
POST_DAYS = 7  # the 复盘 week drawn after 返场结束
DAYS = 100  # day columns at most: the preparation weeks, the campaign and the 复盘 week
FIRST_COL = TASKS.first_col + len(TASKS.columns) + 1  # one gap column right of the table (R)
DATE_ROW = TASKS.header_row  # the dates share the table's header row, so the frozen panes keep them in sight
PHASE_ROW = DATE_ROW - 1
TITLE = "甘特图"
LEGEND_OFFSET = 30  # the legend's column, counted from the first day: right of the title
LEGEND = ("条形为起始时间至截止时间：灰=已完成，浅灰=已取消，红=已逾期，黄=临期（阈值配置·临期提醒天数），蓝=其他；"
          "红色日期=统计日期")
PHASES = tuple(p[0] for p in PHASE_LABELS)  # 筹 预 爆 返 复: the phase row's one-character labels
DONE, CANCELLED = TASK_DONE_STATES


def _target(key: str) -> str:
    return render(f"INDEX({{targets.{key}}},1)", SCHEMA, TASKS)


def last_row() -> int:
    """0-based last row the bars cover: as far as the table's other conditional formats."""
    return TASKS.header_row + TASKS.capacity


def date_formula(k: int) -> str:
    """The header date of day column ``k`` (0 for the first): 预热开始 − PREP_DAYS, or the earliest 起始时间 when
    earlier (but not before 预热开始 − PREP_MAX; the one cell that reads the whole column, once), then one day a
    column while the day before is a date before 返场结束 + POST_DAYS; blank after it."""
    if k == 0:
        w, starts = _target("warmup_start"), render("{tasks.start}", SCHEMA, TASKS)
        early = f"IF(COUNT({starts})=0,{w},MAX({w}-{PREP_MAX},MIN({starts})))"
        return f'IF(ISNUMBER({w}),MIN({w}-{PREP_DAYS},{early}),"")'
    prev = cell_name(DATE_ROW, FIRST_COL + k - 1)
    return f'IF(ISNUMBER({prev}),IF({prev}<{_target("return_end")}+{POST_DAYS},{prev}+1,""),"")'


def phase_formula(k: int) -> str:
    """The phase character above day column ``k``, by 活动目标's dates (blank without a date)."""
    day = f"{col_name(FIRST_COL + k)}${DATE_ROW + 1}"
    prep, warm, burst, ret, review = PHASES
    return (f'IF(ISNUMBER({day}),IF({day}<{_target("warmup_start")},"{prep}",IF({day}<{_target("burst_start")},'
            f'"{warm}",IF({day}<={_target("burst_end")},"{burst}",IF({day}<={_target("return_end")},"{ret}",'
            f'"{review}")))),"")')


def title_formula() -> str:
    """The title cell above the chart: 甘特图 and its first and last day."""
    first, last = cell_name(DATE_ROW, FIRST_COL), cell_name(DATE_ROW, FIRST_COL + DAYS - 1)
    days = f"{first}:{last}"
    return f'"{TITLE}"&IF(ISNUMBER({first}),"  "&TEXT({first},"yyyy-mm-dd")&" 至 "&TEXT(MAX({days}),"yyyy-mm-dd"),"")'


@dataclass(frozen=True)
class GanttRule:
    """One conditional format of the chart: its 0-based range (rows, columns), A1 formula (no ``=``), and the
    key of its colour (``files.gantt`` maps keys to formats); ``stop``: later rules are not looked at."""

    key: str
    first_row: int
    last_row: int
    formula: str
    stop: bool = True


def rules() -> tuple[GanttRule, ...]:
    """The chart's conditional formats in priority order: bars by state, then the 统计日期 marker, then phases."""
    r1, r2 = DATE_ROW + 1, last_row()
    day = f"{col_name(FIRST_COL)}${DATE_ROW + 1}"

    def a1(template: str) -> str:
        return render_a1(template.replace("{DAY}", "{HEADER}"), TASKS, r1, FIRST_COL)

    bar = a1("AND(ISNUMBER({DAY}),ISNUMBER({start}),ISNUMBER({due}),{DAY}>={start},{DAY}<={due}")
    asof, soon = ASOF_NAME, threshold_name("due_soon_days")
    out = [
        GanttRule("done", r1, r2, bar + a1(f',{{status}}="{DONE}")')),
        GanttRule("cancelled", r1, r2, bar + a1(f',{{status}}="{CANCELLED}")')),
        GanttRule("overdue", r1, r2, bar + a1(f",{{due}}<{asof})")),
        GanttRule("due_soon", r1, r2, bar + a1(f",{{due}}-{asof}<={soon})")),
        GanttRule("open", r1, r2, bar + ")"),
        GanttRule("today", r1, r2, a1(f'AND({{DAY}}={asof},{{task_id}}&{{name}}<>"")'), stop=False),
        GanttRule("today_head", DATE_ROW, DATE_ROW, f"AND(ISNUMBER({day}),{day}={asof})"),
    ]
    phase = f"{col_name(FIRST_COL)}${PHASE_ROW + 1}"
    out += [GanttRule(f"phase{i}", PHASE_ROW, PHASE_ROW, f'{phase}="{p}"') for i, p in enumerate(PHASES)]
    return tuple(out)
