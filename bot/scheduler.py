"""The scheduler: APScheduler wakes a reconciler; the schedule itself is data in the database.

APScheduler 3 is only the clock. Its ``AsyncIOScheduler`` runs one interval job (a
module-level function with plain-data arguments, an explicit id and ``replace_existing``, as
APScheduler wants) that calls :meth:`Reconciler.tick`. A tick:

1. takes or renews the leader lock (a row in ``leader_locks`` with an expiry): one instance at
   a time runs the schedule and the outbox sender; a crashed leader's lock expires and another
   instance takes over;
2. as leader, makes the schedule rows match the consultations (``sync_schedules``);
3. runs every due item, each claimed atomically and applied in the same transaction
   (``run_due_item``), so two instances or a restart never run one twice, and a close that
   fell due while the bot was down runs at the first tick after start.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from storage.retry import is_retryable, retry_transaction
from storage.store import Storage
from surveys.entities import ScheduleKind
from surveys.ports import Clock
from surveys.usecases.scheduling import (
    AppliedItem,
    ItemFailed,
    QuietHours,
    ReminderPolicy,
    ScheduleChanges,
    run_due_item,
    sync_schedules,
)

log = logging.getLogger(__name__)

LOCK_NAME = "background"
JOB_ID = "ascolto-reconcile"

# The reconcilers of this process, by id: the APScheduler job gets an id (plain data), never
# the object (APScheduler 3 may pickle job arguments; a Storage or a Bot cannot be pickled).
_RECONCILERS: dict[str, Reconciler] = {}


async def reconcile(reconciler_id: str) -> None:
    """The APScheduler job."""
    reconciler = _RECONCILERS.get(reconciler_id)
    if reconciler is not None:
        await reconciler.tick()


def instance_id() -> str:
    """Who holds the lock: host and process, plus randomness for two runs in one process."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class SchedulerSettings:
    tick: timedelta = timedelta(seconds=5)
    lock_ttl: timedelta = timedelta(seconds=30)  # several ticks: a slow tick keeps the lock
    max_items_per_tick: int = 100
    failed_item_pause: timedelta = timedelta(minutes=5)
    misfire_grace: timedelta = timedelta(seconds=30)
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
    quiet: QuietHours = field(default_factory=QuietHours)


@dataclass
class TickReport:
    leader: bool
    applied: list[AppliedItem] = field(default_factory=list)
    planned: ScheduleChanges | None = None


LeadershipCallback = Callable[[bool], Awaitable[None]]


class ThemesHooks(Protocol):
    """What the leader starts for themes (``bot.themes_worker.ThemesWorker``)."""

    def nightly(self, slug: str) -> None: ...

    def tick(self) -> None: ...


class Reconciler:
    """One instance's view of the schedule; ``tick`` does the work."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        *,
        worker: str | None = None,
        settings: SchedulerSettings | None = None,
        on_leadership: LeadershipCallback | None = None,
        themes: ThemesHooks | None = None,
    ) -> None:
        self.themes = themes
        self.storage = storage
        self.clock = clock
        self.worker = worker or instance_id()
        self.settings = settings or SchedulerSettings()
        self.is_leader = False
        self._on_leadership = on_leadership
        self._tick_lock = asyncio.Lock()
        self._failed: dict[int, datetime] = {}  # item id → when to try it again

    async def tick(self) -> TickReport:
        async with self._tick_lock:  # a slow tick and the next one never overlap
            leader = await self._hold_lock()
            await self._set_leader(leader)
            if not leader:
                return TickReport(leader=False)
            settings = self.settings
            planned = await retry_transaction(
                lambda: sync_schedules(
                    self.storage.uow,
                    self.clock,
                    reminders=settings.reminders,
                    quiet=settings.quiet,
                    nightly_themes=self.themes is not None,
                )
            )
            applied = []
            for _ in range(settings.max_items_per_tick):
                item = await self._run_one()
                if item is None:
                    break
                applied.append(item)
                log.info(
                    "schedule: %s for consultation %d: %s",
                    item.item.kind.value,
                    item.item.consultation_id,
                    item.outcome.get("result"),
                )
            if self.themes is not None:  # theme jobs start in the background, never wait here
                for done in applied:
                    if done.item.kind is ScheduleKind.THEMES and done.outcome.get("slug"):
                        self.themes.nightly(str(done.outcome["slug"]))
                self.themes.tick()
            return TickReport(leader=True, applied=applied, planned=planned)

    async def _run_one(self) -> AppliedItem | None:
        now = self.clock.now()
        self._failed = {item: at for item, at in self._failed.items() if at > now}
        settings = self.settings

        async def attempt() -> AppliedItem | None:
            try:
                return await run_due_item(
                    self.storage.uow,
                    self.clock,
                    self.worker,
                    reminders=settings.reminders,
                    quiet=settings.quiet,
                    skip=tuple(self._failed),
                )
            except ItemFailed as failed:
                if failed.__cause__ is not None and is_retryable(failed.__cause__):
                    raise failed.__cause__ from None  # retry_transaction runs it again
                raise

        try:
            return await retry_transaction(attempt)
        except ItemFailed as failed:
            assert failed.item.id is not None
            log.exception("schedule item %d failed; it stays pending", failed.item.id)
            self._failed[failed.item.id] = now + settings.failed_item_pause
            return await self._run_one() if len(self._failed) < 100 else None

    async def _hold_lock(self) -> bool:
        now = self.clock.now()
        expires_at = now + self.settings.lock_ttl

        async def attempt() -> bool:
            async with self.storage.uow() as uow:
                held = await uow.leader_locks.acquire(LOCK_NAME, self.worker, now, expires_at)
                await uow.commit()
                return held

        try:
            return await retry_transaction(attempt)
        except Exception:
            log.exception("could not reach the database for the leader lock")
            return False

    async def _set_leader(self, leader: bool) -> None:
        if leader == self.is_leader:
            return
        self.is_leader = leader
        log.info("this instance %s the leader", "is now" if leader else "is no longer")
        if self._on_leadership is not None:
            await self._on_leadership(leader)

    async def resign(self) -> None:
        """Give the lock up at once (a clean stop), so another instance need not wait.

        Waits for a tick in progress to finish first: its items commit or roll back whole.
        """
        async with self._tick_lock:
            if self.is_leader:
                async with self.storage.uow() as uow:
                    await uow.leader_locks.release(LOCK_NAME, self.worker)
                    await uow.commit()
            await self._set_leader(False)


class Scheduler:
    """APScheduler's AsyncIOScheduler, waking ``reconciler`` every ``settings.tick``."""

    def __init__(self, reconciler: Reconciler) -> None:
        self.reconciler = reconciler
        self._scheduler: AsyncIOScheduler | None = None

    def start(self) -> None:
        settings = self.reconciler.settings
        _RECONCILERS[self.reconciler.worker] = self.reconciler
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            reconcile,
            "interval",
            seconds=settings.tick.total_seconds(),
            id=JOB_ID,
            replace_existing=True,
            misfire_grace_time=int(settings.misfire_grace.total_seconds()),
            coalesce=True,
            max_instances=1,
            kwargs={"reconciler_id": self.reconciler.worker},
            next_run_time=datetime.now(UTC),  # first tick at once: missed closes run at start
        )
        scheduler.start()
        self._scheduler = scheduler

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        _RECONCILERS.pop(self.reconciler.worker, None)
        await self.reconciler.resign()
