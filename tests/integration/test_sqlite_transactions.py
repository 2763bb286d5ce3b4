"""SQLite: no COMMIT or ROLLBACK is sent when no transaction is open (storage/database.py).

Python's sqlite3 would do nothing for them anyway, but each was a round trip to aiosqlite's
thread, and SQLAlchemy makes two per session that ends (its own, then the pool's reset): 4 to
12 per citizen update, most after blocks that only read. What must still hold: a write is
rolled back or committed for real, and the write gate passes on either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine

ROWS = sa.text("INSERT INTO t (x) VALUES (:x)")


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'tx.db'}")
    async with made.begin() as connection:
        await connection.execute(sa.text("CREATE TABLE t (x INTEGER PRIMARY KEY)"))
    try:
        yield made
    finally:
        await made.dispose()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """COMMIT and ROLLBACK calls that reach the driver (aiosqlite's thread)."""
    calls: list[str] = []
    commit, rollback = (
        AsyncAdapt_aiosqlite_connection.commit,
        AsyncAdapt_aiosqlite_connection.rollback,
    )

    def counted_commit(self: AsyncAdapt_aiosqlite_connection) -> None:
        calls.append("COMMIT")
        commit(self)

    def counted_rollback(self: AsyncAdapt_aiosqlite_connection) -> None:
        calls.append("ROLLBACK")
        rollback(self)

    monkeypatch.setattr(AsyncAdapt_aiosqlite_connection, "commit", counted_commit)
    monkeypatch.setattr(AsyncAdapt_aiosqlite_connection, "rollback", counted_rollback)
    return calls


async def _values(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        return [row.x for row in await connection.execute(sa.text("SELECT x FROM t ORDER BY x"))]


async def test_reads_send_neither_commit_nor_rollback(engine: AsyncEngine, sent: list[str]) -> None:
    async with engine.connect() as connection:
        await connection.execute(sa.text("SELECT count(*) FROM t"))
        await connection.rollback()
        await connection.execute(sa.text("SELECT count(*) FROM t"))
        await connection.commit()
    assert sent == []


async def test_writes_are_still_committed_and_rolled_back(
    engine: AsyncEngine, sent: list[str]
) -> None:
    async with engine.connect() as connection:
        await connection.execute(ROWS, {"x": 1})
        await connection.rollback()
        await connection.execute(ROWS, {"x": 2})
        await connection.commit()
    assert sent == ["ROLLBACK", "COMMIT"]
    assert await _values(engine) == [2]


async def test_the_write_gate_passes_on_after_a_failed_write(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(ROWS, {"x": 1})
    with pytest.raises(sa.exc.IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(ROWS, {"x": 1})  # the same key: refused

    async def another_writer() -> None:
        async with engine.begin() as connection:
            await connection.execute(ROWS, {"x": 3})

    await asyncio.wait_for(another_writer(), 5)  # would wait 120 s with the gate still held
    assert await _values(engine) == [1, 3]
