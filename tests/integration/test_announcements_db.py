"""The facilitator's broadcast use cases on SQLite and PostgreSQL: the preview counts the
audience per language and notes quiet hours; sending under one batch twice queues once; the
recent batches are listed with their progress from the outbox."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.store import Storage
from surveys.clock import FixedClock
from surveys.entities import Contact, OutboxProgress, Participant, Participation, Role
from surveys.usecases.announcements import (
    AudienceChoices,
    BroadcastPreview,
    broadcast_choices,
    preview_broadcast,
    recent_broadcasts,
    send_broadcast,
)
from surveys.usecases.broadcasts import BroadcastQueued, ConsultationAudience, new_batch_id
from surveys.usecases.scheduling import QuietHours
from surveys.usecases.staff import Actor, NotAllowed
from tests.integration.test_storage_repositories import seed

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # 11:00 in Milan
FACILITATOR = Actor(telegram_user_id=5, role=Role.FACILITATOR, staff_id=None)
ANALYST = Actor(telegram_user_id=6, role=Role.ANALYST, staff_id=None)
TEXTS = {"it": "Ciao a tutti", "en": "Hello everyone"}


async def _audience(storage: Storage) -> int:
    """Three participants with a contact: two Italian, one English."""
    consultation_id, _, _ = await seed(storage)  # the seeded one has no contact: not reachable
    async with storage.uow() as uow:
        for n, language in enumerate(("it", "it", "en")):
            person = await uow.participants.add(Participant(f"p{n}", language=language))
            assert person.id is not None
            await uow.participants.set_contact(Contact(person.id, 1000 + n))
            await uow.participations.add(Participation(person.id, consultation_id, 1))
        await uow.commit()
    return consultation_id


async def test_preview_send_twice_and_the_recent_list(storage: Storage) -> None:
    consultation_id = await _audience(storage)
    clock = FixedClock(NOW)
    audience = ConsultationAudience(consultation_id)
    choices = await broadcast_choices(storage.uow, clock, FACILITATOR)
    assert isinstance(choices, AudienceChoices) and choices.projects == ["Opencare"]

    preview = await preview_broadcast(storage.uow, clock, FACILITATOR, audience)
    assert preview == BroadcastPreview(3, {"it": 2, "en": 1}, None)
    quiet = QuietHours(10, 12, "Europe/Rome")  # 11:00 is quiet: they wait until 12:00
    held = await preview_broadcast(storage.uow, clock, FACILITATOR, audience, quiet)
    assert isinstance(held, BroadcastPreview)
    assert held.delayed_until == datetime(2026, 11, 27, 11, 0, tzinfo=UTC)

    batch = new_batch_id()
    first = await send_broadcast(
        storage.uow, clock, FACILITATOR, batch=batch, audience=audience, texts=TEXTS, quiet=quiet
    )
    second = await send_broadcast(
        storage.uow, clock, FACILITATOR, batch=batch, audience=audience, texts=TEXTS, quiet=quiet
    )
    assert first == BroadcastQueued(batch, audience_size=3, enqueued=3)
    assert second == BroadcastQueued(batch, audience_size=3, enqueued=0)

    listed = await recent_broadcasts(storage.uow, clock, FACILITATOR)
    assert not isinstance(listed, NotAllowed) and len(listed) == 1
    assert listed[0].batch == batch and listed[0].progress == OutboxProgress(pending=3)
    assert listed[0].sample in TEXTS.values()
    async with storage.uow() as uow:
        queued = [e for e in await uow.audit.list(50) if e.action == "broadcast.queued"]
    assert len(queued) == 1 and queued[0].target == f"batch:{batch}"
    assert queued[0].detail["recipients"] == 3


async def test_an_analyst_cannot_broadcast(storage: Storage) -> None:
    consultation_id = await _audience(storage)
    clock = FixedClock(NOW)
    audience = ConsultationAudience(consultation_id)
    outcomes = [
        await broadcast_choices(storage.uow, clock, ANALYST),
        await preview_broadcast(storage.uow, clock, ANALYST, audience),
        await send_broadcast(
            storage.uow, clock, ANALYST, batch=new_batch_id(), audience=audience, texts=TEXTS
        ),
        await recent_broadcasts(storage.uow, clock, ANALYST),
    ]
    assert all(isinstance(outcome, NotAllowed) for outcome in outcomes)
    # A batch id that is not a broadcast's (e.g. a reminder's) is refused even to staff.
    forged = await send_broadcast(
        storage.uow, clock, FACILITATOR, batch="reminder:1", audience=audience, texts=TEXTS
    )
    assert isinstance(forged, NotAllowed)
    async with storage.uow() as uow:
        assert await uow.outbox.recent_batches("", 10) == []


async def test_blocked_participants_get_no_broadcasts(storage: Storage) -> None:
    consultation_id = await _audience(storage)
    clock = FixedClock(NOW)
    async with storage.uow() as uow:
        english = await uow.participants.get_by_pseudonym("p2")
        assert english is not None and english.id is not None
        assert await uow.participants.block(english.id, NOW)
        await uow.commit()
    audience = ConsultationAudience(consultation_id)
    preview = await preview_broadcast(storage.uow, clock, FACILITATOR, audience)
    assert preview == BroadcastPreview(2, {"it": 2}, None)
    async with storage.uow() as uow:
        assert len(await uow.audience.due_for_reminder(consultation_id, 1)) == 2
