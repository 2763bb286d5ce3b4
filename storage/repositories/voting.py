"""Statements and votes: what citizens vote on in the chat, and how they voted.

One vote per (statement, participant) is the table's primary key; casting again changes the
value (``INSERT … ON CONFLICT DO UPDATE``), so a double tap or a change of mind never makes a
second row. The next statement for someone is chosen in SQL: accepted, not yet voted on by
them, fewest votes first (so every statement gathers votes evenly, as Pol.is does), then
oldest.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from storage.repositories._sql import SessionRepository, column_values, upsert_insert
from storage.tables import participations, statements, votes
from surveys.entities import ParticipationStatus, Statement, StatementStatus, Vote


def _statement(row: RowMapping) -> Statement:
    return Statement(
        consultation_id=row["consultation_id"],
        text=row["text"],
        status=StatementStatus(row["status"]),
        language=row["language"],
        theme_id=row["theme_id"],
        proposed_by=row["proposed_by"],
        created_at=row["created_at"],
        id=row["id"],
    )


def _vote(row: RowMapping) -> Vote:
    return Vote(
        statement_id=row["statement_id"],
        participant_id=row["participant_id"],
        value=int(row["value"]),
        voted_at=row["voted_at"],
    )


def _accepted_in(consultation_id: int) -> sa.Select[tuple[int]]:
    return sa.select(statements.c.id).where(
        statements.c.consultation_id == consultation_id,
        statements.c.status == StatementStatus.ACCEPTED.value,
    )


class SqlStatementRepository(SessionRepository):
    async def add(self, statement: Statement) -> Statement:
        insert = (
            sa.insert(statements).values(column_values(statement, statements)).returning(statements)
        )
        return _statement((await self.session.execute(insert)).mappings().one())

    async def get(self, statement_id: int) -> Statement | None:
        query = sa.select(statements).where(statements.c.id == statement_id)
        row = (await self.session.execute(query)).mappings().first()
        return None if row is None else _statement(row)

    async def list_for_consultation(
        self, consultation_id: int, status: StatementStatus | None = None
    ) -> Sequence[Statement]:
        query = sa.select(statements).where(statements.c.consultation_id == consultation_id)
        if status is not None:
            query = query.where(statements.c.status == status.value)
        rows = await self.session.execute(query.order_by(statements.c.id))
        return [_statement(row) for row in rows.mappings()]

    async def list_for_participant(self, participant_id: int) -> Sequence[Statement]:
        query = (
            sa.select(statements)
            .where(statements.c.proposed_by == participant_id)
            .order_by(statements.c.id)
        )
        return [_statement(row) for row in (await self.session.execute(query)).mappings()]

    async def set_status(self, statement_id: int, status: StatementStatus) -> bool:
        result = await self.session.execute(
            sa.update(statements)
            .where(statements.c.id == statement_id, statements.c.status != status.value)
            .values(status=status.value)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    async def next_for(self, consultation_id: int, participant_id: int) -> Statement | None:
        # Counted over this consultation's statements only, not every vote in the database.
        tally = (
            sa.select(votes.c.statement_id, sa.func.count().label("n"))
            .where(votes.c.statement_id.in_(_accepted_in(consultation_id)))
            .group_by(votes.c.statement_id)
            .subquery()
        )
        mine = sa.select(votes.c.statement_id).where(votes.c.participant_id == participant_id)
        query = (
            sa.select(statements)
            .select_from(statements.outerjoin(tally, tally.c.statement_id == statements.c.id))
            .where(
                statements.c.consultation_id == consultation_id,
                statements.c.status == StatementStatus.ACCEPTED.value,
                statements.c.id.not_in(mine),
            )
            .order_by(sa.func.coalesce(tally.c.n, 0), statements.c.id)
            .limit(1)
        )
        row = (await self.session.execute(query)).mappings().first()
        return None if row is None else _statement(row)

    async def vote_counts(self, consultation_id: int) -> dict[int, int]:
        query = (
            sa.select(votes.c.statement_id, sa.func.count())
            .join(statements, statements.c.id == votes.c.statement_id)
            .where(statements.c.consultation_id == consultation_id)
            .group_by(votes.c.statement_id)
        )
        return {int(s): int(n) for s, n in (await self.session.execute(query)).all()}


class SqlVoteRepository(SessionRepository):
    async def get(self, statement_id: int, participant_id: int) -> Vote | None:
        query = sa.select(votes).where(
            votes.c.statement_id == statement_id, votes.c.participant_id == participant_id
        )
        row = (await self.session.execute(query)).mappings().first()
        return None if row is None else _vote(row)

    async def cast(self, vote: Vote) -> None:
        values = column_values(vote, votes, skip=())
        update: dict[str, object] = {"value": vote.value}
        if vote.voted_at is not None:
            update["voted_at"] = vote.voted_at
        insert = upsert_insert(self.session, votes).values(values)
        await self.session.execute(
            insert.on_conflict_do_update(
                index_elements=[votes.c.statement_id, votes.c.participant_id], set_=update
            )
        )

    async def count_for(self, consultation_id: int, participant_id: int) -> int:
        query = (
            sa.select(sa.func.count())
            .select_from(votes)
            .where(
                votes.c.participant_id == participant_id,
                votes.c.statement_id.in_(_accepted_in(consultation_id)),
            )
        )
        return int((await self.session.execute(query)).scalar_one())

    async def for_consultation(self, consultation_id: int) -> Sequence[Vote]:
        real = sa.select(participations.c.participant_id).where(
            participations.c.consultation_id == consultation_id,
            participations.c.is_preview.is_(False),
            participations.c.status != ParticipationStatus.WITHDRAWN.value,
        )
        query = (
            sa.select(votes)
            .where(
                votes.c.statement_id.in_(_accepted_in(consultation_id)),
                votes.c.participant_id.in_(real),
            )
            .order_by(votes.c.participant_id, votes.c.statement_id)
        )
        return [_vote(row) for row in (await self.session.execute(query)).mappings()]

    async def list_for_participant(self, participant_id: int) -> Sequence[Vote]:
        query = (
            sa.select(votes)
            .where(votes.c.participant_id == participant_id)
            .order_by(votes.c.statement_id)
        )
        return [_vote(row) for row in (await self.session.execute(query)).mappings()]
