"""BookPatch: cell values, locks, protection, table ranges and the state sheet, all else byte-identical.

The input is a small xlsxwriter workbook (shared strings, styles, an Excel table, a second sheet);
what is written is checked as XML and read back with openpyxl (formulas, styles, protection) and
python-calamine (cached values). Keys are 1-based (row, col), as the sheet shows them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from tests.ooxml.test_package import changed, members
from xlpromo.errors import MissingTable
from xlpromo.model.values import CellError
from xlpromo.ooxml import INPUT_FILL, BookPatch, Formatted, Formula, Keep

SHEET_PART, OTHER_PART = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"


def sheet_xml(path: Path, part: str = SHEET_PART) -> str:
    return members(path)[part].decode("utf-8")


def cached(path: Path, sheet: str = "Data") -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data: a header, two rows in a table ``Orders`` (A1:C3), a bold cell at E7; Notes: the user's own."""
    path = tmp_path_factory.mktemp("editor") / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    bold = wb.add_format({"bold": True})
    ws.add_table("A1:C3", {"name": "Orders", "columns": [{"header": h} for h in ("qty", "price", "total")],
                           "data": [[1, 2.5, 2.5], [3, 4.0, 12.0]]})
    ws.write("E7", "note", bold)
    ws.set_column(1, 2, 14)
    wb.add_worksheet("Notes").write("A1", "the user's own sheet")
    wb.close()
    return path


def patched(src: Path, out: Path, *ops: object) -> Path:
    pkg = BookPatch.open(src)
    for op in ops:
        assert callable(op)
        op(pkg)
    pkg.save(out)
    return out


# ---------------------------------------------------------------------------- cells


def test_set_cells_writes_values_where_the_sheet_shows_them(book: Path, tmp_path: Path) -> None:
    out = patched(book, tmp_path / "v.xlsx", lambda p: p.set_cells("Data", {
        (7, 5): "E7 <new> & more", (2, 1): 10, (3, 2): 0.1, (9, 1): True, (9, 3): CellError("#N/A"),
        (8, 2): "  spaced  ", (2, 2): None}))
    assert changed(book, out) == {SHEET_PART}  # xlsxwriter sets fullCalcOnLoad already
    xml = sheet_xml(out)
    style = re.search(r'<c r="E7" s="(\d+)"', sheet_xml(book))
    assert style is not None  # the bold style stays with the new text
    assert (f'<c r="E7" s="{style.group(1)}" t="inlineStr"><is><t>E7 &lt;new&gt; &amp; more</t></is></c>'
            in xml)
    assert '<c r="A2"><v>10</v></c>' in xml and '<c r="B2"/>' in xml and '<c r="B3"><v>0.1</v></c>' in xml
    assert '<row r="8"><c r="B8" t="inlineStr"><is><t xml:space="preserve">  spaced  </t></is></c></row>' in xml
    assert '<row r="9"><c r="A9" t="b"><v>1</v></c><c r="C9" t="e"><v>#N/A</v></c></row>' in xml
    assert xml.index('<row r="7"') < xml.index('<row r="8"') < xml.index('<row r="9"')
    rows = cached(out)
    assert rows[1][:3] == [10, "", 2.5] and rows[2][1] == 0.1 and rows[6][4] == "E7 <new> & more"
    assert rows[7][1] == "  spaced  " and rows[8][0] is True
    assert openpyxl.load_workbook(out)["Data"]["E7"].font.b


def test_formulas_are_written_with_their_cached_value(book: Path, tmp_path: Path) -> None:
    out = patched(book, tmp_path / "f.xlsx", lambda p: p.set_cells("Data", {
        (2, 3): Formula("A2*B2", 25), (3, 3): Formula('IF(A3>2,"big","small")', "big"), (4, 4): Formula("1/0", None)}))
    xml = sheet_xml(out)
    assert re.search(r'<c r="C2"( s="\d+")?><f>A2\*B2</f><v>25</v></c>', xml)
    assert re.search(r'<c r="C3"( s="\d+")? t="str"><f>IF\(A3&gt;2,"big","small"\)</f><v>big</v></c>', xml)
    assert '<row r="4"><c r="D4" t="str"><f>1/0</f><v></v></c></row>' in xml
    ws = openpyxl.load_workbook(out)["Data"]
    assert (ws["C2"].value, ws["C3"].value, ws["D4"].value) == ("=A2*B2", '=IF(A3>2,"big","small")', "=1/0")
    rows = cached(out)
    assert (rows[1][2], rows[2][2]) == (25, "big")


def test_keep_leaves_the_content_and_changes_the_style(book: Path, tmp_path: Path) -> None:
    before = sheet_xml(book)
    pkg = BookPatch.open(book)
    emphasised = pkg.styles().emphasised(0)
    pkg.set_cells("Data", {(2, 1): Keep(), (12, 2): Keep()}, styles={(2, 1): emphasised, (12, 2): emphasised})
    pkg.save(tmp_path / "k.xlsx")
    xml = sheet_xml(tmp_path / "k.xlsx")
    old = re.search(r'<c r="A2"[^>]*>(.*?)</c>', before)
    assert old is not None and f'<c r="A2" s="{emphasised}">{old.group(1)}</c>' in xml
    assert f'<row r="12"><c r="B12" s="{emphasised}"/></row>' in xml  # created empty, styled
    assert changed(book, tmp_path / "k.xlsx") == {SHEET_PART, "xl/styles.xml"}
    ws = openpyxl.load_workbook(tmp_path / "k.xlsx")["Data"]
    assert ws["A2"].value == 1 and ws["A2"].font.b and ws["A2"].alignment.wrap_text


def test_untouched_parts_and_rows_keep_their_bytes(book: Path, tmp_path: Path) -> None:
    out = patched(book, tmp_path / "u.xlsx", lambda p: p.set_cells("Data", {(3, 1): 30}))
    assert changed(book, out) == {SHEET_PART}
    before, after = sheet_xml(book), sheet_xml(out)
    row = re.compile(r'<row r="(\d+)"[^>]*>.*?</row>', re.S)
    old = {m.group(1): m.group(0) for m in row.finditer(before)}
    new = {m.group(1): m.group(0) for m in row.finditer(after)}
    assert {r for r in old if old[r] != new[r]} == {"3"}
    assert after[:after.index("<sheetData>")] == before[:before.index("<sheetData>")]
    again = patched(out, tmp_path / "u2.xlsx", lambda p: None)
    assert members(again) == members(out)


# ---------------------------------------------------------------------------- locks and protection


def test_lock_cells_opens_only_the_given_cells(book: Path, tmp_path: Path) -> None:
    out = patched(book, tmp_path / "l.xlsx", lambda p: p.lock_cells("Data", {(3, 2): 0, (20, 4): 0}, fill=True),
                  lambda p: p.protect("Data"))
    assert changed(book, out) == {SHEET_PART, "xl/styles.xml"}
    ws = openpyxl.load_workbook(out)["Data"]
    assert ws.protection.sheet and ws.protection.autoFilter is False
    assert ws["B3"].protection.locked is False and ws["D20"].protection.locked is False
    assert ws["B3"].fill.fgColor.rgb == INPUT_FILL and ws["D20"].fill.fgColor.rgb == INPUT_FILL
    assert ws["A1"].protection.locked and ws["B2"].protection.locked and ws["E7"].protection.locked
    assert ws["E7"].font.b  # the locked variant of a style keeps the rest of it
    assert cached(out)[2][1] == 4.0  # values untouched
    xml = sheet_xml(out)
    assert xml.count("<sheetProtection ") == 1 and xml.index("</sheetData>") < xml.index("<sheetProtection ")


def test_protect_replaces_the_protection(book: Path, tmp_path: Path) -> None:
    out = patched(book, tmp_path / "p.xlsx", lambda p: p.protect("Data"),
                  lambda p: p.protect("Data", 'sheet="1" selectLockedCells="1"'))
    xml = sheet_xml(out)
    assert re.findall(r"<sheetProtection [^>]*/>", xml) == ['<sheetProtection sheet="1" selectLockedCells="1"/>']
    assert changed(book, out) == {SHEET_PART}


def test_row_styles_and_column_widths_are_one_based(book: Path) -> None:
    pkg = BookPatch.open(book)
    bold = re.search(r'<c r="E7" s="(\d+)"', sheet_xml(book))
    assert bold is not None and pkg.row_styles("Data", 7) == {5: int(bold.group(1))}
    assert pkg.row_styles("Data", 100) == {}
    widths = pkg.column_widths("Data")
    assert widths[2] == widths[3] and 1 not in widths and 4 not in widths


def test_merge_cells_refuses_an_overlap(book: Path, tmp_path: Path) -> None:
    pkg = BookPatch.open(book)
    assert pkg.merge_cells("Data", "A5:C5")
    assert not pkg.merge_cells("Data", "B4:B6")
    assert pkg.merge_cells("Data", "D5:E5")
    pkg.set_row_height("Data", 7, 30)
    pkg.save(tmp_path / "m.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "m.xlsx")["Data"]
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A5:C5", "D5:E5"]
    assert ws.row_dimensions[7].height == 30
    with pytest.raises(KeyError):
        pkg.set_row_height("Data", 99, 30)


# ---------------------------------------------------------------------------- tables and the state sheet


def test_a_table_grows_to_the_rows_added_below(book: Path, tmp_path: Path) -> None:
    pkg = BookPatch.open(book)
    assert pkg.table_ref("Data", "Orders") == (1, 1, 3, 3)
    pkg.set_cells("Data", {(4, 1): 5, (4, 2): 6.0, (4, 3): Formula("A4*B4", 30)})
    pkg.set_table_end("Data", "Orders", 4)
    assert pkg.table_ref("Data", "Orders") == (1, 1, 4, 3)
    pkg.save(tmp_path / "t.xlsx")
    assert changed(book, tmp_path / "t.xlsx") == {SHEET_PART, "xl/tables/table1.xml"}
    table = members(tmp_path / "t.xlsx")["xl/tables/table1.xml"].decode()
    assert 'ref="A1:C4"' in table and '<autoFilter ref="A1:C4"/>' in table and 'ref="A1:C3"' not in table
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["Data"]
    assert ws.tables["Orders"].ref == "A1:C4"
    with pytest.raises(MissingTable, match="工作表“Data”中的 Excel 表格“NoSuchTable”已不存在") as err:
        pkg.table_ref("Data", "NoSuchTable")
    assert err.value.sheet == "Data" and err.value.table == "NoSuchTable" and err.value.path == book


def test_the_state_sheet_is_very_hidden_and_replaced(book: Path, tmp_path: Path) -> None:
    first = patched(book, tmp_path / "s1.xlsx", lambda p: p.put_hidden_sheet("_state", [["version", 1], ["id", "x"]]))
    second = patched(first, tmp_path / "s2.xlsx", lambda p: p.put_hidden_sheet("_state", [["version", 2]]))
    wb = openpyxl.load_workbook(second)
    assert wb.sheetnames == ["Data", "Notes", "_state"] and wb["_state"].sheet_state == "veryHidden"
    assert wb["_state"].protection.sheet
    assert cached(second, "_state") == [["version", 2]]
    assert changed(first, second) == {"xl/worksheets/sheet3.xml"}
    assert members(second)[OTHER_PART] == members(book)[OTHER_PART]


def test_new_styles_and_a_new_highlight_both_reach_the_file(book: Path, tmp_path: Path) -> None:
    """The derived cell formats are taken before the highlight adds its dxf: saving keeps both."""
    pkg = BookPatch.open(book)
    emphasised = pkg.styles().emphasised(0)
    pkg.set_cells("Data", {(2, 1): Keep()}, styles={(2, 1): emphasised})
    pkg.set_highlights("Data", ["B3"])
    pkg.save(tmp_path / "h.xlsx")
    styles = members(tmp_path / "h.xlsx")["xl/styles.xml"].decode("utf-8")
    xfs = re.search(r'<cellXfs count="(\d+)"', styles)
    assert xfs is not None and int(xfs.group(1)) == emphasised + 1
    assert re.search(r'<dxfs count="1"><dxf><font><b/><color rgb="FF5B2C83"/></font>', styles)
    ws = openpyxl.load_workbook(tmp_path / "h.xlsx")["Data"]
    assert ws["A2"].font.b
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert len(rules) == 1 and rules[0].dxf is not None and rules[0].dxf.fill is not None


def test_a_formatted_number_gets_a_number_format_of_its_own(book: Path, tmp_path: Path) -> None:
    """A date typed into a text column arrives as a date: its serial and a derived style with ``yyyy-mm-dd``,
    added to a stylesheet that had no ``numFmts`` and to one that had (its ids are kept, the new one follows)."""
    assert "<numFmts" not in members(book)["xl/styles.xml"].decode()
    out = patched(book, tmp_path / "d.xlsx", lambda p: p.set_cells("Data", {
        (7, 5): Formatted(45444, "yyyy-mm-dd"), (9, 1): Formatted(1, "yyyy-mm-dd"),
        (9, 2): Formatted(45444.5, "yyyy-mm-dd hh:mm")}))
    styles = members(out)["xl/styles.xml"].decode()
    assert re.search(r'<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
                     r'<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts><fonts', styles)
    ws = openpyxl.load_workbook(out)["Data"]
    assert ws["E7"].number_format == "yyyy-mm-dd" and ws["E7"].font.b  # the bold stays
    assert ws["A9"].number_format == "yyyy-mm-dd" and ws["B9"].number_format == "yyyy-mm-dd hh:mm"
    rows = cached(out)
    assert rows[6][4] == dt.date(2024, 6, 1) and rows[8][0] == dt.date(1900, 1, 1)
    assert rows[8][1] == dt.datetime(2024, 6, 1, 12, 0)

    again = patched(out, tmp_path / "d2.xlsx", lambda p: p.set_cells("Data", {
        (10, 1): Formatted(45445, "yyyy-mm-dd"), (10, 2): Formatted(0.5, "hh:mm")}))
    styles = members(again)["xl/styles.xml"].decode()
    assert styles.count('formatCode="yyyy-mm-dd"') == 1 and '<numFmt numFmtId="166" formatCode="hh:mm"/>' in styles
    assert cached(again)[9][0] == dt.date(2024, 6, 2)
