"""Close-time race: answers and joins arriving around the closing time.

A consultation refuses new participants from ``closes_at`` on, and answers of a participation
already under way from ``closes_at + closing_grace_minutes`` on (``surveys/usecases/rules.py``),
judged by the bot's clock when the update is handled. Each citizen sends at a random moment
within a second of the deadline; the test notes when it sent (``s``) and when the reply came
(``r``), on the bot's own clock. Then:

- accepted after close = accepted though sent at or after the deadline (``s >= deadline``): 0;
- lost before close = refused though the refusal came before the deadline (``r < deadline``): 0;
- sent before and handled after the deadline is legitimately either: counted and reported;
- every accepted answer is stored, every refused one is not (nothing silently lost).

The scheduler's closing (status to ``closed``) is run at a random moment of the same window.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from storage.tables import consultations
from surveys.usecases import close_consultation
from tests.e2e.citizen_support import (
    Citizen,
    RunningBot,
    has_buttons,
    join,
    running_bot,
    stored_answers,
)
from tests.reliability.support import GRACE_MINUTES, Databases, answer_text, load_ten_texts

WINDOW = 1.0  # seconds either side of the deadline


@dataclass
class Attempt:
    sent: datetime
    replied: datetime
    accepted: bool


async def _set_closing(rb: RunningBot, slug: str, closes_at: datetime) -> None:
    async with rb.storage.engine.begin() as connection:
        await connection.execute(
            consultations.update().where(consultations.c.slug == slug).values(closes_at=closes_at)
        )


async def _at(rb: RunningBot, moment: datetime) -> None:
    await asyncio.sleep(max(0.0, (moment - rb.clock.now()).total_seconds()))


async def _attempt(rb: RunningBot, citizen: Citizen, moment: datetime, text: str) -> Attempt:
    await _at(rb, moment)
    sent = rb.clock.now()
    citizen.send(text)
    reply = await citizen.read()
    replied = rb.clock.now()
    if not has_buttons(reply):
        return Attempt(sent, replied, accepted=False)
    return Attempt(sent, replied, accepted=True)


def _judge(attempts: list[Attempt], deadline: datetime) -> tuple[int, int, int]:
    after = sum(1 for a in attempts if a.accepted and a.sent >= deadline)
    lost = sum(1 for a in attempts if not a.accepted and a.replied < deadline)
    ambiguous = sum(1 for a in attempts if a.sent < deadline <= a.replied)
    return after, lost, ambiguous


async def _closer(rb: RunningBot, slug: str, deadline: datetime, rng: random.Random) -> None:
    await _at(rb, deadline + timedelta(seconds=rng.uniform(-WINDOW, WINDOW)))
    await close_consultation(rb.storage.uow, rb.clock, slug)


async def _answers_within_the_grace(
    rb: RunningBot, folder: Path, people: int, rng: random.Random
) -> None:
    slug = await load_ten_texts(rb.storage, folder, "racegrace")
    citizens = [rb.citizen(f"G{n}", "it" if n % 2 else "en") for n in range(people)]
    slots = asyncio.Semaphore(20)

    async def enter(citizen: Citizen) -> None:
        async with slots:
            await join(citizen, slug)

    await asyncio.gather(*(enter(c) for c in citizens))
    deadline = rb.clock.now() + timedelta(seconds=WINDOW + 1.0)
    # Closed a minute ago: only the grace period keeps these participations open.
    await _set_closing(rb, slug, deadline - timedelta(minutes=GRACE_MINUTES))
    moments = [deadline + timedelta(seconds=rng.uniform(-WINDOW, WINDOW)) for _ in citizens]
    closer = asyncio.create_task(_closer(rb, slug, deadline, rng))
    attempts = await asyncio.gather(
        *(_attempt(rb, c, m, answer_text(c, 1)) for c, m in zip(citizens, moments, strict=True))
    )
    await closer
    for citizen, attempt in zip(citizens, attempts, strict=True):
        stored = await stored_answers(rb, citizen, slug)
        assert stored == ({"q1": answer_text(citizen, 1)} if attempt.accepted else {})
    after, lost, ambiguous = _judge(attempts, deadline)
    _report("answers in the grace period", attempts, ambiguous)
    assert (after, lost) == (0, 0)


async def _joins_at_closing(rb: RunningBot, folder: Path, people: int, rng: random.Random) -> None:
    slug = await load_ten_texts(rb.storage, folder, "racejoin")
    citizens = [rb.citizen(f"J{n}", "it" if n % 2 else "en") for n in range(people)]
    deadline = rb.clock.now() + timedelta(seconds=WINDOW + 1.0)
    await _set_closing(rb, slug, deadline)
    moments = [deadline + timedelta(seconds=rng.uniform(-WINDOW, WINDOW)) for _ in citizens]
    attempts = await asyncio.gather(
        *(_attempt(rb, c, m, f"/start {slug}") for c, m in zip(citizens, moments, strict=True))
    )
    after, lost, ambiguous = _judge(attempts, deadline)
    _report("new participants at closing time", attempts, ambiguous)
    assert (after, lost) == (0, 0)


REPORTS: list[str] = []


def _report(what: str, attempts: list[Attempt], ambiguous: int) -> None:
    accepted = sum(a.accepted for a in attempts)
    REPORTS.append(
        f"{what}: {len(attempts)} sent, {accepted} accepted, {len(attempts) - accepted} "
        f"refused, {ambiguous} sent before and answered after the deadline"
    )


async def _race(databases: Databases, people: int, seed: int) -> None:
    rng = random.Random(seed)
    async with running_bot(await databases.new()) as rb:
        await _answers_within_the_grace(rb, databases.folder, people, rng)
        await _joins_at_closing(rb, databases.folder, people, rng)
        assert rb.app.metrics.handler_errors == 0


async def test_forty_answers_and_forty_joins_around_the_closing_time(
    databases: Databases,
) -> None:
    await _race(databases, 40, seed=7)


@pytest.mark.slow
async def test_a_hundred_answers_and_a_hundred_joins_around_the_closing_time(
    databases: Databases, capsys: pytest.CaptureFixture[str]
) -> None:
    REPORTS.clear()
    await _race(databases, 100, seed=11)
    with capsys.disabled():
        print(f"\n[{databases.dialect}] " + f"\n[{databases.dialect}] ".join(REPORTS))
