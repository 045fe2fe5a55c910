"""At most 20 messages a minute per webhook, the rule of 钉钉 and 企业微信 (飞书 allows more).

钉钉 stops a robot that sends more for ten minutes, so the limiter waits rather than lets a post fail:
a sliding window of the times of the last messages, with the clock and the sleep given, so that a
test runs a minute of posting in no time.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """Waits before a message that would be the ``limit + 1``-th within ``window`` seconds."""

    def __init__(self, limit: int = 20, window: float = 60.0, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"a rate of {limit} per {window} s sends nothing")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self.sent: deque[float] = deque()
        self.waited = 0.0

    def acquire(self) -> float:
        """Wait, if needed, until one more message keeps within the rate; record it and return the seconds waited."""
        now = self.clock()
        waited = 0.0
        while True:
            while self.sent and self.sent[0] <= now - self.window:
                self.sent.popleft()
            if len(self.sent) < self.limit:
                break
            wait = self.sent[0] + self.window - now
            self.sleep(wait)
            waited += wait
            now = max(self.clock(), now + wait)  # time has passed even on a clock the sleep did not move
        self.sent.append(now)
        self.waited += waited
        return waited
