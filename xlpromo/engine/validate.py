"""Validation: parse what staff typed into typed frames and collect every finding.

Column checks work on whole pandas columns (required, type, list, bounds, unique); the
cross-table rules live in :mod:`xlpromo.engine.crosscheck`. Nothing stops at the first problem.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlpromo.engine import crosscheck as X
from xlpromo.engine import findings as F
from xlpromo.engine.findings import Finding
from xlpromo.model.book import RawBook, RawTable, as_row
from xlpromo.model.defaults import INLINE_LISTS
from xlpromo.model.master import SCHEMA
from xlpromo.model.parse import (
    FIRST_YEAR,
    LAST_YEAR,
    ParseError,
    entered,
    in_years,
    normalize_text,
    not_finite,
    parse_date,
    parse_number,
    parse_text,
    shown,
    time_message,
)
from xlpromo.model.schema import ColType, Column
from xlpromo.model.series import map_unique
from xlpromo.model.values import BadNumber, CellError, is_blank

__all__ = ["MAX_TEXT", "PLACEHOLDERS", "Validated", "validate"]

MAX_TEXT = 32767  # Excel's limit of characters in a cell
_FORMULA_START = re.compile(r"^[=+@\t\r]|^-.*[-+*/=(|]")  # CSV/DDE injection starts (OWASP)
_TYPE_UNITS = {ColType.PERCENT: "%", ColType.WAN: "万元"}
#: What staff type in a number or date cell to mean "nothing yet"; read as blank.
PLACEHOLDERS = frozenset({"-", "--", "—", "——", "/", "无", "暂无", "空", "n/a", "na", "待定", "待补"})

_PLAIN_NUMBERS = frozenset({int, float})  # types that are numbers as they are (not bool, not numpy's)
# The order tables are parsed in: lists first (they give the metric units), then targets (the year).
_ORDER = ("departments", "statuses", "phases", "channels", "dimensions", "review_kinds", "metrics", "import_map",
          "thresholds", "targets", "breakdown", "tasks", "daily", "stock", "review", "lessons")


def _list_column(key: str) -> str:
    """The column of a 数据字典 list that holds its entries."""
    return "name" if key == "metrics" else "value"


def _space_sensitive() -> frozenset[tuple[str, str]]:
    """(table, column) of text that formulas and dropdowns compare as typed: every dropdown column, the entries of
    the lists they offer (指标目录·指标名称 too), and 目标回顾·指标, which its formulas look up by."""
    out = {(t.key, c.key) for t in SCHEMA.tables for c in t.columns if c.choices}
    out |= {(c.choices, _list_column(c.choices)) for t in SCHEMA.tables for c in t.columns
            if c.choices and c.choices not in INLINE_LISTS}
    out.add(("review", "metric"))
    return frozenset(out)


#: Text columns where a space the engine strips (``GMV ``) is a different value to the workbook: stray-space.
_SPACE_SENSITIVE = _space_sensitive()
#: A column whose cells hold formulas fed from another table (sheets.review_rows): 目标回顾·目标值 shows 活动目标's
#: values, so a type problem there is reported at 活动目标, not again here.
_FED = ("review", "target")
_TYPE_CHECKS = frozenset({F.NotANumber, F.NotFinite, F.NotADate, F.UnitMismatch, F.TextNumber, F.TextDate})
_TARGET_OF = {c.metric: c.key for c in SCHEMA.table("targets").columns if c.metric}  # metric → 活动目标 column


@dataclass
class Validated:
    """Typed input frames (index = Excel row) and every finding, in reading order."""

    frames: dict[str, pd.DataFrame]
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        """Findings of error severity."""
        return [f for f in self.findings if f.severity == F.Severity.ERROR]


def _placeholder(v: Any) -> bool:
    return isinstance(v, str) and not isinstance(v, CellError) and normalize_text(v).casefold() in PLACEHOLDERS


class _Run:
    """One validation pass over a book."""

    def __init__(self, book: RawBook) -> None:
        self.book = book
        self.found: list[Finding] = []
        self.frames: dict[str, pd.DataFrame] = {}
        self.bad: dict[str, set[tuple[int, str]]] = {}  # cells that failed to parse: no further checks
        self.year: int | None = None
        self.units: dict[str, str] = {}
        self.empty_lists: set[str] = set()
        self.spaced: dict[str, pd.Series] = {}  # column key → raw texts with stray spaces, of the current table
        self.table_start = 0  # index in ``found`` of the current table's first finding

    def add(self, raw: RawTable, check: type[F.Check], row: int | None, key: str | None, value: Any = None,
            **ctx: Any) -> None:
        """Add a finding at a cell of ``raw`` (at the table when no row or key); a type finding of a formula-fed
        column is not added (its source cell has it)."""
        if check in _TYPE_CHECKS and (raw.table.key, key) == _FED:
            return
        header = raw.table.col(key).header if key else ""
        cell = raw.address(row, key) if key and row else ""
        self.found.append(check.at(raw.sheet, cell, row, header, value, **ctx))

    # ------------------------------------------------------------------ parsing
    def parse(self, raw: RawTable) -> pd.DataFrame:
        out = pd.DataFrame(index=raw.data.index)
        bad = self.bad.setdefault(raw.table.key, set())
        for col in raw.table.inputs:
            s = raw.data[col.key]
            if raw.has_errors:
                errors = s.map(lambda v: isinstance(v, CellError)).astype(bool)
                for row, v in s[errors].items():
                    if (raw.table.key, col.key) != _FED or not self.source_error(raw, as_row(row)):
                        self.add(raw, F.ErrorValue, as_row(row), col.key, str(v))
                    bad.add((as_row(row), col.key))
                s = s.where(~errors, None)
                stored = s.map(lambda v: isinstance(v, BadNumber)).astype(bool)  # 1e309, INF, NaN in any column
                for row, v in s[stored].items():
                    self.add(raw, F.NotFinite, as_row(row), col.key, str(v), reason=str(not_finite(v)))
                    bad.add((as_row(row), col.key))
                s = s.where(~stored, None)
            if col.type == ColType.DATE:
                out[col.key] = self.parse_dates(raw, col, s, bad)
            elif col.type in (ColType.INTEGER, ColType.DECIMAL, ColType.PERCENT, ColType.WAN):
                out[col.key] = self.parse_numbers(raw, col, s, bad)
            else:
                out[col.key] = self.parse_texts(raw, col, s)
        for col in raw.table.system_columns:  # xlpromo's own columns: text as found, blank when absent
            s = raw.data[col.key] if col.key in raw.data.columns else pd.Series(None, index=out.index, dtype=object)
            text = [None if is_blank(v) or isinstance(v, CellError) else str(v) for v in s]
            out[col.key] = pd.Series(text, index=out.index, dtype=object)
        return out

    def source_error(self, raw: RawTable, row: int) -> bool:
        """True when the 活动目标 cell a 目标回顾·目标值 cell shows holds an error value (reported there)."""
        targets = self.book.tables.get("targets")
        key = _TARGET_OF.get(parse_text(raw.data.at[row, "metric"])) if "metric" in raw.data.columns else None
        if targets is None or key is None or not len(targets.data):
            return False
        return isinstance(targets.data[key].iloc[0], CellError)

    def parse_texts(self, raw: RawTable, col: Column, s: pd.Series) -> pd.Series:
        if not len(s):
            return pd.Series(dtype=object, index=s.index)
        # as map_unique, keeping the codes: the texts are tested once per distinct value too
        codes, uniques = pd.factorize(s, use_na_sentinel=False)
        distinct = np.empty(len(uniques), dtype=object)
        distinct[:] = [None if is_blank(v) else parse_text(v) for v in uniques]
        texts = pd.Series(distinct[codes], index=s.index, dtype=object)
        long = np.array([t is not None and len(t) > MAX_TEXT for t in distinct], dtype=bool)[codes]
        if (raw.table.key, col.key) in _SPACE_SENSITIVE:  # "GMV ": read as GMV here, a different text to formulas
            pairs = zip(uniques, distinct, strict=True)
            spaced = np.array([t is not None and type(v) is str and t != v for v, t in pairs], dtype=bool)
            if spaced.any():
                self.spaced[col.key] = s[spaced[codes]]
        for row, t in texts[long].items():
            self.add(raw, F.TextTooLong, as_row(row), col.key, t[:20] + "…", length=len(t))
        if col.editable and col.type == ColType.TEXT:
            formula = np.array([t is not None and _FORMULA_START.match(t) is not None for t in distinct], dtype=bool)
            for row, t in texts[~long & formula[codes]].items():
                self.add(raw, F.FormulaLikeText, as_row(row), col.key, t, first=t[0])
        return texts

    def parse_dates(self, raw: RawTable, col: Column, s: pd.Series, bad: set[tuple[int, str]]) -> pd.Series:
        """A date column: typed dates of FIRST_YEAR–LAST_YEAR pass as they are (a datetime keeps its time of day);
        the rest is parsed, and a date outside those years (10.25 shown as 1900-01-10) is an error, left blank."""
        ok = map_unique(s, lambda v: isinstance(v, dt.date) and FIRST_YEAR <= v.year <= LAST_YEAR).astype(bool)
        out = s.where(ok, None).astype(object)
        parsed: dict[int, dt.date] = {}
        for row, v in s[~ok].items():
            if is_blank(v) or _placeholder(v):
                continue
            try:
                parsed[as_row(row)] = in_years(parse_date(v, self.year), v)
                if isinstance(v, str):  # understood here, but the workbook's formulas see text
                    self.add(raw, F.TextDate, as_row(row), col.key, v, parsed=shown(parsed[as_row(row)]))
            except ParseError as exc:
                self.add(raw, F.NotADate, as_row(row), col.key, entered(v), reason=str(exc))
                bad.add((as_row(row), col.key))
        if parsed:
            out.update(pd.Series(parsed, dtype=object))
        return out

    def unit_of(self, raw: RawTable, col: Column) -> Callable[[int], str | None]:
        """The unit numbers of a column are typed in: by column type, or by the row's metric or 单位."""
        fixed = _TYPE_UNITS.get(col.type)
        if raw.table.key in ("daily", "breakdown", "review") and col.key in ("target", "actual", "confirmed"):
            metric = raw.data["metric"]
            return lambda row: self.units.get(str(metric.get(row, "")).strip().casefold())
        if raw.table.key == "thresholds" and col.key == "value":
            unit = raw.data["unit"]
            return lambda row: {"%": "%", "日期": "日期"}.get(str(unit.get(row)).strip())
        return lambda row: fixed

    def parse_numbers(self, raw: RawTable, col: Column, s: pd.Series, bad: set[tuple[int, str]]) -> pd.Series:
        result = pd.Series(np.nan, index=s.index, dtype=object if raw.table.key == "thresholds" else float)
        unit = self.unit_of(raw, col)
        # a float inf or NaN (1e309 stored) is parsed, and reported, with the rest
        fast = pd.Series([type(v) in _PLAIN_NUMBERS and math.isfinite(v) for v in s.tolist()], index=s.index,
                         dtype=bool)
        if raw.table.key == "thresholds":  # a number in the 日期 row is an Excel serial: parse it as a date
            fast &= ~pd.Series([unit(as_row(r)) == "日期" for r in s.index], index=s.index, dtype=bool)
        numbers = s[fast].astype(float)
        result[fast] = numbers
        self.stored_times(raw, col, numbers, result, bad, unit)
        parsed: dict[int, Any] = {}
        for row, v in s[~fast].items():
            if is_blank(v) or _placeholder(v):
                continue
            u = unit(as_row(row))
            try:
                parsed[as_row(row)] = in_years(parse_date(v, self.year), v) if u == "日期" else parse_number(v, u)
                if isinstance(v, str):  # understood here, but the workbook's formulas see text
                    kind = F.TextDate if u == "日期" else F.TextNumber
                    self.add(raw, kind, as_row(row), col.key, v, parsed=shown(parsed[as_row(row)]))
            except ParseError as exc:
                check = (F.NotADate if u == "日期" else F.UnitMismatch if exc.code == "unit-mismatch"
                         else F.NotFinite if exc.code == "not-finite" else F.NotANumber)
                reason = str(exc) if u == "日期" else self.time_reason(raw, col, as_row(row), v, u) or str(exc)
                self.add(raw, check, as_row(row), col.key, entered(v) if u == "日期" else v, reason=reason)
                bad.add((as_row(row), col.key))
        if parsed:
            result = result.astype(object) if raw.table.key == "thresholds" else result
            result.update(pd.Series(parsed, dtype=result.dtype))
        if raw.table.key == "thresholds":  # a date stays a date; blanks stay blank
            return result.where(result.notna(), None)
        return result

    def stored_times(self, raw: RawTable, col: Column, numbers: pd.Series, result: pd.Series,
                     bad: set[tuple[int, str]], unit: Callable[[int], str | None]) -> None:
        """Numbers of a ratio cell (ROI) that are a typed 1:3 which Excel kept as the time 01:03 (0.04375 in a cell
        formatted 0.00): an error each, left blank."""
        small = numbers[(numbers > 0) & (numbers < 1)]  # only these can be a time; 1e308 would overflow below
        centis = small * 8_640_000
        maybe = (small.round(4) != small) & ((centis - centis.round()).abs() < 1e-6)
        for row, x in small[maybe].items():
            reason = self.time_reason(raw, col, as_row(row), x, unit(as_row(row)))
            if reason is not None:
                self.add(raw, F.NotANumber, as_row(row), col.key, x, reason=reason)
                bad.add((as_row(row), col.key))
                result.at[as_row(row)] = np.nan

    def time_reason(self, raw: RawTable, col: Column, row: int, v: Any, unit: str | None) -> str | None:
        """Why a time (1:3 typed, made 01:03 by Excel) is no number here, naming the number a ratio metric (ROI,
        unit 倍) wants; None when ``v`` is no time."""
        metric = col.metric or ""
        if not metric and "metric" in raw.data.columns and col.key in ("target", "actual", "confirmed"):
            metric = parse_text(raw.data.at[row, "metric"])
        ratio = self.units.get(metric.casefold()) == "倍" if metric else unit == "倍"
        return time_message(v, "倍" if ratio else unit, metric if ratio else "")

    # ------------------------------------------------------------------ column checks
    def columns(self, raw: RawTable, typed: pd.DataFrame) -> None:
        bad = self.bad.get(raw.table.key, set())
        for col in raw.table.inputs:
            if not col.editable and raw.table.key != "thresholds":
                continue
            values = typed[col.key]
            present = values.notna() if values.dtype.kind in "fiub" else (values.notna() & values.ne("")).astype(bool)
            if col.required:
                for row in values.index[~present]:
                    if (as_row(row), col.key) not in bad:
                        self.add(raw, F.Required, as_row(row), col.key)
            if col.choices and col.strict_choices:
                allowed = self.choices(col.choices)
                if not allowed and col.choices not in self.empty_lists and present.any():
                    self.empty_lists.add(col.choices)
                    self.found.append(F.EmptyList.at(self.book.tables[col.choices].sheet, "", None, "",
                                                     self.book.tables[col.choices].table.title))
                if allowed:
                    wrong = present & ~values.isin(allowed)
                    for row, v in values[wrong].items():
                        self.add(raw, F.NotInList, as_row(row), col.key, v, list=self.list_title(col))
            if col.min is not None or col.max is not None:
                self.bounds(raw, col, values)
            if col.unique:
                self.unique(raw, values[present], [col.key], col.header)
            if col.key in self.spaced:
                self.stray_spaces(raw, col, self.spaced.pop(col.key))

    def stray_spaces(self, raw: RawTable, col: Column, spaced: pd.Series) -> None:
        """A stray-space warning for each text typed with spaces around it, unless its cell has a finding already
        (not in the list, duplicate…): one finding per cell."""
        reported = {f.cell for f in self.found[self.table_start:] if f.sheet == raw.sheet}
        for row, v in spaced.items():
            if raw.address(as_row(row), col.key) not in reported:
                text = v.strip()
                where = "前后" if v[0].isspace() and v[-1].isspace() else "开头" if v[0].isspace() else "末尾"
                self.add(raw, F.StraySpace, as_row(row), col.key, v, where=where, text=text)

    def bounds(self, raw: RawTable, col: Column, values: pd.Series) -> None:
        v = pd.to_numeric(values, errors="coerce")
        low = v < col.min if col.min is not None else pd.Series(False, index=v.index)
        high = v > col.max if col.max is not None else pd.Series(False, index=v.index)
        pct = col.type == ColType.PERCENT
        lo = "" if col.min is None else (f"{col.min:.0%}" if pct else f"{col.min:g}")
        hi = "" if col.max is None else (f"{col.max:.0%}" if pct else f"{col.max:g}")
        text = f"{lo} 至 {hi}" if lo and hi else (f"不小于 {lo}" if lo else f"不大于 {hi}")
        for row, x in v[low | high].items():
            hint = "；百分比请输入如 30%" if pct and x > 1 else ""
            self.add(raw, F.OutOfRange, as_row(row), col.key, values.loc[as_row(row)], bounds=text, hint=hint)

    def unique(self, raw: RawTable, frame: pd.Series | pd.DataFrame, keys: list[str], what: str) -> None:
        df = frame.to_frame() if isinstance(frame, pd.Series) else frame
        norm = df.apply(lambda c: map_unique(c, lambda v: str(v).strip().casefold() if not is_blank(v) else ""))
        dup = norm.duplicated(keep="first")
        if not dup.any():
            return
        first_row = norm.reset_index().groupby(list(norm.columns))["row"].transform("min")
        first_row.index = norm.index
        for row in norm.index[dup]:
            value = " + ".join(shown(df.at[row, k]) for k in df.columns)
            self.add(raw, F.DuplicateKey, as_row(row), keys[0], value, what=f"{what}“{value}”",
                     other=int(first_row[as_row(row)]))

    def choices(self, key: str) -> set[str]:
        if key in INLINE_LISTS:
            return set(INLINE_LISTS[key])
        frame = self.frames.get(key)
        if frame is None:
            return set()
        return {str(v) for v in frame[_list_column(key)].dropna()}

    def list_title(self, col: Column) -> str:
        """Where a column's choices are: 数据字典's list by its title, or the column's own fixed choices."""
        key = col.choices or ""
        if key in INLINE_LISTS:
            return f"“{col.header}”的可选值（{'、'.join(INLINE_LISTS[key])}）"
        return f"数据字典的“{self.book.tables[key].table.title}”列表"

    # ------------------------------------------------------------------ cross checks
    # ------------------------------------------------------------------ driver
    def run(self) -> Validated:
        for key in _ORDER:
            raw = self.book.tables.get(key)
            if raw is None:
                continue
            self.table_start, self.spaced = len(self.found), {}
            self.structure(raw)
            typed = self.parse(raw)
            self.frames[key] = typed
            self.columns(raw, typed)
            if key == "metrics":
                self.units = {str(n).casefold(): str(u) for n, u in zip(typed["name"], typed["unit"], strict=True)
                              if not is_blank(n)}
                X.catalogue(self, raw, typed)
            if key == "targets":
                X.targets(self, raw, typed)
                self.year = _campaign_year(typed)
            elif key == "tasks":
                X.tasks(self, raw, typed)
            elif key == "daily":
                X.daily(self, raw, typed)
            elif key == "thresholds":
                X.thresholds(self, raw, typed)
            elif key == "breakdown":
                X.breakdown(self, raw, typed)
        return Validated(self.frames, self.found)

    def structure(self, raw: RawTable) -> None:
        for cell, header in raw.extra:
            self.found.append(F.ExtraColumn.at(raw.sheet, cell, int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
                                               header, header))
        for cell, header in raw.duplicate:
            self.found.append(F.DuplicateColumn.at(raw.sheet, cell, raw.header_excel_row, header, header))
        for rng in raw.merged:
            self.found.append(F.MergedCells.at(raw.sheet, rng.split(":")[0], None, "", rng))
        if not raw.excel_table:
            first = raw.table.columns[0]
            cell = raw.address(raw.header_excel_row, first.key) if first.key in raw.columns else ""
            self.found.append(F.NotATable.at(raw.sheet, cell, raw.header_excel_row, first.header, raw.table.name))


def _campaign_year(targets: pd.DataFrame) -> int | None:
    for key in ("burst_start", "warmup_start", "return_end"):
        if key in targets and len(targets):
            v = targets[key].iloc[0]
            if isinstance(v, dt.date):
                return v.year
    return None


def validate(book: RawBook) -> Validated:
    """Parse every table of ``book`` and run every check; never raises on bad values."""
    return _Run(book).run()
