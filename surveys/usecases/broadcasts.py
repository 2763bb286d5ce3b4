"""Broadcasts: an announcement to an audience, queued in the persistent outbox.

The facilitator's dialog counts the audience for the preview, then enqueues. Enqueueing is
idempotent per ``batch`` (one row per person, keyed ``<batch>:<participant>``), so a double
tap on "confirm" or a retried update queues nothing twice. The sender in ``bot`` does the
rest: pacing, retries, progress.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from surveys.entities import OutboxMessage, OutboxProgress, Recipient
from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory
from surveys.usecases.scheduling import QuietHours

MAX_TEXT_LENGTH = 4096  # Telegram's limit for one message
BATCH_PREFIX = "broadcast-"


@dataclass(frozen=True)
class ConsultationAudience:
    """Participants of a consultation; with ``unfinished_only``, those who have not finished."""

    consultation_id: int
    unfinished_only: bool = False


@dataclass(frozen=True)
class ProjectAudience:
    """Citizens who follow a project's announcements."""

    project: str


Audience = ConsultationAudience | ProjectAudience


@dataclass(frozen=True)
class BroadcastQueued:
    batch: str
    audience_size: int
    enqueued: int  # new rows; 0 when this batch was queued before


def new_batch_id() -> str:
    return BATCH_PREFIX + secrets.token_hex(8)


async def _recipients(uow: UnitOfWork, audience: Audience) -> Sequence[Recipient]:
    if isinstance(audience, ProjectAudience):
        return await uow.audience.followers_of(audience.project)
    return await uow.audience.participants_of(
        audience.consultation_id, unfinished_only=audience.unfinished_only
    )


async def audience_size(uow_factory: UnitOfWorkFactory, audience: Audience) -> int:
    """How many people the announcement would reach (for the facilitator's preview)."""
    async with uow_factory() as uow:
        return len(await _recipients(uow, audience))


def text_for(texts: Mapping[str, str], language: str, fallback: str = "it") -> str:
    """The announcement in the person's language, else the fallback, else any."""
    if language in texts:
        return texts[language]
    if fallback in texts:
        return texts[fallback]
    return next(iter(texts.values()))


def check_texts(texts: Mapping[str, str]) -> None:
    if not texts or not any(text.strip() for text in texts.values()):
        raise ValueError("an announcement needs a text")
    for language, text in texts.items():
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError(f"the {language} text is longer than {MAX_TEXT_LENGTH} characters")


async def enqueue_broadcast(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    batch: str,
    audience: Audience,
    texts: Mapping[str, str],
    quiet: QuietHours | None = None,
) -> BroadcastQueued:
    """Queue one message per person of the audience, in their language.

    Queued during ``quiet`` hours, the messages wait until quiet hours end.
    """
    check_texts(texts)
    async with uow_factory() as uow:
        queued = await _queue(uow, clock, batch, audience, texts, quiet)
        await uow.commit()
    return queued


async def _queue(
    uow: UnitOfWork,
    clock: Clock,
    batch: str,
    audience: Audience,
    texts: Mapping[str, str],
    quiet: QuietHours | None,
) -> BroadcastQueued:
    now = clock.now()
    not_before = quiet.postpone(now) if quiet is not None else now
    recipients = await _recipients(uow, audience)
    messages = [
        OutboxMessage(
            dedupe_key=f"{batch}:{recipient.participant_id}",
            payload={"kind": "text", "text": text_for(texts, recipient.language)},
            participant_id=recipient.participant_id,
            not_before=not_before if not_before > now else None,
            batch=batch,
        )
        for recipient in recipients
    ]
    enqueued = await uow.outbox.enqueue(messages)
    return BroadcastQueued(batch=batch, audience_size=len(recipients), enqueued=enqueued)


async def broadcast_progress(uow_factory: UnitOfWorkFactory, batch: str) -> OutboxProgress:
    async with uow_factory() as uow:
        return await uow.outbox.progress(batch)
