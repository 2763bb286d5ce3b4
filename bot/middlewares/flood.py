"""Outer update middleware: a per-person token bucket against message floods.

Telegram limits what a bot sends, not what a person sends: one account can push dozens of
updates a second (a stuck key, a script), and each one costs a transaction and a reply while
everyone else waits. Each person has a bucket of ``burst`` tokens refilled at ``per_second``;
an update that finds the bucket empty is dropped before it reaches the database. The first drop
in a ``warn_every`` window gets one polite warning (Fluent ``flood-warning``); the others are
silent, so the limiter never becomes a way to make the bot flood the chat itself.

A redelivered copy of an update this person's bucket already paid for passes free (the unit of
work then recognises it as a duplicate): Telegram's redeliveries must not eat the tokens of
the updates that follow. A dropped update is acknowledged like a handled one (it was
deliberately ignored). People who
type and tap at a human pace never come near the limit, nor do the end-to-end tests' scripted
people: the default allows a burst of 60 and a sustained rate of two updates a second.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update, User

from bot.metrics import Metrics
from dialogs.i18n import normalise_language, translate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FloodLimits:
    burst: float = 60.0
    per_second: float = 2.0
    warn_every: float = 30.0  # seconds: at most one warning per person per window
    max_people: int = 10_000  # forget idle buckets beyond this many
    remembered_updates: int = 64  # per person: recent update ids whose copies pass free


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned_at: float | None = None
    seen: deque[int] = field(default_factory=deque)


class FloodLimiter:
    """The buckets; ``take`` says whether to handle, and whether to warn when not."""

    def __init__(self, limits: FloodLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._buckets: dict[int, _Bucket] = {}
        self.dropped = 0
        self.warnings = 0

    def take(self, person: int, update_id: int) -> tuple[bool, bool]:
        """(handle it, warn now)."""
        limits, now = self.limits, self._clock()
        bucket = self._buckets.get(person)
        if bucket is None:
            if len(self._buckets) >= limits.max_people:
                self._forget_idle(now)
            bucket = self._buckets[person] = _Bucket(limits.burst, now)
        if update_id in bucket.seen:  # a redelivery of one we let through: free
            return True, False
        bucket.tokens = min(limits.burst, bucket.tokens + (now - bucket.at) * limits.per_second)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.seen.append(update_id)
            if len(bucket.seen) > limits.remembered_updates:
                bucket.seen.popleft()
            return True, False
        self.dropped += 1
        if bucket.warned_at is None or now - bucket.warned_at >= limits.warn_every:
            bucket.warned_at = now
            self.warnings += 1
            return False, True
        return False, False

    def _forget_idle(self, now: float) -> None:
        """Drop the buckets that have refilled: forgetting them changes nothing."""
        limits = self.limits
        self._buckets = {
            person: bucket
            for person, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.at) * limits.per_second < limits.burst
        }


def _sender(update: Update) -> tuple[User, int] | None:
    """The person behind a private message, edit or button tap, with the chat to warn in."""
    message = update.message or update.edited_message
    if message is not None and message.from_user is not None and message.chat.type == "private":
        return message.from_user, message.chat.id
    query = update.callback_query
    if query is not None and query.message is not None and query.message.chat.type == "private":
        return query.from_user, query.message.chat.id
    return None


class FloodMiddleware(BaseMiddleware):
    def __init__(self, limiter: FloodLimiter, metrics: Metrics) -> None:
        self.limiter = limiter
        self._metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        sender = _sender(event)
        if sender is None:
            return await handler(event, data)
        user, chat_id = sender
        handle, warn = self.limiter.take(user.id, event.update_id)
        if handle:
            return await handler(event, data)
        bot: Bot = data["bot"]
        if event.callback_query is not None:
            # Answered, or the person's button keeps spinning (no text: the warning is enough).
            try:
                await bot.answer_callback_query(event.callback_query.id)
            except TelegramAPIError as error:
                log.warning("dropped tap not answered: %s", type(error).__name__)
        if warn:
            text = translate(normalise_language(user.language_code), "flood-warning")
            try:
                await bot.send_message(chat_id, text)
            except TelegramAPIError as error:  # a warning is a courtesy: never fail the update
                log.warning("flood warning not sent: %s", type(error).__name__)
        return None
