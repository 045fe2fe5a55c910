"""The engine on the demo: exactly the planted alerts, no findings; golden values; JSON = library report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import read_values
from xlpromo.cli import app
from xlpromo.engine.report import Report
from xlpromo.engine.rules import RULES
from xlpromo.files.check import check
from xlpromo.model.defaults import THRESHOLDS

D = dt.date


@pytest.fixture(scope="module")
def report(demo_path: Path) -> Report:
    return check(demo_path)


def test_demo_is_valid_with_no_findings(report: Report) -> None:
    assert report.valid
    assert report.findings == []
    assert report.stats["rows"] == {"breakdown": 4, "tasks": 17, "daily": 308, "lessons": 5}


PLANTED = [
    ["每日监控", "H62", "metric-off-target", "预警"],  # 2024-05-30 转化率 91.1% (seed row)
    ["每日监控", "H91", "metric-off-target", "严重"],  # 2024-06-01 客服响应时长 36 s
    ["每日监控", "H125", "metric-off-target", "严重"],  # 2024-06-05 GMV 80%
    ["每日监控", "H205", "metric-off-target", "预警"],  # 2024-06-12 转化率 88.4%
    ["每日监控", "H267", "metric-off-target", "预警"],  # 2024-06-17 客服响应时长 33.5 s
    ["每日监控", "H278", "metric-off-target", "严重"],  # 2024-06-18 客服响应时长 58 s
    ["每日监控", "L205", "cause-overdue", "预警"],  # no 异常说明 after 24 h
    ["每日监控", "L267", "cause-overdue", "预警"],
    ["任务分工", "F4", "task-overdue", "严重"],  # T001
    ["任务分工", "F5", "task-overdue", "严重"],  # T002
    ["任务分工", "F16", "task-overdue", "严重"],  # T013
    ["任务分工", "F17", "task-due-soon", "提示"],  # T014, due today
    ["任务分工", "F18", "task-due-soon", "提示"],  # T015
    ["每日监控", "G91", "cs-response-sec", "预警"],
    ["每日监控", "G267", "cs-response-sec", "预警"],
    ["每日监控", "G278", "cs-response-sec", "预警"],
    ["每日监控", "I62", "conversion-drop", "预警"],  # 4.6% → 4.1%
    ["每日监控", "I205", "conversion-drop", "预警"],
]


def raised(report: Report) -> list[list[str]]:
    """The alerts as the rules raised them (before they are dated, joined and ordered): sheet, cell, code, level."""
    return [[a.sheet, a.cell, a.code, a.level.value] for a in report.raised]


def test_demo_alerts_are_exactly_the_planted_ones(report: Report) -> None:
    assert raised(report) == PLANTED


#: The demo's alerts as 预警 and check list them on 统计日期 2024-06-21: by level, then state, then date; a 达成率
#: alert and the threshold alert of its row one line; an explained row (异常说明 and 调整措施) one level lower.
SETTLED = [
    ["任务分工", "F4", "严重", "持续 67 天", "2024-04-15", "task-overdue"],
    ["任务分工", "F5", "严重", "持续 57 天", "2024-04-25", "task-overdue"],
    ["任务分工", "F16", "严重", "持续 3 天", "2024-06-18", "task-overdue"],
    ["每日监控", "H205", "预警", "持续 9 天", "2024-06-12", "metric-off-target+conversion-drop"],
    ["每日监控", "L205", "预警", "持续 9 天", "2024-06-12", "cause-overdue"],
    ["每日监控", "H267", "预警", "持续 4 天", "2024-06-17", "metric-off-target+cs-response-sec"],
    ["每日监控", "L267", "预警", "持续 4 天", "2024-06-17", "cause-overdue"],
    ["每日监控", "H91", "预警", "已说明", "2024-06-01", "metric-off-target+cs-response-sec"],
    ["每日监控", "H125", "预警", "已说明", "2024-06-05", "metric-off-target"],
    ["每日监控", "H278", "预警", "已说明", "2024-06-18", "metric-off-target+cs-response-sec"],
    ["任务分工", "F17", "提示", "新增", "2024-06-21", "task-due-soon"],
    ["任务分工", "F18", "提示", "新增", "2024-06-21", "task-due-soon"],
    ["每日监控", "H62", "提示", "已说明", "2024-05-30", "metric-off-target+conversion-drop"],
]


def test_demo_alerts_are_dated_joined_and_ordered_as_they_stand_today(report: Report) -> None:
    """Issue 14 item 1: the states of the demo's alerts on 2024-06-21, without a database."""
    got = [[a.sheet, a.cell, a.level.value, a.state, str(a.date), "+".join((a.code, *a.also))] for a in report.alerts]
    assert got == SETTLED
    h91 = next(a for a in report.alerts if a.cell == "H91")
    assert h91.message == "2024-06-01 客服响应时长 达成率 83.3%（未达标）；客服响应时长 36秒 超过上限 30秒"
    assert h91.deadline == "已说明原因与措施：跟进措施效果" and h91.name == "指标未达标"
    assert report.alerts[0].to_dict() | {"value": None} == {
        "code": "task-overdue", "level": "严重", "sheet": "任务分工", "cell": "F4", "row": 4,
        "message": "任务 T001“618活动商品选品”已逾期 67 天（截止 2024-04-15，负责人 *经理）", "dept": "运营部",
        "deadline": "立即处理或调整截止时间", "value": None, "name": "任务逾期", "state": "持续 67 天",
        "date": "2024-04-15", "also": []}


def test_alert_cells_point_at_the_right_rows(report: Report, demo_path: Path) -> None:
    daily = read_values(demo_path)["每日监控"]
    assert daily[61][:2] == [D(2024, 5, 30), "转化率"]  # Excel row 62
    assert daily[277][:2] == [D(2024, 6, 18), "客服响应时长"]
    tasks = read_values(demo_path)["任务分工"]
    assert tasks[3][0] == "T001" and tasks[15][0] == "T013"


def test_alerts_carry_department_and_deadline(report: Report) -> None:
    by_cell = {a.cell: a for a in report.raised if a.code == "metric-off-target"}
    assert by_cell["H62"].dept == "运营部" and by_cell["H62"].deadline == "24小时内说明原因并提出调整措施"
    assert by_cell["H278"].dept == "客服部"
    overdue = next(a for a in report.raised if a.code == "task-overdue")
    assert overdue.message == "任务 T001“618活动商品选品”已逾期 67 天（截止 2024-04-15，负责人 *经理）"


def test_cause_overdue_names_the_status_of_the_row(report: Report, demo_path: Path, tmp_path: Path) -> None:
    """Both planted rows are 预警, not 未达标; a 未达标 row left without a cause says 未达标."""
    causes = [[a.cell, a.level.value, a.message, a.dept, a.deadline]
              for a in report.raised if a.code == "cause-overdue"]
    assert causes == [
        ["L205", "预警", "2024-06-12 转化率 预警已超过 24 小时，尚未填写异常说明", "运营部", "立即补填"],
        ["L267", "预警", "2024-06-17 客服响应时长 预警已超过 24 小时，尚未填写异常说明", "客服部", "立即补填"]]
    path = _edited(demo_path, tmp_path, {("每日监控", "L125"): None})  # 2024-06-05 GMV 80%: 未达标
    late = [a.message for a in check(path).raised if a.code == "cause-overdue" and a.cell == "L125"]
    assert late == ["2024-06-05 GMV 未达标已超过 24 小时，尚未填写异常说明"]


def test_text_in_a_number_cell_is_reported_and_still_read(demo_path: Path, tmp_path: Path) -> None:
    """36秒 typed in 实际值: a text-number warning at the cell; the engine reads 36 and its alerts stay the planted ones
    (the cached 达成率 follows the formula instead, which sees text: see test_libreoffice)."""
    path = _edited(demo_path, tmp_path, {("每日监控", "G91"): "36秒"})  # 2024-06-01 客服响应时长, 36 typed as a number
    r = check(path)
    assert r.flatten(["sheet", "cell", "code", "severity", "value"]) == [
        ["每日监控", "G91", "text-number", "warning", "36秒"]]
    assert r.findings[0].message == "“36秒”是文本：程序读作 36，但表内公式不会计算它，请改为数字 36"
    assert r.frames["daily"].loc[91, ["actual", "status"]].tolist() == [36.0, "未达标"]
    assert raised(r) == PLANTED


def test_golden_values_from_the_engine(report: Report) -> None:
    daily = report.frames["daily"]
    seed = daily[(daily["date"] == D(2024, 5, 30))].set_index("metric")
    assert round(seed.loc["GMV", "rate"], 3) == 0.967
    assert round(seed.loc["转化率", "rate"], 3) == 0.911
    assert seed.loc["客诉率", "rate"] == pytest.approx(1.25)
    assert round(seed.loc["GMV", "dod"], 3) == -0.021
    review = report.frames["review"].set_index("metric")
    assert review.loc["GMV", "target"] == 500


def test_engine_equals_the_cached_formula_values(report: Report, demo_path: Path) -> None:
    """The engine recomputes from inputs; its 达成率 equals the workbook's (LibreOffice-checked) values."""
    daily = read_values(demo_path)["每日监控"][3:]
    rates = report.frames["daily"]["rate"].tolist()
    assert rates == pytest.approx([r[7] for r in daily])


def test_changing_a_threshold_changes_the_alerts(tmp_path: Path) -> None:
    from xlpromo.files.builder import build_workbook
    from xlpromo.files.demo import demo_frames

    frames = demo_frames()
    th = frames["thresholds"].copy()
    th.loc[th["code"] == "cs_response_sec", "value"] = 40
    th.loc[th["code"] == "due_soon_days", "value"] = 7
    frames["thresholds"] = th
    r = check(build_workbook(tmp_path / "t.xlsx", frames))
    cells = {(a.code, a.cell) for a in r.raised}
    assert ("cs-response-sec", "G91") not in cells and ("cs-response-sec", "G278") in cells
    assert ("task-due-soon", "F19") in cells and ("task-due-soon", "F20") in cells  # T016, T017 now due soon


def test_every_rule_reads_known_thresholds() -> None:
    codes = {t.code for t in THRESHOLDS}
    for rule in RULES:
        assert set(rule.thresholds) <= codes, rule.code


def test_cli_json_equals_library_report(demo_path: Path, report: Report) -> None:
    result = CliRunner().invoke(app, ["check", str(demo_path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == report.to_dict()


def test_cli_readable_output_and_exit_code_one(tmp_path: Path) -> None:
    from xlpromo.files.builder import build_workbook
    from xlpromo.files.demo import demo_frames

    frames = demo_frames()
    tasks = frames["tasks"].copy()
    tasks.loc[0, "due"] = D(2024, 3, 1)  # before 起始时间 2024-04-01
    frames["tasks"] = tasks
    path = build_workbook(tmp_path / "bad.xlsx", frames)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert "任务分工!F4" in result.stdout and "截止时间早于起始时间" in result.stdout
    assert "有错误" in result.stdout
    assert str(check(path).findings[0]) == "任务分工!F4: 截止时间早于起始时间"


def test_cli_unusable_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(bad)])
    assert result.exit_code == 2
    assert "notes.xlsx" in result.output and "不是 Excel 工作簿" in result.output
    result = CliRunner().invoke(app, ["check", str(bad), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "not-a-workbook"


def test_blank_template_asks_for_the_campaign_targets(blank_path: Path) -> None:
    """Empty task and daily tables are fine; the one 活动目标 row left blank is not."""
    r = check(blank_path)
    assert r.flatten(["sheet", "cell", "code"]) == [["活动目标", c, "required"] for c in
                                                    ("A4", "B4", "C4", "D4", "E4", "F4", "G4")]
    assert r.raised == []


def test_internal_error_is_a_message_not_a_traceback(demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(path: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr("xlpromo.files.check.check", boom)
    result = CliRunner().invoke(app, ["check", str(demo_path)])
    assert result.exit_code == 2
    assert "内部错误 RuntimeError: kaput" in result.output and "Traceback" not in result.output


def test_placeholders_mean_blank_in_number_cells(tmp_path: Path) -> None:
    from xlpromo.files.builder import build_workbook
    from xlpromo.files.demo import demo_frames

    frames = demo_frames()
    daily = frames["daily"].copy()
    daily.loc[0, "actual"] = "—"
    daily.loc[1, "actual"] = "N/A"
    daily.loc[2, "actual"] = "abc"
    frames["daily"] = daily
    r = check(build_workbook(tmp_path / "p.xlsx", frames))
    assert r.flatten(["cell", "code"]) == [["G6", "type-number"]]
    assert r.frames["daily"]["actual"].iloc[:3].isna().all()


def _edited(demo_path: Path, tmp_path: Path, cells: dict[tuple[str, str], object]) -> Path:
    import openpyxl

    wb = openpyxl.load_workbook(demo_path)
    for (sheet, cell), value in cells.items():
        wb[sheet][cell] = value
    out = tmp_path / "edited.xlsx"
    wb.save(out)
    return out


def test_report_survives_reversed_campaign_dates(demo_path: Path, tmp_path: Path) -> None:
    path = _edited(demo_path, tmp_path, {("活动目标", "F4"): dt.datetime(2024, 5, 24)})
    result = CliRunner().invoke(app, ["report", str(path), "-o", str(tmp_path / "r.md")])
    assert result.exit_code == 0, result.output
    assert ["活动目标", "F4", "date-order"] in check(path).flatten(["sheet", "cell", "code"])


def test_a_due_time_counts_in_fractions_of_a_day(demo_path: Path, tmp_path: Path) -> None:
    path = _edited(demo_path, tmp_path, {("任务分工", "F17"): dt.datetime(2024, 6, 22, 18)})  # T014
    tasks = check(path).frames["tasks"]
    assert tasks.loc[17, "days_left"] == pytest.approx(1.75)


def test_a_name_with_a_space_is_one_owner(demo_path: Path, tmp_path: Path) -> None:
    path = _edited(demo_path, tmp_path, {("任务分工", "G4"): "Tom Lee", ("任务分工", "G5"): "王和平"})
    assert check(path).findings == []


def test_error_values_found_whatever_the_attribute_order(demo_path: Path, tmp_path: Path) -> None:
    import re
    import zipfile

    src = zipfile.ZipFile(demo_path)
    out = tmp_path / "err.xlsx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet6.xml":  # 每日监控
                data = re.sub(rb'<c r="G5"([^>]*)>.*?</c>', b'<c t="e" r="G5"><v>#DIV/0!</v></c>', data, count=1)
            z.writestr(info, data)
    assert check(out).flatten(["cell", "code", "value"]) == [["G5", "error-value", "#DIV/0!"]]


def test_missing_and_blank_thresholds_are_findings(demo_path: Path, tmp_path: Path) -> None:
    path = _edited(demo_path, tmp_path, {("阈值配置", "A5"): "pass_line_renamed", ("阈值配置", "C6"): None})
    assert check(path).flatten(["sheet", "cell", "code", "value"]) == [
        ["阈值配置", "", "missing-threshold", "pass_line"], ["阈值配置", "C6", "required", None]]


def test_an_emptied_list_is_reported_once(demo_path: Path, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(demo_path)
    for row in range(4, 9):
        wb["数据字典"][f"C{row}"] = None  # the 任务状态 list
    path = tmp_path / "empty.xlsx"
    wb.save(path)
    assert check(path).flatten(["code", "value"]) == [["empty-list", "任务状态"]]


def test_a_renamed_catalogue_metric_that_a_rule_watches_is_a_warning(demo_path: Path, tmp_path: Path) -> None:
    path = _edited(demo_path, tmp_path, {("数据字典", "M16"): "客诉率（%）"})
    report = check(path)
    watched = [f for f in report.findings if f.code == "rule-metric-missing"]
    assert [[f.sheet, f.cell, f.severity.value, f.value] for f in watched] == [["数据字典", "M3", "warning", "客诉率"]]
    assert watched[0].message == ("预警规则“客诉率超上限”监控的指标“客诉率”不在指标目录中，这条预警不会再触发；"
                                  "请恢复这个指标名称")
    assert not [a for a in report.raised if a.code == "complaint-rate-max"]


def test_every_rule_watches_metrics_of_the_catalogue() -> None:
    from xlpromo.model.defaults import METRICS

    names = {m.name for m in METRICS}
    assert {m for rule in RULES for m in rule.metrics} <= names
    assert {m for rule in RULES for m in rule.metrics} == {"客诉率", "客服响应时长", "缺货率", "跳出率", "发货时长",
                                                            "转化率", "点击率", "安全库存覆盖率", "推广费用", "ROI"}


def test_channel_budget_roi_stock_and_phase_rules(tmp_path: Path) -> None:
    """The seeds' channel, stock and phase thresholds, each at the cell a person would fix."""
    import pandas as pd

    from xlpromo.files.builder import build_workbook
    from xlpromo.files.demo import demo_frames

    frames = demo_frames()
    day = dt.date(2024, 6, 10)
    extra = [("推广费用", "抖音", 10.0, 12.5), ("推广费用", "天猫", 10.0, 11.9),  # 25% over budget; 19%: fine
             ("ROI", "抖音", 3.0, 4.0), ("ROI", "天猫", 3.0, 2.6), ("ROI", "京东", 3.0, 3.2),  # +33%, −13%, +7%
             ("安全库存覆盖率", "全渠道", 0.9, 0.8)]  # below 85%
    rows = pd.DataFrame([{"date": day, "metric": m, "channel": ch, "target": t, "actual": a, "issue": "原因已查明",
                          "action": "已调整"} for m, ch, t, a in extra])
    frames["daily"] = pd.concat([frames["daily"], rows], ignore_index=True)
    targets = frames["targets"].copy()
    targets.loc[0, "warmup_start"] = dt.date(2024, 5, 30)  # 预热期 2 days
    targets.loc[0, "return_end"] = dt.date(2024, 6, 25)  # 返场期 7 days
    frames["targets"] = targets
    report = check(build_workbook(tmp_path / "rules.xlsx", frames))
    new = {"channel-over-budget", "channel-roi-add", "channel-roi-replace", "safety-coverage-min", "phase-length"}
    got = [[a.code, a.level.value, a.sheet, a.cell, a.dept, a.message] for a in report.raised if a.code in new]
    assert got == [
        ["safety-coverage-min", "预警", "每日监控", "G317", "仓储部", "2024-06-10 安全库存覆盖率 80.0% 低于下限 85.0%"],
        ["channel-over-budget", "预警", "每日监控", "G312", "市场部",
         "2024-06-10 抖音 推广费用 12.5万元，超出预算 10万元 25%（超过 20%）"],
        ["channel-roi-add", "提示", "每日监控", "G314", "市场部",
         "2024-06-10 抖音 ROI 4，高出目标 3 33%（追加线 30%）"],
        ["channel-roi-replace", "预警", "每日监控", "G315", "市场部",
         "2024-06-10 天猫 ROI 2.6，低于目标 3 13%（替换线 10%）"],
        ["phase-length", "提示", "活动目标", "D4", "运营部", "预热期 2 天，短于 3 天（建议 3–7 天）"],
        ["phase-length", "提示", "活动目标", "F4", "运营部", "返场期 7 天，长于 3 天（建议 1–3 天）"],
    ]


def test_stray_spaces_where_formulas_and_dropdowns_compare_text(demo_path: Path, tmp_path: Path) -> None:
    """The engine strips spaces (full-width and non-breaking too), so the alerts stay the planted ones; the
    workbook's MATCH, COUNTIFS, ="已完成" and dropdowns do not: one warning at each such cell, none elsewhere."""
    path = _edited(demo_path, tmp_path, {
        ("数据字典", "A5"): " 市场部 ",  # a list entry
        ("数据字典", "M16"): "客诉率 ",  # 指标目录·指标名称, what INDEX/MATCH look up
        ("数据字典", "O16"): "越低越好\u3000",  # 方向, compared with ="越低越好"
        ("任务分工", "K6"): "已完成\xa0",  # 当前状态, compared with ="已完成"
        ("每日监控", "B81"): "GMV ",  # 2024-06-01 GMV
        ("每日监控", "C82"): "\u3000全渠道",
        ("复盘报告", "A8"): "新客占比 ",  # 目标回顾·指标, what its formulas look up
        ("任务分工", "L4"): "需确认3款新品库存 ",  # 备注: no formula reads it
        ("任务分工", "G5"): "*专员 ",  # 负责人
        ("阈值配置", "A5"): "pass_line ",  # 参数代码: the TH_ names point at 数值 cells, no formula reads the code
    })
    r = check(path)
    tail = "但表内公式和下拉列表按原样比较，认不出它；请删除空格"
    assert [[f.sheet, f.cell, f.code, f.severity.value, f.value, f.message] for f in r.findings] == [
        ["数据字典", "A5", "stray-space", "warning", " 市场部 ", f"“ 市场部 ”前后有空格：程序读作“市场部”，{tail}"],
        ["数据字典", "M16", "stray-space", "warning", "客诉率 ", f"“客诉率 ”末尾有空格：程序读作“客诉率”，{tail}"],
        ["数据字典", "O16", "stray-space", "warning", "越低越好\u3000",
         f"“越低越好\u3000”末尾有空格：程序读作“越低越好”，{tail}"],
        ["任务分工", "K6", "stray-space", "warning", "已完成\xa0", f"“已完成\xa0”末尾有空格：程序读作“已完成”，{tail}"],
        ["每日监控", "B81", "stray-space", "warning", "GMV ", f"“GMV ”末尾有空格：程序读作“GMV”，{tail}"],
        ["每日监控", "C82", "stray-space", "warning", "\u3000全渠道",
         f"“\u3000全渠道”开头有空格：程序读作“全渠道”，{tail}"],
        ["复盘报告", "A8", "stray-space", "warning", "新客占比 ", f"“新客占比 ”末尾有空格：程序读作“新客占比”，{tail}"],
    ]
    assert raised(r) == PLANTED
    assert r.frames["daily"].loc[81, ["metric", "unit"]].tolist() == ["GMV", "万元"]


def test_a_stray_space_is_not_reported_again_with_another_finding(demo_path: Path, tmp_path: Path) -> None:
    """Only the finding that removing the space would not fix: not in the list, duplicate, blank."""
    path = _edited(demo_path, tmp_path, {
        ("数据字典", "A17"): "运营部 ",  # was 公关部: 运营部 is on A4 already
        ("任务分工", "H8"): "外包团队 ",
        ("任务分工", "K7"): "\u3000 ",  # only spaces: blank
    })
    assert check(path).flatten(["sheet", "cell", "code", "value", "message"]) == [
        ["数据字典", "A17", "duplicate-key", "运营部", "部门“运营部”与第 4 行重复"],
        ["任务分工", "H8", "not-in-list", "外包团队", "“外包团队”不在数据字典的“部门”列表中"],
        ["任务分工", "K7", "required", None, "“当前状态”为必填项"],
    ]


def test_a_formula_cell_fed_by_text_is_reported_at_its_source_only(tmp_path: Path) -> None:
    """500万 typed in 活动目标·GMV: 复盘报告's 目标值 formula shows the same text, but the cell to fix is 活动目标's."""
    from xlpromo.files.builder import build_workbook
    from xlpromo.files.demo import demo_frames

    frames = demo_frames()
    targets = frames["targets"].copy()
    targets.loc[0, "gmv_target"] = "500万"
    frames["targets"] = targets
    path = build_workbook(tmp_path / "wan.xlsx", frames)
    assert read_values(path)["复盘报告"][6][:2] == ["GMV", "500万"]  # B7: the formula's cached text
    r = check(path)
    assert [[f.sheet, f.cell, f.code, f.value, f.message] for f in r.findings] == [
        ["活动目标", "G4", "text-number", "500万", "“500万”是文本：程序读作 500，但表内公式不会计算它，请改为数字 500"]]
    assert r.frames["review"].loc[7, "target"] == 500.0


def test_values_in_the_issue_list_read_as_typed(demo_path: Path, tmp_path: Path) -> None:
    """问题清单's 填写的值 and the messages show 30, not 30.0; 2024-03-01 06:00, not 2024-03-01T06:00:00; 01:03 for a
    time. The JSON keeps the values as they are."""
    from xlpromo.roundtrip.recalc import issue_rows

    path = _edited(demo_path, tmp_path, {
        ("活动目标", "G4"): 5000000,  # 万元 typed in 元
        ("活动目标", "H4"): 30,  # 30% typed as 30
        ("活动目标", "K4"): -5,
        ("活动目标", "C4"): dt.datetime(2024, 5, 25, 8),  # 预热开始 with a time of day
        ("任务分工", "F4"): 10.25,  # 截止时间, formatted as a date: 1900-01-10 06:00
        ("任务分工", "F6"): dt.datetime(2024, 3, 1, 6),  # T003: before its 起始时间
        ("每日监控", "A311"): dt.datetime(2024, 7, 1, 9, 30),
        ("复盘报告", "D11"): dt.time(1, 3),  # ROI 1:3, made a time
    })
    r = check(path)
    rows, _ = issue_rows(r)
    assert [row[2:4] + row[5:] for row in rows[1:]] == [
        ["活动目标", "H4", "30 超出允许范围（0% 至 100%）；百分比请输入如 30%", "out-of-range", "30"],
        ["活动目标", "K4", "-5 超出允许范围（不小于 0）", "out-of-range", "-5"],
        ["活动目标", "G4", "5000000 按万元计过大，是否按元填写了？（5000000 元 = 500 万元）", "suspicious-unit",
         "5000000"],
        ["目标拆解", "C4", "拆解的 GMV 目标 500 与活动目标 5000000 相差 100%（允许 5%）", "target-mismatch", "500"],
        ["任务分工", "F4", "10.25 不是 2000—2099 年之间的日期（表格的日期校验范围）：请填写如 2024-06-20 的日期",
         "type-date", "10.25"],
        ["任务分工", "F6", "截止时间早于起始时间", "date-order", "2024-03-01 06:00"],
        ["每日监控", "A311", "日期 2024-07-01 09:30 不在活动期（2024-05-25 08:00 至 2024-06-21）内", "outside-campaign",
         "2024-07-01 09:30"],
        ["复盘报告", "D11", "“01:03”被 Excel 当成了时间（输入 1:3 会这样）：ROI 请填 3，或先输入单引号再输入 '1:3",
         "type-number", "01:03"],
    ]
    assert [f.to_dict()["value"] for f in r.findings] == [30.0, -5.0, 5000000.0, 500.0, 10.25, "2024-03-01T06:00:00",
                                                          "2024-07-01T09:30:00", "01:03:00"]


def test_a_task_date_far_from_the_campaign_is_a_likely_wrong_year(demo_path: Path, tmp_path: Path) -> None:
    from xlpromo.ooxml import BookPatch

    pkg = BookPatch.open(demo_path)
    pkg.set_cells("任务分工", {(7, 6): 46340.0, (8, 5): 44900.0})  # T004 截止 2026-11-14; T005 起始 2022-12-05
    pkg.save(tmp_path / "far.xlsx")
    found = check(tmp_path / "far.xlsx")
    assert found.flatten(["cell", "code", "severity", "message"]) == [
        ["E8", "far-from-campaign", "warning",
         "起始时间 2022-12-05 比活动期（2024-05-25 至 2024-06-21）早 537 天：年份是否填错？"],
        ["F7", "far-from-campaign", "warning",
         "截止时间 2026-11-14 比活动期（2024-05-25 至 2024-06-21）晚 876 天：年份是否填错？"]]


def test_a_budget_split_that_does_not_add_up_is_a_warning(demo_path: Path, tmp_path: Path) -> None:
    from xlpromo.ooxml import BookPatch

    pkg = BookPatch.open(demo_path)
    pkg.set_cells("阈值配置", {(29, 3): 0.7})  # 预算占比·流量 45% → 70%
    pkg.save(tmp_path / "budget.xlsx")
    found = check(tmp_path / "budget.xlsx")
    assert found.flatten(["sheet", "cell", "code", "severity", "message"]) == [
        ["阈值配置", "C29", "budget-sum", "warning",
         "预算占比合计 125%（流量 70%、优惠 25%、人力 15%、技术 10%、备用金 5%），应为 100%"]]
    assert found.valid and len(found.raised) == 18


def test_a_percent_typed_without_its_sign_is_caught(demo_path: Path, tmp_path: Path) -> None:
    """0.8 for 0.8% (80%, 160 × the 0.5% target) in 每日监控; 25 for 25% in 目标拆解."""
    from xlpromo.ooxml import BookPatch

    pkg = BookPatch.open(demo_path)
    pkg.set_cells("每日监控", {(13, 7): 0.8})  # 2024-05-25 客诉率 实际值, target 0.5%
    pkg.set_cells("目标拆解", {(7, 3): 25.0})  # 复购率 目标值
    pkg.save(tmp_path / "pct.xlsx")
    found = check(tmp_path / "pct.xlsx")
    assert found.flatten(["sheet", "cell", "code", "message"]) == [
        ["目标拆解", "C7", "out-of-range", "25 超出允许范围（0% 至 100%）；百分比请输入如 25%"],
        ["每日监控", "G13", "scale-mismatch", "实际值 80% 是目标值 0.5% 的 160 倍：单位或百分号是否写错？"]]


def test_results_dated_after_the_as_of_date_say_it_is_stale(demo_path: Path, tmp_path: Path) -> None:
    from xlpromo.ooxml import BookPatch

    pkg = BookPatch.open(demo_path)
    pkg.set_cells("阈值配置", {(4, 3): 45448.0})  # 统计日期 2024-06-21 → 2024-06-05
    pkg.save(tmp_path / "asof.xlsx")
    assert check(tmp_path / "asof.xlsx").flatten(["sheet", "cell", "code", "message"]) == [
        ["阈值配置", "C4", "stale-as-of",
         "每日监控有 176 行日期晚于统计日期 2024-06-05，却已填实际值（最晚 2024-06-21）："
         "请更新统计日期，或清空它以按今天计算"]]


def test_a_much_better_lower_is_better_result_is_not_a_unit_slip(demo_path: Path, tmp_path: Path) -> None:
    from xlpromo.ooxml import BookPatch

    pkg = BookPatch.open(demo_path)
    pkg.set_cells("每日监控", {(13, 6): 0.05, (13, 7): 0.001, (7, 7): 0.0004})  # 客诉率 0.1% vs 5%; 转化率 0.04%
    pkg.save(tmp_path / "small.xlsx")
    assert check(tmp_path / "small.xlsx").flatten(["cell", "code", "message"]) == [
        ["G7", "scale-mismatch", "实际值 0.04% 是目标值 4.5% 的 1/112：单位或百分号是否写错？"]]
