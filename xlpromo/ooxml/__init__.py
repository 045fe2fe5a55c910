"""The .xlsx package edited in place, keeping every untouched byte. Knows no schema and no pandas.

The layers above import from here, not from the modules inside, so the package can be
arranged by OOXML part without touching them.
"""

from xlpromo.ooxml.atomic import atomic_path
from xlpromo.ooxml.editor import INPUT_BORDER, INPUT_FILL, PROTECTION, BookPatch, Formula, Keep, Value
from xlpromo.ooxml.xlsxpatch import (
    GENERATED_TAB_COLOR,
    HIGHLIGHT_FORMULA,
    STREAM_OVER,
    CachedValue,
    XlsxPackage,
    text_lines,
)

__all__ = [
    "GENERATED_TAB_COLOR",
    "HIGHLIGHT_FORMULA",
    "INPUT_BORDER",
    "INPUT_FILL",
    "PROTECTION",
    "STREAM_OVER",
    "BookPatch",
    "CachedValue",
    "Formula",
    "Keep",
    "Value",
    "XlsxPackage",
    "atomic_path",
    "text_lines",
]
