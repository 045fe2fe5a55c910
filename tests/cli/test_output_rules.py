"""The output rule, as a user meets it: a command writes its whole output or nothing, never writes over one
of its inputs, never replaces a read-only file, and an interruption leaves no half-written file behind."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import xlpromo.roundtrip.split as split_module
from xlpromo.cli import app
from xlpromo.files.builder import build_workbook
from xlpromo.files.demo import demo_frames
from xlpromo.model.state import DEMO_CAMPAIGN_ID
from xlpromo.roundtrip.split import split_book
from xlpromo.testing.libreoffice import convert

runner = CliRunner()
DEMO_DEPTS = ["运营部", "市场部", "销售部", "技术部", "客服部", "仓储部", "采购部", "设计部", "商品部", "供应链部",
              "流量组", "用户组", "数据分析", "公关部", "财务部"]
#: The departments of the demo with something to fill, in the list's order.
FILLING = ["运营部", "市场部", "技术部", "客服部", "仓储部", "采购部", "设计部", "数据分析"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listing(folder: Path) -> list[str]:
    """Every file and folder under ``folder``, hidden ones included, as relative paths."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _master(path: Path, departments: list[str] | None = None) -> Path:
    frames = demo_frames()
    if departments is not None:
        frames["departments"] = pd.DataFrame({"value": pd.Series(departments, dtype=object)})
    return build_workbook(path, frames, campaign_id=DEMO_CAMPAIGN_ID)


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _master(tmp_path_factory.mktemp("master") / "618活动.xlsx")


def test_the_demo_departments_are_the_ones_these_tests_name(master: Path) -> None:
    from xlpromo.files.reader import read_workbook
    from xlpromo.roundtrip.split import departments

    assert departments(read_workbook(master)) == DEMO_DEPTS


# ---------------------------------------------------------------------------- split --all-depts: all or nothing


def test_a_department_too_long_for_a_file_name_is_named_and_the_others_are_written(tmp_path: Path) -> None:
    long = "仓" * 100  # 300 bytes of UTF-8: no file system takes it as a name
    book = _master(tmp_path / "618活动.xlsx", [*DEMO_DEPTS, long])
    out = tmp_path / "分发"
    result = runner.invoke(app, ["split", str(book), "--all-depts", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = result.output.replace("\n", "")
    assert (f"未生成副本：{'仓' * 20}……（部门名称太长，副本的文件名会超过 255 字节；请在“数据字典”中改名后再分发）"
            in text)
    assert _listing(out) == sorted(f"618活动-{d}.xlsx" for d in FILLING)


def test_a_failure_halfway_leaves_the_folder_as_it_was(master: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "分发"
    out.mkdir()
    (out / "618活动-运营部.xlsx").write_bytes(b"last week's copy")
    real, calls = split_module._split, []

    def third_fails(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(out / "x.xlsx"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(split_module, "_split", third_fails)
    result = runner.invoke(app, ["split", str(master), "--all-depts", "-o", str(out), "--force"])
    assert result.exit_code == 2
    assert result.output == f"错误：无法写入 {out / 'x.xlsx'}：磁盘空间不足\n"
    assert len(calls) == 3  # two copies were made before it failed: neither reached the folder
    assert _listing(out) == ["618活动-运营部.xlsx"]
    assert (out / "618活动-运营部.xlsx").read_bytes() == b"last week's copy"


def test_a_copy_that_would_land_on_the_master_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    book = _master(tmp_path / "demo-合并.xlsx", [*DEMO_DEPTS, "合并"])
    before = _digest(book)
    result = runner.invoke(app, ["split", str(book), "--all-depts", "-o", str(tmp_path), "--force"])
    assert result.exit_code == 2
    assert result.output.replace("\n", "") == (
        "错误：demo-合并.xlsx: 部门“合并”的副本 demo-合并.xlsx 会写在主工作簿本身上：请用 -o 指定另一个文件夹，"
        "或把主工作簿改名")
    assert _digest(book) == before and _listing(tmp_path) == ["demo-合并.xlsx"]


def test_an_empty_department_list_is_said_and_nothing_is_written(tmp_path: Path) -> None:
    book = _master(tmp_path / "618活动.xlsx", [])
    for args in (["--all-depts", "-o", str(tmp_path / "分发")], ["--dept", "仓储部", "-o", str(tmp_path / "c.xlsx")]):
        result = runner.invoke(app, ["split", str(book), *args])
        assert result.exit_code == 2, result.output
        assert result.output == "错误：618活动.xlsx: “数据字典”的部门列表是空的：请先填写各部门，再分发副本\n"
    assert _listing(tmp_path) == ["618活动.xlsx"]


# ---------------------------------------------------------------------------- never over an input


@pytest.mark.parametrize("command", [
    ["recalc", "{master}", "-o", "{master}"],
    ["report", "{master}", "-o", "{master}"],
    ["split", "{master}", "--dept", "仓储部", "-o", "{master}"],
    ["merge", "{master}", "{copy}", "-o", "{copy}"],
    ["merge", "{master}", "{copy}", "-o", "{master}"],
])
@pytest.mark.parametrize("force", [False, True])
def test_an_output_that_is_an_input_is_refused_with_or_without_force(master: Path, tmp_path: Path,
                                                                     command: list[str], force: bool) -> None:
    copy = split_book(master, "仓储部", tmp_path / "618活动-仓储部.xlsx").output
    args = [a.format(master=master, copy=copy) for a in command] + (["--force"] if force else [])
    target = Path(args[args.index("-o") + 1])
    before = {p: _digest(p) for p in (master, copy)}
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    hint = "要替换原文件请用 --in-place" if command[0] == "recalc" else "请换一个输出文件名"
    assert result.output.replace("\n", "") == (
        f"错误：输出文件 {target} 就是输入文件：xlpromo 从不写在输入文件上（加 --force 也不会），{hint}")
    assert {p: _digest(p) for p in (master, copy)} == before


def test_recalc_in_place_refuses_a_read_only_file(master: Path, tmp_path: Path) -> None:
    book = tmp_path / "618活动.xlsx"
    book.write_bytes(master.read_bytes())
    book.chmod(0o444)
    result = runner.invoke(app, ["recalc", str(book), "--in-place"])
    assert result.exit_code == 2
    assert result.output.replace("\n", "") == (
        f"错误：{book} 是只读文件：--in-place 不替换只读文件。请用 -o 写出新文件，或先取消它的只读属性")
    assert stat.S_IMODE(book.stat().st_mode) == 0o444 and _digest(book) == _digest(master)
    assert _listing(tmp_path) == ["618活动.xlsx"]  # no backup either


def test_merge_makes_a_missing_output_folder_as_the_other_commands_do(master: Path, tmp_path: Path) -> None:
    copy = split_book(master, "仓储部", tmp_path / "c.xlsx").output
    out = tmp_path / "新文件夹" / "合并后.xlsx"
    result = runner.invoke(app, ["merge", str(master), str(copy), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _listing(out.parent) == ["合并后.xlsx"]


@pytest.mark.libreoffice
def test_an_ods_is_named_as_such_by_the_commands_that_patch_the_package(master: Path, tmp_path: Path) -> None:
    ods = convert(master, "ods", tmp_path)
    assert ods.suffix == ".ods"
    advice = ("错误：618活动.ods: 这是 OpenDocument 表格（.ods），重算、分发与合并需要 .xlsx："
              "请在 LibreOffice 或 WPS 中“另存为” Excel 工作簿（.xlsx）后再运行")
    for args, tail in ((["recalc", str(ods), "-o", str(tmp_path / "r.xlsx")], ""),
                       (["split", str(ods), "--dept", "仓储部", "-o", str(tmp_path / "c.xlsx")], ""),
                       (["merge", str(ods), "-o", str(tmp_path / "m.xlsx")], "。未写出任何文件。")):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert result.output.replace("\n", "") == advice + tail
    assert _listing(tmp_path) == ["618活动.ods"]


# ---------------------------------------------------------------------------- unexpected failures


def test_an_unexpected_failure_names_the_file_and_what_was_being_done(master: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import xlpromo.roundtrip.recalc as recalc_module

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("Daily")

    monkeypatch.setattr(recalc_module, "recalc", broken)
    result = runner.invoke(app, ["recalc", str(master), "-o", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 2
    assert result.output.replace("\n", "") == (
        "错误：618活动.xlsx: 重算时出错（内部错误 KeyError: 'Daily'），请把文件发给维护者")


# ---------------------------------------------------------------------------- signals


def _merge_killed(master: Path, copy: Path, out: Path, sig: signal.Signals) -> tuple[int, bool]:
    """Run ``xlpromo merge`` in a process of its own and send it ``sig`` as soon as its first temporary file
    appears; its exit code, and whether the signal did arrive while it was writing."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-m", "xlpromo", "merge", str(master), str(copy), "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    caught = False
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if any(p.name.startswith(".") for p in out.parent.iterdir()):
            proc.send_signal(sig)
            caught = True
            break
        time.sleep(0.002)
    _, err = proc.communicate(timeout=60)
    if caught:
        assert "已中断：未写完的输出已删除，输入文件未改动" in err.decode()
    return proc.returncode, caught


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_merge_killed_while_writing_leaves_no_temporary_file(master: Path, tmp_path: Path,
                                                               sig: signal.Signals) -> None:
    copy = split_book(master, "仓储部", tmp_path / "c.xlsx").output
    outdir = tmp_path / "out"
    outdir.mkdir()
    for _ in range(5):  # the signal must land while a temporary file exists: try again if the merge was quicker
        code, caught = _merge_killed(master, copy, outdir / "m.xlsx", sig)
        if caught:
            break
        (outdir / "m.xlsx").unlink()
    assert caught, "the merge finished five times before its temporary file could be seen"
    assert code == 128 + sig
    assert _listing(outdir) == []


def test_report_md_refuses_to_replace_the_pictures_of_another_report_without_force(demo_path: Path,
                                                                                   tmp_path: Path) -> None:
    first = runner.invoke(app, ["report", str(demo_path), "-o", str(tmp_path / "a.md")])
    assert first.exit_code == 0, first.output
    (tmp_path / "a.md").rename(tmp_path / "old.md")  # the report renamed; its a.charts/ stays beside it
    before = _digest(tmp_path / "a.charts" / "每日GMV.png")
    refused = runner.invoke(app, ["report", str(demo_path), "-o", str(tmp_path / "a.md")])
    assert refused.exit_code == 2
    assert "a.charts 里已有图表（每日GMV.png、达成率趋势.png、任务状态.png）" in refused.output
    assert "--force" in refused.output and not (tmp_path / "a.md").exists()
    assert _digest(tmp_path / "a.charts" / "每日GMV.png") == before
    forced = runner.invoke(app, ["report", str(demo_path), "-o", str(tmp_path / "a.md"), "--force"])
    assert forced.exit_code == 0 and (tmp_path / "a.md").is_file()
