"""workbook/xlpromo.xlsx, the committed blank master, matches what `xlpromo new` builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from xlpromo.files.builder import build_workbook
from xlpromo.model.state import STATE_SHEET

COMMITTED = Path(__file__).parents[2] / "workbook" / "xlpromo.xlsx"


def _campaign_id(sheet: str, row: int) -> bool:
    """The campaign ID cell of _xlpromo: a fresh UUID on every build, so not compared."""
    return sheet == STATE_SHEET and row == 3


def fingerprint(path: Path) -> dict[str, Any]:
    """Content of a workbook as a person and Excel see it: cells, formulas, formats, rules."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, Any] = {"sheets": wb.sheetnames,
                           "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items())}
    for ws in wb.worksheets:
        out[ws.title] = {
            "cells": [(c.coordinate, c.value if not _campaign_id(ws.title, c.row) else "<campaign ID>",
                       c.number_format, c.protection.locked, c.fill.fgColor.rgb)
                      for row in ws.iter_rows() for c in row if c.value is not None or c.has_style],
            "state": ws.sheet_state,
            "tables": sorted((t.name, t.ref, tuple(c.name for c in t.tableColumns)) for t in ws.tables.values()),
            "validations": sorted((str(v.sqref), v.type, v.formula1, v.formula2, v.prompt)
                                  for v in ws.data_validations.dataValidation),
            "formats": sorted((str(r.sqref), tuple(x.formula[0] for x in rules))
                              for r, rules in ws.conditional_formatting._cf_rules.items()),
            "widths": sorted((k, d.width) for k, d in ws.column_dimensions.items()),
            "protected": ws.protection.sheet,
            "freeze": ws.freeze_panes,
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
        }
    return out


def test_committed_template_matches_builder(tmp_path: Path) -> None:
    fresh = build_workbook(tmp_path / "fresh.xlsx")
    assert COMMITTED.exists(), "run: xlpromo new workbook/xlpromo.xlsx --force"
    assert fingerprint(COMMITTED) == fingerprint(fresh), (
        "workbook/xlpromo.xlsx is stale: regenerate it with `xlpromo new workbook/xlpromo.xlsx --force`")


def test_fingerprint_sees_a_change(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "a.xlsx")
    before = fingerprint(path)
    wb = openpyxl.load_workbook(path)
    wb["阈值配置"]["C5"] = 0.9
    wb.save(path)
    assert fingerprint(path) != before
