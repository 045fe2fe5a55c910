"""The command line: exit codes, messages and files, as a user runs it."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlpromo.cli import app, parse_date

from .conftest import read_values

runner = CliRunner()


def test_demo_writes_the_filled_workbook(tmp_path: Path) -> None:
    out = tmp_path / "demo.xlsx"
    result = runner.invoke(app, ["demo", str(out)])
    assert result.exit_code == 0, result.output
    assert "已生成" in result.output
    values = read_values(out)
    assert values["活动目标"][3][0] == "2024年618年中大促"
    assert len(values["每日监控"]) == 3 + 28 * 11


def test_existing_output_is_never_overwritten_without_force(tmp_path: Path) -> None:
    out = tmp_path / "mine.xlsx"
    out.write_bytes(b"a colleague's workbook")
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    result = runner.invoke(app, ["new", str(out)])
    assert result.exit_code == 2
    assert "已存在" in result.output and "--force" in result.output
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest
    assert runner.invoke(app, ["new", str(out), "--force"]).exit_code == 0
    assert read_values(out)["活动目标"][2][0] == "活动名称"


def test_new_with_campaign_dates(tmp_path: Path) -> None:
    out = tmp_path / "d11.xlsx"
    result = runner.invoke(app, ["new", str(out), "--campaign", "2025年双11大促", "--start", "2025.11.1",
                                 "--end", "2025年11月11日", "--warmup-days", "5", "--return-days", "2"])
    assert result.exit_code == 0, result.output
    assert read_values(out)["活动目标"][3][:6] == ["2025年双11大促", "", dt.date(2025, 10, 27),
                                                 dt.date(2025, 11, 1), dt.date(2025, 11, 11), dt.date(2025, 11, 13)]


@pytest.mark.parametrize(("args", "message"), [
    (["--start", "2025-11-11", "--end", "2025-11-01"], "早于开始日期"),
    (["--start", "2025-13-01", "--end", "2025-11-01"], "无法识别的日期"),
    (["--start", "2025-11-01"], "需同时给出"),
])
def test_bad_options_exit_2_with_a_chinese_message(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "x.xlsx"
    result = runner.invoke(app, ["new", str(out), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_output_must_be_xlsx(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", str(tmp_path / "x.xls")])
    assert result.exit_code == 2 and ".xlsx" in result.output


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-06-01", dt.date(2024, 6, 1)), ("2024.06.01", dt.date(2024, 6, 1)),
    ("2024/6/1", dt.date(2024, 6, 1)), ("2024年6月1日", dt.date(2024, 6, 1)), (" 2024-6-1 ", dt.date(2024, 6, 1)),
])
def test_parse_date_forms(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_console_script_runs(tmp_path: Path) -> None:
    """The installed entry point, as the README's command runs it."""
    proc = subprocess.run([sys.executable, "-m", "xlpromo", "demo", str(tmp_path / "d.xlsx")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "d.xlsx").stat().st_size > 10_000


@pytest.mark.parametrize("args", [["--start", "0001-01-01", "--end", "0001-01-02"],
                                  ["--start", "2025-11-01", "--end", "2025-11-11", "--warmup-days", "100000"]])
def test_new_rejects_dates_outside_the_workbook_range(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["new", str(tmp_path / "x.xlsx"), *args])
    assert result.exit_code == 2 and not (tmp_path / "x.xlsx").exists()


def test_unwritable_folder_is_a_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", str(tmp_path / "no" / "such" / "\0bad.xlsx")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_compact_date_forms_match_the_cells(tmp_path: Path) -> None:
    assert parse_date("20251101") == dt.date(2025, 11, 1)
