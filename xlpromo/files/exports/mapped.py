"""An export's table mapped onto our metrics: one value per day and metric, in the catalogue's unit, or a reason.

For each metric the platform's rules name, the first alias present in the file is its column; the value is the
cell times the rule's factor (支付金额 in 元 × 0.0001 → GMV in 万元), rounded to 10 decimals so 13,140.01 元 is
1.314001 万元 and not 1.3140010000000001. A cell that is not a number, a row whose date is not a date, are reasons
naming the file and the source line (``生意参谋.csv 第 7 行：支付金额“abc”不是数字``), never silent drops; ``-`` and
blanks are no value. A file none of whose columns the rules know is refused (ExportError) with the headers found
and the columns expected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from xlpromo.errors import ExportError, ParseError
from xlpromo.files.exports.layout import ExportTable
from xlpromo.model.export_values import cell_date, cell_number
from xlpromo.model.import_map import IMPORT_RULES, NOT_IMPORTED, PLATFORMS, ImportRule, rules_for
from xlpromo.model.parse import shown

__all__ = ["Mapped", "MappedValue", "expected_columns", "known_headers", "map_export"]


@dataclass(frozen=True)
class MappedValue:
    """One figure of an export as it goes into 每日监控: its day, metric and value, and where it came from."""

    date: dt.date
    metric: str
    value: float
    line: int  # the source line in the export
    header: str  # the export's column


@dataclass
class Mapped:
    """The values of one export, the columns used (metric → header), and the reasons for what could not be read."""

    values: list[MappedValue] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # columns known not to be imported (京东's 下单金额), with why


def _columns(table: ExportTable, rules: Collection[ImportRule]) -> dict[str, tuple[int, ImportRule]]:
    """Metric → (column index, rule) of the first alias the file has, for each metric the rules name."""
    out: dict[str, tuple[int, ImportRule]] = {}
    for rule in rules:
        col = table.column(rule.header)
        if rule.metric not in out and col is not None:
            out[rule.metric] = (col, rule)
    return out


def map_export(table: ExportTable, platform: str, rules: Collection[ImportRule] = IMPORT_RULES,
               date_from: dt.date | None = None, date_to: dt.date | None = None) -> Mapped:
    """The values of ``table`` as ``platform``'s rules map them, days outside ``date_from``..``date_to`` left out;
    ExportError when no column of the file is one the rules know."""
    mine = rules_for(platform, rules)
    name = table.path.name
    columns = _columns(table, mine)
    if not columns:
        raise ExportError(table.path, f"没有可导入的列：找到的表头是 {'、'.join(table.headers)}；"
                                      f"{expected_columns(rules, platform)}（列名改过时，可在导入映射中加一行别名）")
    out = Mapped(columns={m: table.headers[c] for m, (c, _) in columns.items()})
    out.ignored = [f"{h}：{why}" for (p, h), why in NOT_IMPORTED.items()
                   if p == platform and table.column(h) is not None]
    date_col = table.date_column
    for row in table.rows:
        try:
            day = cell_date(row.cells[date_col])
        except ParseError as exc:
            out.unreadable.append(f"{name} 第 {row.line} 行：{table.headers[date_col]}“{shown(row.cells[date_col])}”"
                                  f"不是日期（{exc}）")
            continue
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        for metric, (col, rule) in columns.items():
            cell = row.cells[col] if col < len(row.cells) else None
            try:
                number = cell_number(cell)
            except ParseError:
                out.unreadable.append(f"{name} 第 {row.line} 行：{table.headers[col]}“{shown(cell)}”不是数字")
                continue
            if number is not None:
                out.values.append(MappedValue(day, metric, round(number * rule.factor, 10), row.line,
                                              table.headers[col]))
    return out


def expected_columns(rules: Collection[ImportRule], platform: str = "auto") -> str:
    """The export columns 导入映射 has, for a refusal to name: of ``platform``, or of every platform ("auto")."""
    codes = list(PLATFORMS) if platform == "auto" else [platform]
    parts = []
    for code in codes:
        heads = "、".join(dict.fromkeys(r.header for r in rules_for(code, rules)))
        parts.append(f"{PLATFORMS[code].name}：{heads or '（没有映射行）'}")
    return "导入映射中的列有 " + "；".join(parts)


def known_headers(rules: Collection[ImportRule] = IMPORT_RULES) -> set[str]:
    """Every export column the rules know (the header row is the one with the most of them)."""
    return {r.header for r in rules} | {h for _, h in NOT_IMPORTED}

