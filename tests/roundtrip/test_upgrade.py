"""recalc upgrades a workbook built before 每日监控 gained 环比键/前一日实际值: columns, head cell, formulas."""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import read_values
from xlpromo.errors import MissingTable
from xlpromo.files.builder import build_workbook
from xlpromo.files.demo import demo_frames
from xlpromo.files.reader import read_workbook
from xlpromo.model.formulas import render
from xlpromo.model.master import DAILY, SCHEMA
from xlpromo.ooxml import BookPatch
from xlpromo.roundtrip.recalc import recalc
from xlpromo.roundtrip.upgrade import not_upgraded, plan_upgrades

OLD_DOD = "COUNTIFS(Daily[核心指标],Daily[[#This Row],[核心指标]]"  # 环比变化 before: a whole-table scan per row
LEGACY = Path(__file__).parent / "legacy" / "demo-0.1.0-countifs.xlsx"


def _part(path: Path, pattern: str) -> str:
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if re.fullmatch(pattern, n)]
        return "".join(z.read(n).decode() for n in names)




@pytest.fixture(scope="module")
def upgraded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The legacy demo with 环比变化 typed over in I10, recalculated."""
    tmp = tmp_path_factory.mktemp("upgrade")
    src = tmp / "旧版.xlsx"
    shutil.copy(LEGACY, src)
    pkg = BookPatch.open(src)
    pkg.set_cells("每日监控", {(10, 9): 0.5})
    pkg.save(src)
    out = tmp / "新版.xlsx"
    result = recalc(src, out)
    assert result.not_formulas == ["每日监控!I10"]
    return out


def test_legacy_book_is_what_it_claims() -> None:
    values = read_values(LEGACY)["每日监控"]
    assert values[2][15] == "行ID" and len(values[2]) == 16
    assert OLD_DOD in _part(LEGACY, r"xl/worksheets/sheet\d+\.xml")


def test_upgrade_adds_the_columns_their_head_cell_and_values_of_a_new_book(upgraded: Path, tmp_path: Path) -> None:
    built = build_workbook(tmp_path / "新建.xlsx", demo_frames())
    new = read_values(recalc(built, tmp_path / "新建重算.xlsx").output)["每日监控"]
    got = read_values(upgraded)["每日监控"]
    assert got[2][15:18] == ["行ID", "环比键", "前一日实际值"]
    assert got[0][16:18] == ["有序行数", new[0][17]] and new[0][17] == len(demo_frames()["daily"])
    assert len(got) == len(new)
    for r in range(3, len(new)):
        want = list(new[r][:18])
        if r == 9:  # I10, typed over, stays as typed
            want[8] = 0.5
        assert got[r][:18] == want, f"row {r + 1}"


def test_upgrade_widens_the_table_and_hides_the_columns(upgraded: Path) -> None:
    tables = _part(upgraded, r"xl/tables/table\d+\.xml")
    daily = next(t for t in re.findall(r"<table\b.*?</table>", tables, re.S) if 'name="Daily"' in t)
    n = len(demo_frames()["daily"])
    assert f'ref="A3:T{3 + n}"' in daily and f'<autoFilter ref="A3:T{3 + n}"' in daily
    assert '<tableColumns count="20">' in daily
    formula = render(DAILY.col("dod_prev").formula or "", SCHEMA, DAILY)
    assert (f'<tableColumn id="18" name="前一日实际值"><calculatedColumnFormula>'
            f'{formula.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}'
            "</calculatedColumnFormula></tableColumn>") in daily
    sheets = _part(upgraded, r"xl/worksheets/sheet\d+\.xml")
    assert re.search(r'<col min="17" max="20" width="9" hidden="1" customWidth="1"/>', sheets)


def test_upgrade_refills_the_dod_formula_where_one_stood(upgraded: Path) -> None:
    sheets = _part(upgraded, r"xl/worksheets/sheet\d+\.xml")
    dod = render(DAILY.col("dod").formula or "", SCHEMA, DAILY).replace("&", "&amp;").replace('"', "&quot;")
    assert OLD_DOD not in sheets
    assert re.search(r'<c r="I9"[^>]*><f>' + re.escape(dod.replace("&quot;", '"')) + "</f>", sheets.replace(
        "&quot;", '"'))
    assert re.search(r'<c r="I10"[^>]*t?[^>]*>(?:<v>0.5</v>)</c>', sheets)


def test_a_second_recalc_finds_nothing_to_upgrade(upgraded: Path, tmp_path: Path) -> None:
    again = recalc(upgraded, tmp_path / "再次.xlsx").output
    assert read_values(again) == read_values(upgraded)
    assert _part(again, r"xl/tables/table\d+\.xml") == _part(upgraded, r"xl/tables/table\d+\.xml")


def _as_range(src: Path, dst: Path) -> Path:
    """``src`` with the Daily table converted to a range: its part, relationship, content type and tableParts gone."""
    with zipfile.ZipFile(src) as zi:
        part = next(n for n in zi.namelist() if n.startswith("xl/tables/") and b'name="Daily"' in zi.read(n))
        table = re.escape(part.rsplit("/", 1)[1].encode())
        rels = next(n for n in zi.namelist() if n.startswith("xl/worksheets/_rels/") and re.search(table, zi.read(n)))
        sheet = "xl/worksheets/" + rels.rsplit("/", 1)[1].removesuffix(".rels")
        edits = {rels: (rb"<Relationship\b[^>]*" + table + rb"[^>]*/>", b""),
                 "[Content_Types].xml": (rb"<Override\b[^>]*" + table + rb"[^>]*/>", b""),
                 sheet: (rb"<tableParts\b.*?</tableParts>", b"")}
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
            for item in zi.infolist():
                if item.filename != part:
                    data = zi.read(item.filename)
                    if item.filename in edits:
                        data = re.sub(*edits[item.filename], data)
                    zo.writestr(item, data)
    return dst


def test_a_legacy_table_converted_to_a_range_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    src = _as_range(LEGACY, tmp_path / "旧版区域.xlsx")
    with pytest.raises(MissingTable, match="工作表“每日监控”中的 Excel 表格“Daily”已不存在"):
        recalc(src, tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()


def test_a_legacy_table_whose_columns_moved_is_left_and_said() -> None:
    raw = read_workbook(LEGACY)
    daily = raw.tables["daily"]  # a column inserted before 单位: every column from there on moved one right
    raw.tables["daily"] = replace(daily, columns={k: c + (c >= 3) for k, c in daily.columns.items()})
    upgrades = plan_upgrades(raw)
    said = not_upgraded(raw, upgrades)
    assert "daily" not in upgrades
    assert [(f.code, f.ref, f.header, f.value) for f in said] == [
        ("not-upgraded", "每日监控!J3", "环比变化", "“环比键”、“前一日实际值”、“权重”、“加权值”")]
    assert said[0].message.startswith(
        "本表由旧版生成，缺少自动计算列“环比键”、“前一日实际值”、“权重”、“加权值”；表格的列已被移动")
    assert "xlpromo new" in said[0].message
    assert not_upgraded(read_workbook(LEGACY), plan_upgrades(read_workbook(LEGACY))) == []
