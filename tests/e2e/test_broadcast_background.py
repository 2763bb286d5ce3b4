"""The running bot's background work end to end: APScheduler ticks, the leader plans and runs
a reminder, its sender delivers it through the emulator, in each person's language."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bot.background import Background, BackgroundSettings
from bot.outbox import SenderSettings
from bot.sandbox import BotApiEmulator
from bot.scheduler import SchedulerSettings
from storage.schema import upgrade_schema
from storage.store import Storage
from storage.tables import leader_locks, outbox
from surveys.clock import SystemClock
from surveys.entities import ConsultationStatus, Contact, Participant, Participation
from surveys.usecases.scheduling import QuietHours, ReminderPolicy
from tests.integration.test_scheduler import example_definition, make_consultation


async def test_background_sends_a_reminder_before_closing(
    emulator: BotApiEmulator, sqlite_url: str
) -> None:
    await upgrade_schema(sqlite_url)
    storage = Storage.open(sqlite_url)
    clock = SystemClock()
    # Closing in 24 h and a moment: the 24-hour reminder falls due a moment from now.
    closes = clock.now() + timedelta(hours=24, seconds=1)
    consultation = await make_consultation(
        storage, clock, status=ConsultationStatus.OPEN, closes_at=closes
    )
    assert consultation.id is not None
    giulia = emulator.create_user("Giulia", language_code="it")
    tom = emulator.create_user("Tom", language_code="en")
    async with storage.uow() as uow:
        for user, language in ((giulia, "it"), (tom, "en")):
            person = await uow.participants.add(Participant(f"p-{language}", language=language))
            assert person.id is not None
            await uow.participants.set_contact(Contact(person.id, user.chat_id))
            await uow.participations.add(Participation(person.id, consultation.id, 1))
        await uow.commit()
    settings = BackgroundSettings(
        scheduler=SchedulerSettings(
            tick=timedelta(seconds=0.2),
            quiet=QuietHours(0, 0),  # whatever the hour the test runs at
            reminders=ReminderPolicy(hours_before=(24,)),
        ),
        sender=SenderSettings(poll_interval=0.1),
    )
    background = Background(
        storage, token=emulator.token, api_url=emulator.url, settings=settings, clock=clock
    )
    await background.start()
    try:
        italian = await emulator.wait_for_message(giulia.chat_id, timeout=10)
        english = await emulator.wait_for_message(tom.chat_id, timeout=10)
        assert background.reconciler.is_leader
    finally:
        await background.stop()
    title = example_definition().title
    assert italian.data["text"].startswith("Promemoria")
    assert title["it"] in italian.data["text"]
    assert english.data["text"].startswith("Reminder")
    assert title["en"] in english.data["text"]
    async with storage.engine.connect() as connection:
        assert (await connection.execute(sa.select(outbox.c.status))).scalars().all() == [
            "sent",
            "sent",
        ]
        assert (await connection.execute(sa.select(leader_locks))).all() == []  # released
    await storage.close()
