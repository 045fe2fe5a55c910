"""What every table of the master shares: the column type shorthands, 标记 and 行ID, and their highlights.

Split from :mod:`.master` so each sheet's module (:mod:`.stock`, …) builds its table from the same parts.
"""

from __future__ import annotations

from xlpromo.model.defaults import MARK_CLOSE, MARK_OPEN, RATE_DIGITS
from xlpromo.model.schema import ColType, Column, Direction, Highlight, Style

__all__ = [
    "DATE",
    "DEC",
    "ENUM",
    "FLAGS",
    "HIGHER",
    "INT",
    "LOWER",
    "PCT",
    "WAN",
    "T",
    "list_name",
    "rate_highlights",
    "system_columns",
]

T, INT, DEC, PCT, WAN, DATE, ENUM = (
    ColType.TEXT, ColType.INTEGER, ColType.DECIMAL, ColType.PERCENT, ColType.WAN,
    ColType.DATE, ColType.ENUM,
)
LOWER = Direction.LOWER.value
HIGHER = Direction.HIGHER.value


def list_name(list_key: str) -> str:
    """Defined name of a dropdown list on 数据字典, e.g. ``L_DEPARTMENTS``."""
    return "L_" + list_key.upper()


def rate_highlights(rate: str, cols: tuple[str, ...]) -> tuple[Highlight, ...]:
    """Red below the warning line, amber below the pass line, green at or above it."""
    has, r = f"ISNUMBER({{{rate}}})", f"ROUND({{{rate}}},{RATE_DIGITS})"
    return (
        Highlight(when=f"AND({has},{r}<{{TH:warn_line}})", style=Style.RED, columns=cols,
                  meaning="达成率低于严重预警线"),
        Highlight(when=f"AND({has},{r}<{{TH:pass_line}})", style=Style.AMBER,
                  columns=cols, meaning="达成率低于达标线"),
        Highlight(when=f"AND({has},{r}>={{TH:pass_line}})", style=Style.GREEN,
                  columns=cols, meaning="达成率达标"),
    )


def system_columns() -> tuple[Column, Column]:
    """标记 (what xlpromo flagged in the row) and the hidden 行ID every growable table ends with."""
    return (
        Column(key="mark", header="标记", width=24, system=True,
               note="由 xlpromo 写入：被标出的列及原因，请勿填写"),
        Column(key="row_id", header="行ID", width=9, system=True, hidden=True,
               note="由 xlpromo 写入的行标识，合并回传时用来对齐行，请勿修改"),
    )


#: Cells named in the row's 标记 (``【header】``), and the 标记 cell itself; listed first, so they win.
FLAGS = (
    Highlight(when=f'AND({{mark}}<>"",ISNUMBER(FIND("{MARK_OPEN}"&{{HEADER}}&"{MARK_CLOSE}",{{mark}})))',
              style=Style.FLAG, meaning="xlpromo 校验或预警标出的单元格，原因见该行“标记”列"),
    Highlight(when='{mark}<>""', style=Style.FLAG, columns=("mark",),
              meaning="xlpromo 校验或预警标出的单元格，原因见该行“标记”列"),
)
