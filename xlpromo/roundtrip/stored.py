"""Number cells that store no finite number (``<v>INF</v>``, ``NaN``, ``1e309``), made text in every output.

No spreadsheet writes such a cell, and neither openpyxl nor LibreOffice opens a package holding one; the reader
gives them as :class:`~xlpromo.model.values.BadNumber` and validation reports each (``not-finite``). Whatever
xlpromo writes from such a file holds the same characters as a text cell, so the output opens everywhere and
the person sees what was stored, at the cell the finding names."""

from __future__ import annotations

from xlpromo.model.book import RawBook, as_row
from xlpromo.model.values import BadNumber

__all__ = ["bad_number_cells"]


def bad_number_cells(raw: RawBook) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet → (row, col), 1-based → the stored text of each number cell of the tables that holds no number."""
    out: dict[str, dict[tuple[int, int], str]] = {}
    for rt in raw.tables.values():
        for key, c in rt.columns.items():
            if key not in rt.data.columns:
                continue
            col = rt.data[key]
            bad = col.map(lambda v: isinstance(v, BadNumber))
            for r, v in col[bad.astype(bool)].items():
                out.setdefault(rt.sheet, {})[(as_row(r), c + 1)] = str(v)
    return out
