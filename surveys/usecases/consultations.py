"""Use cases for consultations as a whole: load a survey file, open, close, list the open ones.

A published survey version is immutable: loading a changed file adds the next integer version
(the consultation then offers it to new participants) and loading the same file again changes
nothing, so ``ascolto consultations load`` can run at every deploy.
"""

from __future__ import annotations

from datetime import datetime

from surveys.definition import SurveyDefinition
from surveys.entities import Consultation, ConsultationStatus, SurveyVersion
from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory
from surveys.usecases.outcomes import (
    ConsultationNotFound,
    LoadChange,
    LoadResult,
    OpenConsultation,
    StatusChanged,
    StatusOutcome,
)
from surveys.usecases.rules import definition_of, has_closed


async def load_consultation(
    uow_factory: UnitOfWorkFactory,
    definition: SurveyDefinition,
    clock: Clock,
    *,
    open_now: bool = False,
) -> LoadResult:
    """Create the consultation, add a version if the survey changed, refresh its schedule."""
    async with uow_factory() as uow:
        result = await apply_definition(uow, definition, clock.now(), open_now=open_now)
        await uow.commit()
    return result


async def apply_definition(
    uow: UnitOfWork, definition: SurveyDefinition, now: datetime, *, open_now: bool = False
) -> LoadResult:
    """``load_consultation`` inside the caller's unit of work (which commits), so that a
    facilitator's upload and its audit entry commit together."""
    content_hash = definition.content_hash()
    consultation = await uow.consultations.get_by_slug(definition.slug)
    if consultation is None:
        consultation = await uow.consultations.add(
            Consultation(
                slug=definition.slug,
                project=definition.project,
                mode=definition.mode,
                status=ConsultationStatus.DRAFT,
                current_version=1,
                opens_at=definition.schedule.opens_at,
                closes_at=definition.schedule.closes_at,
                created_at=now,
            )
        )
        assert consultation.id is not None
        await uow.consultations.add_version(
            SurveyVersion(consultation.id, 1, content_hash, definition, created_at=now)
        )
        change, stored_schedule = LoadChange.CREATED, None
    else:
        assert consultation.id is not None
        change = await _add_version_if_changed(uow, consultation, definition, content_hash, now)
        stored_schedule = (consultation.opens_at, consultation.closes_at)
        consultation.project = definition.project
        consultation.mode = definition.mode
        consultation.opens_at = definition.schedule.opens_at
        consultation.closes_at = definition.schedule.closes_at
    if open_now:
        _open(consultation, now)
    elif consultation.status is ConsultationStatus.DRAFT and consultation.opens_at is not None:
        # A schedule makes a draft wait for its opening time (the scheduler opens it).
        consultation.status = ConsultationStatus.SCHEDULED
    # Compared after opening, which may drop a past closing time: loading the same file
    # with --open again must report no change.
    schedule_changed = stored_schedule is not None and stored_schedule != (
        consultation.opens_at,
        consultation.closes_at,
    )
    await uow.consultations.update(consultation)
    return LoadResult(
        slug=consultation.slug,
        consultation_id=consultation.id,
        change=change,
        version=consultation.current_version,
        status=consultation.status,
        schedule_changed=schedule_changed,
    )


async def _add_version_if_changed(
    uow: UnitOfWork,
    consultation: Consultation,
    definition: SurveyDefinition,
    content_hash: str,
    now: datetime,
) -> LoadChange:
    """Compare with the latest version by content hash; never touch a published version."""
    assert consultation.id is not None
    latest = await uow.consultations.latest_version(consultation.id)
    if latest is not None and latest.content_hash == content_hash:
        return LoadChange.UNCHANGED
    number = (latest.number if latest is not None else 0) + 1
    await uow.consultations.add_version(
        SurveyVersion(consultation.id, number, content_hash, definition, created_at=now)
    )
    consultation.current_version = number
    return LoadChange.NEW_VERSION


def _open(consultation: Consultation, now: datetime) -> None:
    """Open now. A closing time already past is dropped: an explicit opening overrides it
    (otherwise the consultation would be open and closed at once, e.g. the sandbox opening the
    examples "whatever their dates")."""
    consultation.status = ConsultationStatus.OPEN
    if consultation.closes_at is not None and consultation.closes_at <= now:
        consultation.closes_at = None


async def open_consultation(
    uow_factory: UnitOfWorkFactory, clock: Clock, slug: str
) -> StatusOutcome:
    async with uow_factory() as uow:
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None:
            return ConsultationNotFound(slug)
        previous = consultation.status
        _open(consultation, clock.now())
        await uow.consultations.update(consultation)
        await uow.commit()
    return StatusChanged(consultation, previous)


async def close_consultation(
    uow_factory: UnitOfWorkFactory, clock: Clock, slug: str
) -> StatusOutcome:
    """Close now; answers arriving afterwards are refused (closing twice is harmless).

    The closing time becomes now (unless it already passed), so that citizens in the middle of
    the survey get their grace period counted from the real close (``rules.CLOSING_GRACE``).
    """
    now = clock.now()
    async with uow_factory() as uow:
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None:
            return ConsultationNotFound(slug)
        previous = consultation.status
        consultation.status = ConsultationStatus.CLOSED
        if consultation.closes_at is None or consultation.closes_at > now:
            consultation.closes_at = now
        await uow.consultations.update(consultation)
        await uow.commit()
    return StatusChanged(consultation, previous)


async def list_open_consultations(
    uow_factory: UnitOfWorkFactory, clock: Clock
) -> list[OpenConsultation]:
    """Open consultations with their current definitions (titles in every language), by slug."""
    now = clock.now()
    async with uow_factory() as uow:
        result = []
        for consultation in await uow.consultations.list(ConsultationStatus.OPEN):
            if has_closed(consultation, now):
                continue
            assert consultation.id is not None
            definition = await definition_of(uow, consultation.id, consultation.current_version)
            result.append(OpenConsultation(consultation, definition))
    return sorted(result, key=lambda item: item.consultation.slug)
