"""Flood: one person sends 100 messages in 10 s while 20 others answer.

The per-person token bucket (``bot/middlewares/flood.py``) drops what the flooder sends beyond a
human pace before it reaches the database. Pass figures: the flooder gets at most one warning
per window, no more answers than the survey has questions; the others' 200 answers all stored;
handler errors 0. The limiter's arithmetic is also checked on its own with a fake clock.
"""

from __future__ import annotations

import asyncio
import math

import sqlalchemy as sa

from bot.middlewares.flood import FloodLimiter, FloodLimits
from dialogs.i18n import translate
from storage.tables import answers
from tests.e2e.citizen_support import join, running_bot, stored_answers
from tests.reliability.support import (
    QUESTIONS,
    SLUG,
    Databases,
    answer_text,
    load_ten_texts,
    take_part,
)

FLOOD_MESSAGES = 100
FLOOD_SECONDS = 10.0
OTHERS = 20


async def test_a_flooder_is_slowed_down_and_the_others_lose_nothing(
    databases: Databases,
) -> None:
    async with running_bot(await databases.new()) as rb:
        await load_ten_texts(rb.storage, databases.folder)
        flooder = rb.citizen("Flooder", "it")
        await join(flooder, SLUG)
        others = [rb.citizen(f"O{n}", "en" if n % 2 else "it") for n in range(OTHERS)]

        async def flood() -> None:
            for n in range(FLOOD_MESSAGES):
                flooder.user.send_text(f"spam {n}")
                await asyncio.sleep(FLOOD_SECONDS / FLOOD_MESSAGES)

        await asyncio.wait_for(
            asyncio.gather(flood(), *(take_part(person) for person in others)), 300
        )
        await asyncio.sleep(1.0)  # let the last of the flood be handled

        limiter = rb.app.dispatcher["flood_limiter"]
        assert isinstance(limiter, FloodLimiter)
        warning = translate("it", "flood-warning")
        warnings = [m for m in flooder.user.bot_messages if m.text == warning]
        windows = math.ceil(FLOOD_SECONDS / limiter.limits.warn_every)
        assert 1 <= len(warnings) <= windows
        assert limiter.dropped > 0
        flooded = await stored_answers(rb, flooder, SLUG)
        assert len(flooded) <= QUESTIONS
        for person in others:
            stored = await stored_answers(rb, person, SLUG)
            assert stored == {f"q{n}": answer_text(person, n) for n in range(1, QUESTIONS + 1)}
            assert translate("it", "flood-warning") not in [
                m.text for m in person.user.bot_messages
            ]
            assert translate("en", "flood-warning") not in [
                m.text for m in person.user.bot_messages
            ]
        async with rb.storage.engine.connect() as connection:
            total = (
                await connection.execute(sa.select(sa.func.count()).select_from(answers))
            ).scalar_one()
        assert total == OTHERS * QUESTIONS + len(flooded)
        assert rb.app.metrics.handler_errors == 0


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_allows_a_burst_then_one_per_second_and_warns_once_per_window() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(FloodLimits(burst=5, per_second=1.0, warn_every=30.0), clock)
    results = [limiter.take(7, update_id) for update_id in range(8)]
    assert results == [(True, False)] * 5 + [(False, True), (False, False), (False, False)]
    clock.now = 2.0  # two tokens back
    assert [limiter.take(7, 100 + n)[0] for n in range(3)] == [True, True, False]
    clock.now = 29.0  # refilled, but still inside the first warning's window
    assert [limiter.take(7, 300 + n) for n in range(6)][-1] == (False, False)
    assert limiter.take(8, 1) == (True, False), "every person has their own bucket"


def test_a_redelivered_update_passes_free_and_a_new_window_warns_again() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(FloodLimits(burst=2, per_second=0.01, warn_every=30.0), clock)
    assert limiter.take(1, 10) == (True, False)
    assert limiter.take(1, 11) == (True, False)
    assert limiter.take(1, 10) == (True, False), "a copy of a handled update is not charged"
    assert limiter.take(1, 12) == (False, True)
    clock.now = 31.0
    assert limiter.take(1, 13) == (False, True)
    assert limiter.take(1, 14) == (False, False)


def test_idle_buckets_are_forgotten_when_there_are_too_many() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(FloodLimits(burst=3, per_second=1.0, max_people=10), clock)
    for person in range(10):
        limiter.take(person, 1)
    clock.now = 100.0  # all refilled
    limiter.take(99, 1)
    assert len(limiter._buckets) == 1
