"""The webhook's key, token and signing secret kept out of every message, exception and log line.

Whoever holds a robot's webhook URL can post to the group, so the URL is a password: 钉钉's
``access_token`` and 企业微信's ``key`` are in its query, 飞书's token is the last part of its path
(``…/bot/v2/hook/<token>``). :func:`mask` shows a URL without them; :func:`redact` takes them (and the
secret, and any signature) out of a text such as an httpx error, which quotes the URL it failed on;
:func:`quiet_logs` does the same to the lines httpx logs while a post runs (``HTTP Request: POST …``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit, urlunsplit

__all__ = ["HIDDEN", "mask", "quiet_logs", "redact", "secrets_of"]

#: What stands in place of a hidden value.
HIDDEN = "***"

#: The loggers of the HTTP stack that may quote a request's URL.
_LOGGERS = ("httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2")
_HOOK = re.compile(r"(/hook/)[A-Za-z0-9_.~%*-]+")
#: A credential or signature in a URL's query, wherever a URL is quoted (the signed URL is made per message).
_QUERY_SECRET = re.compile(r"([?&](?:access_token|key|sign|timestamp)=)[^&#\s\"'<>]+")


def mask(url: str) -> str:
    """``url`` with every query value and 飞书's hook token as ``***``: safe to print, to log or to put in an error."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return HIDDEN
    query = "&".join(f"{k}={HIDDEN}" for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit((parts.scheme, parts.netloc, _HOOK.sub(rf"\1{HIDDEN}", parts.path), query, ""))


def secrets_of(url: str, *others: str | None) -> list[str]:
    """The strings of ``url`` (its query values, 飞书's token, the URL itself) and ``others`` never to show."""
    found = [url, *(o for o in others if o)]
    try:
        parts = urlsplit(url)
    except ValueError:
        return found
    found += [v for _, v in parse_qsl(parts.query, keep_blank_values=True) if v]
    found += [m.group(0)[len("/hook/"):] for m in _HOOK.finditer(parts.path)]
    return found


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret (raw or URL-encoded, as a URL would carry it), 飞书's hook token and the
    ``access_token``, ``key``, ``sign`` and ``timestamp`` of any quoted URL replaced by ``***``."""
    forms = {form for s in secrets if s for form in (s, quote(s, safe=""), quote_plus(s), unquote(s)) if len(form) >= 4}
    for form in sorted(forms, key=len, reverse=True):  # the URL before the token inside it
        text = text.replace(form, mask(form) if form.startswith(("http://", "https://")) else HIDDEN)
    return _HOOK.sub(rf"\1{HIDDEN}", _QUERY_SECRET.sub(rf"\1{HIDDEN}", text))


class _Redacting(logging.Filter):
    """A filter that rewrites a log record's text without the secrets (the record is kept, not dropped)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the record's message once, redacted, so no handler sees the raw arguments."""
        record.msg = redact(record.getMessage(), self.secrets)
        record.args = None
        return True


@contextmanager
def quiet_logs(secrets: list[str]) -> Iterator[None]:
    """While the block runs, what httpx and httpcore log carries no secret (their records quote the URL)."""
    guard = _Redacting(secrets)
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    for logger in loggers:
        logger.addFilter(guard)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(guard)
