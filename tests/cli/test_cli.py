"""The command line: exit codes, messages and files, as a user runs it."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from tests.conftest import read_values
from xlpromo.cli import app, parse_date
from xlpromo.files.builder import build_workbook
from xlpromo.files.check import check
from xlpromo.files.demo import demo_frames
from xlpromo.model.master import SCHEMA
from xlpromo.roundtrip.state import read_state

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


# ---------------------------------------------------------------------------- text from data is printed literally

SHEETS = "、".join(s.name for s in SCHEMA.sheets)


def test_brackets_in_a_file_name_are_printed_as_typed(tmp_path: Path) -> None:
    """Rich markup would eat ``[red]`` (and crash on ``[/]``): file names are printed literally."""
    out = tmp_path / "报表[red][1][/].xlsx"
    result = runner.invoke(app, ["demo", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"已生成 {out}（{len(SCHEMA.sheets)} 个工作表：{SHEETS}）\n"
    again = runner.invoke(app, ["new", str(out)])
    assert again.exit_code == 2
    assert again.output == f"错误：{out} 已存在；如需覆盖请加 --force\n"


def test_an_error_message_with_brackets_is_printed_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise PackageNotFoundError(name)

    monkeypatch.setattr("importlib.metadata.version", not_installed)
    out = tmp_path / "x.xlam"
    result = runner.invoke(app, ["build-addin", "-o", str(out)])
    assert result.exit_code == 2
    assert result.output == "错误：未安装 xlwings：请先运行 pip install 'xlpromo[excel]'\n"
    assert not out.exists()


def test_check_prints_cell_values_and_file_names_literally(tmp_path: Path) -> None:
    frames = demo_frames()
    daily = frames["daily"].copy()
    daily.loc[2, "actual"] = "[red]约5万[/red]"
    daily.loc[3, "actual"] = "[/]"
    frames["daily"] = daily
    path = build_workbook(tmp_path / "回传[bold].xlsx", frames)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert _column(result.output, "问题清单", "问题") == "无法识别的数字：“[red]约5万[/red]”无法识别的数字：“[/]”"
    assert re.sub(r"\s+", " ", result.output).strip().endswith("回传[bold].xlsx：有错误；错误 2 条，提示 0 条；"
                                                  "预警 13 条（严重 3、预警 7、提示 3）")  # folded to the terminal


def _column(output: str, title: str, header: str) -> str:
    """The text of one column of a rich table in ``output``, its folded lines joined, without spaces."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    heads = [h.strip() for h in lines[start + 2].split("┃")]
    at = heads.index(header)
    text = []
    for line in lines[start + 4:]:
        if not line.startswith("│"):
            break
        text.append(line.split("│")[at])
    return "".join(text).replace(" ", "")


@pytest.mark.parametrize("width", [60, 80])
def test_check_folds_long_texts_instead_of_cutting_them(tmp_path: Path, width: int) -> None:
    """A narrow terminal: every finding and alert text is shown in full, folded over lines, never cut with “…”."""
    frames = demo_frames()
    daily = frames["daily"].copy()
    daily.loc[2, "actual"] = "约五万八千元左右请财务部门再核对一下这个数字是否正确谢谢大家的配合"
    frames["daily"] = daily
    path = build_workbook(tmp_path / "long.xlsx", frames)
    report = check(path)
    proc = subprocess.run([sys.executable, "-m", "xlpromo", "check", str(path)], capture_output=True, text=True,
                          check=False, env={**os.environ, "COLUMNS": str(width)})
    assert proc.returncode == 1, proc.stderr
    assert max(cell_len(line) for line in proc.stdout.splitlines()) <= width
    assert "…" not in proc.stdout
    assert _column(proc.stdout, "问题清单", "问题") == "".join(f.message for f in report.findings).replace(" ", "")
    assert _column(proc.stdout, "预警", "预警") == "".join(a.message for a in report.alerts).replace(" ", "")
    assert _column(proc.stdout, "预警", "时限") == "".join(a.deadline for a in report.alerts).replace(" ", "")


# ---------------------------------------------------------------------------- new: phase lengths and date range


@pytest.mark.parametrize(("args", "message"), [
    (["--start", "2025-01-01", "--end", "2025-03-02"], "爆发期 2025-01-01 至 2025-03-02 共 61 天，超过上限 60 天"),
    (["--start", "2000-01-03", "--end", "2000-01-05"],
     "预热开始日期 1999-12-27（爆发开始前 7 天）超出范围：请填写 2000—2099 年之间的日期（工作簿的日期校验范围）"),
    (["--start", "2099-12-20", "--end", "2099-12-30"],
     "返场结束日期 2100-01-02（爆发结束后 3 天）超出范围：请填写 2000—2099 年之间的日期（工作簿的日期校验范围）"),
    (["--start", "2025-06-01", "--end", "2025-06-18", "--warmup-days", "61"],
     "--warmup-days 61 超出范围：预热期天数须在 0—60 之间"),
    (["--start", "2025-06-01", "--end", "2025-06-18", "--return-days", "-1"],
     "--return-days -1 超出范围：返场期天数须在 0—60 之间"),
    (["--warmup-days", "5"],
     "--warmup-days / --return-days 需与 --start、--end 一起使用（按爆发期推算预热开始和返场结束）"),
], ids=["burst-61-days", "warmup-before-2000", "return-after-2099", "warmup-days", "return-days", "days-without-dates"])
def test_new_refuses_phases_the_workbook_cannot_hold(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "x.xlsx"
    result = runner.invoke(app, ["new", str(out), *args])
    assert result.exit_code == 2
    assert result.output == f"错误：{message}\n"
    assert not out.exists()


def test_new_accepts_phases_at_their_limits(tmp_path: Path) -> None:
    """60 sale days counting both ends; 预热开始 on 2000-01-01 and 返场结束 on 2099-12-31 are still in range."""
    for start, end, warmup, back in (("2025-01-01", "2025-03-01", 60, 60), ("2000-01-08", "2000-01-10", 7, 3),
                                     ("2099-12-20", "2099-12-28", 7, 3)):
        out = tmp_path / f"{start}.xlsx"
        result = runner.invoke(app, ["new", str(out), "--start", start, "--end", end,
                                     "--warmup-days", str(warmup), "--return-days", str(back)])
        assert result.exit_code == 0, result.output
        row = read_values(out)["活动目标"][3]
        s, e = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        assert row[2:6] == [s - dt.timedelta(days=warmup), s, e, e + dt.timedelta(days=back)]


# ---------------------------------------------------------------------------- recalc and split options


def test_recalc_output_and_in_place_exclude_each_other(demo_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.xlsx"
    before = hashlib.sha256(demo_path.read_bytes()).hexdigest()
    result = runner.invoke(app, ["recalc", str(demo_path), "-o", str(out), "--in-place"])
    assert result.exit_code == 2
    assert result.output == "错误：-o 与 --in-place 不能同时使用：要写出新文件只用 -o，要替换原文件只用 --in-place\n"
    assert not out.exists() and hashlib.sha256(demo_path.read_bytes()).hexdigest() == before
    neither = runner.invoke(app, ["recalc", str(demo_path)])
    assert neither.exit_code == 2 and neither.output == "错误：请给出 -o 输出文件，或使用 --in-place 替换原文件\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--dept", "仓储部", "--all-depts"],
     "--dept 与 --all-depts 不能同时使用：一个部门用 --dept，所有部门用 --all-depts"),
    ([], "请用 --dept 指定一个部门，或用 --all-depts 为所有部门生成副本"),
    (["--dept", "  "], "--dept 不能为空：请写部门名称，如 仓储部"),
], ids=["both", "neither", "blank-dept"])
def test_split_option_messages(demo_path: Path, tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "c.xlsx"
    result = runner.invoke(app, ["split", str(demo_path), *args, "-o", str(out)])
    assert result.exit_code == 2
    assert result.output == f"错误：{message}\n"
    assert not out.exists()


def test_split_strips_the_department_and_warns_of_a_past_due_date(demo_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "副本[red].xlsx"
    result = runner.invoke(app, ["split", str(demo_path), "--dept", " 仓储部 ", "--due", "2020-01-01", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"注意：回传截止日期 2020-01-01 早于今天（{dt.date.today()}），仍按此日期写入副本"
    assert lines[1].startswith(f"已生成 {out}：仓储部可填写 64 个单元格（")
    state = read_state(out)
    assert state is not None and state.dept == "仓储部"
    assert "2020-01-01" in read_values(out)["任务分工"][1][0]


def test_split_with_a_future_due_date_does_not_warn(demo_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.xlsx"
    result = runner.invoke(app, ["split", str(demo_path), "--dept", "仓储部", "--due", "2099-12-31", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"已生成 {out}：仓储部可填写 64 个单元格")
    assert "注意" not in result.output


def test_split_refuses_a_department_with_nothing_to_fill(demo_path: Path, tmp_path: Path) -> None:
    """财务部 owns no task and no metric of the demo: no copy (as --all-depts skips it), the old file kept."""
    out = tmp_path / "财务部.xlsx"
    message = (f"错误：部门“财务部”在 {demo_path.name} 中没有要填写的单元格（--all-depts 也跳过这样的部门），"
               "未生成副本\n")
    result = runner.invoke(app, ["split", str(demo_path), "--dept", "财务部", "-o", str(out)])
    assert result.exit_code == 2
    assert result.output == message
    assert list(tmp_path.iterdir()) == []  # no copy, no temporary file
    out.write_bytes(b"an earlier copy")
    forced = runner.invoke(app, ["split", str(demo_path), "--dept", "财务部", "-o", str(out), "--force"])
    assert forced.exit_code == 2 and forced.output == message
    assert out.read_bytes() == b"an earlier copy" and list(tmp_path.iterdir()) == [out]


# ---------------------------------------------------------------------------- help


@pytest.mark.parametrize("args", [["--help"], ["new", "--help"], ["split", "--help"]])
def test_help_option_text_is_chinese(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "显示帮助并退出" in result.output and "Show this message" not in result.output


def test_check_prints_at_most_limit_rows_per_table(demo_path: Path) -> None:
    """A terminal is no place for 10,000 rows: 200 by default, --limit N, --limit 0 for all; --json has all."""
    short = runner.invoke(app, ["check", str(demo_path), "--limit", "2"])
    assert short.exit_code == 0, short.output
    assert "预警（13）" in short.output and short.output.count("每日监控!") + short.output.count("任务分工!") == 2
    assert "……另有 11 条预警未显示：--limit 0 显示全部，--json 输出全部，" in short.output.replace("\n", "")
    whole = runner.invoke(app, ["check", str(demo_path), "--limit", "0"])
    assert "另有" not in whole.output and whole.output.count("每日监控!") + whole.output.count("任务分工!") == 13
    default = runner.invoke(app, ["check", str(demo_path)])
    assert default.output == whole.output  # 13 rows are fewer than 200
    bad = runner.invoke(app, ["check", str(demo_path), "--limit", "-1"])
    assert bad.exit_code == 2 and bad.output == "错误：--limit -1 不能为负数：0 表示全部显示\n"


@pytest.mark.parametrize("command", ["", "new", "demo", "check", "recalc", "daily", "report", "split", "merge",
                                     "build-addin", "install-addin", "version"])
def test_help_fits_80_columns_and_cuts_nothing(command: str) -> None:
    """In an 80-column terminal every help line fits, and no text is cut short with “…”."""
    result = runner.invoke(app, [*command.split(), "--help"], terminal_width=80, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(cell_len(line) for line in result.output.splitlines()) <= 80  # a Chinese character is 2 columns
    assert "…" not in result.output.replace("COPY.xlsx…", "").replace("文件…", "")
    assert not re.search(r"<(path|str|int|bool|list\[Path\])>|\{book\}", result.output)  # types in words


def test_commands_are_listed_in_the_order_of_a_campaign() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=80, env={"COLUMNS": "80"})
    shown = [m[1] for line in result.output.splitlines() if (m := re.match(r"│ ([a-z][a-z-]*) ", line))]
    assert shown == ["new", "demo", "plan", "import", "check", "recalc", "daily", "report", "split", "merge",
                     "build-addin", "install-addin", "version"]


@pytest.mark.parametrize(("args", "message"), [
    (["split", "{demo}", "客服部", "-o", "c.xlsx"],
     "多余的参数：客服部（部门、输出文件等须用选项给出，如 --dept 仓储部 -o 副本.xlsx）"),
    (["split"], "缺少参数 MASTER.xlsx"),
    (["split", "{demo}", "--dept", "客服部"], "缺少选项 -o/--output"),
    (["split", "{demo}", "--dept"], "选项 --dept 后面要跟一个值"),
    (["recalc", "{demo}", "--in-plac"], "没有选项 --in-plac；是否想用 --in-place？（运行 --help 查看可用的选项）"),
    (["demo", "-o", "x.xlsx"], "xlpromo demo 没有 -o 选项：输出文件直接写在命令后面，如 xlpromo demo 活动.xlsx"),
    (["check", "{demo}", "--limit", "many"], "--limit 的值无效："),
    (["nosuch"], "没有命令 nosuch（运行 xlpromo --help 查看全部命令）"),
])
def test_a_command_typed_wrongly_is_answered_in_chinese(demo_path: Path, args: list[str], message: str) -> None:
    """Click's parse errors (``Got unexpected extra argument(s)``, ``Missing argument``) in Chinese, with the usage
    line as a person types it (``MASTER.xlsx``, not Typer's ``{MASTER.xlsx}``)."""
    result = runner.invoke(app, [a.replace("{demo}", str(demo_path)) for a in args], prog_name="xlpromo",
                           terminal_width=200, env={"COLUMNS": "200"})
    assert result.exit_code == 2
    text = " ".join(line.strip("│╭╮╰╯─ ") for line in result.output.splitlines())
    assert message in text
    assert "错误" in text and not re.search(r"Usage|Try |Error|Missing|No such|Got unexpected|\{[A-Z]", text)
    if args[-1] != "--dept":  # Click prints no usage line for an option without its value
        assert re.search(r"用法：xlpromo \S* ?\[选项\]", text)
