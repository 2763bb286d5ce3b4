"""Answers: one row per (participation, question), replaced in place when re-answered."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from storage.repositories._sql import SessionRepository, upsert_insert
from storage.tables import answers, participations
from surveys.entities import Answer


class SqlAnswerRepository(SessionRepository):
    async def for_participation(self, participation_id: int) -> Sequence[Answer]:
        query = (
            sa.select(answers)
            .where(answers.c.participation_id == participation_id)
            .order_by(answers.c.id)
        )
        return [
            Answer(
                participation_id=row["participation_id"],
                question_key=row["question_key"],
                value=row["value"],
                version=row["version"],
                answered_at=row["answered_at"],
                id=row["id"],
            )
            for row in (await self.session.execute(query)).mappings()
        ]

    async def put(self, answer: Answer) -> None:
        """Insert, or replace value, version and time of the existing answer, in one statement.

        One statement (not read-then-write) so two workers handling a redelivered update
        cannot both insert: the unique key decides and the later write wins.
        """
        insert = upsert_insert(self.session, answers).values(
            participation_id=answer.participation_id,
            question_key=answer.question_key,
            value=answer.value,
            version=answer.version,
            answered_at=answer.answered_at if answer.answered_at is not None else sa.func.now(),
        )
        await self.session.execute(
            insert.on_conflict_do_update(
                index_elements=[answers.c.participation_id, answers.c.question_key],
                set_={
                    "value": insert.excluded.value,
                    "version": insert.excluded.version,
                    "answered_at": insert.excluded.answered_at,
                },
            )
        )

    async def delete(self, participation_id: int, question_keys: Sequence[str]) -> None:
        if not question_keys:
            return
        await self.session.execute(
            sa.delete(answers).where(
                answers.c.participation_id == participation_id,
                answers.c.question_key.in_(list(question_keys)),
            )
        )

    async def count(self, consultation_id: int) -> int:
        """Answers given in the consultation by citizens (not in staff previews)."""
        query = (
            sa.select(sa.func.count())
            .select_from(answers)
            .join(participations, participations.c.id == answers.c.participation_id)
            .where(
                participations.c.consultation_id == consultation_id,
                participations.c.is_preview.is_(False),
            )
        )
        return (await self.session.execute(query)).scalar_one()
