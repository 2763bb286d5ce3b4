"""Ideas sent to listening consultations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from storage.repositories._sql import SessionRepository, column_values
from storage.tables import ideas, participants
from surveys.entities import Idea, ModeratedText, TextSource


def _idea(row: RowMapping) -> Idea:
    return Idea(
        consultation_id=row["consultation_id"],
        participant_id=row["participant_id"],
        text=row["text"],
        language=row["language"],
        created_at=row["created_at"],
        id=row["id"],
        hidden_at=row["hidden_at"],
    )


def _moderated_query() -> sa.Select[tuple[object, ...]]:
    return sa.select(
        ideas.c.id,
        ideas.c.text,
        ideas.c.participant_id,
        participants.c.pseudonym,
        ideas.c.created_at,
        ideas.c.hidden_at,
    ).select_from(ideas.outerjoin(participants, participants.c.id == ideas.c.participant_id))


def _moderated(row: RowMapping) -> ModeratedText:
    return ModeratedText(
        source=TextSource.IDEA,
        source_id=row["id"],
        text=row["text"],
        author_id=row["participant_id"],
        author_pseudonym=row["pseudonym"],
        created_at=row["created_at"],
        hidden_at=row["hidden_at"],
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

    # --- moderation ------------------------------------------------------------------------
    async def moderated(self, idea_id: int) -> ModeratedText | None:
        row = (
            (await self.session.execute(_moderated_query().where(ideas.c.id == idea_id)))
            .mappings()
            .first()
        )
        return None if row is None else _moderated(row)

    async def for_moderation(self, consultation_id: int) -> Sequence[ModeratedText]:
        query = (
            _moderated_query()
            .where(ideas.c.consultation_id == consultation_id)
            .order_by(ideas.c.id.desc())
        )
        return [_moderated(row) for row in (await self.session.execute(query)).mappings()]

    async def set_hidden(self, idea_id: int, hidden_at: datetime | None) -> bool:
        unchanged = (
            ideas.c.hidden_at.is_(None) if hidden_at is not None else ideas.c.hidden_at.is_not(None)
        )
        result = await self.session.execute(
            sa.update(ideas).where(ideas.c.id == idea_id, unchanged).values(hidden_at=hidden_at)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1
