"""Graceful shutdown: SIGTERM to ``ascolto run`` with 20 answers in flight.

Twenty citizens in the middle of the ten-question survey each send an answer; the real bot
process gets SIGTERM as soon as the first reply is out, so most of the batch is being handled.
Pass figures: the process exits with status 0 within 10 s (a correctness bound: a hung
shutdown is a bug, and systemd's default stop timeout is 90 s), and after a restart every
answer is stored exactly once and every citizen got exactly one next question. The
reply-only version of this scenario is ``tests/e2e/test_process.py``.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.sandbox import BotApiEmulator
from tests.e2e.citizen_support import Citizen, has_buttons, join
from tests.e2e.test_process import _env, _start_bot
from tests.reliability.support import SLUG, answer_text
from tests.reliability.test_crash import _load, _stored

IN_FLIGHT = 20
EXIT_WITHIN = 10.0


async def test_sigterm_with_twenty_answers_in_flight_loses_none(tmp_path: Path) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    database = tmp_path / "shutdown.db"
    async with BotApiEmulator("127.0.0.1", port=0) as emulator:
        env = _env(emulator, database)
        await _load(env, tmp_path)
        bot = await _start_bot(env)
        people = [
            Citizen(emulator.create_user(f"S{n}", language_code="it"), emulator)
            for n in range(IN_FLIGHT)
        ]
        try:
            warm = emulator.create_user("Warm", language_code="it")
            warm.send_text("/help")
            await warm.next_message(timeout=60)  # the process is up and polling
            await asyncio.gather(*(join(p, SLUG) for p in people))
            for person in people:
                person.send(answer_text(person, 1))
            first = await people[0].read_until(has_buttons, 30)  # then SIGTERM at once
        finally:
            bot.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(bot.communicate(), EXIT_WITHIN)
        assert bot.returncode == 0, output.decode(errors="replace")

        bot = await _start_bot(env)  # whatever was not finished is delivered again
        engine = create_async_engine(f"sqlite+aiosqlite:///{database}")
        try:
            for person in people:
                is_first = person is people[0]
                question = first if is_first else await person.read_until(has_buttons, 60)
                assert "2/10" in (question.text or "")
                await person.silence(0.2)
                assert await _stored(engine, person) == {"q1": answer_text(person, 1)}
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.communicate(), 30)
            await engine.dispose()
