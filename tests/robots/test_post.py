"""post() against local robots that check signatures, keys and sizes as 钉钉, 飞书 and 企业微信 do."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import time
from urllib.parse import quote_plus

import pytest
from pytest_httpserver import HTTPServer

from tests.robots.conftest import FEISHU_SIGN, KEY, SECRET, TOKEN, FakeTime, Robot
from xlpromo.errors import RobotError, XlpromoError
from xlpromo.robots import PLATFORMS, dingtalk_sign, feishu_sign, mask, post

REPORT = "# 618 日报 2024-06-21\n- **GMV** 今日 120 万，目标 100 万\n- 天猫 ROI 达成率 83.3%（未达标）"
TRAILER = "……另有 {n} 行未发送，见工作簿“预警”表"
ALERTS = "\n".join(["# 618 日报 2024-06-21", *(
    f"- 【严重】2024-06-{1 + i % 20:02d} 天猫 GMV 达成率 83.3%（未达标），第{i:03d}条，"
    "运营部 24 小时内说明原因，调整措施待填" for i in range(500))])


def test_known_signatures() -> None:
    # 钉钉: the test vector of the `dingding` crate (docs.rs), URL-encoded as the URL carries it
    vector = "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D"
    assert quote_plus(dingtalk_sign("1700000000000", "secret")) == vector
    # 飞书: the key is "timestamp\nsecret", the message empty (not the 钉钉 way round)
    mac = hmac.new(b"1599360473\nsecret", b"", hashlib.sha256).digest()
    assert feishu_sign("1599360473", "secret") == base64.b64encode(mac).decode()
    assert feishu_sign("1599360473", "secret") != dingtalk_sign("1599360473", "secret")


def test_dingtalk_markdown_signed_in_the_url(dingtalk: Robot) -> None:
    now = time.time()
    result = post("dingtalk", dingtalk.url, REPORT, secret=SECRET, clock=lambda: now)
    assert dingtalk.received == [{"msgtype": "markdown", "markdown": {"title": "日报", "text": REPORT}}]
    assert dingtalk.content_types == ["application/json"]
    ts = str(int(now * 1000))
    assert dingtalk.queries == [{"access_token": TOKEN, "timestamp": ts, "sign": dingtalk_sign(ts, SECRET)}]
    assert result.platform == "dingtalk" and result.messages == 1 and result.omitted == 0
    assert result.sizes == tuple(dingtalk.sizes)


def test_dingtalk_plain_lines_end_with_two_spaces_to_break(dingtalk: Robot) -> None:
    post("dingtalk", dingtalk.url, "# 日报\n今日 GMV 120 万\n累计 800 万\n\n- 天猫\n1. 抖音\n> 备注", secret=SECRET)
    text = dingtalk.received[0]["markdown"]["text"]
    assert text == "# 日报\n今日 GMV 120 万  \n累计 800 万  \n\n- 天猫\n1. 抖音\n> 备注"


def test_feishu_card_signed_in_the_body(feishu: Robot) -> None:
    now = time.time()
    post("feishu", feishu.url, REPORT, secret=SECRET, title="618 日报", clock=lambda: now)
    ts = str(int(now))
    assert feishu.received == [{
        "timestamp": ts, "sign": feishu_sign(ts, SECRET), "msg_type": "interactive",
        "card": {"config": {"wide_screen_mode": True},
                 "header": {"title": {"tag": "plain_text", "content": "618 日报"}},
                 "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": "\n".join([
                     "**618 日报 2024-06-21**", "- **GMV** 今日 120 万，目标 100 万",
                     "- 天猫 ROI 达成率 83.3%（未达标）"])}}]}}]
    assert feishu.content_types == ["application/json"]


def test_wecom_markdown_with_the_key_and_no_signature(wecom: Robot) -> None:
    result = post("wecom", wecom.url, REPORT, secret="ignored")
    assert wecom.received == [{"msgtype": "markdown", "markdown": {"content": REPORT}}]
    assert wecom.queries == [{"key": KEY}]
    assert wecom.content_types == ["application/json"]
    assert result.sizes == (len(json.dumps(wecom.received[0], ensure_ascii=False, separators=(",", ":")).encode()),)
    assert result.sizes == tuple(wecom.sizes)


@pytest.mark.parametrize("platform", ["wecom", "feishu", "dingtalk"])
def test_500_alerts_stay_within_each_limit_and_say_what_was_cut(platform: str, request: pytest.FixtureRequest) -> None:
    robot: Robot = request.getfixturevalue(platform)
    assert len(ALERTS.encode()) > 3 * 20_000
    result = post(platform, robot.url, ALERTS, secret=SECRET, trailer=TRAILER, max_messages=3)
    assert result.messages == len(robot.received) == 3
    texts = [b.get("markdown", {}).get("content") or b.get("markdown", {}).get("text")
             or b["card"]["elements"][0]["text"]["content"] for b in robot.received]
    if platform == "wecom":  # the markdown content counts
        assert all(len(t.encode()) <= 4096 for t in texts)
        assert all(len(t.encode()) > 4096 - 200 for t in texts[:2])  # and the messages are full (a line is ~140)
    else:  # the request body counts
        assert all(20_000 - 200 < size <= 20_000 for size in robot.sizes[:2]) and robot.sizes[2] <= 20_000
    assert list(result.sizes) == robot.sizes
    sent = "\n".join(texts).split("\n")
    assert sent[-1] == f"……另有 {result.omitted} 行未发送，见工作簿“预警”表"
    assert len(sent) - 1 + result.omitted == 501  # the heading and 500 alerts: each sent or counted
    titles = [b.get("markdown", {}).get("title") or b.get("card", {}).get("header", {}).get("title", {}).get("content")
              for b in robot.received]
    if platform != "wecom":
        assert titles == ["日报（1/3）", "日报（2/3）", "日报（3/3）"]


def test_500_alerts_uncapped_are_all_sent_within_the_limit(wecom: Robot, fake_time: FakeTime) -> None:
    result = post("wecom", wecom.url, ALERTS, max_messages=50, clock=fake_time.clock, sleep=fake_time.sleep)
    texts = [b["markdown"]["content"] for b in wecom.received]
    assert result.omitted == 0 and len(texts) == result.messages > 10
    assert "\n".join(texts) == ALERTS
    assert max(len(t.encode()) for t in texts) <= 4096


def test_a_long_multibyte_line_goes_out_in_whole_characters(wecom: Robot) -> None:
    line = "预警" * 1000 + "😀"  # 6,004 bytes on one line
    post("wecom", wecom.url, line)
    texts = [b["markdown"]["content"] for b in wecom.received]
    assert [len(t.encode()) for t in texts] == [4095, 1909]
    assert "".join(texts) == line


def test_a_stale_feishu_signature_raises_with_the_robots_words(feishu: Robot) -> None:
    with pytest.raises(RobotError) as caught:
        post("feishu", feishu.url, REPORT, secret=SECRET, clock=lambda: time.time() - 7200)
    exc = caught.value
    assert isinstance(exc, XlpromoError)
    assert exc.exit_code == 2 and exc.errcode == 19021
    assert FEISHU_SIGN["msg"] in str(exc) and "飞书" in str(exc) and "19021" in str(exc)


def test_a_wrong_secret_is_refused_by_dingtalk_and_feishu(dingtalk: Robot, feishu: Robot) -> None:
    with pytest.raises(RobotError, match=r"310000.*sign not match"):
        post("dingtalk", dingtalk.url, REPORT, secret="SECwrong")
    with pytest.raises(RobotError, match="19021"):
        post("feishu", feishu.url, REPORT, secret="wrong")


def test_a_dingtalk_timestamp_over_an_hour_old_is_refused(dingtalk: Robot) -> None:
    with pytest.raises(RobotError, match=r"310000.*invalid timestamp.*本机时间") as caught:
        post("dingtalk", dingtalk.url, REPORT, secret=SECRET, clock=lambda: time.time() - 3700)
    assert caught.value.errcode == 310000 and caught.value.exit_code == 2


def test_wecom_refuses_a_wrong_key_and_a_long_content(wecom: Robot) -> None:
    with pytest.raises(RobotError, match=r"93000.*invalid webhook url") as caught:
        post("wecom", wecom.url.replace(KEY, "0000-wrong-key"), REPORT)
    assert "0000-wrong-key" not in str(caught.value)
    loose = dataclasses.replace(PLATFORMS["wecom"], limit=8000)  # a sender that believes in a larger limit
    PLATFORMS["loose"] = loose
    try:
        with pytest.raises(RobotError, match=r"40058.*4096"):
            post("loose", wecom.url, "字" * 2000)
    finally:
        del PLATFORMS["loose"]


def test_a_non_200_answer_raises(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robot/send").respond_with_data("Bad Gateway", status=502)
    with pytest.raises(RobotError, match=r"HTTP 502.*Bad Gateway") as caught:
        post("dingtalk", httpserver.url_for("/robot/send") + f"?access_token={TOKEN}", REPORT, secret=SECRET)
    assert TOKEN not in str(caught.value) and SECRET not in str(caught.value)


def test_unknown_platform_and_bad_webhook() -> None:
    with pytest.raises(RobotError, match="未知的群机器人平台“slack”"):
        post("slack", "https://example.com", REPORT)
    with pytest.raises(RobotError, match="https://") as caught:
        post("wecom", f"qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}", REPORT)
    assert KEY not in str(caught.value)


def test_mask_hides_tokens_keys_and_the_feishu_hook() -> None:
    assert mask(f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}&timestamp=1&sign=abc") == \
        "https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=***&sign=***"
    assert mask(f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}") == \
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"
    assert mask("https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e") == \
        "https://open.feishu.cn/open-apis/bot/v2/hook/***"
