"""Outer update middleware: skip redeliveries, give handlers this update's unit of work.

It runs inside aiogram's FSM middleware, hence inside the per-user event isolation lock, so
two deliveries of one update never run side by side in one process (and the unique key on
``processed_updates`` settles it across processes).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.metrics import Metrics
from bot.update_scope import DuplicateUpdate, UpdateUnitOfWork
from storage.store import Storage


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
            if await inner.updates.is_processed(event.update_id):
                self._metrics.duplicates += 1
                return None
            scope = UpdateUnitOfWork(inner, event.update_id)
            data["uow_factory"] = scope.factory
            try:
                result = await handler(event, data)
                if not scope.claimed:
                    # Nothing was written: record the update so a redelivery stays silent.
                    async with scope:
                        await scope.commit()
            except DuplicateUpdate:
                self._metrics.duplicates += 1
                return None
            return result
