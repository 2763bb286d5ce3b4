"""The facilitator's side of broadcasts: pick an audience, preview it, send, follow progress.

``surveys.usecases.broadcasts`` queues the messages; these use cases add what a person with a
staff role needs around that: the choice of audiences (projects and consultations), the
preview (audience size per language, and whether quiet hours will hold the messages back),
sending under the batch id the preview generated (idempotent: a double tap on Send queues
nothing twice), and the list of recent broadcasts with their progress counted from the outbox
(right after a restart too). Each checks the role again and audits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from surveys.entities import AuditEntry, BatchSummary, Consultation, Role
from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory
from surveys.usecases.broadcasts import (
    BATCH_PREFIX,
    Audience,
    BroadcastQueued,
    ConsultationAudience,
    ProjectAudience,
    _queue,
    _recipients,
    check_texts,
)
from surveys.usecases.scheduling import QuietHours
from surveys.usecases.staff import Actor, NotAllowed

BROADCASTERS = frozenset({Role.ADMIN, Role.FACILITATOR})
RECENT = 10


@dataclass(frozen=True)
class ConsultationChoice:
    consultation: Consultation
    title: Mapping[str, str]  # per language, from the latest survey version


@dataclass(frozen=True)
class AudienceChoices:
    projects: Sequence[str]  # the projects of the consultations, sorted
    consultations: Sequence[ConsultationChoice]


@dataclass(frozen=True)
class BroadcastPreview:
    size: int
    by_language: Mapping[str, int]
    delayed_until: datetime | None  # quiet hours now: the messages wait until then (UTC)


def describe(audience: Audience) -> dict[str, Any]:
    """The audience as plain data for the audit log."""
    if isinstance(audience, ProjectAudience):
        return {"project": audience.project}
    return {"consultation": audience.consultation_id, "unfinished_only": audience.unfinished_only}


async def _audit(
    uow: UnitOfWork, clock: Clock, action: str, actor: Actor, target: str, **detail: Any
) -> None:
    if actor.staff_id is None:
        detail.setdefault("admin_telegram_user_id", actor.telegram_user_id)
    await uow.audit.add(
        AuditEntry(
            action, actor_staff_id=actor.staff_id, target=target, detail=detail, at=clock.now()
        )
    )


async def _refuse(uow: UnitOfWork, clock: Clock, actor: Actor, target: str) -> NotAllowed:
    await _audit(uow, clock, "denied", actor, target, role=str(actor.role))
    await uow.commit()
    return NotAllowed(target)


async def broadcast_choices(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor
) -> AudienceChoices | NotAllowed:
    async with uow_factory() as uow:
        if actor.role not in BROADCASTERS:
            return await _refuse(uow, clock, actor, "broadcast")
        choices = []
        for consultation in await uow.consultations.list():
            assert consultation.id is not None
            version = await uow.consultations.latest_version(consultation.id)
            title = dict(version.definition.title) if version is not None else {}
            choices.append(ConsultationChoice(consultation, title))
    projects = sorted({choice.consultation.project for choice in choices})
    return AudienceChoices(projects, choices)


async def preview_broadcast(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    audience: Audience,
    quiet: QuietHours | None = None,
) -> BroadcastPreview | NotAllowed:
    async with uow_factory() as uow:
        if actor.role not in BROADCASTERS:
            return await _refuse(uow, clock, actor, "broadcast")
        recipients = await _recipients(uow, audience)
    now = clock.now()
    later = quiet.postpone(now) if quiet is not None else now
    languages = Counter(recipient.language for recipient in recipients)
    return BroadcastPreview(len(recipients), dict(languages), later if later > now else None)


async def send_broadcast(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    *,
    batch: str,
    audience: Audience,
    texts: Mapping[str, str],
    quiet: QuietHours | None = None,
) -> BroadcastQueued | NotAllowed:
    """Queue the announcement under ``batch`` (from the preview); sending the same batch again
    queues nothing (``enqueued == 0``). Raises ``ValueError`` for an empty or too long text."""
    check_texts(texts)
    async with uow_factory() as uow:
        if actor.role not in BROADCASTERS or not batch.startswith(BATCH_PREFIX):
            return await _refuse(uow, clock, actor, "broadcast")
        queued = await _queue(uow, clock, batch, audience, texts, quiet)
        if queued.enqueued:
            await _audit(
                uow,
                clock,
                "broadcast.queued",
                actor,
                f"batch:{batch}",
                audience=describe(audience),
                languages=sorted(texts),
                recipients=queued.audience_size,
            )
        await uow.commit()
    return queued


async def recent_broadcasts(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, limit: int = RECENT
) -> Sequence[BatchSummary] | NotAllowed:
    async with uow_factory() as uow:
        if actor.role not in BROADCASTERS:
            return await _refuse(uow, clock, actor, "broadcasts")
        return await uow.outbox.recent_batches(BATCH_PREFIX, limit)


__all__ = [
    "AudienceChoices",
    "BroadcastPreview",
    "ConsultationAudience",
    "ConsultationChoice",
    "ProjectAudience",
    "broadcast_choices",
    "preview_broadcast",
    "recent_broadcasts",
    "send_broadcast",
]
