"""Fixtures for end-to-end tests: a Bot API emulator on a free port of 127.0.0.1.

``emulator`` is a fresh emulator per test (starting one takes milliseconds). Tests that drive a
real aiogram Dispatcher share one per module, because importing and warming aiogram's pydantic
models is what costs seconds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sandbox import BotApiEmulator


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator("127.0.0.1", port=0) as emu:
        yield emu
