"""Use cases for the rights of the person (GDPR Art. 15 and 17): see everything, erase everything.

The export is a JSON-ready dict of every row stored about the participant, with question texts
so that it can be read without the survey file. Internal ids are left out: they mean nothing to
the person and would only link the export to other rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from surveys.entities import Participation, TextSource
from surveys.ports import UnitOfWork, UnitOfWorkFactory
from surveys.themes import TextRef
from surveys.usecases.outcomes import ParticipantNotFound
from surveys.usecases.themes import forget_texts


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export_my_data(
    uow_factory: UnitOfWorkFactory, participant_id: int
) -> dict[str, Any] | ParticipantNotFound:
    async with uow_factory() as uow:
        participant = await uow.participants.get(participant_id)
        if participant is None:
            return ParticipantNotFound(participant_id)
        contact = await uow.participants.get_contact(participant_id)
        participations = [
            await _export_participation(uow, participation)
            for participation in await uow.participations.list_for_participant(participant_id)
        ]
        slugs: dict[int, str] = {}
        ideas = []
        for idea in await uow.ideas.list_for_participant(participant_id):
            if idea.consultation_id not in slugs:
                consultation = await uow.consultations.get(idea.consultation_id)
                slugs[idea.consultation_id] = consultation.slug if consultation else ""
            ideas.append(
                {
                    "consultation": slugs[idea.consultation_id],
                    "text": idea.text,
                    "language": idea.language,
                    "created_at": _time(idea.created_at),
                }
            )
        votes, statements = await _export_voting(uow, participant_id, slugs)
    return {
        "participant": {
            "pseudonym": participant.pseudonym,
            "language": participant.language,
            "consent_version": participant.consent_version,
            "consented_at": _time(participant.consented_at),
            "reminders_stopped": participant.reminders_stopped,
            "unreachable": participant.unreachable,
            "created_at": _time(participant.created_at),
        },
        "contact": {"chat_id": contact.chat_id} if contact is not None else None,
        "participations": participations,
        "ideas": ideas,
        "votes": votes,
        "statements": statements,
    }


_VOTE_NAMES = {1: "agree", -1: "disagree", 0: "pass"}


async def _export_voting(
    uow: UnitOfWork, participant_id: int, slugs: dict[int, str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The person's votes (with the words voted on) and the statements they proposed."""

    async def slug_of(consultation_id: int) -> str:
        if consultation_id not in slugs:
            consultation = await uow.consultations.get(consultation_id)
            slugs[consultation_id] = consultation.slug if consultation else ""
        return slugs[consultation_id]

    votes = []
    for vote in await uow.votes.list_for_participant(participant_id):
        statement = await uow.statements.get(vote.statement_id)
        if statement is None:
            continue
        votes.append(
            {
                "consultation": await slug_of(statement.consultation_id),
                "statement": statement.text,
                "vote": _VOTE_NAMES.get(vote.value, str(vote.value)),
                "voted_at": _time(vote.voted_at),
            }
        )
    statements = [
        {
            "consultation": await slug_of(statement.consultation_id),
            "text": statement.text,
            "status": statement.status.value,
            "language": statement.language,
            "created_at": _time(statement.created_at),
        }
        for statement in await uow.statements.list_for_participant(participant_id)
    ]
    return votes, statements


async def _export_participation(uow: UnitOfWork, participation: Participation) -> dict[str, Any]:
    consultation = await uow.consultations.get(participation.consultation_id)
    version = await uow.consultations.get_version(
        participation.consultation_id, participation.version
    )
    definition = version.definition if version is not None else None
    answers = []
    assert participation.id is not None
    for answer in await uow.answers.for_participation(participation.id):
        text = None
        if definition is not None and definition.has_question(answer.question_key):
            text = dict(definition.question(answer.question_key).text)
        answers.append(
            {
                "question_key": answer.question_key,
                "question": text,
                "value": answer.value,
                "version": answer.version,
                "answered_at": _time(answer.answered_at),
            }
        )
    return {
        "consultation": consultation.slug if consultation else None,
        "title": dict(definition.title) if definition is not None else None,
        "version": participation.version,
        "status": participation.status.value,
        "consent_version": participation.consent_version,
        "current_question": participation.current_question,
        "started_at": _time(participation.started_at),
        "updated_at": _time(participation.updated_at),
        "submitted_at": _time(participation.submitted_at),
        "answers": answers,
    }


async def erase_participant(uow_factory: UnitOfWorkFactory, participant_id: int) -> bool:
    """Delete the person and, by cascade, contact, participations, answers, ideas, votes and
    the statements they proposed (with everyone's votes on them).

    Returns False when there was nobody to erase (a second ``/delete`` is harmless).
    """
    async with uow_factory() as uow:
        if await uow.participants.get(participant_id) is None:
            return False
        await forget_texts(uow, await _their_texts(uow, participant_id))
        await uow.participants.delete(participant_id)
        await uow.commit()
    return True


async def _their_texts(uow: UnitOfWork, participant_id: int) -> list[tuple[TextRef, str]]:
    """The person's free texts (answers and ideas), so themes, quotes and cached vectors
    built from them go too (memberships have no foreign key; quotes are copies)."""
    texts: list[tuple[TextRef, str]] = []
    for participation in await uow.participations.list_for_participant(participant_id):
        assert participation.id is not None
        for answer in await uow.answers.for_participation(participation.id):
            if isinstance(answer.value, str) and answer.id is not None:
                texts.append(((TextSource.ANSWER.value, answer.id), answer.value))
    for idea in await uow.ideas.list_for_participant(participant_id):
        if idea.id is not None:
            texts.append(((TextSource.IDEA.value, idea.id), idea.text))
    return texts
