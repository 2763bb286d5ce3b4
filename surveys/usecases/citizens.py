"""Use cases behind the citizen's chat that the survey use cases do not cover.

Who is writing (a read that stores nothing, so that declining consent leaves no trace), which
survey they are in the middle of, joining a consultation in one commit (participant, contact,
consent and participation together, so a redelivered tap can never leave half of it), the
listening consultation a free message belongs to, following projects and stopping messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from surveys.definition import Mode, SurveyDefinition
from surveys.entities import (
    Consultation,
    ConsultationStatus,
    Participant,
    ParticipationStatus,
)
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.outcomes import (
    ConsentRequired,
    ConsultationClosed,
    ConsultationNotFound,
    ConsultationNotOpen,
    ParticipantNotFound,
    Position,
    Started,
)
from surveys.usecases.participants import ensure_participant, notice_version, record_consent
from surveys.usecases.privacy import export_my_data
from surveys.usecases.rules import (
    NO_GRACE,
    Grace,
    answers_of,
    definition_of,
    has_closed,
    position_of,
    refusal,
    resolve_grace,
)


def consent_version(definition: SurveyDefinition) -> str:
    """What a citizen agreed to: this privacy notice, and being at least the file's ``min_age``."""
    return f"{notice_version(definition)}+age{definition.min_age}"


@dataclass(frozen=True)
class Followed:
    project: str
    participant: Participant


JoinOutcome = (
    Started | ConsentRequired | ConsultationNotFound | ConsultationNotOpen | ConsultationClosed
)


async def find_participant(uow_factory: UnitOfWorkFactory, pseudonym: str) -> Participant | None:
    """The participant with this pseudonym, if they ever agreed to anything. Writes nothing."""
    async with uow_factory() as uow:
        return await uow.participants.get_by_pseudonym(pseudonym)


async def join_consultation(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    pseudonym: str,
    language: str,
    chat_id: int,
    slug: str,
    version: int,
) -> JoinOutcome:
    """The citizen accepted the notice of survey ``version`` and confirmed their age: begin.

    The notice shown was the one of ``version``; if a newer version was published meanwhile,
    its notice must be shown and accepted instead (``ConsentRequired``). Already taking part →
    the existing participation resumes (a double tap on "I agree" is harmless).
    """
    now = clock.now()
    async with uow_factory() as uow:
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None:
            return ConsultationNotFound(slug)
        refused = refusal(consultation, now)
        if refused is not None:
            return refused
        assert consultation.id is not None
        if version != consultation.current_version:
            definition = await definition_of(uow, consultation.id, consultation.current_version)
            return ConsentRequired(consultation, definition)
        definition = await definition_of(uow, consultation.id, version)
        registered = await ensure_participant(uow, clock, pseudonym, language, chat_id)
        participant = registered.participant
        participation = await record_consent(
            uow, consultation, participant, consent_version(definition), now
        )
        assert participation.id is not None
        definition = await definition_of(uow, consultation.id, participation.version)
        answers = await answers_of(uow, participation.id)
        position = position_of(participation, definition, answers)
        await uow.commit()
    return Started(position, resumed=bool(answers))


async def active_position(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    participant_id: int,
    *,
    grace: Grace = NO_GRACE,
) -> Position | None:
    """Where the citizen stands in the survey they touched last and have not submitted.

    Only consented participations in consultations still accepting answers count; ``None``
    when there is none (the citizen is "outside a survey"). Writes nothing.
    """
    now = clock.now()
    async with uow_factory() as uow:
        candidates = [
            p
            for p in await uow.participations.list_for_participant(participant_id)
            if p.status is ParticipationStatus.IN_PROGRESS and p.consent_version is not None
        ]
        candidates.sort(key=lambda p: (p.updated_at is not None, p.updated_at), reverse=True)
        for participation in candidates:
            consultation = await uow.consultations.get(participation.consultation_id)
            if consultation is None:
                continue
            assert participation.id is not None
            definition = await definition_of(
                uow, participation.consultation_id, participation.version
            )
            if refusal(consultation, now, resolve_grace(grace, definition)) is not None:
                continue
            answers = await answers_of(uow, participation.id)
            return position_of(participation, definition, answers)
    return None


@dataclass(frozen=True)
class ListeningTarget:
    """The open listening consultation a free message goes to, and whether consent is given."""

    consultation: Consultation
    definition: SurveyDefinition
    consented: bool


async def listening_target(
    uow_factory: UnitOfWorkFactory, clock: Clock, participant_id: int | None
) -> ListeningTarget | None:
    """The open listening consultation for an idea: one the citizen joined, else the first."""
    now = clock.now()
    async with uow_factory() as uow:
        open_ones = [
            c
            for c in await uow.consultations.list(ConsultationStatus.OPEN)
            if c.mode is Mode.LISTENING and not has_closed(c, now)
        ]
        open_ones.sort(key=lambda c: c.slug)
        if not open_ones:
            return None
        chosen, consented = open_ones[0], False
        if participant_id is not None:
            for consultation in open_ones:
                assert consultation.id is not None
                participation = await uow.participations.find(participant_id, consultation.id)
                if (
                    participation is not None
                    and participation.consent_version is not None
                    and participation.status is not ParticipationStatus.WITHDRAWN
                ):
                    chosen, consented = consultation, True
                    break
        assert chosen.id is not None
        definition = await definition_of(uow, chosen.id, chosen.current_version)
    return ListeningTarget(chosen, definition, consented)


# --- following projects ----------------------------------------------------------------------


async def projects(uow_factory: UnitOfWorkFactory) -> list[Consultation]:
    """One consultation per project (the first by slug), for the /follow buttons."""
    async with uow_factory() as uow:
        by_project: dict[str, Consultation] = {}
        for consultation in sorted(await uow.consultations.list(), key=lambda c: c.slug):
            if consultation.status is ConsultationStatus.DRAFT:
                continue
            by_project.setdefault(consultation.project, consultation)
    return sorted(by_project.values(), key=lambda c: c.project.casefold())


async def follow_project(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    pseudonym: str,
    language: str,
    chat_id: int,
    consultation_id: int,
) -> Followed | ConsultationNotFound:
    """Subscribe to the announcements of the project of ``consultation_id``.

    Asking to follow is the consent to be messaged, so it may create the participant (and the
    contact row needed to reach them) in the same commit.
    """
    async with uow_factory() as uow:
        consultation = await uow.consultations.get(consultation_id)
        if consultation is None:
            return ConsultationNotFound(str(consultation_id))
        registered = await ensure_participant(uow, clock, pseudonym, language, chat_id)
        participant = registered.participant
        assert participant.id is not None
        await uow.participants.follow(participant.id, consultation.project)
        if participant.reminders_stopped:
            # Following again after /stop is asking for messages again.
            participant.reminders_stopped = False
            await uow.participants.update(participant)
        await uow.commit()
    return Followed(consultation.project, participant)


async def followed_projects(uow_factory: UnitOfWorkFactory, participant_id: int) -> list[str]:
    async with uow_factory() as uow:
        return list(await uow.participants.followed_projects(participant_id))


async def unfollow_project(
    uow_factory: UnitOfWorkFactory, participant_id: int, project: str | None
) -> int:
    """End one project's announcements (``None``: all of them); how many follows ended."""
    async with uow_factory() as uow:
        ended = await uow.participants.unfollow(participant_id, project)
        await uow.commit()
    return ended


async def stop_messages(
    uow_factory: UnitOfWorkFactory, participant_id: int
) -> int | ParticipantNotFound:
    """/stop: no more reminders nor announcements; returns how many follows ended."""
    async with uow_factory() as uow:
        participant = await uow.participants.get(participant_id)
        if participant is None:
            return ParticipantNotFound(participant_id)
        participant.reminders_stopped = True
        await uow.participants.update(participant)
        ended = await uow.participants.unfollow(participant_id, None)
        await uow.commit()
    return ended


async def export_everything(
    uow_factory: UnitOfWorkFactory, participant_id: int
) -> dict[str, Any] | ParticipantNotFound:
    """``export_my_data`` plus the projects followed: every row stored about the person."""
    export = await export_my_data(uow_factory, participant_id)
    if isinstance(export, ParticipantNotFound):
        return export
    export["follows"] = await followed_projects(uow_factory, participant_id)
    return export


async def where_is(
    uow_factory: UnitOfWorkFactory, participant_id: int, consultation_id: int
) -> Position | None:
    """The participation of this person in this consultation and where it stands, if any.

    Read only; the answering use cases check again (stale taps, closing, consent) when they
    write. A withdrawn participation or one without consent counts as none.
    """
    async with uow_factory() as uow:
        participation = await uow.participations.find(participant_id, consultation_id)
        if (
            participation is None
            or participation.id is None
            or participation.consent_version is None
            or participation.status is ParticipationStatus.WITHDRAWN
        ):
            return None
        definition = await definition_of(uow, consultation_id, participation.version)
        answers = await answers_of(uow, participation.id)
    return position_of(participation, definition, answers)


async def get_consultation(
    uow_factory: UnitOfWorkFactory, consultation_id: int
) -> Consultation | None:
    async with uow_factory() as uow:
        return await uow.consultations.get(consultation_id)
