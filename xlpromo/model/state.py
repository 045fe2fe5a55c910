"""The workbook's identity and agreed state, as data: what the very hidden sheet ``_xlpromo`` holds.

It holds the format version, the campaign ID (a UUID made by ``xlpromo new``), the role of
the file (master or a department copy, with the copy's department and ID), the highest
row-ID number issued per table (so IDs are never reused), per copy ID a short hash of each
cell a merge took from that copy (so a copy sent again is recognised) and when the latest version
merged was saved (so an older version mailed again is recognised), and a snapshot of the last agreed
values: one row per table row, its key (row ID, or a natural key for the fixed tables) and
its input values as compact JSON. A department copy's snapshot is the base a three-way
merge compares it with. Layout, one record per sheet row: ``A`` kind or table key, ``B``
sub-key, ``C`` value (text or JSON); a snapshot row is one cell, the JSON array
``[key, value, …]``, under the ``columns`` record of its table.

Reading the sheet from a file and writing it into a package are :mod:`xlpromo.roundtrip.state`'s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from xlpromo.model.book import RawBook, as_row
from xlpromo.model.ids import assign_ids, id_number
from xlpromo.model.master import SCHEMA
from xlpromo.model.schema import Column, Table
from xlpromo.model.values import excel_serial, is_blank

__all__ = [
    "DEMO_CAMPAIGN_ID",
    "FORMAT_VERSION",
    "KEY_SEP",
    "STATE_SHEET",
    "BookRows",
    "IdStamp",
    "RowValues",
    "State",
    "TableSnapshot",
    "book_rows",
    "canon",
    "cell_stamp",
    "fingerprint",
    "initial_state",
    "key_column",
    "key_columns",
    "key_text",
    "max_ids",
    "natural_key",
    "new_campaign_id",
    "parse_state",
    "pending_ids",
    "row_key",
    "snapshot_of",
    "value_columns",
]

STATE_SHEET = "_xlpromo"
#: Version of the state layout and of the merge rules; a copy of another version is refused.
FORMAT_VERSION = 1
#: The demo's fixed campaign ID, so ``xlpromo demo`` stays deterministic.
DEMO_CAMPAIGN_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "xlpromo:demo:2024-618"))
_TARGET_KEY = "1"  # the single row of 活动目标

Canon = float | str | bool | None


def new_campaign_id() -> str:
    """A fresh campaign ID (UUID4 text)."""
    return str(uuid.uuid4())


def canon(v: object) -> Canon:
    """A cell value in comparable form: blank → None, numbers and dates → float (Excel serials), text as typed."""
    if is_blank(v):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dt.date):  # datetimes and pandas Timestamps too
        return float(excel_serial(v))
    if isinstance(v, dt.time):
        return (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400
    if isinstance(v, dt.timedelta):
        return v.total_seconds() / 86400
    return str(v)


def key_columns(table: Table) -> tuple[str, ...]:
    """The columns whose values name a row of a table without row IDs (none: 活动目标, or ID tables): the
    table's ``natural_key``, else its first column."""
    if table.id_column or (not table.growable and table.capacity == 1):
        return ()
    return table.natural_key or (table.columns[0].key,)


def key_column(table: Table) -> str | None:
    """The first of :func:`key_columns` (None: 活动目标, or ID tables)."""
    return next(iter(key_columns(table)), None)


#: Between the parts of a key of several columns (导入映射's 平台, 导出列名, 指标): no cell of them holds a tab.
KEY_SEP = "\t"


def key_text(key: str) -> str:
    """A row key as 合并冲突/变更记录 show it: the parts of a key of several columns joined by ·."""
    return key.replace(KEY_SEP, " · ")


def row_key(rec: Any, columns: tuple[str, ...]) -> str | None:
    """A row's natural key as text: its key cells stripped, joined by :data:`KEY_SEP`; None when all are blank
    (one column: the cell's text, as snapshots made before keys of several columns hold them)."""
    parts = [natural_key(rec.get(c)) for c in columns]
    if all(p is None for p in parts):
        return None
    return KEY_SEP.join(p or "" for p in parts)


def natural_key(v: object) -> str | None:
    """A natural key as text (stripped), None when blank."""
    c = canon(v)
    return None if c is None else c.strip() if isinstance(c, str) else str(c)


def value_columns(table: Table) -> list[Column]:
    """The columns a merge compares and writes: what people type, the natural key excepted."""
    keys = key_columns(table)
    return [c for c in table.columns if c.editable and c.key not in keys]


@dataclass
class TableSnapshot:
    """Agreed values of one table: column keys, and row key → values in that order."""

    columns: list[str]
    rows: dict[str, list[Canon]] = field(default_factory=dict)


@dataclass
class State:
    """What ``_xlpromo`` holds."""

    campaign_id: str
    format_version: int = FORMAT_VERSION
    role: str = "master"  # or "copy"
    dept: str = ""
    copy_id: str = ""
    made_at: str = ""
    source: str = ""  # the master a copy was made from (file name)
    max_ids: dict[str, int] = field(default_factory=dict)
    snapshot: dict[str, TableSnapshot] = field(default_factory=dict)
    merged: dict[str, str] = field(default_factory=dict)  # "copy_id:fingerprint" of a merged new row → its row ID
    taken: dict[str, set[str]] = field(default_factory=dict)  # copy ID → cell_stamp of each value taken from it
    versions: dict[str, str] = field(default_factory=dict)  # copy ID → when its latest merged version was saved

    def records(self) -> Iterator[tuple[str, str, str | int]]:
        """The sheet's rows: (kind, sub-key, value), or (JSON row, "", "") under a table's ``columns``."""
        yield "format", "", self.format_version
        yield "campaign", "", self.campaign_id
        yield "role", "", self.role
        for k, v in (("dept", self.dept), ("copy_id", self.copy_id), ("made_at", self.made_at),
                     ("source", self.source)):
            if v:
                yield k, "", v
        for table, n in sorted(self.max_ids.items()):
            yield "ids", table, n
        for k, row_id in sorted(self.merged.items()):
            yield "merged", k, row_id
        for copy_id, saved in sorted(self.versions.items()):
            yield "version", copy_id, saved
        for copy_id, stamps in sorted(self.taken.items()):
            ordered = sorted(stamps)
            for i in range(0, len(ordered), _STAMPS_PER_CELL):
                yield "taken", copy_id, " ".join(ordered[i:i + _STAMPS_PER_CELL])
        for table, snap in self.snapshot.items():
            yield "columns", table, _dumps(snap.columns)
            for key, values in snap.rows.items():
                yield _dumps([key, *values]), "", ""

    def rows(self) -> list[list[str | int]]:
        """The sheet's cells, with a header row."""
        return [["xlpromo 状态（合并回传用，请勿修改）", "", ""], *([a, b, c] for a, b, c in self.records())]


_STAMPS_PER_CELL = 2000  # 11 characters each: well below Excel's 32,767 per cell


def cell_stamp(copy_id: str, table: str, key: str, column: str, value: Canon) -> str:
    """A short hash of a value a merge took from a copy, so that the same copy sent again is recognised."""
    text = json.dumps([copy_id, table, key, column, value], ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def _dumps(v: object) -> str:
    if isinstance(v, list):  # 45437 rather than 45437.0: read back as a float
        v = [int(x) if isinstance(x, float) and x.is_integer() and abs(x) < 2**53 else x for x in v]
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def _loads(text: str) -> list[Any]:
    return [float(x) if isinstance(x, int) and not isinstance(x, bool) else x for x in json.loads(text)]


def parse_state(rows: list[list[Any]], *, snapshot: bool = True) -> State:
    """A State from the sheet's cells (see :meth:`State.rows`), its snapshot rows left out unless ``snapshot``."""
    st = State(campaign_id="", format_version=0)
    table = ""
    for row in rows[1:]:
        if not row or not row[0]:
            continue
        kind, sub, value = [*row, "", "", ""][:3]
        kind, sub = str(kind), str(sub)
        try:
            if kind.startswith("["):
                if not snapshot:
                    continue
                key, *values = _loads(kind)
                st.snapshot[table].rows[key if isinstance(key, str) else str(key)] = values
                continue
            if kind == "format":
                st.format_version = int(float(value))
            elif kind == "campaign":
                st.campaign_id = str(value)
            elif kind in ("role", "dept", "copy_id", "made_at", "source"):
                setattr(st, kind, str(value))
            elif kind == "ids":
                st.max_ids[sub] = int(float(value))
            elif kind == "merged":
                st.merged[sub] = str(value)
            elif kind == "version":
                st.versions[sub] = str(value)
            elif kind == "taken":
                st.taken.setdefault(sub, set()).update(str(value).split())
            elif kind == "columns":
                table = sub
                st.snapshot[sub] = TableSnapshot(columns=list(json.loads(str(value))))
        except json.JSONDecodeError:
            shown = kind if len(kind) <= 40 else kind[:40] + "…"
            raise ValueError(f"{STATE_SHEET} 的记录“{shown}”不完整或被改动过") from None
        except (ValueError, TypeError, KeyError):
            raise ValueError(f"{STATE_SHEET} 的记录“{kind} {sub}”已损坏（“{value}”不是它应有的值）") from None
    if not st.campaign_id:
        raise ValueError(f"{STATE_SHEET} 中没有活动ID")
    for key, snap in list(st.snapshot.items()):
        known = next((t for t in SCHEMA.tables if t.key == key), None)
        if known is not None and known.optional and snap.columns != [c.key for c in value_columns(known)]:
            # a table added this round whose rows were keyed otherwise then (导入映射 by 平台 alone): no base, so
            # its rows meet the master's as new ones — an equal row is left, a different one is a conflict
            del st.snapshot[key]
    return st


# ---------------------------------------------------------------------------- current rows of a book


@dataclass
class RowValues:
    """One table row of a file: where it is, its key, its comparable and its raw values by column key."""

    row: int  # Excel row
    key: str
    canon: dict[str, Canon]
    raw: dict[str, Any]
    id_cell: Any = None  # what the file's row-ID cell holds (differs from key when an ID was assigned)


BookRows = dict[str, dict[str, RowValues]]


def book_rows(raw: RawBook, floors: Mapping[str, int] | None = None) -> BookRows:
    """Every table's rows by key; rows without a valid ID (or a repeated one) get fresh IDs above ``floors``."""
    out: BookRows = {}
    for tkey, rt in raw.tables.items():
        table = rt.table
        cols = [c.key for c in value_columns(table)]
        data = rt.data
        if table.id_column:
            data = assign_ids(data, table, (floors or {}).get(tkey, 0))
        rows: dict[str, RowValues] = {}
        kcols = key_columns(table)
        id_cells = rt.data[table.id_column].tolist() if table.id_column and table.id_column in rt.data else None
        present = [c for c in cols if c in data.columns]
        for i, (label, rec) in enumerate(zip(data.index, data.to_dict("records"), strict=True)):
            id_cell = None
            if table.id_column:
                key = str(rec[table.id_column])
                id_cell = id_cells[i] if id_cells is not None else None
            elif kcols:
                nk = row_key(rec, kcols)
                if nk is None or nk in rows:
                    continue  # a repeated or blank natural key: the first row counts (validation reports it)
                key = nk
            else:
                key = _TARGET_KEY
                if rows:
                    continue
            values = {c: rec[c] if c in present else None for c in cols}
            canons = {c: canon(v) for c, v in values.items()}
            values.update({c: rec.get(c) for c in kcols})  # written when the row is appended elsewhere
            rows[key] = RowValues(as_row(label), key, canons, values, id_cell)
        out[tkey] = rows
    return out


def snapshot_of(rows: BookRows) -> dict[str, TableSnapshot]:
    """The snapshot of a book's current rows."""
    out: dict[str, TableSnapshot] = {}
    for tkey, table_rows in rows.items():
        cols = [c.key for c in value_columns(SCHEMA.table(tkey))]
        out[tkey] = TableSnapshot(cols, {k: [r.canon[c] for c in cols] for k, r in table_rows.items()})
    return out


def max_ids(rows: BookRows, floors: Mapping[str, int]) -> dict[str, int]:
    """Highest row-ID number per ID table: the floors, or higher when a row carries a higher ID."""
    out = dict(floors)
    for table in SCHEMA.tables:
        if table.id_column and table.key in rows:
            nums = [id_number(k, table.id_prefix) or 0 for k in rows[table.key]]
            out[table.key] = max([out.get(table.key, 0), *nums])
    return out


def fingerprint(values: Mapping[str, Canon]) -> str:
    """A short hash of a row's values (recognises a new row merged before)."""
    return hashlib.sha1(_dumps(sorted(values.items())).encode()).hexdigest()[:16]


def initial_state(frames: Mapping[str, pd.DataFrame], campaign_id: str) -> State:
    """The state ``new``/``demo`` write: IDs issued so far and the snapshot of the built tables (frames by key)."""
    snap: dict[str, TableSnapshot] = {}
    ids: dict[str, int] = {}
    for table in SCHEMA.tables:
        frame = frames.get(table.key)
        if frame is None:
            continue
        cols = [c.key for c in value_columns(table)]
        kcols = key_columns(table)
        ts = TableSnapshot(cols)
        for i in range(len(frame)):
            rec = frame.iloc[i]
            if table.id_column:
                rid = rec.get(table.id_column)
                if id_number(rid, table.id_prefix) is None:
                    continue  # a blank starter row
                key = str(rid)
                ids[table.key] = max(ids.get(table.key, 0), id_number(rid, table.id_prefix) or 0)
            elif kcols:
                nk = row_key(rec, kcols)
                if nk is None:
                    continue
                key = nk
            else:
                key = _TARGET_KEY
            if key not in ts.rows:
                ts.rows[key] = [canon(rec.get(c)) for c in cols]
        snap[table.key] = ts
    for table in SCHEMA.tables:
        if table.id_column:
            ids.setdefault(table.key, 0)
    return State(campaign_id=campaign_id, max_ids=ids, snapshot=snap)


@dataclass
class IdStamp:
    """Row IDs to write (sheet → {(row, col): ID}, 1-based) and the state with its raised ID floors."""

    cells: dict[str, dict[tuple[int, int], str]]
    state: State | None


def pending_ids(raw: RawBook, state: State | None) -> IdStamp:
    """The fresh row IDs the rows of ``raw`` lacking one (or repeating one) get, above the state's floors."""
    cells: dict[str, dict[tuple[int, int], str]] = {}
    floors = dict(state.max_ids) if state else {}
    for tkey, rt in raw.tables.items():
        key = rt.table.id_column
        if not key or key not in rt.columns or not len(rt.data):
            continue
        fresh = assign_ids(rt.data, rt.table, floors.get(tkey, 0))[key]
        changed = fresh[fresh.astype(object) != rt.data[key].astype(object)]
        if len(changed):
            col = rt.columns[key] + 1
            cells.setdefault(rt.sheet, {}).update({(as_row(r), col): str(v) for r, v in changed.items()})
            nums = [id_number(v, rt.table.id_prefix) or 0 for v in changed]
            floors[tkey] = max([floors.get(tkey, 0), *nums])
    if state is not None and cells:
        state = State(**{**state.__dict__, "max_ids": floors})
    return IdStamp(cells, state if cells else None)
