"""The scheduler against real databases: planning, exactly-once runs, leadership, restarts.

Each test runs on SQLite and on PostgreSQL. "Two instances" are two ``Storage`` objects (two
connection pools) on one database, each with its own worker id, racing in one event loop: on
PostgreSQL their transactions really interleave on the server.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa

from bot.scheduler import Reconciler, Scheduler, SchedulerSettings
from storage.retry import retry_transaction
from storage.store import Storage
from storage.tables import audit_log, schedule_items
from surveys.clock import FixedClock
from surveys.definition import SurveyDefinition
from surveys.entities import (
    Consultation,
    ConsultationStatus,
    Contact,
    Participant,
    Participation,
    ParticipationStatus,
    ScheduleKind,
    ScheduleStatus,
)
from surveys.format import load_definition
from surveys.ports import Clock
from surveys.usecases.consultations import load_consultation
from surveys.usecases.scheduling import (
    QuietHours,
    ReminderPolicy,
    plan_schedule,
    run_due_item,
    sync_schedules,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "surveys" / "examples" / "opencare.yaml"
NOON = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)  # 12:00 in Rome: not quiet
NO_QUIET = QuietHours(0, 0)
T = TypeVar("T")


@functools.cache
def example_definition() -> SurveyDefinition:
    return load_definition(EXAMPLE)


async def make_consultation(
    storage: Storage,
    clock: Clock,
    slug: str = "opencare",
    *,
    status: ConsultationStatus = ConsultationStatus.SCHEDULED,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Consultation:
    definition = dataclasses.replace(example_definition(), slug=slug)
    await load_consultation(storage.uow, definition, clock)
    async with storage.uow() as uow:
        consultation = await uow.consultations.get_by_slug(slug)
        assert consultation is not None
        consultation.status = status
        consultation.opens_at = opens_at
        consultation.closes_at = closes_at
        await uow.consultations.update(consultation)
        await uow.commit()
    return consultation


async def items_of(storage: Storage, consultation_id: int) -> list[tuple[str, str, datetime]]:
    async with storage.uow() as uow:
        items = await uow.schedule.for_consultation(consultation_id)
    return [(i.kind.value, i.status.value, i.due_at) for i in items]


async def status_of(storage: Storage, consultation_id: int) -> ConsultationStatus:
    async with storage.uow() as uow:
        consultation = await uow.consultations.get(consultation_id)
    assert consultation is not None
    return consultation.status


async def audit_counts(storage: Storage) -> Counter[tuple[str, int]]:
    """(action, schedule item id) → how many times the audit log says it ran."""
    async with storage.engine.connect() as connection:
        rows = (await connection.execute(sa.select(audit_log.c.action, audit_log.c.detail))).all()
    return Counter((action, detail["item"]) for action, detail in rows if "item" in detail)


async def test_planning_follows_the_consultation_and_is_idempotent(storage: Storage) -> None:
    clock = FixedClock(NOON)
    opens, closes = NOON + timedelta(days=1), NOON + timedelta(days=10)
    consultation = await make_consultation(storage, clock, opens_at=opens, closes_at=closes)
    assert consultation.id is not None
    policy = ReminderPolicy(hours_before=(24, 2))

    changes = await sync_schedules(storage.uow, clock, reminders=policy, quiet=NO_QUIET)
    assert sorted((i.kind, i.due_at) for i in changes.added) == sorted(
        [
            (ScheduleKind.OPEN, opens),
            (ScheduleKind.CLOSE, closes),
            (ScheduleKind.REMINDER, closes - timedelta(hours=24)),
            (ScheduleKind.REMINDER, closes - timedelta(hours=2)),
        ]
    )
    again = await sync_schedules(storage.uow, clock, reminders=policy, quiet=NO_QUIET)
    assert again.added == [] and again.cancelled == []

    # Extending the consultation cancels the old close and reminders and plans new ones.
    async with storage.uow() as uow:
        stored = await uow.consultations.get(consultation.id)
        assert stored is not None
        stored.closes_at = closes + timedelta(days=3)
        await uow.consultations.update(stored)
        await uow.commit()
    moved = await plan_schedule(
        storage.uow, clock, consultation.id, reminders=policy, quiet=NO_QUIET
    )
    assert {i.kind for i in moved.cancelled} == {ScheduleKind.CLOSE, ScheduleKind.REMINDER}
    assert len(moved.cancelled) == 3 and len(moved.added) == 3
    pending = [i for i in await items_of(storage, consultation.id) if i[1] == "pending"]
    assert ("close", "pending", closes + timedelta(days=3)) in pending
    assert len(pending) == 4


async def test_due_items_open_close_and_plan_retention(storage: Storage) -> None:
    clock = FixedClock(NOON)
    opens, closes = NOON + timedelta(hours=1), NOON + timedelta(days=2)
    consultation = await make_consultation(storage, clock, opens_at=opens, closes_at=closes)
    assert consultation.id is not None
    reconciler = Reconciler(storage, clock, worker="only", settings=_settings())

    report = await reconciler.tick()
    assert report.leader and report.applied == []
    assert await status_of(storage, consultation.id) is ConsultationStatus.SCHEDULED

    clock.set(opens)  # due exactly now
    report = await reconciler.tick()
    assert [a.item.kind for a in report.applied] == [ScheduleKind.OPEN]
    assert await status_of(storage, consultation.id) is ConsultationStatus.OPEN

    clock.set(closes + timedelta(minutes=1))  # the reminder was missed: it sends nothing
    report = await reconciler.tick()
    assert [(a.item.kind, a.outcome["result"]) for a in report.applied] == [
        (ScheduleKind.REMINDER, "not open"),
        (ScheduleKind.CLOSE, "closed"),
    ]
    assert await status_of(storage, consultation.id) is ConsultationStatus.CLOSED
    # The next tick plans retention from the closing time (730 days in opencare.yaml).
    await reconciler.tick()
    retention = [i for i in await items_of(storage, consultation.id) if i[0] == "retention"]
    assert retention == [("retention", "pending", closes + timedelta(days=730))]
    assert sum((await audit_counts(storage)).values()) == 3


async def test_two_instances_run_each_due_item_exactly_once(
    _migrated_database_url: str, storage: Storage
) -> None:
    """Many due items, two instances claiming concurrently without a leader lock: the claim
    alone must keep every item to one run."""
    clock = FixedClock(NOON)
    ids = []
    for n in range(30):
        consultation = await make_consultation(
            storage,
            clock,
            f"race-{n}",
            status=ConsultationStatus.SCHEDULED,
            opens_at=NOON - timedelta(minutes=n + 10),
            closes_at=NOON - timedelta(minutes=n),
        )
        ids.append(consultation.id)
    await sync_schedules(storage.uow, clock, quiet=NO_QUIET)
    second = Storage.open(_migrated_database_url)
    try:

        async def worker(store: Storage, name: str) -> list[int]:
            ran = []
            while True:
                applied = await _retrying(
                    lambda: run_due_item(store.uow, clock, name, quiet=NO_QUIET)
                )
                if applied is None:
                    return ran
                assert applied.item.id is not None
                ran.append(applied.item.id)

        first_ran, second_ran = await asyncio.gather(worker(storage, "one"), worker(second, "two"))
    finally:
        await second.close()
    assert len(first_ran) + len(second_ran) == 60  # an open and a close per consultation
    assert set(first_ran).isdisjoint(second_ran)
    assert all(n == 1 for n in (await audit_counts(storage)).values())
    for consultation_id in ids:
        assert consultation_id is not None
        assert await status_of(storage, consultation_id) is ConsultationStatus.CLOSED
    async with storage.engine.connect() as connection:
        statuses = (await connection.execute(sa.select(schedule_items.c.status))).scalars()
        assert set(statuses) == {ScheduleStatus.DONE.value}


async def test_only_the_leader_runs_and_a_dead_leader_is_replaced(
    _migrated_database_url: str, storage: Storage
) -> None:
    clock = FixedClock(NOON)
    consultation = await make_consultation(
        storage, clock, status=ConsultationStatus.OPEN, closes_at=NOON + timedelta(hours=1)
    )
    assert consultation.id is not None
    second = Storage.open(_migrated_database_url)
    try:
        settings = _settings(lock_ttl=timedelta(hours=2))
        one = Reconciler(storage, clock, worker="one", settings=settings)
        two = Reconciler(second, clock, worker="two", settings=settings)
        first, other = await asyncio.gather(one.tick(), two.tick())
        assert sorted([first.leader, other.leader]) == [False, True]
        leader, follower = (one, two) if first.leader else (two, one)

        # The leader dies (no resign); the close falls due while its lock is still valid.
        clock.advance(timedelta(hours=1, seconds=5))
        assert not (await follower.tick()).leader
        assert await status_of(storage, consultation.id) is ConsultationStatus.OPEN
        clock.advance(settings.lock_ttl)
        report = await follower.tick()
        assert report.leader and [a.item.kind for a in report.applied] == [ScheduleKind.CLOSE]
        assert await status_of(storage, consultation.id) is ConsultationStatus.CLOSED
        # The old leader comes back: it is a follower now and runs nothing.
        back = await leader.tick()
        assert not back.leader and not leader.is_leader
    finally:
        await second.close()
    assert list((await audit_counts(storage)).values()) == [1]


async def test_a_restart_spanning_closes_at_closes_at_start_once(
    _migrated_database_url: str, storage: Storage
) -> None:
    """Instance A runs, stops cleanly before the closing time; the bot is down across it; the
    restarted process (real APScheduler) closes the consultation at its first tick, once."""
    clock = FixedClock(NOON)
    closes = NOON + timedelta(hours=3)
    consultation = await make_consultation(
        storage, clock, status=ConsultationStatus.OPEN, closes_at=closes
    )
    assert consultation.id is not None
    settings = _settings(tick=timedelta(seconds=0.1))
    before = Scheduler(Reconciler(storage, clock, worker="before", settings=settings))
    before.start()
    await _until(lambda: before.reconciler.is_leader)
    await before.stop()
    assert await status_of(storage, consultation.id) is ConsultationStatus.OPEN

    clock.set(closes + timedelta(hours=5))  # down across closes_at
    restarted_storage = Storage.open(_migrated_database_url)
    after = Scheduler(Reconciler(restarted_storage, clock, worker="after", settings=settings))
    try:
        after.start()
        await _until(lambda: _is_closed(restarted_storage, consultation.id), limit=10)
        await asyncio.sleep(0.35)  # a few more ticks: nothing runs twice
    finally:
        await after.stop()
        await restarted_storage.close()
    counts = await audit_counts(storage)
    assert [(action, n) for (action, _), n in counts.items()] == [("schedule.close", 1)]


async def test_reminders_reach_only_who_started_and_did_not_finish(storage: Storage) -> None:
    clock = FixedClock(NOON)
    closes = NOON + timedelta(hours=24)
    consultation = await make_consultation(
        storage, clock, status=ConsultationStatus.OPEN, closes_at=closes
    )
    assert consultation.id is not None
    people = {
        "started": {},
        "finished": {"status": ParticipationStatus.SUBMITTED},
        "stopped": {"stopped": True},
        "blocked": {"unreachable": True},
        "preview": {"preview": True},
        "no contact": {"contact": False},
        "reminded": {"reminders_sent": 1},
        "started too": {"language": "en"},
    }
    ids = {}
    async with storage.uow() as uow:
        for n, (name, traits) in enumerate(people.items()):
            participant = await uow.participants.add(
                Participant(
                    pseudonym=f"p{n}",
                    language=str(traits.get("language", "it")),
                    reminders_stopped=bool(traits.get("stopped", False)),
                    unreachable=bool(traits.get("unreachable", False)),
                )
            )
            assert participant.id is not None
            ids[name] = participant.id
            if traits.get("contact", True):
                await uow.participants.set_contact(Contact(participant.id, 1000 + n))
            await uow.participations.add(
                Participation(
                    participant.id,
                    consultation.id,
                    1,
                    status=traits.get("status", ParticipationStatus.IN_PROGRESS),  # type: ignore[arg-type]
                    is_preview=bool(traits.get("preview", False)),
                    reminders_sent=int(traits.get("reminders_sent", 0)),  # type: ignore[call-overload]
                )
            )
        await uow.commit()
    settings = _settings(reminders=ReminderPolicy(hours_before=(24, 12), max_per_person=1))
    reconciler = Reconciler(storage, clock, worker="only", settings=settings)
    report = await reconciler.tick()
    assert [a.item.kind for a in report.applied] == [ScheduleKind.REMINDER]
    assert report.applied[0].outcome["enqueued"] == 2

    clock.advance(timedelta(hours=12))  # the second reminder: everyone has had their one
    report = await reconciler.tick()
    assert [a.item.kind for a in report.applied] == [ScheduleKind.REMINDER]
    assert report.applied[0].outcome["enqueued"] == 0

    async with storage.uow() as uow:
        due = await uow.outbox.due(clock.now(), 100)
        reminded = {row.participant_id: row for row in due}
        assert set(reminded) == {ids["started"], ids["started too"]}
        assert reminded[ids["started too"]].payload["language"] == "en"
        participation = await uow.participations.find(ids["started"], consultation.id)
        assert participation is not None and participation.reminders_sent == 1


async def _is_closed(storage: Storage, consultation_id: int | None) -> bool:
    assert consultation_id is not None
    return await status_of(storage, consultation_id) is ConsultationStatus.CLOSED


def _settings(**changes: object) -> SchedulerSettings:
    settings = SchedulerSettings(lock_ttl=timedelta(seconds=30), quiet=NO_QUIET)
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


async def _retrying(work: Callable[[], Awaitable[T]]) -> T:
    return await retry_transaction(work, attempts=10)


async def _until(condition: Callable[[], bool | Awaitable[bool]], limit: float = 5.0) -> None:
    """Poll ``condition`` (the database, another task's flag) until it holds."""
    async with asyncio.timeout(limit):
        while True:
            holds = condition()
            if holds if isinstance(holds, bool) else await holds:
                return
            await asyncio.sleep(0.02)
