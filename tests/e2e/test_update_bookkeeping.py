"""What ``processed_updates`` costs an update, and that the savings keep its guarantees.

``bot/middlewares/unit_of_work.py``: a polling bot does not look up an update id above every id
recorded or seen (it cannot be there yet), and writes the ``replied`` marks of many updates in
one statement shortly after their replies went out. The guarantees stay: a redelivery is
looked up and stays silent, even while its mark is not written yet; marks are written, at the
latest when the dispatcher shuts down; a redelivery whose reply was lost still shows the screen
again (``tests/reliability/test_lost_reply.py``). Both databases, the real bot on the emulator.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiogram.types import Update
from sqlalchemy.ext.asyncio import create_async_engine

from bot.middlewares.unit_of_work import UnitOfWorkMiddleware
from tests.e2e.citizen_support import Citizen, RunningBot, has_buttons, join, running_bot
from tests.reliability.support import SLUG, answer_text, load_ten_texts


def _unit_of_work(rb: RunningBot) -> UnitOfWorkMiddleware:
    return next(
        m for m in rb.app.dispatcher.update.outer_middleware if isinstance(m, UnitOfWorkMiddleware)
    )


class Statements:
    """The statements on ``processed_updates`` the bot's engine runs, by kind."""

    def __init__(self, rb: RunningBot) -> None:
        self.seen: list[str] = []

        def record(_c: Any, _cu: Any, statement: str, *_args: Any) -> None:
            if "processed_updates" in statement:
                self.seen.append(statement.split()[0].upper())

        sa.event.listen(rb.storage.engine.sync_engine, "before_cursor_execute", record)

    def count(self, kind: str) -> int:
        return self.seen.count(kind)


def _recording_updates(rb: RunningBot) -> list[dict[str, Any]]:
    """Every update the emulator queues for the bot from now on, as sent."""
    queue = rb.emulator.world.updates
    recorded: list[dict[str, Any]] = []
    put = queue.put

    def recording_put(kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        update = put(kind, payload)
        if update is not None:
            recorded.append(update)
        return update

    queue.put = recording_put  # type: ignore[method-assign]
    return recorded


async def _replied(url: str, update_ids: list[int]) -> dict[int, bool]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.text("SELECT update_id, replied FROM processed_updates")
            )
            flags = {row.update_id: bool(row.replied) for row in rows}
    finally:
        await engine.dispose()
    return {update_id: flags[update_id] for update_id in update_ids if update_id in flags}


async def _marks_written(unit_of_work: UnitOfWorkMiddleware) -> None:
    """Let the marks queued so far be written (their timer runs ``delay`` after the first)."""
    await asyncio.sleep(3 * unit_of_work.replied.delay)
    await unit_of_work.replied.flush()


async def _answer(citizen: Citizen, n: int) -> None:
    citizen.send(answer_text(citizen, n))
    await citizen.read_until(has_buttons)


async def test_new_updates_are_not_looked_up_and_marks_are_written_in_batches(
    database_url: str, tmp_path: Path
) -> None:
    async with running_bot(database_url) as rb:
        await load_ten_texts(rb.storage, tmp_path)
        unit_of_work = _unit_of_work(rb)
        citizens = [rb.citizen(f"Batch{i}", "it") for i in range(6)]
        await asyncio.gather(*(join(c, SLUG) for c in citizens))
        await _marks_written(unit_of_work)
        recorded = _recording_updates(rb)
        statements = Statements(rb)
        unit_of_work.replied.delay = 3.0  # every answer below finishes within it

        await asyncio.gather(*(_answer(c, 1) for c in citizens))
        assert statements.count("SELECT") == 0, "a new update was looked up"
        assert statements.count("INSERT") == len(citizens)  # each claimed with its answer
        async with asyncio.timeout(10):
            while not statements.count("UPDATE"):  # noqa: ASYNC110 (the timer's write)
                await asyncio.sleep(0.05)

        assert statements.seen.count("UPDATE") == 1, statements.seen
        ids = [u["update_id"] for u in recorded]
        assert await _replied(database_url, ids) == dict.fromkeys(ids, True)


async def test_a_redelivery_is_silent_before_and_after_its_mark_is_written(
    database_url: str, tmp_path: Path
) -> None:
    async with running_bot(database_url) as rb:
        await load_ten_texts(rb.storage, tmp_path)
        unit_of_work = _unit_of_work(rb)
        citizen = rb.citizen("Again", "it")
        await join(citizen, SLUG)
        await _marks_written(unit_of_work)
        recorded = _recording_updates(rb)
        unit_of_work.replied.delay = 60.0  # not written until flushed below
        await _answer(citizen, 1)
        (update,) = recorded
        redelivered = Update.model_validate(update, context={"bot": rb.app.bot})
        duplicates = rb.app.metrics.duplicates
        statements = Statements(rb)

        # Its mark only queued: known from memory, not looked up.
        await rb.app.dispatcher.feed_update(rb.app.bot, redelivered)
        assert rb.app.metrics.duplicates == duplicates + 1
        assert statements.count("SELECT") == 0
        assert await _replied(database_url, [update["update_id"]]) == {update["update_id"]: False}

        await unit_of_work.replied.flush()
        assert await _replied(database_url, [update["update_id"]]) == {update["update_id"]: True}
        # Written: the id is no new one to this process, so it is looked up, and is a duplicate.
        await rb.app.dispatcher.feed_update(rb.app.bot, redelivered)
        assert rb.app.metrics.duplicates == duplicates + 2
        assert statements.count("SELECT") == 1
        await citizen.silence(1.0)
        answers = await _stored_count(rb)
        assert answers == 1, "the answer was stored again"


async def test_marks_still_queued_are_written_when_the_bot_stops(
    database_url: str, tmp_path: Path
) -> None:
    async with running_bot(database_url) as rb:
        await load_ten_texts(rb.storage, tmp_path)
        citizen = rb.citizen("Stop", "it")
        await join(citizen, SLUG)
        await _marks_written(_unit_of_work(rb))
        recorded = _recording_updates(rb)
        _unit_of_work(rb).replied.delay = 60.0
        for n in (1, 2, 3):
            await _answer(citizen, n)
        await asyncio.sleep(0.5)
        ids = [u["update_id"] for u in recorded]
        assert await _replied(database_url, ids) == dict.fromkeys(ids, False)
    assert await _replied(database_url, ids) == dict.fromkeys(ids, True)


async def _stored_count(rb: RunningBot) -> int:
    async with rb.storage.engine.connect() as connection:
        return int((await connection.execute(sa.text("SELECT count(*) FROM answers"))).scalar_one())
