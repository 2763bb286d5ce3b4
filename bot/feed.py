"""Feed one update to the dispatcher, running it again when the database was only busy.

Under a burst (hundreds of citizens at once on SQLite) a write can wait longer than
``busy_timeout`` and fail with "database is locked"; on PostgreSQL a serialization failure or a
deadlock asks for the same. The update's transaction was rolled back and ``processed_updates``
not claimed, so handling the whole update again is exactly what a redelivery would do — only
without failing the update, stalling the polling loop for a second or answering 500 to the
webhook. Other errors, and a database still busy after the last attempt, are raised.
Between two attempts aiogram's per-person lock is free, so the same person's next update could
go first: the poller (``bot/polling.py``) starts a person's update only once their previous one
finished.

A reply refused with 403 (the person blocked the bot, or deleted their account) can never be
delivered: the update counts as handled (whatever it committed stands) instead of failing. A
failed update holds the polling offset, so one such person used to have their update handled
again every second forever, and once 100 updates queued behind it the bot stalled for everyone.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import Update

from bot.metrics import Metrics
from storage.retry import is_retryable

log = logging.getLogger(__name__)

ATTEMPTS = 5
FIRST_DELAY = 0.05


async def feed_update(dispatcher: Dispatcher, bot: Bot, update: Update, metrics: Metrics) -> None:
    started = time.perf_counter()
    try:
        await _feed_with_retries(dispatcher, bot, update, metrics)
    finally:
        # Failures too: a handler that times out after 10 s is what the histogram is for.
        metrics.handler_latency.observe(time.perf_counter() - started)


async def _feed_with_retries(
    dispatcher: Dispatcher, bot: Bot, update: Update, metrics: Metrics
) -> None:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            await dispatcher.feed_update(bot, update)
            return
        except TelegramForbiddenError:
            metrics.unreachable_replies += 1
            log.warning("update %s: the person blocked the bot; reply dropped", update.update_id)
            return
        except Exception as error:
            if attempt == ATTEMPTS or not is_retryable(error):
                raise
            metrics.busy_retries += 1
            log.warning("update %s: database busy, handling it again", update.update_id)
        # Jitter, so that the updates that clashed do not clash again.
        await asyncio.sleep(FIRST_DELAY * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
