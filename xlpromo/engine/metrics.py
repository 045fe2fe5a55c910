"""Computed columns in pandas: the same results as the workbook's native formulas.

Every computed column of the schema has one function here (``COMPUTED``), so a file
read without recalculation, the Excel layer and the CLI all get the numbers Excel would
show. Blank results are ``NaN`` for numbers and ``""`` for text, as the formulas give.

The engine computes from what staff meant (``5.8万`` is 5.8); the cached values of a file
(:func:`formula_frames`) from the cells as stored, where ``5.8万`` is text, as the formulas see it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from xlpromo.engine import thresholds
from xlpromo.engine.aggregate import average, daily_weight, daily_weighted, finite, review_auto, total, total_rows
from xlpromo.engine.cells import Frames, catalogue_lookup, dates, numeric, present
from xlpromo.engine.dod import daily_dod, daily_key, daily_prev, day_on_day, head_values, sorted_rows
from xlpromo.model.book import RawBook
from xlpromo.model.defaults import RATE_DIGITS, STATUS_LABELS, STOCK_STATES, TASK_DONE_STATES
from xlpromo.model.formulas import references
from xlpromo.model.master import SCHEMA
from xlpromo.model.schema import ColType, Column, Direction, Table

__all__ = [
    "COMPUTED",
    "achievement",
    "as_of_date",
    "as_stored",
    "average",
    "campaign_phase",
    "compute",
    "computed_order",
    "criterion_text",
    "day_on_day",
    "elapsed_share",
    "finite",
    "formula_as_of",
    "formula_frames",
    "head_values",
    "numeric",
    "pace",
    "safety_stock",
    "sorted_rows",
    "status",
    "stock_status",
    "total",
    "total_rows",
]



def achievement(actual: Any, target: Any, direction: Any) -> pd.Series:
    """达成率: actual/target, or target/actual when lower is better; NaN when undefined."""
    a, t = numeric(actual), numeric(target)
    d = pd.Series(direction, index=a.index).astype(object)
    lower = d.eq(Direction.LOWER.value)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(lower, np.where(a == 0, np.nan, t / a), np.where(t == 0, np.nan, a / t))
    rate = np.where(np.isfinite(rate), rate, np.nan)  # an overflow (1e300 ÷ 1e-10) is no rate: Excel shows #NUM!
    return pd.Series(rate, index=a.index, dtype=float)


def status(rate: pd.Series, target: Any, actual: Any, direction: Any,
           pass_line: float, warn_line: float) -> pd.Series:
    """达标 / 预警 / 未达标 from the thresholds; a zero of a lower-is-better metric passes."""
    ok, warn, fail = STATUS_LABELS
    a, t = numeric(actual), numeric(target)
    d = pd.Series(direction, index=rate.index).astype(object)
    has = rate.notna()
    with np.errstate(over="ignore", invalid="ignore"):  # a rate near the float limit overflows when scaled by 1e9
        rounded = rate.round(RATE_DIGITS)  # as ROUND(rate, 9) in the formula: 104.5/110 is 95%
    rate = rounded.where(np.isfinite(rounded), rate)  # such a rate has no digits to round: it stays as it is
    # nested IF order: the pass line first, then the warning line
    labels = np.select([~has, rate >= pass_line, rate >= warn_line], ["", ok, warn], default=fail)
    out = pd.Series(labels, index=rate.index, dtype=object)
    zero_ok = ~has & d.eq(Direction.LOWER.value) & t.notna() & a.eq(0)
    out[zero_ok] = ok
    return out


def safety_stock(avg_daily_sales: Any, factor: float = 1.5) -> pd.Series:
    """安全库存 = 日均销量 × 系数 (阈值配置·安全库存系数, 1.5 by default); NaN where sales are not a number."""
    with np.errstate(over="ignore", invalid="ignore"):  # 1e308 × 1.5 is no number: the cell shows #NUM!, we NaN
        out = numeric(avg_daily_sales) * float(factor)
    return out.where(np.isfinite(out))


def as_of_date(frames: Frames, today: dt.date | None = None) -> pd.Timestamp:
    """统计日期 of 阈值配置, or today when it is blank (as the name XP_ASOF)."""
    v = thresholds.typed(frames).get("as_of")
    if isinstance(v, (dt.date, pd.Timestamp)):
        return pd.Timestamp(v).normalize()
    return pd.Timestamp(today or dt.date.today())  # blank, or not a date (validation reports it)


def criterion_text(pass_line: float) -> str:
    """考核标准 text, as the formula builds it from the pass line."""
    pct = Decimal(repr(pass_line * 100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"目标完成率≥{float(pct):.15g}%为达标"  # ROUND rounds half away from zero


def campaign_phase(day: dt.date, warmup_start: dt.date, burst_start: dt.date, burst_end: dt.date,
                   return_end: dt.date) -> str:
    """The phase of a day: 筹备期, 预热期, 爆发期, 返场期, or 复盘 after the return days."""
    if day < warmup_start:
        return "筹备期"
    if day < burst_start:
        return "预热期"
    if day <= burst_end:
        return "爆发期"
    if day <= return_end:
        return "返场期"
    return "复盘"


def elapsed_share(day: dt.date, start: dt.date, end: dt.date) -> float:
    """Share of the days ``start``..``end`` (both counted) elapsed by the end of ``day``, 0..1; NaN if end < start."""
    total = (end - start).days + 1
    if total <= 0:
        return math.nan
    return min(max((day - start).days + 1, 0), total) / total


def pace(actual_to_date: float, target: float, elapsed: float) -> float:
    """进度比 = (actual to date ÷ target) ÷ share of time elapsed; ≥ 1 is on track, NaN when undefined."""
    if not target or not elapsed or math.isnan(elapsed) or math.isnan(target) or math.isnan(actual_to_date):
        return math.nan
    return finite(actual_to_date / target / elapsed)


def _tasks_days_left(frames: Frames, df: pd.DataFrame) -> pd.Series:
    due = dates(df["due"])
    done = df["status"].isin(TASK_DONE_STATES)
    as_of = _formula_as_of(frames)
    if as_of is None:  # 统计日期 is text the formula cannot subtract
        return pd.Series(np.nan, index=df.index, dtype=float)
    days = (due - as_of) / pd.Timedelta(days=1)  # a due time counts in fractions
    return days.astype(float).where(due.notna() & ~done)


# Text that Excel and LibreOffice both turn into a number in arithmetic ("0.95", " 95% "), and an ISO date.
_NUMBER_TEXT = re.compile(r"\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?)\s*(%?)\s*")
_DATE_TEXT = re.compile(r"\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\s*")


def _thr(frames: Frames, code: str) -> float:
    """A threshold in arithmetic, as a formula computes with it: blank is 0, text such as ``95%`` is read
    as the spreadsheet reads it, other text is NaN (the formula shows #VALUE!)."""
    v = thresholds.typed(frames).get(code)
    if isinstance(v, str) and v:
        m = _NUMBER_TEXT.fullmatch(v)
        return float(m[1]) / (100 if m[2] else 1) if m else math.nan
    n = numeric([v]).iloc[0]
    return 0.0 if np.isnan(n) else float(n)


def _line(frames: Frames, code: str) -> float:
    """A threshold in a comparison (``达成率 >= TH_PASS_LINE``): text is above every number, so never reached."""
    v = thresholds.typed(frames).get(code)
    return math.inf if isinstance(v, str) and v else _thr(frames, code)


def _formula_as_of(frames: Frames) -> pd.Timestamp | None:
    """XP_ASOF as ``{due}-XP_ASOF`` uses it: :func:`as_of_date`, but text only as an ISO date (else #VALUE!: None)."""
    v = thresholds.typed(frames).get("as_of")
    if not (isinstance(v, str) and v):
        return as_of_date(frames)
    m = _DATE_TEXT.fullmatch(v)
    try:
        return pd.Timestamp(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def formula_as_of(frames: Frames) -> pd.Timestamp:
    """统计日期 as a formula computes with ``XP_ASOF+0``: a date, an ISO date typed as text, else today (the
    ``IFERROR(…,TODAY())`` of 看板's 统计日期), so 看板 and its twin count days from the same day."""
    return _formula_as_of(frames) or as_of_date(frames)


def _criterion(frames: Frames, df: pd.DataFrame) -> pd.Series:
    """考核标准 of the 活动目标 row; blank where the pass line is text no formula can compute with."""
    line = _thr(frames, "pass_line")
    return pd.Series("" if math.isnan(line) else criterion_text(line), index=df.index, dtype=object)


def _status_of(target: str, actual: str) -> Callable[[Frames, pd.DataFrame], pd.Series]:
    def fn(frames: Frames, df: pd.DataFrame) -> pd.Series:
        return status(df["rate"], df[target], df[actual], df["direction"],
                      _line(frames, "pass_line"), _line(frames, "warn_line"))
    return fn


def _lookup(field: str) -> Callable[[Frames, pd.DataFrame], pd.Series]:
    return lambda frames, df: catalogue_lookup(frames, df["metric"], field)


def _used(frames: Frames, df: pd.DataFrame) -> pd.Series:
    confirmed = numeric(df["confirmed"])
    return confirmed.where(confirmed.notna(), numeric(df["auto"]))


def _ratio(num: Any, den: Any) -> pd.Series:
    """num ÷ den where both are numbers and den > 0 (折扣, 可售天数); NaN otherwise, as the formulas' ""."""
    n, d = numeric(num), numeric(den)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (n / d).where(n.notna() & (d > 0))


def _safety_stock(frames: Frames, df: pd.DataFrame) -> pd.Series:
    return safety_stock(df["daily_sales"], _thr(frames, "safety_stock_factor"))


def _flash_stock(frames: Frames, df: pd.DataFrame) -> pd.Series:
    """秒杀备货 = 预估销量 × 秒杀备货系数 for a 秒杀 SKU; NaN for the others."""
    with np.errstate(over="ignore", invalid="ignore"):  # beyond the float range: no number, as safety_stock
        out = numeric(df["forecast"]) * _thr(frames, "flash_stock_factor")
    return out.where(np.isfinite(out) & df["flash"].eq("是"))


def stock_status(stock: Any, safety: Any, age: Any, age_limit: float) -> pd.Series:
    """商品与库存·状态: 缺货 (≤ 0), 低于安全库存, 积压清仓 (库龄 > limit), 正常; "" without a stock figure."""
    out_, low, aged, ok = STOCK_STATES
    s, safe, a = numeric(stock), numeric(safety), numeric(age)
    result = np.select([s.isna(), s <= 0, safe.notna() & (s < safe), a.notna() & (a > age_limit)],
                       ["", out_, low, aged], ok)
    return pd.Series(result, index=s.index, dtype=object)


#: (table key, column key) → function(frames, table frame) → Series, in column order.
COMPUTED: dict[tuple[str, str], Callable[[Frames, pd.DataFrame], pd.Series]] = {
    ("targets", "criterion"): _criterion,
    ("breakdown", "unit"): _lookup("unit"),
    ("tasks", "days_left"): _tasks_days_left,
    ("tasks", "overdue"): lambda f, df: df["days_left"].map(
        lambda d: "" if pd.isna(d) else ("是" if d < 0 else "否")),
    ("daily", "unit"): _lookup("unit"),
    ("daily", "direction"): _lookup("direction"),
    ("daily", "rate"): lambda f, df: achievement(df["actual"], df["target"], df["direction"]),
    ("daily", "dod_basis"): _lookup("dod_basis"),
    ("daily", "dod_key"): daily_key,
    ("daily", "dod_prev"): daily_prev,
    ("daily", "dod"): daily_dod,
    ("daily", "status"): _status_of("target", "actual"),
    ("daily", "dept"): _lookup("dept"),
    ("daily", "weight"): daily_weight,
    ("daily", "weighted"): daily_weighted,
    ("stock", "discount"): lambda f, df: _ratio(df["promo_price"], df["list_price"]),
    ("stock", "safety_stock"): _safety_stock,
    ("stock", "flash_stock"): _flash_stock,
    ("stock", "days_cover"): lambda f, df: _ratio(df["stock"], df["daily_sales"]),
    ("stock", "status"): lambda f, df: stock_status(df["stock"], df["safety_stock"], df["age_days"],
                                                    _line(f, "stock_age_days")),
    ("review", "unit"): _lookup("unit"),
    ("review", "direction"): _lookup("direction"),
    ("review", "auto"): review_auto,
    ("review", "used"): _used,
    ("review", "rate"): lambda f, df: achievement(df["used"], df["target"], df["direction"]),
    ("review", "status"): _status_of("target", "used"),
}

def computed_order(table: Table) -> list[str]:
    """The table's computed columns, each after the computed columns its formula reads (schema order otherwise)."""
    formulas = {c.key: c.formula or "" for c in table.computed_columns}
    done: list[str] = []

    def visit(key: str, path: tuple[str, ...]) -> None:
        if key in done:
            return
        if key in path:
            raise ValueError(f"{table.key}: computed columns refer to each other: {' → '.join((*path, key))}")
        for dep in sorted(references(formulas[key]) & formulas.keys(), key=list(formulas).index):
            visit(dep, (*path, key))
        done.append(key)

    for key in formulas:
        visit(key, ())
    return done


def _review_targets(frames: Frames) -> pd.Series:
    """目标回顾 · 目标值: the first 活动目标 row's value of the target column for each metric."""
    review, targets = frames["review"], frames.get("targets")
    by_metric = {c.metric: c.key for c in SCHEMA.table("targets").columns if c.metric}

    def one(metric: Any) -> Any:
        key = by_metric.get(str(metric))
        if key is None or targets is None or not len(targets) or key not in targets:
            return None
        v = targets[key].iloc[0]
        return None if not present(v) else v

    return review["metric"].map(one).astype(object)


#: Input types a formula reads as numbers (a date is a number to Excel): text there is text to the formulas.
_NUMERIC_INPUTS = frozenset({ColType.INTEGER, ColType.DECIMAL, ColType.PERCENT, ColType.WAN, ColType.DATE})
_TOKEN = re.compile(r"\{([A-Za-z_]+)(?:\.([A-Za-z_]+))?\}")


def _read_by_formulas() -> frozenset[tuple[str, str]]:
    """(table, column) of every column a computed column's formula reads, in its own table or another."""
    out: set[tuple[str, str]] = set()
    for table in SCHEMA.tables:
        for col in table.computed_columns:
            out.update((t, c) if c else (table.key, t) for t, c in _TOKEN.findall(col.formula or ""))
    return frozenset(out)


_FORMULA_TEXT = _read_by_formulas()


def _stored_text(key: str, col: Column, cells: pd.Series) -> np.ndarray | None:
    """Which cells the formulas read other than the engine does: text in a number or date column, or text with
    stray spaces (which the engine strips) in a text column a formula reads; None when there is none."""
    if col.type in _NUMERIC_INPUTS:
        if not col.editable:
            return None
        # "" is an empty cell; an Excel error value (CellError, a str subclass) stays as validated
        found = np.fromiter((v.__class__ is str and v != "" for v in cells.tolist()), dtype=bool, count=len(cells))
    elif (key, col.key) in _FORMULA_TEXT:
        found = np.fromiter((v.__class__ is str and v != v.strip() for v in cells.tolist()), dtype=bool,
                            count=len(cells))
    else:
        return None
    return found if found.any() else None


def as_stored(frames: Frames, book: RawBook) -> dict[str, pd.DataFrame] | None:
    """``frames`` with each cell the formulas read other than the engine (``30小时``, ``5.8万`` in a number cell,
    ``GMV `` with a space) holding what is stored again; None when there is no such cell."""
    out = dict(frames)
    changed = False
    for key, raw in book.tables.items():
        frame = frames.get(key)
        if frame is None or not len(frame):
            continue
        df: pd.DataFrame | None = None
        for col in raw.table.inputs:
            if col.key not in frame.columns or col.key not in raw.data.columns:
                continue
            cells = raw.data[col.key]
            text = _stored_text(key, col, cells)
            if text is None:
                continue
            df = frame.copy() if df is None else df
            column = df[col.key].astype(object)
            column.loc[cells.index[text]] = cells[text].to_numpy()
            df[col.key] = column
        if df is not None:
            out[key], changed = df, True
    return out if changed else None


def review_header(targets: pd.DataFrame) -> tuple[Any, str] | None:
    """Twin of 复盘报告's 活动名称 and 复盘周期 formulas (``2024-05-25 至 2024-06-21``) from 活动目标 as stored;
    None when a date is text (the formula's TEXT() of text is not ours to guess)."""
    if not len(targets):
        return "", ""
    def empty(v: Any) -> bool:  # what ="" is true for
        return v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)) or v == ""

    row = targets.iloc[0]
    name = "" if empty(row["name"]) else row["name"]
    start, end = row["warmup_start"], row["return_end"]
    if empty(start) or empty(end):
        return name, ""
    if not all(isinstance(d, (dt.date, pd.Timestamp)) for d in (start, end)):
        return None
    return name, f"{pd.Timestamp(start):%Y-%m-%d} 至 {pd.Timestamp(end):%Y-%m-%d}"


def formula_frames(frames: Frames, book: RawBook) -> dict[str, pd.DataFrame]:
    """Computed frames as the workbook's own formulas compute them from ``book``'s cells as stored (the cached
    values to write); ``frames`` as they are when the formulas read every cell as the engine does."""
    stored = as_stored(frames, book)
    return dict(frames) if stored is None else compute(stored)


def compute(frames: Frames) -> dict[str, pd.DataFrame]:
    """All computed columns of all tables, from the input columns of ``frames``."""
    out = {k: v.copy() for k, v in frames.items()}
    if "review" in out:
        out["review"]["target"] = _review_targets(out) if len(out["review"]) else pd.Series(dtype=object)
    for tkey in dict.fromkeys(t for t, _ in COMPUTED):
        if tkey not in out:
            continue
        df = out[tkey]
        for ckey in computed_order(SCHEMA.table(tkey)):
            col = COMPUTED[(tkey, ckey)](out, df) if len(df) else pd.Series(dtype=object)
            if col.dtype.kind == "f":  # a quotient by a near-zero value: the cell shows no number, so neither do we
                col = col.where(np.isfinite(col))
            df[ckey] = col
    return out
