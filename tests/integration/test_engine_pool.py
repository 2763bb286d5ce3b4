"""The engine keeps its connections (storage/database.py, ``POOL_SIZE``).

SQLAlchemy's default pool closed every connection beyond 5 after each use, so a bot under load
opened (and, with aiosqlite, started a thread for) a connection per update. Now every
connection opened is kept, and the most open at once is the same as before.
"""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from storage.database import POOL_SIZE, create_engine
from storage.store import Storage


async def _busy(storage: Storage, users: int, rounds: int) -> int:
    """Run ``rounds`` of ``users`` concurrent units of work; how many connections were opened."""
    opened = 0

    def count(*_args: object) -> None:
        nonlocal opened
        opened += 1

    sa.event.listen(storage.engine.sync_engine, "connect", count)

    async def one() -> None:
        async with storage.uow() as uow:
            await uow.participants.get_by_pseudonym("nobody")
            await asyncio.sleep(0.01)  # hold the connection while the others take theirs

    for _ in range(rounds):
        await asyncio.gather(*(one() for _ in range(users)))
    return opened


async def test_connections_are_kept_not_reopened(storage: Storage) -> None:
    opened = await _busy(storage, users=POOL_SIZE, rounds=4)

    # With the default pool (5 kept, 10 more thrown away) this was 5 + 3 × 10 = 35 and more.
    assert 0 < opened <= POOL_SIZE
    assert storage.engine.pool.size() == POOL_SIZE  # type: ignore[attr-defined]


async def test_an_in_memory_database_keeps_its_single_connection() -> None:
    engine = create_engine("sqlite+aiosqlite://")
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(sa.select(1))).scalar() == 1
    finally:
        await engine.dispose()
