"""Who bulk messages and reminders go to.

Everyone returned has a contact row, did not send /stop (``reminders_stopped``), has not
blocked the bot (``unreachable``) and is not blocked by a facilitator (``blocked_at``);
previews and withdrawn participations never count.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from storage.repositories._sql import SessionRepository
from storage.tables import contacts, participants, participations, project_follows
from surveys.entities import ParticipationStatus, Recipient

_UPDATE_CHUNK = 500


def _reachable() -> list[sa.ColumnElement[bool]]:
    return [
        participants.c.reminders_stopped.is_(False),
        participants.c.unreachable.is_(False),
        # Blocked by a facilitator: a reminder to "send /start" would only get the notice.
        participants.c.blocked_at.is_(None),
    ]


class SqlAudienceRepository(SessionRepository):
    async def participants_of(
        self, consultation_id: int, *, unfinished_only: bool = False
    ) -> Sequence[Recipient]:
        statuses = (
            [ParticipationStatus.IN_PROGRESS.value]
            if unfinished_only
            else [ParticipationStatus.IN_PROGRESS.value, ParticipationStatus.SUBMITTED.value]
        )
        return await self._participations(
            participations.c.consultation_id == consultation_id,
            participations.c.status.in_(statuses),
        )

    async def due_for_reminder(
        self, consultation_id: int, max_reminders: int
    ) -> Sequence[Recipient]:
        return await self._participations(
            participations.c.consultation_id == consultation_id,
            participations.c.status == ParticipationStatus.IN_PROGRESS.value,
            participations.c.reminders_sent < max_reminders,
        )

    async def followers_of(self, project: str) -> Sequence[Recipient]:
        query = (
            sa.select(participants.c.id, participants.c.language)
            .join(project_follows, project_follows.c.participant_id == participants.c.id)
            .join(contacts, contacts.c.participant_id == participants.c.id)
            .where(project_follows.c.project == project, *_reachable())
            .order_by(participants.c.id)
        )
        return [Recipient(pid, language) for pid, language in await self.session.execute(query)]

    async def note_reminded(self, participation_ids: Sequence[int]) -> None:
        ids = list(participation_ids)
        for start in range(0, len(ids), _UPDATE_CHUNK):
            await self.session.execute(
                sa.update(participations)
                .where(participations.c.id.in_(ids[start : start + _UPDATE_CHUNK]))
                .values(reminders_sent=participations.c.reminders_sent + 1)
            )

    async def _participations(self, *conditions: sa.ColumnElement[bool]) -> list[Recipient]:
        query = (
            sa.select(participants.c.id, participants.c.language, participations.c.id)
            .join(participants, participants.c.id == participations.c.participant_id)
            .join(contacts, contacts.c.participant_id == participants.c.id)
            .where(participations.c.is_preview.is_(False), *_reachable(), *conditions)
            .order_by(participants.c.id)
        )
        return [
            Recipient(pid, language, participation_id)
            for pid, language, participation_id in await self.session.execute(query)
        ]
