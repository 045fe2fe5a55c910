"""The 使用说明 sheet: generated from the schema so it never disagrees with the workbook."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from xlpromo.model import gantt
from xlpromo.model.defaults import STOCK_STATES, threshold
from xlpromo.model.schema import Style, WorkbookSchema
from xlpromo.ooxml import INPUT_BORDER, INPUT_FILL

__all__ = ["STEPS", "TIPS", "fill", "write"]


def _th(code: str) -> str:
    """A threshold as the guide names it, with the sheet where its value is changed (a ``{s:…}`` template)."""
    return f"{{s:thresholds}}中的“{threshold(code).name}”"


STOCK_OUT, STOCK_LOW, STOCK_AGED, STOCK_OK = STOCK_STATES

STEPS = (
    ("筹备期", "市场部填写{s:targets}（目标值、时间节点）；运营部填写{s:breakdown}和{s:tasks}，"
              "每项任务只指定一位负责人。"),
    ("资源整合", "采购、仓储、技术、设计、客服各部门在{s:tasks}中更新自己任务的当前状态；"
                "运营部在{s:stock}列出活动商品，采购部、仓储部更新{c:stock.stock}、{c:stock.daily_sales}和"
                "{c:stock.age_days}；技术部在活动开始前3天完成全流程测试。"),
    ("预热期 / 爆发期 / 返场期", "各指标的负责部门每天在{s:daily}填写目标值和实际值；"
                           "未达标时24小时内填写异常说明和调整措施。"),
    ("复盘", "{s:review}自动汇总目标与结果；运营部补充平台最终数据（{c:review.confirmed}）、"
            "成功因素与问题改进。"),
)

TIPS = (
    "达成率：越高越好的指标 = 实际值 ÷ 目标值；越低越好的指标（客诉率、响应时长、缺货率、跳出率）"
    "= 目标值 ÷ 实际值。例：客诉率目标 0.5%、实际 0.4%，达成率 125%。",
    "环比变化：与同一指标、同一渠道前一天相比。比率类指标（转化率等）为百分点差，"
    "其他指标为相对变化，见{c:daily.dod_basis}列。",
    "{c:tasks.days_left}和{c:tasks.overdue}按{s:thresholds}中的统计日期计算；统计日期留空则按打开文件的当天计算。",
    "所有阈值（达标线、预警线、临期天数等）都在{s:thresholds}中修改，颜色和公式随之变化。",
    f"{{s:tasks}}右侧为甘特图，每天一列，从预热开始前{gantt.PREP_DAYS // 7}周（有任务更早开始时最多"
    f"{gantt.PREP_MAX // 7}周）至返场结束后{gantt.POST_DAYS // 7}周，日期随活动目标变化。"
    f"{gantt.LEGEND}。只需填写起始时间、截止时间和当前状态，条形自动更新。",
    f"{{s:stock}}：{{c:stock.discount}} = 活动价 ÷ 日常价（85% 即 8.5折）；{{c:stock.safety_stock}} = 日均销量 × "
    f"{_th('safety_stock_factor')}；秒杀商品的{{c:stock.flash_stock}} = 预估销量 × {_th('flash_stock_factor')}；"
    f"{{c:stock.days_cover}} = 当前库存 ÷ 日均销量。{{c:stock.status}}依次判断：{STOCK_OUT}（库存≤0）、"
    f"{STOCK_LOW}、{STOCK_AGED}（库龄超过{_th('stock_age_days')}）、{STOCK_OK}。",
    "数值请按指标单位填写：GMV 填万元（如 5.8），比率直接输入百分数（如 4.1%）。",
    "xlpromo import 按{s:dictionary}右侧的“导入映射”读取平台导出文件：{c:import_map.platform}的"
    "{c:import_map.header}乘以{c:import_map.factor}记入{c:import_map.metric}（元→万元为 0.0001）。"
    "平台改了列名时，在表末加一行新列名即可；同一平台同一指标有多行时，靠上的优先。",
    "{protected}已设置工作表保护（无密码），只能修改白色填写格；"
    "需要时可在“审阅 → 撤销工作表保护”解除。其他表不设保护，方便在表格末尾追加行："
    "在最后一行按 Tab 键或在紧邻表格的下一行输入，表格和公式自动扩展。",
    "在 LibreOffice 中追加行：在表格最后一行之上插入行，再把灰色列的公式向下填充。",
    "没有 Python 也能使用：下拉列表、公式、颜色提示都是表格自带功能。安装 xlpromo 后可额外获得"
    "跨表校验、问题清单与预警清单、计算结果填入和复盘报告。",
)


_REF = re.compile(r"\{([sc]):([a-z_]+)(?:\.([a-z_]+))?\}")


def fill(text: str, schema: WorkbookSchema) -> str:
    """Replace ``{s:sheet}``, ``{c:table.column}`` and ``{protected}`` with the schema's names."""

    def sub(m: re.Match[str]) -> str:
        if m[1] == "s":
            return f"“{schema.sheet(m[2]).name}”"
        return f"“{schema.table(m[2]).col(m[3]).header}”"

    protected = "、".join(s.name for s in schema.sheets if s.protected)
    return _REF.sub(sub, text).replace("{protected}", protected)


def write(ws: Worksheet, fmt: Callable[..., Format], schema: WorkbookSchema,
          styles: Mapping[Style, Mapping[str, Any]]) -> None:
    """Fill the guide sheet: sheet tour, steps by phase, colour legend and tips."""
    title = fmt(bold=True, font_size=16, font_color="#1F4E78")
    h2 = fmt(bold=True, font_size=12, font_color="#1F4E78")
    head = fmt(bold=True, font_color="#FFFFFF", bg_color="#1F4E78", border=1)
    cell = fmt(border=1, border_color="#BFBFBF", text_wrap=True, valign="top")
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 46)
    ws.set_column(2, 2, 26)
    ws.set_column(3, 3, 16)
    ws.write_string(0, 0, "促销活动主工作簿 · 使用说明", title)
    ws.set_row(0, 28)
    r = 2
    ws.write_string(r, 0, "一、工作表一览", h2)
    r += 1
    for j, label in enumerate(("工作表", "用途", "谁来填", "阶段")):
        ws.write_string(r, j, label, head)
    for s in schema.sheets:
        r += 1
        for j, v in enumerate((s.name, s.purpose, s.filled_by, s.phase)):
            ws.write_string(r, j, v, cell)
    r += 2
    ws.write_string(r, 0, "二、填写流程", h2)
    for phase, text in STEPS:
        r += 1
        ws.write_string(r, 0, phase, cell)
        ws.merge_range(r, 1, r, 3, fill(text, schema), cell)
        ws.set_row(r, 32)
    r += 2
    ws.write_string(r, 0, "三、颜色说明", h2)
    legend: list[tuple[str, Format]] = [
        ("蓝色表头", fmt(bold=True, font_color="#FFFFFF", bg_color="#1F4E78", border=1)),
        ("灰色表头", fmt(bold=True, font_color="#FFFFFF", bg_color="#595959", border=1)),
    ]
    meanings = ["需要填写的列（白色单元格可编辑）", "自动计算的列，请勿覆盖"]
    # a department copy's own cells (xlpromo split): light yellow framed in orange, told apart from 黄色 (预警)
    legend.append(("浅黄色橙框", fmt(bg_color=f"#{INPUT_FILL[2:]}", border=1, border_color=f"#{INPUT_BORDER[2:]}")))
    meanings.append("部门副本中本部门要填写的单元格（仅这些未锁定）；与表示预警、临期的黄色不同")
    seen: dict[Style, list[str]] = {}
    for t in schema.tables:
        for hl in t.highlights:
            seen.setdefault(hl.style, [])
            if hl.meaning not in seen[hl.style]:
                seen[hl.style].append(hl.meaning)
    names = {Style.RED: "红色", Style.AMBER: "黄色", Style.GREEN: "绿色", Style.GREY: "灰色文字",
             Style.RED_TEXT: "红色粗体文字", Style.FLAG: "紫色粗框"}
    for style, texts in seen.items():
        legend.append((names[style], fmt(**{"border": 1, **styles[style]})))
        meanings.append("；".join(texts))
    for (name, f), meaning in zip(legend, meanings, strict=True):
        r += 1
        ws.write_string(r, 0, name, f)
        ws.merge_range(r, 1, r, 3, meaning, cell)
    r += 2
    ws.write_string(r, 0, "四、填写要点", h2)
    for i, tip in enumerate(TIPS, 1):
        r += 1
        ws.write_string(r, 0, f"要点 {i}", cell)
        ws.merge_range(r, 1, r, 3, fill(tip, schema), cell)
        ws.set_row(r, 32 if len(tip) < 70 else 46)
