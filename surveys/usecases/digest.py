"""Closing the loop: a results digest ("you said → what happens next") to every participant.

After a consultation closes, a facilitator publishes a digest. ``digest_draft`` gives the
dialog what it needs to draft the "You said" part and the preview: the headline numbers and
the top published themes with their share, both from the same numbers as the policy report
(``report_data``: themes under the minimum group size are never named), and the audience,
counted the way the outbox will reach it. ``publish_digest`` queues the composed texts (one
per language) through the broadcast outbox path: everyone who took part (finished or not)
and did not send /stop, block the bot or get blocked gets it in their own language
(``ConsultationAudience``), idempotently per batch, so a double tap on Send queues nothing
twice. It marks the consultation ``results_published`` and audits. Both re-check the role.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from surveys.entities import AuditEntry, ConsultationStatus, Role
from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory
from surveys.usecases.broadcasts import (
    BATCH_PREFIX,
    BroadcastQueued,
    ConsultationAudience,
    _queue,
    _recipients,
    check_texts,
)
from surveys.usecases.reports import report_data
from surveys.usecases.scheduling import QuietHours
from surveys.usecases.staff import Actor, NotAllowed

DIGESTERS = frozenset({Role.ADMIN, Role.FACILITATOR})
TOP_THEMES = 5


@dataclass(frozen=True)
class UnknownConsultation:
    slug: str


@dataclass(frozen=True)
class NotClosed:
    """The consultation is not closed yet: a digest of results comes after the end."""

    slug: str
    status: ConsultationStatus


@dataclass(frozen=True)
class ThemeShare:
    label: str
    size: int
    share: float  # of the free texts counted in the report, 0..1


@dataclass(frozen=True)
class DigestDraft:
    slug: str
    consultation_id: int
    title: Mapping[str, str]
    participants: int
    completed: int
    themes: Sequence[ThemeShare]  # the largest published themes, largest first
    audience: int
    by_language: Mapping[str, int]
    delayed_until: datetime | None  # quiet hours now: the messages wait until then (UTC)
    already_published: bool


async def _audit(
    uow: UnitOfWork, clock: Clock, action: str, actor: Actor, target: str, **detail: object
) -> None:
    if actor.staff_id is None:
        detail.setdefault("admin_telegram_user_id", actor.telegram_user_id)
    await uow.audit.add(
        AuditEntry(
            action,
            actor_staff_id=actor.staff_id,
            target=target[:64],
            detail=dict(detail),
            at=clock.now(),
        )
    )


async def _refuse(uow: UnitOfWork, clock: Clock, actor: Actor, target: str) -> NotAllowed:
    await _audit(uow, clock, "denied", actor, target, role=str(actor.role))
    await uow.commit()
    return NotAllowed("digest")


async def closed_consultations(uow_factory: UnitOfWorkFactory) -> Sequence[str]:
    """Slugs of the closed consultations (what ``/digest`` without a slug offers)."""
    async with uow_factory() as uow:
        return [c.slug for c in await uow.consultations.list(ConsultationStatus.CLOSED)]


async def digest_draft(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    slug: str,
    *,
    min_group_size: int,
    timezone: str,
    quiet: QuietHours | None = None,
    top: int = TOP_THEMES,
) -> DigestDraft | UnknownConsultation | NotClosed | NotAllowed:
    async with uow_factory() as uow:
        if actor.role not in DIGESTERS:
            return await _refuse(uow, clock, actor, "digest")
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None or consultation.id is None:
            return UnknownConsultation(slug)
        if consultation.status != ConsultationStatus.CLOSED:
            return NotClosed(slug, consultation.status)
        recipients = await _recipients(uow, ConsultationAudience(consultation.id))
    # The numbers only: no text of the report is used, so nothing needs scrubbing.
    data = await report_data(
        uow_factory, clock, slug, min_group_size, timezone, scrub=lambda text: text
    )
    if data is None:
        return UnknownConsultation(slug)
    total = data.free_texts_count or 1
    themes = [ThemeShare(t.label, t.size, t.size / total) for t in data.themes[:top]]
    now = clock.now()
    later = quiet.postpone(now) if quiet is not None else now
    return DigestDraft(
        slug=slug,
        consultation_id=consultation.id,
        title=dict(data.title),
        participants=data.participants,
        completed=data.completed,
        themes=themes,
        audience=len(recipients),
        by_language=dict(Counter(r.language for r in recipients)),
        delayed_until=later if later > now else None,
        already_published=consultation.results_published,
    )


async def publish_digest(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    *,
    slug: str,
    batch: str,
    texts: Mapping[str, str],
    quiet: QuietHours | None = None,
) -> BroadcastQueued | UnknownConsultation | NotClosed | NotAllowed:
    """Queue the digest under ``batch`` (generated with the preview) and mark the results
    published. Sending the same batch again queues nothing (``enqueued == 0``). Raises
    ``ValueError`` for an empty or too long text."""
    check_texts(texts)
    async with uow_factory() as uow:
        if actor.role not in DIGESTERS or not batch.startswith(BATCH_PREFIX):
            return await _refuse(uow, clock, actor, f"digest:{slug}")
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None or consultation.id is None:
            return UnknownConsultation(slug)
        if consultation.status != ConsultationStatus.CLOSED:
            return NotClosed(slug, consultation.status)
        audience = ConsultationAudience(consultation.id)
        queued = await _queue(uow, clock, batch, audience, texts, quiet)
        if queued.enqueued or not consultation.results_published:
            consultation.results_published = True
            await uow.consultations.update(consultation)
            await _audit(
                uow,
                clock,
                "digest.published",
                actor,
                slug,
                batch=batch,
                languages=sorted(texts),
                recipients=queued.audience_size,
            )
        await uow.commit()
    return queued


def share_percent(share: float) -> int:
    """A share as a whole percentage (at least 1 for a theme that is there at all)."""
    return max(1, round(share * 100)) if share > 0 else 0


__all__ = [
    "DigestDraft",
    "NotClosed",
    "ThemeShare",
    "UnknownConsultation",
    "closed_consultations",
    "digest_draft",
    "publish_digest",
    "share_percent",
]
