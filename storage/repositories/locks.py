"""Leader locks in the database: one row per name, held until it expires.

Only the holder of an unexpired lock may renew it; anyone may take an expired one, which is
how a crashed leader is replaced. The caller commits (acquiring is one short transaction).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from storage.repositories._sql import SessionRepository, upsert_insert
from storage.tables import leader_locks


class SqlLeaderLockRepository(SessionRepository):
    async def acquire(self, name: str, holder: str, now: datetime, expires_at: datetime) -> bool:
        insert = upsert_insert(self.session, leader_locks).values(
            name=name, holder=holder, expires_at=expires_at
        )
        created = await self.session.execute(
            insert.on_conflict_do_nothing(index_elements=[leader_locks.c.name]).returning(
                leader_locks.c.name
            )
        )
        if created.first() is not None:
            return True
        taken = await self.session.execute(
            sa.update(leader_locks)
            .where(
                leader_locks.c.name == name,
                sa.or_(leader_locks.c.holder == holder, leader_locks.c.expires_at <= now),
            )
            .values(holder=holder, expires_at=expires_at)
        )
        return int(getattr(taken, "rowcount", 0) or 0) == 1

    async def release(self, name: str, holder: str) -> None:
        await self.session.execute(
            sa.delete(leader_locks).where(
                leader_locks.c.name == name, leader_locks.c.holder == holder
            )
        )

    async def holder(self, name: str) -> tuple[str, datetime] | None:
        query = sa.select(leader_locks.c.holder, leader_locks.c.expires_at).where(
            leader_locks.c.name == name
        )
        row = (await self.session.execute(query)).first()
        return None if row is None else (row[0], row[1])
