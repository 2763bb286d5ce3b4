"""Fixtures for tests against a migrated database, on SQLite and on PostgreSQL.

``storage`` (parametrised ``sqlite`` / ``postgresql``) is an open ``storage.Storage`` on an
empty, fully migrated database. Migrating for every test would be slow, so each dialect is
migrated once per session: SQLite tests get a copy of a migrated template file, PostgreSQL
tests share one migrated database that is emptied before each test.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.schema import upgrade_schema
from storage.store import Storage
from storage.tables import metadata
from tests.conftest import create_postgres_database, drop_postgres_database


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    await upgrade_schema(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
async def migrated_postgres_url(postgres_server: str) -> AsyncIterator[str]:
    url = await create_postgres_database("ascolto_suite")
    try:
        await upgrade_schema(url)
        yield url
    finally:
        await drop_postgres_database(url)


async def _empty_all_tables(storage: Storage) -> None:
    # DELETE, children first, rather than TRUNCATE: on tables this small TRUNCATE costs about
    # a second (it swaps files and fsyncs), DELETE a few milliseconds. Ids keep counting up,
    # which no test may rely on anyway.
    async with storage.engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            await connection.execute(table.delete())


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def _migrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated database; on PostgreSQL a shared one that ``storage`` empties.

    A plain (sync) fixture on purpose: it may request the async session fixtures by name,
    which an async fixture cannot do while the event loop runs.
    """
    if request.param == "sqlite":
        path = tmp_path / "ascolto.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("migrated_postgres_url")
    return url


@pytest.fixture
async def storage(_migrated_database_url: str) -> AsyncIterator[Storage]:
    opened = Storage.open(_migrated_database_url)
    if opened.dialect == "postgresql":
        await _empty_all_tables(opened)
    try:
        yield opened
    finally:
        await opened.close()
