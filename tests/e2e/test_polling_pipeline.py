"""``bot.polling.Poller`` against the emulator over HTTP: it keeps fetching while updates are
handled, and still confirms an update only once it and every update before it were handled.

A plain aiogram ``Dispatcher`` (per-user isolation, as in ``bot.app``) runs one scripted
handler: a text can be held until the test releases it, fail, or meet a busy database first.
Tests assert on order and on what the server still holds, never on how long something took.
"""

# The tests wait for the emulator's counters and the handler's records, on purpose.
# ruff: noqa: ASYNC110

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import Message, Update
from sqlalchemy.exc import OperationalError

from bot.metrics import Metrics
from bot.polling import PAGE, Poller
from bot.sandbox import BotApiEmulator

TIMEOUT = 10.0


@dataclass
class Script:
    """What the handler does with a text, and what it saw."""

    holds: dict[str, asyncio.Event] = field(default_factory=dict)  # wait for the test first
    failures: Counter[str] = field(default_factory=Counter)  # raise RuntimeError this often
    busy: Counter[str] = field(default_factory=Counter)  # "database is locked" this often
    entered: list[tuple[int, str]] = field(default_factory=list)  # (update id, text), attempts
    done: list[tuple[int, str]] = field(default_factory=list)  # replied

    def hold(self, text: str) -> asyncio.Event:
        return self.holds.setdefault(text, asyncio.Event())

    def release_all(self) -> None:
        for event in self.holds.values():
            event.set()

    def texts_entered(self) -> list[str]:
        return [text for _, text in self.entered]

    async def handle(self, message: Message, event_update: Update) -> None:
        text = message.text or ""
        self.entered.append((event_update.update_id, text))
        if text in self.holds:
            await self.holds[text].wait()
        if self.failures[text] > 0:
            self.failures[text] -= 1
            raise RuntimeError("scripted failure")
        if self.busy[text] > 0:
            self.busy[text] -= 1
            locked = sqlite3.OperationalError("database is locked")
            raise OperationalError("UPDATE answers", {}, locked)
        await message.answer(f"ok {text}")
        self.done.append((event_update.update_id, text))


@dataclass
class Polling:
    emulator: BotApiEmulator
    script: Script
    metrics: Metrics
    poller: Poller
    task: asyncio.Task[None]

    def polls(self) -> int:
        return self.emulator.counters.requests.get("getUpdates", 0)

    def pending(self) -> list[str]:
        """The texts of the updates the server still holds (not confirmed yet)."""
        return [u["message"]["text"] for u in self.emulator.world.updates.peek(PAGE)]

    async def until(self, condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(TIMEOUT):
            while not condition():
                await asyncio.sleep(0.005)

    async def more_polls(self, count: int) -> None:
        """Until the poller asked the server ``count`` more times (so it saw what was queued)."""
        target = self.polls() + count
        await self.until(lambda: self.polls() >= target)


Start = Callable[..., Awaitable[Polling]]


@pytest.fixture
async def start(emulator: BotApiEmulator) -> AsyncIterator[Start]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emulator.url))
    bot = Bot(token=emulator.token, session=session)
    running: list[Polling] = []

    async def start(**options: Any) -> Polling:
        script = Script()
        dispatcher = Dispatcher(events_isolation=SimpleEventIsolation())
        dispatcher.message.register(script.handle)
        metrics = Metrics()
        poller = Poller(dispatcher, bot, metrics, timeout=5, **options)
        polling = Polling(emulator, script, metrics, poller, asyncio.create_task(poller.run()))
        running.append(polling)
        await polling.more_polls(1)
        return polling

    try:
        yield start
    finally:
        for polling in running:
            polling.script.release_all()
            polling.poller.stop()
            await asyncio.wait_for(polling.task, TIMEOUT)
        await session.close()


async def test_a_held_update_does_not_delay_another_persons(start: Start) -> None:
    p = await start()
    anna = p.emulator.create_user("Anna")
    bruno = p.emulator.create_user("Bruno")
    held = p.script.hold("slow")
    anna.send_text("slow")
    await p.until(lambda: "slow" in p.script.texts_entered())
    bruno.send_text("fast")
    reply = await bruno.next_message(timeout=TIMEOUT)
    assert reply.text == "ok fast"
    assert not held.is_set() and not anna.bot_messages, "Anna's update is still held"
    # Bruno's update is handled, but it comes after Anna's: neither is confirmed yet, however
    # many polls went by since.
    await p.more_polls(2)
    assert p.pending() == ["slow", "fast"]
    held.set()
    assert (await anna.next_message(timeout=TIMEOUT)).text == "ok slow"
    await p.until(lambda: p.pending() == [])  # the next poll confirmed both
    assert p.metrics.updates_handled == 2
    assert p.metrics.handler_errors == 0


async def test_no_update_is_handled_twice_while_the_server_sends_it_again(start: Start) -> None:
    p = await start()
    people = [p.emulator.create_user(name) for name in ("Anna", "Bruno", "Carla")]
    p.script.hold("slow")
    people[0].send_text("slow")
    await p.until(lambda: "slow" in p.script.texts_entered())
    people[1].send_text("one")
    people[2].send_text("two")
    for person in people[1:]:
        await person.next_message(timeout=TIMEOUT)
    await p.more_polls(5)  # each of them brought all three updates back
    p.script.release_all()
    await people[0].next_message(timeout=TIMEOUT)
    await p.until(lambda: p.pending() == [])
    times = Counter(update_id for update_id, _ in p.script.entered)
    assert sorted(p.script.texts_entered()) == ["one", "slow", "two"]
    assert set(times.values()) == {1}


async def test_polling_does_not_spin_while_an_update_is_held(start: Start) -> None:
    p = await start()
    anna = p.emulator.create_user("Anna")
    held = p.script.hold("slow")
    anna.send_text("slow")
    await p.until(lambda: "slow" in p.script.texts_entered())
    before = p.polls()
    await asyncio.sleep(1.0)
    # The server answers every poll at once (Anna's update is unconfirmed), so only the
    # poller's own pacing keeps this low: a slower machine polls less, never more.
    assert p.polls() - before <= 30
    held.set()
    await anna.next_message(timeout=TIMEOUT)


async def test_a_persons_updates_are_handled_in_order(start: Start) -> None:
    p = await start()
    anna = p.emulator.create_user("Anna")
    held = p.script.hold("first")
    anna.send_text("first")
    await p.until(lambda: "first" in p.script.texts_entered())
    anna.send_text("second")
    anna.send_text("third")
    await p.more_polls(2)  # both fetched and waiting for Anna's first
    assert p.script.texts_entered() == ["first"]
    held.set()
    await p.until(lambda: len(p.script.done) == 3)
    assert [text for _, text in p.script.done] == ["first", "second", "third"]
    assert [m.text for m in anna.bot_messages] == ["ok first", "ok second", "ok third"]


async def test_order_holds_when_a_busy_database_makes_an_update_run_again(start: Start) -> None:
    """``bot.feed`` handles an update again after "database is locked", releasing aiogram's
    per-user lock in between: the person's next update must still wait for it."""
    p = await start()
    anna = p.emulator.create_user("Anna")
    held = p.script.hold("answer")
    p.script.busy["answer"] = 1
    anna.send_text("answer")
    await p.until(lambda: "answer" in p.script.texts_entered())
    anna.send_text("next")
    await p.more_polls(2)
    held.set()
    await p.until(lambda: len(p.script.done) == 2)
    assert p.script.texts_entered() == ["answer", "answer", "next"]
    assert [text for _, text in p.script.done] == ["answer", "next"]
    assert p.metrics.busy_retries == 1
    assert p.metrics.handler_errors == 0


async def test_a_failed_update_holds_the_offset_and_is_handled_again(start: Start) -> None:
    p = await start()
    anna = p.emulator.create_user("Anna")
    bruno = p.emulator.create_user("Bruno")
    p.script.failures["flaky"] = 1
    anna.send_text("flaky")
    await p.until(lambda: p.metrics.handler_errors == 1)
    assert "flaky" in p.pending(), "a failed update is not confirmed"
    bruno.send_text("meanwhile")  # other people are not held up by it
    assert (await bruno.next_message(timeout=TIMEOUT)).text == "ok meanwhile"
    assert (await anna.next_message(timeout=TIMEOUT)).text == "ok flaky"
    await p.until(lambda: p.pending() == [])
    assert p.script.texts_entered().count("flaky") == 2
    assert p.script.texts_entered().count("meanwhile") == 1
    assert p.metrics.handler_errors == 1
    assert p.metrics.updates_handled == 2


async def test_stop_lets_the_updates_in_flight_finish_then_confirms(start: Start) -> None:
    p = await start()
    anna = p.emulator.create_user("Anna")
    bruno = p.emulator.create_user("Bruno")
    held = p.script.hold("slow")
    anna.send_text("slow")
    await p.until(lambda: "slow" in p.script.texts_entered())
    p.poller.stop()
    bruno.send_text("late")  # after stop(): left for the next start
    await asyncio.sleep(0.3)
    assert not p.task.done(), "run() waits for the update in flight"
    held.set()
    await asyncio.wait_for(p.task, TIMEOUT)
    assert [m.text for m in anna.bot_messages] == ["ok slow"]
    assert p.pending() == ["late"]  # Anna's confirmed on the way out, Bruno's not fetched
    assert p.script.texts_entered() == ["slow"]


async def test_updates_in_flight_are_bounded(start: Start) -> None:
    p = await start(max_in_flight=3)
    people = [p.emulator.create_user(f"Person{n}") for n in range(5)]
    p.script.hold("slow")
    for person in people:
        person.send_text("slow")
    await p.until(lambda: len(p.script.entered) == 3)
    await p.more_polls(2)
    assert len(p.script.entered) == 3
    p.script.release_all()
    await p.until(lambda: len(p.script.done) == 5)
    await p.until(lambda: p.pending() == [])
    assert len(p.script.entered) == 5


async def test_a_full_page_of_held_updates_waits_for_the_offset(start: Start) -> None:
    """getUpdates returns at most 100 updates from the offset: those behind them wait."""
    p = await start()
    people = [p.emulator.create_user(f"Person{n}") for n in range(PAGE + 20)]
    p.script.hold("slow")
    for person in people:
        person.send_text("slow")
    await p.until(lambda: len(p.script.entered) == PAGE)
    await p.more_polls(2)
    assert len(p.script.entered) == PAGE
    p.script.release_all()
    await p.until(lambda: len(p.script.done) == PAGE + 20)
    await p.until(lambda: p.pending() == [])
    times = Counter(update_id for update_id, _ in p.script.entered)
    assert len(times) == PAGE + 20 and set(times.values()) == {1}


async def test_an_update_that_cannot_be_read_is_skipped_and_polling_goes_on(start: Start) -> None:
    p = await start()
    anna = p.emulator.create_user("Anna")
    # A message without its required fields: aiogram's Update model rejects it.
    p.emulator.world.updates.put("message", {"text": "no chat, no date, no id"})
    anna.send_text("after")
    assert (await anna.next_message(timeout=TIMEOUT)).text == "ok after"
    await p.until(lambda: p.pending() == [])
    assert p.metrics.handler_errors == 1
    assert not p.task.done(), "the poller must keep running"
    assert p.script.texts_entered() == ["after"]
