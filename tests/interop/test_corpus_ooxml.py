"""Legal OOXML that no mainstream writer produces, through every command: a package without a styles part, and
worksheets whose rows and cells carry no ``r`` attribute (the row after the previous row, the column after the
previous cell: ECMA-376 makes both optional).

Each variant starts from the demo master, rewritten with zipfile:

- ``no-styles``: ``xl/styles.xml`` dropped with its relationship and its content-type Override (the cells keep
  their s attributes, which now point nowhere: every reader shows them plain);
- ``no-r``: on 任务分工 and 每日监控, every ``r`` that the previous row or cell implies removed (an ``r`` after a
  gap stays, as the format requires, so the sheets mean exactly what they meant);
- ``both``.

LibreOffice reads each damaged input with the demo's values (so the input is indeed legal). For ``check``,
``recalc -o``, ``split --dept 运营部`` and ``merge`` of an edited 运营部 copy: the exit code, the input file
byte-identical afterwards, named cells of the output as openpyxl reads them, and every value of the output
equal to what the same command makes of the intact demo. LibreOffice reads the outputs of recalc and merge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.conftest import read_values
from xlpromo.cli import app
from xlpromo.ooxml import BookPatch, CachedValue, XlsxPackage, addressed_blocks, stream
from xlpromo.ooxml.addresses import addressed

runner = CliRunner()
TASKS, DAILY = "任务分工", "每日监控"
VARIANTS = ("no-styles", "no-r", "both")
Values = dict[str, dict[str, Any]]
_EPOCH = dt.datetime(1899, 12, 30)
_TAG = re.compile(rb"<(row|c)\b([^>]*?)(/?)>")
_R = re.compile(rb'\sr="([A-Z]*)([0-9]+)"')


# --------------------------------------------------------------------------- the damaged packages
def _rewrite(src: Path, dst: Path, edit: Callable[[str, bytes], bytes | None]) -> Path:
    """``src`` copied member by member into ``dst``, each through ``edit`` (None: the member dropped)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info, data)
    return dst


def _sheet_parts(path: Path, sheets: tuple[str, ...]) -> set[str]:
    """The worksheet parts of ``sheets``, as workbook.xml and its relationships name them."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'<Relationship Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    ids = dict(re.findall(r'<sheet name="([^"]+)"[^>]*?r:id="([^"]+)"', wb))
    return {"xl/" + targets[ids[s]] for s in sheets}


def _implied_r_removed(data: bytes) -> bytes:
    """A worksheet without every r attribute its previous row or cell implies: it means the same."""
    row = col = 0

    def one(m: re.Match[bytes]) -> bytes:
        nonlocal row, col
        name, attrs, close = m.groups()
        r = _R.search(attrs)
        assert r is not None
        if name == b"row":
            implied, row, col = int(r.group(2)) == row + 1, int(r.group(2)), 0
        else:
            c = 0
            for ch in r.group(1).decode():
                c = c * 26 + ord(ch) - 64
            implied, col = c == col + 1, c
        return b"<" + name + (attrs[:r.start()] + attrs[r.end():] if implied else attrs) + close + b">"

    return _TAG.sub(one, data)


def damaged(src: Path, dst: Path, variant: str) -> Path:
    """``src`` as the ``variant`` of this module's docstring."""
    bare = _sheet_parts(src, (TASKS, DAILY)) if variant in ("no-r", "both") else set()
    styles = variant in ("no-styles", "both")

    def edit(name: str, data: bytes) -> bytes | None:
        if styles and name == "xl/styles.xml":
            return None
        if styles and name == "xl/_rels/workbook.xml.rels":
            return re.sub(rb'<Relationship [^>]*?/styles"[^>]*/>', b"", data)
        if styles and name == "[Content_Types].xml":
            return re.sub(rb'<Override PartName="/xl/styles.xml"[^>]*/>', b"", data)
        return _implied_r_removed(data) if name in bare else data

    return _rewrite(src, dst, edit)


@pytest.fixture(scope="module")
def books(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each variant of the demo master (named 618活动.xlsx like a user's), and the intact demo as ``demo``."""
    out = {"demo": demo_path}
    for variant in VARIANTS:
        out[variant] = damaged(demo_path, tmp_path_factory.mktemp(variant) / "618活动.xlsx", variant)
    return out


def test_the_variants_are_what_they_claim(books: dict[str, Path]) -> None:
    for variant in VARIANTS:
        with zipfile.ZipFile(books[variant]) as z:
            names = set(z.namelist())
            sheets = [z.read(_sheet_parts(books[variant], (s,)).pop()) for s in (TASKS, DAILY)]
            rels, ct = z.read("xl/_rels/workbook.xml.rels"), z.read("[Content_Types].xml")
        assert ("xl/styles.xml" not in names and b"/styles" not in rels and b"styles" not in ct) == (variant != "no-r")
        bare = [(len(re.findall(rb"<row(?![^>]*\sr=)[\s>]", data)), len(re.findall(rb"<c(?![^>]*\sr=)[\s>/]", data)),
                 len(re.findall(rb"<(?:row|c) r=", data))) for data in sheets]
        if variant == "no-styles":
            # 任务分工: 310 before the 甘特图 (its title, legend, 100 dates and 100 phases); 每日监控: 5877 before
            # 权重 and 加权值 (2 × 309)
            assert bare == [(0, 0, 512), (0, 0, 6495)]
        else:  # 任务分工's 甘特图 starts after a gap (column Q) in rows 1–3: the first cell after it keeps its r (4
            # cells); 每日监控's row 1 has A1, then Q1 and R1: Q1 keeps its r
            assert bare == [(20, 488, 4), (311, 6183, 1)]  # 每日监控: 5565 before 权重 and 加权值


@pytest.mark.libreoffice
@pytest.mark.parametrize("variant", VARIANTS)
def test_libreoffice_reads_the_damaged_input_as_the_demo(variant: str, books: dict[str, Path],
                                                         recalc: Callable[[Path], Path]) -> None:
    """The inputs are legal: LibreOffice, recalculating every formula, sees the demo's values."""
    got, want = read_values(recalc(books[variant])), read_values(books["demo"])
    for sheet in (TASKS, DAILY, "活动目标", "阈值配置"):
        assert _same_grid(got[sheet], want[sheet]), sheet


# --------------------------------------------------------------------------- values
def _serial(v: Any) -> Any:
    """A date as its Excel serial (without a styles part a date cell has no date format: a number)."""
    if isinstance(v, dt.datetime):
        return (v - _EPOCH).days + (v - _EPOCH).seconds / 86400
    if isinstance(v, dt.date):
        return (v - _EPOCH.date()).days
    return v


def _close(a: Any, b: Any) -> bool:
    a, b = _serial(a), _serial(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and float in (type(a), type(b)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)


def _same_grid(a: list[list[Any]], b: list[list[Any]]) -> bool:
    width = max(len(r) for r in a + b)

    def cell(rows: list[list[Any]], r: int, c: int) -> Any:
        return rows[r][c] if r < len(rows) and c < len(rows[r]) else ""

    return all(_close(cell(a, r, c), cell(b, r, c)) for r in range(max(len(a), len(b))) for c in range(width))


def cells(path: Path) -> Values:
    """Every non-empty cell of every sheet as openpyxl reads it (cached values of formulas, dates as serials)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    return {ws.title: {c.coordinate: _serial(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in wb.worksheets}


def assert_same_values(got: Values, want: Values, skip: tuple[str, ...] = ("_xlpromo",)) -> None:
    """Every sheet's cells equal, but those of ``skip`` (the state's copy ID, time and file name differ)."""
    assert list(got) == list(want)
    for sheet in want:
        if sheet not in skip:
            assert got[sheet] == want[sheet], sheet


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(book: Path, args: list[str], code: int = 0) -> str:
    """The CLI on ``book`` (left byte-identical): its output, after the exit code is checked."""
    digest = sha256(book)
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    assert "内部错误" not in result.output
    assert sha256(book) == digest
    return " ".join(result.output.split())


# --------------------------------------------------------------------------- the commands
@pytest.mark.parametrize("variant", VARIANTS)
def test_check(variant: str, books: dict[str, Path]) -> None:
    text = run(books[variant], ["check", str(books[variant])])
    assert "通过；错误 0 条，提示 0 条；预警 13 条（严重 3、预警 7、提示 3）" in text


def _recalc(book: Path, out: Path) -> str:
    return run(book, ["recalc", str(book), "-o", str(out)])


@pytest.fixture(scope="module")
def recalced(books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("recalc")
    out = {}
    for name, book in books.items():
        out[name] = folder / f"{name}.xlsx"
        assert "更新 3565 个计算格" in _recalc(book, out[name])
    return out


@pytest.mark.parametrize("variant", VARIANTS)
def test_recalc(variant: str, recalced: dict[str, Path]) -> None:
    got = cells(recalced[variant])
    tasks, daily = got[TASKS], got[DAILY]
    assert tasks["A4"] == "T001" and tasks["H4"] == "运营部" and tasks["L4"] == "需确认3款新品库存"
    assert tasks["F4"] == 45397  # 2024-04-15
    assert tasks["M4"] == -67 and tasks["N4"] == "是"  # 剩余天数 and 是否逾期: cached values written
    assert tasks["O4"] == "严重：【截止时间】 任务 T001“618活动商品选品”已逾期 67 天（截止 2024-04-15，负责人 *经理）"
    assert tasks["P4"] == "T00001"
    assert daily["A4"] == 45437 and daily["B4"] == "GMV" and daily["G4"] == 6.19  # 2024-05-25
    assert daily["H4"] == 6.19 / 6 and daily["K4"] == "达标" and daily["D4"] == "万元"
    assert daily["P311"] == "D00308"
    assert got["问题清单"]["A1"] == "位置" and got["预警"]["A2"] == "位置"
    assert_same_values(got, cells(recalced["demo"]))


@pytest.mark.parametrize("variant", ["no-r", "both"])
def test_recalc_rewrites_only_the_sheets_it_patches(variant: str, books: dict[str, Path],
                                                    recalced: dict[str, Path]) -> None:
    """The rows and cells of a patched sheet get their r; a sheet recalc does not patch keeps its bytes."""
    parts = _sheet_parts(books[variant], (TASKS, DAILY, "活动目标", "使用说明"))
    with zipfile.ZipFile(books[variant]) as before, zipfile.ZipFile(recalced[variant]) as after:
        for part in parts:
            data = after.read(part)
            assert data.count(b"<c ") == data.count(b'<c r="') and data.count(b"<row ") == data.count(b'<row r="')
        guide = _sheet_parts(books[variant], ("使用说明",)).pop()
        assert after.read(guide) == before.read(guide)


@pytest.mark.parametrize("variant", ["no-styles", "both"])
def test_recalc_gives_a_package_without_styles_a_minimal_registered_one(variant: str,
                                                                        recalced: dict[str, Path]) -> None:
    """A styles part is made (cell formats for every s the cells name, a dxf for every dxfId, the highlight's
    appended), registered in the workbook's relationships and [Content_Types].xml."""
    with zipfile.ZipFile(recalced[variant]) as z:
        styles = z.read("xl/styles.xml").decode()
        rels, ct = z.read("xl/_rels/workbook.xml.rels").decode(), z.read("[Content_Types].xml").decode()
    assert 'Target="styles.xml"' in rels and "/relationships/styles" in rels
    assert '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.' \
           'spreadsheetml.styles+xml"/>' in ct
    xfs = int(re.search(r'<cellXfs count="([0-9]+)"', styles).group(1))  # type: ignore[union-attr]
    assert xfs == styles.split("<cellXfs")[1].split("</cellXfs>")[0].count("<xf ") and xfs > 1
    ws = openpyxl.load_workbook(recalced[variant])[DAILY]
    assert ws["B4"].value == "GMV"


@pytest.mark.libreoffice
@pytest.mark.parametrize("variant", VARIANTS)
def test_libreoffice_reads_recalcs_output(variant: str, recalced: dict[str, Path],
                                          recalc: Callable[[Path], Path]) -> None:
    """LibreOffice opens the output and, recalculating, finds the cached values xlpromo wrote."""
    ours, theirs = read_values(recalced[variant]), read_values(recalc(recalced[variant]))
    for sheet in (TASKS, DAILY, "问题清单", "预警"):
        assert _same_grid(theirs[sheet], ours[sheet]), sheet
    assert theirs[DAILY][3][7] == pytest.approx(6.19 / 6, rel=1e-12)


@pytest.fixture(scope="module")
def split_copies(books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("split")
    out = {}
    for name, book in books.items():
        out[name] = folder / name / "618活动-运营部.xlsx"
        out[name].parent.mkdir()
        text = run(book, ["split", str(book), "--dept", "运营部", "-o", str(out[name])])
        assert "运营部可填写 1248 个单元格" in text  # 日计划权重 4, 导入映射 195, 商品与库存 180
    return out


@pytest.mark.parametrize("variant", VARIANTS)
def test_split(variant: str, split_copies: dict[str, Path]) -> None:
    got = cells(split_copies[variant])
    assert got[TASKS]["A2"].startswith("【运营部副本】请填写浅黄色单元格：")
    assert got[TASKS]["A4"] == "T001" and got[TASKS]["K4"] == "进行中" and got[TASKS]["M4"] == -67
    assert got[DAILY]["A4"] == 45437 and got[DAILY]["H4"] == 6.19 / 6
    assert_same_values(got, cells(split_copies["demo"]))
    wb = openpyxl.load_workbook(split_copies[variant])
    ws = wb[TASKS]
    assert ws.protection.sheet
    opened = sorted((c.coordinate for row in ws.iter_rows(min_row=4, max_row=20) for c in row
                     if not c.protection.locked), key=lambda a: (int(a[1:]), a[0]))
    assert opened[:4] == ["A4", "B4", "C4", "D4"] and "K14" in opened and "K7" not in opened
    assert ws["K4"].fill.fgColor.rgb == "FFFFF2CC" and ws["K4"].border.left.color.rgb == "FFED7D31"
    assert ws["K7"].protection.locked and ws["K7"].fill.fill_type is None


def _edited_copy(copy: Path, dst: Path, variant: str) -> Path:
    """The 运营部 copy as the department sends it back: T003's 备注 and a 实际值 typed, then saved by a program that
    writes the variant too."""
    pkg = BookPatch.open(copy)
    pkg.set_cells(TASKS, {(6, 12): "已与财务部核对底价"})
    pkg.save(dst.with_suffix(".tmp.xlsx"))
    return damaged(dst.with_suffix(".tmp.xlsx"), dst, variant) if variant != "demo" else \
        dst.with_suffix(".tmp.xlsx").rename(dst)


@pytest.fixture(scope="module")
def merged(books: dict[str, Path], split_copies: dict[str, Path],
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("merge")
    out = {}
    for name, book in books.items():
        copy = _edited_copy(split_copies[name], folder / f"{name}-运营部.xlsx", name)
        out[name] = folder / f"{name}-合并.xlsx"
        digest = sha256(copy)
        text = run(book, ["merge", str(book), str(copy), "-o", str(out[name])])
        assert sha256(copy) == digest
        assert "没有冲突" in text and "合并后校验：错误 0 条" in text
    return out


@pytest.mark.parametrize("variant", VARIANTS)
def test_merge(variant: str, merged: dict[str, Path]) -> None:
    got = cells(merged[variant])
    assert got[TASKS]["L6"] == "已与财务部核对底价" and got[TASKS]["A6"] == "T003"
    assert got[TASKS]["M4"] == -67 and got[DAILY]["H4"] == 6.19 / 6 and got[DAILY]["A4"] == 45437
    log = got["变更记录"]
    row = next(r for r in range(2, 10) if log.get(f"F{r}") == "T00003")
    assert [log.get(f"{c}{row}") for c in "DEGHI"] == [TASKS, "L6", "备注", None, "已与财务部核对底价"]
    want = cells(merged["demo"])
    for values in (got, want):  # the log's time and source file differ
        values["变更记录"] = {k: v for k, v in values["变更记录"].items() if k[0] not in "AB"}
    assert_same_values(got, want)


@pytest.mark.libreoffice
def test_libreoffice_reads_merges_output(merged: dict[str, Path], recalc: Callable[[Path], Path]) -> None:
    ours, theirs = read_values(merged["both"]), read_values(recalc(merged["both"]))
    for sheet in (TASKS, DAILY, "变更记录"):
        assert _same_grid(theirs[sheet], ours[sheet]), sheet
    assert theirs[TASKS][5][11] == "已与财务部核对底价"


# --------------------------------------------------------------------------- the addresser itself
def test_addressed_gives_the_address_implied_and_keeps_the_given_ones() -> None:
    sheet = (b'<worksheet><sheetData><row><c><v>1</v></c><c t="s"><v>0</v></c></row>'
             b'<row r="5" spans="1:9"><c r="C5"/><c s="2"/><c/></row><row><c r="B6" s="1"/><c>'
             b"<f>A1</f></c></row><row/></sheetData><mergeCells/></worksheet>")
    assert addressed(sheet) == (
        b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1" t="s"><v>0</v></c></row>'
        b'<row r="5" spans="1:9"><c r="C5"/><c r="D5" s="2"/><c r="E5"/></row><row r="6"><c r="B6" s="1"/>'
        b'<c r="C6"><f>A1</f></c></row><row r="7"/></sheetData><mergeCells/></worksheet>')
    prefixed = b'<x:worksheet><x:sheetData><x:row><x:c><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    assert addressed(prefixed) == (b'<x:worksheet><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'
                                   b"</x:row></x:sheetData></x:worksheet>")
    canonical = b'<worksheet><sheetData><row r="1"><c r="A1"/></row></sheetData></worksheet>'
    assert addressed(canonical) is canonical


@pytest.mark.parametrize("size", [7, 64, 10**6])
def test_addressed_blocks_carry_the_row_number_across_blocks(size: int, books: dict[str, Path]) -> None:
    """Cut in blocks of any size, a sheet is addressed as it is whole."""
    part = _sheet_parts(books["no-r"], (DAILY,)).pop()
    with zipfile.ZipFile(books["no-r"]) as z:
        whole = z.read(part)
        with z.open(part) as src:
            blocks = b"".join(b for b, _ in addressed_blocks(src, size))
    assert blocks == addressed(whole)
    with zipfile.ZipFile(books["demo"]) as z:
        assert blocks == z.read(part)  # the demo's own sheet: the r attributes put back where they were


@pytest.mark.parametrize("read", [97, 4 * 2**20])
def test_a_streamed_sheet_without_r_is_patched_as_one_held_whole(read: int, books: dict[str, Path],
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    """A big member (left compressed, patched block by block) is addressed like one held in memory."""
    monkeypatch.setattr(stream, "READ", read)
    values: dict[str, CachedValue] = {"H4": 0.5, "K4": "预警", "H311": None, "A4": 1}
    outs = []
    for over in (10**12, 0):
        pkg = XlsxPackage.open(books["no-r"], stream_over=over)
        assert pkg.set_cached_values(DAILY, values) == ["A4"]  # a typed date, not a formula cell
        assert pkg.set_cached_values(TASKS, {"ZZ9": 1}) == ["ZZ9"]  # nothing patched: the sheet stays as it was
        pkg.save(tmp_path / f"{over}.xlsx")
        outs.append(tmp_path / f"{over}.xlsx")
    assert outs[0].read_bytes() == outs[1].read_bytes()
    got = cells(outs[1])[DAILY]
    assert (got["H4"], got["K4"], got.get("H311"), got["A4"]) == (0.5, "预警", None, 45437)
    tasks = _sheet_parts(books["no-r"], (TASKS,)).pop()
    with zipfile.ZipFile(books["no-r"]) as before, zipfile.ZipFile(outs[1]) as after:
        assert after.read(tasks) == before.read(tasks)
