"""Schedule items, claimed atomically so that each due item runs exactly once.

The claim is part of the transaction that applies the item: on PostgreSQL the row is locked
with ``FOR UPDATE SKIP LOCKED`` (a second instance skips it instead of waiting, and sees it
``done`` after the commit); on SQLite a conditional UPDATE (``... WHERE status = 'pending'``)
takes the database's single write lock, and a second writer finds nothing left to update.
Either way a crash before the commit rolls the claim back with the effects.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from storage.repositories._sql import SessionRepository, column_values
from storage.tables import schedule_items
from surveys.entities import ScheduleItem, ScheduleKind, ScheduleStatus

# How many due candidates SQLite looks at per claim before giving up on this round.
_SQLITE_CANDIDATES = 8


def _item(row: RowMapping) -> ScheduleItem:
    return ScheduleItem(
        consultation_id=row["consultation_id"],
        kind=ScheduleKind(row["kind"]),
        due_at=row["due_at"],
        status=ScheduleStatus(row["status"]),
        claimed_by=row["claimed_by"],
        claimed_at=row["claimed_at"],
        done_at=row["done_at"],
        id=row["id"],
    )


class SqlScheduleRepository(SessionRepository):
    async def add(self, item: ScheduleItem) -> ScheduleItem:
        insert = (
            sa.insert(schedule_items)
            .values(column_values(item, schedule_items))
            .returning(schedule_items)
        )
        return _item((await self.session.execute(insert)).mappings().one())

    async def for_consultation(self, consultation_id: int) -> Sequence[ScheduleItem]:
        query = (
            sa.select(schedule_items)
            .where(schedule_items.c.consultation_id == consultation_id)
            .order_by(schedule_items.c.due_at, schedule_items.c.id)
        )
        return [_item(row) for row in (await self.session.execute(query)).mappings()]

    async def cancel(self, item_id: int) -> bool:
        result = await self.session.execute(
            sa.update(schedule_items)
            .where(
                schedule_items.c.id == item_id,
                schedule_items.c.status == ScheduleStatus.PENDING.value,
            )
            .values(status=ScheduleStatus.CANCELLED.value)
        )
        return _rowcount(result) == 1

    async def claim_due(
        self, now: datetime, worker: str, skip: Collection[int] = ()
    ) -> ScheduleItem | None:
        due = (
            sa.select(schedule_items.c.id)
            .where(
                schedule_items.c.status == ScheduleStatus.PENDING.value,
                schedule_items.c.due_at <= now,
                schedule_items.c.id.not_in(list(skip)),
            )
            .order_by(schedule_items.c.due_at, schedule_items.c.id)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            candidates = [
                (
                    await self.session.execute(due.limit(1).with_for_update(skip_locked=True))
                ).scalar_one_or_none()
            ]
        else:
            candidates = list((await self.session.execute(due.limit(_SQLITE_CANDIDATES))).scalars())
        for item_id in candidates:
            if item_id is None:
                continue
            claimed = await self.session.execute(
                sa.update(schedule_items)
                .where(
                    schedule_items.c.id == item_id,
                    schedule_items.c.status == ScheduleStatus.PENDING.value,
                )
                .values(status=ScheduleStatus.RUNNING.value, claimed_by=worker, claimed_at=now)
                .returning(schedule_items)
            )
            row = claimed.mappings().first()
            if row is not None:
                return _item(row)
        return None

    async def finish(self, item_id: int, now: datetime) -> None:
        await self.session.execute(
            sa.update(schedule_items)
            .where(schedule_items.c.id == item_id)
            .values(status=ScheduleStatus.DONE.value, done_at=now)
        )


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
