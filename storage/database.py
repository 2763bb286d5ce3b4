"""Engines for SQLite (embedded default) and PostgreSQL (production), configured alike.

SQLite gets its pragmas on *every* new connection (they are per connection, not per file):
WAL so readers never block the writer, ``foreign_keys`` so ``ON DELETE CASCADE`` (erasure!)
works at all, ``busy_timeout`` so a second writer waits instead of failing at once, and
``synchronous=NORMAL``, which is durable enough under WAL and much faster.
PostgreSQL gets ``pool_pre_ping`` so a restarted server does not fail the next update.

SQLite has one writer at a time, and its busy handler is not a queue: a waiting writer polls
with growing sleeps, so under a burst (200 citizens answering at once) the latecomers keep
losing to fresher writers and some waited past ``busy_timeout`` ("database is locked", 7–21
times per load run). Every SQLite engine therefore has a ``WriteGate``: one in-process
``asyncio.Lock`` taken just before a transaction's first write and released right after its
COMMIT or ROLLBACK. Writers of this process queue in order without touching SQLite's lock;
``busy_timeout`` is left for other processes (a CLI command, a backup). Reads take no lock.

A COMMIT or ROLLBACK on a SQLite connection with no transaction open is skipped: Python's
sqlite3 does nothing then anyway, but through aiosqlite each call was a round trip to the
connection's thread, and SQLAlchemy makes two per session that ends (the session's own, then
the pool's reset) — 4 to 12 per citizen update, most after blocks that only read.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util import await_only

SQLITE_BUSY_TIMEOUT_MS = 5000
# Connections an engine keeps open: the most it may use at once (SQLAlchemy's default is 5
# kept plus 10 opened and closed for each use beyond).
POOL_SIZE = 15
# How long a writer of this process waits for its turn. Generous: the queue is fair, so a long
# wait means a long queue (each turn is one short transaction), not a writer that lost races.
SQLITE_WRITE_QUEUE_TIMEOUT_S = 120.0

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous=NORMAL",
)

# Statements that write. Python's sqlite3 opens its (deferred) transaction right before the
# first INSERT, UPDATE, DELETE or REPLACE, so reads before it run on their own and the
# transaction's write lock is taken by its very first statement: no stale snapshot to upgrade,
# which is what makes a lock taken at that moment sufficient. DDL (migrations) queues too; a
# statement missed here only meets busy_timeout, as before, while a read wrongly taken for a
# write would make writers wait for the reader's session: hence a list of writes, not of reads.
_WRITE = re.compile(
    r"\s*(?:(?:INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b"
    r"|WITH\b.*\b(?:INSERT|UPDATE|DELETE|REPLACE)\b)",
    re.IGNORECASE | re.DOTALL,
)


def _set_sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _raw(connection: Any) -> Any:
    """The DBAPI connection under a pool's proxy (SQLAlchemy hands out either)."""
    return getattr(connection, "dbapi_connection", connection)


def _in_transaction(dbapi_connection: Any) -> bool:
    """Whether SQLite has a transaction open on this connection (True when unsure).

    ``sqlite3.Connection.in_transaction`` is SQLite's own flag (not autocommit), the very test
    sqlite3's ``commit()``/``rollback()`` make before doing anything; aiosqlite's connection
    (SQLAlchemy's ``driver_connection``) reads it without a trip to its thread.
    """
    raw = _raw(dbapi_connection)
    driver = getattr(raw, "driver_connection", raw)
    try:
        return bool(driver.in_transaction)
    except (AttributeError, ValueError):  # another driver, or a closed connection
        return True


class WriteGate:
    """One writing transaction at a time per SQLite engine, in arrival order.

    ``holder`` is the DBAPI connection whose transaction holds the lock. A second connection
    wanting to write from the *same* asyncio task as the holder would wait for itself forever;
    it goes through without the lock and meets ``busy_timeout`` as before (a programming error,
    reported as "database is locked" rather than hanging).
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self.holder: Any = None
        self._holder_task: asyncio.Task[Any] | None = None

    def before_execute(self, connection: Any, statement: str) -> None:
        dbapi_connection = _raw(connection)
        if self.holder is dbapi_connection or not _WRITE.match(statement):
            return
        task = asyncio.current_task()
        if task is not None and task is self._holder_task:
            return
        try:
            await_only(asyncio.wait_for(self._lock.acquire(), SQLITE_WRITE_QUEUE_TIMEOUT_S))
        except TimeoutError:
            # The same error SQLite gives, so callers (bot/feed.py, retry_transaction) treat
            # it alike: roll back, try the whole transaction again.
            raise sqlite3.OperationalError(
                "database is locked (no turn in the write queue in "
                f"{SQLITE_WRITE_QUEUE_TIMEOUT_S:.0f} s)"
            ) from None
        self.holder = dbapi_connection
        self._holder_task = task

    def release(self, connection: Any) -> None:
        if self.holder is not None and self.holder is _raw(connection):
            self.holder = None
            self._holder_task = None
            self._lock.release()


def _install_write_gate(engine: AsyncEngine) -> WriteGate:
    gate = WriteGate()
    sync_engine = engine.sync_engine
    dialect = sync_engine.dialect

    def before_cursor_execute(
        connection: Any,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        gate.before_execute(connection.connection, statement)

    sa.event.listen(sync_engine, "before_cursor_execute", before_cursor_execute)

    # Released *after* the COMMIT/ROLLBACK returns (SQLAlchemy's commit/rollback events fire
    # before it), so the next writer never meets SQLite's lock still held. The dialect's methods
    # are also what the pool calls when it resets a connection given back mid-transaction.
    do_commit, do_rollback = dialect.do_commit, dialect.do_rollback

    # Neither is sent when SQLite has no transaction open (see the module's docstring): the
    # gate is released all the same, since a write that failed before its BEGIN holds it.
    def gated_commit(dbapi_connection: Any) -> None:
        try:
            if _in_transaction(dbapi_connection):
                do_commit(dbapi_connection)
        finally:
            gate.release(dbapi_connection)

    def gated_rollback(dbapi_connection: Any) -> None:
        try:
            if _in_transaction(dbapi_connection):
                do_rollback(dbapi_connection)
        finally:
            gate.release(dbapi_connection)

    dialect.do_commit = gated_commit  # type: ignore[method-assign]
    dialect.do_rollback = gated_rollback  # type: ignore[method-assign]

    def on_gone(dbapi_connection: Any, *_args: Any) -> None:
        # A connection closed or invalidated mid-transaction (a cancelled task) ends it too.
        gate.release(dbapi_connection)

    for name in ("close", "invalidate", "soft_invalidate", "close_detached", "detach"):
        sa.event.listen(sync_engine.pool, name, on_gone)
    return gate


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` (``sqlite+aiosqlite://`` or ``postgresql+asyncpg://``).

    Extra keyword arguments go to ``create_async_engine`` (e.g. ``echo=True``).
    """
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs and parsed.database not in (None, "", ":memory:"):
        # The default pool keeps 5 connections and closes up to 10 more after each use, so
        # under load most updates opened a connection (for aiosqlite: a thread and the pragmas)
        # and threw it away: a third of the bot's CPU per update. Same bound, all kept.
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", 0)
    engine = create_async_engine(url, **kwargs)
    if backend == "sqlite":
        sa.event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
        _install_write_gate(engine)
    return engine
