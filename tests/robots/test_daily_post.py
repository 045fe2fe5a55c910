"""``xlpromo daily --post``: the demo's 日报 reaches each local robot signed, in one message, and a refusal is exit
code 2 with the robot's words — the webhook's token and the secret in no output."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.robots.conftest import KEY, SECRET, TOKEN, Robot
from xlpromo.cli import app
from xlpromo.engine.daily import daily_report
from xlpromo.files.check import check
from xlpromo.files.daily import render_daily

runner = CliRunner()


def _post(demo: Path, platform: str, robot: Robot, *extra: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, ["daily", str(demo), "--post", platform, *extra],
                           env={"XLPROMO_WEBHOOK": robot.url, "XLPROMO_SECRET": SECRET, **(env or {})})
    for secret in (SECRET, TOKEN, KEY):
        assert secret not in result.output
    assert result.exit_code == 0, result.output
    return result.output


def test_wecom_gets_the_demo_report_as_one_markdown_message(demo_path: Path, wecom: Robot) -> None:
    out = _post(demo_path, "wecom", wecom)
    assert out == "已发送到企业微信：1 条消息\n"
    expected = render_daily(daily_report(check(demo_path)), "markdown")
    assert wecom.received == [{"msgtype": "markdown", "markdown": {"content": expected.rstrip("\n")}}]
    assert len(expected.encode("utf-8")) <= 4096


def test_dingtalk_gets_it_signed_with_the_secret_from_the_environment(demo_path: Path, dingtalk: Robot) -> None:
    assert _post(demo_path, "dingtalk", dingtalk) == "已发送到钉钉：1 条消息\n"  # the robot checked the sign
    (body,) = dingtalk.received
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "2024年618年中大促 日报"
    assert "待处理 7 条（按责任部门）" in body["markdown"]["text"]


def test_feishu_gets_a_card_with_the_report(demo_path: Path, feishu: Robot) -> None:
    assert _post(demo_path, "feishu", feishu, "--date", "2024-06-12") == "已发送到飞书：1 条消息\n"
    (body,) = feishu.received
    assert body["msg_type"] == "interactive" and "06-12 未达标 1 项" in str(body["card"])


def test_a_wrong_secret_is_exit_2_with_the_robots_words(demo_path: Path, feishu: Robot) -> None:
    result = runner.invoke(app, ["daily", str(demo_path), "--post", "feishu", "--webhook", feishu.url,
                                 "--secret", "SECwrong"])
    assert result.exit_code == 2
    assert "19021" in result.output and "sign match fail" in result.output
    assert "SECwrong" not in result.output and feishu.url.rsplit("/", 1)[1] not in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--post", "slack"], "错误：--post slack：只能是 dingtalk、feishu、wecom\n"),
    (["--post", "wecom"],
     "错误：--post 需要机器人的 Webhook 地址：用 --webhook 给出，或设置环境变量 XLPROMO_WEBHOOK\n"),
    (["--post", "wecom", "--format", "json", "--webhook", "http://x"],
     "错误：--post 发送的是 Markdown 日报，不能与 --format json 同用\n"),
])
def test_post_option_messages(demo_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["daily", str(demo_path), *args], env={"XLPROMO_WEBHOOK": ""})
    assert result.exit_code == 2 and result.output == message
