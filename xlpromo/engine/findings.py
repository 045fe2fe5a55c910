"""Findings: what is wrong in a usable workbook, each naming its sheet and cell.

Every kind of finding is a small class with an English ``code``, a Chinese ``title``, a
``severity`` and a message ``template``; :meth:`Check.at` makes a :class:`Finding`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from xlpromo.model.parse import shown

__all__ = ["CHECKS", "Check", "Finding", "Severity", "json_value"]


class Severity(StrEnum):
    """error: the workbook is wrong (exit code 1); warning: worth a look."""

    ERROR = "error"
    WARNING = "warning"


def json_value(v: Any) -> Any:
    """A cell value as JSON can carry it: dates as ISO text, NaN as null."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, (bool, int, float, str)):
        return v if not isinstance(v, str) else str(v)
    return str(v)


@dataclass(frozen=True)
class Finding:
    """One problem at one place: ``任务分工!D7: 截止时间早于起始时间``."""

    code: str
    severity: Severity
    sheet: str
    cell: str
    row: int | None
    header: str
    value: Any
    message: str

    @property
    def ref(self) -> str:
        """Sheet-qualified cell, e.g. ``任务分工!D7`` (just the sheet when there is no cell)."""
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    @property
    def shown_value(self) -> str:
        """The value as a person reads it (``30`` not ``30.0``, ``2024-06-20 06:00``, ``01:03``); "" when blank."""
        return "" if json_value(self.value) is None else shown(self.value)

    def __str__(self) -> str:
        return f"{self.ref}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with every field."""
        return {"code": self.code, "severity": self.severity.value, "sheet": self.sheet, "cell": self.cell,
                "row": self.row, "header": self.header, "value": json_value(self.value), "message": self.message}


class Check:
    """Base of the finding kinds; subclasses only set the class attributes."""

    code: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    template: ClassVar[str]

    @classmethod
    def at(cls, sheet: str, cell: str, row: int | None, header: str, value: Any = None, **ctx: Any) -> Finding:
        """A finding of this kind; ``ctx`` fills the template besides header and value (dates and times of either
        shown as a person reads them: 2024-06-20, 2024-06-20 06:00, 01:03)."""
        text = "" if json_value(value) is None else shown(value)
        ctx = {k: shown(v) if isinstance(v, (dt.date, dt.time, dt.timedelta)) else v for k, v in ctx.items()}
        message = cls.template.format(header=header, value=text, **ctx)
        return Finding(cls.code, cls.severity, sheet, cell, row, header, value, message)


class Required(Check):
    code, title, template = "required", "必填项为空", "“{header}”为必填项"


class NotANumber(Check):
    code, title, template = "type-number", "不是数字", "{reason}"


class NotFinite(Check):
    """A number cell holding no finite number: ``<v>1e309</v>``, ``INF`` or ``NaN`` stored, or text such as
    ``1e309`` typed; never computed with, never written out as a number."""

    code, title, template = "not-finite", "不是有限的数字", "{reason}"


class NotADate(Check):
    code, title, template = "type-date", "不是日期", "{reason}"


class UnitMismatch(Check):
    code, title, template = "unit-mismatch", "单位不符", "{reason}"


class ErrorValue(Check):
    code, title, template = "error-value", "错误值", "单元格是错误值 {value}，请检查公式或重新填写"


class NotInList(Check):
    code, title, template = "not-in-list", "不在列表中", "“{value}”不在{list}中"


class OutOfRange(Check):
    code, title, template = "out-of-range", "超出范围", "{value} 超出允许范围（{bounds}）{hint}"


class DuplicateKey(Check):
    code, title, template = "duplicate-key", "重复", "{what}与第 {other} 行重复"


class DateOrder(Check):
    code, title, template = "date-order", "日期先后不对", "{message}"


class OutsideCampaign(Check):
    code, title, severity, template = ("outside-campaign", "不在活动期内", Severity.WARNING,
                                       "日期 {value} 不在活动期（{start} 至 {end}）内")


class FarFromCampaign(Check):
    code, title, severity, template = ("far-from-campaign", "日期离活动期太远", Severity.WARNING,
                                       "{what} {value} 比活动期（{start} 至 {end}）{days} 天：年份是否填错？")


class ScaleMismatch(Check):
    code, title, severity = "scale-mismatch", "实际值与目标值数量级不符", Severity.WARNING
    template = "实际值 {actual} 是目标值 {target} 的 {times}：单位或百分号是否写错？"


class StaleAsOf(Check):
    code, title, severity = "stale-as-of", "统计日期早于已填的数据", Severity.WARNING
    template = ("每日监控有 {rows} 行日期晚于统计日期 {value}，却已填实际值（最晚 {last}）："
                "请更新统计日期，或清空它以按今天计算")


class BudgetSum(Check):
    code, title, severity, template = ("budget-sum", "预算占比合计不是 100%", Severity.WARNING,
                                       "预算占比合计 {total}（{parts}），应为 100%")


class ThresholdOrder(Check):
    """Two thresholds of 阈值配置 out of the order they must keep (严重预警线 below 达标线 …)."""

    code, title, template = "threshold-order", "阈值先后不对", "{message}"


class MultipleOwners(Check):
    code, title = "multiple-owners", "负责人不唯一"
    template = "“{value}”：每项任务只能有一位负责人，其他人请写入协作部门或备注"


class TargetMismatch(Check):
    code, title, severity = "target-mismatch", "拆解与总目标不一致", Severity.WARNING
    template = "拆解的 {metric} 目标 {value} 与活动目标 {total} 相差 {gap:.0%}（允许 {tol:.0%}）"


class SuspiciousUnit(Check):
    code, title, severity, template = ("suspicious-unit", "单位可疑", Severity.WARNING,
                                       "{value} 按万元计过大，是否按元填写了？（{value} 元 = {wan:g} 万元）")


class TextTooLong(Check):
    code, title, template = "text-too-long", "文字过长", "文字长度 {length} 超过 Excel 单元格上限 32767"


class FormulaLikeText(Check):
    code, title, severity, template = ("formula-like-text", "疑似公式文字", Severity.WARNING,
                                       "以“{first}”开头的文字按文本保存；另存为 CSV 后可能被当作公式执行")


class TextNumber(Check):
    code, title, severity, template = ("text-number", "文本型数字", Severity.WARNING,
                                       "“{value}”是文本：程序读作 {parsed}，但表内公式不会计算它，请改为数字 {parsed}")


class TextDate(Check):
    code, title, severity, template = ("text-date", "文本型日期", Severity.WARNING,
                                       "“{value}”是文本：程序读作 {parsed}，但表内公式不会计算它，请改为日期 {parsed}")


class StraySpace(Check):
    code, title, severity = "stray-space", "前后有空格", Severity.WARNING
    template = ("“{value}”{where}有空格：程序读作“{text}”，但表内公式和下拉列表按原样比较，认不出它；"
                "请删除空格")


class MissingThreshold(Check):
    code, title, template = "missing-threshold", "缺少阈值", "阈值配置中缺少参数代码“{value}”，相关公式与预警无法计算"


class EmptyList(Check):
    code, title, template = "empty-list", "列表为空", "数据字典的“{value}”列表为空，下拉选择和校验都无法进行"


class FormulaOverwritten(Check):
    code, title, severity, template = ("formula-overwritten", "公式被覆盖", Severity.WARNING,
                                       "“{header}”是自动计算列，这里的公式被手工填写的值覆盖了；请从上一行向下填充公式")


class NotUpgraded(Check):
    code, title, severity, template = ("not-upgraded", "未能升级", Severity.WARNING,
                                       "本表由旧版生成，缺少自动计算列{value}；表格的列已被移动，重算无法安全地补上，"
                                       "“{header}”仍用旧公式（行多时较慢）：把插入的列移出表格（或把列移回原位）后"
                                       "再重算，或用 xlpromo new 生成新模板，把数据粘贴过去")


class ExtraColumn(Check):
    code, title, severity, template = ("extra-column", "多余的列", Severity.WARNING,
                                       "“{value}”不是本表的列，程序不会读取它")


class DuplicateColumn(Check):
    code, title, severity, template = ("duplicate-column", "重复的列", Severity.WARNING,
                                       "“{value}”列出现了两次，只读取第一列")


class MergedCells(Check):
    code, title, severity, template = ("merged-cells", "合并单元格", Severity.WARNING,
                                       "数据区内有合并单元格 {value}：只有左上角的格子有值，请取消合并")


class NotATable(Check):
    code, title, severity, template = ("not-a-table", "不再是 Excel 表格", Severity.WARNING,
                                       "“{header}”所在的区域已不是 Excel 表格“{value}”（被“转换为区域”、改名或删除）："
                                       "校验照常，但重算、分发和合并需要它；请选中表头到最后一行，"
                                       "插入 → 表格（包含标题），再在“表设计”中把表名改回 {value}")


class UnwatchedMetric(Check):
    code, title, severity = "rule-metric-missing", "预警规则的指标不在目录中", Severity.WARNING
    template = "预警规则“{rule}”监控的指标“{value}”不在指标目录中，这条预警不会再触发；请恢复这个指标名称"


CHECKS: tuple[type[Check], ...] = (
    Required, NotANumber, NotADate, UnitMismatch, ErrorValue, NotInList, OutOfRange, DuplicateKey, DateOrder,
    OutsideCampaign, MultipleOwners, TargetMismatch, SuspiciousUnit, TextTooLong, FormulaLikeText, TextNumber,
    TextDate, StraySpace, MissingThreshold, EmptyList, FormulaOverwritten, ExtraColumn, DuplicateColumn, MergedCells,
    UnwatchedMetric, FarFromCampaign, ThresholdOrder, BudgetSum, ScaleMismatch, StaleAsOf, NotFinite,
)
