"""In-process counters the runtime keeps, for tests, benchmarks and the health endpoint.

aiogram logs handler exceptions and swallows them; these counters make failures visible.
``bot/ops.py`` turns them into Prometheus text at ``/metrics``.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from typing import Any

# Seconds. Handling one update is a few database round trips; 50 ms is the interactive target
# (issue #10), and anything past a few seconds means a database or Bot API in trouble.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Histogram:
    """A cumulative-bucket histogram as Prometheus wants it (``le`` upper bounds, +Inf last)."""

    bounds: tuple[float, ...] = LATENCY_BUCKETS
    # counts[i]: observations <= bounds[i] but > bounds[i-1]; the last slot is above all bounds.
    counts: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS) + 1))
    total: float = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, seconds)] += 1
        self.total += seconds

    @property
    def count(self) -> int:
        return sum(self.counts)


@dataclass
class Metrics:
    updates_handled: int = 0
    duplicates: int = 0
    handler_errors: int = 0
    request_retries: int = 0
    # 429 answers to the bot's own replies (waited out by bot.middlewares.retry).
    rate_limited: int = 0
    # answerCallbackQuery refused as too late (bot.middlewares.stale_callbacks): dropped.
    stale_callback_answers: int = 0
    # An update handled again because the database was busy (bot/feed.py), not a failure.
    busy_retries: int = 0
    # A reply refused with 403 (the person blocked the bot): the update counts as handled.
    unreachable_replies: int = 0
    # A redelivered update whose reply had been lost: the person's screen shown again.
    replies_reshown: int = 0
    # Seconds to handle one update, retries included (bot/feed.py).
    handler_latency: Histogram = field(default_factory=Histogram)

    def snapshot(self) -> dict[str, Any]:
        """Plain JSON-ready values (shared between workers through Redis by ``bot/ops.py``)."""
        return asdict(self)
