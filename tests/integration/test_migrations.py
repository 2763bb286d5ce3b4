"""Alembic migrations on SQLite and PostgreSQL: stairway, no drift, idempotent upgrade."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage.database import create_engine
from storage.schema import (
    current_revision,
    downgrade_schema,
    head_revision,
    revisions,
    upgrade_schema,
)
from storage.tables import metadata


async def _table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: sa.inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_stairway_up_down_up_for_every_revision(database_url: str) -> None:
    """Each revision upgrades, downgrades one step cleanly, and upgrades again."""
    steps = revisions()
    assert steps and steps[-1] == head_revision()
    previous: str | None = None
    for revision in steps:
        await upgrade_schema(database_url, revision)
        assert await current_revision(database_url) == revision
        await downgrade_schema(database_url, "-1")
        assert await current_revision(database_url) == previous
        await upgrade_schema(database_url, revision)
        assert await current_revision(database_url) == revision
        previous = revision
    await downgrade_schema(database_url, "base")
    assert await _table_names(database_url) <= {"alembic_version"}


async def test_migrated_schema_matches_the_tables(database_url: str) -> None:
    """Autogenerate finds nothing to do after ``upgrade head``: migrations and tables agree."""
    await upgrade_schema(database_url)
    engine = create_engine(database_url)

    def differences(connection: sa.Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()
    assert await _table_names(database_url) == set(metadata.tables) | {"alembic_version"}


async def test_upgrade_twice_is_a_no_op(database_url: str) -> None:
    await upgrade_schema(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.text("INSERT INTO processed_updates (update_id) VALUES (1)")
            )
    finally:
        await engine.dispose()
    await upgrade_schema(database_url)
    assert await current_revision(database_url) == head_revision()
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            count = await connection.execute(sa.text("SELECT count(*) FROM processed_updates"))
            assert count.scalar() == 1
    finally:
        await engine.dispose()


async def test_fresh_database_has_no_revision(database_url: str) -> None:
    assert await current_revision(database_url) is None
