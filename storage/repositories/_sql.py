"""Small helpers the repositories share: entity ↔ row values and dialect-aware INSERT."""

from __future__ import annotations

from dataclasses import fields
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


class SessionRepository:
    """Base of every repository: holds the unit of work's session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session


def column_values(
    entity: object, table: sa.Table, *, skip: tuple[str, ...] = ("id",)
) -> dict[str, Any]:
    """The entity's fields that are columns of ``table``, ready to bind.

    ``None`` is left out for columns with a server default (``created_at`` and friends), so
    the database fills them on insert and an update never blanks them.
    """
    values: dict[str, Any] = {}
    for field in fields(entity):  # type: ignore[arg-type]
        if field.name in skip or field.name not in table.c:
            continue
        value = getattr(entity, field.name)
        if value is None and table.c[field.name].server_default is not None:
            continue
        values[field.name] = value.value if isinstance(value, Enum) else value
    return values


def upsert_insert(session: AsyncSession, table: sa.Table) -> Any:
    """An INSERT that supports ``on_conflict_do_*`` for the session's dialect.

    Both SQLite and PostgreSQL spell it ``INSERT ... ON CONFLICT``, but SQLAlchemy has a
    construct per dialect.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for dialect {dialect!r}")
