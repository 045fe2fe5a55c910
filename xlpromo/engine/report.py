"""The engine: read a workbook, validate it, recompute, raise alerts, and report.

Knows nothing of Excel beyond the file adapter (:mod:`xlpromo.files.reader`); the Excel layer
will call the same :func:`check_book` on what it reads in bulk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from xlpromo.engine.alert_state import settle
from xlpromo.engine.alerts import Alert
from xlpromo.engine.findings import Finding, Severity
from xlpromo.engine.metrics import as_of_date, compute
from xlpromo.engine.rules import raise_alerts
from xlpromo.engine.thresholds import with_threshold
from xlpromo.engine.validate import validate
from xlpromo.model.book import RawBook

__all__ = ["Report", "check_book"]


@dataclass
class Report:
    """Findings and alerts of one workbook; ``valid`` when no finding is an error."""

    path: Path
    findings: list[Finding]
    alerts: list[Alert]
    frames: dict[str, pd.DataFrame] = field(repr=False)
    stats: dict[str, Any]
    as_of: dt.date | None = None  # 统计日期 of the run (the alerts' states are as of it)
    raised: list[Alert] = field(default_factory=list, repr=False)  # as the rules raised them, before settle()

    @property
    def cell_alerts(self) -> list[Alert]:
        """The alerts cell by cell, as the rules raised them (a joined line still flags and marks each of its
        cells): for highlights and 标记, where :attr:`alerts` are the lines a person reads."""
        return self.raised or self.alerts

    @property
    def valid(self) -> bool:
        """True when no finding has error severity."""
        return not any(f.severity == Severity.ERROR for f in self.findings)

    def flatten(self, fields: list[str], *, alerts: bool = False) -> list[list[Any]]:
        """Rows of the chosen fields of each finding (or alert), e.g. ``["cell", "code"]``."""
        items = self.alerts if alerts else self.findings
        return [[item.to_dict()[f] for f in fields] for item in items]

    def tally(self) -> str:
        """The counts in Chinese, alerts by level (findings and alerts both know 提示):
        ``错误 0 条，提示 2 条；预警 18 条（严重 8、预警 7、提示 3）``."""
        levels: dict[str, int] = {}
        for a in self.alerts:
            levels[a.level.value] = levels.get(a.level.value, 0) + 1
        detail = "、".join(f"{k} {levels[k]}" for k in ("严重", "预警", "提示") if levels.get(k))
        return (f"错误 {self.stats['errors']} 条，提示 {self.stats['warnings']} 条；预警 {len(self.alerts)} 条"
                + (f"（{detail}）" if detail else ""))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``xlpromo check --json``."""
        return {"valid": self.valid, "file": self.path.name, "issues": [f.to_dict() for f in self.findings],
                "alerts": [a.to_dict() for a in self.alerts], "stats": self.stats}


def check_book(book: RawBook, *, as_of: dt.date | None = None) -> Report:
    """Validate a read workbook, recompute every computed column and raise alerts; ``as_of`` stands for the
    统计日期 of 阈值配置 (``daily --date``: yesterday's 日报 from today's workbook), the file is not changed."""
    validated = validate(book)
    frames = compute(validated.frames if as_of is None else with_threshold(validated.frames, "as_of", as_of))
    as_of = as_of_date(frames).date()
    raised = raise_alerts(frames, book)
    alerts = settle(raised, frames, as_of)
    errors = sum(f.severity == Severity.ERROR for f in validated.findings)
    stats = {
        "rows": {k: len(v) for k, v in frames.items() if k in ("tasks", "daily", "breakdown", "lessons")},
        "errors": errors,
        "warnings": len(validated.findings) - errors,
        "alerts": len(alerts),
    }
    return Report(path=book.path, findings=validated.findings, alerts=alerts, frames=frames, stats=stats,
                  as_of=as_of, raised=raised)
