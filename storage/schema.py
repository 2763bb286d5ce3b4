"""Create or upgrade the database schema with Alembic, from async code, from any directory.

Alembic is configured here in code (no ``alembic.ini``): the script location is this
package's ``migrations`` folder, and the connection is opened by our own ``create_engine`` and
handed to ``migrations/env.py``. Alembic's commands are synchronous, so they run inside
``AsyncConnection.run_sync``.

On SQLite, foreign keys are switched off while migrating: batch mode rebuilds a table by
copying it and dropping the original, and with foreign keys on, that DROP would cascade
into (and empty) every table that refers to it. The pragma only takes effect outside a
transaction, which is why it is issued before Alembic begins one. A foreign-key check after
the migration makes sure nothing was left dangling.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.database import create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest revision this code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


async def _run(url: str, step: Callable[[Config, sa.Connection], object]) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")

            def run(sync_connection: sa.Connection) -> None:
                config = alembic_config()
                config.attributes["connection"] = sync_connection
                step(config, sync_connection)

            await connection.run_sync(run)
            await connection.commit()
            if sqlite:
                broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"migration left dangling foreign keys: {broken[:5]}")
    finally:
        # The engine (and its connection with foreign keys off) is never reused.
        await engine.dispose()


async def upgrade_schema(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (newest by default). Idempotent."""
    await _run(url, lambda config, _conn: command.upgrade(config, revision))


async def downgrade_schema(url: str, revision: str) -> None:
    """Take the database back to ``revision`` (``"-1"`` for one step, ``"base"`` for empty)."""
    await _run(url, lambda config, _conn: command.downgrade(config, revision))


async def current_revision(url: str) -> str | None:
    """The revision the database is at, ``None`` when it was never migrated."""
    found: list[str | None] = []

    def read(_config: Config, connection: sa.Connection) -> None:
        found.append(MigrationContext.configure(connection).get_current_revision())

    await _run(url, read)
    return found[0]


async def autogenerate_revision(url: str, message: str) -> None:
    """For developers: write a new migration from the difference between ``url`` and the tables.

    ``url`` must be at head already; review the generated file before committing it.
    """
    await _run(url, lambda config, _conn: command.revision(config, message, autogenerate=True))
