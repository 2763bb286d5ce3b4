"""Crash mid-survey: the real ``ascolto run`` process SIGKILLed at random moments, restarted.

Citizens answer the ten-question survey against the emulator while the bot process is killed
(``SIGKILL``: no cleanup, whatever it was doing — inside a transaction, between a commit and its
reply, between two Bot API calls) and started again. A citizen who gets no reply within a few
seconds does what a person does: sends ``/start <slug>`` and carries on from the question shown.
Pass figures: answers lost 0 and duplicated 0 (each citizen ends with exactly its ten texts,
each under its own question), and resumed at the wrong question 0 (whenever a citizen is shown
question k, exactly k - 1 answers are stored). The default run kills twice with 10 citizens;
``-m slow`` kills 5 times with 50 citizens.
"""

from __future__ import annotations

import asyncio
import random
import re
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.sandbox import BotApiEmulator, ChatMessage
from storage.tables import answers, participants, participations
from surveys.pseudonyms import pseudonym
from tests.e2e.citizen_support import Citizen, button, has_buttons
from tests.e2e.test_process import ROOT, _env, _start_bot
from tests.reliability.support import QUESTIONS, SLUG, answer_text, ten_texts_yaml

PEPPER = "a-long-random-pepper-for-the-process-test"  # what tests.e2e.test_process._env sets
NUMBER = re.compile(r"· (\d+)/\d+")
PATIENCE = 10.0  # seconds a citizen waits for a reply before sending /start again


@dataclass
class Tally:
    wrong_question: int = 0
    resumes: int = 0
    kills: int = 0
    notes: list[str] = field(default_factory=list)


def _number(message: ChatMessage) -> int | None:
    """The question number shown, QUESTIONS + 1 for the summary, None for anything else."""
    if any(str(b.get("callback_data", "")).startswith("f:") for b in message.buttons):
        return QUESTIONS + 1
    found = NUMBER.search(message.text or "")
    return int(found.group(1)) if found and message.buttons else None


async def _stored(engine: AsyncEngine, citizen: Citizen) -> dict[str, str]:
    query = (
        sa.select(answers.c.question_key, answers.c.value)
        .join(participations, participations.c.id == answers.c.participation_id)
        .join(participants, participants.c.id == participations.c.participant_id)
        .where(participants.c.pseudonym == pseudonym(PEPPER.encode(), citizen.user.id))
    )
    async with engine.connect() as connection:
        return {row.question_key: row.value for row in await connection.execute(query)}


async def _next_question(citizen: Citizen, after: int, tally: Tally) -> ChatMessage:
    """The first question numbered above ``after``; on silence, /start again (a resume).

    An answer sent is never sent again: the emulator keeps it until a bot process handles it,
    so the only thing a kill can lose is the reply, and a resume shows the question again.
    """
    while True:
        try:
            while True:
                message = await citizen.read(PATIENCE)
                number = _number(message)
                if number is not None and number > after:
                    return message
        except TimeoutError:
            tally.resumes += 1
            citizen.send(f"/start {SLUG}")


async def _take_part(citizen: Citizen, engine: AsyncEngine, tally: Tally) -> None:
    citizen.send(f"/start {SLUG}")
    consent = await citizen.read_until(has_buttons, timeout=60)
    # Not waiting for the tap's answer: a kill between commit and reply loses it for good.
    citizen.user.tap(consent, button(consent, "ok:")["callback_data"])
    question = await _next_question(citizen, 0, tally)
    while True:
        number = _number(question)
        assert number is not None
        stored = await _stored(engine, citizen)
        if len(stored) != number - 1:
            tally.wrong_question += 1
            tally.notes.append(f"{citizen.user.id}: shown {number} with {len(stored)} stored")
        if number > QUESTIONS:
            return
        citizen.send(answer_text(citizen, number))
        question = await _next_question(citizen, number, tally)


async def _load(env: dict[str, str], folder: Path) -> None:
    path = folder / f"{SLUG}.yaml"
    path.write_text(yaml.safe_dump(ten_texts_yaml(), allow_unicode=True), encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "consultations", "load", str(path), "--open",
        env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await process.communicate()
    assert process.returncode == 0, err.decode()


async def _crash_run(tmp_path: Path, citizens: int, kills: int, seed: int) -> Tally:
    rng = random.Random(seed)
    database = tmp_path / "crash.db"
    tally = Tally()
    async with BotApiEmulator("127.0.0.1", port=0) as emulator:
        env = _env(emulator, database)
        await _load(env, tmp_path)
        engine = create_async_engine(f"sqlite+aiosqlite:///{database}")
        bot = await _start_bot(env)
        people = [
            Citizen(emulator.create_user(f"K{n}", language_code="it" if n % 2 else "en"), emulator)
            for n in range(citizens)
        ]
        done = asyncio.Event()

        async def chaos() -> None:
            nonlocal bot
            for _ in range(kills):
                # Kill while the process is busy answering: wait until it has sent a few
                # messages since it started, then a random fraction of a second more.
                sent = emulator.counters.messages_sent
                while emulator.counters.messages_sent < sent + 5 and not done.is_set():  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                await asyncio.sleep(rng.uniform(0.0, 0.5))
                if done.is_set():
                    break
                bot.send_signal(signal.SIGKILL)
                await bot.wait()
                tally.kills += 1
                bot = await _start_bot(env)

        killer = asyncio.create_task(chaos())
        try:
            await asyncio.wait_for(
                asyncio.gather(*(_take_part(p, engine, tally) for p in people)), 600
            )
            done.set()
            await killer
            for person in people:
                stored = await _stored(engine, person)
                expected = {f"q{n}": answer_text(person, n) for n in range(1, QUESTIONS + 1)}
                assert stored == expected, "an answer lost, duplicated or misplaced"
        finally:
            killer.cancel()
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.communicate(), 30)
            await engine.dispose()
    assert tally.wrong_question == 0, tally.notes
    assert tally.kills == kills
    return tally


async def test_two_kills_with_ten_citizens(tmp_path: Path) -> None:
    await _crash_run(tmp_path, citizens=10, kills=2, seed=3)


@pytest.mark.slow
async def test_five_kills_with_fifty_citizens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tally = await _crash_run(tmp_path, citizens=50, kills=5, seed=5)
    with capsys.disabled():
        print(
            f"\ncrash mid-survey: 50 citizens × {QUESTIONS} answers, {tally.kills} SIGKILLs, "
            f"{tally.resumes} resumes by /start, wrong question {tally.wrong_question}"
        )
