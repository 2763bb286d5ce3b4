"""Participations: who takes which consultation, and where they are in it."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from storage.repositories._sql import SessionRepository, column_values
from storage.tables import participations
from surveys.entities import Participation, ParticipationStatus


def _participation(row: RowMapping) -> Participation:
    return Participation(
        participant_id=row["participant_id"],
        consultation_id=row["consultation_id"],
        version=row["version"],
        consent_version=row["consent_version"],
        current_question=row["current_question"],
        status=ParticipationStatus(row["status"]),
        is_preview=row["is_preview"],
        reminders_sent=row["reminders_sent"],
        started_at=row["started_at"],
        updated_at=row["updated_at"],
        submitted_at=row["submitted_at"],
        id=row["id"],
    )


class SqlParticipationRepository(SessionRepository):
    async def get(self, participation_id: int) -> Participation | None:
        query = sa.select(participations).where(participations.c.id == participation_id)
        row = (await self.session.execute(query)).mappings().first()
        return None if row is None else _participation(row)

    async def find(self, participant_id: int, consultation_id: int) -> Participation | None:
        query = sa.select(participations).where(
            participations.c.participant_id == participant_id,
            participations.c.consultation_id == consultation_id,
        )
        row = (await self.session.execute(query)).mappings().first()
        return None if row is None else _participation(row)

    async def add(self, participation: Participation) -> Participation:
        """Insert; a second one for the same (participant, consultation) raises IntegrityError."""
        insert = (
            sa.insert(participations)
            .values(column_values(participation, participations))
            .returning(participations)
        )
        return _participation((await self.session.execute(insert)).mappings().one())

    async def update(self, participation: Participation) -> None:
        """Store the new state; ``updated_at`` becomes now unless the caller set it."""
        values = column_values(participation, participations)
        values.setdefault("updated_at", sa.func.now())
        await self.session.execute(
            sa.update(participations).where(participations.c.id == participation.id).values(values)
        )

    async def list_for_participant(self, participant_id: int) -> Sequence[Participation]:
        query = (
            sa.select(participations)
            .where(participations.c.participant_id == participant_id)
            .order_by(participations.c.id)
        )
        return [_participation(row) for row in (await self.session.execute(query)).mappings()]

    async def count(self, consultation_id: int, status: ParticipationStatus | None = None) -> int:
        """Participations of real citizens (staff previews are not counted)."""
        query = (
            sa.select(sa.func.count())
            .select_from(participations)
            .where(
                participations.c.consultation_id == consultation_id,
                participations.c.is_preview.is_(False),
            )
        )
        if status is not None:
            query = query.where(participations.c.status == status.value)
        return (await self.session.execute(query)).scalar_one()
