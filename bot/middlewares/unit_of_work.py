"""Outer update middleware: skip redeliveries, give handlers this update's unit of work.

It runs inside aiogram's FSM middleware, hence inside the per-user event isolation lock, so
two deliveries of one update never run side by side in one process (and the unique key on
``processed_updates`` settles it across processes).

``processed_updates.replied`` is set once the handler returned, i.e. its replies went out. A
redelivery of an update that committed but never got that far (a sendMessage timeout, a kill
between commit and reply) shows the person's current screen instead (``bot/lost_replies.py``).

Two of the three ``processed_updates`` statements an update used to cost are saved (issue #10,
the bot's CPU per update); the claim in the update's own commit stays, and stays the guard:

- **An update known to be new is not looked up.** When this process is the only one receiving
  the bot's updates (long polling: Telegram serves one ``getUpdates`` client at a time;
  ``bot/polling.py`` sets ``SOLE_RECEIVER``), it reads the highest recorded id once. An id above
  that and above every id this process has begun cannot be in ``processed_updates``: only this
  process records ids from then on. (Telegram's ids grow; after a week without updates the next
  one is random, but then it is either at or below the mark, and looked up, or new.) Webhook
  workers always look up. Were the look-up wrongly skipped, the second delivery would still
  fail its claim at commit and be rolled back.
- **Replied marks are written in batches** (``RepliedMarks``), one statement for all the
  updates that finished within ``MARK_DELAY``, instead of an UPDATE and a commit each. Until
  written, a mark is answered from memory, so a redelivery to this process stays silent. A mark
  lost to a crash in that window makes a redelivery show the screen once more: the best effort
  a lost reply already gets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.lost_replies import reshow_lost_reply
from bot.metrics import Metrics
from bot.update_scope import DuplicateUpdate, UpdateUnitOfWork
from storage.repositories.updates import Delivery
from storage.store import Storage
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

# Dispatcher key set by a runner that is the only receiver of the bot's updates (polling).
SOLE_RECEIVER = "sole_update_receiver"
MARK_DELAY = 0.1  # seconds a replied mark may wait to be written with others
MARK_BATCH = 100  # written at once when this many wait


class RepliedMarks:
    """``processed_updates.replied`` of the updates handled here, written together.

    ``add`` queues a mark; the first one queued starts a timer of ``delay`` seconds, after which
    every queued mark is written in one statement (at once when ``batch`` wait). ``in`` tells
    whether an update's mark is queued or being written. ``close`` writes what is left; the
    dispatcher's shutdown calls it, before the storage closes.
    """

    def __init__(
        self, storage: Storage, *, delay: float = MARK_DELAY, batch: int = MARK_BATCH
    ) -> None:
        self._storage = storage
        self.delay = delay
        self._batch = batch
        self._queued: set[int] = set()
        self._writing: set[int] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._writers: set[asyncio.Task[None]] = set()

    def __contains__(self, update_id: object) -> bool:
        return update_id in self._queued or update_id in self._writing

    def add(self, update_id: int) -> None:
        self._queued.add(update_id)
        if len(self._queued) >= self._batch:
            self._start_writing()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.delay, self._start_writing)

    def _start_writing(self) -> None:
        task = asyncio.create_task(self.flush())
        self._writers.add(task)
        task.add_done_callback(self._writers.discard)

    async def flush(self) -> None:
        """Write every queued mark now."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        update_ids, self._queued = self._queued, set()
        if not update_ids:
            return
        self._writing |= update_ids
        try:
            async with self._storage.uow() as uow:
                await uow.updates.mark_many_replied(update_ids)
                await uow.commit()
        except Exception as error:
            # Best effort: a redelivery of one of these (if any) shows the screen once more.
            log.warning(
                "could not record that the replies of %d updates went out (%s)",
                len(update_ids),
                type(error).__name__,
            )
        finally:
            self._writing -= update_ids

    async def close(self) -> None:
        await self.flush()
        while self._writers:
            await asyncio.gather(*self._writers, return_exceptions=True)


class UnitOfWorkMiddleware(BaseMiddleware):
    def __init__(
        self, storage: Storage, metrics: Metrics, *, mark_delay: float = MARK_DELAY
    ) -> None:
        self._storage = storage
        self._metrics = metrics
        self.replied = RepliedMarks(storage, delay=mark_delay)
        # With SOLE_RECEIVER: every id at or below may have been recorded; None until read.
        self._highest: int | None = None
        self._reading_highest = asyncio.Lock()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        update_id = event.update_id
        if update_id in self.replied:  # handled here, its mark not written yet
            self._metrics.duplicates += 1
            return None
        async with self._storage.uow() as inner:
            if not (data.get(SOLE_RECEIVER) and await self._unseen(inner, update_id)):
                delivery = await inner.updates.delivery(update_id)
                if delivery is Delivery.DUPLICATE:
                    self._metrics.duplicates += 1
                    return None
                if delivery is Delivery.REPLY_LOST:
                    await inner.rollback()  # no read transaction held across the Bot API call
                    if await reshow_lost_reply(event, data, self._storage.uow):
                        self._metrics.replies_reshown += 1
                    self.replied.add(update_id)
                    return None
            scope = UpdateUnitOfWork(inner, update_id)
            data["uow_factory"] = scope.factory
            try:
                result = await handler(event, data)
                if not scope.claimed:
                    # Nothing was written: record the update so a redelivery stays silent.
                    if not await inner.updates.claim(update_id, replied=True):
                        raise DuplicateUpdate(update_id)
                    await inner.commit()
                else:
                    self.replied.add(update_id)
            except DuplicateUpdate:
                self._metrics.duplicates += 1
                return None
            return result

    async def _unseen(self, inner: SqlUnitOfWork, update_id: int) -> bool:
        """True when ``update_id`` cannot be recorded yet, so it need not be looked up.

        Only for a sole receiver (see the module's docstring). The id then counts as seen.
        """
        if self._highest is None:
            async with self._reading_highest:
                if self._highest is None:
                    recorded = await inner.updates.highest()
                    self._highest = -1 if recorded is None else recorded
        if update_id > self._highest:
            self._highest = update_id
            return True
        return False
