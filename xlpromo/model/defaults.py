"""Default contents of 数据字典 and 阈值配置: lists, the metric catalogue, thresholds.

Values come from the seed documents (see ``../shared/domain.md``); users change them in
the workbook, and formulas and Python both read the workbook's values, not these.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlpromo.model.import_map import PLATFORMS
from xlpromo.model.schema import Direction

__all__ = [
    "ADDED_LATER",
    "ALL_CHANNELS",
    "INLINE_LISTS",
    "LISTS",
    "MARK_CLOSE",
    "MARK_OPEN",
    "METRICS",
    "NUMERIC_CRITERION",
    "RATE_DIGITS",
    "STATUS_LABELS",
    "STOCK_STATES",
    "TASK_DONE_STATES",
    "THRESHOLDS",
    "THRESHOLD_BOUNDS",
    "THRESHOLD_ORDER",
    "Metric",
    "Ordered",
    "Threshold",
    "metric",
    "threshold",
    "weight_of",
    "weighted_by",
]


@dataclass(frozen=True)
class Metric:
    """One row of the metric catalogue."""

    name: str
    unit: str
    direction: Direction
    is_rate: bool  # 环比 in percentage points instead of relative change
    aggregate: str  # 求和, 平均 or 按<指标>加权: how daily figures add up over the campaign
    dept: str
    meaning: str

    @property
    def dod_basis(self) -> str:
        """How 环比 is expressed for this metric."""
        return DOD_POINTS if self.is_rate else DOD_RELATIVE


DOD_POINTS = "百分点"
DOD_RELATIVE = "相对变化"
AGG_SUM = "求和"
AGG_MEAN = "平均"


def weighted_by(metric: str) -> str:
    """汇总方式 of a ratio: its days' mean weighted by ``metric`` (its denominator), e.g. ``按推广费用加权``."""
    return f"按{metric}加权"


def weight_of(aggregate: str) -> str:
    """The weight metric named by a 汇总方式 (``按推广费用加权`` → 推广费用), "" for 求和/平均; as the formula's
    ``IF(RIGHT(a,2)="加权",MID(a,2,LEN(a)-3))`` reads it."""
    return aggregate[1:-2] if aggregate.endswith("加权") else ""


#: A ratio over the campaign is Σ numerator ÷ Σ denominator: the daily ratios weighted by the denominator, where
#: the catalogue records it (ROI = GMV/推广费用; 新客占比, 复购率, 点击率 … have no denominator here: 平均).
AGG_BY_SPEND, AGG_BY_VISITORS, AGG_BY_ORDERS = weighted_by("推广费用"), weighted_by("访客数"), weighted_by("订单量")

_H, _L = Direction.HIGHER, Direction.LOWER

METRICS: tuple[Metric, ...] = (
    Metric("GMV", "万元", _H, False, AGG_SUM, "运营部", "成交总额"),
    Metric("订单量", "单", _H, False, AGG_SUM, "运营部", "支付订单数"),
    Metric("访客数", "人", _H, False, AGG_SUM, "市场部", "UV，独立访客数"),
    Metric("新客数", "人", _H, False, AGG_SUM, "市场部", "首次下单的用户数"),
    Metric("转化率", "%", _H, True, AGG_BY_VISITORS, "运营部", "订单量/访客数"),
    Metric("客单价", "元", _H, False, AGG_BY_ORDERS, "运营部", "GMV/订单量（AOV）"),
    Metric("加购率", "%", _H, True, AGG_BY_VISITORS, "运营部", "加购用户数/访客数"),
    Metric("新客占比", "%", _H, True, AGG_MEAN, "市场部", "新客数/购买用户数"),
    Metric("复购率", "%", _H, True, AGG_MEAN, "运营部", "复购用户数/总购买用户数（老客复购率）"),
    Metric("ROI", "倍", _H, False, AGG_BY_SPEND, "市场部", "GMV/推广费用，1:3 记为 3"),
    Metric("点击率", "%", _H, True, AGG_MEAN, "市场部", "CTR，点击数/曝光数"),
    Metric("优惠券领取量", "张", _H, False, AGG_SUM, "运营部", "预热期领券数"),
    Metric("客诉率", "%", _L, True, AGG_BY_ORDERS, "客服部", "投诉单数/订单量"),
    Metric("客服响应时长", "秒", _L, False, AGG_MEAN, "客服部", "平均首次响应时间"),
    Metric("发货时长", "小时", _L, False, AGG_MEAN, "仓储部", "下单到发货的平均时长"),
    Metric("缺货率", "%", _L, True, AGG_MEAN, "仓储部", "缺货SKU数/在售SKU数"),
    Metric("跳出率", "%", _L, True, AGG_BY_VISITORS, "运营部", "只看一页就离开的访客占比"),
    Metric("推广费用", "万元", _L, False, AGG_SUM, "市场部", "渠道推广花费；目标值填该渠道预算"),
    Metric("安全库存覆盖率", "%", _H, True, AGG_MEAN, "仓储部",
           "库存不低于安全库存（日均销量×安全库存系数）的SKU数/在售SKU数"),
)


def metric(name: str) -> Metric:
    """The default catalogue entry for a metric name (KeyError if unknown)."""
    for m in METRICS:
        if m.name == name:
            return m
    raise KeyError(name)


@dataclass(frozen=True)
class Threshold:
    """One row of 阈值配置."""

    code: str
    name: str
    value: float | None
    unit: str
    meaning: str
    source: str

    @property
    def defined_name(self) -> str:
        """Workbook name that formulas use for this value, e.g. ``TH_PASS_LINE``."""
        return "TH_" + self.code.upper()


THRESHOLDS: tuple[Threshold, ...] = (
    Threshold("as_of", "统计日期", None, "日期",
              "剩余天数、逾期和进度按此日期计算；留空则为打开文件的当天", "—"),
    Threshold("pass_line", "达标线", 0.95, "%", "达成率≥此值为达标（活动目标·考核标准）", "活动流程手册"),
    Threshold("warn_line", "严重预警线", 0.85, "%",
              "达成率低于此值标红；介于此值与达标线之间标黄", "团队约定"),
    Threshold("breakdown_tolerance", "拆解允许偏差", 0.05, "%",
              "目标拆解中与活动目标同一指标的目标值，偏差超过此比例时提示", "团队约定"),
    Threshold("due_soon_days", "临期提醒天数", 3, "天", "截止前N天内未完成的任务标黄", "团队约定"),
    Threshold("safety_stock_factor", "安全库存系数", 1.5, "倍", "安全库存=日均销量×系数", "活动流程手册"),
    Threshold("flash_stock_factor", "秒杀备货系数", 1.2, "倍", "秒杀商品备货=预估销量×系数", "运营SOP"),
    Threshold("server_capacity_factor", "服务器承载系数", 1.3, "倍",
              "服务器承载能力≥预估峰值流量×系数", "活动流程手册"),
    Threshold("tech_ready_days", "功能测试提前天数", 3, "天", "活动开始前N天完成全流程测试", "活动流程手册"),
    Threshold("tech_response_min", "技术异常响应时限", 15, "分钟", "技术部收到报警后响应的时限", "活动流程手册"),
    Threshold("cs_response_sec", "客服响应时长上限", 30, "秒", "客服平均响应时长应≤此值", "活动流程手册"),
    Threshold("cs_response_critical_sec", "客服响应严重超时", 90, "秒",
              "超过此值客户满意度约下降20%", "店铺活动方案"),
    Threshold("complaint_rate_max", "客诉率上限", 0.005, "%", "爆发期客诉率应≤此值", "活动流程手册"),
    Threshold("ship_within_hours", "发货时限", 48, "小时", "活动结束后此时限内全部发货", "活动流程手册"),
    Threshold("ship_sigma", "发货异常σ倍数", 2, "倍", "发货时长>均值+Nσ时客服主动介入", "店铺活动方案"),
    Threshold("ctr_below_industry", "点击率低于行业均值幅度", 0.2, "%",
              "CTR低于行业均值超过此幅度时预警", "运营SOP"),
    Threshold("adjust_within_hours", "偏离调整时限", 24, "小时",
              "指标偏离目标后提出原因和调整方案的时限", "运营SOP"),
    Threshold("channel_over_budget", "渠道超预算幅度", 0.2, "%",
              "渠道推广费用超预算（目标值）此幅度时重新分配", "店铺活动方案"),
    Threshold("channel_roi_add", "渠道ROI追加线", 0.3, "%", "渠道ROI高出其目标此幅度时追加预算", "店铺活动方案"),
    Threshold("channel_roi_replace", "渠道ROI替换线", 0.1, "%",
              "渠道ROI低于其目标超过此幅度时启动渠道替换预案", "店铺活动方案"),
    Threshold("conversion_drop_ab", "转化率降幅触发A/B测试", 0.05, "%",
              "转化率较前一日下降超过此幅度时启动A/B测试", "店铺活动方案"),
    Threshold("stock_age_days", "库龄清仓天数", 30, "天", "库龄超过此天数的库存进入清仓", "店铺活动方案"),
    Threshold("stockout_rate_max", "缺货率上限", 0.05, "%", "缺货率应≤此值", "店铺活动方案"),
    Threshold("safety_coverage_min", "安全库存覆盖率下限", 0.85, "%", "安全库存覆盖率应≥此值", "店铺活动方案"),
    Threshold("bounce_rate_max", "跳出率上限", 0.35, "%", "详情页跳出率应≤此值", "店铺活动方案"),
    Threshold("budget_traffic", "预算占比·流量", 0.45, "%", "推荐预算分配：流量推广", "店铺活动方案"),
    Threshold("budget_discount", "预算占比·优惠", 0.25, "%", "推荐预算分配：让利优惠", "店铺活动方案"),
    Threshold("budget_staff", "预算占比·人力", 0.15, "%", "推荐预算分配：人力", "店铺活动方案"),
    Threshold("budget_tech", "预算占比·技术", 0.10, "%", "推荐预算分配：技术", "店铺活动方案"),
    Threshold("budget_reserve", "预算占比·备用金", 0.05, "%", "推荐预算分配：备用金", "店铺活动方案"),
    Threshold("warmup_days_min", "预热期最短天数", 3, "天", "预热期一般为活动前3-7天", "活动流程手册"),
    Threshold("warmup_days_max", "预热期最长天数", 7, "天", "预热期一般为活动前3-7天", "活动流程手册"),
    Threshold("return_days_min", "返场期最短天数", 1, "天", "返场期一般为活动后1-3天", "活动流程手册"),
    Threshold("return_days_max", "返场期最长天数", 3, "天", "返场期一般为活动后1-3天", "活动流程手册"),
    Threshold("plan_weight_warmup", "日计划权重·预热期", 1, "倍",
              "生成日计划时，预热期每天分得的份数（求和类指标按份数拆分活动目标）", "团队约定"),
    Threshold("plan_weight_burst", "日计划权重·爆发期", 3, "倍", "生成日计划时，爆发期每天分得的份数", "团队约定"),
    Threshold("plan_weight_opening", "日计划权重·开门红", 4, "倍",
              "爆发期第一天（首日开门红）分得的份数，约为爆发日的1.28倍（预热带来首日GMV提升28%）", "店铺活动方案"),
    Threshold("plan_weight_return", "日计划权重·返场期", 1.5, "倍", "生成日计划时，返场期每天分得的份数", "团队约定"),
)


#: Thresholds no formula reads, added after workbooks were in use: a book made before has no row for them, and
#: their defaults apply without a finding (the others' absence breaks formulas: an error).
ADDED_LATER = frozenset({"plan_weight_warmup", "plan_weight_burst", "plan_weight_opening", "plan_weight_return"})


def threshold(code: str) -> Threshold:
    """The default threshold with this code (KeyError if unknown)."""
    for t in THRESHOLDS:
        if t.code == code:
            return t
    raise KeyError(code)


#: What a value of 阈值配置 may be, by its unit: a % up to 100%, a count of days or hours not absurd.
THRESHOLD_BOUNDS: dict[str, tuple[float, float]] = {
    "%": (0.0, 1.0), "天": (0.0, 3650.0), "小时": (0.0, 87600.0), "分钟": (0.0, 525600.0), "秒": (0.0, 86400.0),
    "倍": (0.0, 1000.0)}


@dataclass(frozen=True)
class Ordered:
    """Two thresholds of 阈值配置 whose values must be in order, and what goes wrong when they are not."""

    low: str
    high: str
    strict: bool  # low < high (else low ≤ high)
    why: str

    def holds(self, low: float, high: float) -> bool:
        """True when ``low`` and ``high`` are in the required order."""
        return low < high if self.strict else low <= high


THRESHOLD_ORDER: tuple[Ordered, ...] = (
    Ordered("warn_line", "pass_line", True, "否则没有“预警”区间，低于达标线即为未达标"),
    Ordered("cs_response_sec", "cs_response_critical_sec", True, "否则每次超时都算严重"),
    Ordered("warmup_days_min", "warmup_days_max", False, "否则任何天数的预热期都会提示"),
    Ordered("return_days_min", "return_days_max", False, "否则任何天数的返场期都会提示"),
)


STATUS_LABELS = ("达标", "预警", "未达标")
#: The channel value of a day's total row; a blank 渠道 means the same.
ALL_CHANNELS = "全渠道"
#: Brackets around a header in a 标记 cell: ``严重：【达成率】【异常说明】`` flags two cells of the row.
MARK_OPEN, MARK_CLOSE = "【", "】"
#: Rates are compared with the lines after rounding to this many decimals (formula and pandas).
RATE_DIGITS = 9
#: COUNTIFS criterion that matches numbers only (text and blanks are skipped).
NUMERIC_CRITERION = ">=-1E+300"
TASK_DONE_STATES = ("已完成", "已取消")
#: 商品与库存·状态, most urgent first: 缺货 (库存≤0), 低于安全库存, 积压清仓 (库龄 over the limit), 正常.
STOCK_STATES = ("缺货", "低于安全库存", "积压清仓", "正常")

#: Single-column lists on 数据字典, by list key.
LISTS: dict[str, tuple[str, ...]] = {
    "departments": ("运营部", "市场部", "销售部", "技术部", "客服部", "仓储部", "采购部",
                    "设计部", "商品部", "供应链部", "流量组", "用户组", "数据分析", "公关部",
                    "财务部"),
    "statuses": ("待开始", "进行中", "已完成", "已延期", "已取消"),
    "phases": ("筹备期", "资源整合", "预热期", "爆发期", "返场期", "复盘"),
    "channels": (ALL_CHANNELS, "天猫", "京东", "抖音", "拼多多", "小红书", "微信私域", "自营商城"),
    "dimensions": ("整体", "商品端", "流量端", "用户端", "服务端"),
    "review_kinds": ("成功因素", "问题与改进"),
}

#: Short fixed lists offered as literal dropdowns (not tables on 数据字典).
INLINE_LISTS: dict[str, tuple[str, ...]] = {
    "directions": tuple(d.value for d in Direction),
    "dod_bases": (DOD_POINTS, DOD_RELATIVE),
    "aggregates": (AGG_SUM, AGG_MEAN, AGG_BY_SPEND, AGG_BY_VISITORS, AGG_BY_ORDERS),
    "platforms": tuple(p.name for p in PLATFORMS.values()),  # 导入映射·平台
    "product_roles": ("爆款", "引流款", "利润款", "清仓款"),  # 商品与库存·商品角色 (the seeds' price pyramid)
    "yes_no": ("是", "否"),
}
