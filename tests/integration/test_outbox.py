"""The persistent outbox on both databases: idempotent enqueueing, audiences, row states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from storage.store import Storage
from storage.tables import project_follows
from surveys.clock import FixedClock
from surveys.entities import (
    ConsultationStatus,
    Contact,
    OutboxProgress,
    OutboxStatus,
    Participant,
    Participation,
    ParticipationStatus,
)
from surveys.usecases.broadcasts import (
    ConsultationAudience,
    ProjectAudience,
    audience_size,
    broadcast_progress,
    enqueue_broadcast,
)
from surveys.usecases.scheduling import QuietHours
from tests.integration.test_scheduler import make_consultation

NOON = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
TEXTS = {"it": "Ciao a tutti", "en": "Hello everyone"}


async def _people(storage: Storage, consultation_id: int) -> dict[str, int]:
    """Five people with different standing in one consultation."""
    kinds = {
        "finished-it": ("it", ParticipationStatus.SUBMITTED, False),
        "started-en": ("en", ParticipationStatus.IN_PROGRESS, False),
        "stopped": ("it", ParticipationStatus.IN_PROGRESS, True),
        "withdrawn": ("it", ParticipationStatus.WITHDRAWN, False),
        "started-fr": ("fr", ParticipationStatus.IN_PROGRESS, False),
    }
    ids = {}
    async with storage.uow() as uow:
        for n, (name, (language, status, stopped)) in enumerate(kinds.items()):
            person = await uow.participants.add(
                Participant(pseudonym=name, language=language, reminders_stopped=stopped)
            )
            assert person.id is not None
            ids[name] = person.id
            await uow.participants.set_contact(Contact(person.id, 500 + n))
            await uow.participations.add(
                Participation(person.id, consultation_id, 1, status=status)
            )
        await uow.commit()
    return ids


async def test_broadcast_audiences_and_idempotent_enqueueing(storage: Storage) -> None:
    clock = FixedClock(NOON)
    consultation = await make_consultation(storage, clock, status=ConsultationStatus.OPEN)
    assert consultation.id is not None
    ids = await _people(storage, consultation.id)
    everyone = ConsultationAudience(consultation.id)
    unfinished = ConsultationAudience(consultation.id, unfinished_only=True)
    assert await audience_size(storage.uow, everyone) == 3
    assert await audience_size(storage.uow, unfinished) == 2

    queued = await enqueue_broadcast(storage.uow, clock, batch="b1", audience=everyone, texts=TEXTS)
    assert (queued.audience_size, queued.enqueued) == (3, 3)
    again = await enqueue_broadcast(storage.uow, clock, batch="b1", audience=everyone, texts=TEXTS)
    assert (again.audience_size, again.enqueued) == (3, 0)
    assert await broadcast_progress(storage.uow, "b1") == OutboxProgress(pending=3)

    async with storage.uow() as uow:
        rows = {row.participant_id: row for row in await uow.outbox.due(clock.now(), 10)}
    assert rows[ids["finished-it"]].payload == {"kind": "text", "text": "Ciao a tutti"}
    assert rows[ids["started-en"]].payload["text"] == "Hello everyone"
    assert rows[ids["started-fr"]].payload["text"] == "Ciao a tutti"  # Italian first
    assert rows[ids["started-en"]].chat_id == 501

    # Followers of a project: only who follows, is reachable and did not /stop.
    async with storage.engine.begin() as connection:
        for name in ("started-en", "stopped"):
            await connection.execute(
                sa.insert(project_follows).values(participant_id=ids[name], project="Opencare")
            )
    assert await audience_size(storage.uow, ProjectAudience("Opencare")) == 1
    assert await audience_size(storage.uow, ProjectAudience("OpenAgri")) == 0


async def test_broadcast_queued_in_quiet_hours_waits_for_morning(storage: Storage) -> None:
    clock = FixedClock(datetime(2026, 5, 4, 21, 0, tzinfo=UTC))  # 23:00 in Rome
    consultation = await make_consultation(storage, clock, status=ConsultationStatus.OPEN)
    assert consultation.id is not None
    await _people(storage, consultation.id)
    await enqueue_broadcast(
        storage.uow,
        clock,
        batch="night",
        audience=ConsultationAudience(consultation.id),
        texts=TEXTS,
        quiet=QuietHours(21, 9),
    )
    morning = datetime(2026, 5, 5, 7, 0, tzinfo=UTC)  # 09:00 in Rome
    async with storage.uow() as uow:
        assert await uow.outbox.due(morning - timedelta(seconds=1), 10) == []
        assert len(await uow.outbox.due(morning, 10)) == 3


async def test_row_states_and_crash_recovery(storage: Storage) -> None:
    clock = FixedClock(NOON)
    consultation = await make_consultation(storage, clock, status=ConsultationStatus.OPEN)
    assert consultation.id is not None
    ids = await _people(storage, consultation.id)
    await enqueue_broadcast(
        storage.uow, clock, batch="b", audience=ConsultationAudience(consultation.id), texts=TEXTS
    )
    async with storage.uow() as uow:
        first, second, third = await uow.outbox.due(NOON, 10)
        assert await uow.outbox.mark_sending(first.id, NOON)
        assert not await uow.outbox.mark_sending(first.id, NOON)  # taken once only
        assert await uow.outbox.mark_sending(second.id, NOON)
        assert await uow.outbox.mark_sending(third.id, NOON)
        await uow.outbox.mark_sent(first.id, NOON)
        await uow.outbox.mark_unreachable(second.id, "Forbidden: bot was blocked by the user")
        await uow.commit()
    # The third is "in flight" when the process dies: recovered only after the timeout.
    async with storage.uow() as uow:
        assert await uow.outbox.progress("b") == OutboxProgress(sent=1, failed=1, sending=1)
        assert await uow.outbox.recover_stale(NOON - timedelta(seconds=1)) == 0
        assert await uow.outbox.recover_stale(NOON + timedelta(seconds=1)) == 1
        await uow.commit()
    async with storage.uow() as uow:
        assert [row.id for row in await uow.outbox.due(NOON, 10)] == [third.id]
        recovered = await uow.outbox.get(third.id)
        assert recovered is not None and recovered.attempts == 1
        assert recovered.status is OutboxStatus.PENDING
        blocked = await uow.participants.get(second.participant_id or 0)
        assert blocked is not None and blocked.unreachable
    # Someone who became unreachable is no longer in any audience.
    assert second.participant_id in ids.values()
    assert await audience_size(storage.uow, ConsultationAudience(consultation.id)) == 2
