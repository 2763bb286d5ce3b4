"""Alembic environment: migrates the connection ``storage.schema`` hands over.

``storage.schema`` opens the connection (async engine, ``run_sync``) and passes it in
``config.attributes["connection"]``, so this works from an installed package and any working
directory without an ``alembic.ini``. SQLite cannot ALTER most things, hence batch mode there.
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext

from storage.tables import metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our TypeDecorators as their plain SQLAlchemy type.

    A migration must not import application code that may change later; the NUL stripping
    and UTC handling live in Python, not in the schema, so the plain type is the truth.
    """
    if type_ == "type" and isinstance(obj, sa.types.TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def run_migrations(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through storage.schema (upgrade_schema), not the CLI")
run_migrations(connection)
