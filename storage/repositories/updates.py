"""Processed Telegram ``update_id``s: the at-least-once → exactly-once filter."""

from __future__ import annotations

from sqlalchemy import select

from storage.repositories._sql import SessionRepository, upsert_insert
from storage.tables import processed_updates


class SqlProcessedUpdateRepository(SessionRepository):
    async def claim(self, update_id: int) -> bool:
        """Record the update; False when it was already recorded (a redelivery).

        ``ON CONFLICT DO NOTHING RETURNING`` returns a row only when this call inserted it.
        Concurrent claims of one id serialise on the primary key: on PostgreSQL the later
        insert waits for the earlier transaction and then does nothing; on SQLite writers take
        turns (busy_timeout). The claim only counts once the unit of work commits, together
        with the update's effects.
        """
        insert = (
            upsert_insert(self.session, processed_updates)
            .values(update_id=update_id)
            .on_conflict_do_nothing(index_elements=[processed_updates.c.update_id])
            .returning(processed_updates.c.update_id)
        )
        return (await self.session.execute(insert)).first() is not None

    async def is_processed(self, update_id: int) -> bool:
        query = select(processed_updates.c.update_id).where(
            processed_updates.c.update_id == update_id
        )
        return (await self.session.execute(query)).first() is not None
