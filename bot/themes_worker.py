"""Theme jobs of a running bot: the nightly re-clustering and the periodic assignment.

Neither runs in a citizen's reply path. The scheduler's leader calls :meth:`nightly` when a
``themes`` schedule item falls due (03:00 local, planned for every open consultation) and
:meth:`tick` at every reconciler tick; ``tick`` starts an incremental assignment of new
answers at most every ``assign_every`` (default 10 minutes). Why periodic rather than
after each submission: assignment needs every member's vector in memory, which is cheap
per batch but wasteful per answer, and a burst of 500 submissions after a broadcast
becomes one job instead of 500. Staff see new answers in themes within minutes.

Jobs run one at a time in a background task (an ``asyncio.Lock``). Where the numerical work
happens is the worker's ``jobs``: in the running bot a child process per job
(``bot.themes_process.ThemesProcess``), so the bot process never loads the theme model; in
tests and tools an engine in this process (:class:`InProcessJobs`, the engine's own thread).
A job that fails, in either place, is logged and the next one tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from storage.retry import retry_transaction
from storage.store import Storage
from surveys.entities import ConsultationStatus
from surveys.ports import Clock, ThemeEngine, ThemesFinished
from surveys.themes import ProgressCallback
from surveys.usecases.themes import refresh_themes

log = logging.getLogger(__name__)


class ThemeJobs(Protocol):
    """Where a refresh runs: raises when it failed, so the worker can report it."""

    async def refresh(
        self, slugs: Sequence[str], *, full: bool, progress: ProgressCallback | None = None
    ) -> object: ...


class InProcessJobs:
    """Refreshes with an engine in this process (loaded on the first job, then kept)."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        engine: Callable[[], ThemeEngine],
        min_group_size: int = 5,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self._engine_factory = engine
        self._engine: ThemeEngine | None = None
        self.min_group_size = min_group_size

    def engine(self) -> ThemeEngine:
        if self._engine is None:
            self._engine = self._engine_factory()
        return self._engine

    async def refresh(
        self, slugs: Sequence[str], *, full: bool, progress: ProgressCallback | None = None
    ) -> None:
        engine = await asyncio.to_thread(self.engine)  # loading a model takes a while
        for slug in slugs:
            result = await refresh_themes(
                self.storage.uow,
                self.clock,
                engine,
                slug,
                full=full,
                min_group_size=self.min_group_size,
                progress=progress,
            )
            log.info("themes of %s refreshed (full=%s): %s", slug, full, result)


class ThemesWorker:
    """Schedules theme jobs (nightly, periodic, from the chat) and runs them one at a time.

    Give either ``engine`` (a factory: the jobs run in this process) or ``jobs``.
    """

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        engine: Callable[[], ThemeEngine] | None = None,
        *,
        jobs: ThemeJobs | None = None,
        min_group_size: int = 5,
        assign_every: timedelta = timedelta(minutes=10),
    ) -> None:
        self.storage = storage
        self.clock = clock
        if jobs is None:
            if engine is None:
                raise ValueError("a ThemesWorker needs an engine factory or jobs")
            jobs = InProcessJobs(storage, clock, engine, min_group_size)
        self.jobs: ThemeJobs = jobs
        self.min_group_size = min_group_size
        self.assign_every = assign_every
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_assign: datetime | None = None
        self._asked: set[str] = set()  # slugs with a run asked for from the chat

    def _start(self, job: Callable[[], object]) -> None:
        task = asyncio.create_task(self._run(job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: Callable[[], object]) -> None:
        async with self._lock:
            try:
                result = job()
                if asyncio.iscoroutine(result):
                    await result
            except Exception:
                log.exception("a themes job failed; the next one will try again")

    def engine(self) -> ThemeEngine:
        """The in-process engine (only for a worker built with ``engine``)."""
        if not isinstance(self.jobs, InProcessJobs):
            raise TypeError("this worker runs its jobs out of process")
        return self.jobs.engine()

    def nightly(self, slug: str) -> None:
        """Re-cluster ``slug`` in full, in the background."""
        self._start(lambda: self.refresh(slug, full=True))

    def tick(self) -> None:
        now = self.clock.now()
        if self._last_assign is not None and now - self._last_assign < self.assign_every:
            return
        self._last_assign = now
        self._start(self.assign_all)

    def busy(self, slug: str) -> bool:
        return slug in self._asked

    def run_full(self, slug: str, progress: ProgressCallback, finished: ThemesFinished) -> bool:
        """A full re-clustering asked for from the chat (``surveys.ports.ThemesRunner``).

        One per consultation at a time: a second tap while it waits or runs gets False.
        """
        if slug in self._asked:
            return False
        self._asked.add(slug)

        async def job() -> None:
            worked = False
            try:
                await self.refresh(slug, full=True, progress=progress)
                worked = True
            finally:
                self._asked.discard(slug)
                try:
                    await finished(self.storage.uow, worked)
                except Exception:
                    log.exception("reporting the end of a themes run failed")

        self._start(job)
        return True

    async def refresh(
        self, slug: str, *, full: bool, progress: ProgressCallback | None = None
    ) -> None:
        await self.jobs.refresh([slug], full=full, progress=progress)

    async def assign_all(self) -> None:
        """New texts of every open consultation that has themes go to their nearest theme."""

        async def open_with_themes() -> list[str]:
            async with self.storage.uow() as uow:
                slugs = []
                for consultation in await uow.consultations.list(ConsultationStatus.OPEN):
                    if consultation.id is not None and await uow.themes.latest_run(consultation.id):
                        slugs.append(consultation.slug)
                return slugs

        # The cheap question here; only when there is something to assign does a job start
        # (out of process: one child for all of them, so the model is loaded once).
        slugs = await retry_transaction(open_with_themes)
        if slugs:
            await self.jobs.refresh(slugs, full=False)

    async def idle(self) -> None:
        """Wait until every job started so far has finished (tests, a clean stop)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
