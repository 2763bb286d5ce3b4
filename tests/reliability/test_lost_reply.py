"""A reply lost after its answer committed is shown again on the redelivery, and only then.

Two ways to lose it: a network timeout on ``sendMessage`` (the emulator holds the request and
drops the connection without sending anything), and the process SIGKILLed while that request
hangs — between the commit and the reply. Either way the update was not confirmed, so it comes
back; ``processed_updates.replied`` is still False, and the bot shows the question the citizen
now stands at instead of staying silent (it never handles the update again: the typed answer
would land on the next question). Pass figures: the next question shown exactly once, without
the citizen writing again; answers stored exactly once; nothing else sent.

The normal case sends nothing twice: every question of the run below is shown exactly once, and
``test_duplicate_delivery.py`` (copies of updates whose replies went out) still sends nothing.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine

from bot.sandbox import BotApiEmulator, ChatMessage, FaultConfig
from tests.e2e.citizen_support import Citizen, has_buttons, join, running_bot, stored_answers
from tests.e2e.test_process import _env, _start_bot
from tests.reliability.support import QUESTIONS, SLUG, Databases, answer_text, load_ten_texts
from tests.reliability.test_crash import _load, _number, _stored

SEND = frozenset({"sendMessage"})


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(30):
        while not condition():  # noqa: ASYNC110 (polling the emulator's counters)
            await asyncio.sleep(0.02)


def _question(message: ChatMessage) -> int:
    number = _number(message)
    assert number is not None, message.text
    return number


async def test_a_reply_lost_to_a_send_timeout_is_shown_again(databases: Databases) -> None:
    async with running_bot(await databases.new()) as rb:
        await load_ten_texts(rb.storage, databases.folder)
        citizen = rb.citizen("Lost", "it")
        shown: Counter[int] = Counter()
        question = await join(citizen, SLUG)
        shown[_question(question)] += 1
        citizen.send(answer_text(citizen, 1))
        question = await citizen.read_until(has_buttons)
        shown[_question(question)] += 1

        # Question 3 times out: the connection is dropped, nothing is sent.
        rb.emulator.faults = FaultConfig(p_timeout=1.0, timeout_hold=0.3, methods=SEND)
        sent = rb.emulator.counters.messages_sent
        citizen.send(answer_text(citizen, 2))
        await _until(lambda: rb.emulator.counters.rejected["timeout_fault"] >= 1)
        rb.emulator.faults = FaultConfig()
        assert rb.emulator.counters.messages_sent == sent, "the timed-out reply went out"

        # The update failed, comes back, and the question is shown without the citizen writing.
        question = await citizen.read_until(has_buttons, 30)
        assert _question(question) == 3
        shown[3] += 1
        assert rb.app.metrics.replies_reshown == 1
        assert await stored_answers(rb, citizen, SLUG) == {
            f"q{n}": answer_text(citizen, n) for n in (1, 2)
        }

        for n in range(3, QUESTIONS + 1):
            citizen.send(answer_text(citizen, n))
            question = await citizen.read_until(has_buttons)
            shown[_question(question)] += 1
        await citizen.silence(1.5)
        assert shown == Counter(range(1, QUESTIONS + 2)), "each screen shown exactly once"
        assert await stored_answers(rb, citizen, SLUG) == {
            f"q{n}": answer_text(citizen, n) for n in range(1, QUESTIONS + 1)
        }
        assert rb.app.metrics.replies_reshown == 1
        assert len(rb.emulator.world.updates) == 0, "every update confirmed"


async def test_a_kill_between_commit_and_reply_shows_the_question_after_restart(
    tmp_path: Path,
) -> None:
    database = tmp_path / "lost.db"
    async with BotApiEmulator("127.0.0.1", port=0) as emulator:
        env = _env(emulator, database)
        await _load(env, tmp_path)
        engine = create_async_engine(f"sqlite+aiosqlite:///{database}")
        bot = await _start_bot(env)
        try:
            citizen = Citizen(emulator.create_user("Killed", language_code="en"), emulator)
            citizen.send("/help")  # the process may take a while to start on a busy machine
            await citizen.read(60)
            question = await join(citizen, SLUG)
            assert _question(question) == 1
            citizen.send(answer_text(citizen, 1))
            assert _question(await citizen.read_until(has_buttons)) == 2

            # The reply to answer 2 hangs; the answer is committed by then. Kill the process.
            emulator.faults = FaultConfig(p_timeout=1.0, timeout_hold=120, methods=SEND)
            citizen.send(answer_text(citizen, 2))
            await _until(lambda: emulator.counters.rejected["timeout_fault"] >= 1)
            expected = {f"q{n}": answer_text(citizen, n) for n in (1, 2)}
            assert await _stored(engine, citizen) == expected, "not between commit and reply"
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
            emulator.faults = FaultConfig()

            bot = await _start_bot(env)
            # No /start: the restarted bot gets the update again and shows question 3.
            assert _question(await citizen.read_until(has_buttons, 60)) == 3
            await citizen.silence(1.5)
            assert await _stored(engine, citizen) == expected
            citizen.send(answer_text(citizen, 3))
            assert _question(await citizen.read_until(has_buttons)) == 4
            expected["q3"] = answer_text(citizen, 3)
            assert await _stored(engine, citizen) == expected
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.communicate(), 30)
            await engine.dispose()
