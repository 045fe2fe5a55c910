"""Group robots: the daily report posted to a 钉钉, 飞书 or 企业微信 group through its webhook.

A layer of its own beside ``engine`` and ``ooxml``: it knows text, HTTP and the three robots, and
nothing of workbooks (no pandas, model, engine or ooxml; only ``xlpromo.errors``). httpx does the
HTTP; every client, clock and sleep can be given, so tests post to a local server in no time.

    post(platform, webhook, text, *, secret=None, title="日报", …) -> PostResult
    split_message(text, limit_bytes, max_messages) -> list[str]
    mask(url) -> str
"""

from __future__ import annotations

from xlpromo.robots.limiter import RateLimiter
from xlpromo.robots.masking import mask, redact
from xlpromo.robots.platforms import PLATFORMS, Platform, dingtalk_sign, feishu_sign, platform_named
from xlpromo.robots.post import BACKOFF, PostResult, encode, fit, post
from xlpromo.robots.split import DEFAULT_TRAILER, Split, plan_messages, split_message

__all__ = [
    "BACKOFF",
    "DEFAULT_TRAILER",
    "PLATFORMS",
    "Platform",
    "PostResult",
    "RateLimiter",
    "Split",
    "dingtalk_sign",
    "encode",
    "feishu_sign",
    "fit",
    "mask",
    "plan_messages",
    "platform_named",
    "post",
    "redact",
    "split_message",
]
