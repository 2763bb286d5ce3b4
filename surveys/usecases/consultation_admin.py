"""Running consultations from the chat: upload a file, list, schedule, publish, open, close,
extend, and preview a survey as a test.

Facilitators and admins only: every use case checks the actor's role again (the dialog's
router filter is the first check) and writes an audit entry, ``consultation:<slug>`` as the
target, in the same commit as its effect. A refusal (a past date, closing before opening)
changes nothing.

After a change to the status or the times, the consultation's schedule rows are planned at
once (``scheduling.plan_schedule``) so the scheduler opens, closes and reminds on time; the
reconciler's own ``sync_schedules`` at every tick would catch up anyway if that step were lost.

A preview is taken by a separate *preview participant* per staff member (its pseudonym is
derived from theirs), whose participation is marked ``is_preview``: the repositories leave it
out of counts, audiences, statistics, exports and themes, and it never touches the person's
own participation in the same consultation (one participation per participant and
consultation). A new preview starts over.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from surveys import engine
from surveys.definition import Schedule, SurveyDefinition
from surveys.entities import (
    AuditEntry,
    Consultation,
    ConsultationStatus,
    Participant,
    Participation,
    ParticipationStatus,
    Role,
)
from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory
from surveys.schedule_input import days_later
from surveys.usecases.consultations import apply_definition
from surveys.usecases.outcomes import LoadChange, Position
from surveys.usecases.rules import definition_of, position_of
from surveys.usecases.scheduling import plan_schedule
from surveys.usecases.staff import Actor, NotAllowed

FACILITATING_ROLES = frozenset({Role.ADMIN, Role.FACILITATOR})
PREVIEW_CONSENT = "preview"  # the consent version of a preview participation (no notice shown)
# A moment typed a little in the past (the facilitator took a minute to type it) is "now".
PAST_TOLERANCE = timedelta(minutes=2)


@dataclass(frozen=True)
class ConsultationView:
    """A consultation as the management screen shows it."""

    consultation: Consultation
    definition: SurveyDefinition
    participants: int  # real participations (previews never count)

    @property
    def id(self) -> int:
        assert self.consultation.id is not None
        return self.consultation.id


@dataclass(frozen=True)
class UnknownConsultation:
    """No such consultation (a forged or stale button)."""

    consultation_id: int


@dataclass(frozen=True)
class Uploaded:
    view: ConsultationView
    change: LoadChange


class Problem(StrEnum):
    PAST = "past"
    CLOSES_BEFORE_OPENS = "closes-before-opens"
    OPENS_AFTER_CLOSES = "opens-after-closes"
    ALREADY_OPEN = "already-open"
    ALREADY_CLOSED = "already-closed"
    NOT_DRAFT = "not-draft"
    NEEDS_OPENING = "needs-opening"
    NO_CLOSING = "no-closing"


@dataclass(frozen=True)
class Refused:
    """Nothing changed, because of ``problem``."""

    problem: Problem
    view: ConsultationView


@dataclass(frozen=True)
class Changed:
    """The new state; ``reopened`` when extending a closed consultation opened it again."""

    view: ConsultationView
    reopened: bool = False


@dataclass(frozen=True)
class PreviewStarted:
    position: Position
    restarted: bool


AdminOutcome = Changed | Refused | UnknownConsultation | NotAllowed


# --- helpers ---------------------------------------------------------------------------------


async def _audit(
    uow: UnitOfWork, clock: Clock, action: str, actor: Actor, target: str | None, **detail: Any
) -> None:
    if actor.staff_id is None:
        # A configured admin has no staff row; staff act for the city and are audited by id.
        detail.setdefault("admin_telegram_user_id", actor.telegram_user_id)
    await uow.audit.add(
        AuditEntry(
            action, actor_staff_id=actor.staff_id, target=target, detail=detail, at=clock.now()
        )
    )


def _target(consultation: Consultation) -> str:
    return f"consultation:{consultation.slug}"


async def _refuse_role(
    uow: UnitOfWork, clock: Clock, actor: Actor, action: str
) -> NotAllowed | None:
    if actor.role in FACILITATING_ROLES:
        return None
    await _audit(uow, clock, "denied", actor, action)
    await uow.commit()
    return NotAllowed(action)


async def _view(uow: UnitOfWork, consultation: Consultation) -> ConsultationView:
    assert consultation.id is not None
    definition = await definition_of(uow, consultation.id, consultation.current_version)
    participants = await uow.participations.count(consultation.id)
    return ConsultationView(consultation, definition, participants)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# --- reading ---------------------------------------------------------------------------------


async def list_consultations(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor
) -> list[ConsultationView] | NotAllowed:
    """Every consultation, newest first, with its current version and real participants."""
    async with uow_factory() as uow:
        refused = await _refuse_role(uow, clock, actor, "consultations")
        if refused is not None:
            return refused
        views = [await _view(uow, c) for c in await uow.consultations.list()]
        await _audit(uow, clock, "consultations.listed", actor, None, count=len(views))
        await uow.commit()
    return sorted(views, key=lambda view: view.id, reverse=True)


async def show_consultation(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, consultation_id: int
) -> ConsultationView | UnknownConsultation | NotAllowed:
    async with uow_factory() as uow:
        refused = await _refuse_role(uow, clock, actor, "consultation")
        if refused is not None:
            return refused
        consultation = await uow.consultations.get(consultation_id)
        if consultation is None:
            return UnknownConsultation(consultation_id)
        return await _view(uow, consultation)


# --- uploading a file ------------------------------------------------------------------------


async def upload_consultation(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, definition: SurveyDefinition
) -> Uploaded | NotAllowed:
    """A validated file sent in the chat: a new consultation is a draft (scheduled when the file
    has an opening time); a changed survey becomes the next version (published versions are
    never touched). Never opens anything.

    A file without a schedule keeps the times already set in the chat: re-sending a corrected
    survey must not wipe them.
    """
    now = clock.now()
    async with uow_factory() as uow:
        refused = await _refuse_role(uow, clock, actor, "upload")
        if refused is not None:
            return refused
        existing = await uow.consultations.get_by_slug(definition.slug)
        schedule = definition.schedule
        if existing is not None and schedule.opens_at is None and schedule.closes_at is None:
            kept = Schedule(existing.opens_at, existing.closes_at, schedule.timezone)
            definition = dataclasses.replace(definition, schedule=kept)
        result = await apply_definition(uow, definition, now)
        consultation = await uow.consultations.get(result.consultation_id)
        assert consultation is not None
        action = {
            LoadChange.CREATED: "consultation.draft_created",
            LoadChange.NEW_VERSION: "consultation.new_version",
            LoadChange.UNCHANGED: "consultation.uploaded_unchanged",
        }[result.change]
        await _audit(
            uow, clock, action, actor, _target(consultation),
            version=result.version, status=str(result.status),
        )  # fmt: skip
        view = await _view(uow, consultation)
        await uow.commit()
    await _plan(uow_factory, clock, result.consultation_id)
    return Uploaded(view, result.change)


async def record_invalid_upload(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, errors: int
) -> None:
    """Audit a refused file (nothing else is stored)."""
    async with uow_factory() as uow:
        await _audit(uow, clock, "consultation.upload_invalid", actor, None, errors=errors)
        await uow.commit()


# --- status and schedule -----------------------------------------------------------------------


async def _plan(uow_factory: UnitOfWorkFactory, clock: Clock, consultation_id: int) -> None:
    await plan_schedule(uow_factory, clock, consultation_id)


async def _change(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    consultation_id: int,
    action: str,
    apply: Callable[[Consultation, datetime], Problem | bool],
) -> AdminOutcome:
    """Load, check the role, let ``apply(consultation, now)`` change it (returning whether it
    reopened it) or name a problem; audit, commit, then plan its schedule rows."""
    now = clock.now()
    async with uow_factory() as uow:
        refused = await _refuse_role(uow, clock, actor, action)
        if refused is not None:
            return refused
        consultation = await uow.consultations.get(consultation_id)
        if consultation is None:
            await _audit(uow, clock, f"{action}.unknown", actor, f"consultation:#{consultation_id}")
            await uow.commit()
            return UnknownConsultation(consultation_id)
        before = (consultation.status, consultation.opens_at, consultation.closes_at)
        outcome = apply(consultation, now)
        if isinstance(outcome, Problem):
            # ``apply`` checks before it changes anything, so the object is as stored.
            view = await _view(uow, consultation)
            await _audit(
                uow, clock, f"{action}.refused", actor, _target(consultation), problem=str(outcome)
            )
            await uow.commit()
            return Refused(outcome, view)
        await uow.consultations.update(consultation)
        await _audit(
            uow, clock, action, actor, _target(consultation),
            status=[str(before[0]), str(consultation.status)],
            opens_at=[_iso(before[1]), _iso(consultation.opens_at)],
            closes_at=[_iso(before[2]), _iso(consultation.closes_at)],
        )  # fmt: skip
        view = await _view(uow, consultation)
        await uow.commit()
    await _plan(uow_factory, clock, consultation_id)
    return Changed(view, reopened=outcome)


def _is_past(at: datetime, now: datetime) -> bool:
    return at < now - PAST_TOLERANCE


async def open_now(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, consultation_id: int
) -> AdminOutcome:
    """Open at once. A closing time already past is dropped (it would close it again)."""

    def apply(consultation: Consultation, now: datetime) -> Problem | bool:
        if consultation.status is ConsultationStatus.OPEN:
            return Problem.ALREADY_OPEN
        consultation.status = ConsultationStatus.OPEN
        if consultation.opens_at is None or consultation.opens_at > now:
            consultation.opens_at = now
        if consultation.closes_at is not None and consultation.closes_at <= now:
            consultation.closes_at = None
        return False

    return await _change(uow_factory, clock, actor, consultation_id, "consultation.opened", apply)


async def close_now(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, consultation_id: int
) -> AdminOutcome:
    """Close at once; the closing time becomes now, so the closing grace counts from here."""

    def apply(consultation: Consultation, now: datetime) -> Problem | bool:
        if consultation.status is ConsultationStatus.CLOSED:
            return Problem.ALREADY_CLOSED
        consultation.status = ConsultationStatus.CLOSED
        if consultation.closes_at is None or consultation.closes_at > now:
            consultation.closes_at = now
        return False

    return await _change(uow_factory, clock, actor, consultation_id, "consultation.closed", apply)


async def set_opening(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, consultation_id: int, at: datetime
) -> AdminOutcome:
    """When a draft or scheduled consultation opens (a draft stays a draft until published)."""

    def apply(consultation: Consultation, now: datetime) -> Problem | bool:
        if consultation.status is ConsultationStatus.OPEN:
            return Problem.ALREADY_OPEN
        if consultation.status is ConsultationStatus.CLOSED:
            return Problem.ALREADY_CLOSED
        if _is_past(at, now):
            return Problem.PAST
        if consultation.closes_at is not None and at >= consultation.closes_at:
            return Problem.OPENS_AFTER_CLOSES
        consultation.opens_at = at
        return False

    return await _change(
        uow_factory, clock, actor, consultation_id, "consultation.opening_set", apply
    )


async def set_closing(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, consultation_id: int, at: datetime
) -> AdminOutcome:
    """When it closes. A closed consultation given a later closing time opens again until then
    (that is what "extend" means after the end)."""

    def apply(consultation: Consultation, now: datetime) -> Problem | bool:
        if at <= now:
            return Problem.PAST
        if (
            consultation.status in (ConsultationStatus.DRAFT, ConsultationStatus.SCHEDULED)
            and consultation.opens_at is not None
            and at <= consultation.opens_at
        ):
            return Problem.CLOSES_BEFORE_OPENS
        consultation.closes_at = at
        if consultation.status is ConsultationStatus.CLOSED:
            consultation.status = ConsultationStatus.OPEN
            return True  # reopened
        return False

    return await _change(
        uow_factory, clock, actor, consultation_id, "consultation.closing_set", apply
    )


async def extend(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    consultation_id: int,
    *,
    days: int,
    timezone: str,
) -> AdminOutcome:
    """Move the closing time ``days`` later on the wall clock (from now if it already passed);
    a closed consultation opens again until the new closing time."""

    def apply(consultation: Consultation, now: datetime) -> Problem | bool:
        closes_at = consultation.closes_at
        if closes_at is None and consultation.status is not ConsultationStatus.CLOSED:
            return Problem.NO_CLOSING
        base = closes_at if closes_at is not None and closes_at > now else now
        consultation.closes_at = days_later(base, days, timezone=timezone)
        if consultation.status is ConsultationStatus.CLOSED:
            consultation.status = ConsultationStatus.OPEN
            return True
        return False

    return await _change(uow_factory, clock, actor, consultation_id, "consultation.extended", apply)


async def publish(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, consultation_id: int
) -> AdminOutcome:
    """A draft becomes scheduled for its opening time (the scheduler opens it then)."""

    def apply(consultation: Consultation, now: datetime) -> Problem | bool:
        if consultation.status is not ConsultationStatus.DRAFT:
            return Problem.NOT_DRAFT
        if consultation.opens_at is None:
            return Problem.NEEDS_OPENING
        if consultation.closes_at is not None and consultation.closes_at <= now:
            return Problem.PAST
        consultation.status = ConsultationStatus.SCHEDULED
        return False

    return await _change(
        uow_factory, clock, actor, consultation_id, "consultation.published", apply
    )


# --- preview ---------------------------------------------------------------------------------


def preview_pseudonym(pseudonym: str) -> str:
    """The preview participant of the staff member whose pseudonym is ``pseudonym``: derived,
    so it is found again, and unlike any citizen's (which are 64 hex digits)."""
    return "preview-" + hashlib.sha256(("preview:" + pseudonym).encode()).hexdigest()[:48]


async def start_preview(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    consultation_id: int,
    *,
    pseudonym: str,
    language: str,
) -> PreviewStarted | UnknownConsultation | NotAllowed:
    """Take the current version as a test, whatever the status; starts over every time."""
    now = clock.now()
    async with uow_factory() as uow:
        refused = await _refuse_role(uow, clock, actor, "preview")
        if refused is not None:
            return refused
        consultation = await uow.consultations.get(consultation_id)
        if consultation is None:
            return UnknownConsultation(consultation_id)
        definition = await definition_of(uow, consultation_id, consultation.current_version)
        name = preview_pseudonym(pseudonym)
        participant = await uow.participants.get_by_pseudonym(name)
        if participant is None:
            participant = await uow.participants.add(
                Participant(name, language=language, created_at=now)
            )
        assert participant.id is not None
        first = engine.next_question(definition, {})
        participation = await uow.participations.find(participant.id, consultation_id)
        restarted = participation is not None
        if participation is None:
            participation = await uow.participations.add(
                Participation(
                    participant.id,
                    consultation_id,
                    consultation.current_version,
                    consent_version=PREVIEW_CONSENT,
                    current_question=first.key if first is not None else None,
                    is_preview=True,
                    started_at=now,
                    updated_at=now,
                )
            )
        else:
            assert participation.id is not None
            old = [a.question_key for a in await uow.answers.for_participation(participation.id)]
            if old:
                await uow.answers.delete(participation.id, old)
            participation.version = consultation.current_version
            participation.current_question = first.key if first is not None else None
            participation.status = ParticipationStatus.IN_PROGRESS
            participation.submitted_at = None
            participation.started_at = participation.updated_at = now
            await uow.participations.update(participation)
        await _audit(
            uow, clock, "consultation.previewed", actor, _target(consultation),
            version=consultation.current_version, restarted=restarted,
        )  # fmt: skip
        await uow.commit()
    return PreviewStarted(position_of(participation, definition, {}), restarted)


async def preview_participant(uow_factory: UnitOfWorkFactory, pseudonym: str) -> int | None:
    """The id of this person's preview participant, if they ever previewed. Writes nothing."""
    async with uow_factory() as uow:
        participant = await uow.participants.get_by_pseudonym(preview_pseudonym(pseudonym))
    return participant.id if participant is not None else None
