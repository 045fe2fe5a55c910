"""The three group robots as data: each one's limit, message body, signature and answer.

- 钉钉 (DingTalk) custom robot: ``{"msgtype": "markdown", "markdown": {"title", "text"}}`` (a plain line
  ends with two spaces, or 钉钉 runs it into the next); with 加签 the
  URL gets ``&timestamp=<ms>&sign=<sign>``, sign = URL-encoded Base64 of HmacSHA256, keyed by the
  secret, of ``timestamp + "\\n" + secret``. It answers ``{"errcode": 0, "errmsg": "ok"}``
  (310000: sign or keyword mismatch).
- 飞书 (Feishu/Lark) custom bot: an ``interactive`` card whose div is ``lark_md`` (which has no ``#``
  headings: they become bold lines); with 签名校验 the body gets ``timestamp`` (seconds, a string)
  and ``sign`` = Base64 of HmacSHA256 keyed by ``timestamp + "\\n" + secret`` over an empty message.
  It answers ``{"code": 0, …}`` (19021: sign mismatch or a timestamp more than an hour off).
- 企业微信 (WeCom) group robot: ``{"msgtype": "markdown", "markdown": {"content"}}``, the ``key`` in
  the URL and no signature; content at most 4,096 UTF-8 bytes. It answers ``{"errcode": 0, …}``
  (93000: invalid webhook key; 40058: a parameter out of range, such as the content's length).

Limits: 企业微信 counts the markdown content; 飞书 the request body (20 KB); 钉钉 documents none
for markdown and about 20,000 bytes is the figure in use, taken here for the whole body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote_plus

__all__ = ["PLATFORMS", "Platform", "dingtalk_sign", "feishu_sign", "platform_named"]

Body = dict[str, Any]
#: ``sign(url, body, secret, now)`` → the URL and body to send, signed at ``now`` (seconds since the epoch).
Signer = Callable[[str, Body, str | None, float], tuple[str, Body]]


@dataclass(frozen=True)
class Platform:
    """One robot: its names, what its limit counts, how a message is written, signed and answered."""

    name: str
    label: str  # the name the group knows it by, for messages
    limit: int  # bytes
    counts: Literal["content", "body"]  # what the limit is measured on: the markdown text or the whole request
    adapt: Callable[[str], str]  # the report's markdown lines in the robot's dialect, line for line
    build_body: Callable[[str, str], Body]  # (text, title) → the JSON body, unsigned
    sign: Signer
    answer: Callable[[Any], tuple[int, str]]  # the answer's JSON → (error code, 0 when accepted; its message)


def dingtalk_sign(timestamp_ms: str, secret: str) -> str:
    """钉钉's signature, Base64 (not yet URL-encoded) of HmacSHA256(secret, ``timestamp\\nsecret``)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(timestamp_s: str, secret: str) -> str:
    """飞书's signature: Base64 of HmacSHA256 keyed by ``timestamp\\nsecret`` over an empty message."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def platform_named(name: str) -> Platform | None:
    """The platform called ``name`` (case and spaces aside; ``lark`` is 飞书), or None."""
    return PLATFORMS.get(_ALIASES.get(name.strip().lower(), name.strip().lower()))


def _sign_dingtalk(url: str, body: Body, secret: str | None, now: float) -> tuple[str, Body]:
    """钉钉: ``&timestamp=…&sign=…`` appended to the webhook URL (after its ``access_token``)."""
    if not secret:
        return url, body
    ts = str(int(now * 1000))
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={quote_plus(dingtalk_sign(ts, secret))}", body


def _sign_feishu(url: str, body: Body, secret: str | None, now: float) -> tuple[str, Body]:
    """飞书: ``timestamp`` and ``sign`` first in the JSON body."""
    if not secret:
        return url, body
    ts = str(int(now))
    return url, {"timestamp": ts, "sign": feishu_sign(ts, secret), **body}


def _unsigned(url: str, body: Body, secret: str | None, now: float) -> tuple[str, Body]:
    """企业微信: the key in the URL is all; a secret given anyway is not used."""
    return url, body


def _errcode(answer: Any) -> tuple[int, str]:
    """钉钉's and 企业微信's ``errcode``/``errmsg``."""
    if not isinstance(answer, dict):
        return -1, str(answer)
    return int(answer.get("errcode", 0) or 0), str(answer.get("errmsg", ""))


def _feishu_code(answer: Any) -> tuple[int, str]:
    """飞书's ``code``/``msg`` (older bots answered ``StatusCode``/``StatusMessage``)."""
    if not isinstance(answer, dict):
        return -1, str(answer)
    code = answer.get("code", answer.get("StatusCode", 0))
    return int(code or 0), str(answer.get("msg", answer.get("StatusMessage", "")))


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.M)


def _lark_md(text: str) -> str:
    """飞书's lark_md shows ``#`` literally: a heading becomes a bold line."""
    return _HEADING.sub(lambda m: f"**{m.group(1)}**" if m.group(1) else "", text)


_BLOCK = re.compile(r"^\s*(#{1,6}\s|[-*+]\s|\d+\.\s|>|$)")


def _hard_breaks(text: str) -> str:
    """钉钉's markdown joins plain lines into one paragraph: two spaces end each (headings, bullets and
    blank lines break already), as 钉钉's guide advises for a line break."""
    return "\n".join(line if _BLOCK.match(line) or line.endswith("  ") else f"{line}  " for line in text.split("\n"))


def _same(text: str) -> str:
    """企业微信's markdown reads ``#`` headings, ``- `` bullets and ``**bold**`` as written."""
    return text


PLATFORMS: dict[str, Platform] = {
    "dingtalk": Platform(
        "dingtalk", "钉钉", 20_000, "body", _hard_breaks,
        lambda text, title: {"msgtype": "markdown", "markdown": {"title": title, "text": text}},
        _sign_dingtalk, _errcode),
    "feishu": Platform(
        "feishu", "飞书", 20_000, "body", _lark_md,
        lambda text, title: {"msg_type": "interactive", "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": title}},
            "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": text}}]}},
        _sign_feishu, _feishu_code),
    "wecom": Platform(
        "wecom", "企业微信", 4096, "content", _same,
        lambda text, title: {"msgtype": "markdown", "markdown": {"content": text}},
        _unsigned, _errcode),
}
_ALIASES = {"lark": "feishu", "ding": "dingtalk", "wework": "wecom", "钉钉": "dingtalk", "飞书": "feishu",
            "企业微信": "wecom"}
