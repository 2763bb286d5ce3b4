"""Column types that make SQLite and PostgreSQL behave alike for our data.

Two differences would otherwise leak into the domain:

- SQLite has no time-zone-aware timestamp: it hands back naive datetimes. ``UtcDateTime``
  stores UTC and always returns aware UTC datetimes, on both dialects.
- PostgreSQL rejects the NUL character in text (and in JSON strings), SQLite keeps it.
  Telegram users can send it, so every text and JSON column strips it on the way in, here and
  nowhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

NUL = "\x00"


def strip_nul(value: Any) -> Any:
    """``value`` with NUL removed from every string in it, however deeply nested."""
    if isinstance(value, str):
        return value.replace(NUL, "") if NUL in value else value
    if isinstance(value, dict):
        return {strip_nul(key): strip_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [strip_nul(item) for item in value]
    return value


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp with time zone that only accepts and returns aware UTC datetimes."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # A naive time is a bug upstream (which zone?); refuse rather than guess.
            raise ValueError(f"naive datetime {value!r}: storage needs time-zone-aware values")
        value = value.astimezone(UTC)
        # SQLite would store the offset text but compare strings; keep one canonical form.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class CleanText(sa.types.TypeDecorator[str]):
    """Unbounded text with NUL stripped."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else strip_nul(value)


class CleanString(sa.types.TypeDecorator[str]):
    """Bounded text (keys, codes, slugs) with NUL stripped."""

    impl = sa.String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else strip_nul(value)


class CleanJSON(sa.types.TypeDecorator[Any]):
    """JSON whose strings (keys and values) carry no NUL."""

    impl = sa.JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return strip_nul(value)
