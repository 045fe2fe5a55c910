"""The Excel add-in workbook/xlpromo.xlam, checked by tools we did not write: olevba, an XML parser, LibreOffice.

Byte-identical, as the add-in module docstring defines it: olevba's text of a standard module,
encoded in code page 936, equals the bytes of its exported .bas file (``Attribute VB_Name`` line
included); a class module equals what Excel itself stored when it imported the same .cls.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from oletools.olevba import VBA_Parser
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from tests.addin.test_vba import _UNO_SCRIPT
from xlpromo.addin import build as addin
from xlpromo.addin.vba import Module, ModuleKind, module_code
from xlpromo.cli import app

ROOT = Path(__file__).resolve().parents[2]
ADDIN = ROOT / "workbook" / "xlpromo.xlam"
MACROS = ROOT / "macros"
CUSTOMUI = "{http://schemas.microsoft.com/office/2009/07/customui}"
MODULES = ["ThisWorkbook", "Sheet1", "xlwings", "Dictionary", "xlpromo_ribbon", "xlpromo_selftest", "xlpromo_udfs"]
#: Ribbon callback → the zero-argument function of xlpromo.excel.buttons it runs.
BUTTONS = {"XP_Validate": "validate", "XP_Recalc": "recalc", "XP_Highlight": "highlight",
           "XP_ClearMarks": "clear_marks", "XP_Review": "review", "XP_NewCampaign": "new_campaign",
           "XP_Merge": "merge_copies", "XP_Daily": "daily", "XP_Plan": "plan_days", "XP_Import": "import_data"}
SELFTEST = "xlpromo-ok 达成率967‰"  # 5.8 / 6 as a permille, computed by the VBA
runner = CliRunner()


def _olevba(path: Path | str, data: bytes | None = None) -> dict[str, str]:
    """{module name: source} as olevba extracts it, strictly (not relaxed)."""
    parser = VBA_Parser(str(path), data=data, relaxed=False)
    try:
        assert parser.detect_vba_macros()
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    return _olevba(ADDIN)


@pytest.fixture(scope="module")
def parts() -> dict[str, bytes]:
    with zipfile.ZipFile(ADDIN) as package:
        assert package.testzip() is None
        return {info.filename: package.read(info) for info in package.infolist()}


@pytest.fixture(scope="module")
def ribbon(parts: dict[str, bytes]) -> ElementTree.Element:
    return ElementTree.fromstring(parts[addin.RIBBON_PART])


# ---------------------------------------------------------------- the committed file


def test_committed_addin_is_a_fresh_build() -> None:
    fresh = addin.build_addin()
    assert fresh == addin.build_addin()  # deterministic: same input, same bytes
    assert ADDIN.read_bytes() == fresh, "regenerate with: python3 -m xlpromo build-addin --force"


def test_olevba_gives_every_module_back_byte_identical(sources: dict[str, str], caplog: pytest.LogCaptureFixture
                                                       ) -> None:
    with caplog.at_level(logging.WARNING, logger="olevba"):
        assert list(_olevba(ADDIN)) == MODULES
    assert [r.getMessage() for r in caplog.records
            if r.name == "olevba" and "stomping cannot be detected" not in r.getMessage()] == []
    files = sorted(MACROS.glob("*.bas"))
    assert [f.stem for f in files] == ["xlpromo_ribbon", "xlpromo_selftest", "xlpromo_udfs"]
    for path in [*files, addin.xlwings_sources().bas]:
        name = path.stem
        assert sources[name].encode("cp936") == path.read_bytes(), name
    assert "达成率" in sources["xlpromo_selftest"] and "促销活动" in sources["xlpromo_ribbon"]  # GBK survived


def test_dictionary_class_is_stored_as_excel_stores_it(sources: dict[str, str]) -> None:
    """xlwings' own quickstart add-in, saved by Excel, holds the same Dictionary.cls: same header, same code.

    Excel re-cases identifiers project-wide (``Err`` became ``err`` there), so the code compares case-blind."""
    excel = _olevba(addin.xlwings_sources().folder / "quickstart_addin.xlam")["Dictionary"]
    ours = sources["Dictionary"]
    header = [line for line in ours.split("\r\n")[:12] if line.startswith("Attribute VB_")]
    assert header == [line for line in excel.split("\r\n")[:12] if line.startswith("Attribute VB_")]
    assert header[:9] == ['Attribute VB_Name = "Dictionary"',
                          'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"',
                          "Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
                          "Attribute VB_PredeclaredId = False", "Attribute VB_Exposed = True",
                          "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False",
                          header[8]] and header[8].startswith("Attribute VB_Description = ")
    assert ours.lower() == excel.lower() and ours != excel


def test_macro_files_are_as_the_vba_editor_exports_them() -> None:
    for path in MACROS.glob("*.bas"):
        data = path.read_bytes()
        text = data.decode("cp936")
        assert text.startswith(f'Attribute VB_Name = "{path.stem}"\r\n'), path.name
        assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b""), path.name
        assert addin.read_module(path).name == path.stem


# ---------------------------------------------------------------- ribbon and package


def _subs(sources: dict[str, str]) -> dict[str, str]:
    """{Sub name: its body} of every ``Sub NAME(control As IRibbonControl)`` in the project."""
    found = {}
    for code in sources.values():
        for match in re.finditer(r"^Sub (\w+)\(control As IRibbonControl\)\r\n(.*?)^End Sub\r\n", code, re.M | re.S):
            found[match.group(1)] = match.group(2)
    return found


def test_every_on_action_has_its_ribbon_callback(ribbon: ElementTree.Element, sources: dict[str, str]) -> None:
    actions = [e.get("onAction") for e in ribbon.iter() if e.get("onAction")]
    assert len(actions) == len(set(actions)) == 11
    subs = _subs(sources)
    for action in actions:
        assert action is not None
        module, _, name = action.rpartition(".")
        assert name in subs, action
        assert not module or f"Sub {name}(" in sources[module]
    assert set(subs) == set(actions)


def test_callbacks_run_the_button_functions(sources: dict[str, str]) -> None:
    runs = {}
    for name, body in _subs(sources).items():
        calls = re.findall(r'^\s*RunPython "(.*)"\r$', body, re.M)
        if calls:
            assert len(calls) == 1, name
            match = re.fullmatch(r"import xlpromo\.excel\.buttons as b; b\.(\w+)\(\)", calls[0])
            assert match, calls[0]
            runs[name] = match.group(1)
    assert runs == BUTTONS


def test_ribbon_tab_groups_and_buttons(ribbon: ElementTree.Element, parts: dict[str, bytes]) -> None:
    assert ribbon.tag == f"{CUSTOMUI}customUI"
    assert parts[addin.RIBBON_PART] == (MACROS / "customUI14.xml").read_bytes()
    assert parts[addin.RIBBON_PART].startswith(b'<?xml version="1.0" encoding="UTF-8"')
    (tab,) = ribbon.iter(f"{CUSTOMUI}tab")
    assert (tab.get("id"), tab.get("label")) == ("xpTab", "促销活动")
    groups = {g.get("label"): [b.get("label") for b in g.iter(f"{CUSTOMUI}button")]
              for g in tab.iter(f"{CUSTOMUI}group")}
    assert groups == {"检查": ["校验", "预警高亮", "清除标记"], "计算": ["重算"], "数据": ["生成日计划", "导入数据"],
                      "报告": ["生成复盘", "日报"], "活动": ["新建活动", "合并回传", "关于"]}
    for button in tab.iter(f"{CUSTOMUI}button"):
        assert button.get("imageMso") and button.get("screentip") and button.get("supertip"), button.get("id")
        assert button.get("size") == ("normal" if button.get("label") in ("清除标记", "关于") else "large")
    tips = {b.get("label"): b.get("supertip") or "" for b in tab.iter(f"{CUSTOMUI}button")}
    # the tips say what the buttons do (README's ribbon table): marks, not the 状态 column; a merge into a new file
    assert all("“标记”列" in tips[k] and "状态列" not in tips[k] for k in ("预警高亮", "清除标记"))
    assert "名称.合并.xlsx" in tips["合并回传"] and "主工作簿不变" in tips["合并回传"]
    assert "新活动.xlsx" in tips["新建活动"] and "复盘报告" in tips["校验"]
    for label, name, more in (("生成日计划", "名称.日计划.xlsx", "全渠道"), ("导入数据", "名称.导入.xlsx", ".csv")):
        assert name in tips[label] and "主工作簿不变" in tips[label] and more in tips[label], label


def test_package_parts_relationship_and_content_type(parts: dict[str, bytes]) -> None:
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")):
            ElementTree.fromstring(data)  # well-formed, or raises
    assert list(parts)[-1] == addin.RIBBON_PART  # added last
    rels = ElementTree.fromstring(parts["_rels/.rels"])
    last = list(rels)[-1]
    assert (last.get("Type"), last.get("Target")) == (addin.RIBBON_RELATIONSHIP, "customUI/customUI14.xml")
    assert len({r.get("Id") for r in rels}) == len(rels)
    types = ElementTree.fromstring(parts["[Content_Types].xml"])
    overrides = {e.get("PartName"): e.get("ContentType") for e in types if e.get("PartName")}
    defaults = {e.get("Extension"): e.get("ContentType") for e in types if e.get("Extension")}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    assert defaults["xml"] == "application/xml" and defaults["bin"] == "application/vnd.ms-office.vbaProject"
    assert b"sheet.macroEnabled" not in parts["[Content_Types].xml"]
    workbook = parts["xl/workbook.xml"].decode()
    assert 'codeName="ThisWorkbook"' in workbook and '<sheet name="xlwings.conf"' in workbook


def test_xlwings_conf_sheet(tmp_path: Path) -> None:
    copy = tmp_path / "addin.xlsx"  # calamine goes by the extension
    copy.write_bytes(ADDIN.read_bytes())
    book = CalamineWorkbook.from_path(str(copy))
    assert book.sheet_names == ["xlwings.conf"]
    rows = book.get_sheet_by_name("xlwings.conf").to_python()
    assert [tuple(r) for r in rows] == [("UDF Modules", "xlpromo.excel.udfs")]
    # the interpreter is the user's setting: a row here would win over it
    assert not any(str(r[0]).upper().startswith(("INTERPRETER", "PYTHONPATH")) for r in rows)


# ---------------------------------------------------------------- UDF wrappers

#: MS-VBAL 3.3.5.2 reserved identifiers that Python programmers reach for: not a VBA parameter name.
VBA_RESERVED = {"date", "string", "integer", "long", "double", "single", "boolean", "byte", "currency", "variant",
                "object", "end", "next", "type", "property", "set", "let", "get", "stop", "error", "to", "step",
                "input", "open", "close", "name", "print", "len", "mid", "me", "new", "not", "and", "or", "is",
                "like", "mod", "xor", "true", "false", "nothing", "empty", "null", "resume", "exit", "call"}


def test_udf_wrappers_have_the_issue_signatures() -> None:
    code = (MACROS / "xlpromo_udfs.bas").read_bytes().decode("cp936")
    signatures = dict(re.findall(r"^Function (XP_\w+)\((.*)\)\r$", code, re.M))
    assert signatures == {
        "XP_ACHIEVE": "actual, target, Optional metric_or_direction", "XP_DOD": "today, yesterday",
        "XP_PACE": "actual_to_date, target, on_date", "XP_PHASE": "on_date",
        "XP_SAFETY_STOCK": "avg_daily_sales, Optional factor", "XP_STATUS": "rate"}
    with_caller = {"XP_STATUS", "XP_PHASE", "XP_PACE"}  # they read 阈值配置 / 活动目标 of the calling workbook
    for name, args in signatures.items():
        params = [a.removeprefix("Optional ") for a in args.split(", ")]
        assert not VBA_RESERVED & {p.lower() for p in params}, name
        array = ", ".join(params + ["Nothing"] * (name in with_caller))  # xlwings passes the caller for Nothing
        assert f'{name} = XLPy.CallUDF("xlpromo.excel.udfs", "{name}", Array({array}), ActiveWorkbook, ' \
               "Application.Caller)" in code
        assert f"    {name} = Err.Description\r\n" in code


# ---------------------------------------------------------------- importing exported modules


def test_parse_module_standard_and_class() -> None:
    module = addin.parse_module('Attribute VB_Name = "Promo"\r\nSub A()\r\n    MsgBox "双11"\r\nEnd Sub\r\n'
                                .encode("gbk"), "Promo.bas")
    assert module == Module("Promo", 'Sub A()\n    MsgBox "双11"\nEnd Sub\n', ModuleKind.STANDARD, ())
    cls = ("VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\nAttribute VB_Name = \"Amount\"\r\n"
           "Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n"
           "Attribute VB_PredeclaredId = True\r\nAttribute VB_Exposed = True\r\n"
           "Attribute VB_Description = \"金额\"\r\nPublic Value As Currency\r\n")
    parsed = addin.parse_module(cls.encode("gbk"), "Amount.cls")
    assert (parsed.name, parsed.kind, parsed.source) == ("Amount", ModuleKind.CLASS, "Public Value As Currency\n")
    assert module_code(parsed) == (
        'Attribute VB_Name = "Amount"\r\nAttribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"\r\n'
        "Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n"
        "Attribute VB_PredeclaredId = True\r\nAttribute VB_Exposed = True\r\nAttribute VB_TemplateDerived = False\r\n"
        'Attribute VB_Customizable = False\r\nAttribute VB_Description = "金额"\r\nPublic Value As Currency\r\n')


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"Sub A()\r\nEnd Sub\r\n", "A.bas", "VB_Name"),
    (b'Attribute VB_Name = "A"\r\n', "A.frm", r"\.bas"),
    (b'Attribute VB_Name = "A"\r\n\x80\r\n', "A.bas", "代码页"),
    (b"VERSION 1.0 CLASS\r\nBEGIN\r\n", "A.cls", "BEGIN"),
    (b"Attribute VB_Name = A\r\n", "A.bas", "模块名"),
])
def test_parse_module_refuses_what_it_cannot_read(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(addin.AddinError, match=message):
        addin.parse_module(data, filename)


def test_missing_macros_folder_is_a_message(tmp_path: Path) -> None:
    with pytest.raises(addin.AddinError, match="macros"):
        addin.addin_modules(tmp_path / "macros")
    (tmp_path / "empty").mkdir()
    with pytest.raises(addin.AddinError, match=r"没有 \.bas"):
        addin.addin_modules(tmp_path / "empty")


# ---------------------------------------------------------------- LibreOffice


def _uno(soffice: str, path: Path, tmp_path: Path, *calls: str) -> dict[str, dict[str, object]]:
    """Load ``path`` in LibreOffice through UNO (the .xlam filter named: 7.4 does not detect .xlam), run ``calls``."""
    probe = subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True, check=False)
    if probe.returncode != 0:  # .ci/run installs it: a missing UNO bridge fails, never skips
        pytest.fail("python3-uno is not installed for /usr/bin/python3: run `bash .ci/run`")
    load = 'prop("MacroExecutionMode", 4))'
    assert load in _UNO_SCRIPT
    script = tmp_path / "uno_addin.py"
    script.write_text(_UNO_SCRIPT.replace(load, 'prop("MacroExecutionMode", 4), '
                                                'prop("FilterName", "Calc MS Excel 2007 VBA XML"))'), encoding="utf-8")
    proc = subprocess.run(["/usr/bin/python3", str(script), str(path.resolve()), *calls],
                          capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr
    report: dict[str, dict[str, object]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return report


@pytest.mark.libreoffice
def test_libreoffice_lists_the_addin_modules(soffice: str, tmp_path: Path) -> None:
    report = _uno(soffice, ADDIN, tmp_path)
    assert report["libraries"][addin.PROJECT_NAME] == sorted(MODULES)


@pytest.mark.libreoffice
def test_libreoffice_runs_the_self_test_of_an_addin_built_the_same_way(soffice: str, tmp_path: Path) -> None:
    """All of macros/ (ribbon, UDFs, self-test) and the ribbon part, without xlwings' modules, which
    LibreOffice does not compile: the self-test returns the value computed in VBA."""
    path = addin.write_addin(tmp_path / "selftest.xlam", addin.build_addin(include_xlwings=False))
    report = _uno(soffice, path, tmp_path, "xlpromo.xlpromo_selftest.XP_SelfTest")
    assert report["libraries"][addin.PROJECT_NAME] == sorted(m for m in MODULES if m not in ("xlwings", "Dictionary"))
    assert report["results"] == {"xlpromo.xlpromo_selftest.XP_SelfTest": SELFTEST}


# ---------------------------------------------------------------- build-addin and install-addin


def test_build_addin_command(tmp_path: Path) -> None:
    out = tmp_path / "xlpromo.xlam"
    result = runner.invoke(app, ["build-addin", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "已生成加载项" in result.output and out.read_bytes() == ADDIN.read_bytes()
    out.write_bytes(b"mine")
    result = runner.invoke(app, ["build-addin", "-o", str(out)])
    assert result.exit_code == 2 and "--force" in result.output and out.read_bytes() == b"mine"
    assert runner.invoke(app, ["build-addin", "-o", str(out), "--force"]).exit_code == 0
    assert out.read_bytes() == ADDIN.read_bytes()
    result = runner.invoke(app, ["build-addin", "-o", str(tmp_path / "x.xlsm")])
    assert result.exit_code == 2 and ".xlam" in result.output and not (tmp_path / "x.xlsm").exists()


def test_windows_install_and_uninstall(tmp_path: Path) -> None:
    home = tmp_path / "Users" / "li"
    config = home / ".xlwings" / "xlwings.conf"
    config.parent.mkdir(parents=True)
    config.write_text('"INTERPRETER_WIN","C:\\old\\python.exe"\n"LICENSE_KEY","abc"\n', encoding="utf-8")
    place = addin.installation("win32", home, env={})
    assert place.addin == home / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "xlpromo.xlam"
    addin.install_addin(b"xlam bytes", place=place, interpreter="C:\\Python311\\python.exe")
    assert place.addin.read_bytes() == b"xlam bytes"
    assert config.read_text(encoding="utf-8") == '"LICENSE_KEY","abc"\n"INTERPRETER_WIN","C:\\Python311\\python.exe"\n'
    assert addin.uninstall_addin(place) and not place.addin.exists()
    assert not addin.uninstall_addin(place)
    assert config.exists()  # shared with xlwings itself: kept
    roaming = tmp_path / "Roaming"
    assert addin.installation("win32", home, env={"APPDATA": str(roaming)}).addin.parent == \
        roaming / "Microsoft" / "Excel" / "XLSTART"


def test_interpreter_setting_is_written_in_the_ansi_code_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """xlwings' VBA reads its config file with ``Open … For Input``: the ANSI code page, GBK on a Chinese Windows."""
    place = addin.installation("win32", tmp_path, env={})
    monkeypatch.setattr(addin.locale, "getpreferredencoding", lambda do_setlocale=True: "cp936")
    addin.install_addin(b"xlam", place=place, interpreter="C:\\Users\\张三\\Python311\\python.exe")
    assert place.config.read_bytes() == '"INTERPRETER_WIN","C:\\Users\\张三\\Python311\\python.exe"\n'.encode("gbk")
    monkeypatch.setattr(addin.locale, "getpreferredencoding", lambda do_setlocale=True: "cp1252")
    other = addin.installation("win32", tmp_path / "other", env={})
    with pytest.raises(addin.AddinError, match="cp1252"):
        addin.install_addin(b"xlam", place=other, interpreter="C:\\Users\\张三\\python.exe")
    assert not other.addin.exists() and not other.config.exists()  # nothing half-installed


def test_macos_install(tmp_path: Path) -> None:
    place = addin.installation("darwin", tmp_path, env={})
    assert place.addin == (tmp_path / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content"
                           / "Startup" / "Excel" / "xlpromo.xlam")
    addin.install_addin(b"xlam", place=place, interpreter="/opt/py/bin/python3")
    config = tmp_path / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf"
    assert config.read_text(encoding="utf-8") == '"INTERPRETER_MAC","/opt/py/bin/python3"\n'
    sources = addin.xlwings_sources()
    scripts = tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel"
    assert (scripts / f"xlwings-{sources.version}.applescript").read_bytes() == sources.applescript.read_bytes()
    localized = tmp_path / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content.localized" / \
        "Startup.localized" / "Excel"
    localized.mkdir(parents=True)
    assert addin.installation("darwin", tmp_path, env={}).addin == localized / "xlpromo.xlam"


def test_linux_has_no_excel(tmp_path: Path) -> None:
    with pytest.raises(addin.AddinError, match="没有 Excel"):
        addin.installation("linux", tmp_path, env={})


@pytest.fixture
def fake_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(addin, "host_platform", lambda: "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData" / "Roaming"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    yield tmp_path


def test_install_addin_command(fake_windows: Path) -> None:
    import sys

    result = runner.invoke(app, ["install-addin"])
    assert result.exit_code == 0, result.output
    installed = fake_windows / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "xlpromo.xlam"
    assert installed.read_bytes() == ADDIN.read_bytes() and "已安装加载项" in result.output
    config = (fake_windows / ".xlwings" / "xlwings.conf").read_text(encoding="utf-8")
    assert config == f'"INTERPRETER_WIN","{sys.executable}"\n'
    result = runner.invoke(app, ["install-addin", "--uninstall"])
    assert result.exit_code == 0 and "已卸载" in result.output and not installed.exists()
    result = runner.invoke(app, ["install-addin", "--uninstall"])
    assert result.exit_code == 0 and "未安装" in result.output


def test_install_addin_on_linux_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(addin, "host_platform", lambda: "linux")
    monkeypatch.setenv("HOME", str(tmp_path))
    for args in (["install-addin"], ["install-addin", "--uninstall"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "没有 Excel" in result.output and "xlpromo check" in result.output
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
