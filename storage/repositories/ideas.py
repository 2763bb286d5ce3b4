"""Ideas sent to listening consultations."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from storage.repositories._sql import SessionRepository, column_values
from storage.tables import ideas
from surveys.entities import Idea


def _idea(row: RowMapping) -> Idea:
    return Idea(
        consultation_id=row["consultation_id"],
        participant_id=row["participant_id"],
        text=row["text"],
        language=row["language"],
        created_at=row["created_at"],
        id=row["id"],
    )


class SqlIdeaRepository(SessionRepository):
    async def add(self, idea: Idea) -> Idea:
        insert = sa.insert(ideas).values(column_values(idea, ideas)).returning(ideas)
        return _idea((await self.session.execute(insert)).mappings().one())

    async def list_for_consultation(self, consultation_id: int) -> Sequence[Idea]:
        query = (
            sa.select(ideas).where(ideas.c.consultation_id == consultation_id).order_by(ideas.c.id)
        )
        return [_idea(row) for row in (await self.session.execute(query)).mappings()]

    async def list_for_participant(self, participant_id: int) -> Sequence[Idea]:
        query = (
            sa.select(ideas).where(ideas.c.participant_id == participant_id).order_by(ideas.c.id)
        )
        return [_idea(row) for row in (await self.session.execute(query)).mappings()]
