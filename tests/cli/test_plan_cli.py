"""``xlpromo plan`` on the command line: the summary, the exit codes, what is refused before anything is written."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.roundtrip.conftest import with_targets
from xlpromo.cli import app

runner = CliRunner()


def test_plan_prints_what_it_added(blank_path: Path, tmp_path: Path) -> None:
    book = with_targets(blank_path, tmp_path / "618.xlsx")
    out = tmp_path / "计划.xlsx"
    result = runner.invoke(app, ["plan", str(book), "-o", str(out), "--channels", "天猫、京东", "--metrics", "GMV"])
    assert result.exit_code == 0, result.output
    assert result.output == ("已生成日计划 56 行（GMV 56 行），写入 计划.xlsx。\n"
                             "新增的每一行都记在“变更记录”工作表中。\n"
                             "校验：错误 0 条，提示 0 条；预警 0 条（见“问题清单”“预警”工作表）。\n")
    again = runner.invoke(app, ["plan", str(out), "-o", str(tmp_path / "again.xlsx"), "--channels", "天猫,京东",
                                "--metrics", "GMV"])
    assert again.exit_code == 0 and "已生成日计划 0 行（无）" in again.output
    assert "已有的 56 行（同一日期、指标、渠道）保持原样，未改动。" in again.output


def test_plan_refusals_write_nothing(blank_path: Path, tmp_path: Path) -> None:
    book = with_targets(blank_path, tmp_path / "618.xlsx")
    out = tmp_path / "out.xlsx"
    cases = [
        (["--channels", "淘宝"], "错误：618.xlsx: 渠道 淘宝 不在数据字典的渠道列表中（可选：全渠道、天猫、京东、"
                                 "抖音、拼多多、小红书、微信私域、自营商城）"),
        (["--metrics", "转化率"], "错误：618.xlsx: 指标 转化率 没有目标值（活动目标或目标拆解中填写后再生成）"),
        (["--in-place"], "错误：-o 与 --in-place 不能同时使用"),
    ]
    for extra, message in cases:
        result = runner.invoke(app, ["plan", str(book), "-o", str(out), *extra])
        assert result.exit_code == 2 and result.output.startswith(message), result.output
        assert not out.exists()
    blank = runner.invoke(app, ["plan", str(blank_path), "-o", str(out)])
    assert blank.exit_code == 2 and "活动目标的预热开始、爆发开始、爆发结束、返场结束须都是日期" in blank.output
    assert not out.exists()
