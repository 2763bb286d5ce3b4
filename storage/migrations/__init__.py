"""Alembic migrations for SQLite and PostgreSQL; run them with ``storage.schema``."""
