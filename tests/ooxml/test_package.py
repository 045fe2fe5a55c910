"""XlsxPackage: cached values, generated sheets and highlights patched into a package, all else untouched.

Inputs: the demo workbook (xlsxwriter), an openpyxl workbook (table, validation, defined
name, user sheet), LibreOffice's re-save of the demo, a hand-written Excel-style .xlsm
(shared formulas, cached error, x14 extensions, fake VBA project, ribbon part) and an Open
XML SDK-style sheet (x: prefix, attributes in any order, indentation). Values are read back
with python-calamine (no recalculation), formulas with openpyxl, and LibreOffice opens an
output of every kind of input.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from tests.conftest import read_values
from xlpromo.errors import NotAWorkbook, SheetNameTaken
from xlpromo.ooxml import GENERATED_TAB_COLOR, HIGHLIGHT_FORMULA, CachedValue, XlsxPackage, stream
from xlpromo.testing.libreoffice import convert

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")  # openpyxl, x14

DAILY = "每日监控"
DAILY_PART = "xl/worksheets/sheet6.xml"  # 每日监控 is the sixth sheet of the demo (after 使用说明, 看板 …)
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# ---------------------------------------------------------------------------- helpers


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def changed(before: Path, after: Path) -> set[str]:
    """Members that differ or are new (none may disappear)."""
    a, b = members(before), members(after)
    assert set(a) <= set(b)
    return {name for name in b if a.get(name) != b[name]}


def formulas(path: Path) -> dict[tuple[str, str], str]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"}


def cell(values: Mapping[str, list[list[Any]]], sheet: str, ref: str) -> Any:
    m = re.fullmatch(r"([A-Z]+)([0-9]+)", ref)
    assert m
    col = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(m.group(1))))
    rows = values[sheet]
    r, c = int(m.group(2)) - 1, col - 1
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else ""


def expected(v: Any) -> Any:
    """What calamine reads back for a cached value."""
    if v is None:
        return ""
    if isinstance(v, str):
        return _ILLEGAL.sub("", v)
    return v


def xlpromo_formats(ws: Any) -> list[Any]:
    return [cf for cf in ws.conditional_formatting if any(r.formula == [HIGHLIGHT_FORMULA] for r in cf.rules)]


def patched(src: Path, out: Path, *ops: Callable[[XlsxPackage], object]) -> Path:
    """Apply ``ops`` to ``src``, save as ``out`` and check that every changed XML part is well-formed."""
    pkg = XlsxPackage.open(src)
    for op in ops:
        op(pkg)
    pkg.save(out)
    after = members(out)
    for name in changed(src, out):
        ElementTree.fromstring(after[name])
    return out


# ---------------------------------------------------------------------------- inputs


@pytest.fixture(scope="module")
def lo_copy(demo_path: Path, soffice: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo as LibreOffice saves it (t="n", <f aca="false">, shared strings of its own)."""
    return convert(demo_path, "xlsx", tmp_path_factory.mktemp("locopy"))


@pytest.fixture(scope="module")
def openpyxl_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Formula column in a table, data validation, a defined name and a user sheet, saved by openpyxl."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Data"
    ws.append(["qty", "price", "total"])
    for i in range(2, 7):
        ws.append([i, i * 1.5, f"=A{i}*B{i}"])
    ws.add_table(Table(displayName="Orders", ref="A1:C6"))
    dv = DataValidation(type="whole", operator="between", formula1="0", formula2="100")
    dv.add("A2:A6")
    ws.add_data_validation(dv)
    wb.defined_names["Rate"] = DefinedName("Rate", attr_text="Data!$B$2")
    notes = wb.create_sheet("Notes")
    notes["A1"] = "the user's own sheet"
    path = tmp_path_factory.mktemp("openpyxl") / "orders.xlsx"
    wb.save(path)
    return path


_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
       'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"')
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
_DATABAR_EXT = (f'<extLst><ext uri="{{B025F937-C7B1-47D3-B67F-A62EFF666E3E}}" xmlns:x14="{_X14}">'
                "<x14:id>{00000000-0001-0000-0000-000000000001}</x14:id></ext></extLst>")
_SHEET_EXT = (f'<extLst><ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" xmlns:x14="{_X14}">'
              '<x14:conditionalFormattings><x14:conditionalFormatting '
              'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
              '<x14:cfRule type="dataBar" id="{00000000-0001-0000-0000-000000000001}"><x14:dataBar minLength="0" '
              'maxLength="100"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/></x14:dataBar></x14:cfRule>'
              "<xm:sqref>A2:A5</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>")
EXCEL_CALC = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet {_NS} xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" mc:Ignorable="x14ac">\
<sheetPr codeName="Sheet1"/><dimension ref="A1:D5"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"/>\
</sheetViews><sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><sheetData>
<row r="1" spans="1:4" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>\
<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>
<row r="2" spans="1:4" x14ac:dyDescent="0.25"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c>\
<c r="C2" s="1"><f t="shared" ref="C2:C5" si="0">A2*B2</f><v>2</v></c>\
<c r="D2" t="str"><f>IF(C2&gt;5,"big","small")</f><v>small</v></c></row>
<row r="3" spans="1:4" x14ac:dyDescent="0.25"><c r="A3"><v>3</v></c><c r="B3"><v>4</v></c>\
<c r="C3" s="1"><f t="shared" si="0"/><v>12</v></c><c r="D3" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>
<row r="4" spans="1:4" x14ac:dyDescent="0.25"><c r="A4"><v>5</v></c><c r="B4"><v>6</v></c>\
<c r="C4" s="1"><f t="shared" si="0"/><v>30</v></c><c r="D4" t="b"><f>C4&gt;10</f><v>1</v></c></row>
<row r="5" spans="1:4" x14ac:dyDescent="0.25"><c r="A5"><v>7</v></c><c r="B5"><v>8</v></c>\
<c r="C5" s="1"><f t="shared" si="0"/></c><c r="D5" s="1">
  <f>SUM(C2:C5)</f>
  <v>100</v>
</c></row>
</sheetData><conditionalFormatting sqref="A2:A5"><cfRule type="dataBar" priority="7"><dataBar><cfvo type="min"/>\
<cfvo type="max"/><color rgb="FF638EC6"/></dataBar>{_DATABAR_EXT}</cfRule></conditionalFormatting>\
<dataValidations count="1"><dataValidation type="whole" allowBlank="1" showErrorMessage="1" sqref="A2:A5">\
<formula1>0</formula1><formula2>100</formula2></dataValidation></dataValidations>\
<hyperlinks><hyperlink ref="A1" location="'User''s &amp; notes'!A1" display="notes"/></hyperlinks>\
<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>{_SHEET_EXT}</worksheet>"""
EXCEL_PARTS = {
    "[Content_Types].xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}worksheet+xml"/>\
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{_CT}worksheet+xml"/>\
<Override PartName="/xl/styles.xml" ContentType="{_CT}styles+xml"/>\
<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}sharedStrings+xml"/>\
<Override PartName="/xl/calcChain.xml" ContentType="{_CT}calcChain+xml"/></Types>""",
    "_rels/.rels": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="{_RT}officeDocument" Target="xl/workbook.xml"/>\
<Relationship Id="R1f2e" Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" \
Target="customUI/customUI14.xml"/></Relationships>""",
    "xl/workbook.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook {_NS} mc:Ignorable="x15" xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">\
<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27328" \
codeName="{{5A1E0B3C-0000-0000-0000-000000000001}}"/>\
<workbookPr codeName="ThisWorkbook" defaultThemeVersion="166925"/><mc:AlternateContent><mc:Choice Requires="x15">\
<x15ac:absPath xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac" url="C:\\Users\\u\\"/>\
</mc:Choice></mc:AlternateContent><bookViews><workbookView xWindow="-120" yWindow="-120" windowWidth="29040" \
windowHeight="15840"/></bookViews><sheets><sheet name="Calc" sheetId="1" r:id="rId1"/>\
<sheet name="User's &amp; notes" sheetId="3" r:id="rId2"/></sheets><definedNames>\
<definedName name="Rate">Calc!$B$2</definedName></definedNames><calcPr calcId="191029"/>\
<extLst><ext uri="{{140A7094-0E35-4892-8432-C4D2E57EDEB5}}" xmlns:x15="http://schemas.microsoft.com/office/\
spreadsheetml/2010/11/main"><x15:workbookPr chartTrackingRefBase="1"/></ext></extLst></workbook>""",
    "xl/_rels/workbook.xml.rels": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="{_RT}worksheet" Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="{_RT}worksheet" Target="/xl/worksheets/sheet2.xml"/>\
<Relationship Id="rId3" Type="{_RT}styles" Target="styles.xml"/>\
<Relationship Id="rId4" Type="{_RT}sharedStrings" Target="sharedStrings.xml"/>\
<Relationship Id="rId5" Type="{_RT}calcChain" Target="calcChain.xml"/>\
<Relationship Id="rId8" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" \
Target="vbaProject.bin"/></Relationships>""",
    "xl/worksheets/sheet1.xml": EXCEL_CALC,
    "xl/worksheets/sheet2.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet {_NS}><sheetPr codeName="Sheet2"/><dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"/>\
</sheetViews><sheetFormatPr defaultRowHeight="15"/><sheetData><row r="1"><c r="A1" t="s"><v>4</v></c></row>\
</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>""",
    "xl/sharedStrings.xml": """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5"><si><t>qty</t></si>\
<si><t>price</t></si><si><t>total</t></si><si><t>size</t></si><si><t>keep me</t></si></sst>""",
    "xl/styles.xml": """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/>\
<name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>\
<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/>\
</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="2" fontId="0" \
fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" \
xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2"/>\
</styleSheet>""",
    "xl/calcChain.xml": """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="C2" i="1" l="1"/><c r="D2"/>\
<c r="C3"/><c r="D3"/><c r="C4"/><c r="D4"/><c r="C5"/><c r="D5"/></calcChain>""",
    "customUI/customUI14.xml": """<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"><ribbon>\
<tabs><tab id="xlpromo" label="促销"><group id="g" label="检查"><button id="run" label="检查" \
onAction="Module1.Run"/></group></tab></tabs></ribbon></customUI>""",
}
FAKE_VBA = bytes(range(256)) * 8


def write_excel_like(path: Path, *, calc_pr: bool = True) -> Path:
    """The hand-written Excel-style .xlsm (stored and deflated members, a fake vbaProject.bin)."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in EXCEL_PARTS.items():
            if name == "xl/workbook.xml" and not calc_pr:
                text = text.replace('<calcPr calcId="191029"/>', "")
            info = zipfile.ZipInfo(name, (2024, 6, 18, 9, 30, 0))
            info.compress_type = zipfile.ZIP_STORED if name.startswith("customUI") else zipfile.ZIP_DEFLATED
            zf.writestr(info, text)
        zf.writestr(zipfile.ZipInfo("xl/vbaProject.bin", (2024, 6, 18, 9, 30, 0)), FAKE_VBA,
                    compress_type=zipfile.ZIP_DEFLATED)
    return path


@pytest.fixture(scope="module")
def excel_like(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_excel_like(tmp_path_factory.mktemp("excel") / "excel.xlsm")


SDK_SHEET = """<?xml version="1.0" encoding="utf-8"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
  <x:sheetData>
    <x:row r="1">
      <x:c r="A1"><x:v>2</x:v></x:c>
      <x:c s="0" r="B1">
        <x:f>A1*3</x:f>
        <x:v>6</x:v>
      </x:c>
      <x:c r='C1' t='str'><x:f>"a"&amp;A1</x:f><x:v>a2</x:v></x:c>
      <x:c r="D1"><x:f>A1+1</x:f><x:v>3</x:v></x:c>
    </x:row>
  </x:sheetData>
  <x:pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>
</x:worksheet>
"""


@pytest.fixture(scope="module")
def sdk_like(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Open XML SDK style: prefixed elements, r not first, single quotes, indentation."""
    path = tmp_path_factory.mktemp("sdk") / "sdk.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in EXCEL_PARTS.items():
            zf.writestr(name, SDK_SHEET if name == "xl/worksheets/sheet1.xml" else text)
    return path


def daily_formula_cells(path: Path, last_row: int = 43) -> list[str]:
    """Formula cells of 每日监控 up to ``last_row``, in sheet order."""
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(DAILY_PART).decode()
    return [m.group(1) for m in re.finditer(r'<c r="([A-Z]+([0-9]+))"[^>]*><f>', xml) if int(m.group(2)) <= last_row]


# ---------------------------------------------------------------------------- cached values


def test_cached_values_demo(demo_path: Path, tmp_path: Path) -> None:
    values: dict[str, CachedValue] = {
        "D4": 12.5, "E4": "<b>&amp; 'x' \"y\"\x01\x0b", "H4": "文本", "I4": None, "J4": True, "K4": False, "N4": 7,
        "H5": -1e-300, "H6": 123456789012, "D5": "", "D6": "  spaced\nline  ", "E5": "_x0041_ stays literal",
        "A4": 99, "B3": "header", "Z9999": 1, "AA1": 2}
    out = patched(demo_path, tmp_path / "out.xlsx", lambda p: p.set_cached_values(DAILY, values))
    pkg = XlsxPackage.open(demo_path)
    assert pkg.set_cached_values(DAILY, values) == ["AA1", "B3", "A4", "Z9999"]  # row-major
    assert changed(demo_path, out) == {DAILY_PART}  # the demo already has fullCalcOnLoad
    before, after = read_values(demo_path), read_values(out)
    for ref, v in values.items():
        if ref not in ("A4", "B3", "Z9999", "AA1"):
            assert cell(after, DAILY, ref) == expected(v), ref
    assert cell(after, DAILY, "A4") == cell(before, DAILY, "A4")
    assert cell(after, DAILY, "B3") == cell(before, DAILY, "B3")
    assert {k: v for k, v in after.items() if k != DAILY} == {k: v for k, v in before.items() if k != DAILY}
    assert formulas(out) == formulas(demo_path)


def test_cached_values_twice_then_other_edits_on_the_same_sheet(demo_path: Path, tmp_path: Path) -> None:
    """The second call sees the first one's values; highlights and saving work on a patched sheet."""
    def ops(pkg: XlsxPackage) -> None:
        assert pkg.set_cached_values(DAILY, {"H4": 1.5, "H5": "first"}) == []
        pkg.set_highlights(DAILY, ["H4"])
        assert pkg.set_cached_values(DAILY, {"H5": 2.5, "H6": None}) == []
        pkg.set_highlights(DAILY, ["H5"])

    out = patched(demo_path, tmp_path / "twice.xlsx", ops)
    assert [cell(read_values(out), DAILY, ref) for ref in ("H4", "H5", "H6")] == [1.5, 2.5, ""]
    assert [str(cf.sqref) for cf in xlpromo_formats(openpyxl.load_workbook(out)[DAILY])] == ["H5"]
    same = tmp_path / "same.xlsx"
    shutil.copy(out, same)
    patched(same, same, ops)  # saving over the file it was read from
    assert same.read_bytes() == out.read_bytes()


def test_any_order_of_the_values_gives_the_same_file(demo_path: Path, tmp_path: Path) -> None:
    """Row by row and column by column take a shortcut, any other order looks every cell up: same bytes."""
    refs = daily_formula_cells(demo_path, last_row=10**6)
    assert len(refs) > 2000 and len({re.sub(r"[0-9]", "", r) for r in refs}) == 11
    value = {ref: (float(ref[1:]) if ref[0] in "HI" else f"{ref}") for ref in refs}
    by_column = sorted(refs, key=lambda r: (r[0], int(r[1:])))
    outs = [patched(demo_path, tmp_path / f"{i}.xlsx", lambda p, order=order: p.set_cached_values(
        DAILY, {r: value[r] for r in order})) for i, order in enumerate([refs, by_column, sorted(refs)])]
    assert outs[0].read_bytes() == outs[1].read_bytes() == outs[2].read_bytes()
    assert cell(read_values(outs[0]), DAILY, "H300") == 300.0
    assert cell(read_values(outs[0]), DAILY, "N300") == "N300"


def test_cached_values_libreoffice_copy(lo_copy: Path, tmp_path: Path) -> None:
    """LibreOffice writes <f aca="false"> and t="n" on numbers: a number leaves no t, text gets t="str"."""
    values: dict[str, CachedValue] = {"D4": 1.25, "H4": "text now", "H5": 0.75, "I4": 0.5, "K4": None, "N4": True,
                                      "A4": 1.0}
    out = tmp_path / "lo-out.xlsx"
    pkg = XlsxPackage.open(lo_copy)
    assert pkg.set_cached_values(DAILY, values) == ["A4"]
    pkg.save(out)
    part = next(n for n in changed(lo_copy, out) if n.startswith("xl/worksheets/"))
    assert changed(lo_copy, out) == {part, "xl/workbook.xml"}
    assert 'fullCalcOnLoad="1"' in members(out)["xl/workbook.xml"].decode()
    after = read_values(out)
    for ref, v in values.items():
        if ref != "A4":
            assert cell(after, DAILY, ref) == expected(v), ref
    assert cell(after, DAILY, "A4") == cell(read_values(lo_copy), DAILY, "A4")
    assert formulas(out) == formulas(lo_copy)
    sheet = members(out)[part].decode()
    tags = {ref: re.search(rf'<c r="{ref}"[^>]*>', sheet).group(0) for ref in values}  # type: ignore[union-attr]
    assert ' t="n"' in members(lo_copy)[part].decode().split('<c r="H5"')[1][:30]
    assert [ref for ref, tag in tags.items() if " t=" not in tag] == ["D4", "H5", "I4"]
    assert tags["A4"] in members(lo_copy)[part].decode()  # not a formula: untouched, t="n" and all
    assert (' t="str"' in tags["H4"], ' t="str"' in tags["K4"], ' t="b"' in tags["N4"]) == (True, True, True)


def test_cached_values_excel_style_xlsm(excel_like: Path, tmp_path: Path) -> None:
    """Shared formulas (master and children, one without <v>), t="e"/"b"/"str", a pretty-printed cell."""
    values: dict[str, CachedValue] = {"C2": 2.5, "C3": "twelve", "C4": None, "C5": 56, "D2": 3, "D3": 0.25,
                                      "D4": "yes", "D5": False, "A2": 0, "E9": 1}
    out = tmp_path / "excel-out.xlsm"
    pkg = XlsxPackage.open(excel_like)
    assert pkg.sheet_names() == ["Calc", "User's & notes"]
    assert pkg.set_cached_values("Calc", values) == ["A2", "E9"]
    pkg.save(out)
    assert changed(excel_like, out) == {"xl/worksheets/sheet1.xml", "xl/workbook.xml"}
    after = read_values(out)
    for ref, v in values.items():
        if ref not in ("A2", "E9"):
            assert cell(after, "Calc", ref) == expected(v), ref
    assert cell(after, "Calc", "A2") == 1
    assert formulas(out) == formulas(excel_like)
    assert formulas(out)[("Calc", "C4")] == "=A4*B4"  # a shared-formula child, still shared
    wb_xml = members(out)["xl/workbook.xml"].decode()
    assert '<calcPr calcId="191029" fullCalcOnLoad="1"/>' in wb_xml
    sheet = members(out)["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="C3" s="1" t="str"><f t="shared" si="0"/><v>twelve</v></c>' in sheet
    assert '<c r="D3"><f>1/0</f><v>0.25</v></c>' in sheet
    assert '<c r="D5" s="1" t="b"><f>SUM(C2:C5)</f><v>0</v></c>' in sheet


def test_cached_values_openpyxl_book(openpyxl_book: Path, tmp_path: Path) -> None:
    """openpyxl writes <v /> for formulas: the values appear; table, validation and names are untouched."""
    values: dict[str, CachedValue] = {f"C{i}": i * i * 1.5 for i in range(2, 7)}
    out = patched(openpyxl_book, tmp_path / "o.xlsx", lambda p: p.set_cached_values("Data", values))
    assert changed(openpyxl_book, out) == {"xl/worksheets/sheet1.xml"}
    assert [row[2] for row in read_values(out)["Data"][1:]] == list(values.values())
    backwards = dict(reversed(values.items()))  # same values, not in sheet order: looked up one by one
    again = patched(openpyxl_book, tmp_path / "b.xlsx", lambda p: p.set_cached_values("Data", backwards))
    assert again.read_bytes() == out.read_bytes()
    assert formulas(out) == formulas(openpyxl_book)
    wb = openpyxl.load_workbook(out)
    assert list(wb["Data"].tables) == ["Orders"]
    assert wb["Data"].data_validations.dataValidation[0].formula2 == "100"
    assert "Rate" in wb.defined_names


def test_cached_values_prefixed_and_irregular_cells(sdk_like: Path, tmp_path: Path) -> None:
    values: dict[str, CachedValue] = {"B1": "x", "C1": 7, "D1": None, "A1": 1}
    pkg = XlsxPackage.open(sdk_like)
    assert pkg.set_cached_values("Calc", values) == ["A1"]
    pkg.set_highlights("Calc", ["B1", "C1"])
    pkg.save(tmp_path / "out.xlsx")
    sheet = members(tmp_path / "out.xlsx")["xl/worksheets/sheet1.xml"].decode()
    assert '<x:c s="0" r="B1" t="str"><x:f>A1*3</x:f><x:v>x</x:v></x:c>' in sheet
    assert "<x:c r='C1'><x:f>\"a\"&amp;A1</x:f><x:v>7</x:v></x:c>" in sheet
    assert sheet.index('<x:conditionalFormatting sqref="B1 C1">') < sheet.index("<x:pageMargins")
    assert read_values(tmp_path / "out.xlsx")["Calc"] == [[2.0, "x", 7.0, ""]]
    assert formulas(tmp_path / "out.xlsx") == formulas(sdk_like)


def test_bad_input_is_refused(demo_path: Path, tmp_path: Path) -> None:
    pkg = XlsxPackage.open(demo_path)
    with pytest.raises(KeyError):
        pkg.set_cached_values("no such sheet", {"A1": 1})
    with pytest.raises(ValueError, match="cell address"):
        pkg.set_cached_values(DAILY, {"$H$4": 1})
    with pytest.raises(ValueError, match="None"):
        pkg.set_cached_values(DAILY, {"H4": math.nan})
    with pytest.raises(TypeError):
        pkg.set_cached_values(DAILY, {"H4": object()})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="sheet name"):
        pkg.put_sheet("a/b", [["x"]])
    pkg.save(tmp_path / "same.xlsx")
    assert members(tmp_path / "same.xlsx") == members(demo_path)  # failed calls changed nothing
    (tmp_path / "not.xlsx").write_text("not a zip")
    with pytest.raises(NotAWorkbook):
        XlsxPackage.open(tmp_path / "not.xlsx")


# ---------------------------------------------------------------------------- generated sheets


ISSUES: list[list[CachedValue]] = [["级别", "工作表", "单元格", "说明", "数值"],
          ["严重", "任务分工", "E7", "任务已逾期 & 未完成 <请处理>", 3],
          ["预警", "每日监控", "H9", " 前后有空格 ", -0.125],
          ["提示", "每日监控", "K12", None, True]]
LINKS = {"C2": "'任务分工'!E7", "C3": "'每日监控'!H9", "C4": "'每日监控'!K12"}


def test_put_sheet_adds_a_frozen_linked_sheet(openpyxl_book: Path, tmp_path: Path) -> None:
    out = patched(openpyxl_book, tmp_path / "g.xlsx",
                  lambda p: p.put_sheet("问题清单", ISSUES, widths=[6, 10, 8.5, 40], links=LINKS))
    assert changed(openpyxl_book, out) == {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                                           "xl/worksheets/sheet3.xml"}
    assert list(members(out))[-1] == "xl/worksheets/sheet3.xml"  # appended, order kept
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Data", "Notes", "问题清单"]
    ws = wb["问题清单"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == ISSUES
    assert ws.freeze_panes == "A2"
    assert ws.sheet_properties.tabColor.rgb == GENERATED_TAB_COLOR
    assert ws.column_dimensions["D"].width == 40
    assert {ref: ws[ref].hyperlink.location for ref in LINKS} == LINKS
    assert ws["C2"].hyperlink.display == "E7"
    assert read_values(out)["问题清单"] == [[("" if v is None else v) for v in row] for row in ISSUES]
    assert wb["Notes"]["A1"].value == "the user's own sheet"


def test_put_sheet_replaces_its_own_sheet_and_refuses_user_sheets(excel_like: Path, tmp_path: Path) -> None:
    first = patched(excel_like, tmp_path / "1.xlsm", lambda p: p.put_sheet("预警", ISSUES, links=LINKS),
                    lambda p: p.put_sheet("问题清单", [["空"]]))
    second = patched(first, tmp_path / "2.xlsm", lambda p: p.put_sheet("预警", [["只剩表头"], ["一行"]]))
    assert changed(first, second) == {"xl/worksheets/sheet3.xml"}
    wb = openpyxl.load_workbook(second)
    assert wb.sheetnames == ["Calc", "User's & notes", "预警", "问题清单"]
    assert [[c.value for c in row] for row in wb["预警"].iter_rows()] == [["只剩表头"], ["一行"]]
    assert not wb["预警"]["C2"].hyperlink
    workbook = members(second)["xl/workbook.xml"].decode()
    assert re.findall(r'<sheet name="([^"]*)" sheetId="(\d+)" r:id="(\w+)"', workbook) == [
        ("Calc", "1", "rId1"), ("User's &amp; notes", "3", "rId2"), ("预警", "4", "rId9"), ("问题清单", "5", "rId10")]
    pkg = XlsxPackage.open(second)
    for name, user in (("Calc", "Calc"), ("calc", "Calc"), ("User's & notes", "User's & notes")):
        with pytest.raises(SheetNameTaken, match=re.escape(f"“{user}”")) as taken:
            pkg.put_sheet(name, [["x"]])
        assert taken.value.sheet == user and taken.value.path == second and "改名" in str(taken.value)
    pkg.save(tmp_path / "3.xlsm")
    assert members(tmp_path / "3.xlsm") == members(second)
    for part in ("xl/vbaProject.bin", "customUI/customUI14.xml", "_rels/.rels", "xl/calcChain.xml",
                 "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/styles.xml"):
        assert members(second)[part] == members(excel_like)[part], part


@pytest.mark.parametrize("name", ["问题清单", "预警", "合并冲突", "变更记录"])
def test_put_sheet_refuses_a_users_sheet_of_a_generated_name(name: str, tmp_path: Path) -> None:
    """The user's own 问题清单 (no tab-colour mark) is a SheetNameTaken naming it, and nothing changes."""
    src = tmp_path / "mine.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Data"  # type: ignore[union-attr]
    wb.create_sheet(name)["A1"] = "我的笔记"
    wb.save(src)
    pkg = XlsxPackage.open(src)
    with pytest.raises(SheetNameTaken) as taken:
        pkg.put_sheet(name, [["级别"], ["严重"]])
    assert taken.value.sheet == name and taken.value.code == "sheet-name-taken" and f"“{name}”" in str(taken.value)
    pkg.save(tmp_path / "same.xlsx")
    assert members(tmp_path / "same.xlsx") == members(src)


# ---------------------------------------------------------------------------- highlights


def test_highlights_demo_reuse_the_flag_dxf(demo_path: Path, tmp_path: Path) -> None:
    cells = ["H9", "H10", "h11", "K12", "$B$20", "H9"]
    out = patched(demo_path, tmp_path / "h.xlsx", lambda p: p.set_highlights(DAILY, cells))
    assert changed(demo_path, out) == {DAILY_PART}  # styles.xml untouched: the demo's 标记 dxf is reused
    ws = openpyxl.load_workbook(out)[DAILY]
    [cf] = xlpromo_formats(ws)
    assert '<conditionalFormatting sqref="H9 H10 H11 K12 B20">' in members(out)[DAILY_PART].decode()
    assert {str(r) for r in cf.sqref.ranges} == {"H9", "H10", "H11", "K12", "B20"}
    rule = cf.rules[0]
    dxf = openpyxl.load_workbook(out)._differential_styles[rule.dxfId]
    assert (dxf.fill.bgColor.rgb, dxf.font.color.rgb, dxf.font.b) == ("FFE4DFEC", "FF5B2C83", True)
    assert (dxf.border.left.style, dxf.border.left.color.rgb) == ("medium", "FF7030A0")  # 使用说明's 紫色粗框
    assert rule.priority == 1 + max(r.priority for c in ws.conditional_formatting for r in c.rules if r is not rule)
    twice = patched(out, tmp_path / "h2.xlsx", lambda p: p.set_highlights(DAILY, ["A4"]))
    [cf] = xlpromo_formats(openpyxl.load_workbook(twice)[DAILY])
    assert str(cf.sqref) == "A4"
    cleared = patched(twice, tmp_path / "h3.xlsx", lambda p: p.set_highlights(DAILY, []))
    assert members(cleared) == members(demo_path)  # nothing of ours is left


def test_highlights_create_dxfs_and_go_where_the_schema_says(excel_like: Path, openpyxl_book: Path,
                                                              tmp_path: Path) -> None:
    out = patched(excel_like, tmp_path / "x.xlsm", lambda p: p.set_highlights("Calc", ["C3", "D4"]),
                  lambda p: p.set_highlights("User's & notes", ["A1"]))
    styles = members(out)["xl/styles.xml"].decode()
    assert '<dxfs count="1"><dxf><font><b/><color rgb="FF5B2C83"/></font><fill><patternFill>' in styles  # added once
    sheet = members(out)["xl/worksheets/sheet1.xml"].decode()
    assert [child.tag.rpartition("}")[2] for child in ElementTree.fromstring(sheet.encode())] == [
        "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "sheetData", "conditionalFormatting",
        "conditionalFormatting", "dataValidations", "hyperlinks", "pageMargins", "extLst"]
    assert ('<conditionalFormatting sqref="C3 D4"><cfRule type="expression" dxfId="0" priority="8">'
            '<formula>"xlpromo"="xlpromo"</formula></cfRule></conditionalFormatting><dataValidations') in sheet
    assert "<x14:cfRule" in sheet and 'priority="7"' in sheet
    for path, sheet_name in ((out, "Calc"), (out, "User's & notes")):
        assert len(xlpromo_formats(openpyxl.load_workbook(path)[sheet_name])) == 1
    # openpyxl's styles.xml has no <dxfs> at all: one is created before <tableStyles>
    out2 = patched(openpyxl_book, tmp_path / "o.xlsx", lambda p: p.set_highlights("Data", ["c6:$C$2"]))
    styles = members(out2)["xl/styles.xml"].decode()
    assert styles.index('<dxfs count="1">') < styles.index("<tableStyles")
    [cf] = xlpromo_formats(openpyxl.load_workbook(out2)["Data"])
    assert (str(cf.sqref), cf.rules[0].priority, cf.rules[0].dxfId) == ("C2:C6", 1, 0)


def test_calc_pr_is_added_when_absent(tmp_path: Path) -> None:
    src = write_excel_like(tmp_path / "nocalc.xlsm", calc_pr=False)
    out = patched(src, tmp_path / "out.xlsm")
    assert changed(src, out) == {"xl/workbook.xml"}
    wb = members(out)["xl/workbook.xml"].decode()
    assert "</definedNames><calcPr fullCalcOnLoad=\"1\"/><extLst>" in wb


# ---------------------------------------------------------------------------- the whole recalc, twice


def recalc_ops(pkg: XlsxPackage) -> None:
    """What ``xlpromo recalc`` does to the demo, with fixed data."""
    pkg.set_cached_values(DAILY, {"H4": 0.5, "K4": "未达标", "I5": None})
    pkg.put_sheet("问题清单", ISSUES, widths=[6, 10, 8, 40, 8], links=LINKS)
    pkg.put_sheet("预警", [["级别", "说明"], ["严重", "客服响应时长超标"]], widths=[6, 30])
    pkg.set_highlights(DAILY, ["H4", "K4"])
    pkg.set_highlights("任务分工", ["E7"])


def test_libreoffice_recalculates_the_patched_demo(demo_path: Path, soffice: str, tmp_path: Path) -> None:
    out = patched(demo_path, tmp_path / "recalc.xlsx", recalc_ops)
    saved = convert(out, "xlsx", tmp_path / "lo")  # opened, recalculated (forced) and saved by LibreOffice
    values = read_values(saved)
    assert [(name, i, j, v) for name, rows in values.items() for i, row in enumerate(rows) for j, v in enumerate(row)
            if isinstance(v, str) and (v.startswith("#") or v.startswith("Err:"))] == []
    assert values["问题清单"][1][:4] == ISSUES[1][:4]
    assert cell(values, DAILY, "K4") == cell(read_values(demo_path), DAILY, "K4")  # recalculated, not ours
    # LibreOffice keeps our marks: a second run on its copy replaces our sheets and our highlight
    again = patched(saved, tmp_path / "again.xlsx", recalc_ops)
    wb = openpyxl.load_workbook(again)
    assert wb.sheetnames[-2:] == ["问题清单", "预警"] and len(wb.sheetnames) == 13  # 10, _xlpromo, ours
    assert wb["_xlpromo"].sheet_state == "hidden"  # LibreOffice saves a very hidden sheet as hidden
    assert [str(cf.sqref) for cf in xlpromo_formats(wb[DAILY])] == ["H4 K4"]


def other_ops(kind: str) -> Callable[[XlsxPackage], None]:
    """Every operation on one of the other inputs."""
    def ops(pkg: XlsxPackage) -> None:
        if kind == "libreoffice":
            recalc_ops(pkg)
        elif kind == "openpyxl":
            pkg.set_cached_values("Data", {"C2": 6.0, "C3": "text", "C4": None, "C5": True})
            pkg.put_sheet("问题清单", [["单元格", "说明"], ["C3", "不是数字"]], links={"A2": "'Data'!C3"})
            pkg.set_highlights("Data", ["C3"])
        elif kind == "sdk":
            pkg.set_cached_values("Calc", {"B1": "x", "C1": 7, "D1": None})
            pkg.put_sheet("预警", [["单元格"], ["B1"]], links={"A2": "Calc!B1"})
            pkg.set_highlights("Calc", ["B1"])
        else:
            pkg.set_cached_values("Calc", {"C2": 6.0, "C3": "text", "C4": None, "D3": True})
            pkg.put_sheet("问题清单", [["单元格", "说明"], ["C3", "不是数字"]], links={"A2": "'Calc'!C3"})
            pkg.set_highlights("Calc", ["C3", "D3"])
            pkg.set_highlights("User's & notes", ["A1"])
    return ops


@pytest.mark.parametrize("kind", ["libreoffice", "openpyxl", "excel", "sdk"])
def test_libreoffice_opens_the_other_outputs(kind: str, request: pytest.FixtureRequest, soffice: str,
                                             tmp_path: Path) -> None:
    src: Path = request.getfixturevalue({"libreoffice": "lo_copy", "openpyxl": "openpyxl_book",
                                         "excel": "excel_like", "sdk": "sdk_like"}[kind])
    out = patched(src, tmp_path / f"out{src.suffix}", other_ops(kind))
    csv = convert(out, "csv", tmp_path / "csv")
    assert csv.stat().st_size > 0


def test_same_operations_give_the_same_bytes(demo_path: Path, tmp_path: Path) -> None:
    a = patched(demo_path, tmp_path / "a.xlsx", recalc_ops)
    b = patched(demo_path, tmp_path / "b.xlsx", recalc_ops)
    c = patched(a, tmp_path / "c.xlsx", recalc_ops)
    assert a.read_bytes() == b.read_bytes() == c.read_bytes()


@pytest.fixture(scope="module")
def demo_cells(demo_path: Path) -> list[str]:
    return daily_formula_cells(demo_path)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="ooxml-package-"))
    yield path
    shutil.rmtree(path)


values_st: st.SearchStrategy[CachedValue] = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15),
                      st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_idempotent_on_the_demo(data: st.DataObject, demo_path: Path, demo_cells: list[str], scratch: Path) -> None:
    """Random cached values and highlight cells: applying them again to the output changes no byte."""
    refs = data.draw(st.lists(st.sampled_from(demo_cells), max_size=12, unique=True))
    values: dict[str, CachedValue] = {ref: data.draw(values_st) for ref in refs}
    marks = data.draw(st.lists(st.sampled_from([*demo_cells, "A4", "B10", "M20"]), max_size=6))

    def ops(pkg: XlsxPackage) -> None:
        assert pkg.set_cached_values(DAILY, values) == []
        pkg.set_highlights(DAILY, marks)
        pkg.put_sheet("预警", [["单元格", "值"], *[[k, v] for k, v in values.items()]])

    first = patched(demo_path, scratch / "first.xlsx", ops)
    second = patched(first, scratch / "second.xlsx", ops)
    assert first.read_bytes() == second.read_bytes()
    got = read_values(first)
    for ref, v in values.items():
        assert cell(got, DAILY, ref) == expected(v), ref


# ---------------------------------------------------------------------------- streamed members


def twice_ops(pkg: XlsxPackage) -> None:
    """Two rounds of values with highlights between them, then the rest of a recalc."""
    pkg.set_cached_values(DAILY, {"H4": 1.5, "H5": "first", "A4": 3})
    pkg.set_highlights(DAILY, ["H4"])
    pkg.set_cached_values(DAILY, {"H5": 2.5, "H6": None, "K4": True})
    recalc_ops(pkg)


def excel_missing_ops(pkg: XlsxPackage) -> None:
    """Cells that are not formula cells among cells in another layout: the general pattern runs too."""
    pkg.set_cached_values("Calc", {"C2": 2.5, "C3": "twelve", "D5": False, "A2": 0, "E9": 1})
    pkg.set_cached_values("Calc", {"D5": 1, "B2": 7})
    pkg.set_highlights("Calc", ["A2"])


@pytest.mark.parametrize("read", [97, 4096, 4 * 2**20])  # bytes decompressed at a time: many blocks, or one
@pytest.mark.parametrize("kind", ["demo", "twice", "libreoffice", "openpyxl", "excel", "excel-missing", "sdk"])
def test_streamed_members_give_the_same_bytes(kind: str, read: int, request: pytest.FixtureRequest,
                                              monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every member streamed (threshold 0) gives the bytes and answers of the in-memory path."""
    src: Path = request.getfixturevalue({"libreoffice": "lo_copy", "openpyxl": "openpyxl_book", "excel": "excel_like",
                                         "excel-missing": "excel_like", "sdk": "sdk_like"}.get(kind, "demo_path"))
    ops = {"demo": recalc_ops, "twice": twice_ops, "excel-missing": excel_missing_ops}.get(kind) or other_ops(kind)
    monkeypatch.setattr(stream, "READ", read)
    answers: dict[int, list[Any]] = {}

    def recorded(over: int) -> Callable[[XlsxPackage], None]:
        def run(pkg: XlsxPackage) -> None:
            calls: list[Any] = []
            original = pkg.set_cached_values
            pkg.set_cached_values = lambda sheet, values: calls.append(original(sheet, values))  # type: ignore
            ops(pkg)
            answers[over] = calls
        return run

    outs = []
    for over in (10**12, 0):
        monkeypatch.setattr(stream, "STREAM_OVER", over)
        outs.append(patched(src, tmp_path / f"{over}{src.suffix}", recorded(over)))
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert answers[0] == answers[10**12]
    if kind == "excel-missing":
        assert answers[0] == [["A2", "E9"], ["B2"]]


def test_a_big_streamed_sheet_is_patched_in_blocks(demo_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """A sheet over the threshold is never held whole; every formula cell of it gets its value."""
    size = zipfile.ZipFile(demo_path).getinfo(DAILY_PART).file_size
    monkeypatch.setattr(stream, "READ", size // 50)
    refs = daily_formula_cells(demo_path, last_row=10**6)
    values: dict[str, CachedValue] = {ref: (int(ref[1:]) if ref[0] in "HI" else f"<{ref}>") for ref in refs}
    pkg = XlsxPackage.open(demo_path, stream_over=size - 1)
    assert pkg.set_cached_values(DAILY, {**values, "A4": 1, "ZZ1": 2}) == ["ZZ1", "A4"]
    pkg.set_highlights(DAILY, ["H4", "H5"])
    pkg.save(tmp_path / "big.xlsx")
    streamed = [name for name, content in pkg._parts.items() if isinstance(content, stream.Streamed)]
    assert streamed == [DAILY_PART]  # the only member over the threshold, still not read into memory
    got = read_values(tmp_path / "big.xlsx")
    assert all(cell(got, DAILY, ref) == expected(v) for ref, v in values.items())
    assert formulas(tmp_path / "big.xlsx") == formulas(demo_path)
    assert [str(cf.sqref) for cf in xlpromo_formats(openpyxl.load_workbook(tmp_path / "big.xlsx")[DAILY])] == ["H4 H5"]
    monkeypatch.setattr(stream, "STREAM_OVER", 10**12)
    again = patched(demo_path, tmp_path / "memory.xlsx", lambda p: (
        p.set_cached_values(DAILY, values), p.set_highlights(DAILY, ["H4", "H5"])))
    assert again.read_bytes() == (tmp_path / "big.xlsx").read_bytes()


def test_a_damaged_streamed_member_is_reported(demo_path: Path, tmp_path: Path) -> None:
    data = bytearray(demo_path.read_bytes())
    info = zipfile.ZipFile(demo_path).getinfo(DAILY_PART)
    middle = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
    data[middle:middle + 64] = bytes(64)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    pkg = XlsxPackage.open(bad, stream_over=info.file_size - 1)  # nothing is read yet
    with pytest.raises(NotAWorkbook):
        pkg.set_cached_values(DAILY, {"H4": 1})


@pytest.mark.parametrize("over", [0, 10**12])
def test_a_duplicated_cell_address_does_not_hide_a_missing_cell(over: int, tmp_path: Path) -> None:
    """Two formula cells at D2 (a damaged sheet) and none at D3: D3 is reported, not counted as written."""
    path = tmp_path / "dup.xlsm"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in EXCEL_PARTS.items():
            zf.writestr(name, text.replace('<c r="D3" t="e">', '<c r="D2" t="e">'))
    pkg = XlsxPackage.open(path, stream_over=over)
    assert pkg.set_cached_values("Calc", {"D2": 1, "D3": 2}) == ["D3"]
