"""The campaign master workbook: every sheet, table and column, in order.

This module is the only place where a sheet name or a header string is written.
Formulas are templates (see :class:`xlpromo.model.schema.Column`) rendered by
:mod:`xlpromo.model.formulas`, so they never spell a header either.
"""

from __future__ import annotations

from dataclasses import replace

from xlpromo.model.aggregate import REVIEW_AUTO, WEIGHT, WEIGHTED, catalogue_field, series_key
from xlpromo.model.columns import (
    DATE,
    DEC,
    ENUM,
    FLAGS,
    HIGHER,
    INT,
    LOWER,
    PCT,
    WAN,
    list_name,
    rate_highlights,
    system_columns,
)
from xlpromo.model.defaults import (
    DOD_POINTS,
    RATE_DIGITS,
    STATUS_LABELS,
    TASK_DONE_STATES,
)
from xlpromo.model.formats import SIGNED_PCT_FMT
from xlpromo.model.schema import (
    Column,
    HeadCell,
    Highlight,
    Sheet,
    Style,
    Table,
    WorkbookSchema,
)
from xlpromo.model.stock import STOCK

__all__ = ["ASOF_NAME", "REVIEW_HEAD_CELLS", "SCHEMA", "list_name", "review_rows"]

ASOF_NAME = "XP_ASOF"  # defined name: 统计日期, or today when left blank
#: 复盘报告's formula cells above its tables: 活动名称 and 复盘周期 (from 活动目标).
REVIEW_HEAD_CELLS = ("B2", "B3")
#: Their formulas, rendered against 活动目标 (``targets``); recalc refills them, so a book made before gets the
#: period as every date reads (``2024-05-25 至 2024-06-21``, once ``2024.05.25-2024.06.21``).
REVIEW_HEAD_FORMULAS = (
    'IF(INDEX({targets.name},1)="","",INDEX({targets.name},1))',
    'IF(OR(INDEX({targets.warmup_start},1)="",INDEX({targets.return_end},1)=""),"",'
    'TEXT(INDEX({targets.warmup_start},1),"yyyy-mm-dd")&" 至 "&TEXT(INDEX({targets.return_end},1),"yyyy-mm-dd"))',
)

PASS, WARN, FAIL = STATUS_LABELS
DONE, CANCELLED = TASK_DONE_STATES


def _achievement(target: str, actual: str) -> str:
    """Direction-aware 达成率: actual/target, or target/actual for lower-is-better."""
    return (
        f'IF(OR(NOT(ISNUMBER({{{target}}})),NOT(ISNUMBER({{{actual}}}))),"",'
        f'IF({{direction}}="{LOWER}",IF({{{actual}}}=0,"",{{{target}}}/{{{actual}}}),'
        f'IF({{{target}}}=0,"",{{{actual}}}/{{{target}}})))'
    )


def _status(rate: str, target: str, actual: str) -> str:
    """达标/预警/未达标 from the thresholds; zero of a lower-is-better metric passes."""
    return (
        f'IF({{{rate}}}="",IF(AND({{direction}}="{LOWER}",ISNUMBER({{{target}}}),'
        f'ISNUMBER({{{actual}}}),{{{actual}}}=0),"{PASS}",""),'
        f'IF(ROUND({{{rate}}},{RATE_DIGITS})>={{TH:pass_line}},"{PASS}",'
        f'IF(ROUND({{{rate}}},{RATE_DIGITS})>={{TH:warn_line}},"{WARN}","{FAIL}")))'
    )


#: 环比键 (hidden): the row's key, blank unless 日期 and 实际值 are numbers and 核心指标 is filled, so a row
#: without a usable value is never anyone's previous day.
_DOD_KEY = f'IF(AND(ISNUMBER({{actual}}),ISNUMBER({{date}}),{{metric}}&""<>""),{series_key("{date}")},"")'

#: 有序行数 (a head cell): how many rows 每日监控 holds while its 日期 are numbers in ascending order from the
#: first row (blanks, if any, only below them) — 0 otherwise. Computed once for the table, not once per row.
_SORTED = ("IFERROR(IF(COUNT({daily.date})<2,0,IF(AND("
           "COUNT(INDEX({daily.date},1):INDEX({daily.date},COUNT({daily.date})))=COUNT({daily.date}),"
           "SUMPRODUCT(--(INDEX({daily.date},2):INDEX({daily.date},COUNT({daily.date}))"
           "<INDEX({daily.date},1):INDEX({daily.date},COUNT({daily.date})-1)))=0),COUNT({daily.date}),0)),0)")


def _dod_prev() -> str:
    """前一日实际值 (hidden): the 实际值 of the first row (in table order) whose 环比键 is this row's previous day.

    In a table kept in date order (有序行数 > 0) a binary search on 日期 (MATCH …,1) finds the last row dated the
    day before yesterday, and one exact MATCH runs from the row after it down to this row: the rows of a day or two,
    so the table costs linear time. Otherwise the exact MATCH runs over the whole column (LibreOffice 7.4 and Excel
    2016 scan it: the square of the rows, but the same answer). Both find the same row, since in date order every
    row of the previous day lies between those bounds. Kept short: LibreOffice spends more loading and saving a
    formula than calculating it."""
    low = "IFERROR(MATCH({date}-2,{daily.date},1),0)*({^sorted}>0)"
    end = "IF({^sorted}>0,{#index},ROWS({daily.dod_key}))"
    window = f"INDEX({{daily.dod_key}},{low}+1):INDEX({{daily.dod_key}},{end})"
    return (f'IF({{dod_key}}="","",IFERROR(INDEX({{daily.actual}},'
            f'{low}+MATCH({series_key("({date}-1)")},{window},0)),""))')


#: 环比变化: points for a rate metric, relative change otherwise; blank without a previous day (前一日实际值 not a
#: number) and when that day's value is 0 (the #DIV/0! that IFERROR turns blank).
_DOD = (f'IF(ISNUMBER({{dod_prev}}),IFERROR(IF({{dod_basis}}="{DOD_POINTS}",{{actual}}-{{dod_prev}},'
        f'{{actual}}/{{dod_prev}}-1),""),"")')


# --------------------------------------------------------------------------- 活动目标
TARGETS = Table(
    key="targets", name="Targets", title="活动目标确认表", growable=False, capacity=1,
    columns=(
        Column(key="name", header="活动名称", required=True, width=22, filled_by="市场部",
               note="如：2024年618年中大促"),
        Column(key="owner", header="负责人", required=True, width=10, filled_by="市场部"),
        Column(key="warmup_start", header="预热开始", type=DATE, required=True, width=12,
               filled_by="市场部", note="预热期一般在活动前3-7天开始"),
        Column(key="burst_start", header="爆发开始", type=DATE, required=True, width=12,
               filled_by="市场部", note="正式活动（爆发期）第一天"),
        Column(key="burst_end", header="爆发结束", type=DATE, required=True, width=12,
               filled_by="市场部", note="正式活动（爆发期）最后一天"),
        Column(key="return_end", header="返场结束", type=DATE, required=True, width=12,
               filled_by="市场部", note="返场期一般在活动后1-3天"),
        Column(key="gmv_target", header="核心目标(GMV/万元)", type=WAN, required=True, min=0,
               width=14, filled_by="市场部", metric="GMV", note="单位：万元，如 500"),
        Column(key="new_share_target", header="新客占比目标", type=PCT, min=0, max=1, width=12,
               filled_by="市场部", metric="新客占比", note="百分比，如 30%"),
        Column(key="repurchase_target", header="老客复购率目标", type=PCT, min=0, max=1,
               width=14, filled_by="市场部", metric="复购率", note="百分比，如 25%"),
        Column(key="new_customers_target", header="新客数目标(人)", type=INT, min=0, width=14,
               filled_by="市场部", metric="新客数", note="人数，如 100000"),
        Column(key="roi_target", header="ROI目标", type=DEC, min=0, width=10, filled_by="市场部",
               metric="ROI", note="1:3 填 3"),
        Column(key="depts", header="责任部门", width=16, filled_by="市场部",
               note="可填多个，如：运营部、销售部"),
        Column(key="criterion", header="考核标准", width=22,
               formula='"目标完成率≥"&ROUND({TH:pass_line}*100,2)&"%为达标"',
               note="由阈值配置的达标线生成"),
    ),
)

# --------------------------------------------------------------------------- 目标拆解
BREAKDOWN = Table(
    key="breakdown", name="Breakdown", title="目标拆解表",
    id_prefix="B", id_column="row_id", mark_column="mark",
    columns=(
        Column(key="dimension", header="目标维度", type=ENUM, choices="dimensions", required=True,
               width=10),
        Column(key="metric", header="核心指标", required=True, width=22, choices="metrics",
               strict_choices=False, note="可从下拉选择，也可填写自定义指标"),
        Column(key="target", header="目标值", type=DEC, required=True, min=0, width=12,
               note="按指标单位填写：GMV填万元，比率填百分比"),
        Column(key="unit", header="单位", width=8, formula=catalogue_field("unit")),
        Column(key="logic", header="计算逻辑", width=26),
        Column(key="dept", header="责任部门", type=ENUM, choices="departments", required=True,
               width=12),
        Column(key="owner", header="责任人", required=True, width=10),
        *system_columns(),
    ),
    highlights=FLAGS,
)

# --------------------------------------------------------------------------- 任务分工
TASKS = Table(
    key="tasks", name="Tasks", title="任务分配与进度跟踪表",
    id_prefix="T", id_column="row_id", mark_column="mark",
    owner_column="dept",
    columns=(
        Column(key="task_id", header="任务编号", required=True, unique=True, width=10,
               filled_by="运营部", note="唯一编号，如 T001；请勿重复或改动"),
        Column(key="name", header="任务名称", required=True, width=20, filled_by="运营部"),
        Column(key="description", header="任务描述", width=28, filled_by="运营部"),
        Column(key="phase", header="所属阶段", type=ENUM, choices="phases", width=10,
               filled_by="运营部"),
        Column(key="start", header="起始时间", type=DATE, required=True, width=12,
               filled_by="运营部"),
        Column(key="due", header="截止时间", type=DATE, required=True, width=12,
               filled_by="运营部", note="不得早于起始时间"),
        Column(key="owner", header="负责人", required=True, width=10, filled_by="运营部",
               note="每项任务只填一位负责人"),
        Column(key="dept", header="责任部门", type=ENUM, choices="departments", required=True,
               width=10, filled_by="运营部"),
        Column(key="collab", header="协作部门", choices="departments", strict_choices=False,
               width=12, filled_by="运营部", note="可填多个，用顿号分隔"),
        Column(key="deliverable", header="交付物", width=16, filled_by="运营部"),
        Column(key="status", header="当前状态", type=ENUM, choices="statuses", required=True,
               width=10),
        Column(key="note", header="备注", width=22),
        Column(key="days_left", header="剩余天数", type=INT, width=9,
               formula=f'IF(OR(NOT(ISNUMBER({{due}})),{{status}}="{DONE}",{{status}}="{CANCELLED}"),'
                       f'"",{{due}}-{ASOF_NAME})'),
        Column(key="overdue", header="是否逾期", width=9,
               formula='IF({days_left}="","",IF({days_left}<0,"是","否"))'),
        *system_columns(),
    ),
    highlights=(
        *FLAGS,
        Highlight(when='{overdue}="是"', style=Style.RED, meaning="任务已逾期"),
        Highlight(when="AND(ISNUMBER({days_left}),{days_left}<={TH:due_soon_days})",
                  style=Style.AMBER, meaning="临近截止（阈值配置·临期提醒天数）"),
        Highlight(when=f'{{status}}="{DONE}"', style=Style.GREY, meaning="任务已完成"),
    ),
)

# --------------------------------------------------------------------------- 每日监控
DAILY = Table(
    key="daily", name="Daily", title="核心数据监控日报表", owner_column="dept",
    id_prefix="D", id_column="row_id", mark_column="mark",
    columns=(
        Column(key="date", header="日期", type=DATE, required=True, width=12, planned=True),
        Column(key="metric", header="核心指标", type=ENUM, choices="metrics", required=True,
               width=12, planned=True),
        Column(key="channel", header="渠道", type=ENUM, choices="channels", width=10,
               planned=True, note="留空表示全渠道"),
        Column(key="unit", header="单位", width=7, formula=catalogue_field("unit")),
        Column(key="direction", header="方向", width=9, formula=catalogue_field("direction")),
        Column(key="target", header="目标值", type=DEC, unit_of="metric", required=True, min=0, width=10, planned=True,
               note="按指标单位填写：GMV填万元，比率填百分比（如 4.5%）"),
        Column(key="actual", header="实际值", type=DEC, unit_of="metric", min=0, width=10,
               note="按指标单位填写，与目标值一致"),
        Column(key="rate", header="达成率", type=PCT, width=9,
               formula=_achievement("target", "actual")),
        Column(key="dod", header="环比变化", type=PCT, num_format=SIGNED_PCT_FMT, width=10, formula=_DOD),
        Column(key="dod_basis", header="环比口径", width=9, formula=catalogue_field("dod_basis")),
        Column(key="status", header="状态", width=8,
               formula=_status("rate", "target", "actual")),
        Column(key="issue", header="异常说明", width=26, note="未达标时24小时内说明原因"),
        Column(key="action", header="调整措施", width=28),
        Column(key="dept", header="负责部门", width=10, formula=catalogue_field("dept")),
        *system_columns(),
        Column(key="dod_key", header="环比键", width=9, hidden=True, formula=_DOD_KEY,
               note="由公式生成：日期、指标与渠道，供环比变化找前一天的行，请勿修改"),
        Column(key="dod_prev", header="前一日实际值", width=9, hidden=True, formula=_dod_prev(),
               note="由公式生成：同一指标、同一渠道前一天的实际值（有重复行时取表中靠前的一行）"),
        Column(key="weight", header="权重", width=9, hidden=True, formula=WEIGHT,
               note="由公式生成：汇总方式为“按某指标加权”时，同一天、同一渠道该指标的实际值，请勿修改"),
        Column(key="weighted", header="加权值", width=9, hidden=True, formula=WEIGHTED,
               note="由公式生成：实际值×权重，复盘报告的自动汇总用它求加权平均，请勿修改"),
    ),
    head=(HeadCell(key="sorted", column="dod_prev", label="有序行数", formula=_SORTED),),
    highlights=(
        *FLAGS,
        *rate_highlights("rate", ("rate", "status")),
        Highlight(when=f'AND(ISNUMBER({{dod}}),OR(AND({{direction}}="{HIGHER}",ROUND({{dod}},3)<0),'
                       f'AND({{direction}}="{LOWER}",ROUND({{dod}},3)>0)))',  # as shown (0.0%): never a red -0.0%
                  style=Style.RED_TEXT, columns=("dod",), meaning="环比朝不利方向变化"),
    ),
)

# --------------------------------------------------------------------------- 复盘报告
REVIEW = Table(
    key="review", name="Review", title="目标回顾", growable=False, header_row=5, capacity=5,
    columns=(
        Column(key="metric", header="指标", required=True, width=12),
        Column(key="target", header="目标值", type=DEC, unit_of="metric", width=26, readonly=True,
               note="取自活动目标表"),
        Column(key="auto", header="自动汇总", type=DEC, unit_of="metric", width=26, formula=REVIEW_AUTO),
        Column(key="confirmed", header="实际值(确认)", type=DEC, unit_of="metric", min=0, width=13,
               note="平台最终数据；留空则采用自动汇总"),
        Column(key="used", header="采用值", type=DEC, unit_of="metric", width=11,
               formula='IF(ISNUMBER({confirmed}),{confirmed},{auto})'),
        Column(key="rate", header="达成率", type=PCT, width=9,
               formula=_achievement("target", "used")),
        Column(key="status", header="结论", width=8, formula=_status("rate", "target", "used")),
        Column(key="unit", header="单位", width=7, formula=catalogue_field("unit")),
        Column(key="direction", header="方向", width=9, formula=catalogue_field("direction")),
        Column(key="note", header="差异说明", width=30),
    ),
    highlights=rate_highlights("rate", ("rate", "status")),
)


def review_rows() -> list[tuple[str, str]]:
    """(metric, 目标值 formula template) for each row of 目标回顾, from 活动目标's target columns."""
    return [(c.metric, f'IF(INDEX({{targets.{c.key}}},1)="","",INDEX({{targets.{c.key}}},1))')
            for c in TARGETS.columns if c.metric]


LESSONS = Table(
    key="lessons", name="Lessons", title="成功因素与问题改进", header_row=13,
    id_prefix="L", id_column="row_id", mark_column="mark",
    columns=(
        Column(key="kind", header="类型", type=ENUM, choices="review_kinds", required=True,
               width=12),
        Column(key="content", header="内容", required=True, width=26),
        Column(key="improvement", header="改进措施", width=26),
        Column(key="dept", header="责任部门", type=ENUM, choices="departments", width=12),
        *system_columns(),
    ),
    highlights=FLAGS,
)

# --------------------------------------------------------------------------- 阈值配置
THRESHOLD_TABLE = Table(
    key="thresholds", name="Thresholds", title="阈值配置", growable=False, natural_key=("code",),
    columns=(
        Column(key="code", header="参数代码", required=True, unique=True, width=22, readonly=True,
               note="程序读取用的代码，请勿修改"),
        Column(key="name", header="参数名称", required=True, width=22, readonly=True),
        Column(key="value", header="数值", type=DEC, unit_of="unit", width=12, filled_by="运营部",
               note="可按本次活动修改"),
        Column(key="unit", header="单位", width=8, readonly=True),
        Column(key="meaning", header="说明", width=46, readonly=True),
        Column(key="source", header="来源", width=10, readonly=True),
    ),
)


# --------------------------------------------------------------------------- 数据字典
def _list_table(key: str, name: str, header: str, width: float = 12) -> Table:
    return Table(key=key, name=name, title=header,
                 columns=(Column(key="value", header=header, required=True, unique=True,
                                 width=width),))


METRIC_TABLE = Table(
    key="metrics", name="Metrics", title="指标目录",
    columns=(
        Column(key="name", header="指标名称", required=True, unique=True, width=14),
        Column(key="unit", header="单位", required=True, width=7),
        Column(key="direction", header="方向", type=ENUM, choices="directions", required=True,
               width=10),
        Column(key="dod_basis", header="环比口径", type=ENUM, choices="dod_bases", required=True,
               width=10),
        Column(key="aggregate", header="汇总方式", type=ENUM, choices="aggregates",
               required=True, width=9),
        Column(key="dept", header="负责部门", type=ENUM, choices="departments", width=10),
        Column(key="meaning", header="说明", width=30),
    ),
)


#: 导入映射: which column of a platform's export feeds which metric, times what (xlpromo import reads it).
IMPORT_MAP_TABLE = Table(
    key="import_map", name="ImportMap", title="导入映射", optional=True, natural_key=("platform", "header", "metric"),
    columns=(
        Column(key="platform", header="平台", type=ENUM, choices="platforms", required=True, width=16),
        Column(key="header", header="导出列名", required=True, width=14,
               note="平台导出文件的表头；同一平台同一指标的多行是别名，靠上的优先"),
        Column(key="metric", header="指标", type=ENUM, choices="metrics", required=True, width=10),
        Column(key="factor", header="换算系数", type=DEC, num_format="General", required=True, min=0, width=9,
               note="导出值乘以它得到指标单位的值，如 元→万元 为 0.0001"),
        Column(key="note", header="备注", width=36),
    ),
)


def _side_by_side(*tables: Table) -> tuple[Table, ...]:
    out, col = [], 0
    for t in tables:
        out.append(replace(t, first_col=col))
        col += len(t.columns) + 1
    return tuple(out)


DICTIONARY_TABLES = _side_by_side(
    _list_table("departments", "Departments", "部门"),
    _list_table("statuses", "Statuses", "任务状态"),
    _list_table("phases", "Phases", "阶段"),
    _list_table("channels", "Channels", "渠道"),
    _list_table("dimensions", "Dimensions", "目标维度"),
    _list_table("review_kinds", "ReviewKinds", "复盘类型"),
    METRIC_TABLE,
    IMPORT_MAP_TABLE,
)

SCHEMA = WorkbookSchema(sheets=(
    Sheet(key="guide", name="使用说明", purpose="本工作簿的用法：谁填什么、何时填、颜色含义",
          filled_by="—", phase="全程", protected=True, landscape=False),
    Sheet(key="board", name="看板", purpose="统计日期当天的活动进展：阶段、GMV累计与目标、每日走势、任务状态",
          filled_by="—（全部为公式）", phase="预热期至复盘", protected=True, one_page=True),
    Sheet(key="targets", name="活动目标", purpose="活动的核心目标、时间节点与考核标准",
          filled_by="市场部", phase="筹备期", tables=(TARGETS,), protected=True),
    Sheet(key="breakdown", name="目标拆解", purpose="把核心目标拆到商品、流量、用户各端",
          filled_by="运营部", phase="筹备期", tables=(BREAKDOWN,)),
    Sheet(key="tasks", name="任务分工", purpose="每项任务的负责人、时限、交付物和进度",
          filled_by="运营部建表，各责任部门更新状态", phase="筹备期至复盘", tables=(TASKS,)),
    Sheet(key="daily", name="每日监控", purpose="每天的目标值与实际值，自动计算达成率和环比",
          filled_by="各指标的负责部门", phase="预热期至返场期", tables=(DAILY,)),
    Sheet(key="stock", name="商品与库存", purpose="活动商品的价格、库存、安全库存与秒杀备货",
          filled_by="运营部建表，采购部、仓储部更新库存", phase="筹备期至返场期", tables=(STOCK,)),
    Sheet(key="review", name="复盘报告", purpose="目标与结果对比、成功因素、问题与改进",
          filled_by="运营部、数据分析", phase="复盘", tables=(REVIEW, LESSONS)),
    Sheet(key="thresholds", name="阈值配置", purpose="所有预警阈值与参数，公式和程序都读取这里",
          filled_by="运营部", phase="筹备期", tables=(THRESHOLD_TABLE,), protected=True, one_page=True),
    Sheet(key="dictionary", name="数据字典", purpose="下拉列表、指标目录（单位、方向、口径）与导入映射",
          filled_by="运营部", phase="筹备期", tables=DICTIONARY_TABLES),
))
