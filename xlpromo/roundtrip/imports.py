"""``xlpromo import``: the platforms' exports into 每日监控's 实际值, losing nothing that was typed.

Each export is read (:mod:`xlpromo.files.exports`), its platform found from its headers or its name, its columns
mapped onto metrics; every value goes to the row of the same 日期, 核心指标 and 渠道 (a blank 渠道 is 全渠道; of
rows repeated, the first, as the 环比 twin takes it). A blank 实际值 is filled; an equal one is left (importing
the same export twice changes nothing); a different one is a conflict in 合并冲突 and kept — unless
``overwrite``, when it is replaced and the old value logged in 变更记录. A day with no planned row gets a row with a
blank 目标值 (check then asks for it). Unreadable cells are listed with their source line (in 合并冲突 too).
Nothing is written when any export cannot be used.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from xlpromo.engine.cells import dates, numeric
from xlpromo.engine.validate import validate
from xlpromo.errors import ExportError
from xlpromo.files.exports import read_export
from xlpromo.files.exports.mapped import Mapped, expected_columns, known_headers, map_export
from xlpromo.files.reader import read_workbook
from xlpromo.model.defaults import ALL_CHANNELS
from xlpromo.model.formats import row_format
from xlpromo.model.import_map import IMPORT_RULES, PLATFORMS, ImportRule, book_rules, detect_platform
from xlpromo.model.master import SCHEMA
from xlpromo.model.values import is_blank
from xlpromo.roundtrip.fill import Filled, Into, fill_daily
from xlpromo.roundtrip.merge.cells import show
from xlpromo.roundtrip.merge.summary import CONFLICTS_SHEET, Change, Conflict
from xlpromo.roundtrip.rows import catalogue_units

__all__ = ["Imported", "import_exports"]

Side = tuple[float, str]  # a value an export gives, and its source (file, line, column)

IMPORT_MAP_TITLE = SCHEMA.table("import_map").title
_COUNTS = ("filled", "appended", "unchanged", "conflicts", "overwritten")
_WORDS = {"filled": "填入", "appended": "新增行", "unchanged": "未变", "conflicts": "冲突", "overwritten": "覆盖"}


@dataclass
class Imported:
    """What an import did: per export its platform and columns, per metric the counts, the unreadable cells."""

    files: list[tuple[str, str, str, Mapped]] = field(default_factory=list)  # (file, platform name, 渠道, mapped)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # metric → filled/appended/unchanged/…
    filled: Filled | None = None
    shipped: bool = False  # the workbook has no 导入映射 (made before it existed): the shipped mapping was used
    beside_total: dict[str, int] = field(default_factory=dict)  # 渠道 → rows appended beside a planned 全渠道 row

    def count(self, metric: str, what: str) -> None:
        """One more value of ``metric`` that was ``what`` (filled, appended, unchanged, conflicts, overwritten)."""
        self.counts.setdefault(metric, dict.fromkeys(_COUNTS, 0))[what] += 1

    @property
    def conflicts(self) -> int:
        """Values differing from one already typed, not written."""
        return sum(c["conflicts"] for c in self.counts.values())

    def summary(self) -> str:
        """In Chinese: each export read, per metric what happened, the unreadable cells, the check of the result."""
        lines = [f"工作簿没有“{IMPORT_MAP_TITLE}”表（由较早版本生成），按内置映射导入；"
                 "用 xlpromo new 生成的新工作簿在数据字典中带有这张表，可自行修改"] if self.shipped else []
        for name, platform, channel, m in self.files:
            cols = "，".join(f"{h}→{metric}" for metric, h in m.columns.items())
            lines.append(f"{name}：{platform}，渠道 {channel}，{len({v.date for v in m.values})} 天（{cols}）。")
            lines += [f"  未导入 {why}" for why in m.ignored]
        for metric, c in self.counts.items():
            lines.append(f"{metric}：" + "，".join(f"{_WORDS[k]} {c[k]}" for k in _COUNTS if c[k] or k == "filled"))
        bad = [u for *_, m in self.files for u in m.unreadable]
        lines += [f"无法读取：{u}" for u in bad]
        for chan, n in self.beside_total.items():
            lines.append(f"提示：{n} 行新增在渠道 {chan}，而每日监控已有同一日期、指标的全渠道计划行；"
                         f"只在 {chan} 销售时，可改用 --channel {ALL_CHANNELS} 导入"
                         f"（生成日计划时用 --channels {chan} 则计划行按渠道）。")
        if self.conflicts:
            lines.append(f"冲突 {self.conflicts} 处：已填写的实际值与导出不同，保留已填写的值，"
                         f"两边的值见“{CONFLICTS_SHEET}”；确认导出为准时可加 --overwrite 重新导入"
                         "（原值记入变更记录）。")
        if self.filled is not None:
            lines.append(f"已写入 {self.filled.output.name}；校验：{self.filled.report.tally()}"
                         "（见“问题清单”“预警”工作表）。")
        return "\n".join(lines)


def _read(paths: Sequence[Path], platform: str, channel: str, date_from: dt.date | None,
          date_to: dt.date | None, known: list[str], rules: Sequence[ImportRule]) -> list[tuple[str, str, str, Mapped]]:
    """Each export read and mapped by ``rules``; ExportError (nothing written) for a file that cannot be used."""
    out = []
    for path in paths:
        table = read_export(path, known_headers(rules), expected=expected_columns(rules, platform))
        code = detect_platform(table.headers, path.name, rules) if platform == "auto" else platform
        if code is None:
            raise ExportError(path, "无法判断这是哪个平台的导出文件（表头与文件名都不能确定）：找到的表头是 "
                                    f"{'、'.join(table.headers)}；{expected_columns(rules, 'auto')}。请用 --platform "
                                    f"指定 {'、'.join(f'{p.code}（{p.name}）' for p in PLATFORMS.values())}")
        chan = channel or PLATFORMS[code].channel
        if chan not in known:
            raise ExportError(path, f"渠道 {chan} 不在数据字典的渠道列表中（可选：{'、'.join(known)}）；"
                                    "请用 --channel 指定")
        out.append((path.name, PLATFORMS[code].name, chan, map_export(table, code, rules, date_from=date_from,
                                                                      date_to=date_to)))
    return out


def _rules(frames: dict[str, pd.DataFrame]) -> tuple[ImportRule, ...] | None:
    """The workbook's 导入映射 as rules, without the rows naming no metric of 指标目录 (check names them); None for a
    workbook made before the table existed (the shipped rules)."""
    f = frames.get("import_map")
    if f is None:
        return None
    names = {str(n).strip() for n in frames["metrics"]["name"] if not is_blank(n)}
    rules = book_rules(zip(f["platform"], f["header"], f["metric"], f["factor"], f["note"], strict=True))
    return tuple(r for r in rules if r.metric in names)


def _by_row(data: pd.DataFrame, key: str) -> dict[int, Any]:
    """Excel row → the value of column ``key`` as read (empty when the table has no such column)."""
    return dict(zip(map(int, data.index.tolist()), data[key].tolist(), strict=True)) if key in data else {}


def _channel(c: object) -> str:
    return ALL_CHANNELS if is_blank(c) else str(c).strip()


def import_exports(book: str | Path, exports: Sequence[str | Path], out: str | Path | None = None, *,
                   in_place: bool = False, platform: str = "auto", channel: str = "",
                   date_from: dt.date | None = None, date_to: dt.date | None = None,
                   overwrite: bool = False) -> Imported:
    """Import ``exports`` into ``book``'s 每日监控, written to ``out`` (or into ``book`` after a backup when
    ``in_place``) and recalculated; WorkbookError (ExportError for an export) before anything is written."""
    book = Path(book)
    raw = read_workbook(book)
    frames = validate(raw).frames
    known = list(dict.fromkeys(str(v).strip() for v in frames["channels"]["value"] if not is_blank(v)))
    rules = _rules(frames)
    result = Imported(files=_read([Path(p) for p in exports], platform, channel, date_from, date_to, known,
                                  IMPORT_RULES if rules is None else rules), shipped=rules is None)
    rt, d = raw.tables["daily"], frames["daily"]
    rows: dict[tuple[pd.Timestamp, str, str], int] = {}
    for r, day, m, c in zip(d.index, dates(d["date"]), d["metric"], d["channel"], strict=True):
        if not pd.isna(day) and isinstance(m, str):
            rows.setdefault((day, m.strip(), _channel(c)), int(r))  # a repeated key: the first row, as 环比 takes it
    typed = _by_row(rt.data, "actual")
    actual = dict(zip(d.index.tolist(), numeric(d["actual"]).tolist(), strict=True))
    units = catalogue_units(raw)
    ids = _by_row(rt.data, "row_id")  # dicts, not Series: one lookup per value of 50,000 is no pandas call
    into, added = Into(), dict[tuple[pd.Timestamp, str, str], dict[str, Any]]()
    for key, got in _by_key(result.files).items():
        day, metric, chan = key
        r = rows.get(key)
        fmt = row_format(rt.table.col("actual"), {"metric": metric}, units)
        if r is None:
            if chan != ALL_CHANNELS and (day, metric, ALL_CHANNELS) in rows:
                result.beside_total[chan] = result.beside_total.get(chan, 0) + 1
            agreed = _agreed(got)
            added[key] = {"date": day.date(), "metric": metric, "channel": None if chan == ALL_CHANNELS else chan,
                          "actual": agreed}
            if agreed is None:
                into.conflicts.append(Conflict(_DISAGREE, rt.sheet, "", "", f"实际值（{day:%Y-%m-%d}·{metric}·{chan}）",
                                               "", "", got, fmt))
            result.count(metric, "appended" if agreed is not None else "conflicts")
            continue
        where = (rt.sheet, rt.address(r, "actual"), show(ids.get(r)))
        _one(result, into, where, r, metric, got, typed.get(r), actual.get(r, math.nan), overwrite, fmt)
    into.rows = list(added.values())
    for name, _, _, mapped in result.files:
        into.conflicts += [Conflict("无法读取", "", "", "", "", "", "", [(u, name)]) for u in mapped.unreadable]
    names = "、".join(n for n, *_ in result.files)
    result.filled = fill_daily(raw, None if in_place else Path(str(out)), into, source=names, conflicts_sheet=True,
                               in_place=in_place)
    return result


#: 合并冲突's kind for one 日期/指标/渠道 the exports of one import give different values for.
_DISAGREE = "导出不一致"


def _by_key(files: Sequence[tuple[str, str, str, Mapped]]) -> dict[tuple[pd.Timestamp, str, str], list[Side]]:
    """Every (日期, 指标, 渠道) the exports give, with each value and its source line, in the files' order."""
    out: dict[tuple[pd.Timestamp, str, str], list[Side]] = {}
    for name, _, chan, mapped in files:
        for v in mapped.values:
            out.setdefault((pd.Timestamp(v.date), v.metric, chan), []).append(
                (v.value, f"{name} 第 {v.line} 行（{v.header}）"))
    return out


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _agreed(got: Sequence[Side]) -> float | None:
    """The value all the exports give for one key (a day exported twice, overlapping files); None when they differ."""
    first = got[0][0]
    return first if all(_same(v, first) for v, _ in got[1:]) else None


def _one(result: Imported, into: Into, where: tuple[str, str, str], row: int, metric: str, got: Sequence[Side],
         typed: Any, current: float, overwrite: bool, fmt: str | None) -> None:
    """Decide one value for a planned row: fill a blank 实际值, leave an equal one, else a conflict or overwrite;
    exports that disagree among themselves are a conflict whatever the cell holds. ``where``: the sheet, the cell
    and the row's ID."""
    sheet, cell, row_id = where
    value = _agreed(got)
    source = got[0][1]
    if value is None:
        into.conflicts.append(Conflict(_DISAGREE, sheet, cell, row_id, "实际值", "", show(typed), list(got), fmt))
        result.count(metric, "conflicts")
    elif is_blank(typed):
        into.cells[(row, "actual")] = value
        result.count(metric, "filled")
    elif not math.isnan(current) and _same(current, value):
        result.count(metric, "unchanged")
    elif overwrite:
        into.cells[(row, "actual")] = value
        into.changes.append(Change(source, "", sheet, cell, row_id, "实际值", show(typed), value, fmt))
        result.count(metric, "overwritten")
    else:
        into.conflicts.append(Conflict("冲突", sheet, cell, row_id, "实际值", "", show(typed), [(value, source)], fmt))
        result.count(metric, "conflicts")
