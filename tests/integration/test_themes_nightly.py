"""The nightly re-clustering: planned at 03:00 Rome for open consultations, run once.

The real reconciler ticks with a fixed clock; the real ``ThemesWorker`` clusters with the
``tfidf`` backend in the background, and the test waits for it to finish.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.demo_texts import SAMPLE_TEXTS
from bot.scheduler import Reconciler, SchedulerSettings
from bot.themes_worker import ThemesWorker
from nlp.service import NlpThemeEngine
from storage.store import Storage
from storage.tables import schedule_items, theme_runs
from surveys.clock import FixedClock
from surveys.definition import Mode
from surveys.entities import Consultation, ConsultationStatus, Idea, Participant, ScheduleKind
from surveys.usecases.scheduling import QuietHours, next_nightly


async def _seed(storage: Storage) -> None:
    async with storage.uow() as uow:
        consultation = await uow.consultations.add(
            Consultation("notte", "Milano", Mode.LISTENING, ConsultationStatus.OPEN)
        )
        assert consultation.id is not None
        for n, text in enumerate(SAMPLE_TEXTS["it"]):
            person = await uow.participants.add(Participant(f"n{n}"))
            assert person.id is not None
            await uow.ideas.add(Idea(consultation.id, person.id, text))
        await uow.commit()


async def _count(storage: Storage, query: sa.Select[tuple[int]]) -> int:
    async with storage.uow() as uow:
        return int((await uow.session.execute(query)).scalar_one())


def test_next_nightly_is_three_in_the_morning_in_rome() -> None:
    winter = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert next_nightly(winter) == datetime(2026, 1, 11, 2, 0, tzinfo=UTC)  # 03:00 CET
    summer = datetime(2026, 7, 10, 0, 30, tzinfo=UTC)  # 02:30 CEST: 03:00 is still ahead
    assert next_nightly(summer) == datetime(2026, 7, 10, 1, 0, tzinfo=UTC)


async def test_the_nightly_item_runs_once(storage: Storage) -> None:
    await _seed(storage)
    clock = FixedClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    worker = ThemesWorker(storage, clock, lambda: NlpThemeEngine("tfidf"), min_group_size=2)
    settings = SchedulerSettings(quiet=QuietHours(0, 0))
    reconciler = Reconciler(storage, clock, worker="night", settings=settings, themes=worker)
    try:
        first = await reconciler.tick()
        assert not [a for a in first.applied if a.item.kind is ScheduleKind.THEMES]
        nightly = sa.select(schedule_items.c.due_at).where(
            schedule_items.c.kind == ScheduleKind.THEMES.value
        )
        async with storage.uow() as uow:
            due = [row[0] for row in await uow.session.execute(nightly)]
        assert [d.astimezone(UTC) for d in due] == [datetime(2026, 3, 11, 2, 0, tzinfo=UTC)]

        clock.set(datetime(2026, 3, 11, 2, 0, 5, tzinfo=UTC))
        report = await reconciler.tick()
        ran = [a for a in report.applied if a.item.kind is ScheduleKind.THEMES]
        assert len(ran) == 1 and ran[0].outcome["slug"] == "notte"
        await worker.idle()
        runs = sa.select(sa.func.count()).select_from(theme_runs)
        assert await _count(storage, runs) == 1

        clock.advance(timedelta(minutes=1))
        again = await reconciler.tick()
        assert not [a for a in again.applied if a.item.kind is ScheduleKind.THEMES]
        await worker.idle()
        assert await _count(storage, runs) == 1  # once, not once per tick
        pending = nightly.where(schedule_items.c.status == "pending")
        async with storage.uow() as uow:
            due = [row[0] for row in await uow.session.execute(pending)]
        assert [d.astimezone(UTC) for d in due] == [datetime(2026, 3, 12, 2, 0, tzinfo=UTC)]
    finally:
        await worker.stop()
