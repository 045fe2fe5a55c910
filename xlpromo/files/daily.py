"""The 日报 as a person reads it on a phone: plain text, Markdown for the group robots, or JSON.

One list of lines serves both texts: Markdown marks the headings bold (every robot renders ``**``), the plain
text brackets them (【…】) for a terminal, an e-mail or the 日报 sheet. Numbers are worded as the cells show them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from xlpromo.engine.alerts import on
from xlpromo.engine.daily import DailyReport, DayMetric, Todo
from xlpromo.ooxml import atomic_path

__all__ = ["DAILY_FORMATS", "LIMIT", "render_daily", "write_daily"]

DAILY_FORMATS = ("text", "markdown", "json")
#: Lines per 责任部门 and per list a phone shows before "……另有 N 条" (0: all).
LIMIT = 5
_GOOD = 5  # metrics named under 做得好


def _number(v: float, unit: str = "") -> str:
    """A value as its cell shows it: 0.45% for a rate, 17.5 for 17.50, 3,533,837 with separators."""
    if not math.isfinite(v):
        return "—"
    if unit == "%":
        return f"{v * 100:.2f}".rstrip("0").rstrip(".") + "%"
    text = f"{v:,.2f}".rstrip("0").rstrip(".")
    return text + (unit if unit and unit not in ("万元", "元") else "")


def _rate(v: float) -> str:
    return f"{v:.1%}" if math.isfinite(v) else "—"


def _dod(m: DayMetric) -> str:
    """环比 as the 每日监控 column shows it: points for a rate metric, a relative change otherwise."""
    if not math.isfinite(m.dod):
        return ""
    return f"，环比 {m.dod * 100:+.1f} 个百分点" if m.dod_points else f"，环比 {m.dod:+.1%}"


def _todo_line(t: Todo) -> str:
    a = t.alert
    state = f"·{a.state}" if a.state else ""
    if t.cause_late:  # the row's own cause-overdue alert, said on its line
        return f"【{a.level.value}{state}】{a.message} → 已超过 24 小时，立即补填异常说明与调整措施"
    return f"【{a.level.value}{state}】{a.message} → {a.deadline}"


def _cut(lines: list[str], limit: int, what: str) -> list[str]:
    if limit and len(lines) > limit:
        return [*lines[:limit], f"……另有 {len(lines) - limit} 条{what}，见工作簿“预警”表"]
    return lines


def daily_lines(d: DailyReport, limit: int = LIMIT) -> list[tuple[int, str]]:
    """The 日报 as (level, text) lines: 0 the title, 1 a heading, 2 a bullet, 3 a plain line."""
    out: list[tuple[int, str]] = [(0, f"{d.campaign} · 日报 {d.as_of:%Y-%m-%d}")]
    where = d.phase or "活动日期未填"
    if d.day_no and d.days:
        where += f" · 第 {d.day_no}/{d.days} 天"
    p = d.pacing
    if p is not None:
        where += f"，时间进度 {p.elapsed:.0%}"
    out.append((3, where))
    if math.isfinite(d.gmv):
        target = f"，目标 {_number(d.gmv_target)} 万元，达成 {_rate(d.gmv_rate)}" if math.isfinite(d.gmv_target) else ""
        out.append((2, f"GMV {d.day:%m-%d}：{_number(d.gmv)} 万元{target}"))
    else:
        out.append((2, f"GMV {d.day:%m-%d}：未填写实际值"))
    if p is not None and math.isfinite(p.gmv_to_date):
        out.append((2, f"GMV 累计 {_number(p.gmv_to_date)} 万元 / 目标 {_number(p.gmv_target)} 万元，"
                       f"完成 {_rate(p.progress)}，进度比 {p.pace:.2f}（≥1 为按计划推进）"))
    if d.off:
        out.append((1, f"{d.day:%m-%d} 未达标 {len(d.off)} 项"))
        out += [(2, line) for line in _cut([f"{on({'metric': m.metric, 'channel': m.channel})} "
                                            f"{_number(m.actual, m.unit)} / 目标 {_number(m.target, m.unit)}，"
                                            f"达成率 {_rate(m.rate)}（{m.status}）{_dod(m)}" for m in d.off],
                                           limit, "未达标")]
    open_ = sum(len(v) for v in d.todo.values())
    out.append((1, f"待处理 {open_} 条（按责任部门）" if open_ else "待处理：无"))
    for dept, items in d.todo.items():
        out.append((3, f"{dept}（{len(items)}）"))
        out += [(2, line) for line in _cut([_todo_line(t) for t in items], limit, "待处理")]
    good = [f"{on({'metric': m.metric, 'channel': m.channel})} {_rate(m.rate)}" for m in d.good]
    if good or d.done:
        out.append((1, "做得好"))
        if good:
            more = f" 等 {len(good)} 项" if len(good) > _GOOD else ""
            out.append((2, f"达标：{'、'.join(good[:_GOOD])}{more}"))
        out += [(2, f"已完成 {t.task_id}“{t.name}”（{t.dept}{'，' + t.owner if t.owner else ''}）") for t in d.done]
    tail = f"已说明 {d.explained} 条，跟进措施效果；" if d.explained else ""
    out.append((3, f"{tail}全部 {d.alerts} 条预警见工作簿“预警”表。"))
    return out


def render_daily(d: DailyReport, fmt: str = "text", limit: int = LIMIT) -> str:
    """The 日报 in ``fmt``: ``text`` (【】 headings), ``markdown`` (for the group robots) or ``json`` (everything,
    no limit)."""
    if fmt == "json":
        return json.dumps(d.to_dict(), ensure_ascii=False, indent=2)
    lines = daily_lines(d, limit)
    if fmt == "markdown":
        marks = {0: "### {}", 1: "**{}**", 2: "- {}", 3: "{}"}
    elif fmt == "text":
        marks = {0: "【{}】", 1: "【{}】", 2: "· {}", 3: "{}"}
    else:
        raise ValueError(f"日报格式只能是 {'、'.join(DAILY_FORMATS)}：{fmt}")
    return "\n".join(marks[level].format(text) for level, text in lines) + "\n"


def write_daily(text: str, out: str | Path) -> Path:
    """Write the rendered 日报 to ``out`` atomically (UTF-8)."""
    out = Path(out)
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return out
