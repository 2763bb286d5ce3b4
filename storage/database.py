"""Engines for SQLite (embedded default) and PostgreSQL (production), configured alike.

SQLite gets its pragmas on *every* new connection (they are per connection, not per file):
WAL so readers never block the writer, ``foreign_keys`` so ``ON DELETE CASCADE`` (erasure!)
works at all, ``busy_timeout`` so a second writer waits instead of failing at once, and
``synchronous=NORMAL``, which is durable enough under WAL and much faster.
PostgreSQL gets ``pool_pre_ping`` so a restarted server does not fail the next update.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 5000

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous=NORMAL",
)


def _set_sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` (``sqlite+aiosqlite://`` or ``postgresql+asyncpg://``).

    Extra keyword arguments go to ``create_async_engine`` (e.g. ``echo=True``).
    """
    backend = sa.make_url(url).get_backend_name()
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(url, **kwargs)
    if backend == "sqlite":
        sa.event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
    return engine
