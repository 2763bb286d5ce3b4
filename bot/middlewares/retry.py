"""Bot API session middleware: wait out 429s and retry 5xx answers.

aiogram has no limiter or retry of its own. Telegram's only correct reaction to 429 is to
wait ``retry_after`` seconds; 5xx answers are retried with exponential backoff. Network
timeouts are *not* retried here: whether the message went out is unknown, and a second copy
is worse for a citizen than the outbox's own bookkeeping (which handles bulk sends).
"""

from __future__ import annotations

import asyncio
import random
from typing import TYPE_CHECKING

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.metrics import Metrics

if TYPE_CHECKING:
    from aiogram import Bot


class RetryMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        metrics: Metrics,
        *,
        max_attempts: int = 6,
        max_rate_limited: int = 20,
        base_delay: float = 0.5,
        max_delay: float = 20.0,
        max_retry_after: float = 120.0,
    ) -> None:
        self._metrics = metrics
        self._max_attempts = max_attempts
        # 429s have their own, larger budget: each one is Telegram saying exactly when to come
        # back, and under 30% 429s plus 10% 5xx six attempts in all failed about 1 send in 250.
        self._max_rate_limited = max_rate_limited
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._max_retry_after = max_retry_after

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        long_poll = isinstance(method, GetUpdates)  # not an if: keeps mypy's generic type
        if long_poll:
            # The polling loop has its own backoff and must not sleep inside a long poll.
            return await make_request(bot, method)
        attempt = 1  # server errors
        rate_limited = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                rate_limited += 1
                self._metrics.rate_limited += 1
                if (
                    rate_limited >= self._max_rate_limited
                    or error.retry_after > self._max_retry_after
                ):
                    raise
                delay = float(error.retry_after)
            except TelegramServerError:
                if attempt >= self._max_attempts:
                    raise
                delay = min(self._max_delay, self._base_delay * 2 ** (attempt - 1))
                delay *= 1 + random.random() * 0.2  # jitter: don't retry in lockstep
                attempt += 1
            self._metrics.request_retries += 1
            await asyncio.sleep(delay)
