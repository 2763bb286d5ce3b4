"""Retry a whole transaction when the database asks for it.

PostgreSQL aborts a transaction on a serialization failure (SQLSTATE 40001, e.g. a
concurrent update under REPEATABLE READ) or a deadlock (40P01); the right answer is to run the
*whole* transaction again. SQLite reports "database is locked" when ``busy_timeout`` ran out.

``work`` must open its own unit of work each time it is called, so that every attempt is a
fresh transaction::

    async def record(uow_factory) -> None:
        async with uow_factory() as uow:
            ...
            await uow.commit()

    await retry_transaction(lambda: record(storage.uow))

Never wrap something with effects outside the database (a sent message): it would repeat.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

T = TypeVar("T")

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def is_retryable(error: BaseException) -> bool:
    """True for errors after which running the same transaction again may well succeed."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if sqlstate in RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(original)


async def retry_transaction(
    work: Callable[[], Awaitable[T]], *, attempts: int = 5, first_delay: float = 0.02
) -> T:
    """Run ``work`` until it succeeds, retrying retryable database errors with backoff.

    The delay doubles each time, with jitter so that two clashing workers do not clash again.
    After ``attempts`` tries the last error is raised.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except DBAPIError as error:
            if attempt == attempts or not is_retryable(error):
                raise
            await asyncio.sleep(first_delay * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")
