"""Database faults: another process holds SQLite's write lock for 2 s, then for 15 s.

WAL lets readers through, but a writer waits up to ``busy_timeout``; past that the transaction
fails with "database is locked", the poller does not confirm the update and fetches it again
after a backoff (``bot/polling.py``). The bot's own writers queue in ``storage.database.WriteGate``,
so one of them at a time meets the held lock. Ten citizens each send an answer while it is held.
Pass figures: answers lost 0, duplicated 0, the bot's polling task still running, and every
citizen answered within 5 s of the lock's release.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from storage.database import SQLITE_BUSY_TIMEOUT_MS
from tests.e2e.citizen_support import has_buttons, join, running_bot, stored_answers
from tests.reliability.support import SLUG, answer_text, load_ten_texts

CITIZENS = 10
RESUME_WITHIN = 5.0


def _hold_write_lock(path: Path, seconds: float, taken: threading.Event) -> None:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")  # the write lock, as a long transaction holds it
        taken.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
    finally:
        connection.close()


@pytest.mark.parametrize("held", [2.0, pytest.param(15.0, marks=pytest.mark.slow)])
async def test_a_held_write_lock_loses_nothing(tmp_path: Path, held: float) -> None:
    path = tmp_path / "locked.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as rb:
        await load_ten_texts(rb.storage, tmp_path)
        people = [rb.citizen(f"W{n}", "it") for n in range(CITIZENS)]
        for person in people:
            await join(person, SLUG)
        taken = threading.Event()
        holder = asyncio.create_task(asyncio.to_thread(_hold_write_lock, path, held, taken))
        await asyncio.to_thread(taken.wait, 10)
        for person in people:
            person.send(answer_text(person, 1))
        await holder  # released now
        replies = await asyncio.gather(
            *(p.read_until(has_buttons, timeout=RESUME_WITHIN) for p in people)
        )
        assert all("2/10" in (reply.text or "") for reply in replies)
        for person in people:
            assert await stored_answers(rb, person, SLUG) == {"q1": answer_text(person, 1)}
            await person.silence(0.3)
        assert not rb.task.done(), "the bot survived"
        if held * 1000 > SQLITE_BUSY_TIMEOUT_MS:
            # Each attempt waited busy_timeout; the update was handled again (bot/feed.py).
            assert rb.app.metrics.busy_retries > 0, "the lock outlasted busy_timeout"
        assert rb.app.metrics.handler_errors == 0
