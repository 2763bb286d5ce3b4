"""Database faults on PostgreSQL: the server stopped (``pg_ctl stop -m immediate``) for 10 s.

On a throwaway cluster of its own (``tests/reliability/pg_cluster.py``: ``initdb`` in a temp dir,
its own port; the shared server on 5432 is never touched) the real ``ascolto run`` process
serves citizens answering the ten-question survey. Once they are under way the server is
killed without a checkpoint, stays down 10 s while they keep answering, and is started again
(crash recovery). Pass figures: answers lost 0 and duplicated 0 after recovery (each citizen
ends with exactly its ten texts under their questions); the bot process survives; handling
resumes within 5 s of the server accepting connections again (the first reply after it).
Skipped, with the reason, where ``initdb``/``pg_ctl`` are missing.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.ext.asyncio import create_async_engine

from bot.sandbox import BotApiEmulator
from storage.tables import answers
from tests.e2e.citizen_support import Citizen, has_buttons, join
from tests.e2e.test_process import ROOT, _env
from tests.reliability import pg_cluster
from tests.reliability.support import QUESTIONS, SLUG, answer_text, ten_texts_yaml
from tests.reliability.test_crash import _number

CITIZENS = 10
DOWN_FOR = 10.0
RESUME_WITHIN = 5.0

pytestmark = pytest.mark.skipif(
    pg_cluster.skip_reason() is not None, reason=str(pg_cluster.skip_reason())
)


async def _cli(env: dict[str, str], *args: str, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:  # a file, not a pipe: an outage logs a lot, and nobody reads it
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", *args, env=env, cwd=ROOT, stdout=out, stderr=out
        )


async def _answer_all(citizen: Citizen, replies: list[float]) -> None:
    """Answer questions 1–10, waiting as long as it takes for each next question.

    A screen may arrive twice: an update that failed *after* its reply went out (the server
    died under it) comes back, and the person's current screen is shown again
    (bot/lost_replies.py). The citizen waits for the question it expects; where each answer
    landed is checked in the database afterwards.
    """
    question = await join(citizen, SLUG)
    for n in range(1, QUESTIONS + 1):
        assert _number(question) == n, question.text
        citizen.send(answer_text(citizen, n))
        question = await citizen.read_until(
            lambda message, after=n: has_buttons(message) and _number(message) == after + 1,
            timeout=120,
        )
        replies.append(time.monotonic())


async def test_postgres_stopped_for_ten_seconds_loses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster = await pg_cluster.Cluster.create()
    log = tmp_path / "bot.log"
    try:
        async with BotApiEmulator("127.0.0.1", port=0) as emulator:
            env = _env(emulator, tmp_path / "unused.db", ASCOLTO_DATABASE_URL=cluster.url)
            path = tmp_path / f"{SLUG}.yaml"
            path.write_text(yaml.safe_dump(ten_texts_yaml(), allow_unicode=True), "utf-8")
            loader = await _cli(env, "consultations", "load", str(path), "--open", log=log)
            assert await loader.wait() == 0, log.read_text()
            bot = await _cli(env, "run", log=log)
            try:
                people = [
                    Citizen(emulator.create_user(f"P{n}", language_code="it"), emulator)
                    for n in range(CITIZENS)
                ]
                replies: list[float] = []
                answering = asyncio.gather(*(_answer_all(p, replies) for p in people))
                # Under way: a few answers in, then the server dies mid-run.
                async with asyncio.timeout(120):
                    while len(replies) < CITIZENS:  # noqa: ASYNC110
                        await asyncio.sleep(0.05)
                await cluster.stop_immediately()
                down_at = time.monotonic()
                await asyncio.sleep(DOWN_FOR)
                await cluster.start()
                up_at = time.monotonic()
                await asyncio.wait_for(answering, 300)

                assert bot.returncode is None, "the bot process survived"
                after = [t for t in replies if t > up_at]
                assert after, "citizens were still answering when the server came back"
                resumed = min(after) - up_at
                assert resumed <= RESUME_WITHIN, f"first reply {resumed:.1f} s after restart"
                stored = await _stored_answers(cluster)
                for person in people:
                    expected = {f"q{n}": answer_text(person, n) for n in range(1, QUESTIONS + 1)}
                    assert stored.get(person.user.record.first_name) == expected
                assert sum(len(v) for v in stored.values()) == CITIZENS * QUESTIONS
            finally:
                if bot.returncode is None:
                    bot.send_signal(signal.SIGTERM)
                    await asyncio.wait_for(bot.wait(), 30)
        during = [t for t in replies if down_at <= t < up_at]
        with capsys.disabled():
            print(
                f"\nPostgreSQL stopped {DOWN_FOR:.0f} s ({len(during)} replies while down): "
                f"{CITIZENS * QUESTIONS} answers stored once, first reply {resumed:.2f} s "
                "after restart, bot process alive"
            )
    finally:
        await cluster.destroy()


async def _stored_answers(cluster: pg_cluster.Cluster) -> dict[str, dict[str, str]]:
    """Answers by the citizen's name (each answer's text starts with it)."""
    engine = create_async_engine(cluster.url)
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(sa.select(answers.c.question_key, answers.c.value))
            ).all()
    finally:
        await engine.dispose()
    stored: dict[str, dict[str, str]] = {}
    for key, value in rows:
        name = str(value).split(":", 1)[0]
        assert key not in stored.get(name, {}), f"duplicated: {value}"
        stored.setdefault(name, {})[key] = str(value)
    return stored
