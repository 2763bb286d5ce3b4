"""The end of a consultation's retention period: anonymise its answers, erase its people.

Answers stay (reports and themes are built from them) but each participation is handed to a
fresh anonymous participant with no contact, no consent record and a random pseudonym, so
nothing links it to a Telegram account or to the person's other participations. Votes on the
consultation's statements move with their author's participation; ideas and proposed
statements lose their author. Authors left with nothing (no other participation, idea, vote,
statement or followed project) are then erased outright (contact, outbox rows and all).
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from storage.repositories._sql import SessionRepository
from storage.tables import (
    ideas,
    participants,
    participations,
    project_follows,
    statements,
    votes,
)
from surveys.entities import RetentionOutcome

ANONYMOUS_PREFIX = "anon-"


class SqlRetentionRepository(SessionRepository):
    async def anonymise_consultation(self, consultation_id: int) -> RetentionOutcome:
        session = self.session
        their_statements = sa.select(statements.c.id).where(
            statements.c.consultation_id == consultation_id
        )
        authors_of_participations = dict(
            (
                await session.execute(
                    sa.select(participations.c.id, participations.c.participant_id).where(
                        participations.c.consultation_id == consultation_id,
                        ~participations.c.participant_id.in_(_anonymous_ids()),
                    )
                )
            ).all()
        )
        voters = set(
            (
                await session.execute(
                    sa.select(votes.c.participant_id)
                    .where(votes.c.statement_id.in_(their_statements))
                    .where(~votes.c.participant_id.in_(_anonymous_ids()))
                    .distinct()
                )
            ).scalars()
        )
        idea_authors = set(
            (
                await session.execute(
                    sa.select(ideas.c.participant_id)
                    .where(ideas.c.consultation_id == consultation_id)
                    .where(ideas.c.participant_id.is_not(None))
                    .distinct()
                )
            ).scalars()
        )
        proposers = set(
            (
                await session.execute(
                    sa.select(statements.c.proposed_by)
                    .where(statements.c.consultation_id == consultation_id)
                    .where(statements.c.proposed_by.is_not(None))
                    .distinct()
                )
            ).scalars()
        )

        stand_ins: dict[int, int] = {}  # real participant → their anonymous stand-in
        for person in sorted(set(authors_of_participations.values()) | voters):
            stand_ins[person] = await self._anonymous_participant()
        for participation_id, person in authors_of_participations.items():
            await session.execute(
                sa.update(participations)
                .where(participations.c.id == participation_id)
                .values(participant_id=stand_ins[person], consent_version=None)
            )
        moved_votes = 0
        for person in voters:
            result = await session.execute(
                sa.update(votes)
                .where(votes.c.participant_id == person)
                .where(votes.c.statement_id.in_(their_statements))
                .values(participant_id=stand_ins[person])
            )
            moved_votes += _rowcount(result)
        cut_ideas = await session.execute(
            sa.update(ideas)
            .where(ideas.c.consultation_id == consultation_id, ideas.c.participant_id.is_not(None))
            .values(participant_id=None)
        )
        await session.execute(
            sa.update(statements)
            .where(statements.c.consultation_id == consultation_id)
            .values(proposed_by=None)
        )
        erased = await self._erase_if_nothing_left(
            set(authors_of_participations.values()) | voters | idea_authors | proposers
        )
        return RetentionOutcome(
            participations_anonymised=len(authors_of_participations),
            ideas_anonymised=_rowcount(cut_ideas),
            votes_anonymised=moved_votes,
            participants_erased=erased,
        )

    async def _anonymous_participant(self) -> int:
        insert = (
            sa.insert(participants)
            .values(
                pseudonym=ANONYMOUS_PREFIX + secrets.token_hex(24),
                language="it",
                reminders_stopped=True,
                unreachable=True,
            )
            .returning(participants.c.id)
        )
        return int((await self.session.execute(insert)).scalar_one())

    async def _erase_if_nothing_left(self, people: set[int]) -> int:
        if not people:
            return 0
        keeps_something = sa.or_(
            sa.exists().where(participations.c.participant_id == participants.c.id),
            sa.exists().where(ideas.c.participant_id == participants.c.id),
            sa.exists().where(votes.c.participant_id == participants.c.id),
            sa.exists().where(statements.c.proposed_by == participants.c.id),
            sa.exists().where(project_follows.c.participant_id == participants.c.id),
        )
        result = await self.session.execute(
            sa.delete(participants).where(participants.c.id.in_(people), ~keeps_something)
        )
        return _rowcount(result)


def _anonymous_ids() -> sa.Select[tuple[int]]:
    return sa.select(participants.c.id).where(participants.c.pseudonym.startswith(ANONYMOUS_PREFIX))


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
