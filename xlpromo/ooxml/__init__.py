"""The .xlsx package edited in place, keeping every untouched byte. Knows no schema and no pandas.

The layers above import from here, not from the modules inside, so the package can be
arranged by OOXML part without touching them. One module per part or job:

- ``xmltext``: XML as text (escaping, attributes, children); ``cells``: one cell's XML;
- ``package``: :class:`XlsxPackage`, the zip held in memory and saved; ``stream``: big members
  left compressed and read in blocks (:func:`row_blocks`, the reader's too, and
  :func:`addressed_blocks`, with every row and cell given its implied ``r``: ``addresses``);
  ``cached``: cached values into formula cells;
- parts: ``rels``, ``content_types``, ``workbook``, ``worksheet``, ``styles``;
- what xlpromo writes: ``sheets`` (generated and hidden sheets), ``highlight``;
- ``editor``: :class:`BookPatch` (cell values, locks, protection, table ranges), ``rowedit`` its rows;
  ``atomic``.
"""

from xlpromo.ooxml.atomic import atomic_path, staged_folder, temp_file
from xlpromo.ooxml.cells import KEEP, CachedValue, Formatted, Formula, Keep, Value
from xlpromo.ooxml.editor import PROTECTION, BookPatch
from xlpromo.ooxml.highlight import HIGHLIGHT_FORMULA
from xlpromo.ooxml.package import XlsxPackage
from xlpromo.ooxml.rels import relationships, rels_part, resolve
from xlpromo.ooxml.sheets import GENERATED_TAB_COLOR, text_lines
from xlpromo.ooxml.stream import STREAM_OVER, addressed_blocks, row_blocks
from xlpromo.ooxml.styles import INPUT_BORDER, INPUT_FILL

__all__ = [
    "GENERATED_TAB_COLOR",
    "HIGHLIGHT_FORMULA",
    "INPUT_BORDER",
    "INPUT_FILL",
    "KEEP",
    "PROTECTION",
    "STREAM_OVER",
    "BookPatch",
    "CachedValue",
    "Formatted",
    "Formula",
    "Keep",
    "Value",
    "XlsxPackage",
    "addressed_blocks",
    "atomic_path",
    "relationships",
    "rels_part",
    "resolve",
    "row_blocks",
    "staged_folder",
    "temp_file",
    "text_lines",
]
