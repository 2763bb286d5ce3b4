"""The persistent outbox: idempotent enqueueing, and the row states the sender moves through.

``pending → sending → sent`` (or ``failed`` / ``unreachable``). A row is marked ``sending``
in its own commit *before* the Bot API call and ``sent`` after it, so a crash leaves only the
rows that were in flight ambiguous; ``recover_stale`` puts those back to ``pending`` once they
are older than the sender's timeout (they are the only possible duplicates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from storage.repositories._sql import SessionRepository, column_values, upsert_insert
from storage.tables import contacts, outbox, participants
from surveys.entities import BatchSummary, OutboxMessage, OutboxProgress, OutboxStatus

# Rows per INSERT: well under SQLite's limit on bound parameters.
_INSERT_CHUNK = 500

_FINAL_FAILURES = (OutboxStatus.FAILED.value, OutboxStatus.UNREACHABLE.value)


@dataclass(frozen=True)
class OutboundMessage:
    """A due row as the sender needs it: where it goes and whether it still may go."""

    id: int
    payload: dict[str, Any]
    attempts: int
    batch: str | None
    chat_id: int | None  # None: the participant has no contact any more
    participant_id: int | None
    language: str | None
    stopped: bool  # the participant sent /stop or is unreachable since it was enqueued


class SqlOutboxRepository(SessionRepository):
    # --- what use cases call (surveys.ports.OutboxRepository) ------------------------------
    async def enqueue(self, messages: Sequence[OutboxMessage]) -> int:
        inserted = 0
        for start in range(0, len(messages), _INSERT_CHUNK):
            rows = [
                column_values(message, outbox)
                for message in messages[start : start + _INSERT_CHUNK]
            ]
            if not rows:
                continue
            insert = upsert_insert(self.session, outbox).values(rows)
            result = await self.session.execute(
                insert.on_conflict_do_nothing(index_elements=[outbox.c.dedupe_key]).returning(
                    outbox.c.id
                )
            )
            inserted += len(result.all())
        return inserted

    async def progress(self, batch: str) -> OutboxProgress:
        query = (
            sa.select(outbox.c.status, sa.func.count())
            .where(outbox.c.batch == batch)
            .group_by(outbox.c.status)
        )
        counts = {status: n for status, n in (await self.session.execute(query)).all()}
        return OutboxProgress(
            sent=counts.get(OutboxStatus.SENT.value, 0),
            failed=sum(counts.get(status, 0) for status in _FINAL_FAILURES),
            pending=counts.get(OutboxStatus.PENDING.value, 0),
            sending=counts.get(OutboxStatus.SENDING.value, 0),
        )

    async def recent_batches(self, prefix: str, limit: int) -> Sequence[BatchSummary]:
        """Counted from the rows themselves, so it is right after a restart too."""
        latest = (
            sa.select(
                outbox.c.batch,
                sa.func.min(outbox.c.created_at).label("created_at"),
                sa.func.min(outbox.c.id).label("first_id"),
            )
            .where(outbox.c.batch.startswith(prefix, autoescape=True))
            .group_by(outbox.c.batch)
            .order_by(sa.func.min(outbox.c.id).desc())
            .limit(limit)
        )
        batches = (await self.session.execute(latest)).all()
        summaries = []
        for batch, created_at, first_id in batches:
            payload = (
                await self.session.execute(
                    sa.select(outbox.c.payload).where(outbox.c.id == first_id)
                )
            ).scalar_one()
            sample = str(payload.get("text", "")) if isinstance(payload, dict) else ""
            summaries.append(
                BatchSummary(
                    batch, await self.progress(batch), created_at=created_at, sample=sample
                )
            )
        return summaries

    async def get(self, message_id: int) -> OutboxMessage | None:
        row = (
            (await self.session.execute(sa.select(outbox).where(outbox.c.id == message_id)))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return OutboxMessage(
            dedupe_key=row["dedupe_key"],
            payload=row["payload"],
            participant_id=row["participant_id"],
            chat_id=row["chat_id"],
            status=OutboxStatus(row["status"]),
            attempts=row["attempts"],
            not_before=row["not_before"],
            sent_at=row["sent_at"],
            last_error=row["last_error"],
            created_at=row["created_at"],
            id=row["id"],
            batch=row["batch"],
            sending_at=row["sending_at"],
        )

    # --- what the sender calls ---------------------------------------------------------------
    async def due(self, now: datetime, limit: int) -> list[OutboundMessage]:
        """Pending rows whose ``not_before`` has passed, oldest first, with their chat."""
        query = (
            sa.select(
                outbox.c.id,
                outbox.c.payload,
                outbox.c.attempts,
                outbox.c.batch,
                outbox.c.participant_id,
                sa.func.coalesce(outbox.c.chat_id, contacts.c.chat_id).label("chat"),
                participants.c.language,
                participants.c.reminders_stopped,
                participants.c.unreachable,
            )
            .select_from(
                outbox.outerjoin(
                    participants, participants.c.id == outbox.c.participant_id
                ).outerjoin(contacts, contacts.c.participant_id == outbox.c.participant_id)
            )
            .where(
                outbox.c.status == OutboxStatus.PENDING.value,
                sa.or_(outbox.c.not_before.is_(None), outbox.c.not_before <= now),
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        return [
            OutboundMessage(
                id=row.id,
                payload=row.payload,
                attempts=row.attempts,
                batch=row.batch,
                chat_id=row.chat,
                participant_id=row.participant_id,
                language=row.language,
                stopped=bool(row.reminders_stopped or row.unreachable),
            )
            for row in (await self.session.execute(query))
        ]

    async def next_due_at(self) -> datetime | None:
        """The earliest ``not_before`` among pending rows that must wait (None: none waits)."""
        query = sa.select(sa.func.min(outbox.c.not_before)).where(
            outbox.c.status == OutboxStatus.PENDING.value
        )
        value: datetime | None = (await self.session.execute(query)).scalar_one_or_none()
        return value

    async def mark_sending(self, message_id: int, now: datetime) -> bool:
        """Take the row for one attempt; False when another sender took it first."""
        result = await self.session.execute(
            sa.update(outbox)
            .where(outbox.c.id == message_id, outbox.c.status == OutboxStatus.PENDING.value)
            .values(
                status=OutboxStatus.SENDING.value,
                sending_at=now,
                attempts=outbox.c.attempts + 1,
            )
        )
        return _rowcount(result) == 1

    async def mark_sent(self, message_id: int, now: datetime) -> None:
        await self._finish(message_id, OutboxStatus.SENT, sent_at=now, last_error=None)

    async def retry_later(self, message_id: int, not_before: datetime, error: str) -> None:
        await self._finish(
            message_id, OutboxStatus.PENDING, not_before=not_before, last_error=error
        )

    async def mark_failed(self, message_id: int, error: str) -> None:
        await self._finish(message_id, OutboxStatus.FAILED, last_error=error)

    async def mark_unreachable(self, message_id: int, error: str) -> None:
        """The chat blocked the bot (403): this row and every later message to the person."""
        await self._finish(message_id, OutboxStatus.UNREACHABLE, last_error=error)
        owner = sa.select(outbox.c.participant_id).where(outbox.c.id == message_id)
        await self.session.execute(
            sa.update(participants)
            .where(participants.c.id == owner.scalar_subquery())
            .values(unreachable=True)
        )

    async def defer(self, message_id: int, not_before: datetime) -> None:
        """Move a pending row later without an attempt (quiet hours began meanwhile)."""
        await self.session.execute(
            sa.update(outbox)
            .where(outbox.c.id == message_id, outbox.c.status == OutboxStatus.PENDING.value)
            .values(not_before=not_before)
        )

    async def drop(self, message_id: int, error: str) -> None:
        """Give up on a pending row without an attempt (no contact, or the person /stopped)."""
        await self.session.execute(
            sa.update(outbox)
            .where(outbox.c.id == message_id, outbox.c.status == OutboxStatus.PENDING.value)
            .values(status=OutboxStatus.FAILED.value, last_error=error)
        )

    async def unfinished(self) -> int:
        """Rows still to go: pending (due or waiting) and in flight."""
        query = sa.select(sa.func.count()).where(
            outbox.c.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value])
        )
        return int((await self.session.execute(query)).scalar_one())

    async def recover_stale(self, older_than: datetime) -> int:
        """Rows left ``sending`` before ``older_than`` (a crash mid-send) go back to pending."""
        result = await self.session.execute(
            sa.update(outbox)
            .where(
                outbox.c.status == OutboxStatus.SENDING.value,
                outbox.c.sending_at < older_than,
            )
            .values(status=OutboxStatus.PENDING.value, last_error="recovered after a crash")
        )
        return _rowcount(result)

    async def count_by_status(self) -> dict[OutboxStatus, int]:
        query = sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)
        return {OutboxStatus(status): n for status, n in (await self.session.execute(query)).all()}

    async def _finish(self, message_id: int, status: OutboxStatus, **values: Any) -> None:
        # Only a row this sender marked ``sending`` is finished: a row recovered and taken by
        # another sender meanwhile is that sender's business.
        await self.session.execute(
            sa.update(outbox)
            .where(outbox.c.id == message_id, outbox.c.status == OutboxStatus.SENDING.value)
            .values(status=status.value, **values)
        )


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
