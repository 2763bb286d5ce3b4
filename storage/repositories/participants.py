"""Participants (pseudonymous), their contact row, and erasure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from storage.repositories._sql import SessionRepository, column_values, upsert_insert
from storage.tables import (
    answers,
    contacts,
    ideas,
    participants,
    participations,
    project_follows,
    theme_memberships,
)
from surveys.entities import Contact, Participant, TextSource


def _participant(row: RowMapping) -> Participant:
    return Participant(
        pseudonym=row["pseudonym"],
        language=row["language"],
        consent_version=row["consent_version"],
        consented_at=row["consented_at"],
        reminders_stopped=row["reminders_stopped"],
        unreachable=row["unreachable"],
        created_at=row["created_at"],
        id=row["id"],
        blocked_at=row["blocked_at"],
    )


# Statements of every citizen update, built once (see storage/repositories/participations.py).
_GET = sa.select(participants).where(participants.c.id == sa.bindparam("id_"))
_BY_PSEUDONYM = sa.select(participants).where(
    participants.c.pseudonym == sa.bindparam("pseudonym_")
)


class SqlParticipantRepository(SessionRepository):
    async def get(self, participant_id: int) -> Participant | None:
        result = await self.session.execute(_GET, {"id_": participant_id})
        row = result.mappings().first()
        return None if row is None else _participant(row)

    async def get_by_pseudonym(self, pseudonym: str) -> Participant | None:
        result = await self.session.execute(_BY_PSEUDONYM, {"pseudonym_": pseudonym})
        row = result.mappings().first()
        return None if row is None else _participant(row)

    async def add(self, participant: Participant) -> Participant:
        insert = (
            sa.insert(participants)
            .values(column_values(participant, participants))
            .returning(participants)
        )
        return _participant((await self.session.execute(insert)).mappings().one())

    async def update(self, participant: Participant) -> None:
        await self.session.execute(
            sa.update(participants)
            .where(participants.c.id == participant.id)
            .values(column_values(participant, participants))
        )

    async def delete(self, participant_id: int) -> None:
        """Erase the person and everything that is theirs.

        Foreign keys cascade to the contact, participations (and so answers), ideas,
        statements they proposed, votes and outbox rows. Theme memberships point at answers
        and ideas without a foreign key (the source is polymorphic), so they go first, by hand.
        """
        their_answers = (
            sa.select(answers.c.id)
            .join(participations, participations.c.id == answers.c.participation_id)
            .where(participations.c.participant_id == participant_id)
        )
        their_ideas = sa.select(ideas.c.id).where(ideas.c.participant_id == participant_id)
        await self.session.execute(
            sa.delete(theme_memberships).where(
                sa.or_(
                    sa.and_(
                        theme_memberships.c.source == TextSource.ANSWER.value,
                        theme_memberships.c.source_id.in_(their_answers),
                    ),
                    sa.and_(
                        theme_memberships.c.source == TextSource.IDEA.value,
                        theme_memberships.c.source_id.in_(their_ideas),
                    ),
                )
            )
        )
        await self.session.execute(
            sa.delete(participants).where(participants.c.id == participant_id)
        )

    async def set_contact(self, contact: Contact) -> None:
        insert = upsert_insert(self.session, contacts).values(
            participant_id=contact.participant_id, chat_id=contact.chat_id
        )
        await self.session.execute(
            insert.on_conflict_do_update(
                index_elements=[contacts.c.participant_id],
                set_={"chat_id": insert.excluded.chat_id},
            )
        )

    async def get_contact(self, participant_id: int) -> Contact | None:
        query = sa.select(contacts.c.chat_id).where(contacts.c.participant_id == participant_id)
        chat_id = (await self.session.execute(query)).scalar_one_or_none()
        return None if chat_id is None else Contact(participant_id, chat_id)

    async def follow(self, participant_id: int, project: str) -> None:
        insert = upsert_insert(self.session, project_follows).values(
            participant_id=participant_id, project=project
        )
        await self.session.execute(insert.on_conflict_do_nothing())

    async def unfollow(self, participant_id: int, project: str | None = None) -> int:
        delete = sa.delete(project_follows).where(
            project_follows.c.participant_id == participant_id
        )
        if project is not None:
            delete = delete.where(project_follows.c.project == project)
        result = await self.session.execute(delete)
        return int(getattr(result, "rowcount", 0) or 0)

    async def followed_projects(self, participant_id: int) -> Sequence[str]:
        query = (
            sa.select(project_follows.c.project)
            .where(project_follows.c.participant_id == participant_id)
            .order_by(project_follows.c.project)
        )
        return list((await self.session.execute(query)).scalars())

    # --- moderation: blocking a participant who abuses the bot --------------------------------
    async def block(self, participant_id: int, at: datetime) -> bool:
        result = await self.session.execute(
            sa.update(participants)
            .where(participants.c.id == participant_id, participants.c.blocked_at.is_(None))
            .values(blocked_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    async def unblock(self, participant_id: int) -> bool:
        result = await self.session.execute(
            sa.update(participants)
            .where(participants.c.id == participant_id, participants.c.blocked_at.is_not(None))
            .values(blocked_at=None)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    async def list_blocked(self) -> Sequence[Participant]:
        query = (
            sa.select(participants)
            .where(participants.c.blocked_at.is_not(None))
            .order_by(participants.c.blocked_at.desc(), participants.c.id.desc())
        )
        return [_participant(row) for row in (await self.session.execute(query)).mappings()]
