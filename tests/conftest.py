"""Database URL fixtures shared by every test suite.

- ``sqlite_url``: a fresh, empty SQLite file in the test's tmp directory.
- ``postgres_url``: a fresh, empty PostgreSQL database with a unique name, created on the
  server named by ``ASCOLTO_TEST_POSTGRES_URL`` (default
  ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``) and dropped after the test. Tests
  using it are skipped, with the reason shown, when no server answers there.
- ``database_url``: parametrised, runs the test once with each of the two above
  (ids ``sqlite`` and ``postgresql``; the latter carries the ``postgres`` marker).

The databases are empty (no schema); call ``storage.schema.upgrade_schema(url)`` for one.
Creating a PostgreSQL database costs about 0.1 s and dropping it 0.2 s: for many tests on a
migrated schema, see the ``storage`` fixture in ``tests/integration/conftest.py``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_server_url() -> str:
    return os.environ.get("ASCOLTO_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def asyncpg_dsn(url: str | sa.URL) -> str:
    """The plain libpq DSN asyncpg wants for a SQLAlchemy URL."""
    url = sa.make_url(url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def create_postgres_database(prefix: str = "ascolto_test") -> str:
    """Create a uniquely named empty database; return its SQLAlchemy URL."""
    server = sa.make_url(postgres_server_url())
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(asyncpg_dsn(server), timeout=5)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return server.set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(url: str) -> None:
    """Drop the database of ``url``, closing any connection a test left open."""
    name = sa.make_url(url).database
    connection = await asyncpg.connect(asyncpg_dsn(postgres_server_url()), timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def postgres_server() -> str:
    """The server URL, after checking once per session that it answers (else skip)."""
    url = postgres_server_url()
    shown = sa.make_url(url).render_as_string(hide_password=True)
    try:
        connection = await asyncpg.connect(asyncpg_dsn(url), timeout=3)
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        if os.environ.get("ASCOLTO_REQUIRE_POSTGRES"):
            # CI starts PostgreSQL: there a missing server is a failure, never a skip.
            pytest.fail(f"PostgreSQL required but not reachable at {shown}: {error}")
        pytest.skip(f"PostgreSQL not reachable at {shown}: {error}")
    await connection.close()
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'ascolto.db'}"


@pytest.fixture
async def postgres_url(postgres_server: str) -> AsyncIterator[str]:
    url = await create_postgres_database()
    try:
        yield url
    finally:
        await drop_postgres_database(url)


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(
        f"{'postgres' if request.param == 'postgresql' else 'sqlite'}_url"
    )
    return url
