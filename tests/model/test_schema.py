"""The schema: sheet order, exact headers, lists, formulas that every engine can compute."""

from __future__ import annotations

import re

import pytest

from xlpromo.engine.metrics import COMPUTED
from xlpromo.model.defaults import INLINE_LISTS, LISTS, METRICS, THRESHOLDS
from xlpromo.model.formulas import FormulaError, render, render_a1
from xlpromo.model.master import SCHEMA, review_rows
from xlpromo.model.schema import ColType, Direction, Style, Table

SHEETS = ["使用说明", "看板", "活动目标", "目标拆解", "任务分工", "每日监控", "商品与库存", "复盘报告", "阈值配置",
          "数据字典"]

HEADERS = {
    "targets": ["活动名称", "负责人", "预热开始", "爆发开始", "爆发结束", "返场结束",
                "核心目标(GMV/万元)", "新客占比目标", "老客复购率目标", "新客数目标(人)", "ROI目标",
                "责任部门", "考核标准"],
    "breakdown": ["目标维度", "核心指标", "目标值", "单位", "计算逻辑", "责任部门", "责任人", "标记", "行ID"],
    "tasks": ["任务编号", "任务名称", "任务描述", "所属阶段", "起始时间", "截止时间", "负责人",
              "责任部门", "协作部门", "交付物", "当前状态", "备注", "剩余天数", "是否逾期", "标记", "行ID"],
    "daily": ["日期", "核心指标", "渠道", "单位", "方向", "目标值", "实际值", "达成率", "环比变化",
              "环比口径", "状态", "异常说明", "调整措施", "负责部门", "标记", "行ID", "环比键", "前一日实际值",
              "权重", "加权值"],
    "review": ["指标", "目标值", "自动汇总", "实际值(确认)", "采用值", "达成率", "结论", "单位",
               "方向", "差异说明"],
    "lessons": ["类型", "内容", "改进措施", "责任部门", "标记", "行ID"],
    "thresholds": ["参数代码", "参数名称", "数值", "单位", "说明", "来源"],
    "metrics": ["指标名称", "单位", "方向", "环比口径", "汇总方式", "负责部门", "说明"],
}

# Functions missing from Excel 2016 or LibreOffice 7.4 (dynamic arrays, LET, 2019+ functions).
BANNED = re.compile(r"(?<![A-Z.])(XLOOKUP|XMATCH|LET|LAMBDA|FILTER|UNIQUE|SORT|SORTBY|SEQUENCE|"
                    r"TEXTJOIN|CONCAT|IFS|SWITCH|MAXIFS|MINIFS)\(")


def test_sheet_names_in_order() -> None:
    assert [s.name for s in SCHEMA.sheets] == SHEETS


@pytest.mark.parametrize("key", sorted(HEADERS))
def test_headers_exact(key: str) -> None:
    assert SCHEMA.table(key).headers == HEADERS[key]


def test_seed_template_headers_are_kept() -> None:
    """Seed 002 template 3 and template 2 columns all appear, in the seed's relative order."""
    daily = SCHEMA.table("daily").headers
    seed3 = ["日期", "核心指标", "目标值", "实际值", "达成率", "环比变化", "异常说明", "调整措施"]
    assert [h for h in daily if h in seed3] == seed3
    tasks = SCHEMA.table("tasks").headers
    seed2 = ["任务名称", "任务描述", "起始时间", "截止时间", "负责人", "协作部门", "交付物",
             "当前状态", "备注"]
    assert [h for h in tasks if h in seed2] == seed2


def test_table_names_unique_and_ascii() -> None:
    names = [t.name for t in SCHEMA.tables]
    assert len(names) == len(set(names))
    assert all(n.isascii() and n.isidentifier() for n in names)


@pytest.mark.parametrize("table", SCHEMA.tables, ids=lambda t: t.key)
def test_column_keys_unique(table: Table) -> None:
    keys = [c.key for c in table.columns]
    assert len(keys) == len(set(keys))
    assert len(set(table.headers)) == len(table.headers)


def test_choices_point_to_lists() -> None:
    dict_tables = {t.key for t in SCHEMA.sheet("dictionary").tables}
    for t in SCHEMA.tables:
        for c in t.columns:
            if c.choices:
                assert c.choices in dict_tables | set(INLINE_LISTS), (t.key, c.key)


def test_dictionary_has_every_list() -> None:
    keys = {t.key for t in SCHEMA.sheet("dictionary").tables}
    assert set(LISTS) | {"metrics", "import_map"} == keys
    assert LISTS["statuses"] == ("待开始", "进行中", "已完成", "已延期", "已取消")


def test_metric_catalogue_covers_issue_list_with_directions() -> None:
    required = ["GMV", "订单量", "访客数", "转化率", "客单价", "加购率", "新客占比", "复购率",
                "ROI", "点击率", "客诉率", "客服响应时长", "发货时长", "缺货率", "跳出率"]
    by_name = {m.name: m for m in METRICS}
    assert set(required) <= set(by_name)
    lower = {n for n, m in by_name.items() if m.direction == Direction.LOWER}
    assert lower == {"客诉率", "客服响应时长", "发货时长", "缺货率", "跳出率", "推广费用"}
    assert by_name["转化率"].is_rate and not by_name["GMV"].is_rate


def test_thresholds_cover_domain_defaults() -> None:
    values = {t.code: t.value for t in THRESHOLDS}
    assert values["pass_line"] == 0.95
    assert values["safety_stock_factor"] == 1.5
    assert values["flash_stock_factor"] == 1.2
    assert values["server_capacity_factor"] == 1.3
    assert values["tech_response_min"] == 15
    assert values["cs_response_sec"] == 30
    assert values["complaint_rate_max"] == 0.005
    assert values["ship_within_hours"] == 48
    assert values["ctr_below_industry"] == 0.2
    assert values["adjust_within_hours"] == 24
    assert values["warn_line"] < values["pass_line"]
    budget = [v for c, v in values.items() if c.startswith("budget_")]
    assert sum(budget) == pytest.approx(1.0)
    assert len(values) == len(THRESHOLDS)  # codes unique


def test_every_computed_column_has_a_python_twin() -> None:
    formula_cols = {(t.key, c.key) for t in SCHEMA.tables for c in t.computed_columns}
    assert formula_cols == set(COMPUTED)


@pytest.mark.parametrize(
    ("table", "column"), sorted(COMPUTED), ids=lambda x: str(x))
def test_formulas_render_portable(table: str, column: str) -> None:
    t = SCHEMA.table(table)
    f = render(t.col(column).formula or "", SCHEMA, t)
    assert not BANNED.search(f.upper()), f
    assert "[@" not in f
    assert "{" not in f and "}" not in f
    # every this-row reference uses the full form that LibreOffice understands
    assert len(re.findall(r"#This Row", f)) == len(re.findall(r"\[\[#This Row\],\[", f))


def test_banned_pattern_catches_new_functions() -> None:
    assert BANNED.search("=XLOOKUP(A1,B:B,C:C)")
    assert BANNED.search("=1+IFS(A1>0,1)")
    assert not BANNED.search("=SUMIFS(A:A,B:B,1)+COUNTIFS(B:B,1)")


def test_review_rows_come_from_target_columns() -> None:
    assert [m for m, _ in review_rows()] == ["GMV", "新客占比", "复购率", "新客数", "ROI"]
    t = SCHEMA.table("review")
    assert render(review_rows()[0][1], SCHEMA, t) == (
        'IF(INDEX(Targets[核心目标(GMV/万元)],1)="","",INDEX(Targets[核心目标(GMV/万元)],1))')


def test_highlights_render_to_a1_with_thresholds() -> None:
    daily = SCHEMA.table("daily")
    crit = [render_a1(h.when, daily, 3) for h in daily.highlights if h.style != Style.FLAG]
    assert crit[0] == "AND(ISNUMBER($H4),ROUND($H4,9)<TH_WARN_LINE)"
    assert crit[1] == "AND(ISNUMBER($H4),ROUND($H4,9)<TH_PASS_LINE)"


def test_unknown_reference_is_a_clear_error() -> None:
    t = SCHEMA.table("daily")
    with pytest.raises(FormulaError, match="daily: unknown reference"):
        render("{nope}", SCHEMA, t)
    with pytest.raises(FormulaError):
        render_a1("{metrics.name}", t, 3)


def test_types_of_key_columns() -> None:
    assert SCHEMA.table("daily").col("date").type == ColType.DATE
    assert SCHEMA.table("targets").col("gmv_target").type == ColType.WAN
    assert SCHEMA.table("targets").col("new_share_target").type == ColType.PERCENT
    assert SCHEMA.table("tasks").col("task_id").unique
    assert SCHEMA.table("tasks").id_column == "row_id"  # 任务编号 is typed by people; 行ID is xlpromo's
    assert [t.key for t in SCHEMA.tables if t.id_column] == ["breakdown", "tasks", "daily", "stock", "lessons"]
    assert [t.id_prefix for t in SCHEMA.tables if t.id_column] == ["B", "T", "D", "S", "L"]


def test_no_row_formula_of_a_growing_table_scans_a_growing_table() -> None:
    """Cost linear in rows: a formula repeated on every row of a table that grows with the campaign (任务, 日报,
    拆解, 复盘经验) looks up the short lists of 数据字典 only. The exceptions are 前一日实际值 and 权重, whose binary
    MATCH and bounded window (INDEX(…):INDEX(…)) keep it linear; 复盘's five rows may count over 每日监控."""
    lists = {t.name for t in SCHEMA.sheet("dictionary").tables}
    growing = {t.name for t in SCHEMA.tables if t.growable and t.name not in lists}
    assert growing == {"Breakdown", "Tasks", "Daily", "Stock", "Lessons"}
    scans = set()
    for t in SCHEMA.tables:
        if t.name not in growing:
            continue
        for c in t.columns:
            if c.formula:
                text = render(c.formula, SCHEMA, t)
                whole = {m for m in re.findall(r"\b([A-Z][A-Za-z]+)\[(?!\[#This Row\])", text)}
                if whole & growing:
                    scans.add((t.key, c.key))
        for h in t.highlights:
            assert not re.search(r"\{[a-z_]+\.[a-z_]+\}", h.when) or "{metrics." in h.when, h.meaning
    assert scans == {("daily", "dod_prev"), ("daily", "weight")}
