"""The real aiogram application, assembled by ``bot.app``, against the emulator over HTTP.

Polling and webhook mode, redelivery, Bot API retries and a wrong webhook secret. Each test
builds its own application on a fresh SQLite file; the process shares aiogram's import.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiogram.types import Update
from aiohttp import web

from bot.app import BOT_COMMANDS, Application
from bot.runner import close_application, open_application, run_polling
from bot.sandbox import BotApiEmulator, FaultConfig
from bot.sandbox_mode import load_examples
from bot.settings import Settings
from bot.webhook import SECRET_HEADER, WebhookReceiver
from storage.tables import processed_updates

PEPPER = b"test-pepper-0123456789abcdef0123456789"
SECRET = "s3cret-token-of-at-least-32-characters-long"


@dataclass
class Running:
    app: Application
    emulator: BotApiEmulator
    stop: asyncio.Event
    task: asyncio.Task[None]


def _settings(tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    )


@pytest.fixture
async def polling_bot(tmp_path: Path, emulator: BotApiEmulator) -> AsyncIterator[Running]:
    app = await open_application(
        _settings(tmp_path), token=emulator.token, api_url=emulator.url, pepper=PEPPER
    )
    await load_examples(app.storage)
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(app, stop))
    try:
        yield Running(app, emulator, stop, task)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await close_application(app)


async def test_start_lists_the_open_consultations_in_italian(polling_bot: Running) -> None:
    giulia = polling_bot.emulator.create_user("Giulia", language_code="it")
    giulia.send_text("/start")
    reply = await giulia.next_message(timeout=10)
    assert "consultazioni aperte" in (reply.text or "")
    for title in ("Opencare", "OpenAgri", "Sharing Cities"):
        assert title in (reply.text or "")
    slugs = {button["callback_data"] for button in reply.buttons}
    assert {"open:opencare", "open:openagri", "open:sharing-cities"} <= slugs


async def test_start_speaks_english_to_other_languages(polling_bot: Running) -> None:
    tom = polling_bot.emulator.create_user("Tom", language_code="en-GB")
    tom.send_text("/start")
    reply = await tom.next_message(timeout=10)
    assert "open consultations" in (reply.text or "")
    assert "Opencare" in (reply.text or "")


async def test_tapping_a_consultation_answers_the_callback(polling_bot: Running) -> None:
    giulia = polling_bot.emulator.create_user("Giulia", language_code="it")
    giulia.send_text("/start")
    menu = await giulia.next_message(timeout=10)
    query_id = giulia.tap(menu, "open:opencare")
    await giulia.callback_answer(query_id, timeout=10)
    intro = await giulia.next_message(timeout=10)
    assert "Opencare" in (intro.text or "")


async def test_commands_are_registered_in_both_languages(polling_bot: Running) -> None:
    giulia = polling_bot.emulator.create_user("Giulia", language_code="it")
    giulia.send_text("/help")
    await giulia.next_message(timeout=10)
    italian = polling_bot.emulator.commands(language_code="it")
    english = polling_bot.emulator.commands()
    assert [c["command"] for c in italian] == list(BOT_COMMANDS)
    assert [c["command"] for c in english] == list(BOT_COMMANDS)
    assert italian[0]["description"] != english[0]["description"]


async def test_a_redelivered_update_has_no_second_effect(polling_bot: Running) -> None:
    emulator, app = polling_bot.emulator, polling_bot.app
    giulia = emulator.create_user("Giulia", language_code="it")
    sent = giulia.send_text("/help")
    await giulia.next_message(timeout=10)
    # Deliver the very same update again, as Telegram does after a lost acknowledgement.
    update = Update.model_validate(
        {"update_id": 10_000_001, "message": sent.data}, context={"bot": app.bot}
    )
    await app.dispatcher.feed_update(app.bot, update)
    await app.dispatcher.feed_update(app.bot, update)
    await giulia.next_message(timeout=10)
    with pytest.raises(TimeoutError):
        await giulia.next_message(timeout=1)
    assert app.metrics.duplicates >= 1
    async with app.storage.engine.connect() as connection:
        rows = (await connection.execute(processed_updates.select())).all()
    assert 10_000_001 in {row.update_id for row in rows}


async def test_429_and_502_answers_are_retried_until_the_reply_goes_out(
    polling_bot: Running,
) -> None:
    emulator, app = polling_bot.emulator, polling_bot.app
    emulator.faults = FaultConfig(
        seed=7, p_429=0.4, retry_after_range=(1, 1), p_502=0.3, methods=frozenset({"sendMessage"})
    )
    people = [emulator.create_user(f"P{i}", language_code="it") for i in range(5)]
    for person in people:
        person.send_text("/help")
    replies = [await person.next_message(timeout=30) for person in people]
    assert all("/start" in (reply.text or "") for reply in replies)
    assert app.metrics.request_retries > 0
    # Every refused request was either retried, or (after the last attempt) failed its update,
    # which was then fetched and handled again: nothing is left unanswered.
    rejected = emulator.counters.rejected
    refused = rejected.get("429_fault", 0) + rejected.get("502_fault", 0)
    assert refused == app.metrics.request_retries + app.metrics.handler_errors
    assert emulator.counters.sends_in_retry_window == 0


# --- webhook mode ----------------------------------------------------------------------------


@pytest.fixture
async def webhook_bot(
    tmp_path: Path, emulator: BotApiEmulator
) -> AsyncIterator[tuple[Application, str]]:
    app = await open_application(
        _settings(tmp_path), token=emulator.token, api_url=emulator.url, pepper=PEPPER
    )
    await load_examples(app.storage)
    receiver = WebhookReceiver(app.dispatcher, app.bot, SECRET, app.metrics)
    runner = web.AppRunner(receiver.application())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/webhook"
    await app.bot.set_webhook(url, secret_token=SECRET)
    try:
        yield app, url
    finally:
        await receiver.drain()
        await runner.cleanup()
        await close_application(app)


async def test_webhook_mode_answers_start(
    webhook_bot: tuple[Application, str], emulator: BotApiEmulator
) -> None:
    giulia = emulator.create_user("Giulia", language_code="it")
    giulia.send_text("/start")
    reply = await giulia.next_message(timeout=10)
    assert "Opencare" in (reply.text or "")


@pytest.mark.parametrize("secret", [None, "wrong-secret-wrong-secret-wrong-secret"])
async def test_webhook_refuses_a_wrong_or_missing_secret(
    webhook_bot: tuple[Application, str], secret: str | None
) -> None:
    app, url = webhook_bot
    headers = {SECRET_HEADER: secret} if secret else {}
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "text": "/help",
        },
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers) as response,
    ):
        assert response.status == 401
    assert app.metrics.updates_handled == 0


def test_webhook_refuses_a_short_secret(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="32"):
        WebhookReceiver(None, None, "short", None)  # type: ignore[arg-type]
