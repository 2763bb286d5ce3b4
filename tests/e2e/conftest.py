"""Fixtures for end-to-end tests: a Bot API emulator on a free port of 127.0.0.1.

``emulator`` is a fresh emulator per test (starting one takes milliseconds). Tests that drive a
real aiogram Dispatcher share one per module, because importing and warming aiogram's pydantic
models is what costs seconds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.sandbox import BotApiEmulator


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator("127.0.0.1", port=0) as emu:
        yield emu


# --- privacy of the logs (issue #9): over the whole end-to-end suite, no log record may
# mention a test user's Telegram id, name or typed text (see tests/security/log_leaks.py).


@pytest.fixture(scope="session", autouse=True)
def _logs_never_name_a_citizen() -> Iterator[None]:
    from tests.security.log_leaks import LeakWatch, watching

    with watching(LeakWatch()) as watch:
        yield
    leaks = watch.leaks()
    assert not leaks, f"{len(leaks)} log lines name a test user:\n" + "\n".join(leaks[:20])
