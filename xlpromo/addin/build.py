"""The Excel add-in ``xlpromo.xlam``: built on any OS from ``macros/`` and the installed xlwings; installed for Excel.

The add-in holds a source-only VBA project (Excel compiles it on load) with:

- ``xlwings``: the installed wheel's ``xlwings/xlwings.bas`` (RunPython, the UDF bridge), unchanged;
- ``Dictionary``: the wheel's ``xlwings/addin/Dictionary.cls``, which ``xlwings.bas`` needs on macOS
  (``GetConfigFromSheet`` uses ``New Dictionary`` there, ``Scripting.Dictionary`` on Windows);
- every ``macros/*.bas``: the ribbon callbacks, the UDF wrappers and the self-test;
- the document modules ``ThisWorkbook`` and ``Sheet1`` (the ``xlwings.conf`` sheet), empty.

It also holds the ``xlwings.conf`` sheet (key in column A, value in column B, from A1 down, as
``xlwings.bas`` reads it) and the ribbon ``customUI/customUI14.xml``, related from ``_rels/.rels``
as the last step of the build. ``xl/workbook.xml`` has the add-in content type. The same input
gives the same bytes.

**Byte-identical.** An exported standard module (``.bas``: ``Attribute VB_Name = "Name"`` on the
first line, then the code; CRLF line ends, a final CRLF; code page 936) is stored so that the
module text a VBA reader extracts (olevba), encoded in code page 936, equals the file's bytes,
the ``Attribute VB_Name`` line included. A class module (``.cls``) is stored as the VBA editor
imports it: its ``VERSION``/``BEGIN``…``END`` block dropped and the attributes the editor adds
(``VB_Base``, ``VB_TemplateDerived``, ``VB_Customizable``) put in the header beside the file's own.

``install_addin`` puts the add-in in Excel's start-up folder (Windows: ``%APPDATA%\\Microsoft\\Excel\\
XLSTART``; macOS: the Office group container's ``Startup/Excel``), as ``xlwings addin install``
does, and writes the Python running it as ``INTERPRETER_WIN``/``INTERPRETER_MAC`` into the user's
xlwings config file, the way ``xlwings config create`` writes it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import locale
import os
import re
import shutil
import sys
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from xlpromo.addin.vba import OFFICE16, STDOLE, Module, ModuleKind, build_vba_project
from xlpromo.errors import AddinError
from xlpromo.ooxml import atomic_path

__all__ = [
    "ADDIN_NAME",
    "CODEPAGE",
    "CONFIG",
    "CONFIG_SHEET",
    "CONTENT_TYPE",
    "MACROS_DIR",
    "PROJECT_NAME",
    "RIBBON_PART",
    "RIBBON_RELATIONSHIP",
    "AddinError",
    "Installation",
    "XlwingsSources",
    "addin_modules",
    "build_addin",
    "host_platform",
    "install_addin",
    "installation",
    "package_addin",
    "parse_module",
    "read_module",
    "uninstall_addin",
    "write_addin",
    "xlwings_sources",
]

ADDIN_NAME = "xlpromo.xlam"
PROJECT_NAME = "xlpromo"
CODEPAGE = 936  # GBK: what the VBA editor of a Chinese Windows writes
_PACKAGE = Path(__file__).resolve().parents[1]  # xlpromo/
_CHECKOUT_MACROS = _PACKAGE.parent / "macros"
#: The .bas modules and the ribbon XML: macros/ of a source checkout, else the copy a wheel carries.
MACROS_DIR = _CHECKOUT_MACROS if _CHECKOUT_MACROS.is_dir() else _PACKAGE / "_macros"
RIBBON_FILE = "customUI14.xml"
RIBBON_PART = "customUI/customUI14.xml"
RIBBON_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
_XLSM_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CONFIG_SHEET = "xlwings.conf"
#: Rows of the ``xlwings.conf`` sheet. A row there wins over the user's config file (xlwings reads
#: sheet, then the add-in's folder, then ``~/.xlwings/xlwings.conf``), so the interpreter is not
#: set here: ``install_addin`` writes it to the user's file. Empty keys are left out for the same reason.
CONFIG: tuple[tuple[str, str], ...] = (("UDF Modules", "xlpromo.excel.udfs"),)
_STAMP = dt.datetime(2024, 6, 1)  # fixed document dates: the same input gives the same bytes
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_ATTRIBUTE = re.compile(r'Attribute\s+(VB_\w+)\s*=\s*(.*?)\s*\Z', re.IGNORECASE)
_NAME = re.compile(r'"([^"]*)"\Z')


# ---------------------------------------------------------------- VBA modules


def parse_module(data: bytes, filename: str, *, codepage: int = CODEPAGE) -> Module:
    """A module from an exported ``.bas``/``.cls`` file's bytes (see "Byte-identical" above)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in (".bas", ".cls"):
        raise AddinError(f"{filename}：只支持导出的标准模块 .bas 和类模块 .cls")
    try:
        text = data.decode(f"cp{codepage}")
    except UnicodeDecodeError as exc:
        raise AddinError(f"{filename}：不是代码页 {codepage} 的文本（第 {exc.start} 字节）") from None
    lines = text.replace("\r\n", "\n").split("\n")
    if suffix == ".cls" and lines[0].strip().upper().startswith("VERSION"):
        try:
            end = next(i for i, line in enumerate(lines) if line.strip().upper() == "END")
        except StopIteration:
            raise AddinError(f"{filename}：类模块的 BEGIN…END 块没有结束") from None
        lines = lines[end + 1:]
    name: str | None = None
    attributes: list[tuple[str, str]] = []
    while lines and (match := _ATTRIBUTE.match(lines[0])):
        key, value = match.groups()
        if key.lower() == "vb_name":
            quoted = _NAME.match(value)
            if quoted is None:
                raise AddinError(f"{filename}：无法识别模块名 {value}")
            name = quoted.group(1)
        else:
            attributes.append((key, value))
        lines.pop(0)
    if name is None:
        raise AddinError(f'{filename}：缺少 Attribute VB_Name = "模块名" 一行（请从 VBA 编辑器导出）')
    kind = ModuleKind.CLASS if suffix == ".cls" else ModuleKind.STANDARD
    return Module(name, "\n".join(lines), kind, tuple(attributes))


def read_module(path: Path, *, codepage: int = CODEPAGE) -> Module:
    """The module exported in the file ``path``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AddinError(f"无法读取 {path}：{exc.strerror or exc}") from None
    return parse_module(data, path.name, codepage=codepage)


@dataclass(frozen=True)
class XlwingsSources:
    """The installed xlwings: its version and the VBA files the add-in takes from it."""

    version: str
    folder: Path

    @property
    def bas(self) -> Path:
        """``xlwings.bas``: the standalone VBA module (module name ``xlwings``)."""
        return self.folder / "xlwings.bas"

    @property
    def dictionary(self) -> Path:
        """``addin/Dictionary.cls``: the class ``xlwings.bas`` uses on macOS."""
        return self.folder / "addin" / "Dictionary.cls"

    @property
    def applescript(self) -> Path:
        """The AppleScript RunPython calls on macOS."""
        return self.folder / f"xlwings-{self.version}.applescript"


def xlwings_sources() -> XlwingsSources:
    """Where the installed xlwings keeps its VBA files (found without importing xlwings)."""
    from importlib.metadata import PackageNotFoundError, version

    spec = importlib.util.find_spec("xlwings")
    try:
        found = version("xlwings")
    except PackageNotFoundError:
        spec = None
    if spec is None or spec.origin is None:
        raise AddinError("未安装 xlwings：请先运行 pip install 'xlpromo[excel]'")
    sources = XlwingsSources(found, Path(spec.origin).parent)
    for path in (sources.bas, sources.dictionary):
        if not path.is_file():
            raise AddinError(f"xlwings {found} 的安装中缺少 {path.name}（{path}）")
    return sources


def addin_modules(macros: Path = MACROS_DIR, *, xlwings: XlwingsSources | None = None,
                  include_xlwings: bool = True) -> list[Module]:
    """The add-in's modules: document modules, ``xlwings`` and ``Dictionary`` (unless not wanted), ``macros/*.bas``."""
    if not macros.is_dir():
        raise AddinError(f"找不到宏源码目录 {macros}（需要源码中的 macros/ 目录）")
    ours = [read_module(path) for path in sorted(macros.glob("*.bas"))]
    if not ours:
        raise AddinError(f"{macros} 中没有 .bas 模块")
    theirs: list[Module] = []
    if include_xlwings:
        sources = xlwings or xlwings_sources()
        theirs = [read_module(sources.bas), read_module(sources.dictionary)]
    return [Module("ThisWorkbook", "", ModuleKind.WORKBOOK), Module("Sheet1", "", ModuleKind.WORKSHEET),
            *theirs, *ours]


# ---------------------------------------------------------------- the package


def _workbook(vba_project: bytes, config: Sequence[tuple[str, str]]) -> bytes:
    """An .xlsm package (xlsxwriter) holding the ``xlwings.conf`` sheet and the VBA project."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"title": "xlpromo 促销活动加载项", "subject": "电商促销活动（618、双11）Excel 加载项",
                             "created": _STAMP})
    sheet = workbook.add_worksheet(CONFIG_SHEET)
    for row, (key, value) in enumerate(config):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 30)
    workbook.add_vba_project(io.BytesIO(vba_project), is_stream=True)
    workbook.set_vba_name("ThisWorkbook")
    sheet.set_vba_name("Sheet1")
    workbook.close()
    return buffer.getvalue()


def _replace_once(text: str, old: str, new: str, part: str) -> str:
    if text.count(old) != 1:
        raise AddinError(f"意外的 {part}：找不到唯一的 {old}")
    return text.replace(old, new)


def package_addin(modules: Sequence[Module], ribbon: bytes, *,
                  config: Sequence[tuple[str, str]] = CONFIG) -> bytes:
    """The bytes of an .xlam holding ``modules`` (``ThisWorkbook`` and ``Sheet1`` among them) and the ribbon XML."""
    names = {m.name for m in modules if m.kind.is_document}
    if names != {"ThisWorkbook", "Sheet1"}:
        raise AddinError("加载项需要且只需要文档模块 ThisWorkbook 和 Sheet1")
    vba = build_vba_project(modules, project_name=PROJECT_NAME, codepage=CODEPAGE, references=(STDOLE, OFFICE16))
    with zipfile.ZipFile(io.BytesIO(_workbook(vba, config))) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    types = parts["[Content_Types].xml"].decode("utf-8")
    types = _replace_once(types, f'PartName="/xl/workbook.xml" ContentType="{_XLSM_CONTENT_TYPE}"',
                          f'PartName="/xl/workbook.xml" ContentType="{CONTENT_TYPE}"', "[Content_Types].xml")
    parts["[Content_Types].xml"] = types.encode("utf-8")
    # the ribbon last: its part, and its relationship at the end of the package relationships
    rels = parts["_rels/.rels"].decode("utf-8")
    taken = set(re.findall(r'Id="(rId\d+)"', rels))
    rid = next(f"rId{n}" for n in range(1, len(taken) + 2) if f"rId{n}" not in taken)
    rels = _replace_once(rels, "</Relationships>", f'<Relationship Id="{rid}" Type="{RIBBON_RELATIONSHIP}" '
                                                   f'Target="{RIBBON_PART}"/></Relationships>', "_rels/.rels")
    parts["_rels/.rels"] = rels.encode("utf-8")
    parts[RIBBON_PART] = ribbon
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, _ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            package.writestr(info, data)
    return out.getvalue()


def build_addin(macros: Path = MACROS_DIR, *, xlwings: XlwingsSources | None = None,
                include_xlwings: bool = True) -> bytes:
    """The bytes of ``xlpromo.xlam`` built from ``macros`` and the installed xlwings.

    ``include_xlwings=False`` leaves out xlwings' modules: a self-test build LibreOffice can run.
    """
    modules = addin_modules(macros, xlwings=xlwings, include_xlwings=include_xlwings)
    try:
        ribbon = (macros / RIBBON_FILE).read_bytes()
    except OSError as exc:
        raise AddinError(f"无法读取功能区 {macros / RIBBON_FILE}：{exc.strerror or exc}") from None
    try:
        return package_addin(modules, ribbon)
    except ValueError as exc:  # a module the VBA project writer refuses (name, code page)
        raise AddinError(f"无法生成 VBA 工程：{exc}") from None


def write_addin(out: Path, data: bytes) -> Path:
    """Write ``data`` to ``out`` atomically (a temporary name, then a rename)."""
    with atomic_path(out) as tmp:
        tmp.write_bytes(data)
    return out


# ---------------------------------------------------------------- installing


@dataclass(frozen=True)
class Installation:
    """Where the add-in and the xlwings settings go for one user on one platform."""

    platform: str  # "win32" or "darwin"
    addin: Path  # the .xlam in Excel's start-up folder
    config: Path  # the user's xlwings config file
    config_key: str  # INTERPRETER_WIN or INTERPRETER_MAC
    applescript_dir: Path | None  # macOS: where RunPython looks for xlwings' AppleScript


def host_platform() -> str:
    """``sys.platform`` (a function, so that tests can stand in for another platform)."""
    return sys.platform


def installation(platform: str | None = None, home: Path | None = None,
                 env: Mapping[str, str] | None = None) -> Installation:
    """The install locations for ``platform`` (default: this one) and the user's ``home``; Linux is an AddinError."""
    platform = platform or host_platform()
    home = home or Path.home()
    env = os.environ if env is None else env
    if platform.startswith("win"):
        appdata = Path(env["APPDATA"]) if env.get("APPDATA") else home / "AppData" / "Roaming"
        profile = Path(env["USERPROFILE"]) if env.get("USERPROFILE") else home
        return Installation(platform, appdata / "Microsoft" / "Excel" / "XLSTART" / ADDIN_NAME,
                            profile / ".xlwings" / "xlwings.conf", "INTERPRETER_WIN", None)
    if platform == "darwin":
        office = home / "Library" / "Group Containers" / "UBF8T346G9.Office"
        localized = office / "User Content.localized" / "Startup.localized" / "Excel"
        startup = localized if localized.is_dir() else office / "User Content" / "Startup" / "Excel"
        return Installation(platform, startup / ADDIN_NAME,
                            home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf",
                            "INTERPRETER_MAC", home / "Library" / "Application Scripts" / "com.microsoft.Excel")
    raise AddinError("此电脑上没有 Excel（Excel 加载项只能安装在 Windows 或 macOS 上）。"
                     "在这里请使用命令行：xlpromo check / recalc / report")


def _set_config(path: Path, key: str, value: str) -> None:
    """Set ``"KEY","value"`` in an xlwings config file, keeping its other lines, as ``xlwings`` itself does.

    Like xlwings, in the locale's encoding: VBA's ``Open … For Input`` reads the file in the ANSI
    code page (GBK on a Chinese Windows), so a path such as ``C:\\Users\\张三\\…`` must be GBK there.
    """
    encoding = locale.getpreferredencoding(False)
    lines: list[str] = []
    try:
        if path.is_file():
            lines = [line if line.endswith("\n") else line + "\n"
                     for line in path.read_text(encoding=encoding).splitlines(keepends=True)
                     if line.strip() and line.split(",")[0].strip().upper() != f'"{key}"']
        lines.append(f'"{key}","{value}"\n')
        text = "".join(lines).encode(encoding)
    except (UnicodeDecodeError, UnicodeEncodeError) as exc:
        raise AddinError(f"{path}：无法按本机编码 {encoding} 读写（{exc.reason}）") from None
    with atomic_path(path) as tmp:
        tmp.write_bytes(text.replace(b"\n", os.linesep.encode()))


def install_addin(data: bytes, *, place: Installation | None = None, interpreter: str | None = None,
                  xlwings: XlwingsSources | None = None) -> Installation:
    """Put the add-in ``data`` where Excel opens it at start and point xlwings at ``interpreter`` (this Python)."""
    place = place or installation()
    _set_config(place.config, place.config_key, interpreter or sys.executable)  # first: it may refuse the path
    write_addin(place.addin, data)
    if place.applescript_dir is not None:
        script = (xlwings or xlwings_sources()).applescript
        place.applescript_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(script, place.applescript_dir / script.name)
    return place


def uninstall_addin(place: Installation | None = None) -> bool:
    """Remove the installed add-in; False when it was not installed. The xlwings settings stay (xlwings shares them)."""
    place = place or installation()
    try:
        place.addin.unlink()
    except FileNotFoundError:
        return False
    return True
