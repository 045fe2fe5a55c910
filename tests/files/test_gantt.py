"""The 甘特图 on 任务分工: header dates off 活动目标, and the conditional formats that draw the bars."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from xlpromo.files.gantt import COLOURS
from xlpromo.model import gantt as layout
from xlpromo.model.values import excel_serial

pytestmark = pytest.mark.filterwarnings("ignore:Print area cannot be set:UserWarning")  # openpyxl reads no $A:$P
TASKS = "任务分工"
BAR = 'AND(ISNUMBER(R$3),ISNUMBER($E4),ISNUMBER($F4),R$3>=$E4,R$3<=$F4'


@pytest.fixture(scope="module")
def demo_ws(demo_path: Path) -> Worksheet:
    return openpyxl.load_workbook(demo_path)[TASKS]


@pytest.fixture(scope="module")
def demo_cached(demo_path: Path) -> Worksheet:
    return openpyxl.load_workbook(demo_path, data_only=True)[TASKS]


def _rules(ws: Worksheet) -> dict[str, list[Any]]:
    return {str(r.sqref): list(rs) for r, rs in ws.conditional_formatting._cf_rules.items()}


def test_rules_ranges_formulas_and_formats(demo_ws: Worksheet) -> None:
    rules = _rules(demo_ws)
    bars = rules["R4:DM2003"]  # 100 day columns from R, as far down as the table's other formats (A4:P2003)
    assert "A4:P2003" in rules
    assert [r.formula[0] for r in bars] == [
        BAR + ',$K4="已完成")', BAR + ',$K4="已取消")', BAR + ",$F4<XP_ASOF)",
        BAR + ",$F4-XP_ASOF<=TH_DUE_SOON_DAYS)", BAR + ")", 'AND(R$3=XP_ASOF,$A4&$B4<>"")']
    assert [r.stopIfTrue for r in bars] == [True] * 5 + [None]  # the 统计日期 line only where no bar is
    assert [r.dxf.fill.bgColor.rgb for r in bars[:5]] == ["FFA6A6A6", "FFE7E6E6", "FFC00000", "FFFFC000", "FF5B9BD5"]
    assert bars[5].dxf.border.left.style == "medium" and bars[5].dxf.border.left.color.rgb == "FFC00000"
    assert [r.formula[0] for r in rules["R3:DM3"]] == ["AND(ISNUMBER(R$3),R$3=XP_ASOF)"]
    assert rules["R3:DM3"][0].dxf.fill.bgColor.rgb == "FFC00000"
    phases = rules["R2:DM2"]
    assert [r.formula[0] for r in phases] == [f'R$2="{p}"' for p in "筹预爆返复"]
    assert len({r.dxf.fill.bgColor.rgb for r in phases}) == 5  # each phase its own band
    assert all(r.type == "expression" for rs in rules.values() for r in rs)
    cells = [c for row in demo_ws.iter_rows(min_row=4, max_row=40, min_col=18, max_col=117) for c in row]
    assert all(c.value is None for c in cells)  # the bars are formats only: no value per task and day


def test_header_dates_follow_targets(demo_ws: Worksheet, demo_cached: Worksheet) -> None:
    assert demo_ws["R3"].value == ('=IF(ISNUMBER(INDEX(Targets[预热开始],1)),MIN(INDEX(Targets[预热开始],1)-28,'
                                   'IF(COUNT(Tasks[起始时间])=0,INDEX(Targets[预热开始],1),'
                                   'MAX(INDEX(Targets[预热开始],1)-56,MIN(Tasks[起始时间])))),"")')
    assert demo_ws["S3"].value == '=IF(ISNUMBER(R3),IF(R3<INDEX(Targets[返场结束],1)+7,R3+1,""),"")'
    assert demo_ws["S2"].value == ('=IF(ISNUMBER(S$3),IF(S$3<INDEX(Targets[预热开始],1),"筹",'
                                   'IF(S$3<INDEX(Targets[爆发开始],1),"预",IF(S$3<=INDEX(Targets[爆发结束],1),"爆",'
                                   'IF(S$3<=INDEX(Targets[返场结束],1),"返","复")))),"")')
    dates = [demo_cached.cell(3, 18 + k).value for k in range(layout.DAYS)]
    phases = [demo_cached.cell(2, 18 + k).value for k in range(layout.DAYS)]
    # the demo's first task starts 2024-04-01 (预热开始 − 54 days); 返场结束 2024-06-21 + the 复盘 week
    days = [dt.datetime(2024, 4, 1) + dt.timedelta(days=k) for k in range(89)]
    assert dates[:89] == days and all(d in (None, "") for d in dates[89:])
    by_day = dict(zip((d.date() for d in days), phases, strict=False))
    assert [by_day[dt.date(2024, m, d)] for m, d in ((5, 24), (5, 25), (5, 31), (6, 1), (6, 18), (6, 19), (6, 21),
                                                      (6, 22), (6, 28))] == list("筹预预爆爆返返复复")
    assert demo_cached["R1"].value == "甘特图  2024-04-01 至 2024-06-28"
    assert demo_ws.freeze_panes == "C4"  # 任务编号 and 任务名称 beside the bars


def test_blank_master_has_no_dates(blank_path: Path) -> None:
    ws = openpyxl.load_workbook(blank_path, data_only=True)[TASKS]
    assert [ws.cell(3, 18 + k).value for k in range(3)] == [None, None, None]  # cached blank until dates are typed
    assert openpyxl.load_workbook(blank_path)[TASKS]["R3"].value.startswith("=IF(ISNUMBER(INDEX(Targets[预热开始]")


_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


def _first_rule(formulas: list[str], row: dict[str, Any], day: float, names: dict[str, float]) -> int | None:
    """The index of the first bar rule that holds on a task row and day: each formula read as Python."""

    def value(m: re.Match[str]) -> str:
        v = day if m[2] == "3" else row.get(m[1])
        return repr(v) if v is not None else "None"

    for i, f in enumerate(formulas):
        py = _REF.sub(value, f)
        for name, v in names.items():
            py = py.replace(name, repr(v))
        py = re.sub(r"(?<![<>!=])=(?!=)", "==", py.replace("<>", "!="))
        env = {"AND": lambda *a: all(x is True for x in a),
               "ISNUMBER": lambda x: isinstance(x, float)}
        try:
            if eval(py, env):  # the test's own rule text
                return i
        except TypeError:  # a comparison with a blank: the rule does not hold (ISNUMBER guards it first in AND)
            continue
    return None


def test_demo_tasks_colour_by_state(demo_ws: Worksheet, demo_cached: Worksheet) -> None:
    formulas = [r.formula[0] for r in _rules(demo_ws)["R4:DM2003"][:5]]
    keys = ["done", "cancelled", "overdue", "due_soon", "open"]
    names = {"TH_DUE_SOON_DAYS": 3.0, "XP_ASOF": float(excel_serial(dt.date(2024, 6, 21)))}
    seen: dict[str, str] = {}
    for r in range(4, 21):
        row = {c: demo_cached[f"{c}{r}"].value for c in "ABEFK"}
        row = {c: float(excel_serial(v)) if isinstance(v, dt.datetime) else v for c, v in row.items()}
        hit = _first_rule(formulas, row, row["F"], names)
        assert hit is not None, row["A"]
        seen[row["A"]] = keys[hit]
        assert _first_rule(formulas, row, row["E"] - 1, names) is None  # no bar the day before it starts
    assert {t for t, k in seen.items() if k == "overdue"} == {"T001", "T002", "T013"}
    assert {t for t, k in seen.items() if k == "due_soon"} == {"T014", "T015"}  # due on 统计日期
    assert {t for t, k in seen.items() if k == "open"} == {"T016", "T017"}
    assert all(seen[f"T{n:03d}"] == "done" for n in range(3, 13))
    assert COLOURS["overdue"]["bg_color"] == "#C00000" and COLOURS["done"]["bg_color"] == "#A6A6A6"


def test_formulas_are_portable_and_cheap() -> None:
    """Only functions of Excel 2016 / LibreOffice 7.4; the rules in A1 with relative rows, no range in a rule (O(1)
    a cell), and only the first date reads a whole column (once)."""
    header = [layout.title_formula()] + [f(k) for k in range(layout.DAYS)
                                         for f in (layout.date_formula, layout.phase_formula)]
    rules = [r.formula for r in layout.rules()]
    used = {f for text in header + rules for f in re.findall(r"([A-Z]+)\(", text)}
    assert used <= {"IF", "ISNUMBER", "INDEX", "MIN", "MAX", "COUNT", "TEXT", "AND"}
    assert not any("[" in r or ":" in r for r in rules)
    assert [i for i, text in enumerate(header) if "Tasks[" in text] == [1]  # R3: the earliest 起始时间
    assert all(r.last_row == 2002 for r in layout.rules() if r.first_row == 3)
