"""Use cases for people: register a pseudonymous participant, record and withdraw consent.

Nothing a citizen says is stored before they accept the consultation's privacy notice: the
participation row itself is only created by ``give_consent``, and it keeps the consent version
(DESIGN.md §4). Withdrawing consent deletes that participation's answers, because consent was
their lawful basis; the participation row stays, marked withdrawn, so it can be given again.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from surveys import engine
from surveys.definition import SurveyDefinition
from surveys.entities import (
    Consultation,
    Contact,
    Participant,
    Participation,
    ParticipationStatus,
)
from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory
from surveys.usecases.outcomes import (
    ConsentGiven,
    ConsentOutcome,
    ConsentWithdrawn,
    ConsultationNotFound,
    NothingToWithdraw,
    ParticipantNotFound,
    Registered,
    WithdrawOutcome,
)
from surveys.usecases.rules import definition_of, refusal


def notice_version(definition: SurveyDefinition) -> str:
    """A short identity of the privacy notice a citizen accepted (changes when its text does)."""
    notice = definition.privacy_notice
    text = "\n".join(f"{lang}:{notice[lang]}" for lang in sorted(notice))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


async def register_participant(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    pseudonym: str,
    language: str,
    chat_id: int,
) -> Registered:
    """Get or create the participant; keep the contact row pointing at the current chat.

    ``language`` is only used for a new participant: afterwards the citizen's own choice
    (``set_language``) wins over whatever their Telegram client reports.
    """
    async with uow_factory() as uow:
        registered = await ensure_participant(uow, clock, pseudonym, language, chat_id)
        await uow.commit()
    return registered


async def ensure_participant(
    uow: UnitOfWork, clock: Clock, pseudonym: str, language: str, chat_id: int
) -> Registered:
    """Inside a unit of work: get or create the participant and keep their contact current."""
    participant = await uow.participants.get_by_pseudonym(pseudonym)
    created = participant is None
    if participant is None:
        participant = await uow.participants.add(
            Participant(pseudonym=pseudonym, language=language, created_at=clock.now())
        )
    assert participant.id is not None
    contact = await uow.participants.get_contact(participant.id)
    if contact is None or contact.chat_id != chat_id:
        await uow.participants.set_contact(Contact(participant.id, chat_id))
    return Registered(participant, created)


async def set_language(
    uow_factory: UnitOfWorkFactory, participant_id: int, language: str
) -> Participant | ParticipantNotFound:
    async with uow_factory() as uow:
        participant = await uow.participants.get(participant_id)
        if participant is None:
            return ParticipantNotFound(participant_id)
        participant.language = language
        await uow.participants.update(participant)
        await uow.commit()
    return participant


async def give_consent(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    participant_id: int,
    slug: str,
    consent_version: str,
) -> ConsentOutcome:
    """Record consent for one consultation, creating the participation at its first question.

    A new participation takes the consultation's current survey version; an existing one keeps
    its own. Consenting again after a withdrawal starts over from the first question.
    """
    now = clock.now()
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
        participation = await record_consent(uow, consultation, participant, consent_version, now)
        await uow.commit()
    return ConsentGiven(participation)


async def record_consent(
    uow: UnitOfWork,
    consultation: Consultation,
    participant: Participant,
    consent_version: str,
    now: datetime,
) -> Participation:
    """The writes of consent, inside the caller's unit of work (which commits)."""
    participant_id = participant.id
    assert participant_id is not None
    assert consultation.id is not None
    participation = await uow.participations.find(participant_id, consultation.id)
    if participation is None:
        definition = await definition_of(uow, consultation.id, consultation.current_version)
        first = engine.next_question(definition, {})
        participation = await uow.participations.add(
            Participation(
                participant_id=participant_id,
                consultation_id=consultation.id,
                version=consultation.current_version,
                consent_version=consent_version,
                current_question=first.key if first is not None else None,
                started_at=now,
                updated_at=now,
            )
        )
    else:
        if participation.status is ParticipationStatus.WITHDRAWN:
            # Its answers are gone, so it may as well start over on the current version.
            participation.version = consultation.current_version
            definition = await definition_of(uow, consultation.id, participation.version)
            first = engine.next_question(definition, {})
            participation.current_question = first.key if first is not None else None
            participation.status = ParticipationStatus.IN_PROGRESS
        participation.consent_version = consent_version
        participation.updated_at = now
        await uow.participations.update(participation)
    participant.consent_version = consent_version
    participant.consented_at = now
    await uow.participants.update(participant)
    return participation


async def withdraw_consent(
    uow_factory: UnitOfWorkFactory, clock: Clock, participant_id: int, slug: str
) -> WithdrawOutcome:
    """One tap: the participation is withdrawn and its answers deleted."""
    async with uow_factory() as uow:
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None:
            return ConsultationNotFound(slug)
        assert consultation.id is not None
        participation = await uow.participations.find(participant_id, consultation.id)
        if participation is None or participation.consent_version is None:
            return NothingToWithdraw(slug)
        assert participation.id is not None
        answers = await uow.answers.for_participation(participation.id)
        await uow.answers.delete(participation.id, [a.question_key for a in answers])
        participation.consent_version = None
        participation.status = ParticipationStatus.WITHDRAWN
        participation.current_question = None
        participation.updated_at = clock.now()
        await uow.participations.update(participation)
        await uow.commit()
    return ConsentWithdrawn(participation, len(answers))
