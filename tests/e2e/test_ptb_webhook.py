"""python-telegram-bot 22 as the webhook receiver: an independent judge of the emulator's pushes.

PTB runs its own webhook server (tornado, ``updater.start_webhook``), registers it with
``setWebhook`` on the emulator and echoes what it receives. PTB is strict where aiogram is
lenient: it wants ``Content-Type: application/json`` exactly, and answers 403 to a missing or
wrong ``X-Telegram-Bot-Api-Secret-Token``; the emulator must then keep the update and retry.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable

import pytest
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.sandbox import BotApiEmulator

PTB_SECRET = "ptb-webhook-secret_0123456789abcdef"
PATH = "ptb-hook"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _until(condition: Callable[[], bool], within: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.02)


class EchoBot:
    """A PTB application serving its webhook on 127.0.0.1; remembers the update ids it saw."""

    def __init__(self, emulator: BotApiEmulator) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/{PATH}"
        self.seen: list[int] = []
        self.app = (
            Application.builder()
            .token(emulator.token)
            .base_url(f"{emulator.url}/bot")
            .base_file_url(f"{emulator.url}/file/bot")
            .build()
        )
        self.app.add_handler(MessageHandler(filters.TEXT, self._echo))

    async def _echo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        self.seen.append(update.update_id)
        await update.effective_message.reply_text(f"eco: {update.effective_message.text}")

    async def start(self) -> None:
        await self.app.initialize()
        await self.app.start()
        assert self.app.updater is not None
        # The async form of application.run_webhook(): PTB's own server, and setWebhook.
        await self.app.updater.start_webhook(
            listen="127.0.0.1",
            port=self.port,
            url_path=PATH,
            secret_token=PTB_SECRET,
            webhook_url=self.url,
        )

    async def stop(self) -> None:
        assert self.app.updater is not None
        if self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()


@pytest.fixture
async def ptb(emulator: BotApiEmulator) -> AsyncIterator[EchoBot]:
    echo = EchoBot(emulator)
    await echo.start()
    try:
        yield echo
    finally:
        await echo.stop()


async def test_ptb_registers_its_webhook_and_echoes_pushed_updates(
    emulator: BotApiEmulator, ptb: EchoBot
) -> None:
    info = await ptb.app.bot.get_webhook_info()
    assert info.url == ptb.url
    assert info.pending_update_count == 0
    paola = emulator.create_user("Paola")
    paola.send_text("ciao")
    assert (await paola.next_message(timeout=5)).text == "eco: ciao"
    paola.send_text("4")  # a numeric text stays text all the way through
    assert (await paola.next_message(timeout=5)).text == "eco: 4"
    assert len(ptb.seen) == len(set(ptb.seen)) == 2
    assert emulator.counters.webhook_failures == 0
    info = await ptb.app.bot.get_webhook_info()
    assert info.pending_update_count == 0 and info.last_error_date is None


@pytest.mark.parametrize("pushed_secret", ["not-the-secret-ptb-knows_0123456789", None])
async def test_a_refused_push_is_retried_until_ptb_accepts_it(
    emulator: BotApiEmulator, ptb: EchoBot, pushed_secret: str | None
) -> None:
    # The emulator now pushes with another secret (or none): PTB answers 403 to each attempt.
    await ptb.app.bot.set_webhook(ptb.url, secret_token=pushed_secret)
    paola = emulator.create_user("Paola")
    paola.send_text("ciao")
    await _until(lambda: emulator.counters.webhook_failures >= 3)
    info = await ptb.app.bot.get_webhook_info()
    assert info.pending_update_count == 1  # kept, not dropped
    assert info.last_error_message is not None and "403" in info.last_error_message
    assert ptb.seen == [] and paola.bot_messages == []

    # Once the secrets agree, the same update arrives, exactly once.
    await ptb.app.bot.set_webhook(ptb.url, secret_token=PTB_SECRET)
    assert (await paola.next_message(timeout=5)).text == "eco: ciao"
    assert len(ptb.seen) == 1
    await _until(lambda: emulator.counters.updates_delivered >= 1)
    assert (await ptb.app.bot.get_webhook_info()).pending_update_count == 0
