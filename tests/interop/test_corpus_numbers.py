"""Hostile numbers (issue 11): number cells storing ``1e309``, ``INF``, ``NaN``, ``-inf``, and finite numbers at the
float limit (``1e308``), through the reader, the engine and every command.

A value that is no finite number is the user's error, a ``not-finite`` finding at its cell; a finite number whose
sum or ratio overflows gives a blank computed cell, never inf; no command prints a RuntimeWarning, none exits 2,
every output xlpromo writes holds finite numbers only, and the input is left byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from xlpromo.cli import app
from xlpromo.files.builder import build_workbook
from xlpromo.files.check import check
from xlpromo.files.demo import demo_frames
from xlpromo.files.reader import read_rows, read_workbook, stored_texts
from xlpromo.model.a1 import parse_cell
from xlpromo.model.values import BadNumber
from xlpromo.testing.libreoffice import convert

ROOT = Path(__file__).resolve().parents[2]
DAILY, REVIEW, SUMMARY = "每日监控", "复盘报告", "各指标汇总"
# 每日监控: F 目标值, G 实际值, H 达成率; row 4 GMV 2024-05-25 (target 6), 5 订单量, 6 访客数, 7 转化率, 8 客单价;
# row 15 GMV 2024-05-26, row 26 GMV 2024-05-27. 复盘报告: 目标回顾 C 自动汇总, GMV on row 7.
STORED = {"G5": "1e309", "G6": "INF", "G7": "NaN", "G8": "-inf"}
# two GMV 实际值 whose total overflows, a GMV target and an 订单量 at the limit
HUGE = {"G4": "1e308", "G15": "1e308", "F26": "1e308", "G5": "1e308"}


def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("numbers") / "demo.xlsx", demo_frames())


def member(path: Path, sheet: str) -> str:
    """The zip member of a sheet (the demo's sheets are in workbook order, by name in the rels)."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="([^"]+)"', book)
    assert rid is not None
    target = re.search(rf'<Relationship [^>]*Id="{rid[1]}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid[1]}"', rels)
    assert target is not None
    return target[1].lstrip("/") if target[1].startswith("/") else "xl/" + target[1]


def with_values(demo: Path, out: Path, values: dict[str, str], *, text: bool = False) -> Path:
    """A copy of the demo whose 每日监控 cells hold ``values`` as stored numbers (``<v>1e309</v>``, keeping the
    cell's style), or as inline text when ``text``."""
    shutil.copyfile(demo, out)
    part = member(out, DAILY)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                xml = data.decode()
                for ref, v in values.items():
                    pattern = re.compile(rf'<c r="{ref}"( s="[0-9]+")?[^>]*?(?:/>|>.*?</c>)', re.S)
                    body = f' t="inlineStr"><is><t>{v}</t></is></c>' if text else f"><v>{v}</v></c>"
                    xml, n = pattern.subn(lambda m, body=body, ref=ref: f'<c r="{ref}"{m[1] or ""}{body}', xml, 1)
                    assert n == 1, ref
                data = xml.encode()
            zout.writestr(info, data)
    tmp.replace(out)
    return out


@pytest.fixture(scope="module")
def stored(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return with_values(demo, tmp_path_factory.mktemp("stored") / "stored.xlsx", STORED)


@pytest.fixture(scope="module")
def huge(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return with_values(demo, tmp_path_factory.mktemp("huge") / "huge.xlsx", HUGE)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def invoke(*args: str) -> Any:
    """Run the CLI with RuntimeWarning made an error (an overflow would be an internal error, exit 2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = runner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "内部错误" not in result.output and "RuntimeWarning" not in result.stderr, result.output
    return result


def number_cells(path: Path) -> Iterator[tuple[str, str, str]]:
    """(sheet part, cell, <v> text) of every number cell of every worksheet of ``path`` (no t, or t="n")."""
    cell = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not re.match(r"xl/worksheets/sheet[0-9]+\.xml$", name):
                continue
            for m in cell.finditer(z.read(name).decode()):
                t = re.search(r'\bt="([^"]+)"', m[2])
                v = re.search(r"<v>([^<]*)</v>", m[3] or "")
                if v and v[1] and (t is None or t[1] == "n"):
                    yield name, m[1], v[1]


def assert_finite_output(path: Path, allowed: Collection[tuple[str, str]] = ()) -> None:
    """Every number cell of ``path`` holds a finite number, but the input cells (part, cell) in ``allowed``."""
    bad = [(p, c, v) for p, c, v in number_cells(path) if (p, c) not in allowed and not math.isfinite(float(v))]
    assert bad == []


# --------------------------------------------------------------------------- reader and check
def test_stored_non_numbers_are_not_finite_findings(stored: Path) -> None:
    digest = sha256(stored)
    report = check(stored)
    found = sorted((f.sheet, f.cell, f.code, f.value) for f in report.findings)
    assert found == sorted((DAILY, ref, "not-finite", v) for ref, v in STORED.items())
    messages = {f.cell: f.message for f in report.findings}
    assert messages["G5"].startswith("单元格存的数值“1e309”不是有限的数字（超出了单元格能存的最大数值")
    assert "NaN 的意思是“不是数字”" in messages["G7"]
    assert not report.valid
    daily = report.frames["daily"]
    assert daily.loc[[5, 6, 7, 8], "actual"].isna().all()  # never computed with
    assert daily.loc[[5, 6, 7, 8], "rate"].isna().all()
    assert sha256(stored) == digest


def test_the_reader_gives_the_stored_text(stored: Path) -> None:
    data = read_workbook(stored).tables["daily"].data
    got = {ref: data.at[int(ref[1:]), "actual"] for ref in STORED}
    assert got == STORED and all(type(v) is BadNumber for v in got.values())
    assert stored_texts(stored, DAILY, [(4, 6), (7, 6), (3, 6)]) == {(4, 6): "1e309", (7, 6): "-inf", (3, 6): "6.19"}


def test_a_backend_without_the_package_gives_python_text(tmp_path: Path) -> None:
    """read_rows (the Excel layer, FileBook) has no package to look in: inf and nan as Python prints them."""
    book = build_workbook(tmp_path / "demo.xlsx", demo_frames())
    wb = load_workbook(book)
    rows = {ws.title: [["" if c is None else c for c in r] for r in ws.iter_rows(values_only=True)] for ws in wb}
    rows[DAILY][4][6], rows[DAILY][6][6] = math.inf, math.nan
    raw = read_rows(book, wb.sheetnames, rows.__getitem__,
                    lambda s: {t.name: _ref(t.ref, wb[s].tables[t.name].headerRowCount) for t in wb[s].tables.values()})
    data = raw.tables["daily"].data
    assert (data.at[5, "actual"], data.at[7, "actual"]) == ("inf", "nan")


def _ref(ref: str, _: int) -> tuple[int, int, int, int]:
    (r0, c0), (r1, c1) = (parse_cell(x) for x in ref.split(":"))
    return r0, c0, r1, c1


def test_text_beyond_the_float_range_is_not_finite(demo: Path, tmp_path: Path) -> None:
    path = with_values(demo, tmp_path / "text.xlsx", {"G5": "1e309"}, text=True)
    [finding] = check(path).findings
    assert (finding.cell, finding.code, finding.value) == ("G5", "not-finite", "1e309")
    assert finding.message.startswith("“1e309”不是有限的数字")


def test_numbers_at_the_float_limit_overflow_into_blanks(huge: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        report = check(huge)
    assert report.valid  # 1e308 is a number: warnings only
    found = sorted((f.cell, f.code) for f in report.findings)
    assert found == [("F26", "suspicious-unit"), ("G15", "suspicious-unit"), ("G4", "suspicious-unit"),
                     ("G5", "scale-mismatch")]
    [scale] = [f for f in report.findings if f.code == "scale-mismatch"]  # 5.6e+304, not 305 digits
    assert scale.message == "实际值 1.000000e+308 是目标值 1800 的 5.6e+304 倍：单位或百分号是否写错？"
    daily = report.frames["daily"]
    assert daily.at[4, "rate"] == 1e308 / 6
    gmv = report.frames["review"].set_index("metric").loc["GMV"]
    assert math.isnan(gmv["auto"]) and math.isnan(gmv["rate"])  # 1e308 + 1e308 is no number a cell holds
    for frame in report.frames.values():
        for col in frame.columns:
            if frame[col].dtype.kind == "f":
                assert not frame[col].isin([math.inf, -math.inf]).any(), col


# --------------------------------------------------------------------------- every command
@pytest.mark.parametrize("book, code", [("stored", 1), ("huge", 0)])
def test_check_json(book: str, code: int, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(book)
    digest = sha256(path)
    result = invoke("check", str(path), "--json")
    assert result.exit_code == code
    out = json.loads(result.stdout, parse_constant=_no_constant)  # no NaN, Infinity: JSON has none
    assert out == check(path).to_dict()
    assert sha256(path) == digest


def _no_constant(name: str) -> None:
    raise AssertionError(f"{name} in the JSON")


@pytest.mark.parametrize("book", ["stored", "huge"])
def test_real_stderr_has_no_runtime_warning(book: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """As a user runs it: warnings go to the process's own stderr, which pytest does not capture."""
    path: Path = request.getfixturevalue(book)
    for args in (["check", str(path)], ["report", str(path), "-o", str(tmp_path / "r.xlsx")]):
        proc = subprocess.run([sys.executable, "-m", "xlpromo", *args], cwd=ROOT, capture_output=True, text=True,
                              check=False)
        assert proc.returncode in (0, 1), proc.stderr
        assert "Warning" not in proc.stderr and "内部错误" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("book, code", [("stored", 1), ("huge", 0)])
def test_recalc(book: str, code: int, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    path: Path = request.getfixturevalue(book)
    digest = sha256(path)
    out = tmp_path / "r.xlsx"
    assert invoke("recalc", str(path), "-o", str(out)).exit_code == code
    part = member(out, DAILY)
    assert_finite_output(out)  # every number cell finite: the stored INF/NaN became their text
    with zipfile.ZipFile(out) as z:
        xml = z.read(part).decode()
    if book == "huge":
        wb = load_workbook(out, data_only=True)
        assert wb[DAILY]["G4"].value == 1e308 and wb[DAILY]["F26"].value == 1e308
        assert wb[DAILY]["H4"].value == 1e308 / 6
        assert wb[REVIEW]["C7"].value in (None, "")  # 自动汇总 of GMV: blank, not inf
    else:
        for ref in ("H5", "H6", "H7", "H8"):  # 达成率 of the cells holding no number: blank
            cell = re.search(rf'<c r="{ref}"[^>]*>.*?</c>', xml, re.S)
            assert cell is not None and "<v></v>" in cell[0]
    assert sha256(path) == digest


@pytest.mark.parametrize("book", ["stored", "huge"])
def test_report_xlsx_is_written_and_opens(book: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    path: Path = request.getfixturevalue(book)
    digest = sha256(path)
    out = tmp_path / "r.xlsx"
    assert invoke("report", str(path), "-o", str(out)).exit_code == 0
    assert_finite_output(out)
    report_rows = [r for ws in load_workbook(out).worksheets for r in ws.iter_rows(values_only=True)]
    rows = {r[0]: r for r in report_rows if r[0] == "GMV"}
    assert rows  # the GMV rows of 目标回顾 and 各指标汇总
    for ext in ("md", "html"):
        assert invoke("report", str(path), "-o", str(tmp_path / f"r.{ext}")).exit_code == 0
        text = (tmp_path / f"r.{ext}").read_text(encoding="utf-8")
        assert re.search(r"\b(?:nan|inf)\b", text, re.IGNORECASE) is None  # no nan%, no "进度比 inf"
    if book == "huge":
        md = (tmp_path / "r.md").read_text(encoding="utf-8")
        assert "GMV 累计超出可计算的数值范围" in md and "| GMV | 万元 | 越高越好 | 求和 | 1.000E+308 |  |  |" in md
        summary = [r for r in report_rows if r[:4] == ("GMV", "万元", "越高越好", "求和")]
        assert [r[4:7] for r in summary] == [(1e308, None, None)]
    assert sha256(path) == digest


@pytest.mark.parametrize("book", ["stored", "huge"])
def test_split_and_merge(book: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    path: Path = request.getfixturevalue(book)
    digest = sha256(path)
    copy, merged = tmp_path / "copy.xlsx", tmp_path / "merged.xlsx"
    assert invoke("split", str(path), "--dept", "运营部", "-o", str(copy)).exit_code == 0
    result = invoke("merge", str(path), str(copy), "-o", str(merged))
    assert result.exit_code == (1 if book == "stored" else 0), result.output
    for out in (copy, merged):
        assert_finite_output(out)
    if book == "stored":
        for out in (copy, merged):
            ws = load_workbook(out)[DAILY]
            assert {ref: ws[ref].value for ref in STORED} == STORED  # as stored, now text every reader opens
    if book == "huge":
        for out in (copy, merged):
            ws = load_workbook(out)[DAILY]
            assert (ws["G4"].value, ws["G15"].value, ws["F26"].value) == (1e308, 1e308, 1e308)
    assert sha256(path) == digest


def test_libreoffice_opens_the_outputs_of_a_book_at_the_float_limit(huge: Path, tmp_path: Path, soffice: str) -> None:
    recalculated, report = tmp_path / "r.xlsx", tmp_path / "report.xlsx"
    assert invoke("recalc", str(huge), "-o", str(recalculated)).exit_code == 0
    assert invoke("report", str(huge), "-o", str(report)).exit_code == 0
    ws = load_workbook(convert(recalculated, "xlsx", tmp_path / "lo"), data_only=True)[DAILY]
    assert (ws["G4"].value, ws["F26"].value) == (1e308, 1e308)
    assert ws["H4"].value == pytest.approx(1e308 / 6, rel=1e-14)  # LibreOffice's own 达成率, to its 15 digits
    lo = load_workbook(convert(report, "xlsx", tmp_path / "lo-report"), data_only=True)["各指标汇总"]
    summary = [r for r in lo.iter_rows(values_only=True) if r[:4] == ("GMV", "万元", "越高越好", "求和")]
    assert [r[4:7] for r in summary] == [(1e308, None, None)]


def test_outputs_of_a_book_storing_inf_open_in_openpyxl_and_libreoffice(stored: Path, tmp_path: Path) -> None:
    """The input opens nowhere; what xlpromo writes from it opens everywhere, the stored text at its cell."""
    out = tmp_path / "r.xlsx"
    assert invoke("recalc", str(stored), "-o", str(out)).exit_code == 1
    assert {ref: load_workbook(out)[DAILY][ref].value for ref in STORED} == STORED
    lo = load_workbook(convert(out, "xlsx", tmp_path / "lo"), data_only=True)[DAILY]
    assert {ref: lo[ref].value for ref in STORED} == STORED
    assert lo["H5"].value is None  # no 达成率 from a cell that holds no number
