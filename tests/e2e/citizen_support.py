"""Support for the citizen end-to-end tests: the real bot on the emulator, and a citizen.

``running_bot`` assembles the application exactly as ``ascolto run`` does (``bot.app``), with
a clock the test can move, on any database URL, with the example consultations loaded and
open, long-polling the emulator over HTTP. ``Citizen`` wraps a simulated Telegram user with
the waits a person does: read the next message, tap a button and wait for the answer.
"""

# Waiting helpers take a timeout on purpose, like the sandbox users they wrap.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from bot.app import Application, build_bot, build_dispatcher
from bot.metrics import Metrics
from bot.runner import run_polling
from bot.sandbox import BotApiEmulator, ChatMessage, SimulatedUser
from bot.sandbox_mode import load_examples
from storage.schema import upgrade_schema
from storage.store import Storage
from surveys.clock import FixedClock

PEPPER = b"citizen-test-pepper-0123456789abcdef"
TIMEOUT = 15.0


class MovableClock(FixedClock):
    """Real time unless a test moves it: ``shift`` adds an offset to the wall clock."""

    def __init__(self) -> None:
        super().__init__(datetime.now(UTC))
        self.offset = datetime.now(UTC) - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class RunningBot:
    app: Application
    emulator: BotApiEmulator
    storage: Storage
    clock: MovableClock
    stop: asyncio.Event
    task: asyncio.Task[None]

    def citizen(self, name: str, language: str = "it") -> Citizen:
        return Citizen(self.emulator.create_user(name, language_code=language), self.emulator)

    def again(self, citizen: Citizen) -> Citizen:
        """The same person, seen by this (restarted) bot."""
        return Citizen(self.emulator.user(citizen.user.id), self.emulator)

    def lift_flood_limit(self) -> None:
        """For tests that act far faster than a person on purpose (forged taps, scripted staff
        flows): the flood limiter (bot/middlewares/flood.py, tested in tests/reliability/)
        would drop their updates. Raising it keeps them about what they test."""
        limiter = self.app.dispatcher.get("flood_limiter")
        if limiter is not None:
            limiter.limits = replace(limiter.limits, burst=10_000.0, per_second=10_000.0)

    async def rows(self, table: sa.Table) -> list[Any]:
        async with self.storage.engine.connect() as connection:
            return list((await connection.execute(table.select())).mappings())


@contextlib.asynccontextmanager
async def running_bot(
    database_url: str, emulator: BotApiEmulator | None = None
) -> AsyncIterator[RunningBot]:
    """The bot polling ``emulator`` (a fresh one unless given: pass one to restart a bot)."""
    own_emulator = emulator is None
    if emulator is None:
        emulator = BotApiEmulator("127.0.0.1", port=0)
        await emulator.start()
    await upgrade_schema(database_url)
    storage = Storage.open(database_url)
    metrics = Metrics()
    clock = MovableClock()
    bot = build_bot(emulator.token, emulator.url, metrics)
    dispatcher = build_dispatcher(storage, metrics, pepper=PEPPER, clock=clock)
    app = Application(bot=bot, dispatcher=dispatcher, storage=storage, metrics=metrics)
    await load_examples(storage)
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(app, stop))
    try:
        yield RunningBot(app, emulator, storage, clock, stop, task)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await dispatcher.emit_shutdown(bot=bot)
        await bot.session.close()
        await storage.close()
        if own_emulator:
            await emulator.stop()


class Citizen:
    """A simulated person; ``latencies`` are seconds from each action to the bot's next reply."""

    def __init__(self, user: SimulatedUser, emulator: BotApiEmulator) -> None:
        self.user = user
        self.emulator = emulator
        self.latencies: list[float] = []
        self._acted_at: float | None = None

    def _act(self) -> None:
        self._acted_at = time.perf_counter()

    async def read(self, timeout: float = TIMEOUT) -> ChatMessage:
        message = await self.user.next_message(timeout=timeout)
        if self._acted_at is not None:
            self.latencies.append(time.perf_counter() - self._acted_at)
            self._acted_at = None
        return message

    def send(self, text: str) -> None:
        self._act()
        self.user.send_text(text)

    def press(self, text: str) -> None:
        self._act()
        self.user.press(text)

    async def read_until(self, predicate: Any, timeout: float = TIMEOUT) -> ChatMessage:
        """Skip messages until one satisfies ``predicate`` (e.g. has buttons)."""
        while True:
            message = await self.read(timeout)
            if predicate(message):
                return message

    async def say(self, text: str) -> ChatMessage:
        self.send(text)
        return await self.read()

    async def tap(
        self,
        message: ChatMessage,
        *,
        data: str | None = None,
        text: str | None = None,
        check: bool = True,
    ) -> dict[str, Any]:
        """Tap a button and wait until the bot answered the callback query."""
        self._act()
        query_id = self.user.tap(message, data, text=text, check=check)
        return await self.user.callback_answer(query_id, timeout=TIMEOUT)

    async def silence(self, seconds: float = 0.8) -> None:
        """Assert that the bot sends nothing more for ``seconds``."""
        try:
            extra = await self.read(seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected message: {extra.text!r}")

    def document_json(self, message: ChatMessage) -> Any:
        document = message.data["document"]
        return json.loads(self.emulator.file_bytes(document["file_id"]).decode("utf-8"))


def button(message: ChatMessage, prefix: str) -> dict[str, Any]:
    """The first inline button whose callback data starts with ``prefix``."""
    for candidate in message.buttons:
        if str(candidate.get("callback_data", "")).startswith(prefix):
            return candidate
    raise AssertionError(
        f"no {prefix!r} button in {[b.get('callback_data') for b in message.buttons]}"
    )


def button_texts(message: ChatMessage) -> list[str]:
    return [str(b["text"]) for b in message.buttons]


def has_buttons(message: ChatMessage) -> bool:
    return bool(message.buttons)


# --- answering any question the way a person would ---------------------------------------------

TYPED_ANSWERS = {
    "it": "Un centro di quartiere aperto anche la sera, con volontari e operatori.",
    "en": "A neighbourhood centre open in the evening too, with volunteers and staff.",
}


def latest(citizen: Citizen, message: ChatMessage) -> ChatMessage:
    """The message as it is now (after the bot edited its keyboard)."""
    return citizen.user.chat.messages[message.message_id]


async def answer_question(citizen: Citizen, question: ChatMessage, language: str) -> list[str]:
    """Answer the question shown in ``question`` with the first option, a typical number or
    text, or a location pin; returns the callback data / texts sent (for the record)."""
    from dialogs.i18n import translate

    datas = [str(b.get("callback_data", "")) for b in question.buttons]
    sent: list[str] = []
    if any(d.startswith("t:") for d in datas):
        toggle = next(d for d in datas if d.startswith("t:"))
        await citizen.tap(question, data=toggle)
        done = button(latest(citizen, question), "d:")["callback_data"]
        await citizen.tap(question, data=done)
        return [toggle, done]
    if any(d.startswith("r:") for d in datas):
        current = question
        while True:
            unranked = [  # ranked options stay on the keyboard, numbered "1. …"
                str(b["callback_data"])
                for b in current.buttons
                if str(b["callback_data"]).startswith("r:") and not str(b["text"])[0].isdigit()
            ]
            pick = unranked[0] if unranked else None
            if pick is None:
                return sent
            answer = await citizen.tap(current, data=pick)
            sent.append(pick)
            if answer.get("text"):  # recorded: the next screen follows
                return sent
            current = latest(citizen, question)
    if any(d.startswith("a:") for d in datas):
        choice = next(d for d in datas if d.startswith("a:"))
        await citizen.tap(question, data=choice)
        return [choice]
    text = question.text or ""
    if translate(language, "hint-location-pin") in text:
        prompt = await citizen.read()
        assert prompt.reply_keyboard is not None, "a pin question offers the location button"
        citizen.press(translate(language, "button-send-location"))
        received = await citizen.read()
        assert received.text == translate(language, "location-received")
        return ["pin"]
    reply = "12" if translate(language, "hint-number") in text else TYPED_ANSWERS[language]
    citizen.send(reply)
    return [reply]


async def complete(citizen: Citizen, first: ChatMessage, language: str) -> ChatMessage:
    """Answer every question from ``first`` on; returns the summary message."""
    message = first
    for _ in range(40):
        if any(str(b.get("callback_data", "")).startswith("f:") for b in message.buttons):
            return message
        await answer_question(citizen, message, language)
        message = await citizen.read_until(has_buttons)
    raise AssertionError("the survey did not reach its summary in 40 steps")


async def join(citizen: Citizen, slug: str) -> ChatMessage:
    """Deep link into ``slug``, agree, and return the first question."""
    citizen.send(f"/start {slug}")
    consent = await citizen.read_until(has_buttons)
    await citizen.tap(consent, data=button(consent, "ok:")["callback_data"])
    given = await citizen.read()
    assert button(given, "wd:")
    return await citizen.read_until(has_buttons)


# --- what the database holds about a citizen --------------------------------------------------


async def stored_answers(rb: RunningBot, citizen: Citizen, slug: str) -> dict[str, Any]:
    """The answers stored for this citizen in ``slug``, by question key ({} if none)."""
    from storage.tables import answers, consultations, participants, participations
    from surveys.pseudonyms import pseudonym

    query = (
        sa.select(answers.c.question_key, answers.c.value)
        .join(participations, participations.c.id == answers.c.participation_id)
        .join(participants, participants.c.id == participations.c.participant_id)
        .join(consultations, consultations.c.id == participations.c.consultation_id)
        .where(
            participants.c.pseudonym == pseudonym(PEPPER, citizen.user.id),
            consultations.c.slug == slug,
        )
    )
    async with rb.storage.engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    result = {row.question_key: row.value for row in rows}
    assert len(result) == len(rows), "one answer per question"
    return result


async def participation_status(rb: RunningBot, citizen: Citizen, slug: str) -> str | None:
    from storage.tables import consultations, participants, participations
    from surveys.pseudonyms import pseudonym

    query = (
        sa.select(participations.c.status)
        .join(participants, participants.c.id == participations.c.participant_id)
        .join(consultations, consultations.c.id == participations.c.consultation_id)
        .where(
            participants.c.pseudonym == pseudonym(PEPPER, citizen.user.id),
            consultations.c.slug == slug,
        )
    )
    async with rb.storage.engine.connect() as connection:
        return (await connection.execute(query)).scalar_one_or_none()


async def has_participant(rb: RunningBot, citizen: Citizen) -> bool:
    from storage.tables import participants
    from surveys.pseudonyms import pseudonym

    query = sa.select(sa.func.count()).where(
        participants.c.pseudonym == pseudonym(PEPPER, citizen.user.id)
    )
    async with rb.storage.engine.connect() as connection:
        return bool((await connection.execute(query)).scalar_one())
