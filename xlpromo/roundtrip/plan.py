"""``xlpromo plan``: the planned 每日监控 rows written into a copy of the workbook (or into it, after a backup).

The rows come from :func:`xlpromo.engine.plan.plan_daily`; they are added as an import or a merge adds rows
(:mod:`.fill`), each logged in 变更记录, and the result is recalculated. A row already there is never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xlpromo.engine.plan import DailyPlan, PlanError, plan_daily
from xlpromo.engine.validate import validate
from xlpromo.errors import WorkbookError
from xlpromo.files.reader import read_workbook
from xlpromo.model.master import SCHEMA
from xlpromo.roundtrip.fill import Filled, Into, fill_daily

__all__ = ["PLAN_SOURCE", "Planned", "plan_book"]

#: What 变更记录 names as the source of a planned row.
PLAN_SOURCE = "xlpromo plan（日计划）"


@dataclass(frozen=True)
class Planned:
    """The plan made and where it was written."""

    plan: DailyPlan
    filled: Filled

    def summary(self) -> str:
        """In Chinese: rows added per metric, rows kept, metrics left out, the check of the result."""
        rows = self.plan.rows
        per = "，".join(f"{m} {n} 行" for m, n in rows.groupby("metric", sort=False).size().items()) or "无"
        lines = [f"已生成日计划 {len(rows)} 行（{per}），写入 {self.filled.output.name}。"]
        if self.plan.kept:
            lines.append(f"已有的 {self.plan.kept} 行（同一日期、指标、渠道）保持原样，未改动。")
        lines += [f"未生成：{s}" for s in self.plan.skipped]
        if len(rows):
            lines.append("新增的每一行都记在“变更记录”工作表中。")
        lines.append(f"校验：{self.filled.report.tally()}（见“问题清单”“预警”工作表）。")
        return "\n".join(lines)


def plan_book(book: str | Path, out: str | Path | None = None, *, in_place: bool = False,
              metrics: Sequence[str] = (), channels: Sequence[str] = ()) -> Planned:
    """Add the daily plan to ``book`` into ``out`` (or ``book`` itself when ``in_place``, after a backup);
    WorkbookError naming the file when the plan cannot be made (dates missing, a metric without a target…)."""
    book = Path(book)
    raw = read_workbook(book)
    frames = validate(raw).frames
    try:
        plan = plan_daily(frames, metrics, channels)
    except PlanError as exc:
        raise WorkbookError(book, str(exc), sheet=SCHEMA.sheet_of(exc.table).name) from None
    into = Into(rows=[{"date": d.date(), "metric": m, "channel": c or None, "target": t}
                      for d, m, c, t in plan.rows.itertuples(index=False)])
    filled = fill_daily(raw, None if in_place else Path(str(out)), into, source=PLAN_SOURCE, in_place=in_place)
    return Planned(plan, filled)
