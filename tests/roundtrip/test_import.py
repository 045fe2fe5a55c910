"""``import``: a 生意参谋 export into the planned rows — values at their 日期/指标/渠道 in the catalogue's unit,
nothing changed the second time, a typed value never overwritten unless asked, unreadable cells named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from tests.roundtrip.conftest import with_targets
from xlpromo.cli import app
from xlpromo.files.check import check
from xlpromo.model.master import SCHEMA
from xlpromo.ooxml import BookPatch
from xlpromo.roundtrip.imports import import_exports
from xlpromo.roundtrip.merge import CHANGES_SHEET, CONFLICTS_SHEET
from xlpromo.roundtrip.plan import plan_book

DAILY = SCHEMA.sheet("daily").name
DAY0 = dt.date(2024, 5, 25)
runner = CliRunner()


def sycm_csv(path: Path, bad: dict[int, str] | None = None) -> Path:
    """A 生意参谋 export as it saves it: GBK, a title line and a blank line, 28 days, a 合计 row and a note."""
    lines = ["生意参谋 - 店铺整体 2024-05-25 ~ 2024-06-21", "", "统计日期,访客数,支付金额,支付买家数,支付转化率,客单价"]
    for i in range(28):
        pay = f"{131400.01 + i * 1000:,.2f}"
        lines.append(f'{DAY0 + dt.timedelta(days=i)},"{10000 + i * 100:,}","{(bad or {}).get(i, pay)}",{500 + i},'
                     f"{12.96 + i / 100:.2f}%,262.80")
    lines += ['合计,"300,000","4,000,000.00",15000,5.00%,266.67', "注：数据来源于生意参谋"]
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    return path


@pytest.fixture(scope="module")
def planned(blank_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("import")
    book = with_targets(blank_path, tmp / "618.xlsx")
    plan_book(book, tmp / "计划.xlsx", channels=["天猫"], metrics=["GMV"])
    return tmp / "计划.xlsx"


@pytest.fixture(scope="module")
def imported(planned: Path) -> tuple[Path, Path]:
    csv = sycm_csv(planned.with_name("生意参谋.csv"))
    out = planned.with_name("导入.xlsx")
    done = import_exports(planned, [csv], out)
    assert done.counts["GMV"] == {"filled": 28, "appended": 0, "unchanged": 0, "conflicts": 0, "overwritten": 0}
    assert done.counts["转化率"]["appended"] == 28 and done.conflicts == 0
    return csv, out


def _rows(path: Path) -> dict[tuple[str, str, str], list[object]]:
    frame = check(path).frames["daily"]
    return {(str(r.date)[:10], r.metric, r.channel or ""): [None if pd.isna(v) else v for v in (r.target, r.actual)]
            for r in frame.itertuples()}


def test_values_land_at_their_day_metric_and_channel_in_our_units(imported: tuple[Path, Path]) -> None:
    _, out = imported
    rows = _rows(out)
    assert rows[("2024-05-25", "GMV", "天猫")] == [7.52, 13.140001]  # 131,400.01 元 → 万元, the plan's target kept
    assert rows[("2024-06-21", "GMV", "天猫")] == [11.28, 15.840001]
    assert rows[("2024-05-25", "转化率", "天猫")][1] == 0.1296  # 12.96% → 0.1296
    assert rows[("2024-05-26", "访客数", "天猫")][1] == 10100  # "10,100"
    assert rows[("2024-05-25", "客单价", "天猫")][1] == 262.8
    assert len(rows) == 28 * 5  # the 合计 row and the note are not imported


def test_check_finds_nothing_of_the_import_but_the_targets_to_fill(imported: tuple[Path, Path]) -> None:
    _, out = imported
    report = check(out)
    assert {(f.code, f.header) for f in report.findings} == {("required", "目标值")}
    gmv_rows = {f.cell for f in report.findings} & {f"F{r}" for r in range(4, 32)}
    assert gmv_rows == set() and len(report.findings) == 28 * 4  # the rows appended: 访客数, 订单量, 转化率, 客单价


def test_the_same_export_twice_changes_nothing(imported: tuple[Path, Path]) -> None:
    csv, out = imported
    again = import_exports(out, [csv], out.with_name("again.xlsx"))
    assert {c["unchanged"] for c in again.counts.values()} == {28}
    assert _rows(out.with_name("again.xlsx")) == _rows(out)


def test_a_typed_value_that_differs_is_a_conflict_and_kept(imported: tuple[Path, Path], tmp_path: Path) -> None:
    csv, out = imported
    t = SCHEMA.table("daily")
    pkg = BookPatch.open(out)
    pkg.set_cells(DAILY, {(t.header_row + 2, t.index("actual") + 1): 12.5})  # GMV of 2024-05-25, typed by hand
    pkg.save(tmp_path / "typed.xlsx")
    done = import_exports(tmp_path / "typed.xlsx", [csv], tmp_path / "out.xlsx")
    assert done.conflicts == 1 and done.counts["GMV"]["unchanged"] == 27
    assert _rows(tmp_path / "out.xlsx")[("2024-05-25", "GMV", "天猫")][1] == 12.5
    sheet = CalamineWorkbook.from_path(str(tmp_path / "out.xlsx")).get_sheet_by_name(CONFLICTS_SHEET).to_python()
    assert sheet[1][:5] == ["冲突", DAILY, "G4", sheet[1][3], "实际值"] and str(sheet[1][3]).startswith("D")
    assert sheet[1][6:9] == [12.5, 13.140001, "生意参谋.csv 第 4 行（支付金额）"]
    forced = import_exports(tmp_path / "typed.xlsx", [csv], tmp_path / "forced.xlsx", overwrite=True)
    assert forced.counts["GMV"]["overwritten"] == 1
    assert _rows(tmp_path / "forced.xlsx")[("2024-05-25", "GMV", "天猫")][1] == 13.140001
    log = CalamineWorkbook.from_path(str(tmp_path / "forced.xlsx")).get_sheet_by_name(CHANGES_SHEET).to_python()
    assert [r[1:] for r in log if r[6] == "实际值"] == [
        ["生意参谋.csv 第 4 行（支付金额）", "", DAILY, "G4", sheet[1][3], "实际值", 12.5, 13.140001]]


def test_an_unreadable_cell_is_named_with_its_line(planned: Path, tmp_path: Path) -> None:
    csv = sycm_csv(tmp_path / "生意参谋.csv", bad={3: "abc"})
    result = runner.invoke(app, ["import", str(planned), str(csv), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 1, result.output
    assert "无法读取：生意参谋.csv 第 7 行：支付金额“abc”不是数字\n" in result.output
    assert "GMV：填入 27，新增行 0" not in result.output and "GMV：填入 27\n" in result.output
    sheet = CalamineWorkbook.from_path(str(tmp_path / "out.xlsx")).get_sheet_by_name(CONFLICTS_SHEET).to_python()
    assert sheet[1][0] == "无法读取"
    assert sheet[1][7:9] == ["生意参谋.csv 第 7 行：支付金额“abc”不是数字", "生意参谋.csv"]


def test_an_export_it_cannot_map_is_refused_and_nothing_is_written(planned: Path, tmp_path: Path) -> None:
    csv = tmp_path / "报表.csv"
    csv.write_text("统计日期,浏览量,收藏数\n2024-06-01,1,2\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["import", str(planned), str(csv), "-o", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert result.output.startswith("错误：报表.csv: 找不到表头行（需要“统计日期”等日期列和至少一个可导入的列）；"
                                    "前几行是：第 1 行“统计日期,浏览量,收藏数”")
    assert _flat("；导入映射中的列有 生意参谋/天猫淘宝：支付金额、支付金额(元)、访客数、支付买家数、支付子订单数、"
                 "支付转化率、客单价、客单价(元)、支付新买家数、跳失率；京东商智：成交金额、") in _flat(result.output)
    named = runner.invoke(app, ["import", str(planned), str(csv), "-o", str(out), "--platform", "pdd"])
    assert named.exit_code == 2 and not out.exists()
    assert _flat(named.output).endswith(_flat("；导入映射中的列有 拼多多：成交金额、成交金额(元)、商品访客数、访客数、"
                                              "成交买家数、成交订单数、成交转化率、客单价"))


def _flat(output: str) -> str:
    """The terminal's text without the line breaks rich puts in a long message."""
    return "".join(output.split())


def _map_rows(path: Path) -> dict[str, int]:
    """导入映射's rows on 数据字典 of ``path``: (平台, 导出列名) → 1-based sheet row."""
    t = SCHEMA.table("import_map")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SCHEMA.sheet_of("import_map").name).to_python()
    c = t.first_col
    assert rows[t.header_row][c:c + 5] == ["平台", "导出列名", "指标", "换算系数", "备注"]
    return {f"{r[c]}·{r[c + 1]}": i + 1 for i, r in enumerate(rows) if i > t.header_row and r[c]}


def test_the_workbook_s_mapping_is_the_one_used(planned: Path, tmp_path: Path) -> None:
    """A column the platform renamed gets a row of 导入映射, typed in the workbook: the import follows it, factor
    included, and the shipped rules play no part."""
    t = SCHEMA.table("import_map")
    where = _map_rows(planned)
    assert len(where) == 39 and where["生意参谋/天猫淘宝·支付金额"] == t.header_row + 2
    book = tmp_path / "改映射.xlsx"
    pkg = BookPatch.open(planned)
    row = where["生意参谋/天猫淘宝·支付金额"]
    pkg.set_cells(SCHEMA.sheet_of("import_map").name, {(row, t.first_col + 2): "成交额", (row, t.first_col + 4): 1})
    pkg.save(book)
    csv = tmp_path / "生意参谋.csv"
    csv.write_text("统计日期,成交额,支付金额\n2024-05-25,\"13,140.01\",99\n", encoding="utf-8")
    done = import_exports(book, [csv], tmp_path / "out.xlsx")
    assert done.files[0][3].columns == {"GMV": "成交额"} and not done.shipped
    assert _rows(tmp_path / "out.xlsx")[("2024-05-25", "GMV", "天猫")] == [7.52, 13140.01]  # factor 1: as typed


def test_exports_that_disagree_on_a_day_are_a_conflict_and_nothing_is_written(planned: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "生意参谋_a.csv", tmp_path / "生意参谋_b.csv"
    a.write_text("统计日期,支付金额,访客数\n2024-05-25,10000,50\n2024-05-26,20000,60\n", encoding="utf-8")
    b.write_text("统计日期,支付金额,访客数\n2024-05-26,20000,61\n", encoding="utf-8")
    done = import_exports(planned, [a, b], tmp_path / "out.xlsx")
    assert done.counts["GMV"] == {"filled": 2, "appended": 0, "unchanged": 0, "conflicts": 0, "overwritten": 0}
    assert done.counts["访客数"] == {"filled": 0, "appended": 1, "unchanged": 0, "conflicts": 1, "overwritten": 0}
    rows = _rows(tmp_path / "out.xlsx")
    assert rows[("2024-05-26", "GMV", "天猫")] == [7.52, 2.0] and rows[("2024-05-25", "访客数", "天猫")] == [None, 50]
    assert ("2024-05-26", "访客数", "天猫") in rows and rows[("2024-05-26", "访客数", "天猫")] == [None, None]
    sheet = CalamineWorkbook.from_path(str(tmp_path / "out.xlsx")).get_sheet_by_name(CONFLICTS_SHEET).to_python()
    assert [r[:5] for r in sheet[1:]] == [["导出不一致", DAILY, "", "", "实际值（2024-05-26·访客数·天猫）"]]
    assert sheet[1][6:11] == ["", 60, "生意参谋_a.csv 第 3 行（访客数）", 61, "生意参谋_b.csv 第 2 行（访客数）"]


def test_a_workbook_made_before_the_mapping_table_imports_by_the_shipped_rules(tmp_path: Path) -> None:
    legacy = Path(__file__).parent / "legacy" / "demo-0.1.0-countifs.xlsx"
    csv = sycm_csv(tmp_path / "生意参谋.csv")
    done = import_exports(legacy, [csv], tmp_path / "out.xlsx", date_to=dt.date(2024, 5, 26))
    assert done.shipped and done.summary().startswith("工作簿没有“导入映射”表（由较早版本生成），按内置映射导入")
    assert done.files[0][3].columns["GMV"] == "支付金额"
    assert _rows(tmp_path / "out.xlsx")[("2024-05-26", "GMV", "天猫")][1] == 13.240001


def test_a_jd_xlsx_gives_paid_gmv_never_the_ordered_amount(planned: Path, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["京东商智 交易概况"])
    ws.append(["日期", "访客数(UV)", "下单金额", "成交金额", "成交客户数", "成交转化率"])
    for i in range(3):
        ws.append([DAY0 + dt.timedelta(days=i), 8000, 99999.0, 50000.0 + i, 400, "5.00%"])
    ws.append(["合计", 24000, 299997.0, 150003.0, 1200, "5.00%"])
    ws.append(["日均", 8000, 99999.0, 50001.0, 400, "5.00%"])
    wb.save(tmp_path / "京东商智_交易.xlsx")
    done = import_exports(planned, [tmp_path / "京东商智_交易.xlsx"], tmp_path / "out.xlsx")
    _, platform, channel, mapped = done.files[0]
    assert (platform, channel) == ("京东商智", "京东")
    assert mapped.columns == {"GMV": "成交金额", "访客数": "访客数(UV)", "订单量": "成交客户数", "转化率": "成交转化率"}
    assert [v.value for v in mapped.values if v.metric == "GMV"] == [5.0, 5.0001, 5.0002]
    assert ("  未导入 下单金额：下单金额含未付款订单和运费，不是成交金额（GMV），不导入；GMV 取成交金额"
            in done.summary())
    assert _rows(tmp_path / "out.xlsx")[("2024-05-26", "GMV", "京东")] == [None, 5.0001]


def test_a_mapping_row_typed_wrong_is_a_finding_at_its_cell_and_not_used(planned: Path, tmp_path: Path) -> None:
    t = SCHEMA.table("import_map")
    pkg = BookPatch.open(planned)
    pkg.set_cells(SCHEMA.sheet_of("import_map").name, {(t.header_row + 2, t.first_col + 3): "成交GMV",
                                                      (t.header_row + 3, t.first_col + 4): "万分之一"})
    pkg.save(tmp_path / "错映射.xlsx")
    found = {(f.code, f.sheet, f.cell) for f in check(tmp_path / "错映射.xlsx").findings if f.sheet == "数据字典"}
    assert found == {("not-in-list", "数据字典", "W4"), ("type-number", "数据字典", "X5")}
    csv = tmp_path / "生意参谋.csv"
    csv.write_text("统计日期,支付金额,访客数\n2024-05-25,10000,50\n", encoding="utf-8")
    done = import_exports(tmp_path / "错映射.xlsx", [csv], tmp_path / "out.xlsx")
    assert done.files[0][3].columns == {"访客数": "访客数"}  # 支付金额's two rows: one names no metric, one no factor


def test_a_plan_of_全渠道_rows_gets_a_hint_and_fills_with_channel_全渠道(blank_path: Path, tmp_path: Path) -> None:
    """The 生成日计划 button plans one 全渠道 row a day; a 生意参谋 export goes to 天猫: the summary says how to fill
    the planned rows instead, and ``--channel 全渠道`` does."""
    book = with_targets(blank_path, tmp_path / "618.xlsx")
    plan_book(book, tmp_path / "计划.xlsx", metrics=["GMV"])
    csv = sycm_csv(tmp_path / "生意参谋.csv")
    beside = import_exports(tmp_path / "计划.xlsx", [csv], tmp_path / "天猫.xlsx")
    assert beside.counts["GMV"]["appended"] == 28 and beside.beside_total == {"天猫": 28}
    assert ("提示：28 行新增在渠道 天猫，而每日监控已有同一日期、指标的全渠道计划行；"
            "只在 天猫 销售时，可改用 --channel 全渠道 导入" in beside.summary())
    total = import_exports(tmp_path / "计划.xlsx", [csv], tmp_path / "全渠道.xlsx", channel="全渠道")
    assert total.counts["GMV"]["filled"] == 28 and total.beside_total == {}
    assert _rows(tmp_path / "全渠道.xlsx")[("2024-05-25", "GMV", "")] == [7.52, 13.140001]
