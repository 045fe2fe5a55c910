"""Declarative description of the master workbook: sheets, tables, columns.

The model classes live here; the concrete campaign workbook (every header string) is in
:mod:`xlpromo.model.master`. Builders, readers and validators consume these objects and never
spell a header themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "ColType",
    "Column",
    "Direction",
    "HeadCell",
    "Highlight",
    "Sheet",
    "Style",
    "Table",
    "WorkbookSchema",
    "structured_ref",
]


class ColType(StrEnum):
    """Value type of a column; decides number format, validation and parsing."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"
    WAN = "wan"  # money in 万元
    DATE = "date"
    ENUM = "enum"


class Direction(StrEnum):
    """Whether a metric is better when higher or when lower (数据字典 · 方向)."""

    HIGHER = "越高越好"
    LOWER = "越低越好"


@dataclass(frozen=True, kw_only=True)
class Column:
    """One column of a table: its header, type and how it is filled.

    ``formula`` marks a computed column. It is a template in which ``{key}`` is this
    row's cell of column ``key`` of the same table, ``{table.key}`` the whole column of
    another table, and ``{TH:code}`` / ``{NAME}`` a defined name of the workbook.
    """

    key: str
    header: str
    type: ColType = ColType.TEXT
    required: bool = False
    choices: str | None = None  # key of a list table on 数据字典
    strict_choices: bool = True  # False: dropdown offered, other values allowed
    min: float | None = None
    max: float | None = None
    formula: str | None = None
    filled_by: str | None = None  # department, or None when the row owner fills it
    width: float = 12
    note: str = ""
    unique: bool = False
    metric: str | None = None  # a target column: the metric of the catalogue it targets
    readonly: bool = False  # reference text that people read but do not type (locked)
    system: bool = False  # written by xlpromo (row IDs, marks): never typed, optional in a file
    hidden: bool = False  # the column is hidden in the workbook
    planned: bool = False  # set when a row is planned (日期, 指标, 目标): a department copy opens it on new rows only
    unit_of: str | None = None  # the column naming the row's metric (or unit), whose unit decides the number format
    num_format: str | None = None  # the column's own number format, where its type's would not do

    @property
    def computed(self) -> bool:
        """True when the column is a native formula, not typed by a person."""
        return self.formula is not None

    @property
    def editable(self) -> bool:
        """True when people type into this column (its cells stay unlocked)."""
        return self.formula is None and not self.readonly and not self.system


class Style(StrEnum):
    """Cell styles of conditional formats; the legend on 使用说明 explains each."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    GREY = "grey"
    RED_TEXT = "red_text"
    FLAG = "flag"  # a cell xlpromo marked (its 标记 column names it)


@dataclass(frozen=True, kw_only=True)
class Highlight:
    """A conditional format: where ``when`` (an A1 template, see formulas.render_a1) holds,
    paint ``columns`` (all columns of the row when empty) in ``style``."""

    when: str
    style: Style
    meaning: str
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class HeadCell:
    """A formula cell in the sheet's first row, above column ``column`` of a table, with ``label`` to its left:
    one value the table's rows read (``{^key}`` in their templates) where each row computing it would cost a
    scan of the whole table per row."""

    key: str
    column: str  # key of the table column the cell sits above
    label: str
    formula: str  # a template as a column's, rendered with the table as context


@dataclass(frozen=True, kw_only=True)
class Table:
    """An Excel table (ListObject) on a sheet."""

    key: str
    name: str  # Excel table name, ASCII so formulas stay portable
    title: str
    columns: tuple[Column, ...]
    first_col: int = 0  # zero-based column of the table's left edge
    header_row: int = 2  # zero-based row of the header
    id_column: str | None = None  # key of the system column holding each row's stable ID
    id_prefix: str = ""  # first letter(s) of this table's row IDs, e.g. ``D`` → ``D00017``
    mark_column: str | None = None  # key of the system column xlpromo writes its marks into
    owner_column: str | None = None  # key of the column naming the owning department
    growable: bool = True
    capacity: int = 2000  # rows below the header that keep validation and formats
    highlights: tuple[Highlight, ...] = ()
    head: tuple[HeadCell, ...] = ()
    #: A table later versions added (导入映射): a workbook made before lacks it, and readers leave it out then
    #: rather than refuse the whole book; its users fall back on the shipped defaults.
    optional: bool = False
    #: The columns that name a row of a table without row IDs, when not its first column alone (阈值配置: 参数代码;
    #: 导入映射: 平台, 导出列名 and 指标 together, since a platform has many rows). A merge aligns rows by them.
    natural_key: tuple[str, ...] = ()

    def col(self, key: str) -> Column:
        """The column with this key (KeyError if absent)."""
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.key}.{key}")

    def index(self, key: str) -> int:
        """Zero-based position of a column inside the table."""
        for i, c in enumerate(self.columns):
            if c.key == key:
                return i
        raise KeyError(f"{self.key}.{key}")

    def head_cell(self, key: str) -> tuple[int, int]:
        """(row, col), zero-based, of the head cell ``key``: the sheet's first row, above its column."""
        for h in self.head:
            if h.key == key:
                return 0, self.first_col + self.index(h.column)
        raise KeyError(f"{self.key}.^{key}")

    @property
    def headers(self) -> list[str]:
        """The header row, in order."""
        return [c.header for c in self.columns]

    @property
    def inputs(self) -> list[Column]:
        """Columns typed by people (every column but formulas and xlpromo's own)."""
        return [c for c in self.columns if not c.computed and not c.system]

    @property
    def system_columns(self) -> list[Column]:
        """Columns xlpromo writes itself (row IDs, marks); a file may lack them."""
        return [c for c in self.columns if c.system]

    @property
    def computed_columns(self) -> list[Column]:
        """Columns computed by a native formula."""
        return [c for c in self.columns if c.computed]


@dataclass(frozen=True, kw_only=True)
class Sheet:
    """A worksheet: its Chinese name, what it is for, and the tables on it."""

    key: str
    name: str
    purpose: str
    filled_by: str
    phase: str
    tables: tuple[Table, ...] = ()
    protected: bool = False
    landscape: bool = True
    one_page: bool = False  # printed on one page (a short list of fixed rows: 阈值配置), not one page wide


@dataclass(frozen=True, kw_only=True)
class WorkbookSchema:
    """All sheets of the workbook, in order."""

    sheets: tuple[Sheet, ...]
    version: str = field(default="1")

    def sheet(self, key: str) -> Sheet:
        """The sheet with this key."""
        for s in self.sheets:
            if s.key == key:
                return s
        raise KeyError(key)

    def table(self, key: str) -> Table:
        """The table with this key, wherever it is."""
        for s in self.sheets:
            for t in s.tables:
                if t.key == key:
                    return t
        raise KeyError(key)

    def sheet_of(self, table_key: str) -> Sheet:
        """The sheet holding a table."""
        for s in self.sheets:
            if any(t.key == table_key for t in s.tables):
                return s
        raise KeyError(table_key)

    @property
    def tables(self) -> list[Table]:
        """Every table of every sheet."""
        return [t for s in self.sheets for t in s.tables]


_SPECIAL = re.compile(r"([\[\]#'])")


def structured_ref(table: str, header: str, this_row: bool = False) -> str:
    """The full structured reference ``T[[#This Row],[H]]`` or ``T[H]`` (Excel+LibreOffice)."""
    escaped = _SPECIAL.sub(r"'\1", header)
    if this_row:
        return f"{table}[[#This Row],[{escaped}]]"
    return f"{table}[[{escaped}]]" if escaped != header else f"{table}[{header}]"
