"""What a merge did, as records (a change, a conflict) and as the Chinese summary a person reads.

The records are what the CLI's table, the add-in's message box and the two sheets
``合并冲突``/``变更记录`` are made from, so they all say the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlpromo.engine.report import Report

__all__ = ["CHANGES_SHEET", "CONFLICTS_SHEET", "Change", "Conflict", "MergeResult"]

CONFLICTS_SHEET = "合并冲突"
CHANGES_SHEET = "变更记录"


@dataclass(frozen=True)
class Change:
    """A value the merge wrote over another (one row of 变更记录)."""

    source: str
    dept: str
    sheet: str
    cell: str
    row_id: str
    header: str
    old: Any
    new: Any
    num_format: str | None = None  # the source row's, so the log shows 0.45% as the cell does


@dataclass(frozen=True)
class Conflict:
    """A cell (or row) the merge did not decide: the master keeps its value."""

    kind: str  # 冲突 / 副本删除了此行 / 主表已删除此行 / 无法新增
    sheet: str
    cell: str
    row_id: str
    header: str
    base: Any
    master: Any
    sides: list[tuple[Any, str]]  # (value, "file（dept）")
    num_format: str | None = None  # the source row's, so the sheet shows 0.45% as the cell does


@dataclass
class MergeResult:
    """What a merge did; :meth:`summary` says it in Chinese."""

    output: Path
    copies: list[tuple[str, str]]  # (file names, department), one per copy ID
    changes: list[Change] = field(default_factory=list)
    appended: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    # (sheet, cell, row ID, source file, the row's values as text)
    conflicts: list[Conflict] = field(default_factory=list)
    already_merged: int = 0  # new rows of a copy found merged before (not appended again)
    twins: list[tuple[str, str]] = field(default_factory=list)  # (newest file, older files) of one copy ID
    older: list[tuple[str, str, float, float]] = field(default_factory=list)
    # (file, department, when it was saved, when the version merged before was saved): set aside whole
    report: Report | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Numbers of changes, appended rows, conflicts, deleted-row flags, skipped rows, findings and alerts."""
        r = self.report
        return {"copies": len(self.copies), "changes": len(self.changes), "appended": len(self.appended),
                "conflicts": sum(c.kind == "冲突" for c in self.conflicts),
                "flagged": sum(c.kind != "冲突" for c in self.conflicts), "already_merged": self.already_merged,
                "older": len(self.older),
                "errors": r.stats["errors"] if r else 0, "warnings": r.stats["warnings"] if r else 0,
                "alerts": len(r.alerts) if r else 0}

    def summary(self) -> str:
        """A Chinese summary: what was merged, what conflicted, what needs attention."""
        n = self.counts
        who = "、".join(f"{dept}（{name}）" for name, dept in self.copies) or "无"
        lines = [f"已合并 {n['copies']} 个副本：{who}，写入 {self.output.name}。"]
        for newest, older in self.twins:
            lines.append(f"{older} 与 {newest} 是同一份副本的不同版本（副本ID相同）：按保存时间合并，"
                         f"同一单元格以较新的 {newest} 为准。")
        for name, dept, saved, merged in self.older:
            lines.append(f"{name} 是{dept}副本的较旧版本（保存于 {_when(saved)}，早于已合并的版本 {_when(merged)}）："
                         "未采用其中任何值，以免旧邮件覆盖较新的答复。")
        again = f"，已合并过的新增行 {n['already_merged']} 行（未重复添加）" if n["already_merged"] else ""
        lines.append(f"采纳修改 {n['changes']} 处，新增行 {n['appended']} 行{again}。")
        if n["conflicts"]:
            lines.append(f"冲突 {n['conflicts']} 处：保留主表的值，各方的值见“{CONFLICTS_SHEET}”工作表，请人工决定。")
        else:
            lines.append("没有冲突。")
        if n["flagged"]:
            kinds: dict[str, int] = {}
            for c in self.conflicts:
                if c.kind != "冲突":
                    kinds[c.kind] = kinds.get(c.kind, 0) + 1
            lines.append("需要确认：" + "，".join(f"{k} {v} 处" for k, v in kinds.items())
                         + f"（未删除、未改动，见“{CONFLICTS_SHEET}”）。")
        if n["changes"]:
            lines.append(f"所有被覆盖的原值都记在“{CHANGES_SHEET}”工作表中，可据此恢复。")
        tally = self.report.tally() if self.report else "错误 0 条，提示 0 条；预警 0 条"
        lines.append(f"合并后校验：{tally}（见“问题清单”“预警”工作表）。")
        return "\n".join(lines)


def _when(t: float) -> str:
    """A saved time as a person reads it, in the machine's local time: ``2024-06-20 12:00``."""
    return dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M")
