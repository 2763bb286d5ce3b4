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


# Statements of every citizen update, built once: building a statement and its cache key costs
# more than running it on SQLite (docs/ARCHITECTURE.md, "Interactive benchmark").
_GET = sa.select(participations).where(participations.c.id == sa.bindparam("id_"))
_FIND = sa.select(participations).where(
    participations.c.participant_id == sa.bindparam("participant_id_"),
    participations.c.consultation_id == sa.bindparam("consultation_id_"),
)
_FOR_PARTICIPANT = (
    sa.select(participations)
    .where(participations.c.participant_id == sa.bindparam("participant_id_"))
    .order_by(participations.c.id)
)
# SET takes the columns of the parameters passed with it (``bindparam`` names may not be
# column names in an UPDATE, hence the trailing underscores).
_UPDATE = sa.update(participations).where(participations.c.id == sa.bindparam("id_"))
_UPDATE_NOW = _UPDATE.values(updated_at=sa.func.now())


class SqlParticipationRepository(SessionRepository):
    async def get(self, participation_id: int) -> Participation | None:
        result = await self.session.execute(_GET, {"id_": participation_id})
        row = result.mappings().first()
        return None if row is None else _participation(row)

    async def find(self, participant_id: int, consultation_id: int) -> Participation | None:
        result = await self.session.execute(
            _FIND, {"participant_id_": participant_id, "consultation_id_": consultation_id}
        )
        row = result.mappings().first()
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
        """Store the new state; ``updated_at`` becomes now unless the caller set it.

        ``reminders_sent`` is not written: only the scheduler counts reminders, by an increment
        in the database (``note_reminded``). Written from here, an answer saved just after that
        increment would put back the count it had read, and one reminder too many could go out.
        """
        values = column_values(participation, participations, skip=("id", "reminders_sent"))
        statement = _UPDATE if "updated_at" in values else _UPDATE_NOW
        await self.session.execute(statement, {**values, "id_": participation.id})

    async def list_for_participant(self, participant_id: int) -> Sequence[Participation]:
        result = await self.session.execute(_FOR_PARTICIPANT, {"participant_id_": participant_id})
        return [_participation(row) for row in result.mappings()]

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
