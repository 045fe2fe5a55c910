"""Every exception of xlpromo, in one tree (as httpx keeps its own).

    XlpromoError
    ├── WorkbookError             a file the user gave cannot be used (CLI exit code 2, a message box)
    │   ├── NotAWorkbook          not an .xlsx/.xlsm file, truncated or corrupt
    │   ├── ExportError           a platform's export (CSV, .xls, .xlsx) unreadable: type, encoding, no header row
    │   ├── EncryptedWorkbook     protected by a password to open
    │   ├── MissingSheet          a sheet of the schema is absent
    │   ├── MissingHeader         a table's input column is absent
    │   ├── SheetNameTaken        the user's own sheet has the name of a sheet xlpromo writes (问题清单…)
    │   ├── DamagedState          the hidden ``_xlpromo`` sheet is damaged
    │   ├── MissingTable          an Excel table recalc, split or merge edits is gone (转换为区域, renamed)
    │   ├── NotSplittable         the master cannot be split (no state sheet, unknown department)
    │   └── NotMergeable          a copy or master that cannot be merged (another campaign, version…)
    │       ├── NotAMaster        the file given as the master is a department copy
    │       └── NotACopy          a file given as a copy is a master or a merged result
    ├── ExcelUnavailable          no Excel to talk to (Linux, or Excel not running)
    ├── AddinError                the add-in cannot be built or installed
    ├── RobotError                a group robot refused a message or could not be reached (CLI exit code 2)
    └── LibreOfficeError          soffice is missing or failed (tests and the interop tools)

    ValueError
    ├── ParseError                a typed value that cannot be understood (becomes a finding, never raised out)
    └── FormulaError              a formula template names what the schema lacks (a bug of ours)

A user's mistake is a :class:`WorkbookError` with a Chinese message naming the file (and the
sheet, header or cell where they apply); anything else reaching the CLI is our bug and says
so. Problems inside a usable workbook are not exceptions: they are findings of a report.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AddinError",
    "DamagedState",
    "EncryptedWorkbook",
    "ExcelUnavailable",
    "ExportError",
    "FormulaError",
    "LibreOfficeError",
    "MissingHeader",
    "MissingSheet",
    "MissingTable",
    "NotACopy",
    "NotAMaster",
    "NotAWorkbook",
    "NotMergeable",
    "NotSplittable",
    "ParseError",
    "RobotError",
    "SheetNameTaken",
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


class ExportError(WorkbookError):
    """A platform's export (生意参谋, 京东商智 …) that cannot be read: missing, empty, not CSV/.xls/.xlsx, binary,
    encrypted, in an unknown encoding, or without a header row; str() names the file and says what was seen."""

    code = "unreadable-export"


class EncryptedWorkbook(WorkbookError):
    """The workbook is encrypted with a password to open."""

    code = "encrypted"


class MissingSheet(WorkbookError):
    """A sheet the schema requires is not in the workbook."""

    code = "missing-sheet"


class MissingHeader(WorkbookError):
    """A table's input column was not found in its header row."""

    code = "missing-header"


class SheetNameTaken(WorkbookError):
    """A sheet of the user's has the name of a sheet xlpromo generates; it is never overwritten."""

    code = "sheet-name-taken"

    def __init__(self, path: str | Path, sheet: str) -> None:
        super().__init__(path, f"工作表“{sheet}”是您自己的工作表，而 xlpromo 要用这个名称写入结果；"
                               f"请把它改名（例如“{sheet}（我的）”）后再试，xlpromo 不会覆盖它", sheet=sheet)


class MissingTable(WorkbookError):
    """An Excel table the round trip edits is no longer in the sheet: converted to a range, renamed or deleted."""

    code = "missing-table"

    def __init__(self, path: str | Path, sheet: str, table: str) -> None:
        super().__init__(path, f"工作表“{sheet}”中的 Excel 表格“{table}”已不存在（被“转换为区域”、改名或删除）："
                               f"重算、分发和合并需要它；请选中表头到最后一行，插入 → 表格（包含标题），"
                               f"再在“表设计”中把表名改回 {table}", sheet=sheet)
        self.table = table


class DamagedState(WorkbookError):
    """The hidden state sheet ``_xlpromo`` cannot be read."""

    code = "damaged-state"


class NotSplittable(WorkbookError):
    """The master cannot be split (no state sheet, unknown department)."""

    code = "not-splittable"


class NotMergeable(WorkbookError):
    """A copy (or the master) that cannot be merged: another campaign, another version, changed headers."""

    code = "not-mergeable"


class NotAMaster(NotMergeable):
    """The file given as the master is a department copy."""

    code = "not-a-master"

    def __init__(self, path: Path, dept: str) -> None:
        super().__init__(path, f"这是{dept}部门副本，不是主工作簿：第一个参数应为主工作簿，副本放在其后")
        self.dept = dept


class NotACopy(NotMergeable):
    """A file given as a department copy is a master or a merged result."""

    code = "not-a-copy"

    def __init__(self, path: Path) -> None:
        super().__init__(path, "无法合并：这是主工作簿（或合并结果），不是部门副本；"
                               "副本由 xlpromo split 生成，主工作簿应放在第一个参数")


class MasterTwice(NotMergeable):
    """The master is also given among the files to merge into it."""

    code = "master-twice"

    def __init__(self, path: Path) -> None:
        super().__init__(path, "主工作簿不能同时作为副本给出：请只把收回的文件放在它后面")


class ExcelUnavailable(XlpromoError):
    """No Excel to talk to (Linux, or Excel not running); the message points to the command line."""


class AddinError(XlpromoError, ValueError):
    """The add-in cannot be built or installed: the message (Chinese) says why."""


class RobotError(XlpromoError):
    """A group robot refused a message or could not be reached; str() is Chinese with the platform's own words.

    ``errcode`` is the robot's error code when it gave one (钉钉 310000, 飞书 19021, 企业微信 93000…). The
    message never holds the webhook's key or token nor the signing secret (``xlpromo.robots.mask``).
    """

    code = "robot-error"
    exit_code = 2

    def __init__(self, message: str, *, errcode: int | None = None) -> None:
        super().__init__(message)
        self.errcode = errcode


class LibreOfficeError(XlpromoError, RuntimeError):
    """soffice is missing or failed to convert a file."""


class ParseError(ValueError):
    """A typed value that cannot be understood; .code is an English slug, str() a Chinese message."""

    code: str

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, str]]:
        return type(self), (self.code, str(self))


class FormulaError(ValueError):
    """A template names a table, column or threshold the schema does not have."""
