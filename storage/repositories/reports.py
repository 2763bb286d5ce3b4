"""What the policy report reads: real participations, their answers and ideas.

Answers and ideas hidden by moderation are read too, flagged ``hidden``: they still count in
the report's numbers unless the facilitator excludes them, and are never quoted or listed
(``surveys.usecases.reports`` decides).

Three narrow queries, the same SQL on SQLite and PostgreSQL. They select only the columns a
report may show, so no pseudonym, Telegram id or contact ever leaves this module. The report
needs every answer anyway (the export has one row per participation), so the counting is done
in one pass in ``surveys.usecases.reports`` rather than in SQL: answer values are JSON whose
comparison differs between the two dialects (PostgreSQL's ``json`` has no equality at all).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from storage.repositories._sql import SessionRepository
from storage.tables import answers, ideas, participations
from surveys.entities import ParticipationStatus
from surveys.reporting import AnswerRecord, IdeaRecord, ParticipationRecord


def _counted(consultation_id: int) -> sa.ColumnElement[bool]:
    """Participations a report counts: real citizens who did not withdraw."""
    return sa.and_(
        participations.c.consultation_id == consultation_id,
        participations.c.is_preview.is_(False),
        participations.c.status != ParticipationStatus.WITHDRAWN.value,
    )


class SqlReportRepository(SessionRepository):
    async def participations(self, consultation_id: int) -> Sequence[ParticipationRecord]:
        query = (
            sa.select(
                participations.c.id,
                participations.c.version,
                participations.c.status,
                participations.c.started_at,
                participations.c.submitted_at,
            )
            .where(_counted(consultation_id))
            .order_by(participations.c.id)
        )
        return [
            ParticipationRecord(
                participation_id=pid,
                version=version,
                submitted=status == ParticipationStatus.SUBMITTED.value,
                started_at=started_at,
                submitted_at=submitted_at,
            )
            for pid, version, status, started_at, submitted_at in await self.session.execute(query)
        ]

    async def answers(self, consultation_id: int) -> Sequence[AnswerRecord]:
        query = (
            sa.select(
                answers.c.id,
                answers.c.participation_id,
                answers.c.question_key,
                answers.c.value,
                answers.c.hidden_at,
            )
            .join(participations, participations.c.id == answers.c.participation_id)
            .where(_counted(consultation_id))
            .order_by(answers.c.id)
        )
        return [
            AnswerRecord(answer_id, pid, key, value, hidden=hidden_at is not None)
            for answer_id, pid, key, value, hidden_at in await self.session.execute(query)
        ]

    async def ideas(self, consultation_id: int) -> Sequence[IdeaRecord]:
        # The author's participation gives the idea its segments (Municipio, age band…); an
        # idea whose author was anonymised or has no participation simply has none.
        author = participations.alias("author")
        query = (
            sa.select(ideas.c.id, ideas.c.text, ideas.c.created_at, author.c.id, ideas.c.hidden_at)
            .outerjoin(
                author,
                sa.and_(
                    author.c.participant_id == ideas.c.participant_id,
                    author.c.consultation_id == ideas.c.consultation_id,
                ),
            )
            .where(
                ideas.c.consultation_id == consultation_id,
                # A staff member's preview, or a withdrawn participation, keeps its ideas out.
                sa.or_(
                    author.c.id.is_(None),
                    sa.and_(
                        author.c.is_preview.is_(False),
                        author.c.status != ParticipationStatus.WITHDRAWN.value,
                    ),
                ),
            )
            .order_by(ideas.c.id)
        )
        rows = await self.session.execute(query)
        return [
            IdeaRecord(idea_id, text, created_at, participation_id, hidden=hidden_at is not None)
            for idea_id, text, created_at, participation_id, hidden_at in rows
        ]
