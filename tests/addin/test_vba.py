"""Source-only VBA projects, checked by tools we did not write: oletools, olefile, LibreOffice.

oletools' ``decompress_stream`` checks our compression, olefile (strict) our compound file,
``olevba`` (not relaxed: any deviation it checks raises) the whole project in a .bin and in an
.xlsm written by xlsxwriter; LibreOffice opens that .xlsm, imports the modules into its Basic
library (visible in an .ods copy and through UNO) and runs a function.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import olefile
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, VBA_Project, decompress_stream

from xlpromo.addin.vba import (
    OFFICE16,
    DecompressionError,
    Module,
    ModuleKind,
    build_vba_project,
    compress,
    decompress,
    module_code,
    write_cfb,
)
from xlpromo.addin.vba.compression import copy_token_help
from xlpromo.testing.libreoffice import convert

# ---------------------------------------------------------------- compression (MS-OVBA 2.4.1)


def _chunks(container: bytes) -> Iterator[tuple[bool, int]]:
    """(compressed flag, chunk size with header) of each chunk of a container."""
    pos = 1
    while pos < len(container):
        (header,) = struct.unpack_from("<H", container, pos)
        assert header >> 12 & 0b111 == 0b011
        size = (header & 0x0FFF) + 3
        yield bool(header >> 15), size
        pos += size
    assert pos == len(container)


def _roundtrip(data: bytes) -> None:
    container = compress(data)
    assert decompress(container) == data
    assert decompress_stream(container) == data  # oletools' own decompressor
    for compressed, size in _chunks(container):
        assert size <= 4098 and (compressed or size == 4098)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=20_000))
def test_roundtrip_arbitrary_bytes(data: bytes) -> None:
    _roundtrip(data)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.binary(min_size=1, max_size=12), st.integers(1, 2500)), min_size=1, max_size=12))
def test_roundtrip_repetitive_bytes(runs: list[tuple[bytes, int]]) -> None:
    data = b"".join(piece * count for piece, count in runs)[:20_000]
    _roundtrip(data)
    if len(data) > 8192:
        assert len(compress(data)) < len(data) // 2


@pytest.mark.parametrize("size", [0, 1, 3, 4095, 4096, 4097, 8192, 3640, 3641, 4000, 12_000])
def test_roundtrip_sizes_at_chunk_edges(size: int) -> None:
    _roundtrip(os.urandom(size))
    _roundtrip(b"\0" * size)
    _roundtrip(bytes(range(256)) * (size // 256) + b"x" * (size % 256))


def test_copy_token_split_follows_2_4_1_3_19_1() -> None:
    """bit_count grows with the position in the chunk; maximum length is (0xFFFF >> bit_count) + 3."""
    assert copy_token_help(1) == (4, 4098)
    assert copy_token_help(16) == (4, 4098)
    assert copy_token_help(17) == (5, 2050)
    assert copy_token_help(2048) == (11, 34)
    assert copy_token_help(2049) == (12, 18)
    assert copy_token_help(4095) == (12, 18)
    # one long run: a 4095-byte copy token at the chunk start, then 18-byte tokens near its end
    data = b"a" * 4096 + b"b" * 10_000
    assert decompress_stream(compress(data)) == data


def test_spec_example_and_chunk_kinds() -> None:
    """MS-OVBA 3.2.3 example decodes; incompressible full chunks go raw, the tail never does."""
    spec = bytes.fromhex("012FB000236161616263646582660070616768696A013808616B6C00306D6E6F70"
                         "0671027004107273747576107778797A003C")
    plain = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    assert decompress(spec) == plain and decompress(compress(plain)) == plain
    assert compress(b"abcdefghijklmnopqrstuv.") == b"\x01\x19\xb0\x00abcdefgh\x00ijklmnop\x00qrstuv."
    noise = os.urandom(2 * 4096 + 4000)
    assert [flag for flag, _ in _chunks(compress(noise))] == [False, False, True, True]


def test_decompress_rejects_malformed_containers() -> None:
    for bad in [b"", b"\x02\x00\xb0", b"\x01\x00", b"\x01\x00\xa0x", b"\x01\x05\xb0\x00ab",
                b"\x01\x02\xb0\x01\x00\x00", b"\x01\x00\x30x"]:
        with pytest.raises(DecompressionError):
            decompress(bad)


# ---------------------------------------------------------------- compound file (MS-CFB v3)


def _olefile(data: bytes) -> olefile.OleFileIO:
    return olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT)


def _cfb_roundtrip(streams: dict[str, bytes]) -> olefile.OleFileIO:
    ole = _olefile(write_cfb(streams))
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)
    for path, data in streams.items():
        assert ole.get_size(path) == len(data)
        assert ole.openstream(path).read() == data
    return ole


def test_cfb_streams_at_every_size_class() -> None:
    streams = {f"S/s{size}": os.urandom(size) for size in [0, 1, 63, 64, 65, 4095, 4096, 4097, 20_000]}
    streams |= {"PROJECT": b"ID=...", "VBA/dir": b"d" * 700, "A/B/C/deep": b"deep" * 3000, "big": os.urandom(300_000)}
    ole = _cfb_roundtrip(streams)
    assert ole.get_type("A/B") == olefile.STGTY_STORAGE and ole.get_type("A/B/C/deep") == olefile.STGTY_STREAM


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.text("abcXYZ_09", min_size=1, max_size=31), st.integers(0, 9000), max_size=30),
       st.booleans())
def test_cfb_roundtrip_property(sizes: dict[str, int], nested: bool) -> None:
    names = {name.upper(): name for name in sizes}  # CFB names are case-insensitive
    streams = {("VBA/" if nested else "") + name: os.urandom(sizes[name]) for name in names.values()}
    _cfb_roundtrip(streams)


RED, BLACK = 0, 1  # MS-CFB 2.6.1 colour flag


def _check_red_black(ole: olefile.OleFileIO, sid: int) -> tuple[list[str], int]:
    """In-order names and black height of the sibling tree at ``sid``; asserts the red-black rules."""
    if sid == olefile.NOSTREAM:
        return [], 1
    node = ole.direntries[sid]
    left, left_height = _check_red_black(ole, node.sid_left)
    right, right_height = _check_red_black(ole, node.sid_right)
    assert left_height == right_height
    if node.color == RED:
        for child in (node.sid_left, node.sid_right):
            assert child == olefile.NOSTREAM or ole.direntries[child].color == BLACK
    return [*left, node.name, *right], left_height + (node.color == BLACK)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 8, 13, 40])
def test_cfb_children_form_a_sorted_red_black_tree(count: int) -> None:
    names = [f"M{i}" for i in range(count)] + [f"Module{i:02}" for i in range(count)]
    ole = _cfb_roundtrip({f"VBA/{name}": name.encode() for name in names})
    storage = next(e for e in ole.direntries if e is not None and e.name == "VBA")
    order, _ = _check_red_black(ole, storage.sid_child)
    assert ole.direntries[storage.sid_child].color == BLACK
    assert order == sorted(names, key=lambda n: (len(n), n.upper()))


def test_cfb_rejects_bad_names() -> None:
    for streams in [{"a/": b""}, {"x" * 32: b""}, {"a:b": b""}, {"A": b"", "a": b""}, {"A": b"", "A/b": b""}]:
        with pytest.raises(ValueError):
            write_cfb(streams)


# ---------------------------------------------------------------- VBA project (MS-OVBA 2.3)

SMALL = 'Sub SayHello()\n    MsgBox "Hello"\nEnd Sub\n'
CHINESE = """Option Explicit
' 活动看板：618 / 双11 大促的每日监控
Public Function 状态文字(ByVal 达成率 As Double) As String
    ' 达成率 ≥ 100% 为“达标”，否则“未达标”
    If 达成率 >= 1 Then
        状态文字 = "达标"
    Else
        状态文字 = "未达标（需跟进）"
    End If
End Function

Public Function Greeting() As String
    Greeting = "你好，双11！"
End Function
"""
CLASS = ("Option Explicit\nPublic Amount As Currency\n\n"
         "Public Function Doubled() As Currency\n    Doubled = Amount * 2\nEnd Function\n")
SHEET = "Private Sub Worksheet_Activate()\n    Me.Range(\"A1\").Value = \"已激活\"\nEnd Sub\n"
WORKBOOK = "Private Sub Workbook_Open()\n    ' 打开时不做任何事\nEnd Sub\n"


def _big_source() -> str:
    """A realistic module over 20 KB (GBK): many distinct procedures, Chinese comments."""
    procs = [f"' 第{i}个指标：GMV、转化率、客单价\r\nPublic Function Metric{i}(ByVal target As Double, "
             f"ByVal actual As Double) As Double\r\n    If target = 0 Then\r\n        Metric{i} = 0\r\n"
             f"    Else\r\n        Metric{i} = Round(actual / target * {i % 7 + 1}, {i % 4})\r\n    End If\r\n"
             "End Function\r\n" for i in range(160)]
    return "Option Explicit\r\n" + "\r\n".join(procs)


def _modules() -> list[Module]:
    return [Module("ThisWorkbook", WORKBOOK, ModuleKind.WORKBOOK), Module("Sheet1", SHEET, ModuleKind.WORKSHEET),
            Module("Small", SMALL), Module("Chinese", CHINESE), Module("Big", _big_source()),
            Module("Amount", CLASS, ModuleKind.CLASS)]


@pytest.fixture
def olevba_warnings(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    """olevba's warnings and errors so far, but for its note that it cannot look for "VBA
    stomping" (p-code differing from source) in files read from memory, e.g. from an .xlsm."""
    logger = logging.getLogger("olevba")  # silent unless its level is lowered
    level = logger.level

    def warnings() -> list[str]:
        return [r.getMessage() for r in caplog.records
                if r.name == "olevba" and "stomping cannot be detected" not in r.getMessage()]

    with caplog.at_level(logging.WARNING, logger="olevba"):
        yield warnings
    logger.setLevel(level)


def _olevba_sources(path: Path) -> dict[str, tuple[str, str]]:
    """{module name: (olevba's file name, source)} as olevba extracts them, strictly (not relaxed)."""
    parser = VBA_Parser(str(path), relaxed=False)
    try:
        assert parser.detect_vba_macros()
        return {name.rsplit(".", 1)[0]: (name, code) for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_olevba_extracts_every_module_identically(tmp_path: Path, olevba_warnings: Callable[[], list[str]]) -> None:
    modules = _modules()
    path = tmp_path / "vbaProject.bin"
    path.write_bytes(build_vba_project(modules))
    got = _olevba_sources(path)
    assert list(got) == [m.name for m in modules]
    for module in modules:
        name, code = got[module.name]
        assert code == module_code(module)
        assert name == module.name + (".bas" if module.kind is ModuleKind.STANDARD else ".cls")
    assert got["Small"][1] == 'Attribute VB_Name = "Small"\r\nSub SayHello()\r\n    MsgBox "Hello"\r\nEnd Sub\r\n'
    assert got["Chinese"][1].replace("\r\n", "\n").endswith(CHINESE)
    assert len(got["Big"][1].encode("gbk")) > 20_000
    assert got["Big"][1].endswith(_big_source())
    assert olevba_warnings() == []


def test_project_records_as_oletools_parses_them(tmp_path: Path) -> None:
    modules = _modules()
    data = build_vba_project(modules, references=[OFFICE16])
    ole = _olefile(data)
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(
        ["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"] + [f"VBA/{m.name}" for m in modules])
    assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x00\x00"
    project = VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
    project.parse_project_stream()
    list(project.parse_modules())
    assert (project.codepage, project.projectname, project.lcid, project.lcidinvoke) == (
        936, "VBAProject", 0x409, 0x409)
    assert project.module_ext == {m.name.lower(): "bas" if m.kind is ModuleKind.STANDARD else "cls" for m in modules}
    for module, parsed in zip(modules, project.modules, strict=True):
        assert (parsed.name, parsed.streamname, parsed._name_unicode) == (module.name,) * 3
        assert parsed.textoffset == 0
        assert parsed.type == (0x21 if module.kind is ModuleKind.STANDARD else 0x22)
        assert parsed.code_raw == module_code(module).encode("gbk")  # source stored in code page 936
    assert ole.openstream("PROJECTwm").read() == b"".join(
        m.name.encode() + b"\0" + m.name.encode("utf-16-le") + b"\0\0" for m in modules) + b"\0\0"
    raw_dir = decompress_stream(ole.openstream("VBA/dir").read())
    assert b"stdole" not in raw_dir and b"MSO.DLL#Microsoft Office 16.0 Object Library" in raw_dir


def _decrypt(hex_text: str, project_id: str) -> bytes:
    """MS-OVBA 2.4.3.3 decryption: the Data of an encrypted CMG/DPB/GC value."""
    raw = bytes.fromhex(hex_text)
    seed, version_enc, key_enc = raw[:3]
    assert seed ^ version_enc == 2 and seed ^ key_enc == sum(project_id.encode()) & 0xFF
    plain, unencrypted, encrypted1, encrypted2 = bytearray(), seed ^ key_enc, key_enc, version_enc
    for byte in raw[3:]:
        value = byte ^ ((encrypted2 + unencrypted) & 0xFF)
        plain.append(value)
        encrypted2, encrypted1, unencrypted = encrypted1, byte, value
    data = bytes(plain[(seed & 6) // 2:])
    (length,) = struct.unpack_from("<I", data)
    assert len(data) == 4 + length
    return data[4:]


def test_project_stream_protection_fields_decrypt() -> None:
    # values from the Excel-saved quickstart_standalone.xlsm in the xlwings wheel: our decoder reads them
    excel_id = "{5CF9CDAB-B77B-4FE4-BD7E-D29900070E1B}"
    assert _decrypt("8D8FA61394EA98EA98EA98EA98", excel_id) == b"\0\0\0\0"
    assert _decrypt("8D8FA61394EF95EF95EF", excel_id) == b"\0"
    assert _decrypt("8D8FA61394EF95EF9510", excel_id) == b"\xff"
    project_id = "{12345678-9ABC-DEF0-1234-56789ABCDEF0}"
    text = _olefile(build_vba_project(_modules(), project_id=project_id)).openstream("PROJECT").read().decode("gbk")
    values = dict(line.split("=", 1) for line in text.split("\r\n") if "=" in line and not line.startswith("&H"))
    assert values["ID"] == f'"{project_id}"' and values["Name"] == '"VBAProject"'
    assert _decrypt(values["CMG"].strip('"'), project_id) == b"\0\0\0\0"  # not protected
    assert _decrypt(values["DPB"].strip('"'), project_id) == b"\0"  # no password
    assert _decrypt(values["GC"].strip('"'), project_id) == b"\xff"  # visible
    assert "Document=ThisWorkbook/&H00000000\r\nDocument=Sheet1/&H00000000\r\nModule=Small\r\n" in text
    assert "Class=Amount\r\n" in text and text.endswith("Amount=0, 0, 0, 0, C\r\n\r\n")


def test_codepage_1252_ascii_project(tmp_path: Path, olevba_warnings: Callable[[], list[str]]) -> None:
    modules = [Module("Small", SMALL), Module("Amount", CLASS, ModuleKind.CLASS)]
    path = tmp_path / "ascii.bin"
    path.write_bytes(build_vba_project(modules, codepage=1252, project_name="Promo"))
    project = VBA_Project(_olefile(path.read_bytes()), "", "PROJECT", "VBA/dir", relaxed=False)
    assert (project.codepage, project.projectname) == (1252, "Promo")
    assert {name: code for name, (_, code) in _olevba_sources(path).items()} == {
        m.name: module_code(m) for m in modules}
    assert olevba_warnings() == []
    with pytest.raises(ValueError, match="code page"):
        build_vba_project([Module("Chinese", CHINESE)], codepage=1252)


def test_build_is_deterministic_and_validates_input() -> None:
    assert build_vba_project(_modules()) == build_vba_project(_modules())
    assert build_vba_project(_modules()) != build_vba_project(_modules(), project_name="Other")
    bad: list[tuple[list[Module], dict[str, Any]]] = [
        ([Module("Module 1", SMALL)], {}),
        ([Module("模块", SMALL)], {}),
        ([Module("A", SMALL), Module("a", SMALL)], {}),
        ([Module("dir", SMALL)], {}),
        ([Module("VBAProject", SMALL)], {}),
        ([Module("X", 'Attribute VB_Name = "X"\nSub A()\nEnd Sub\n')], {}),
        ([Module("X", SMALL)], {"codepage": 12345}),
        ([Module("X", SMALL)], {"project_name": "1st"}),
        ([Module("X", SMALL)], {"project_id": "not-a-guid"}),
    ]
    for modules, options in bad:
        with pytest.raises(ValueError):
            build_vba_project(modules, **options)


def test_module_code_normalises_line_endings() -> None:
    expected = 'Attribute VB_Name = "M"\r\nSub A()\r\nEnd Sub\r\n'
    for source in ["Sub A()\nEnd Sub\n", "Sub A()\r\nEnd Sub", "Sub A()\rEnd Sub\r\n"]:
        assert module_code(Module("M", source)) == expected
    assert module_code(Module("M", "")) == 'Attribute VB_Name = "M"\r\n'


# ---------------------------------------------------------------- .xlsm: xlsxwriter, olevba, LibreOffice


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An .xlsm written by xlsxwriter around our project; the document modules match the code names."""
    folder = tmp_path_factory.mktemp("xlsm")
    (folder / "vbaProject.bin").write_bytes(build_vba_project(_modules()))
    path = folder / "promo.xlsm"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("看板")
    sheet.write("A1", "双11")
    sheet.write("B1", 618)
    workbook.add_vba_project(str(folder / "vbaProject.bin"))
    workbook.set_vba_name("ThisWorkbook")
    sheet.set_vba_name("Sheet1")
    workbook.close()
    return path


def test_olevba_reads_the_xlsm(xlsm: Path, olevba_warnings: Callable[[], list[str]]) -> None:
    got = _olevba_sources(xlsm)
    assert {name: code for name, (_, code) in got.items()} == {m.name: module_code(m) for m in _modules()}
    assert olevba_warnings() == []


LIBRARY = "http://openoffice.org/2000/library"
SCRIPT = "http://openoffice.org/2000/script"


@pytest.mark.libreoffice
def test_libreoffice_opens_the_xlsm_and_imports_the_modules(xlsm: Path, soffice: str, tmp_path: Path) -> None:
    csv = convert(xlsm, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)
    assert csv.read_text(encoding="utf-8").strip() == "双11,618"
    ods = convert(xlsm, "ods", tmp_path)
    kinds = {ModuleKind.STANDARD: "normal", ModuleKind.CLASS: "class",
             ModuleKind.WORKBOOK: "document", ModuleKind.WORKSHEET: "document"}
    with zipfile.ZipFile(ods) as package:
        listed = ElementTree.fromstring(package.read("Basic/VBAProject/script-lb.xml"))
        assert sorted(e.get(f"{{{LIBRARY}}}name") for e in listed) == sorted(m.name for m in _modules())
        for module in _modules():
            xml = ElementTree.fromstring(package.read(f"Basic/VBAProject/{module.name}.xml"))
            assert xml.get(f"{{{SCRIPT}}}moduleType") == kinds[module.kind]
            assert module.source.replace("\r\n", "\n") in (xml.text or "")


_UNO_SCRIPT = r'''
import json, os, subprocess, sys, tempfile, time, uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p

path, calls = sys.argv[1], sys.argv[2:]
profile = tempfile.mkdtemp(prefix="xlpromo-uno-")
pipe = "xlpromo_vba_%d" % os.getpid()
office = subprocess.Popen(["soffice", "-env:UserInstallation=file://" + profile, "--headless", "--invisible",
                           "--norestore", "--accept=pipe,name=%s;urp;" % pipe],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.25)
    else:
        raise SystemExit("LibreOffice did not start")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0,
                                       (prop("Hidden", True), prop("MacroExecutionMode", 4)))
    libraries = {}
    for name in doc.BasicLibraries.getElementNames():
        doc.BasicLibraries.loadLibrary(name)
        library = doc.BasicLibraries.getByName(name)
        libraries[name] = sorted(library.getElementNames())
    results = {}
    for call in calls:
        script = doc.getScriptProvider().getScript(
            "vnd.sun.star.script:%s?language=Basic&location=document" % call)
        results[call] = script.invoke((), (), ())[0]
    print(json.dumps({"libraries": libraries, "results": results}))
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass
finally:
    try:
        office.wait(timeout=30)
    except subprocess.TimeoutExpired:
        office.kill()
'''


@pytest.mark.libreoffice
def test_libreoffice_lists_and_runs_the_modules_through_uno(xlsm: Path, soffice: str, tmp_path: Path) -> None:
    system_python = "/usr/bin/python3"
    probe = subprocess.run([system_python, "-c", "import uno"], capture_output=True, check=False)
    if probe.returncode != 0:  # .ci/run installs it: a missing UNO bridge fails, never skips
        pytest.fail("python3-uno is not installed for /usr/bin/python3: run `bash .ci/run` or "
                    "`apt-get install python3-uno`")
    script = tmp_path / "uno_vba.py"
    script.write_text(_UNO_SCRIPT, encoding="utf-8")
    proc = subprocess.run([system_python, str(script), str(xlsm.resolve()), "VBAProject.Chinese.Greeting"],
                          capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["libraries"]["VBAProject"] == sorted(m.name for m in _modules())
    assert report["results"] == {"VBAProject.Chinese.Greeting": "你好，双11！"}
