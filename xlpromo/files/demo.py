"""A realistic, deterministic 618 campaign to fill the template with (``xlpromo demo``).

Seed rows are kept verbatim (活动目标 of seed 000, 目标拆解 and the two 日报 rows of seed 002,
moved to 2024-05-30), and the rest is generated with a fixed random seed: 28 days of daily
figures with some days off target, overdue and due-soon tasks, a lower-is-better metric
that is fine (客诉率) and one that is not (客服响应时长).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pandas as pd

from xlpromo.files.builder import default_frames

__all__ = [
    "AS_OF",
    "BURST_END",
    "BURST_START",
    "RETURN_END",
    "SEED_DAY",
    "WARMUP_START",
    "demo_frames",
]

WARMUP_START = dt.date(2024, 5, 25)
BURST_START = dt.date(2024, 6, 1)
BURST_END = dt.date(2024, 6, 18)
RETURN_END = dt.date(2024, 6, 21)
AS_OF = RETURN_END  # the campaign has just ended: time for the retrospective
SEED_DAY = dt.date(2024, 5, 30)  # where seed 002's two 日报 rows are placed

D = dt.date


def _targets() -> list[dict[str, Any]]:
    return [dict(name="2024年618年中大促", owner="张*", warmup_start=WARMUP_START,
                 burst_start=BURST_START, burst_end=BURST_END, return_end=RETURN_END,
                 gmv_target=500, new_share_target=0.30, repurchase_target=0.25,
                 new_customers_target=100000, roi_target=3, depts="运营部、销售部")]


BREAKDOWN = [
    ("整体", "GMV", 500, "日均销售额×90天", "运营部", "*经理"),
    ("商品端", "爆款(TOP3)销售额占比", 0.35, "爆款销售额/总销售额", "商品部", "*主管"),
    ("流量端", "自然搜索流量占比", 0.40, "自然搜索访客/总访客", "流量组", "*专员"),
    ("用户端", "复购率", 0.25, "复购用户数/总购买用户数", "用户组", "*助理"),
]

TASKS = [
    ("T001", "618活动商品选品", "确定20款主推SKU，完成毛利核算", "筹备期", D(2024, 4, 1),
     D(2024, 4, 15), "*经理", "运营部", "供应链部", "《选品清单》", "进行中", "需确认3款新品库存"),
    ("T002", "直通车素材优化", "更新10组推广素材，提升CTR", "筹备期", D(2024, 4, 10),
     D(2024, 4, 25), "*专员", "运营部", "设计部", "《素材验收报告》", "待开始", "素材需突出活动卖点"),
    ("T003", "主推SKU定价与底价保护", "确定活动价、核对历史最低价", "筹备期", D(2024, 4, 16),
     D(2024, 4, 30), "李*", "运营部", "财务部", "《活动商品清单》", "已完成", ""),
    ("T004", "库存盘点与备货", "秒杀商品按预估销量1.2倍备货", "资源整合", D(2024, 5, 1),
     D(2024, 5, 20), "赵*", "采购部", "仓储部", "《备货计划表》", "已完成", ""),
    ("T005", "主会场/分会场页面设计", "主视觉、详情页、海报", "资源整合", D(2024, 5, 6),
     D(2024, 5, 22), "孙*", "设计部", "市场部", "《页面设计稿》", "已完成", ""),
    ("T006", "优惠券/满减/秒杀功能测试", "活动前3天完成全流程测试", "资源整合", D(2024, 5, 10),
     D(2024, 5, 22), "王*", "技术部", "运营部", "《功能测试报告》", "已完成", ""),
    ("T007", "服务器压测与扩容", "承载能力≥预估峰值流量1.3倍", "资源整合", D(2024, 5, 12),
     D(2024, 5, 22), "王*", "技术部", "", "《压测报告》", "已完成", ""),
    ("T008", "客服活动规则培训", "编写FAQ话术并培训，平均响应≤30秒", "资源整合", D(2024, 5, 15),
     D(2024, 5, 24), "周*", "客服部", "运营部", "《FAQ话术手册》", "已完成", ""),
    ("T009", "预打包与物流运力确认", "库位调整、预打包、确认快递运力", "资源整合", D(2024, 5, 20),
     D(2024, 5, 31), "吴*", "仓储部", "", "《物流保障协议》", "已完成", ""),
    ("T010", "首轮KOL投放", "预热期第5天投放", "预热期", D(2024, 5, 29), D(2024, 5, 31), "郑*",
     "市场部", "运营部", "《KOL投放排期表》", "已完成", ""),
    ("T011", "首页Banner与预约领券", "站内外预告，引导加购领券", "预热期", D(2024, 5, 25),
     D(2024, 5, 31), "李*", "运营部", "设计部", "《预热推广计划》", "已完成", ""),
    ("T012", "直通车/钻展投放", "按日监控ROI调整出价", "爆发期", D(2024, 6, 1), D(2024, 6, 18),
     "*专员", "运营部", "", "《投放日报》", "已完成", ""),
    ("T013", "尾款日催付", "对未付尾款订单催付", "爆发期", D(2024, 6, 16), D(2024, 6, 18), "周*",
     "客服部", "运营部", "《催付话术》", "已延期", "话术审批延迟"),
    ("T014", "48小时发货跟踪", "活动订单48小时内全部发货", "返场期", D(2024, 6, 19),
     D(2024, 6, 21), "吴*", "仓储部", "客服部", "《发货进度表》", "进行中", ""),
    ("T015", "未下单用户二次触达", "未用券提醒、尾货福利推送", "返场期", D(2024, 6, 19),
     D(2024, 6, 21), "李*", "运营部", "", "《触达名单》", "进行中", ""),
    ("T016", "活动复盘会", "对比目标与结果，形成复盘纪要", "复盘", D(2024, 6, 22),
     D(2024, 6, 25), "钱*", "数据分析", "运营部", "《活动复盘纪要》", "待开始", ""),
    ("T017", "NPS用户调研", "抽样回访购买用户", "复盘", D(2024, 6, 22), D(2024, 6, 28), "郑*",
     "市场部", "客服部", "《用户调研报告》", "待开始", ""),
]

LESSONS = [
    ("成功因素", "爆款提前15天预热，搜索流量提升30%", "固化为爆款预热SOP", "运营部"),
    ("成功因素", "满减规则简单易懂，用户参与度高", "沿用简单满减", "运营部"),
    ("成功因素", "客服提前培训，响应速度提升至30秒内", "培训前置到活动前10天", "客服部"),
    ("问题与改进", "仓配延迟导致200单差评", "提前与仓储部确认物流capacity", "仓储部"),
    ("问题与改进", "秒杀商品库存不足", "下次活动按预估流量1.2倍备货", "采购部"),
]

#: 商品与库存 on 统计日期: the 20 主推SKU of task T001, priced by the seeds' pyramid (爆款 5–10% off, 引流款 15–20%),
#: 秒杀 SKUs stocked at 1.2 × forecast or more. Planted: SKU-014 below its safety stock, SKU-019 aged 45 days.
STOCK_COLUMNS = ("sku", "name", "category", "role", "list_price", "promo_price", "stock", "daily_sales", "flash",
                 "forecast", "age_days", "dept", "note")
STOCK = [
    ("SKU-001", "保湿精华液 50ml", "美妆", "爆款", 299, 269, 5200, 320, "是", 4000, 12, "仓储部", ""),
    ("SKU-002", "氨基酸洁面乳 120g", "美妆", "引流款", 89, 72, 3800, 410, "是", 3000, 9, "仓储部", ""),
    ("SKU-003", "防晒霜 SPF50", "美妆", "爆款", 159, 145, 2600, 260, "否", None, 15, "仓储部", ""),
    ("SKU-004", "修护面膜 10片", "美妆", "利润款", 129, 119, 1500, 95, "否", None, 20, "仓储部", ""),
    ("SKU-005", "无线蓝牙耳机", "数码", "爆款", 399, 359, 3100, 210, "是", 2500, 8, "采购部", ""),
    ("SKU-006", "20000mAh 充电宝", "数码", "引流款", 129, 105, 2400, 180, "否", None, 14, "采购部", ""),
    ("SKU-007", "智能手环", "数码", "利润款", 249, 229, 900, 40, "否", None, 18, "采购部", ""),
    ("SKU-008", "空气炸锅 5L", "家电", "爆款", 499, 459, 1800, 120, "是", 1400, 10, "仓储部", ""),
    ("SKU-009", "电动牙刷", "家电", "引流款", 199, 165, 2200, 150, "否", None, 11, "仓储部", ""),
    ("SKU-010", "破壁料理机", "家电", "利润款", 699, 649, 600, 25, "否", None, 22, "仓储部", ""),
    ("SKU-011", "每日坚果 30包", "食品", "爆款", 139, 125, 6000, 450, "是", 4800, 6, "仓储部", "保质期12个月"),
    ("SKU-012", "挂耳咖啡 50袋", "食品", "引流款", 99, 82, 3500, 260, "否", None, 7, "仓储部", ""),
    ("SKU-013", "有机燕麦片 1kg", "食品", "利润款", 59, 55, 1200, 60, "否", None, 16, "仓储部", ""),
    ("SKU-014", "儿童保温杯", "母婴", "爆款", 169, 155, 180, 160, "否", None, 5, "采购部", "补货在途，预计6月24日到仓"),
    ("SKU-015", "婴儿湿巾 80抽×12包", "母婴", "引流款", 79, 65, 4200, 300, "否", None, 9, "仓储部", ""),
    ("SKU-016", "纯棉四件套", "家纺", "利润款", 359, 329, 700, 30, "否", None, 25, "仓储部", ""),
    ("SKU-017", "乳胶枕", "家纺", "爆款", 229, 209, 1300, 85, "否", None, 13, "仓储部", ""),
    ("SKU-018", "运动速干T恤", "服饰", "引流款", 99, 80, 2600, 140, "否", None, 19, "仓储部", ""),
    ("SKU-019", "春款薄风衣", "服饰", "清仓款", 459, 299, 850, 12, "否", None, 45, "仓储部", "换季款，建议清仓"),
    ("SKU-020", "瑜伽垫 6mm", "运动", "利润款", 129, 119, 1100, 70, "否", None, 21, "采购部", ""),
]


def _phase_gmv_target(day: dt.date) -> float:
    if day < BURST_START:
        return 6.0
    if day > BURST_END:
        return 8.0
    return {BURST_START: 40.0, BURST_END: 60.0}.get(day, 22.0)


def _daily() -> list[dict[str, Any]]:
    """28 days × 11 metrics, deterministic; on target except the planted days (see _plant)."""
    rng = random.Random(618)
    rows: list[dict[str, Any]] = []
    day = WARMUP_START
    while day <= RETURN_END:
        gmv_t = _phase_gmv_target(day)
        burst = BURST_START <= day <= BURST_END
        visitors_t = round(40000 * gmv_t / 6.0, -2)
        cr_t, aov_t = 0.045, round(gmv_t * 10000 / (visitors_t * 0.045), 1)
        gmv = round(gmv_t * rng.uniform(0.99, 1.08), 2)
        cr = round(cr_t * rng.uniform(1.0, 1.03), 4)  # day-to-day moves stay under the 5% A/B line
        aov = round(aov_t * rng.uniform(0.98, 1.02), 1)
        orders = round(gmv * 10000 / aov)
        new_cust_t = 4500 if burst else 1500
        figures: list[tuple[str, float, float]] = [
            ("GMV", gmv_t, gmv),
            ("订单量", round(visitors_t * cr_t), orders),
            ("访客数", visitors_t, round(orders / cr)),
            ("转化率", cr_t, cr),
            ("客单价", aov_t, aov),
            ("新客数", new_cust_t, round(new_cust_t * rng.uniform(1.0, 1.3))),
            ("新客占比", 0.30, round(rng.uniform(0.30, 0.36), 3)),
            ("复购率", 0.25, round(rng.uniform(0.245, 0.27), 3)),
            ("ROI", 3.0, round(rng.uniform(3.0, 3.5), 2)),
            ("客诉率", 0.005, round(rng.uniform(0.0036, 0.0045), 4)),
            ("客服响应时长", 30, round(rng.uniform(24, 29.5), 1)),
        ]
        rows += [dict(date=day, metric=m, channel="全渠道", target=t, actual=a, issue="", action="")
                 for m, t, a in figures]
        day += dt.timedelta(days=1)
    _plant(rows)
    return rows


def _set(rows: list[dict[str, Any]], day: dt.date, metric: str, **values: Any) -> None:
    for r in rows:
        if r["date"] == day and r["metric"] == metric:
            r.update(values)
            return
    raise KeyError((day, metric))


def _plant(rows: list[dict[str, Any]]) -> None:
    """The days a reviewer should notice, with the seeds' own wording."""
    prev = SEED_DAY - dt.timedelta(days=1)
    _set(rows, prev, "GMV", target=6.0, actual=5.925)
    _set(rows, SEED_DAY, "GMV", target=6.0, actual=5.8, issue="上午流量高峰期服务器卡顿",
         action="技术部已修复，明日追加500元推广预算挽回损失")
    _set(rows, prev, "转化率", target=0.045, actual=0.046)
    _set(rows, SEED_DAY, "转化率", target=0.045, actual=0.041, issue="商品详情页某主图加载失败",
         action="设计部4月21日上午9点前替换图片")
    _set(rows, SEED_DAY, "客诉率", target=0.005, actual=0.004)
    _set(rows, D(2024, 6, 5), "GMV", actual=17.6, issue="主会场首屏加载慢，跳出率升高",
         action="技术部CDN扩容")
    _set(rows, D(2024, 6, 12), "转化率", actual=0.0398)  # off target, no cause given yet
    _set(rows, D(2024, 6, 1), "客服响应时长", actual=36.0, issue="开门红咨询量激增",
         action="客服部临时增派10人")
    _set(rows, D(2024, 6, 17), "客服响应时长", actual=33.5)
    _set(rows, D(2024, 6, 18), "客服响应时长", actual=58.0, issue="咨询量超平日3倍",
         action="启动服务专员驻场")


def demo_frames() -> dict[str, pd.DataFrame]:
    """Input frames of the demo campaign, ready for :func:`xlpromo.files.builder.build_workbook`."""
    frames = default_frames()
    frames["targets"] = pd.DataFrame(_targets(), dtype=object)
    frames["breakdown"] = pd.DataFrame(
        BREAKDOWN, columns=["dimension", "metric", "target", "logic", "dept", "owner"],
        dtype=object)
    frames["tasks"] = pd.DataFrame(
        TASKS, columns=["task_id", "name", "description", "phase", "start", "due", "owner",
                        "dept", "collab", "deliverable", "status", "note"], dtype=object)
    frames["daily"] = pd.DataFrame(_daily(), dtype=object)
    frames["stock"] = pd.DataFrame(STOCK, columns=list(STOCK_COLUMNS), dtype=object)
    frames["lessons"] = pd.DataFrame(LESSONS, columns=["kind", "content", "improvement", "dept"],
                                     dtype=object)
    th = frames["thresholds"].copy()
    th.loc[th["code"] == "as_of", "value"] = AS_OF
    frames["thresholds"] = th
    return frames
