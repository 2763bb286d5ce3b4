"""Use case for ideas: free text a citizen sends to an open consultation, outside any question.

Listening consultations are made of ideas; survey consultations accept them too. Ideas join the
consultation's free-text pool that themes are built from, so they need consent like answers.
"""

from __future__ import annotations

from surveys.engine import normalize_text
from surveys.entities import Idea, ParticipationStatus
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.rejections import Rejection, RejectionCode
from surveys.usecases.outcomes import (
    ConsentRequired,
    ConsultationNotFound,
    IdeaOutcome,
    IdeaRecorded,
    IdeaRejected,
    ParticipantNotFound,
)
from surveys.usecases.rules import definition_of, refusal

MAX_IDEA_LENGTH = 4000
"""Characters; a Telegram message holds at most 4096, so only pasted walls of text exceed it."""


async def record_idea(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    participant_id: int,
    slug: str,
    text: str,
    language: str | None = None,
) -> IdeaOutcome:
    now = clock.now()
    cleaned = normalize_text(text)  # no NUL (PostgreSQL refuses it), ends stripped
    if not cleaned:
        return IdeaRejected(Rejection(RejectionCode.EMPTY))
    if len(cleaned) > MAX_IDEA_LENGTH:
        too_long = Rejection(
            RejectionCode.TOO_LONG, {"max": MAX_IDEA_LENGTH, "length": len(cleaned)}
        )
        return IdeaRejected(too_long)
    async with uow_factory() as uow:
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None:
            return ConsultationNotFound(slug)
        refused = refusal(consultation, now)
        if refused is not None:
            return refused
        participant = await uow.participants.get(participant_id)
        if participant is None:
            return ParticipantNotFound(participant_id)
        assert consultation.id is not None
        participation = await uow.participations.find(participant_id, consultation.id)
        if (
            participation is None
            or participation.consent_version is None
            or participation.status is ParticipationStatus.WITHDRAWN
        ):
            version = participation.version if participation else consultation.current_version
            definition = await definition_of(uow, consultation.id, version)
            return ConsentRequired(consultation, definition, participation)
        idea = await uow.ideas.add(
            Idea(
                consultation_id=consultation.id,
                participant_id=participant_id,
                text=cleaned,
                language=language or participant.language,
                created_at=now,
            )
        )
        await uow.commit()
    return IdeaRecorded(idea)
