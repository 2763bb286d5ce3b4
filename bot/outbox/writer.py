"""Group commit for the sender's small writes.

Each send needs two tiny transactions (``sending`` before the call, the outcome after). One
transaction per write made SQLite the bottleneck: about 11 ms each under load, occasionally
far more while another connection held the write lock, and the ``sending`` mark sits on the
critical path between two paced sends. Here every write queued while a transaction runs joins
the next one: a send's ``sending`` mark and the previous send's outcome usually share one
commit. A caller's write is durable when its ``await`` returns, exactly as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from storage.repositories.outbox import SqlOutboxRepository
from storage.retry import retry_transaction
from storage.store import Storage

Change = Callable[[SqlOutboxRepository], Awaitable[Any]]


class GroupWriter:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._queue: list[tuple[Change, asyncio.Future[Any]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def write(self, change: Change) -> Any:
        """Apply ``change`` in the next group transaction; its result once committed."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((change, future))
        self._wake.set()
        return await future

    async def close(self) -> None:
        """Stop; writes still queued fail (as they would have in a crash)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for _, future in self._queue:
            if not future.done():
                future.set_exception(RuntimeError("the outbox writer was closed"))
        self._queue.clear()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch, self._queue = self._queue, []
            if not batch:
                continue
            try:
                results = await retry_transaction(functools.partial(self._apply, batch))
            except Exception as error:  # handed to every waiting caller
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _apply(self, batch: list[tuple[Change, asyncio.Future[Any]]]) -> list[Any]:
        async with self._storage.uow() as uow:
            results = [await change(uow.outbox) for change, _ in batch]
            await uow.commit()
            return results
