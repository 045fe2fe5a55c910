"""Exceptions of xlpromo.

    XlpromoError
    └── WorkbookError          the file cannot be used at all (CLI exit code 2)
        ├── NotAWorkbook       not an .xlsx/.xlsm file, truncated or corrupt
        ├── EncryptedWorkbook  protected by a password to open
        ├── MissingSheet       a sheet of the schema is absent
        └── MissingHeader      a table's input column is absent

Problems inside a usable workbook are not exceptions: they are findings of a report.
Every message is Chinese and names the file, and the sheet and header where they apply.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "EncryptedWorkbook",
    "MissingHeader",
    "MissingSheet",
    "NotAWorkbook",
    "WorkbookError",
    "XlpromoError",
]


class XlpromoError(Exception):
    """Base of every xlpromo exception."""


class WorkbookError(XlpromoError):
    """A workbook that cannot be used; ``code`` is an English slug, str() a Chinese message."""

    code = "unusable-workbook"

    def __init__(self, path: str | Path, message: str, *, sheet: str | None = None,
                 header: str | None = None) -> None:
        self.path = Path(path)
        self.sheet = sheet
        self.header = header
        super().__init__(f"{self.path.name}: {message}")


class NotAWorkbook(WorkbookError):
    """The file is not a readable .xlsx workbook (wrong type, truncated, corrupt)."""

    code = "not-a-workbook"


class EncryptedWorkbook(WorkbookError):
    """The workbook is encrypted with a password to open."""

    code = "encrypted"


class MissingSheet(WorkbookError):
    """A sheet the schema requires is not in the workbook."""

    code = "missing-sheet"


class MissingHeader(WorkbookError):
    """A table's input column was not found in its header row."""

    code = "missing-header"
