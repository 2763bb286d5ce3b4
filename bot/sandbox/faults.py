"""Telegram's flood limits and injected faults, with counters of what happened.

Both are off by default so tests are deterministic. Rate limits follow Telegram's guidance
(about 30 messages/s overall, about 1 message/s per chat with a small burst, 20 messages/min per
group); the answer to exceeding them is 429 with an integer ``retry_after``. Faults (429, 502,
requests that hang and then drop, chats that blocked the bot) are drawn from a seeded generator so
a chaos run can be replayed.
"""

from __future__ import annotations

import math
import random
from collections import Counter, deque
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal


@dataclass
class RateLimits:
    """Telegram's flood limits; ``enabled=False`` (default) lets everything through."""

    enabled: bool = False
    overall_per_second: int = 30
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    per_group_per_minute: int = 20


@dataclass
class FaultConfig:
    """What to inject, per request, drawn from ``random.Random(seed)``.

    ``methods`` limits injection to these Bot API methods (case-insensitive); None means all.
    ``p_timeout`` holds a request for ``timeout_hold`` seconds, then closes the connection
    without doing anything; ``p_lost_response`` does the work (the message IS sent) and then drops
    the answer the same way, which is what makes blind retries send twice.
    ``blocked_chats`` answer 403 "bot was blocked by the user" to every send and edit.
    With ``enforce_retry_after`` a chat that got a 429 keeps getting 429 for the rest of its
    window, as Telegram does.
    """

    seed: int = 0
    p_429: float = 0.0
    retry_after_range: tuple[int, int] = (1, 5)
    p_502: float = 0.0
    p_timeout: float = 0.0
    p_lost_response: float = 0.0
    timeout_hold: float = 5.0
    methods: frozenset[str] | None = None
    blocked_chats: set[int] = field(default_factory=set)
    enforce_retry_after: bool = True

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["retry_after_range"] = list(self.retry_after_range)
        data["methods"] = sorted(self.methods) if self.methods is not None else None
        data["blocked_chats"] = sorted(self.blocked_chats)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        values = dict(data)
        if "retry_after_range" in values:
            low, high = values["retry_after_range"]
            values["retry_after_range"] = (int(low), int(high))
        if values.get("methods") is not None:
            values["methods"] = frozenset(values["methods"])
        if "blocked_chats" in values:
            values["blocked_chats"] = {int(c) for c in values["blocked_chats"]}
        return cls(**values)


@dataclass
class Counters:
    """What the emulator saw; read them in tests and benchmarks, reset with ``reset()``."""

    requests: Counter[str] = field(default_factory=Counter)  # by method, as called
    messages_sent: int = 0  # messages the bot successfully sent (all send* methods)
    messages_edited: int = 0
    messages_from_users: int = 0
    callback_queries: int = 0
    callback_answers: int = 0
    updates_created: int = 0
    updates_delivered: int = 0  # returned by getUpdates or acknowledged by the webhook
    webhook_attempts: int = 0
    webhook_failures: int = 0
    rejected: Counter[str] = field(default_factory=Counter)  # reason → count (faults, limits)
    errors: Counter[int] = field(default_factory=Counter)  # every error answer, by error_code
    sends_in_retry_window: int = 0  # sends to a chat still inside a retry_after it was given
    duplicate_texts: int = 0  # same text sent to the same chat twice in a row

    def reset(self) -> None:
        fresh = Counters()
        for f in fields(self):
            setattr(self, f.name, getattr(fresh, f.name))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["requests"] = dict(self.requests)
        data["rejected"] = dict(self.rejected)
        data["errors"] = {str(code): n for code, n in self.errors.items()}
        return data


Fault = Literal["429", "502", "timeout", "lost_response"]


class FaultInjector:
    """Rolls the configured dice for each request, reproducibly."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self._random = random.Random(config.seed)
        self._methods = (
            None if config.methods is None else frozenset(m.lower() for m in config.methods)
        )

    def roll(self, method: str) -> tuple[Fault, int] | None:
        """The fault to inject into this call (with retry_after for 429), or None."""
        config = self.config
        if self._methods is not None and method.lower() not in self._methods:
            return None
        if not (config.p_429 or config.p_502 or config.p_timeout or config.p_lost_response):
            return None
        draw = self._random.random()
        for kind, probability in (
            ("429", config.p_429),
            ("502", config.p_502),
            ("timeout", config.p_timeout),
            ("lost_response", config.p_lost_response),
        ):
            if draw < probability:
                retry_after = (
                    self._random.randint(*config.retry_after_range) if kind == "429" else 0
                )
                return kind, retry_after  # type: ignore[return-value]
            draw -= probability
        return None


class RateLimiter:
    """Telegram's flood limits for messages the bot sends."""

    def __init__(self, limits: RateLimits | None = None) -> None:
        self.limits = limits or RateLimits()
        self._overall: deque[float] = deque()
        self._chat_buckets: dict[int | str, tuple[float, float]] = {}  # chat → (tokens, at)
        self._groups: dict[int | str, deque[float]] = {}

    def check(self, chat_id: int | str, is_group: bool, now: float) -> int | None:
        """Record one message and return None, or return the retry_after it must wait."""
        limits = self.limits
        if not limits.enabled:
            return None
        overall = self._overall
        while overall and overall[0] <= now - 1.0:
            overall.popleft()
        if len(overall) >= limits.overall_per_second:
            return _seconds(overall[0] + 1.0 - now)

        tokens, at = self._chat_buckets.get(chat_id, (float(limits.per_chat_burst), now))
        tokens = min(float(limits.per_chat_burst), tokens + (now - at) * limits.per_chat_per_second)
        if tokens < 1.0:
            self._chat_buckets[chat_id] = (tokens, now)
            return _seconds((1.0 - tokens) / limits.per_chat_per_second)

        group = self._groups.setdefault(chat_id, deque()) if is_group else None
        if group is not None:
            while group and group[0] <= now - 60.0:
                group.popleft()
            if len(group) >= limits.per_group_per_minute:
                self._chat_buckets[chat_id] = (tokens, now)
                return _seconds(group[0] + 60.0 - now)
            group.append(now)

        self._chat_buckets[chat_id] = (tokens - 1.0, now)
        overall.append(now)
        return None


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))
