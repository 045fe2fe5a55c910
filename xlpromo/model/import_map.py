"""The shipped mapping of the platforms' exports onto our metrics: which export column is which 指标, times what.

A platform (生意参谋, 京东商智, 抖店罗盘, 拼多多) writes a daily table per shop: a date column and one column per
figure, each in the platform's own words and units. :data:`IMPORT_RULES` says, per platform, which column feeds
which metric of the catalogue (:data:`~xlpromo.model.defaults.METRICS`) and the factor from the export's unit to
the catalogue's (支付金额 in 元 × 0.0001 → GMV in 万元). Several rules of one platform and metric are aliases for a
column the platform renamed, in priority order: the first header present in a file wins. These are the seeds of
数据字典's 导入映射 table; the user edits that table, and the import reads the workbook's (:func:`book_rules`):
these serve only a workbook made before the table existed.

Where the headers come from (public code that parses or labels these exports; no platform documents them):

- 生意参谋: 统计日期, 访客数, 支付金额, 支付买家数, 支付转化率, 客单价 as issue 15 lists them; 跳失率, 支付子订单数 and
  支付新买家数 are 生意参谋's labels in liangruiji/kaohe ``nunu_cj/src/utils/dataOne.js`` (its indicator list).
- 京东商智: 访客数(UV), 下单金额, 成交客户数, 成交转化率, 成交金额, 客单价, 加购转换率 from a 京东商智 importer's
  column table (``src/import_data.py``, ``_FUNNEL_METRIC_FIELDS``; the search index does not name its repository);
  成交客单价, 成交单量, 成交商品件数, 下单金额 from changeIn/pLearnReact ``practice/static/js/util/widget/meta.js``
  (京东's 品牌纵横 labels).
- 抖店罗盘: 成交金额, 成交人数, 成交客单价 (罗盘's 交易构成, zzr6.com/234252.html); 成交订单数 from a 抖店
  warehouse's column comments (``ads.douyin_trade_sale_carrier_daily``); 商品访客数, 商品曝光人数 and 商品点击人数
  are 罗盘's words as the issue's authors know them, not found in public code.
- 拼多多: 统计日期, 成交金额, 成交订单数, 成交买家数, 客单价, 成交转化率, 商品访客数 from a 拼多多 商家后台 reader's
  field table (``payOrdrAmt`` → 成交金额 …, also 成交老买家占比, 平均访客价值, 店铺关注用户数; repository not named
  by the index).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from types import MappingProxyType

from xlpromo.model.parse import normalize_header

__all__ = [
    "DATE_HEADERS",
    "IMPORT_RULES",
    "MARKS",
    "NOT_IMPORTED",
    "PLATFORMS",
    "ImportRule",
    "Platform",
    "book_rules",
    "detect_platform",
    "header_key",
    "rules_for",
]


@dataclass(frozen=True)
class Platform:
    """One platform whose exports we read: its code, its name as staff say it and the 渠道 its figures belong to."""

    code: str
    name: str
    channel: str  # on 数据字典's channel list
    file_words: tuple[str, ...]  # words of its export's file name (生意参谋_店铺整体.csv)


@dataclass(frozen=True)
class ImportRule:
    """One row of 导入映射: the export column ``header`` of ``platform`` gives ``metric`` × ``factor``."""

    platform: str
    header: str
    metric: str
    factor: float
    note: str


PLATFORMS = MappingProxyType({p.code: p for p in (
    Platform("tmall", "生意参谋/天猫淘宝", "天猫", ("生意参谋", "天猫", "淘宝", "sycm")),
    Platform("jd", "京东商智", "京东", ("京东商智", "京东", "商智", "jd")),
    Platform("douyin", "抖店罗盘", "抖音", ("抖店罗盘", "罗盘", "抖店", "抖音", "compass")),
    Platform("pdd", "拼多多", "拼多多", ("拼多多", "多多", "pdd")),
)})

#: Headers of the date column, in every platform's words (normalized as :func:`normalize_header` does).
DATE_HEADERS: tuple[str, ...] = ("统计日期", "日期", "时间", "统计时间", "数据日期", "日期(天)", "statDate", "date")

_YUAN = 0.0001  # 元 → 万元
_PAID = "已支付的金额（元），÷10000 为万元"
_BUYERS = "按买家数计，与平台的转化率（买家数/访客数）和客单价（金额/买家数）同一口径"
_ORDERS = "支付订单数；仅当导出没有买家数时使用"


def _rules(platform: str, *rows: tuple[str, str, float, str]) -> tuple[ImportRule, ...]:
    return tuple(ImportRule(platform, header, metric, factor, note) for header, metric, factor, note in rows)


IMPORT_RULES: tuple[ImportRule, ...] = (
    *_rules("tmall",
            ("支付金额", "GMV", _YUAN, _PAID),
            ("支付金额(元)", "GMV", _YUAN, _PAID),
            ("访客数", "访客数", 1.0, ""),
            ("支付买家数", "订单量", 1.0, _BUYERS),
            ("支付子订单数", "订单量", 1.0, _ORDERS),
            ("支付转化率", "转化率", 1.0, "支付买家数/访客数；12.96% 记为 0.1296"),
            ("客单价", "客单价", 1.0, "支付金额/支付买家数（元）"),
            ("客单价(元)", "客单价", 1.0, "支付金额/支付买家数（元）"),
            ("支付新买家数", "新客数", 1.0, ""),
            ("跳失率", "跳出率", 1.0, "生意参谋称跳失率")),
    *_rules("jd",
            ("成交金额", "GMV", _YUAN, "成交（已付款）金额（元）÷10000；下单金额含未付款订单和运费，不是 GMV，不导入"),
            ("成交金额(元)", "GMV", _YUAN, "同上：不用下单金额"),
            ("访客数", "访客数", 1.0, ""),
            ("访客数(UV)", "访客数", 1.0, ""),
            ("成交客户数", "订单量", 1.0, _BUYERS),
            ("成交单量", "订单量", 1.0, _ORDERS),
            ("成交转化率", "转化率", 1.0, "成交客户数/访客数"),
            ("客单价", "客单价", 1.0, "成交金额/成交客户数（元）"),
            ("成交客单价", "客单价", 1.0, "成交金额/成交客户数（元）"),
            ("加购转化率", "加购率", 1.0, "加购客户数/访客数"),
            ("加购转换率", "加购率", 1.0, "加购客户数/访客数"),
            ("跳失率", "跳出率", 1.0, "")),
    *_rules("douyin",
            ("成交金额", "GMV", _YUAN, _PAID),
            ("成交金额(元)", "GMV", _YUAN, _PAID),
            ("商品访客数", "访客数", 1.0, "罗盘的商品访客数"),
            ("访客数", "访客数", 1.0, ""),
            ("成交人数", "订单量", 1.0, _BUYERS),
            ("成交订单数", "订单量", 1.0, _ORDERS),
            ("成交转化率", "转化率", 1.0, "成交人数/访客数"),
            ("成交客单价", "客单价", 1.0, "成交金额/成交人数（元）"),
            ("客单价", "客单价", 1.0, "成交金额/成交人数（元）")),
    *_rules("pdd",
            ("成交金额", "GMV", _YUAN, _PAID),
            ("成交金额(元)", "GMV", _YUAN, _PAID),
            ("商品访客数", "访客数", 1.0, "拼多多的商品访客数"),
            ("访客数", "访客数", 1.0, ""),
            ("成交买家数", "订单量", 1.0, _BUYERS),
            ("成交订单数", "订单量", 1.0, _ORDERS),
            ("成交转化率", "转化率", 1.0, "成交买家数/商品访客数"),
            ("客单价", "客单价", 1.0, "成交金额/成交买家数（元）")),
)

#: Columns an export has that look importable but are not, per (platform, header): why, for the messages.
NOT_IMPORTED = MappingProxyType({
    ("jd", "下单金额"): "下单金额含未付款订单和运费，不是成交金额（GMV），不导入；GMV 取成交金额",
    ("jd", "下单客户数"): "下单客户数含未付款的客户，订单量取成交客户数",
})

#: Headers only one platform writes, beside its rules' own, that tell its exports apart (detect_platform).
MARKS: tuple[tuple[str, str], ...] = (
    ("pdd", "成交老买家占比"), ("pdd", "平均访客价值"), ("pdd", "店铺关注用户数"),
    ("douyin", "商品曝光人数"), ("douyin", "商品点击人数"),
    ("tmall", "支付件数"), ("jd", "成交商品件数"),
)


def book_rules(rows: Iterable[tuple[object, object, object, object, object]]) -> tuple[ImportRule, ...]:
    """导入映射's rows (平台, 导出列名, 指标, 换算系数, 备注) as rules, in the table's order (aliases by priority);
    a row with no known platform, no header or metric, or no positive factor is left out (check names it)."""
    code = {header_key(p.name): p.code for p in PLATFORMS.values()} | {p.code: p.code for p in PLATFORMS.values()}
    out = []
    for platform, header, metric, factor, note in rows:
        known = code.get(header_key(platform)) if isinstance(platform, str) else None
        if (known is None or not isinstance(header, str) or not header.strip() or not isinstance(metric, str)
                or not metric.strip() or isinstance(factor, bool) or not isinstance(factor, int | float)
                or not math.isfinite(factor) or factor <= 0):
            continue
        out.append(ImportRule(known, header.strip(), metric.strip(), float(factor),
                              note.strip() if isinstance(note, str) else ""))
    return tuple(out)


def header_key(header: object) -> str:
    """A header as the mapping compares it: NFKC, no spaces or invisible characters, case-folded, so
    ``支付金额（元）`` is ``支付金额(元)`` and ``UV`` is ``uv``."""
    return normalize_header(header).casefold()


def rules_for(platform: str, rules: Collection[ImportRule] = IMPORT_RULES) -> tuple[ImportRule, ...]:
    """The rules of one platform in their priority order, so a mapper takes the first alias present."""
    return tuple(r for r in rules if r.platform == platform)


def _distinctive(rules: Collection[ImportRule]) -> dict[str, str]:
    """Header → the one platform whose rules (or NOT_IMPORTED) name it; a header two platforms share tells nothing."""
    owners: dict[str, set[str]] = {}
    for platform, header in [(r.platform, r.header) for r in rules] + list(NOT_IMPORTED) + list(MARKS):
        owners.setdefault(header_key(header), set()).add(platform)
    return {h: next(iter(p)) for h, p in owners.items() if len(p) == 1}


def _named(file_name: str) -> set[str]:
    """The platforms a file name's words name (生意参谋_店铺整体.csv → tmall); Latin words only as whole words."""
    name = file_name.casefold()
    found = set()
    for p in PLATFORMS.values():
        for word in p.file_words:
            pattern = re.escape(word) if not word.isascii() else rf"(?<![a-z]){re.escape(word)}(?![a-z])"
            if re.search(pattern, name):
                found.add(p.code)
    return found


def detect_platform(headers: Collection[str], file_name: str = "",
                    rules: Collection[ImportRule] = IMPORT_RULES) -> str | None:
    """The platform an export comes from, so ``--platform auto`` works: by the headers only one platform writes
    (支付买家数 → tmall, 成交客户数 → jd), else by the file name (京东商智_0601.xlsx); None when neither tells."""
    marks = _distinctive(rules)
    votes: dict[str, int] = {}
    for h in {header_key(h) for h in headers}:
        if h in marks:
            votes[marks[h]] = votes.get(marks[h], 0) + 1
    if votes:
        best = max(votes.values())
        leaders = [p for p, n in votes.items() if n == best]
        if len(leaders) == 1:
            return leaders[0]
        named = _named(file_name) & set(leaders)
        return named.pop() if len(named) == 1 else None
    named = _named(file_name)
    return named.pop() if len(named) == 1 else None
