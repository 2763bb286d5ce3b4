"""Live statistics, aggregated by the database: counts, a median, counts per local day.

Nothing here loads answers into Python: every figure is a ``GROUP BY`` or a single row, so
the cost grows with the number of questions and days, not with the number of participations.

Days are calendar days in the configured time zone (Europe/Rome by default), not in UTC: an
answer at 00:30 in Milan belongs to that day although it is still yesterday in UTC.
PostgreSQL converts with ``AT TIME ZONE``. SQLite knows no time zones, so it counts per UTC
minute and Python moves each minute to its local day (zoneinfo, DST included): a minute never
straddles a local midnight in any time zone, and the rows handed back are at most 1,440 a day
however many answers there are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from storage.repositories._sql import SessionRepository
from storage.tables import answers, ideas, participations
from surveys.entities import ParticipationStatus
from surveys.stats import DayCount, ParticipationCounts, QuestionCounts

_IN_PROGRESS = ParticipationStatus.IN_PROGRESS.value
_SUBMITTED = ParticipationStatus.SUBMITTED.value
_WITHDRAWN = ParticipationStatus.WITHDRAWN.value


def _counted(consultation_id: int) -> list[sa.ColumnElement[bool]]:
    """Participations that count: this consultation, real citizens, not withdrawn."""
    return [
        participations.c.consultation_id == consultation_id,
        participations.c.is_preview.is_(False),
        participations.c.status != _WITHDRAWN,
    ]


def _count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


class SqlStatsRepository(SessionRepository):
    @property
    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    async def participation_counts(self, consultation_id: int) -> ParticipationCounts:
        has_answer = (
            sa.exists()
            .where(answers.c.participation_id == participations.c.id)
            .correlate(participations)
        )
        counted = sa.and_(participations.c.status != _WITHDRAWN)
        query = sa.select(
            sa.func.count(sa.distinct(sa.case((counted, participations.c.participant_id)))),
            _count_if(counted),
            _count_if(sa.and_(counted, sa.or_(participations.c.status == _SUBMITTED, has_answer))),
            _count_if(participations.c.status == _SUBMITTED),
            _count_if(participations.c.status == _WITHDRAWN),
            _count_if(
                sa.and_(
                    participations.c.status == _IN_PROGRESS,
                    participations.c.current_question.is_(None),
                )
            ),
        ).where(
            participations.c.consultation_id == consultation_id,
            participations.c.is_preview.is_(False),
        )
        row = (await self.session.execute(query)).one()
        return ParticipationCounts(*(int(value) for value in row))

    def _duration_seconds(self) -> sa.ColumnElement[Any]:
        started, submitted = participations.c.started_at, participations.c.submitted_at
        if self._dialect == "postgresql":
            return sa.extract("epoch", submitted - started)
        # SQLite stores UTC text that julianday() reads; days → seconds.
        return (sa.func.julianday(submitted) - sa.func.julianday(started)) * 86400.0

    async def median_completion_seconds(self, consultation_id: int) -> float | None:
        completed = [
            *_counted(consultation_id),
            participations.c.status == _SUBMITTED,
            participations.c.submitted_at.is_not(None),
        ]
        total = (
            await self.session.execute(
                sa.select(sa.func.count()).select_from(participations).where(*completed)
            )
        ).scalar_one()
        if not total:
            return None
        # The middle one (odd count) or the middle two (even), by ORDER BY … OFFSET: the same
        # on both dialects (SQLite has no percentile function) and one index-friendly sort.
        duration = self._duration_seconds()
        middle = (
            sa.select(duration)
            .where(*completed)
            .order_by(duration)
            .offset((total - 1) // 2)
            .limit(2 - total % 2)
        )
        values = [float(v) for v in (await self.session.execute(middle)).scalars()]
        return max(0.0, sum(values) / len(values))

    async def question_counts(self, consultation_id: int) -> Sequence[QuestionCounts]:
        answered_query = (
            sa.select(answers.c.question_key, sa.func.count())
            .join(participations, participations.c.id == answers.c.participation_id)
            .where(*_counted(consultation_id))
            .group_by(answers.c.question_key)
        )
        answered = {key: int(n) for key, n in (await self.session.execute(answered_query)).all()}
        # Where unfinished people are now; someone who went back to a question they had
        # answered is already counted as having answered it.
        no_answer_here = ~sa.exists().where(
            answers.c.participation_id == participations.c.id,
            answers.c.question_key == participations.c.current_question,
        )
        stopped_query = (
            sa.select(participations.c.current_question, sa.func.count())
            .where(
                *_counted(consultation_id),
                participations.c.status == _IN_PROGRESS,
                participations.c.current_question.is_not(None),
                no_answer_here,
            )
            .group_by(participations.c.current_question)
        )
        stopped = {key: int(n) for key, n in (await self.session.execute(stopped_query)).all()}
        return [
            QuestionCounts(key, int(answered.get(key, 0)), int(stopped.get(key, 0)))
            for key in sorted(set(answered) | set(stopped))
        ]

    async def answers_per_day(self, consultation_id: int, timezone: str) -> Sequence[DayCount]:
        query = (
            sa.select(answers.c.answered_at)
            .join(participations, participations.c.id == answers.c.participation_id)
            .where(*_counted(consultation_id))
        )
        return await self._per_day(query.subquery(), timezone)

    async def ideas_per_day(self, consultation_id: int, timezone: str) -> Sequence[DayCount]:
        # An idea from someone who only previewed this consultation is a staff test.
        previewer = sa.exists().where(
            participations.c.participant_id == ideas.c.participant_id,
            participations.c.consultation_id == consultation_id,
            participations.c.is_preview.is_(True),
        )
        query = sa.select(ideas.c.created_at.label("answered_at")).where(
            ideas.c.consultation_id == consultation_id, ideas.c.hidden_at.is_(None), ~previewer
        )
        return await self._per_day(query.subquery(), timezone)

    async def _per_day(self, source: sa.Subquery, timezone: str) -> list[DayCount]:
        """Counts of ``source.answered_at`` per local day of ``timezone``."""
        at = source.c.answered_at
        zone = ZoneInfo(timezone)  # an unknown zone fails here, not inside the database
        if self._dialect == "postgresql":
            day = sa.cast(sa.func.timezone(timezone, at), sa.Date)
            query = sa.select(day, sa.func.count()).group_by(day).order_by(day)
            rows = (await self.session.execute(query)).all()
            return [DayCount(d, int(n)) for d, n in rows]
        # SQLite keeps UTC as text, "YYYY-MM-DD HH:MM:SS[.ffffff]" (storage.types): one
        # bucket per minute is its first 16 characters, far cheaper than strftime() over a
        # million rows, and exact in every time zone.
        minute = sa.func.substr(at, 1, 16)
        minutes = sa.select(minute, sa.func.count()).group_by(minute)
        per_day: Counter[date] = Counter()
        for text, count in (await self.session.execute(minutes)).all():
            utc = datetime(
                int(text[0:4]),
                int(text[5:7]),
                int(text[8:10]),
                int(text[11:13]),
                int(text[14:16]),
                tzinfo=UTC,
            )
            per_day[utc.astimezone(zone).date()] += int(count)
        return [DayCount(d, per_day[d]) for d in sorted(per_day)]
