"""Rules several use cases share: when a consultation accepts input, where a participation stands.

Kept apart from the use cases so that each of those reads as the story of one request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from surveys import engine
from surveys.definition import AnswerValue, SurveyDefinition
from surveys.entities import Consultation, ConsultationStatus, Participation
from surveys.ports import UnitOfWork
from surveys.usecases.outcomes import ConsultationClosed, ConsultationNotOpen, Position

NO_GRACE = timedelta(0)


class _GraceRule(Enum):
    CONSULTATION = "consultation"


CLOSING_GRACE = _GraceRule.CONSULTATION
"""Pass as ``grace=`` to let a citizen already in the middle of a survey finish it after
closing time, for as long as the consultation file says (``closing_grace_minutes``)."""

Grace = timedelta | _GraceRule


def resolve_grace(grace: Grace, definition: SurveyDefinition) -> timedelta:
    """The grace period in force: a fixed one, or the consultation's own."""
    if isinstance(grace, timedelta):
        return grace
    return timedelta(minutes=definition.closing_grace_minutes)


def has_closed(consultation: Consultation, now: datetime, grace: timedelta = NO_GRACE) -> bool:
    """Closed by status or by its closing time, whichever comes first.

    The closing time is checked here as well as by the scheduler so that an answer arriving in
    the seconds between ``closes_at`` and the scheduler's tick is still refused. ``grace``
    extends the closing time for participations already under way (see ``CLOSING_GRACE``); a
    consultation closed without a known closing time gets no grace.
    """
    closes_at = consultation.closes_at
    if consultation.status is ConsultationStatus.CLOSED and (
        closes_at is None or closes_at > now or grace <= NO_GRACE
    ):
        return True
    return closes_at is not None and now >= closes_at + grace


def refusal(
    consultation: Consultation, now: datetime, grace: timedelta = NO_GRACE
) -> ConsultationNotOpen | ConsultationClosed | None:
    """Why this consultation accepts nothing now, or ``None`` when it is open."""
    if has_closed(consultation, now, grace):
        return ConsultationClosed(consultation)
    if consultation.status not in (ConsultationStatus.OPEN, ConsultationStatus.CLOSED):
        return ConsultationNotOpen(consultation)
    return None


async def definition_of(uow: UnitOfWork, consultation_id: int, version: int) -> SurveyDefinition:
    """The survey a participation answers: always its own version, never a later one."""
    survey_version = await uow.consultations.get_version(consultation_id, version)
    if survey_version is None:
        raise LookupError(f"consultation {consultation_id} has no survey version {version}")
    return survey_version.definition


async def answers_of(uow: UnitOfWork, participation_id: int) -> dict[str, AnswerValue | None]:
    return {a.question_key: a.value for a in await uow.answers.for_participation(participation_id)}


def position_of(
    participation: Participation,
    definition: SurveyDefinition,
    answers: dict[str, AnswerValue | None],
) -> Position:
    """The position stored in the participation, repaired if it no longer makes sense.

    ``current_question`` is the truth (it may point back at an answered question being edited)
    unless it names a question that is unknown or hidden by the answers, which only a bug or a
    hand edit of the database could cause; then the engine's next question is used.
    """
    visible = tuple(engine.visible_questions(definition, answers))
    key = participation.current_question
    question = next((q for q in visible if q.key == key), None) if key is not None else None
    if key is not None and question is None:
        question = engine.next_question(definition, answers)
    return Position(participation, definition, dict(answers), question, visible)
