"""Independent clients: python-telegram-bot 22 polling, and aiogram in webhook mode."""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import SendMessage
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot.sandbox import BotApiEmulator

SECRET = "webhook_secret_of_32_characters__"


async def test_python_telegram_bot_polling(emulator: BotApiEmulator) -> None:
    app = (
        Application.builder()
        .token(emulator.token)
        .base_url(f"{emulator.url}/bot")
        .base_file_url(f"{emulator.url}/file/bot")
        .build()
    )

    async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"start {context.args}")

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    app.add_handler(CommandHandler("start", on_start))  # needs the bot_command entity
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    user = emulator.create_user("Paola")
    async with app:
        me = await app.bot.get_me()
        assert me.is_bot and me.username == "ascolto_sandbox_bot"
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            user.send_text("/start opencare")
            assert (await user.next_message(timeout=5)).text == "start ['opencare']"
            user.send_text("4")
            assert (await user.next_message(timeout=5)).text == "4"
        finally:
            await app.updater.stop()
            await app.stop()


async def test_aiogram_webhook_mode(emulator: BotApiEmulator) -> None:
    bot = Bot(emulator.token, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.url)))
    dp = Dispatcher()

    @dp.message(F.text == "reply-in-body")
    async def on_body(message: Message) -> Any:
        # answered inside the webhook response; Telegram (and the emulator) executes it
        return SendMessage(chat_id=message.chat.id, text="from the webhook answer")

    @dp.message(F.text)
    async def on_text(message: Message) -> None:
        await message.answer(f"eco: {message.text}")

    app = web.Application()
    SimpleRequestHandler(dp, bot, secret_token=SECRET, handle_in_background=False).register(
        app, path="/webhook"
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        user = emulator.create_user()
        # a wrong secret is refused by aiogram (401) and the emulator keeps retrying
        await bot.set_webhook(f"http://127.0.0.1:{port}/webhook", secret_token="wrong")
        user.send_text("ciao")
        for _ in range(100):
            if emulator.counters.webhook_failures >= 2:
                break
            await asyncio.sleep(0.02)
        assert emulator.counters.webhook_failures >= 2
        assert user.bot_messages == []
        await bot.set_webhook(f"http://127.0.0.1:{port}/webhook", secret_token=SECRET)
        assert (await user.next_message(timeout=5)).text == "eco: ciao"  # delivered at last
        user.send_text("reply-in-body")
        assert (await user.next_message(timeout=5)).text == "from the webhook answer"
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        await bot.delete_webhook()
    finally:
        await runner.cleanup()
        await bot.session.close()
