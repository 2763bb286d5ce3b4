"""``Storage``: the one object the composition root holds to reach the database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from storage.database import create_engine
from storage.uow import SqlUnitOfWork
from storage.version_cache import SurveyVersionCache


class Storage:
    """An engine and a session factory; hands out units of work.

    ``Storage.uow`` is a ``surveys.ports.UnitOfWorkFactory``. Opening does not migrate: call
    ``storage.schema.upgrade_schema(url)`` first.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # expire_on_commit=False: we map rows to dataclasses anyway, and nothing should
        # reload lazily after a commit.
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._versions = SurveyVersionCache()  # shared by every unit of work of this engine

    @classmethod
    def open(cls, url: str) -> Storage:
        return cls(create_engine(url))

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self._versions)

    async def close(self) -> None:
        await self.engine.dispose()
