"""Outer update middleware: skip redeliveries, give handlers this update's unit of work.

It runs inside aiogram's FSM middleware, hence inside the per-user event isolation lock, so
two deliveries of one update never run side by side in one process (and the unique key on
``processed_updates`` settles it across processes).

``processed_updates.replied`` is set once the handler returned, i.e. its replies went out. A
redelivery of an update that committed but never got that far (a sendMessage timeout, a kill
between commit and reply) shows the person's current screen instead (``bot/lost_replies.py``).
"""

from __future__ import annotations

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


class UnitOfWorkMiddleware(BaseMiddleware):
    def __init__(self, storage: Storage, metrics: Metrics) -> None:
        self._storage = storage
        self._metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        async with self._storage.uow() as inner:
            delivery = await inner.updates.delivery(event.update_id)
            if delivery is Delivery.DUPLICATE:
                self._metrics.duplicates += 1
                return None
            if delivery is Delivery.REPLY_LOST:
                await inner.rollback()  # no read transaction held across the Bot API call
                if await reshow_lost_reply(event, data, self._storage.uow):
                    self._metrics.replies_reshown += 1
                await self._mark_replied(inner, event.update_id)
                return None
            scope = UpdateUnitOfWork(inner, event.update_id)
            data["uow_factory"] = scope.factory
            try:
                result = await handler(event, data)
                if not scope.claimed:
                    # Nothing was written: record the update so a redelivery stays silent.
                    if not await inner.updates.claim(event.update_id, replied=True):
                        raise DuplicateUpdate(event.update_id)
                    await inner.commit()
                else:
                    await self._mark_replied(inner, event.update_id)
            except DuplicateUpdate:
                self._metrics.duplicates += 1
                return None
            return result

    async def _mark_replied(self, inner: SqlUnitOfWork, update_id: int) -> None:
        # Best effort: if this fails, a redelivery (if any) shows the screen once more.
        try:
            await inner.updates.mark_replied(update_id)
            await inner.commit()
        except Exception:
            await inner.rollback()
            log.warning("update %s: could not record that its reply went out", update_id)
