"""xlpromo: spreadsheet-native promotion campaigns (618, 双11) for Excel, WPS and LibreOffice.

The public face, the handful of calls a program needs (README "Python API")::

    import xlpromo
    xlpromo.build_workbook("618.xlsx", xlpromo.demo_frames())
    report = xlpromo.check("618.xlsx")          # findings and alerts, nothing written
    xlpromo.recalc("618.xlsx", "618.recalc.xlsx")  # fresh values, 问题清单, 预警, highlights
    xlpromo.split_book("618.xlsx", "仓储部", "618-仓储部.xlsx")
    xlpromo.merge_books("618.xlsx", ["618-仓储部.xlsx"], "618.合并.xlsx")

Names load on first use, so ``import xlpromo`` (and the add-in's start) stays cheap.
Everything a user can get wrong raises a :class:`WorkbookError` (see :mod:`xlpromo.errors`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from xlpromo._version import __version__

#: public name → module that defines it
_FACE = {
    "Campaign": "xlpromo.files.builder",
    "build_workbook": "xlpromo.files.builder",
    "demo_frames": "xlpromo.files.demo",
    "read_workbook": "xlpromo.files.reader",
    "check": "xlpromo.files.check",
    "check_book": "xlpromo.engine.report",
    "Report": "xlpromo.engine.report",
    "write_report": "xlpromo.files.retro",
    "recalc": "xlpromo.roundtrip.recalc",
    "split_book": "xlpromo.roundtrip.split",
    "split_all": "xlpromo.roundtrip.split",
    "merge_books": "xlpromo.roundtrip.merge",
    "XlpromoError": "xlpromo.errors",
    "WorkbookError": "xlpromo.errors",
}

__all__ = [  # the names of _FACE (a test holds them equal)
    "Campaign",
    "Report",
    "WorkbookError",
    "XlpromoError",
    "__version__",
    "build_workbook",
    "check",
    "check_book",
    "demo_frames",
    "merge_books",
    "read_workbook",
    "recalc",
    "split_all",
    "split_book",
    "write_report",
]

if TYPE_CHECKING:
    from xlpromo.engine.report import Report, check_book
    from xlpromo.errors import WorkbookError, XlpromoError
    from xlpromo.files.builder import Campaign, build_workbook
    from xlpromo.files.check import check
    from xlpromo.files.demo import demo_frames
    from xlpromo.files.reader import read_workbook
    from xlpromo.files.retro import write_report
    from xlpromo.roundtrip.merge import merge_books
    from xlpromo.roundtrip.recalc import recalc
    from xlpromo.roundtrip.split import split_all, split_book


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562)."""
    if name not in _FACE:
        raise AttributeError(f"module 'xlpromo' has no attribute {name!r}")
    value = getattr(importlib.import_module(_FACE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_FACE])
