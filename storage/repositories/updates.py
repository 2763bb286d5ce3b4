"""Processed Telegram ``update_id``s: the at-least-once → exactly-once filter.

A row is written in the transaction that commits the update's effects, with ``replied`` False;
once the update's replies went out it is set True (``mark_many_replied``: the bot writes these
marks in batches, ``bot/middlewares/unit_of_work.py``). A redelivery of a row still False is an
update whose effects stand but whose reply was lost: the bot shows the screen again.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories._sql import SessionRepository, upsert_insert
from storage.tables import processed_updates


class Delivery(enum.Enum):
    """What a delivery of an update id is, judged by ``processed_updates``."""

    NEW = "new"  # never committed: handle it
    DUPLICATE = "duplicate"  # committed and replied: nothing to do
    REPLY_LOST = "reply_lost"  # committed, reply not confirmed: show the screen again


# Statements of every update, built once (see storage/repositories/participations.py).
_DELIVERY = sa.select(processed_updates.c.replied).where(
    processed_updates.c.update_id == sa.bindparam("update_id_")
)
_MARK_REPLIED = (
    sa.update(processed_updates)
    .where(
        processed_updates.c.update_id == sa.bindparam("update_id_"), ~processed_updates.c.replied
    )
    .values(replied=True)
)
_MARK_MANY_REPLIED = (
    sa.update(processed_updates)
    .where(
        processed_updates.c.update_id.in_(sa.bindparam("update_ids_", expanding=True)),
        ~processed_updates.c.replied,
    )
    .values(replied=True)
)
_HIGHEST = sa.select(sa.func.max(processed_updates.c.update_id))
_CLAIM: dict[str, Any] = {}  # dialect name → the insert of ``claim``


def _claim_statement(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    statement = _CLAIM.get(dialect)
    if statement is None:
        statement = _CLAIM[dialect] = (
            upsert_insert(session, processed_updates)
            .on_conflict_do_nothing(index_elements=[processed_updates.c.update_id])
            .returning(processed_updates.c.update_id)
        )
    return statement


class SqlProcessedUpdateRepository(SessionRepository):
    async def claim(self, update_id: int, *, replied: bool = False) -> bool:
        """Record the update; False when it was already recorded (a redelivery).

        ``ON CONFLICT DO NOTHING RETURNING`` returns a row only when this call inserted it.
        Concurrent claims of one id serialise on the primary key: on PostgreSQL the later
        insert waits for the earlier transaction and then does nothing; on SQLite writers take
        turns (``storage.database.WriteGate``). The claim only counts once the unit of work
        commits, together with the update's effects. ``replied=True`` when the replies are
        already out (an update that wrote nothing is recorded after its handler).
        """
        result = await self.session.execute(
            _claim_statement(self.session), {"update_id": update_id, "replied": replied}
        )
        return result.first() is not None

    async def is_processed(self, update_id: int) -> bool:
        return await self.delivery(update_id) is not Delivery.NEW

    async def delivery(self, update_id: int) -> Delivery:
        row = (await self.session.execute(_DELIVERY, {"update_id_": update_id})).first()
        if row is None:
            return Delivery.NEW
        return Delivery.DUPLICATE if row.replied else Delivery.REPLY_LOST

    async def mark_replied(self, update_id: int) -> None:
        await self.session.execute(_MARK_REPLIED, {"update_id_": update_id})

    async def mark_many_replied(self, update_ids: Collection[int]) -> None:
        """``mark_replied`` for many updates in one statement."""
        if update_ids:
            await self.session.execute(_MARK_MANY_REPLIED, {"update_ids_": sorted(update_ids)})

    async def highest(self) -> int | None:
        """The highest update id recorded, None when there is none."""
        value = (await self.session.execute(_HIGHEST)).scalar()
        return None if value is None else int(value)
