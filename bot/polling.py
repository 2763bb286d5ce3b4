"""Long polling that confirms an update only after its effects are committed.

aiogram's own polling confirms each update (the next ``getUpdates`` offset) as soon as it is
*read*, and with ``handle_as_tasks`` before it is handled, so a crash loses it. Here a batch
is handled concurrently (per-user isolation keeps each person's updates in order), and the
offset moves past an update only once it and every update before it were handled. An update
whose handling failed (a database outage, say) is fetched again after a backoff; those that
did commit are recognised as duplicates by ``processed_updates``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.feed import feed_update
from bot.metrics import Metrics
from bot.middlewares.unit_of_work import SOLE_RECEIVER

log = logging.getLogger(__name__)


class Poller:
    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        metrics: Metrics,
        *,
        timeout: int = 25,
        allowed_updates: list[str] | None = None,
    ) -> None:
        self._dispatcher = dispatcher
        # The only receiver of the bot's updates: new ids need no processed_updates look-up.
        dispatcher[SOLE_RECEIVER] = True
        self._bot = bot
        self._metrics = metrics
        self._timeout = timeout
        self._allowed_updates = allowed_updates
        self._offset: int | None = None
        self._stopping = asyncio.Event()
        self._fetch: asyncio.Task[list[Update]] | None = None

    async def _handle(self, update: Update) -> bool:
        try:
            await feed_update(self._dispatcher, self._bot, update, self._metrics)
        except Exception as error:  # counted and retried, never fatal
            self._metrics.handler_errors += 1
            # Type only: an exception's message can quote what a citizen wrote.
            log.error("update %s failed: %s", update.update_id, type(error).__name__)
            return False
        self._metrics.updates_handled += 1
        return True

    async def run(self) -> None:
        backoff = 0.5
        while not self._stopping.is_set():
            method = GetUpdates(
                offset=self._offset, timeout=self._timeout, allowed_updates=self._allowed_updates
            )
            self._fetch = asyncio.create_task(self._bot(method, request_timeout=self._timeout + 10))
            try:
                updates = await self._fetch
            except asyncio.CancelledError:
                if self._stopping.is_set():
                    break
                raise
            except (TelegramNetworkError, TelegramAPIError) as error:
                log.warning(
                    "getUpdates failed (%s); retrying in %.1f s", type(error).__name__, backoff
                )
                await self._sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = 0.5
            if not updates:
                continue
            results = await asyncio.gather(*(self._handle(update) for update in updates))
            for update, handled in zip(updates, results, strict=True):
                if not handled:
                    break
                self._offset = update.update_id + 1
            if not all(results):
                await self._sleep(1.0)
        await self._confirm()

    async def _confirm(self) -> None:
        """Tell the server which updates are done, so a restart does not see them again."""
        if self._offset is None:
            return
        try:
            await self._bot(GetUpdates(offset=self._offset, timeout=0, limit=1))
        except TelegramAPIError:  # the next start re-reads them; duplicates are harmless
            log.warning("could not confirm the last updates before stopping")

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    def stop(self) -> None:
        """Stop fetching; a batch being handled finishes first (``run`` then returns)."""
        self._stopping.set()
        if self._fetch is not None and not self._fetch.done():
            self._fetch.cancel()
