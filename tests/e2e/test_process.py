"""`ascolto` as a real process against the emulator: load, run with a token, SIGTERM.

This is how a city runs it: `ascolto consultations load ... --open`, then `ascolto run` with
a token, a pepper and ``ASCOLTO_TELEGRAM_API_URL`` pointing at a Bot API server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import BotApiEmulator

ROOT = Path(__file__).resolve().parents[2]
ASCOLTO = [sys.executable, "-m", "bot.cli"]


def _env(emulator: BotApiEmulator, database: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASCOLTO_")}
    env.update(
        ASCOLTO_DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        ASCOLTO_BOT_TOKEN=emulator.token,
        ASCOLTO_TELEGRAM_API_URL=emulator.url,
        ASCOLTO_PEPPER="a-long-random-pepper-for-the-process-test",
        ASCOLTO_DATA_DIR=str(database.parent / "data"),
    )
    env.update(extra)
    return env


async def _load_examples(env: dict[str, str]) -> str:
    examples = sorted(str(p) for p in (ROOT / "surveys" / "examples").glob("*.yaml"))
    process = await asyncio.create_subprocess_exec(
        *ASCOLTO,
        "consultations",
        "load",
        *examples,
        "--open",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()


@pytest.fixture
async def database(tmp_path: Path, emulator: BotApiEmulator) -> AsyncIterator[Path]:
    path = tmp_path / "ascolto.db"
    yield path


async def _start_bot(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *ASCOLTO,
        "run",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def _stop(process: asyncio.subprocess.Process) -> tuple[float, str]:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    out, _ = await asyncio.wait_for(process.communicate(), 30)
    return time.monotonic() - started, out.decode(errors="replace")


async def test_run_with_a_token_answers_start_with_the_loaded_consultations(
    emulator: BotApiEmulator, database: Path
) -> None:
    env = _env(emulator, database)
    loaded = await _load_examples(env)
    assert "opencare" in loaded
    bot = await _start_bot(env)
    try:
        giulia = emulator.create_user("Giulia", language_code="it")
        giulia.send_text("/start")
        reply = await giulia.next_message(timeout=60)
        for title in ("Opencare", "OpenAgri", "Sharing Cities"):
            assert title in (reply.text or "")
    finally:
        elapsed, output = await _stop(bot)
    assert bot.returncode == 0, output
    assert elapsed < 10, output
    # Logs never carry the token.
    assert emulator.token.split(":")[1] not in output


async def test_sigterm_with_updates_in_flight_loses_none(
    emulator: BotApiEmulator, database: Path
) -> None:
    env = _env(emulator, database)
    await _load_examples(env)
    bot = await _start_bot(env)
    people = [emulator.create_user(f"P{i}", language_code="it") for i in range(20)]
    try:
        warm = emulator.create_user("Warm", language_code="it")
        warm.send_text("/help")
        await warm.next_message(timeout=60)  # the bot is up and polling
        for person in people:
            person.send_text("/start")
        await emulator.wait_for_message(people[0].chat_id, timeout=30)
    finally:
        elapsed, output = await _stop(bot)  # SIGTERM while the batch is being handled
    assert bot.returncode == 0, output
    assert elapsed < 10, output
    # Whatever was not finished is delivered again to the next process, and nothing twice.
    bot = await _start_bot(env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all(emulator.bot_messages(p.chat_id) for p in people):
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # room for a duplicate to show up, if there were one
    finally:
        await _stop(bot)
    replies = [len(emulator.bot_messages(p.chat_id)) for p in people]
    assert replies == [1] * 20
