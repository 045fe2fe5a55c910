"""read_export (issue 15): platform exports made here as the platforms write them, the header found, the rest set aside.

生意参谋-style GBK CSV with a title and a 合计 row, UTF-8 with a BOM, UTF-16 tab-separated text, an .xlsx with
two summary rows, a 京东商智 file with 下单金额 beside 成交金额; then the exports that cannot be read, each with its
message.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpromo.errors import ExportError, WorkbookError
from xlpromo.files.exports import ExportTable, cell_date, cell_number, read_export
from xlpromo.files.exports.layout import find_table
from xlpromo.files.exports.text import text_rows
from xlpromo.model.import_map import IMPORT_RULES, detect_platform

KNOWN = sorted({r.header for r in IMPORT_RULES})
SYCM_HEADER = ["统计日期", "访客数", "支付金额", "支付买家数", "支付转化率", "客单价"]


def _csv(rows: list[list[str]], sep: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _day(d: int) -> list[str]:
    """Day ``d`` (1–30) of June 2024 as 生意参谋 writes it: thousands separators, a percentage."""
    return [f"2024-06-{d:02d}", f"{1000 + 37 * d:,}", f"{13140.01 + d:,.2f}", str(100 + d), "12.96%", "131.40"]


def sycm_rows() -> list[list[str]]:
    return [["生意参谋 - 店铺整体 2024-06-01 ~ 2024-06-30"], [], SYCM_HEADER, *(_day(d) for d in range(1, 31)),
            ["合计", "43,205", "394,665.30", "3,465", "12.96%", "131.40"],
            ["注：以上数据来源于生意参谋，支付金额含运费"]]


@pytest.fixture
def sycm(tmp_path: Path) -> Path:
    path = tmp_path / "生意参谋.csv"
    path.write_bytes(_csv(sycm_rows()).encode("gbk"))
    return path


def test_sycm_gbk_csv(sycm: Path) -> None:
    table = read_export(sycm, KNOWN)
    assert (table.path, table.sheet, table.header_line, table.headers) == (sycm, None, 3, tuple(SYCM_HEADER))
    assert [r.line for r in table.rows] == list(range(4, 34))
    assert table.rows[0].cells == ("2024-06-01", "1,037", "13,141.01", "101", "12.96%", "131.40")
    assert table.rows[-1].cells == ("2024-06-30", "2,110", "13,170.01", "130", "12.96%", "131.40")
    assert [(r.line, r.why, r.cells[0]) for r in table.skipped] == [
        (34, "合计行", "合计"), (35, "说明", "注：以上数据来源于生意参谋，支付金额含运费")]
    first = table.rows[0].cells
    assert (cell_date(first[0]), cell_number(first[1]), cell_number(first[2]), cell_number(first[4])) == (
        dt.date(2024, 6, 1), 1037.0, 13141.01, 0.1296)
    assert table.date_column == 0
    assert table.column("支付金额") == 2 and table.column("支付转化率") == 4 and table.column("下单金额") is None
    assert detect_platform(table.headers, sycm.name) == "tmall"


def test_utf8_bom_csv_headers_are_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "店铺整体.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _csv([["\u3000统计日期 ", " 访客数\u200b", "支付金额（元）"],
                                             ["2024/6/1", "１，２３４", "￥1,000.50"]]).encode("utf-8"))
    table = read_export(path, KNOWN)
    assert (table.header_line, table.headers) == (1, ("统计日期", "访客数", "支付金额（元）"))
    assert table.rows[0].cells == ("2024/6/1", "１，２３４", "￥1,000.50")
    assert table.column("支付金额(元)") == 2
    assert [cell_number(c) for c in table.rows[0].cells[1:]] == [1234.0, 1000.5]


def test_utf8_without_bom_and_quoted_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    rows = [["统计日期", "访客数", "备注"], ["2024-06-01", "10", "第一行\n第二行"], ["2024-06-02", "11", ""]]
    path.write_text(_csv(rows), encoding="utf-8")
    table = read_export(path, KNOWN)
    assert [(r.line, r.cells) for r in table.rows] == [
        (2, ("2024-06-01", "10", "第一行\n第二行")), (4, ("2024-06-02", "11", ""))]


def test_tab_separated_utf16_text(tmp_path: Path) -> None:
    path = tmp_path / "成交概况.txt"  # Excel's "Unicode text": UTF-16 with a BOM, tabs, numbers with commas
    text = _csv([["日期", "成交金额", "成交客户数"], ["2024-06-01", "13,140.01", "1,002"]], sep="\t")
    path.write_bytes(text.encode("utf-16"))
    table = read_export(path, KNOWN)
    assert table.headers == ("日期", "成交金额", "成交客户数")
    assert table.rows[0].cells == ("2024-06-01", "13,140.01", "1,002")


def test_the_row_with_most_known_columns_is_the_header(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(_csv([["日期", "店铺"], ["统计日期", "访客数"], SYCM_HEADER, _day(1), ["说明文字"], _day(2)]),
                    encoding="utf-8")
    table = read_export(path, KNOWN)
    assert (table.header_line, [r.line for r in table.rows]) == (3, [4, 6])
    assert [(r.line, r.why) for r in table.skipped] == [(5, "说明")]


def test_a_bad_value_stays_a_data_row(tmp_path: Path) -> None:
    path = tmp_path / "生意参谋.csv"
    path.write_bytes(_csv([SYCM_HEADER, _day(1), ["2024-06-02", "abc", "-", "--", "—", ""], ["2024-13-01", "1"]])
                     .encode("gb18030"))
    table = read_export(path, KNOWN)
    assert [r.line for r in table.rows] == [2, 3, 4] and not table.skipped
    bad = table.rows[1].cells
    assert [cell_number(c) for c in bad[2:]] == [None, None, None, None]
    with pytest.raises(ValueError) as info:
        cell_number(bad[1])
    assert str(info.value) == "“abc”不是数字"
    with pytest.raises(ValueError) as info:
        cell_date(table.rows[2].cells[0])
    assert str(info.value) == "不存在的日期：“2024-13-01”"
    assert table.rows[2].cells == ("2024-13-01", "1", "", "", "", "")  # padded to the header's width


def _sheet(path: Path, rows: Sequence[Sequence[object]], *, before: str | None = None) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    if before is not None:
        ws.title = before
        ws.append(["这是说明页，数据在下一张表"])
        ws = wb.create_sheet("数据")
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_xlsx_with_two_summary_rows(tmp_path: Path) -> None:
    path = tmp_path / "生意参谋_店铺整体.xlsx"
    days = [[dt.datetime(2024, 6, d), 1000 + 37 * d, 13140.01 + d, 100 + d, 0.1296, 131.4] for d in range(1, 31)]
    _sheet(path, [["生意参谋 - 店铺整体"], [], SYCM_HEADER, *days, ["合计", 43205, 394665.3, 3465, 0.1296, 131.4],
                  ["日均", 1440.17, 13155.51, 115.5, 0.1296, 131.4], [], ["数据更新时间：2024-07-01"]])
    table = read_export(path, KNOWN)
    assert (table.sheet, table.header_line, table.headers) == ("Sheet", 3, tuple(SYCM_HEADER))
    assert [r.line for r in table.rows] == list(range(4, 34))
    assert table.rows[0].cells == (dt.date(2024, 6, 1), 1037, 13141.01, 101, 0.1296, 131.4)  # calamine: a date
    assert [(r.line, r.why) for r in table.skipped] == [(34, "合计行"), (35, "合计行"), (36, "空行"), (37, "说明")]
    assert (cell_date(table.rows[0].cells[0]), cell_number(table.rows[0].cells[2])) == (dt.date(2024, 6, 1), 13141.01)


def test_xlsx_table_on_the_second_sheet_and_named_xls(tmp_path: Path) -> None:
    path = tmp_path / "京东商智.xls"  # an .xlsx under an .xls name: calamine reads the bytes, not the name
    _sheet(path, [["日期", "访客数", "下单金额", "成交金额", "成交客户数"], ["2024-06-01", 8000, 150000.0, 120000.5,
                                                                     900]], before="说明")
    table = read_export(path, KNOWN)
    assert (table.sheet, table.header_line, table.rows[0].line) == ("数据", 1, 2)


def test_jd_export_with_ordered_and_paid_amounts(tmp_path: Path) -> None:
    path = tmp_path / "京东商智_交易概况.csv"
    header = ["日期", "访客数", "下单金额", "下单客户数", "成交金额", "成交客户数", "成交转化率", "客单价"]
    day = ["2024-06-01", "8,000", "150,000.00", "1,100", "120,000.50", "900", "11.25%", "133.33"]
    path.write_text(_csv([["京东商智 交易概况"], header, day]), encoding="utf-8-sig")
    table = read_export(path, KNOWN)
    assert table.header_line == 2
    assert (table.column("下单金额"), table.column("成交金额")) == (2, 4)
    assert detect_platform(table.headers, path.name) == "jd"
    assert cell_number(table.rows[0].cells[4]) == 120000.5


def test_csv_under_an_xls_name(tmp_path: Path) -> None:
    path = tmp_path / "拼多多.xls"
    path.write_bytes(_csv([["统计日期", "成交金额", "成交买家数"], ["2024-06-01", "5,000.00", "40"]]).encode("gbk"))
    assert read_export(path, KNOWN).rows[0].cells == ("2024-06-01", "5,000.00", "40")


# --------------------------------------------------------------------------- exports that cannot be read
NEED = "找不到表头行（需要“统计日期”等日期列和至少一个可导入的列）"
BINARY = "不是文本文件（内容是二进制数据）：请从平台重新导出 CSV 或 Excel 文件"
BROKEN = "文件已损坏或不完整（可能没有下载完）：请从平台重新导出"


def _truncated_xlsx(path: Path) -> None:
    _sheet(path, [SYCM_HEADER, _day(1)])
    path.write_bytes(path.read_bytes()[:400])


def _bad_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")


BAD: list[tuple[str, object, str]] = [
    ("empty.csv", b"", "文件是空的：请从平台重新导出"),
    ("blank.csv", b"\r\n  \r\n\r\n", "文件是空的：请从平台重新导出"),
    ("nul.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), BINARY),
    ("garbage.csv", bytes(random.Random(15).randrange(1, 32) for _ in range(4096)), BINARY),
    ("report.pdf", b"%PDF-1.4", "不支持的文件类型“.pdf”：请从平台导出 CSV、.xls 或 .xlsx 文件"),
    ("noext", b"a,b", "不支持的文件类型“无扩展名”：请从平台导出 CSV、.xls 或 .xlsx 文件"),
    ("truncated.xlsx", _truncated_xlsx, BROKEN),
    ("notabook.xlsx", _bad_zip, BROKEN),
    ("encrypted.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptionInfo".encode("utf-16-le"),
     "文件设置了打开密码：请在 Excel 或 WPS 中取消密码后另存为 .xlsx，或从平台重新导出"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), BROKEN),
    ("网页.xls", "\r\n<html><body><table><tr><td>日期</td></tr></table></body></html>".encode(),
     "这是网页（HTML）格式的表格，不是 Excel 文件：请用 Excel 或 WPS 打开后另存为 .xlsx"),
    ("unknown.csv", "生意参谋 - 店铺整体\r\n\r\n统计日期,UV,金额\r\n2024-06-01,1,2\r\n".encode("gbk"),
     NEED + "；前几行是：第 1 行“生意参谋 - 店铺整体”；第 3 行“统计日期,UV,金额”；第 4 行“2024-06-01,1,2”"),
    ("nodate.csv", "访客数,支付金额\r\n1,2\r\n".encode(), NEED + "；前几行是：第 1 行“访客数,支付金额”；第 2 行“1,2”"),
    ("long.csv", ("标题" * 40 + "\r\n").encode(), NEED + f"；前几行是：第 1 行“{'标题' * 30}…”"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_exports(tmp_path: Path, name: str, content: object, message: str) -> None:
    path = tmp_path / name
    if callable(content):
        content(path)
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    with pytest.raises(ExportError) as info:
        read_export(path, KNOWN)
    assert str(info.value) == f"{name}: {message}"
    assert isinstance(info.value, WorkbookError) and info.value.code == "unreadable-export"
    assert info.value.path == path


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as info:
        read_export(tmp_path / "生意参谋.csv", KNOWN)
    assert str(info.value) == "生意参谋.csv: 找不到文件"


def test_xlsx_without_a_header_names_the_sheet(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    _sheet(path, [[], ["日期", "UV"], [dt.datetime(2024, 6, 1), 5]])
    with pytest.raises(ExportError) as info:
        read_export(path, KNOWN)
    assert str(info.value) == f"export.xlsx: {NEED}；工作表“Sheet”前几行是：第 2 行“日期,UV”；第 3 行“2024-06-01,5”"
    assert info.value.sheet == "Sheet"
    empty = tmp_path / "empty.xlsx"
    _sheet(empty, [])
    with pytest.raises(ExportError) as info:
        read_export(empty, KNOWN)
    assert str(info.value) == f"empty.xlsx: {NEED}；工作表“Sheet”里没有任何内容"


# --------------------------------------------------------------------------- the header among random lines
_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40)
_TITLE = st.one_of(_TEXT, st.sampled_from(["生意参谋 - 店铺整体 2024-06-01 ~ 2024-06-30", "日期", "统计日期：2024-06",
                                           "导出时间,2024-07-01 10:00", ""]))
_NOTE = st.one_of(_TEXT.map(lambda t: ["注：" + t]), _TEXT.map(lambda t: ["说明", t]),
                  st.sampled_from([["合计", "100", "1,000.00"], ["平均值", "3", "33.33"], ["总计"], [], ["", ""]]))


@settings(max_examples=60, deadline=None)
@given(titles=st.lists(_TITLE, max_size=20), days=st.integers(min_value=1, max_value=12),
       notes=st.lists(_NOTE, max_size=8), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
       sep=st.sampled_from([",", "\t"]))
def test_header_found_below_any_title_and_notes_set_aside(titles: list[str], days: int, notes: list[list[str]],
                                                          encoding: str, sep: str) -> None:
    rows = [[t] for t in titles] + [SYCM_HEADER] + [_day(d) for d in range(1, days + 1)] + notes
    source = text_rows(Path("p.csv"), _csv(rows, sep).encode(encoding), KNOWN)
    table = find_table(Path("p.csv"), None, source, KNOWN)
    assert isinstance(table, ExportTable)
    head = len(titles) + 1
    assert (table.header_line, table.headers) == (head, tuple(SYCM_HEADER))
    assert [(r.line, r.cells) for r in table.rows] == [(head + d, tuple(_day(d))) for d in range(1, days + 1)]
    assert [r.line for r in table.skipped] == [head + days + i for i in range(1, len(notes) + 1)]
    assert all(r.why in ("合计行", "说明", "空行") for r in table.skipped)
