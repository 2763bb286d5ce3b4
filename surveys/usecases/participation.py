"""Use cases for taking part in a survey: start or resume, answer, go back, edit, submit.

The position (``current_question``) lives in the database, so any worker can serve the next
update of a citizen. Buttons carry the question key and the survey version: a tap whose key is
not the current question, or whose version is not the participation's, is a stale or double
tap and writes nothing (``AlreadyRecorded``). A participation answers the survey version it
started on, even when a newer version is published meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from surveys import engine
from surveys.definition import AnswerValue, Question, SurveyDefinition
from surveys.entities import Answer, Consultation, Participation, ParticipationStatus
from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory
from surveys.rejections import Rejection
from surveys.usecases.outcomes import (
    Accepted,
    AlreadyRecorded,
    AlreadySubmitted,
    AnswerOutcome,
    ConsentRequired,
    ConsultationClosed,
    ConsultationNotFound,
    Incomplete,
    Moved,
    MoveOutcome,
    NotEditable,
    ParticipantNotFound,
    ParticipationNotFound,
    Position,
    Rejected,
    Started,
    StartOutcome,
    SubmitOutcome,
    Submitted,
)
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


@dataclass
class _Loaded:
    """A participation with everything needed to move it, read in one unit of work."""

    participation: Participation
    consultation: Consultation
    definition: SurveyDefinition
    answers: dict[str, AnswerValue | None]

    @property
    def position(self) -> Position:
        return position_of(self.participation, self.definition, self.answers)


_Refusal = ParticipationNotFound | AlreadySubmitted | ConsultationClosed | ConsentRequired


async def _load(
    uow: UnitOfWork, participation_id: int, now: datetime, grace: Grace = NO_GRACE
) -> _Loaded | _Refusal:
    """Read a participation that may still change, or say why it may not."""
    participation = await uow.participations.get(participation_id)
    if participation is None:
        return ParticipationNotFound(participation_id)
    return await _check(uow, participation, now, grace)


async def _check(
    uow: UnitOfWork,
    participation: Participation,
    now: datetime,
    grace: Grace = NO_GRACE,
    *,
    answers: dict[str, AnswerValue | None] | None = None,
) -> _Loaded | _Refusal:
    """Say whether a participation just read may still change; read what moving it needs.

    Order matters: a submitted participation says so even after closing, and a closed
    consultation is reported before any consent question. ``grace`` lets a participation
    already under way finish after closing time (``rules.CLOSING_GRACE``). ``answers``: the
    participation's answers when the caller has just read them too.
    """
    assert participation.id is not None
    if participation.status is ParticipationStatus.SUBMITTED:
        return AlreadySubmitted(participation)
    consultation = await uow.consultations.get(participation.consultation_id)
    if consultation is None:  # the foreign key makes this a broken database
        raise LookupError(f"participation {participation.id} has no consultation")
    definition = await definition_of(uow, participation.consultation_id, participation.version)
    # A staff preview (``consultation_admin.start_preview``) runs whatever the status.
    closed = has_closed(consultation, now, resolve_grace(grace, definition))
    if closed and not participation.is_preview:
        return ConsultationClosed(consultation)
    if participation.consent_version is None:
        return ConsentRequired(consultation, definition, participation)
    if answers is None:
        answers = await answers_of(uow, participation.id)
    return _Loaded(participation, consultation, definition, answers)


def _is_stale(loaded: _Loaded, question_key: str | None, version: int) -> bool:
    current = loaded.position.question
    current_key = current.key if current is not None else None
    return version != loaded.participation.version or question_key != current_key


async def start_participation(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    participant_id: int,
    slug: str,
    *,
    grace: Grace = NO_GRACE,
) -> StartOutcome:
    """Where to begin: resume an existing participation, or ask for consent first."""
    now = clock.now()
    async with uow_factory() as uow:
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None:
            return ConsultationNotFound(slug)
        assert consultation.id is not None
        participant = await uow.participants.get(participant_id)
        if participant is None:
            return ParticipantNotFound(participant_id)
        participation = await uow.participations.find(participant_id, consultation.id)
        if participation is not None and participation.status is ParticipationStatus.SUBMITTED:
            return AlreadySubmitted(participation)
        under_way = participation is not None and participation.consent_version is not None
        in_force = NO_GRACE
        if under_way:
            assert participation is not None
            own = await definition_of(uow, consultation.id, participation.version)
            in_force = resolve_grace(grace, own)
        refused = refusal(consultation, now, in_force)
        if refused is not None:
            return refused
        if participation is None or participation.consent_version is None:
            version = (
                consultation.current_version if participation is None else participation.version
            )
            definition = await definition_of(uow, consultation.id, version)
            return ConsentRequired(consultation, definition, participation)
        assert participation.id is not None
        definition = await definition_of(uow, consultation.id, participation.version)
        answers = await answers_of(uow, participation.id)
        position = position_of(participation, definition, answers)
        resumed = bool(answers)
        if (
            position.question is not None
            and position.question.key != participation.current_question
        ):
            participation.current_question = position.question.key
            participation.updated_at = now
            await uow.participations.update(participation)
            await uow.commit()
    return Started(position, resumed)


async def record_answer(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    participation_id: int,
    question_key: str,
    version: int,
    value: AnswerValue | None,
    *,
    grace: Grace = NO_GRACE,
) -> AnswerOutcome:
    """Store the answer to the current question and move to the next one (or the summary).

    Answers to questions the new answer hides are deleted, so the stored answers are always
    a consistent path through the survey.
    """
    now = clock.now()
    async with uow_factory() as uow:
        loaded = await _load(uow, participation_id, now, grace)
        if not isinstance(loaded, _Loaded):
            return loaded
        return await _record(uow, loaded, question_key, version, value, now)


async def answer_at(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    position: Position,
    question_key: str,
    version: int,
    value: AnswerValue | None,
    *,
    grace: Grace = NO_GRACE,
) -> AnswerOutcome:
    """``record_answer`` for the participation of a position read earlier in this update.

    Dialogs read the position before answering (a typed answer is only taken while the person
    is in a survey; a button is checked against it), and ``record_answer`` read the
    participation and its answers again: two statements per answer. Only the person's own
    updates change them, and those are handled one at a time (the scheduler's reminder count
    aside, which ``record_answer``'s read, then write, could overwrite just the same). The
    consultation is read again, so a survey closed since is refused as ``record_answer``
    refuses it, and a stale ``question_key`` or ``version`` is ``AlreadyRecorded`` likewise.
    """
    now = clock.now()
    async with uow_factory() as uow:
        loaded = await _check(
            uow, position.participation, now, grace, answers=dict(position.answers)
        )
        if not isinstance(loaded, _Loaded):
            return loaded
        return await _record(uow, loaded, question_key, version, value, now)


async def _record(
    uow: UnitOfWork,
    loaded: _Loaded,
    question_key: str,
    version: int,
    value: AnswerValue | None,
    now: datetime,
) -> AnswerOutcome:
    """Check and store one answer of a loaded participation, commit, say where it stands."""
    if _is_stale(loaded, question_key, version):
        return AlreadyRecorded(loaded.position)
    participation_id = loaded.participation.id
    assert participation_id is not None
    question = loaded.definition.question(question_key)
    value = _without_nul(value)
    rejection = engine.check_answer(question, value)
    if rejection is not None:
        return Rejected(rejection, loaded.position)
    answers = engine.apply_answer(loaded.definition, loaded.answers, question_key, value)
    dropped = sorted(set(loaded.answers) - set(answers))
    if dropped:
        await uow.answers.delete(participation_id, dropped)
    await uow.answers.put(
        Answer(participation_id, question_key, value, loaded.participation.version, now)
    )
    following = engine.next_question(loaded.definition, answers)
    participation = loaded.participation
    participation.current_question = following.key if following is not None else None
    participation.updated_at = now
    await uow.participations.update(participation)
    await uow.commit()
    return Accepted(position_of(participation, loaded.definition, answers))


@dataclass(frozen=True)
class NotTakingPart:
    """The person has no consented, not withdrawn participation in this consultation."""


@dataclass(frozen=True)
class NotThisButton:
    """The button points at no question of the participation's survey version (or the summary)."""


@dataclass(frozen=True)
class ButtonAnswer:
    """What a button answer came to, and the definition it was judged against (for language).

    ``definition`` is ``None`` only with ``NotTakingPart``.
    """

    outcome: AnswerOutcome | NotTakingPart | NotThisButton
    definition: SurveyDefinition | None


async def answer_by_button(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    participant_id: int | None,
    consultation_id: int,
    version: int,
    index: int,
    value_of: Callable[[Question], AnswerValue | Rejection | None],
    *,
    previewer: int | None = None,
    grace: Grace = NO_GRACE,
) -> ButtonAnswer:
    """A button's answer to question ``index`` of survey ``version``, in one unit of work.

    The same as reading the position (``citizens.where_is``), picking the button's question,
    turning the tap into a value with ``value_of`` and calling ``record_answer``, in that order
    of refusals, but reading the participation and its answers once. ``previewer``: a staff
    preview of this consultation, whose participation answers while it is in progress.
    """
    now = clock.now()
    async with uow_factory() as uow:
        participation = await _taking_part(uow, participant_id, consultation_id, previewer)
        if participation is None:
            return ButtonAnswer(NotTakingPart(), None)
        assert participation.id is not None
        definition = await definition_of(uow, consultation_id, participation.version)
        questions = definition.questions
        if version != participation.version or not 0 <= index < len(questions):
            return ButtonAnswer(NotThisButton(), definition)
        question = questions[index]
        value = value_of(question)
        if isinstance(value, Rejection):
            answers = await answers_of(uow, participation.id)
            return ButtonAnswer(
                Rejected(value, position_of(participation, definition, answers)), definition
            )
        loaded = await _check(uow, participation, now, grace)
        if not isinstance(loaded, _Loaded):
            return ButtonAnswer(loaded, definition)
        outcome = await _record(uow, loaded, question.key, participation.version, value, now)
    return ButtonAnswer(outcome, definition)


async def _taking_part(
    uow: UnitOfWork, participant_id: int | None, consultation_id: int, previewer: int | None
) -> Participation | None:
    """The participation a survey button acts on, as ``citizens.where_is`` would find it."""
    if previewer is not None and previewer != participant_id:
        preview = _counted(await uow.participations.find(previewer, consultation_id))
        if preview is not None and preview.status is ParticipationStatus.IN_PROGRESS:
            return preview
    if participant_id is None:
        return None
    return _counted(await uow.participations.find(participant_id, consultation_id))


def _counted(participation: Participation | None) -> Participation | None:
    """``None`` for what ``where_is`` counts as no participation: no consent, or withdrawn."""
    if (
        participation is None
        or participation.id is None
        or participation.consent_version is None
        or participation.status is ParticipationStatus.WITHDRAWN
    ):
        return None
    return participation


def _without_nul(value: AnswerValue | None) -> AnswerValue | None:
    """Free text as stored: NUL removed (PostgreSQL refuses it), ends stripped.

    Only plain strings are touched: option values in lists come from buttons and are checked
    against the definition anyway.
    """
    return engine.normalize_text(value) if isinstance(value, str) else value


async def go_back(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    participation_id: int,
    from_question_key: str | None,
    version: int,
    *,
    grace: Grace = NO_GRACE,
) -> MoveOutcome:
    """Move to the visible question before ``from_question_key`` (``None`` = from the summary).

    Answers are kept: going back only moves the position. At the first question it stays put.
    """
    now = clock.now()
    async with uow_factory() as uow:
        loaded = await _load(uow, participation_id, now, grace)
        if not isinstance(loaded, _Loaded):
            return loaded
        if _is_stale(loaded, from_question_key, version):
            return AlreadyRecorded(loaded.position)
        previous = engine.previous_question(loaded.definition, loaded.answers, from_question_key)
        if previous is None:
            return Moved(loaded.position)
        return Moved(await _move_to(uow, loaded, previous.key, now))


async def edit_answer(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    participation_id: int,
    question_key: str,
    version: int,
    *,
    grace: Grace = NO_GRACE,
) -> MoveOutcome:
    """Move to an answered, visible question so that it can be answered again (from the summary)."""
    now = clock.now()
    async with uow_factory() as uow:
        loaded = await _load(uow, participation_id, now, grace)
        if not isinstance(loaded, _Loaded):
            return loaded
        if version != loaded.participation.version:
            return AlreadyRecorded(loaded.position)
        visible = {q.key for q in engine.visible_questions(loaded.definition, loaded.answers)}
        if question_key not in visible or question_key not in loaded.answers:
            return NotEditable(question_key, loaded.position)
        return Moved(await _move_to(uow, loaded, question_key, now))


async def _move_to(uow: UnitOfWork, loaded: _Loaded, question_key: str, now: datetime) -> Position:
    participation = loaded.participation
    participation.current_question = question_key
    participation.updated_at = now
    await uow.participations.update(participation)
    await uow.commit()
    return loaded.position


async def submit(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    participation_id: int,
    *,
    grace: Grace = NO_GRACE,
) -> SubmitOutcome:
    """Hand in a complete participation; submitting twice says it was already submitted."""
    now = clock.now()
    async with uow_factory() as uow:
        loaded = await _load(uow, participation_id, now, grace)
        if not isinstance(loaded, _Loaded):
            return loaded
        return await _submit(uow, loaded, now)


async def submit_at(
    uow_factory: UnitOfWorkFactory, clock: Clock, position: Position, *, grace: Grace = NO_GRACE
) -> SubmitOutcome:
    """``submit`` for the participation of a position read earlier in this update.

    As ``answer_at``: the participation and its answers are not read again, the consultation
    is (a survey closed since is refused).
    """
    now = clock.now()
    async with uow_factory() as uow:
        loaded = await _check(
            uow, position.participation, now, grace, answers=dict(position.answers)
        )
        if not isinstance(loaded, _Loaded):
            return loaded
        return await _submit(uow, loaded, now)


async def _submit(uow: UnitOfWork, loaded: _Loaded, now: datetime) -> SubmitOutcome:
    if not engine.is_complete(loaded.definition, loaded.answers):
        return Incomplete(loaded.position)
    participation = loaded.participation
    participation.status = ParticipationStatus.SUBMITTED
    participation.current_question = None
    participation.submitted_at = now
    participation.updated_at = now
    await uow.participations.update(participation)
    await uow.commit()
    return Submitted(participation)
