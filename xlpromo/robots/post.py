"""Posting a report to a group robot: fit it to the robot, sign each message, send within the rate.

One call, :func:`post`, for ``xlpromo daily --post``: the text is put in the robot's dialect, cut into
messages within its byte limit (the last one saying how many lines were left out), and each message
is signed just before it is sent (so a slow retry is not refused as stale), sent at most 20 a
minute, retried with back-off when the network times out or fails, and checked: a refusal raises
:class:`~xlpromo.errors.RobotError` with the robot's own words. No message, error or log line holds
the webhook's key or token or the secret.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from xlpromo.errors import RobotError
from xlpromo.robots.limiter import RateLimiter
from xlpromo.robots.masking import mask, quiet_logs, redact, secrets_of
from xlpromo.robots.platforms import PLATFORMS, Body, Platform, platform_named
from xlpromo.robots.split import DEFAULT_TRAILER, Split, plan_messages

__all__ = ["BACKOFF", "PostResult", "encode", "fit", "post"]

#: Seconds to wait before the second and third try of a message whose request timed out or failed.
BACKOFF = (1.0, 2.0)


@dataclass(frozen=True)
class PostResult:
    """What was posted: to which robot, how many messages, each request body's bytes, lines left out."""

    platform: str
    messages: int
    sizes: tuple[int, ...]
    omitted: int


def encode(body: Body) -> bytes:
    """The JSON a robot receives: compact, UTF-8 (not ``\\u`` escapes, which would triple the Chinese)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fit(platform: Platform, text: str, *, title: str = "日报", max_messages: int = 5,
        trailer: str = DEFAULT_TRAILER) -> Split:
    """``text`` in ``platform``'s dialect, in messages within its limit, measured as they will be sent."""
    text = platform.adapt(text)
    if platform.counts == "content":
        return plan_messages(text, platform.limit, max_messages, trailer)
    worst = f"{title}（{max_messages}/{max_messages}）"  # the longest title a piece gets
    budget = platform.limit - _size(platform, "", worst)
    while True:  # JSON escapes (\n, \") make a body longer than its text: narrow until every body fits
        split = plan_messages(text, budget, max_messages, trailer)
        over = max((_size(platform, piece, worst) - platform.limit for piece in split.pieces), default=0)
        if over <= 0:
            return split
        budget -= over


def post(platform: str, webhook: str, text: str, *, secret: str | None = None, title: str = "日报",
         max_messages: int = 5, trailer: str = DEFAULT_TRAILER, client: httpx.Client | None = None,
         clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
         limiter: RateLimiter | None = None, timeout: float = 10.0,
         backoff: Sequence[float] = BACKOFF) -> PostResult:
    """Post ``text`` (markdown lines) to the group of ``webhook`` on ``platform`` (dingtalk, feishu or wecom).

    Raises RobotError (exit code 2) with the robot's own message when it refuses or cannot be reached.
    """
    robot = platform_named(platform)
    if robot is None:
        raise RobotError(f"未知的群机器人平台“{platform}”：可选 {'、'.join(PLATFORMS)}")
    if not webhook.startswith(("https://", "http://")):
        raise RobotError(f"{robot.label}机器人的 Webhook 地址应以 https:// 开头：{mask(webhook)}")
    split = fit(robot, text, title=title, max_messages=max_messages, trailer=trailer)
    limiter = limiter or RateLimiter(clock=clock, sleep=sleep)
    hidden = secrets_of(webhook, secret)
    sizes = []
    own = client is None
    http = httpx.Client(timeout=timeout) if client is None else client
    try:
        with quiet_logs(hidden):
            for i, piece in enumerate(split.pieces, 1):
                part = f"{title}（{i}/{len(split.pieces)}）" if len(split.pieces) > 1 else title
                try:
                    sizes.append(_send(http, robot, webhook, robot.build_body(piece, part), secret, hidden,
                                       clock=clock, sleep=sleep, limiter=limiter, backoff=backoff))
                except RobotError as exc:
                    if not sizes:
                        raise
                    done = f"（前 {len(sizes)} 条已发送，第 {i} 条起未发送）"
                    raise RobotError(f"{exc}{done}", errcode=exc.errcode) from None
    finally:
        if own:
            http.close()
    return PostResult(robot.name, len(sizes), tuple(sizes), split.omitted)


def _send(http: httpx.Client, robot: Platform, webhook: str, body: Body, secret: str | None, hidden: list[str], *,
          clock: Callable[[], float], sleep: Callable[[float], None], limiter: RateLimiter,
          backoff: Sequence[float]) -> int:
    """One message: signed afresh on each try, within the rate, retried on a network failure; its body's bytes."""
    failure = ""
    for attempt in range(len(backoff) + 1):
        if attempt:
            sleep(backoff[attempt - 1])
        limiter.acquire()  # before signing: a minute's wait does not age the timestamp
        url, signed = robot.sign(webhook, body, secret, clock())
        data = encode(signed)
        try:
            reply = http.post(url, content=data, headers={"Content-Type": "application/json"})
        except (httpx.TimeoutException, httpx.NetworkError) as exc:
            failure = redact(f"{type(exc).__name__}: {exc}", [*hidden, *secrets_of(url)])
            continue
        except httpx.HTTPError as exc:
            failure = redact(f"{type(exc).__name__}: {exc}", [*hidden, *secrets_of(url)])
            break
        _check(robot, reply, [*hidden, *secrets_of(url)])
        return len(data)
    raise RobotError(f"无法连接{robot.label}机器人（{mask(webhook)}，已尝试 {attempt + 1} 次）：{failure}")


def _check(robot: Platform, reply: httpx.Response, hidden: list[str]) -> None:
    """Raise RobotError unless the robot answered 200 with error code 0; the message quotes the robot."""
    said = redact(reply.text[:300], hidden)
    if reply.status_code != 200:
        raise RobotError(f"{robot.label}机器人拒绝了消息（HTTP {reply.status_code}）：{said}")
    try:
        answer: Any = reply.json()
    except ValueError:
        raise RobotError(f"{robot.label}机器人的答复不是 JSON：{said}") from None
    code, message = robot.answer(answer)
    if code != 0:
        said, hint = redact(message, hidden), _HINTS.get(code, "")
        raise RobotError(f"{robot.label}机器人拒绝了消息（错误码 {code}）：{said}{hint}", errcode=code)


def _size(robot: Platform, text: str, title: str) -> int:
    """The bytes of the signed request body ``text`` makes (a signature is as long whatever the secret)."""
    return len(encode(robot.sign("https://x", robot.build_body(text, title), "x", 9_999_999_999.0)[1]))


#: What to do about the refusals people meet when setting a robot up.
_HINTS = {
    310000: "。请核对机器人“加签”的密钥、关键词或 IP 白名单，并校准本机时间",
    19021: "。请核对机器人“签名校验”的密钥，并校准本机时间（时间戳须在 1 小时内）",
    93000: "。Webhook 地址中的 key 无效：请从企业微信群机器人处重新复制地址",
}
