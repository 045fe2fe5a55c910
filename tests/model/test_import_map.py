"""The shipped 导入映射 defaults (issue 15): rules onto the catalogue's metrics, aliases in order, detection."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlpromo.model.defaults import LISTS, METRICS
from xlpromo.model.import_map import (
    DATE_HEADERS,
    IMPORT_RULES,
    NOT_IMPORTED,
    PLATFORMS,
    ImportRule,
    book_rules,
    detect_platform,
    header_key,
    rules_for,
)


def test_every_rule_maps_onto_a_catalogue_metric_of_a_known_platform() -> None:
    names = {m.name for m in METRICS}
    assert {r.metric for r in IMPORT_RULES} <= names
    assert {r.platform for r in IMPORT_RULES} == set(PLATFORMS) == {"tmall", "jd", "douyin", "pdd"}
    assert all(r.factor > 0 for r in IMPORT_RULES)
    keys = [(r.platform, header_key(r.header)) for r in IMPORT_RULES]
    assert len(keys) == len(set(keys))  # one header, one meaning per platform


def test_platforms_channels_are_on_the_workbooks_list() -> None:
    assert {p.code: (p.name, p.channel) for p in PLATFORMS.values()} == {
        "tmall": ("生意参谋/天猫淘宝", "天猫"), "jd": ("京东商智", "京东"), "douyin": ("抖店罗盘", "抖音"),
        "pdd": ("拼多多", "拼多多")}
    assert {p.channel for p in PLATFORMS.values()} <= set(LISTS["channels"])


def test_money_in_yuan_becomes_wan_yuan_and_rates_stay_fractions() -> None:
    by = {(r.platform, r.header): (r.metric, r.factor) for r in IMPORT_RULES}
    assert by[("tmall", "支付金额")] == ("GMV", 0.0001)
    assert by[("tmall", "支付转化率")] == ("转化率", 1.0)
    assert by[("tmall", "支付买家数")] == ("订单量", 1.0)
    assert by[("jd", "成交金额")] == ("GMV", 0.0001)
    assert by[("pdd", "成交金额")] == ("GMV", 0.0001)


def test_jd_ordered_amount_is_never_gmv() -> None:
    assert not [r for r in IMPORT_RULES if header_key(r.header) == "下单金额"]
    assert "不是成交金额" in NOT_IMPORTED[("jd", "下单金额")]
    gmv = [r for r in rules_for("jd") if r.metric == "GMV"]
    assert [r.header for r in gmv] == ["成交金额", "成交金额(元)"]
    assert "下单金额" in gmv[0].note


def test_aliases_keep_their_priority() -> None:
    orders = [r.header for r in rules_for("tmall") if r.metric == "订单量"]
    assert orders == ["支付买家数", "支付子订单数"]


def test_date_headers() -> None:
    assert DATE_HEADERS[:4] == ("统计日期", "日期", "时间", "统计时间")


@pytest.mark.parametrize(("headers", "name", "platform"), [
    (["统计日期", "访客数", "支付金额", "支付买家数", "支付转化率", "客单价"], "店铺整体.csv", "tmall"),
    (["日期", "访客数", "下单金额", "成交金额", "成交客户数"], "export.xlsx", "jd"),
    (["日期", "成交金额", "成交人数", "成交客单价"], "", "douyin"),
    (["统计日期", "成交金额", "成交买家数", "商品访客数"], "", "pdd"),
    (["日期", "访客数", "客单价"], "生意参谋_店铺整体_2024-06.csv", "tmall"),
    (["日期", "访客数", "客单价"], "京东商智-0601.xls", "jd"),
    (["日期", "访客数", "客单价"], "抖店罗盘 交易概览.xlsx", "douyin"),
    (["日期", "访客数", "客单价"], "拼多多_经营总览.csv", "pdd"),
    (["日期", "访客数", "客单价"], "jd_0601.csv", "jd"),
    (["日期", "访客数", "客单价"], "jdx.csv", None),  # a Latin word only as a whole word
    (["日期", "访客数", "客单价"], "店铺.csv", None),
    (["日期", "访客数", "客单价"], "天猫京东对比.csv", None),  # two platforms named
    ([" 支付金额（元） ", "日期"], "", "tmall"),  # full-width and spaces aside
    (["日期", "成交金额", "成交客户数"], "生意参谋.csv", "jd"),  # the headers outvote a renamed file
])
def test_detect_platform(headers: list[str], name: str, platform: str | None) -> None:
    assert detect_platform(headers, name) == platform


def test_the_workbook_s_rows_are_the_shipped_rules_in_their_order() -> None:
    rows = [(PLATFORMS[r.platform].name, r.header, r.metric, r.factor, r.note or None) for r in IMPORT_RULES]
    assert book_rules(rows) == IMPORT_RULES


def test_rows_that_cannot_be_rules_are_left_out_and_text_is_trimmed() -> None:
    rows = [("京东商智", " 成交额 ", "GMV ", 0.0001, " 改名后的成交金额 "), ("小红书", "成交金额", "GMV", 0.0001, None),
            ("拼多多", "", "GMV", 1, None), ("拼多多", "成交金额", None, 1, None),
            ("拼多多", "成交金额", "GMV", 0, None), ("拼多多", "成交金额", "GMV", -1, None),
            ("拼多多", "成交金额", "GMV", True, None), ("拼多多", "成交金额", "GMV", "0.0001", None),
            ("拼多多", "成交金额", "GMV", float("nan"), None), ("pdd", "访客数", "访客数", 1, 5)]
    assert book_rules(rows) == (ImportRule("jd", "成交额", "GMV", 0.0001, "改名后的成交金额"),
                                ImportRule("pdd", "访客数", "访客数", 1.0, ""))


@given(st.lists(st.tuples(st.sampled_from([*(p.name for p in PLATFORMS.values()), "小红书", None, 3]),
                          st.one_of(st.none(), st.text(max_size=6)), st.one_of(st.none(), st.text(max_size=6)),
                          st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True), st.integers(-5, 5)),
                          st.one_of(st.none(), st.text(max_size=4))), max_size=12))
def test_book_rules_never_raises_and_keeps_only_usable_rows(rows: list[tuple[object, ...]]) -> None:
    rules = book_rules(rows)  # type: ignore[arg-type]
    assert len(rules) <= len(rows)
    assert all(r.platform in PLATFORMS and r.header and r.metric and r.factor > 0 for r in rules)
