"""Render formula templates of the schema into Excel formulas.

Tokens: ``{key}`` this row's cell of column ``key``; ``{table.key}`` a whole column of
another table; ``{TH:code}`` the defined name of a threshold; ``{^key}`` the table's head cell ``key``
(an absolute reference such as ``$R$1``); ``{#index}`` this row's position in its table (1 for the first row).
Structured references use
the full form ``Table[[#This Row],[Header]]``, which Excel, WPS and LibreOffice all read.
"""

from __future__ import annotations

import re

from xlpromo.errors import FormulaError
from xlpromo.model.a1 import col_name
from xlpromo.model.schema import Table, WorkbookSchema, structured_ref

__all__ = ["FormulaError", "references", "render", "render_a1", "threshold_name"]

_TOKEN = re.compile(r"\{([\^#]?[A-Za-z_]+(?:[.:][A-Za-z_]+)?)\}")


def references(template: str) -> set[str]:
    """Keys of the same-table columns a template reads (``{key}`` tokens)."""
    return {t for t in _TOKEN.findall(template)
            if "." not in t and ":" not in t and t != "HEADER" and not t.startswith(("^", "#"))}


def threshold_name(code: str) -> str:
    """Defined name of a threshold code: ``pass_line`` → ``TH_PASS_LINE``."""
    return "TH_" + code.upper()


def render(template: str, schema: WorkbookSchema, table: Table) -> str:
    """Template → formula with structured references, for a table's calculated column."""

    def sub(m: re.Match[str]) -> str:
        tok = m.group(1)
        try:
            if tok.startswith("TH:"):
                return threshold_name(tok[3:])
            if tok == "#index":  # not ROW()-ROW(T[#Headers]): LibreOffice 7.4 gives #Headers no row
                first = structured_ref(table.name, table.columns[0].header)
                return f"ROWS(INDEX({first},1):{structured_ref(table.name, table.columns[0].header, this_row=True)})"
            if tok.startswith("^"):
                row, col = table.head_cell(tok[1:])
                return f"${col_name(col)}${row + 1}"
            if "." in tok:
                tkey, ckey = tok.split(".")
                other = schema.table(tkey)
                return structured_ref(other.name, other.col(ckey).header)
            return structured_ref(table.name, table.col(tok).header, this_row=True)
        except KeyError as exc:
            raise FormulaError(f"{table.key}: unknown reference {{{tok}}}") from exc

    return _TOKEN.sub(sub, template)


def render_a1(template: str, table: Table, first_row: int, first_col: int | None = None) -> str:
    """Template → A1 formula for conditional formats (which forbid structured references).

    ``{key}`` becomes ``$C5``: column absolute, row relative to ``first_row`` (zero-based).
    ``{HEADER}`` becomes ``C$3``: the header cell above each cell of a range starting at ``first_col``.
    """

    def sub(m: re.Match[str]) -> str:
        tok = m.group(1)
        if tok == "HEADER":
            col = table.first_col if first_col is None else first_col
            return f"{col_name(col)}${table.header_row + 1}"
        if tok.startswith("TH:"):
            return threshold_name(tok[3:])
        if "." in tok:
            raise FormulaError(f"{table.key}: {{{tok}}} not allowed in a conditional format")
        try:
            col = table.first_col + table.index(tok)
        except KeyError as exc:
            raise FormulaError(f"{table.key}: unknown column {{{tok}}}") from exc
        return f"${col_name(col)}{first_row + 1}"

    return _TOKEN.sub(sub, template)
