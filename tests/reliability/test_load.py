"""Load: 200 citizens × 10 answers at once, on SQLite and PostgreSQL; one fast typist's order.

The real bot polls the emulator over HTTP. Pass figures: exactly 2,000 answer rows, each in the
right person's participation for the right question; updates failed 0 (handler errors and the
poller's "failed" log lines); "database is locked" 0 (a write that waited past
``busy_timeout``: SQLite writers of the process queue in ``storage.database.WriteGate`` instead)
and, with it, updates handled again by ``bot/feed.py`` 0. The default run uses 20 citizens;
``-m slow`` runs the full 200.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
import sqlalchemy as sa

from storage.tables import answers
from tests.e2e.citizen_support import RunningBot, has_buttons, join, running_bot, stored_answers
from tests.reliability.support import (
    QUESTIONS,
    SLUG,
    Databases,
    answer_text,
    load_ten_texts,
    take_part,
)


async def _load(rb: RunningBot, citizens: int, caplog: pytest.LogCaptureFixture) -> None:
    people = [rb.citizen(f"L{n}", "it" if n % 2 else "en") for n in range(citizens)]
    with caplog.at_level(logging.DEBUG):
        await asyncio.wait_for(asyncio.gather(*(take_part(p, patience=120) for p in people)), 900)
        for person in people:
            await person.silence(0.02)
    for person in people:
        stored = await stored_answers(rb, person, SLUG)
        assert stored == {f"q{n}": answer_text(person, n) for n in range(1, QUESTIONS + 1)}
    async with rb.storage.engine.connect() as connection:
        total = (
            await connection.execute(sa.select(sa.func.count()).select_from(answers))
        ).scalar_one()
    assert total == citizens * QUESTIONS
    # An update that failed is logged by the poller by exception type only (never its text):
    # none may fail. No write may wait past busy_timeout ("database is locked", each one
    # handled again by bot/feed.py): the process's writers queue in the WriteGate instead.
    failed = [r for r in caplog.records if "failed: OperationalError" in r.getMessage()]
    assert failed == []
    LOCKED.append(sum("database is locked" in r.getMessage().lower() for r in caplog.records))
    BUSY_RETRIES.append(rb.app.metrics.busy_retries)
    assert rb.app.metrics.handler_errors == 0
    assert LOCKED[-1] == 0, f'"database is locked" {LOCKED[-1]} times'
    assert BUSY_RETRIES[-1] == 0, "updates handled again because the database was busy"


BUSY_RETRIES: list[int] = []
LOCKED: list[int] = []


async def test_twenty_citizens_ten_answers_each(
    databases: Databases, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(await databases.new()) as rb:
        await load_ten_texts(rb.storage, databases.folder)
        await _load(rb, 20, caplog)


@pytest.mark.slow
async def test_two_hundred_citizens_ten_answers_each(
    databases: Databases, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    async with running_bot(await databases.new()) as rb:
        await load_ten_texts(rb.storage, databases.folder)
        await _load(rb, 200, caplog)
    with capsys.disabled():
        print(
            f"\n[{databases.dialect}] load: 200 citizens × {QUESTIONS} answers stored; "
            f'"database is locked" {LOCKED[-1]}, each handled again: {BUSY_RETRIES[-1]}'
        )


async def test_five_answers_within_a_hundred_milliseconds_keep_their_order(
    databases: Databases,
) -> None:
    async with running_bot(await databases.new()) as rb:
        await load_ten_texts(rb.storage, databases.folder)
        fast = rb.citizen("Fast", "it")
        await join(fast, SLUG)
        for n in range(1, 6):  # sent back to back: well within 100 ms
            fast.user.send_text(answer_text(fast, n))
        for _ in range(5):
            await fast.read_until(has_buttons)
        stored = await stored_answers(rb, fast, SLUG)
        assert stored == {f"q{n}": answer_text(fast, n) for n in range(1, 6)}
        assert rb.app.metrics.handler_errors == 0
