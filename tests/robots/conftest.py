"""Three local robots that check a request the way 钉钉, 飞书 and 企业微信 do, and answer as they answer.

Each handler recomputes the signature from the timestamp it received and the test's secret with
its own code (not xlpromo's), refuses a timestamp more than an hour from its clock, and answers
with the platform's error JSON: 钉钉 310000, 飞书 19021, 企业微信 93000 (wrong key) and 40058
(content over 4,096 bytes). The handlers keep what they received in ``robot.received``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

TOKEN = "d1f0c2a9b8e7token4c5b6a7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8"
SECRET = "SECf5e4d3c2b1a0secret99887766554433221100ffeeddccbbaa"
KEY = "693a91f6-7a0c-4bc4-97a0-0ec2wecomkey5aaa"
HOOK = "5e3d587e-d78e-4a07-feishuhook-265f269f86fd"

OK_DINGTALK = {"errcode": 0, "errmsg": "ok"}
OK_FEISHU = {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"}
OK_WECOM = {"errcode": 0, "errmsg": "ok"}
DINGTALK_SIGN = {"errcode": 310000,
                 "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}
DINGTALK_STALE = {"errcode": 310000, "errmsg": "invalid timestamp"}
FEISHU_SIGN = {"code": 19021, "data": {},
               "msg": "sign match fail or timestamp is not within one hour from current time"}
WECOM_KEY = {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1733561234_1_abc], from ip: 127.0.0.1"}
WECOM_LONG = {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096. invalid Request Parameter"}
HOUR_MS = 3_600_000


@dataclass
class Robot:
    """A local robot: its webhook URL, what it was sent, and how it checks it."""

    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    content_types: list[str | None] = field(default_factory=list)
    queries: list[dict[str, str]] = field(default_factory=list)

    def keep(self, request: Request) -> dict[str, Any]:
        """Record the request (body, size, Content-Type, query) and return its JSON."""
        body: dict[str, Any] = json.loads(request.get_data())
        self.received.append(body)
        self.sizes.append(len(request.get_data()))
        self.content_types.append(request.headers.get("Content-Type"))
        self.queries.append(dict(request.args))
        return body


def answer(payload: dict[str, Any]) -> Response:
    """A JSON answer, 200 as the robots give even when they refuse."""
    return Response(json.dumps(payload, ensure_ascii=False), status=200, content_type="application/json")


@pytest.fixture
def dingtalk(httpserver: HTTPServer) -> Robot:
    """钉钉: access_token in the query; with 加签, timestamp (ms) and sign = HmacSHA256(secret, ts\\nsecret)."""
    robot = Robot(httpserver.url_for("/robot/send") + f"?access_token={TOKEN}")

    def handle(request: Request) -> Response:
        robot.keep(request)
        if request.args.get("access_token") != TOKEN:
            return answer({"errcode": 300001, "errmsg": "token is not exist"})
        ts, sign = request.args.get("timestamp", ""), request.args.get("sign", "")
        if not ts.isdigit() or abs(time.time() * 1000 - int(ts)) > HOUR_MS:
            return answer(DINGTALK_STALE)
        mac = hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
        return answer(OK_DINGTALK if sign == base64.b64encode(mac).decode() else DINGTALK_SIGN)

    httpserver.expect_request("/robot/send", method="POST").respond_with_handler(handle)
    return robot


@pytest.fixture
def feishu(httpserver: HTTPServer) -> Robot:
    """飞书: the token in the path; timestamp (s) and sign = Base64(HmacSHA256(key=ts\\nsecret, b'')) in the body."""
    robot = Robot(httpserver.url_for(f"/open-apis/bot/v2/hook/{HOOK}"))

    def handle(request: Request) -> Response:
        body = robot.keep(request)
        ts, sign = str(body.get("timestamp", "")), body.get("sign", "")
        mac = hmac.new(f"{ts}\n{SECRET}".encode(), b"", hashlib.sha256).digest()
        fresh = ts.isdigit() and abs(time.time() - int(ts)) <= 3600
        if not fresh or sign != base64.b64encode(mac).decode():
            return answer(FEISHU_SIGN)
        return answer(OK_FEISHU)

    httpserver.expect_request(f"/open-apis/bot/v2/hook/{HOOK}", method="POST").respond_with_handler(handle)
    return robot


@pytest.fixture
def wecom(httpserver: HTTPServer) -> Robot:
    """企业微信: key in the query, msgtype markdown, content at most 4,096 UTF-8 bytes."""
    robot = Robot(httpserver.url_for("/cgi-bin/webhook/send") + f"?key={KEY}")

    def handle(request: Request) -> Response:
        body = robot.keep(request)
        if request.args.get("key") != KEY:
            return answer(WECOM_KEY)
        content = body.get("markdown", {}).get("content")
        if body.get("msgtype") != "markdown" or not isinstance(content, str):
            return answer({"errcode": 40008, "errmsg": "invalid message type"})
        if len(content.encode("utf-8")) > 4096:
            return answer(WECOM_LONG)
        return answer(OK_WECOM)

    httpserver.expect_request("/cgi-bin/webhook/send", method="POST").respond_with_handler(handle)
    return robot


class FakeTime:
    """A clock and a sleep for tests: sleeping moves the clock, and every sleep is kept."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        """The fake time, in seconds since the epoch."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Sleep without sleeping: the clock moves on."""
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    """A fake clock starting now (so the robots accept its timestamps)."""
    return FakeTime()
