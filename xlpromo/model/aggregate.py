"""Formula templates that add a metric's days up over the campaign: sums, means and weighted means.

A ratio over a period is Σ numerator ÷ Σ denominator, not the mean of its daily ratios: 指标目录's 汇总方式
``按推广费用加权`` makes ROI the mean of its rows weighted by the same day's and channel's 推广费用. 每日监控
finds each row's weight once (hidden 权重, 加权值) and 目标回顾 divides two SUMIFS, so the cost stays linear.
"""

from __future__ import annotations

from xlpromo.model.defaults import AGG_SUM, ALL_CHANNELS, NUMERIC_CRITERION

__all__ = ["REVIEW_AUTO", "WEIGHT", "WEIGHTED", "catalogue_field", "series_key"]


def catalogue_field(field: str, key: str = "metric") -> str:
    """Formula template: a metric's catalogue field, blank when the metric is unknown."""
    return f'IFERROR(INDEX({{metrics.{field}}},MATCH({{{key}}},{{metrics.name}},0))&"","")'


def series_key(day: str, metric: str = "{metric}") -> str:
    """One text per (day, metric, channel): the day's serial, then the metric's length, the metric and the channel,
    so that no two (metric, channel) pairs spell the same key whatever characters they hold."""
    return f'{day}&"|"&LEN({metric})&"|"&{metric}&"|"&{{channel}}'


def _weight() -> str:
    """权重 (hidden): for a row whose 汇总方式 is ``按X加权``, the 实际值 of the first row (table order) of metric X
    on the same 日期 and 渠道, found through its 环比键; blank otherwise. In a table kept in date order
    (有序行数 > 0) the exact MATCH runs over that day's rows only (two binary searches bound them), so the
    table costs linear time; otherwise over the whole column (the same answer)."""
    agg = catalogue_field("aggregate")
    name = f"MID({agg},2,LEN({agg})-3)"
    dated = "INDEX({daily.date},1):INDEX({daily.date},MAX({^sorted},1))"
    low = f"IFERROR(MATCH({{date}}-1,{dated},1),0)*({{^sorted}}>0)"
    end = f"IF({{^sorted}}>0,MATCH({{date}},{dated},1),ROWS({{daily.dod_key}}))"
    window = f"INDEX({{daily.dod_key}},{low}+1):INDEX({{daily.dod_key}},{end})"
    return (f'IF(AND(ISNUMBER({{actual}}),ISNUMBER({{date}}),RIGHT({agg},2)="加权"),'
            f'IFERROR(INDEX({{daily.actual}},{low}+MATCH({series_key("{date}", name)},{window},0)),""),"")')


WEIGHT = _weight()
#: 加权值 (hidden): 实际值 × 权重, which 目标回顾 sums.
WEIGHTED = 'IF(ISNUMBER({weight}),{actual}*{weight},"")'


def _review_auto() -> str:
    """自动汇总 of a metric over 每日监控: its total rows (渠道 全渠道 or blank) when there are any, otherwise every
    channel's rows; summed, or averaged — weighted (Σ加权值 ÷ Σ权重) when the rows have weights above 0."""
    m = '{daily.metric},{metric}'
    num = f'{{daily.actual}},"{NUMERIC_CRITERION}"'
    total = [f'{{daily.channel}},"{ALL_CHANNELS}"', '{daily.channel},""']
    n_total = "+".join(f"COUNTIFS({m},{c},{num})" for c in total)

    def picked(col: str) -> str:  # the sum of a column over the rows that make the total
        rows = "+".join(f"SUMIFS({{daily.{col}}},{m},{c})" for c in total)
        return f"IF({n_total}>0,{rows},SUMIFS({{daily.{col}}},{m}))"

    n_all = f"COUNTIFS({m},{num})"
    count = f"IF({n_total}>0,{n_total},{n_all})"
    total_sum, weights = picked("actual"), picked("weight")
    return (f'IF({n_all}=0,"",IF({catalogue_field("aggregate")}="{AGG_SUM}",{total_sum},'
            f'IF({weights}>0,{picked("weighted")}/{weights},{total_sum}/{count})))')


REVIEW_AUTO = _review_auto()
