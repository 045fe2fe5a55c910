"""One cell as XML: the values a cell can hold, their type attribute and text, and the ``<c>`` element.

Every cell xlpromo writes (a generated sheet's, the state sheet's, an edited cell of the
editor's, a formula's cached value) goes through :func:`encode` and :func:`cell_xml`, so a
number, a boolean or a text is written one way everywhere.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass

from xlpromo.model.values import CellError
from xlpromo.ooxml.xmltext import ILLEGAL_XML, esc_cell

__all__ = ["KEEP", "MAX_TEXT", "CachedValue", "Formatted", "Formula", "Keep", "Value", "cell_xml", "encode", "number",
           "with_t"]

#: What a formula's cached result can be (None: blank).
CachedValue = float | int | str | bool | None
MAX_TEXT = 32767  # characters Excel keeps in one cell

_T_ATTR = re.compile(r"""\st\s*=\s*(?:"[^"]*"|'[^']*')""")


@dataclass(frozen=True)
class Formula:
    """A formula cell: its text (no leading ``=``) and the cached value written with it."""

    text: str
    cached: str | float | None = ""


@dataclass(frozen=True)
class Formatted:
    """A number shown with a number format of its own (a date typed into a text column): the cell's style is
    derived from its current one with ``num_format``."""

    value: float | int
    num_format: str


class Keep:
    """Sentinel type: leave the cell's content as it is (only its style changes)."""


KEEP = Keep()
#: What the editor writes into a cell.
Value = str | float | int | bool | None | Formula | Formatted | Keep


def number(v: float | int) -> str:
    """A number as Excel writes it (shortest repr, no ``.0``); ValueError for inf and NaN, which no cell holds."""
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"a cell cannot hold {v!r}: pass None for a blank result")
        text = float.__repr__(v)
        return text[:-2] if text.endswith(".0") else text
    return str(v)


def encode(v: object) -> tuple[str | None, str]:
    """A cached value → (t attribute, or None for a number; escaped <v> text). numpy scalars are numbers too."""
    if v is None:
        return "str", ""
    if isinstance(v, CellError):  # #N/A where a chart skips a point: an error value, as a spreadsheet saves it
        return "e", esc_cell(str(v))
    if isinstance(v, str):
        return "str", esc_cell(str(v))
    if isinstance(v, bool) or type(v).__name__ == "bool_":  # numpy booleans too
        return "b", "1" if v else "0"
    if isinstance(v, numbers.Integral):
        return None, str(int(v))
    if isinstance(v, numbers.Real):
        return None, number(float(v))
    raise TypeError(f"not a cached value (number, text, bool or None): {v!r}")


def with_t(attrs: str, t: str | None) -> str:
    """Cell attributes with the t attribute set to ``t`` (removed for None): the type follows the new value."""
    if _T_ATTR.search(attrs):
        return _T_ATTR.sub("" if t is None else f' t="{t}"', attrs, count=1)
    return attrs if t is None else f'{attrs} t="{t}"'


def cell_xml(ref: str, value: Value, *, style: int | None = None, p: str = "") -> str:
    """The ``<c>`` element of ``value`` at ``ref`` (None, "" and :class:`Keep`: an empty, styled cell).

    ``p`` is the sheet's namespace prefix (``"x:"``). Texts are inline strings, cut to what Excel keeps;
    a :class:`~xlpromo.model.values.CellError` is an error value.
    """
    attrs = f' r="{ref}"' + (f' s="{style}"' if style else "")
    if value is None or isinstance(value, Keep) or (isinstance(value, str) and value == ""):
        return f"<{p}c{attrs}/>"
    if isinstance(value, Formula):
        f = f"<{p}f>{esc_cell(value.text)}</{p}f>"
        cached = value.cached
        if cached is None or isinstance(cached, str):
            return f'<{p}c{attrs} t="str">{f}<{p}v>{esc_cell(cached or "")}</{p}v></{p}c>'
        return f"<{p}c{attrs}>{f}<{p}v>{number(cached)}</{p}v></{p}c>"
    if isinstance(value, Formatted):
        return f"<{p}c{attrs}><{p}v>{number(value.value)}</{p}v></{p}c>"
    if isinstance(value, CellError):
        return f'<{p}c{attrs} t="e"><{p}v>{esc_cell(str(value))}</{p}v></{p}c>'
    if isinstance(value, (bool, numbers.Real)) or type(value).__name__ == "bool_":  # numpy scalars too
        t, text = encode(value)
        return f'<{p}c{attrs} t="{t}"><{p}v>{text}</{p}v></{p}c>' if t else f"<{p}c{attrs}><{p}v>{text}</{p}v></{p}c>"
    text = esc_cell(ILLEGAL_XML.sub("", str(value))[:MAX_TEXT])
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<{p}c{attrs} t="inlineStr"><{p}is><{p}t{space}>{text}</{p}t></{p}is></{p}c>'
