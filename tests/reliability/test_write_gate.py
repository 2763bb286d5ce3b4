"""SQLite's in-process write queue (``storage.database.WriteGate``) on a real database file.

The load test shows its effect ("database is locked" 0 with 200 citizens at once); these pin
down its rules: a writer waits its turn however long (past ``busy_timeout``) instead of failing,
the turn passes on at commit, at rollback and when a task is cancelled mid-transaction, and
readers never queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.database import SQLITE_BUSY_TIMEOUT_MS, create_engine

ROWS = sa.text("INSERT INTO t (x) VALUES (:x)")


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'gate.db'}")
    async with made.begin() as connection:
        await connection.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    try:
        yield made
    finally:
        await made.dispose()


async def _values(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        return [row.x for row in await connection.execute(sa.text("SELECT x FROM t ORDER BY x"))]


async def _hold(engine: AsyncEngine, taken: asyncio.Event, release: asyncio.Event) -> None:
    async with engine.begin() as connection:
        await connection.execute(ROWS, {"x": 1})
        taken.set()
        await release.wait()


async def test_a_writer_waits_its_turn_past_busy_timeout_instead_of_failing(
    engine: AsyncEngine,
) -> None:
    taken, release = asyncio.Event(), asyncio.Event()
    holder = asyncio.create_task(_hold(engine, taken, release))
    await taken.wait()

    async def second() -> None:
        async with engine.begin() as connection:
            await connection.execute(ROWS, {"x": 2})

    waiting = asyncio.create_task(second())
    await asyncio.sleep(SQLITE_BUSY_TIMEOUT_MS / 1000 + 1.0)  # past busy_timeout
    assert not waiting.done(), "queued, neither failed nor let in beside the holder"
    release.set()
    await asyncio.wait_for(asyncio.gather(holder, waiting), 10)
    assert await _values(engine) == [1, 2]


async def test_the_turn_passes_on_after_a_rollback_and_after_a_cancelled_task(
    engine: AsyncEngine,
) -> None:
    with pytest.raises(ZeroDivisionError):
        async with engine.begin() as connection:
            await connection.execute(ROWS, {"x": 1})
            raise ZeroDivisionError

    taken, release = asyncio.Event(), asyncio.Event()
    holder = asyncio.create_task(_hold(engine, taken, release))
    await taken.wait()
    holder.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holder

    async with asyncio.timeout(10):
        async with engine.begin() as connection:
            await connection.execute(ROWS, {"x": 3})
    assert await _values(engine) == [3]


async def test_readers_do_not_queue_behind_a_writer(engine: AsyncEngine) -> None:
    taken, release = asyncio.Event(), asyncio.Event()
    holder = asyncio.create_task(_hold(engine, taken, release))
    await taken.wait()
    try:
        async with asyncio.timeout(2):
            assert await _values(engine) == []  # WAL: the committed state, at once
    finally:
        release.set()
        await holder
    assert await _values(engine) == [1]


async def test_many_writers_at_once_all_commit(engine: AsyncEngine) -> None:
    async def write(x: int) -> None:
        connection: AsyncConnection
        async with engine.begin() as connection:
            await connection.execute(sa.text("SELECT count(*) FROM t"))
            await connection.execute(ROWS, {"x": x})
            await asyncio.sleep(0)  # other tasks run while this one holds the turn
            await connection.execute(sa.text("UPDATE t SET x = x WHERE x = :x"), {"x": x})

    await asyncio.wait_for(asyncio.gather(*(write(x) for x in range(200))), 120)
    assert await _values(engine) == list(range(200))
