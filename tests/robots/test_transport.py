"""The rate (20 a minute), retries on network failures, and secrets kept out of errors and logs."""

from __future__ import annotations

import logging
from urllib.parse import quote_plus

import httpx
import pytest

from tests.robots.conftest import HOOK, KEY, SECRET, TOKEN, FakeTime, Robot
from xlpromo.errors import RobotError
from xlpromo.robots import RateLimiter, post, redact

WEBHOOK = f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"
OK = httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})


def test_the_21st_message_within_a_minute_waits_60_seconds() -> None:
    t = FakeTime(0.0)
    limiter = RateLimiter(clock=t.clock, sleep=t.sleep)
    assert [limiter.acquire() for _ in range(20)] == [0.0] * 20
    assert limiter.acquire() == 60.0
    assert t.sleeps == [60.0] and t.now == 60.0
    t.now = 90.0  # the window slides: 20 at 0 s left it at 60 s, one has been sent since
    assert [limiter.acquire() for _ in range(19)] == [0.0] * 19
    assert limiter.acquire() == pytest.approx(30.0)  # the one sent at 60 s leaves the window at 120 s


def test_a_spaced_out_minute_does_not_wait() -> None:
    t = FakeTime(0.0)
    limiter = RateLimiter(clock=t.clock, sleep=t.sleep)
    for _ in range(40):
        limiter.acquire()
        t.now += 3.0  # 20 a minute exactly
    assert t.sleeps == []


def test_posting_21_messages_waits_once_for_the_21st(wecom: Robot, fake_time: FakeTime) -> None:
    text = "\n".join("行" * 1300 + str(i) for i in range(21))  # 3,900 bytes and more a line: one message each
    result = post("wecom", wecom.url, text, max_messages=25, clock=fake_time.clock, sleep=fake_time.sleep)
    assert result.messages == len(wecom.received) == 21
    assert fake_time.sleeps == [60.0]


def _flaky(failures: int, calls: list[httpx.Request], exc: type[httpx.TransportError]) -> httpx.Client:
    """A client whose first ``failures`` requests fail with ``exc`` (quoting the URL, as httpx's do), then succeed."""
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) <= failures:
            raise exc(f"failed on {request.url}", request=request)
        return OK
    return httpx.Client(transport=httpx.MockTransport(handler))


@pytest.mark.parametrize("exc", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.ConnectError])
def test_timeouts_and_failed_connections_are_retried_with_back_off(exc: type[httpx.TransportError]) -> None:
    t, calls = FakeTime(), []
    result = post("dingtalk", WEBHOOK, "# 日报", secret=SECRET, client=_flaky(2, calls, exc),
                  clock=t.clock, sleep=t.sleep)
    assert result.messages == 1 and len(calls) == 3
    assert t.sleeps == [1.0, 2.0]
    stamps = [c.url.params["timestamp"] for c in calls]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3  # signed afresh on each try


def test_three_timeouts_raise_without_the_token_or_the_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    t, calls = FakeTime(), []
    with pytest.raises(RobotError) as caught:
        post("dingtalk", WEBHOOK, "# 日报", secret=SECRET, client=_flaky(9, calls, httpx.ReadTimeout),
             clock=t.clock, sleep=t.sleep)
    assert len(calls) == 3 and t.sleeps == [1.0, 2.0]
    text = f"{caught.value} {caught.value!r} {caught.value.args}"
    assert "无法连接钉钉机器人" in text and "已尝试 3 次" in text and "ReadTimeout" in text
    assert "access_token=***" in text
    assert caught.value.exit_code == 2
    for secret in (TOKEN, SECRET, calls[-1].url.params["sign"]):
        assert secret not in text and secret not in caplog.text
    assert caught.value.__context__ is None and caught.value.__cause__ is None  # no httpx error behind it


def test_other_http_errors_are_not_retried() -> None:
    calls: list[httpx.Request] = []
    t = FakeTime()
    with pytest.raises(RobotError, match="RemoteProtocolError"):
        post("wecom", f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}", "x",
             client=_flaky(9, calls, httpx.RemoteProtocolError), clock=t.clock, sleep=t.sleep)
    assert len(calls) == 1 and t.sleeps == []


@pytest.mark.parametrize("platform", ["dingtalk", "feishu", "wecom"])
def test_no_secret_in_any_log_line_result_or_error(platform: str, request: pytest.FixtureRequest,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    robot: Robot = request.getfixturevalue(platform)
    result = post(platform, robot.url, "# 日报\n- 一切正常", secret=SECRET)
    with pytest.raises(RobotError) as caught:
        post(platform, robot.url, "# 日报", secret="wrong-secret") if platform != "wecom" else \
            post(platform, robot.url.replace(KEY, KEY[::-1]), "# 日报")
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))  # not the server's
    assert "HTTP Request: POST" in ours  # httpx did log the requests
    shown = f"{ours}\n{result!r}\n{caught.value}\n{caught.value!r}"
    for secret in (TOKEN, SECRET, KEY, KEY[::-1], HOOK, "wrong-secret"):
        assert secret not in shown
    sign = robot.queries[0].get("sign") or robot.received[0].get("sign")
    assert not sign or (sign not in shown and quote_plus(sign) not in shown)


def test_redact_takes_secrets_out_of_any_text() -> None:
    url = f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}&timestamp=1733560000000&sign=a%2Bb%3D"
    assert redact(f"POST {url} failed", [SECRET]) == (
        "POST https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=***&sign=*** failed")
    assert redact(f"密钥 {SECRET} 与 /bot/v2/hook/{HOOK}，已尝试", [SECRET]) == "密钥 *** 与 /bot/v2/hook/***，已尝试"


def test_a_refusal_midway_says_how_many_messages_went_out() -> None:
    answers = iter([OK, OK, httpx.Response(200, json={"errcode": 410100, "errmsg": "send too fast"})])
    client = httpx.Client(transport=httpx.MockTransport(lambda request: next(answers)))
    with pytest.raises(RobotError, match="前 2 条已发送，第 3 条起未发送") as caught:
        post("dingtalk", WEBHOOK, "\n".join(["x" * 19_000] * 4), client=client, sleep=FakeTime().sleep)
    assert caught.value.errcode == 410100 and "send too fast" in str(caught.value)
