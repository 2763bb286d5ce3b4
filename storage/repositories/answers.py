"""Answers: one row per (participation, question), replaced in place when re-answered."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories._sql import SessionRepository, upsert_insert
from storage.tables import answers, participants, participations
from surveys.entities import Answer, ModeratedText, ParticipationStatus, TextSource


def _moderated_query() -> sa.Select[tuple[object, ...]]:
    """Answers with their author, citizens only (no previews, no withdrawn participations)."""
    return (
        sa.select(
            answers.c.id,
            answers.c.value,
            answers.c.version,
            answers.c.question_key,
            answers.c.answered_at,
            answers.c.hidden_at,
            participations.c.participant_id,
            participants.c.pseudonym,
        )
        .join(participations, participations.c.id == answers.c.participation_id)
        .join(participants, participants.c.id == participations.c.participant_id)
        .where(
            participations.c.is_preview.is_(False),
            participations.c.status != ParticipationStatus.WITHDRAWN.value,
        )
    )


def _moderated(row: RowMapping) -> ModeratedText:
    value = row["value"]
    return ModeratedText(
        source=TextSource.ANSWER,
        source_id=row["id"],
        text=value if isinstance(value, str) else "",
        author_id=row["participant_id"],
        author_pseudonym=row["pseudonym"],
        created_at=row["answered_at"],
        hidden_at=row["hidden_at"],
        question_key=row["question_key"],
    )


# Statements of every citizen update, built once (see storage/repositories/participations.py).
_FOR_PARTICIPATION = (
    sa.select(answers)
    .where(answers.c.participation_id == sa.bindparam("participation_id_"))
    .order_by(answers.c.id)
)
_PUT: dict[str, Any] = {}  # dialect name → the upsert of ``put``


def _put_statement(session: AsyncSession) -> Any:
    """``put``'s upsert for the session's dialect; the values come with each execution."""
    dialect = session.get_bind().dialect.name
    statement = _PUT.get(dialect)
    if statement is None:
        insert = upsert_insert(session, answers)
        statement = _PUT[dialect] = insert.on_conflict_do_update(
            index_elements=[answers.c.participation_id, answers.c.question_key],
            set_={
                "value": insert.excluded.value,
                "version": insert.excluded.version,
                "answered_at": insert.excluded.answered_at,
            },
        )
    return statement


class SqlAnswerRepository(SessionRepository):
    async def for_participation(self, participation_id: int) -> Sequence[Answer]:
        result = await self.session.execute(
            _FOR_PARTICIPATION, {"participation_id_": participation_id}
        )
        return [
            Answer(
                participation_id=row["participation_id"],
                question_key=row["question_key"],
                value=row["value"],
                version=row["version"],
                answered_at=row["answered_at"],
                id=row["id"],
                hidden_at=row["hidden_at"],
            )
            for row in result.mappings()
        ]

    async def put(self, answer: Answer) -> None:
        """Insert, or replace value, version and time of the existing answer, in one statement.

        One statement (not read-then-write) so two workers handling a redelivered update
        cannot both insert: the unique key decides and the later write wins.
        """
        statement = _put_statement(self.session)
        if answer.answered_at is None:
            statement = statement.values(answered_at=sa.func.now())
        values = {
            "participation_id": answer.participation_id,
            "question_key": answer.question_key,
            "value": answer.value,
            "version": answer.version,
        }
        if answer.answered_at is not None:
            values["answered_at"] = answer.answered_at
        await self.session.execute(statement, values)

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

    # --- moderation ------------------------------------------------------------------------
    async def moderated(self, answer_id: int) -> ModeratedText | None:
        query = _moderated_query().where(answers.c.id == answer_id)
        row = (await self.session.execute(query)).mappings().first()
        return None if row is None else _moderated(row)

    async def for_moderation(
        self, consultation_id: int, free_text_keys: Collection[tuple[int, str]]
    ) -> Sequence[ModeratedText]:
        if not free_text_keys:
            return []
        query = (
            _moderated_query()
            .where(
                participations.c.consultation_id == consultation_id,
                answers.c.question_key.in_({key for _, key in free_text_keys}),
            )
            .order_by(answers.c.id.desc())
        )
        # A key is free text only in the versions that say so (see free_texts); blank and
        # skipped answers are not texts.
        return [
            _moderated(row)
            for row in (await self.session.execute(query)).mappings()
            if (row["version"], row["question_key"]) in free_text_keys
            and isinstance(row["value"], str)
            and row["value"].strip()
        ]

    async def set_hidden(self, answer_id: int, hidden_at: datetime | None) -> bool:
        unchanged = (
            answers.c.hidden_at.is_(None)
            if hidden_at is not None
            else answers.c.hidden_at.is_not(None)
        )
        result = await self.session.execute(
            sa.update(answers)
            .where(answers.c.id == answer_id, unchanged)
            .values(hidden_at=hidden_at)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1
