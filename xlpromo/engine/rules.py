"""The seeds' monitoring rules, applied to a checked workbook (:func:`raise_alerts`).

Each rule has an English code, a level (提示/预警/严重), the department that should act and
the deadline the seeds set. Every limit is read from 阈值配置, so a user who changes a
threshold changes the alert; a value that is blank, not a number, out of range or out of
order with its pair is set aside for its default (:func:`.thresholds.in_force`), so one typo
does not flood the list.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator

import pandas as pd

from xlpromo.engine.alerts import (
    Alert,
    Context,
    Level,
    Rule,
    on,
    owner_of,
    records,
    said,
    share,
    show,
    task_of,
    when,
)
from xlpromo.model.book import RawBook, as_row
from xlpromo.model.defaults import ALL_CHANNELS, DOD_POINTS, STATUS_LABELS, TASK_DONE_STATES

__all__ = ["ALERT_NAMES", "RULES", "raise_alerts"]

_PASS, _WARN, _FAIL = STATUS_LABELS


def _off_target(c: Context) -> Iterator[Alert]:
    hours = c.t("adjust_within_hours")
    for row, r in records(c.off_target()):
        level = Level.CRITICAL if r["status"] == _FAIL else Level.WARNING
        yield c.alert("daily", row, "rate", "metric-off-target", level,
                      f"{when(r['date'])} {on(r)} 达成率 {r['rate']:.1%}（{r['status']}）", r["dept"],
                      f"{hours:g}小时内说明原因并提出调整措施", r["rate"])


def _missing_cause(c: Context) -> Iterator[Alert]:
    """Rows off target (预警 or 未达标) for longer than 偏离调整时限 with 异常说明 blank; names the row's status."""
    hours = c.t("adjust_within_hours")
    for row, r in records(c.off_target()):
        day = r["date"]
        if not isinstance(day, dt.date):
            continue
        if isinstance(r["issue"], str) and r["issue"].strip():
            continue
        late = (dt.datetime.combine(c.as_of, dt.time()) - dt.datetime.combine(day, dt.time())).total_seconds() / 3600
        if late >= hours:
            yield c.alert("daily", row, "issue", "cause-overdue", Level.WARNING,
                          f"{when(day)} {on(r)} {r['status']}已超过 {hours:g} 小时，尚未填写异常说明",
                          r["dept"], "立即补填")


def _tasks(c: Context) -> Iterator[Alert]:
    soon = c.t("due_soon_days")
    tasks = c.frames["tasks"]
    left_all = pd.to_numeric(tasks["days_left"], errors="coerce")
    for row, r in records(tasks.loc[(left_all <= soon).astype(bool)]):
        left = float(r["days_left"])
        if left < 0:
            yield c.alert("tasks", row, "due", "task-overdue", Level.CRITICAL,
                          f"{task_of(r)}已逾期 {-left:g} 天（截止 {said(r['due'])}{owner_of(r, '，')}）", r["dept"],
                          "立即处理或调整截止时间", r["due"])
        elif left <= soon:
            when = "今天到期" if left == 0 else f"{left:g} 天后到期"
            owner = owner_of(r, "")
            yield c.alert("tasks", row, "due", "task-due-soon", Level.INFO,
                          f"{task_of(r)}{when}" + (f"（{owner}）" if owner else ""), r["dept"],
                          f"{said(r['due'])} 前完成", r["due"])


def _tech_ready(c: Context) -> Iterator[Alert]:
    targets = c.frames["targets"]
    start = targets["warmup_start"].iloc[0] if len(targets) else None
    if not isinstance(start, dt.date):
        return
    start = pd.Timestamp(start).date()
    days = c.t("tech_ready_days")
    try:
        ready_by = start - dt.timedelta(days=days)
    except OverflowError:  # an absurd threshold is reported by validation
        return
    tasks = c.frames["tasks"]
    for row, r in records(tasks.loc[tasks["dept"].eq("技术部").astype(bool)]):
        due = r["due"]
        pending = r["status"] not in TASK_DONE_STATES and r["phase"] in ("筹备期", "资源整合")
        late = isinstance(due, dt.date) and pd.Timestamp(due) > pd.Timestamp(ready_by)
        if r["dept"] == "技术部" and pending and late:
            yield c.alert("tasks", row, "due", "tech-not-ready", Level.WARNING,
                          f"技术{task_of(r)}截止 {said(due)}，晚于活动开始前 {days:g} 天（{ready_by}）",
                          "技术部", f"{ready_by} 前完成全流程测试", due)


def _limit(metric: str, code: str, level: Level, dept: str, deadline: str,
           critical: str | None = None) -> Callable[[Context], Iterator[Alert]]:
    """A lower-is-better metric whose actual must stay at or below a threshold."""

    def rule(c: Context) -> Iterator[Alert]:
        limit = c.t(code)
        hard = c.t(critical) if critical else math.inf
        d = c.daily(metric)
        for row, r in records(d.loc[(pd.to_numeric(d["actual"], errors="coerce") > limit).astype(bool)]):
            a = float(r["actual"])
            if a > limit:
                lv = Level.CRITICAL if a > hard else level
                yield c.alert("daily", row, "actual", f"{code.replace('_', '-')}", lv,
                              f"{when(r['date'])} {on(r, metric)} {show(a, r['unit'])} "
                              f"超过上限 {show(limit, r['unit'])}",
                              dept, deadline, a)
    return rule


def _floor(metric: str, code: str, level: Level, dept: str, deadline: str) -> Callable[[Context], Iterator[Alert]]:
    """A higher-is-better metric whose actual must stay at or above a threshold."""

    def rule(c: Context) -> Iterator[Alert]:
        floor = c.t(code)
        d = c.daily(metric)
        for row, r in records(d.loc[(pd.to_numeric(d["actual"], errors="coerce") < floor).astype(bool)]):
            a = float(r["actual"])
            yield c.alert("daily", row, "actual", code.replace("_", "-"), level,
                          f"{when(r['date'])} {on(r, metric)} {show(a, r['unit'])} 低于下限 {show(floor, r['unit'])}",
                          dept, deadline, a)
    return rule


def _over_budget(c: Context) -> Iterator[Alert]:
    over = c.t("channel_over_budget")
    d = c.daily("推广费用")
    a, t = pd.to_numeric(d["actual"], errors="coerce"), pd.to_numeric(d["target"], errors="coerce")
    for row, r in records(d.loc[((t > 0) & (a > t * (1 + over))).astype(bool)]):
        yield c.alert("daily", row, "actual", "channel-over-budget", Level.WARNING,
                      f"{when(r['date'])} {said(r['channel']) or ALL_CHANNELS} 推广费用 {r['actual']:g}万元，"
                      f"超出预算 {r['target']:g}万元 {r['actual'] / r['target'] - 1:.0%}（超过 {share(over)}）",
                      "市场部", "重新分配各渠道预算", r["actual"])


def _channel_roi(c: Context) -> Iterator[Alert]:
    add, replace = c.t("channel_roi_add"), c.t("channel_roi_replace")
    d = c.daily("ROI")
    d = d.loc[(d["channel"].notna() & d["channel"].ne(ALL_CHANNELS) & d["channel"].ne("")).astype(bool)]
    a, t = pd.to_numeric(d["actual"], errors="coerce"), pd.to_numeric(d["target"], errors="coerce")
    pick = (t > 0) & ((a >= t * (1 + add)) | (a < t * (1 - replace)))
    for row, r in records(d.loc[pick.astype(bool)]):
        gap = r["actual"] / r["target"] - 1
        if gap >= add:
            yield c.alert("daily", row, "actual", "channel-roi-add", Level.INFO,
                          f"{when(r['date'])} {r['channel']} ROI {r['actual']:g}，高出目标 {r['target']:g} {gap:.0%}"
                          f"（追加线 {share(add)}）", "市场部", "追加该渠道预算", r["actual"])
        else:
            yield c.alert("daily", row, "actual", "channel-roi-replace", Level.WARNING,
                          f"{when(r['date'])} {r['channel']} ROI {r['actual']:g}，低于目标 {r['target']:g} {-gap:.0%}"
                          f"（替换线 {share(replace)}）", "市场部", "启动渠道替换预案", r["actual"])


def _phase_length(c: Context) -> Iterator[Alert]:
    targets = c.frames["targets"]
    if not len(targets):
        return
    r = targets.iloc[0]
    row = as_row(targets.index[0])
    for name, first, last, code in (("预热期", "warmup_start", "burst_start", "warmup_days"),
                                    ("返场期", "burst_end", "return_end", "return_days")):
        a, b = r[first], r[last]
        if not (isinstance(a, dt.date) and isinstance(b, dt.date)):
            continue
        days = (pd.Timestamp(b).normalize() - pd.Timestamp(a).normalize()).days
        lo, hi = c.t(f"{code}_min"), c.t(f"{code}_max")
        if 0 <= days < lo or days > hi:  # a negative length is a date-order finding
            side = f"短于 {lo:g} 天" if days < lo else f"长于 {hi:g} 天"
            yield c.alert("targets", row, last, "phase-length", Level.INFO,
                          f"{name} {days} 天，{side}（建议 {lo:g}–{hi:g} 天）", "运营部", "活动开始前调整排期", days)


def _conversion_drop(c: Context) -> Iterator[Alert]:
    """转化率 down on the previous day by more than the threshold, relatively (the seeds' rule); the message also
    gives both days and the change in percentage points, as 环比变化 shows it for a rate."""
    drop = c.t("conversion_drop_ab")
    d = c.daily("转化率")
    for row, r in records(d.loc[(pd.to_numeric(d["dod"], errors="coerce") < 0).astype(bool)]):
        a, dod = r["actual"], r["dod"]
        if not (isinstance(a, float) and isinstance(dod, float)) or math.isnan(dod):
            continue
        points = r["dod_basis"] == DOD_POINTS  # 环比口径 of the catalogue: the cell shows points or a relative change
        prev = a - dod if points else a / (1 + dod) if dod > -1 else math.nan
        relative, pts = (dod / prev, dod) if points else (dod, a - prev)
        if prev > 0 and relative < -drop:
            yield c.alert("daily", row, "dod", "conversion-drop", Level.WARNING,
                          f"{when(r['date'])} {on(r, '转化率')}较前一日相对下降 {-relative:.1%}"
                          f"（{prev:.1%} → {a:.1%}，{pts * 100:.1f} 个百分点），超过 {share(drop)}", "运营部",
                          "启动 A/B 测试排查原因", dod)


def _ctr_low(c: Context) -> Iterator[Alert]:
    gap = c.t("ctr_below_industry")
    d = c.daily("点击率")
    low = pd.to_numeric(d["actual"], errors="coerce") < pd.to_numeric(d["target"], errors="coerce") * (1 - gap)
    for row, r in records(d.loc[low.astype(bool)]):
        a, t = r["actual"], r["target"]
        if isinstance(a, float) and isinstance(t, float) and t > 0 and a < t * (1 - gap):
            yield c.alert("daily", row, "actual", "ctr-below-benchmark", Level.WARNING,
                          f"{when(r['date'])} {on(r, '点击率')} {a:.2%} 低于目标（行业均值）{t:.2%} 超过 {share(gap)}",
                          "市场部",
                          "优化推广素材与定向", a)


def _ship_outlier(c: Context) -> Iterator[Alert]:
    d = c.daily("发货时长")
    values = pd.to_numeric(d["actual"], errors="coerce").dropna()
    if len(values) < 3:
        return
    k = c.t("ship_sigma")
    line = values.mean() + k * values.std(ddof=0)
    for label, a in values.items():
        if a > line:
            row = as_row(label)
            yield c.alert("daily", row, "actual", "shipping-outlier", Level.INFO,
                          f"{when(d['date'].get(row))} 发货时长 {a:g} 小时，高于均值+{k:g}σ（{line:.1f} 小时）",
                          "客服部", "客服主动联系受影响的用户", a)


RULES: tuple[Rule, ...] = (
    Rule("metric-off-target", "指标未达标", ("pass_line", "warn_line", "adjust_within_hours"), _off_target),
    Rule("cause-overdue", "预警或未达标超时未说明原因", ("adjust_within_hours",), _missing_cause),
    Rule("task-overdue", "任务逾期 / 临期", ("due_soon_days",), _tasks),
    Rule("tech-not-ready", "技术功能未提前完成测试", ("tech_ready_days",), _tech_ready),
    Rule("complaint-rate-max", "客诉率超上限", ("complaint_rate_max",),
         _limit("客诉率", "complaint_rate_max", Level.CRITICAL, "客服部", "立即排查投诉原因"), ("客诉率",)),
    Rule("cs-response-sec", "客服响应超时", ("cs_response_sec", "cs_response_critical_sec"),
         _limit("客服响应时长", "cs_response_sec", Level.WARNING, "客服部", "增派客服或启用快捷话术",
                critical="cs_response_critical_sec"), ("客服响应时长",)),
    Rule("stockout-rate-max", "缺货率超上限", ("stockout_rate_max",),
         _limit("缺货率", "stockout_rate_max", Level.WARNING, "仓储部", "通知运营部并决定补货或调整活动力度"),
         ("缺货率",)),
    Rule("bounce-rate-max", "跳出率超上限", ("bounce_rate_max",),
         _limit("跳出率", "bounce_rate_max", Level.INFO, "运营部", "检查落地页加载与主图"), ("跳出率",)),
    Rule("ship-within-hours", "发货超时", ("ship_within_hours",),
         _limit("发货时长", "ship_within_hours", Level.WARNING, "仓储部", "活动结束后48小时内全部发货"),
         ("发货时长",)),
    Rule("shipping-outlier", "发货时长异常", ("ship_sigma",), _ship_outlier, ("发货时长",)),
    Rule("conversion-drop", "转化率骤降", ("conversion_drop_ab",), _conversion_drop, ("转化率",)),
    Rule("ctr-below-benchmark", "点击率低于行业均值", ("ctr_below_industry",), _ctr_low, ("点击率",)),
    Rule("safety-coverage-min", "安全库存覆盖率不足", ("safety_coverage_min",),
         _floor("安全库存覆盖率", "safety_coverage_min", Level.WARNING, "仓储部",
                "通知运营部补货（安全库存 = 日均销量 × 安全库存系数）"), ("安全库存覆盖率",)),
    Rule("channel-over-budget", "渠道超预算", ("channel_over_budget",), _over_budget, ("推广费用",)),
    Rule("channel-roi", "渠道ROI追加 / 替换", ("channel_roi_add", "channel_roi_replace"), _channel_roi, ("ROI",)),
    Rule("phase-length", "预热期 / 返场期天数", ("warmup_days_min", "warmup_days_max", "return_days_min",
                                              "return_days_max"), _phase_length),
)


#: Each alert code's Chinese name: its rule's title, or the part of the rule that raised it.
ALERT_NAMES: dict[str, str] = {
    **{r.code: r.title for r in RULES},
    "task-overdue": "任务逾期", "task-due-soon": "任务临期", "channel-roi-add": "渠道ROI超追加线",
    "channel-roi-replace": "渠道ROI低于替换线",
}


def raise_alerts(frames: dict[str, pd.DataFrame], book: RawBook) -> list[Alert]:
    """Every alert of every rule, in rule order then row order."""
    c = Context(frames, book)
    return [a for rule in RULES for a in rule.check(c)]
