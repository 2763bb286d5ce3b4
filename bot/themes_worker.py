"""Theme jobs of a running bot: the nightly re-clustering and the periodic assignment.

Neither runs in a citizen's reply path. The scheduler's leader calls :meth:`nightly` when a
``themes`` schedule item falls due (03:00 local, planned for every open consultation) and
:meth:`tick` at every reconciler tick; ``tick`` starts an incremental assignment of new
answers at most every ``assign_every`` (default 10 minutes). Why periodic rather than
after each submission: assignment needs every member's vector in memory, which is cheap
per batch but wasteful per answer, and a burst of 500 submissions after a broadcast
becomes one job instead of 500. Staff see new answers in themes within minutes.

Jobs run one at a time in a background task (an ``asyncio.Lock``), with the numerical work
in a thread inside the engine, so the event loop keeps serving updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from storage.retry import retry_transaction
from storage.store import Storage
from surveys.entities import ConsultationStatus
from surveys.ports import Clock, ThemeEngine, ThemesFinished
from surveys.themes import ProgressCallback
from surveys.usecases.themes import refresh_themes

log = logging.getLogger(__name__)


class ThemesWorker:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        engine: Callable[[], ThemeEngine],
        *,
        min_group_size: int = 5,
        assign_every: timedelta = timedelta(minutes=10),
    ) -> None:
        self.storage = storage
        self.clock = clock
        self._engine_factory = engine
        self._engine: ThemeEngine | None = None
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
        if self._engine is None:
            self._engine = self._engine_factory()
        return self._engine

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
        engine = await asyncio.to_thread(self.engine)  # loading a model takes a while
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

    async def assign_all(self) -> None:
        """New texts of every open consultation that has themes go to their nearest theme."""

        async def open_with_themes() -> list[str]:
            async with self.storage.uow() as uow:
                slugs = []
                for consultation in await uow.consultations.list(ConsultationStatus.OPEN):
                    if consultation.id is not None and await uow.themes.latest_run(consultation.id):
                        slugs.append(consultation.slug)
                return slugs

        for slug in await retry_transaction(open_with_themes):
            await self.refresh(slug, full=False)

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
