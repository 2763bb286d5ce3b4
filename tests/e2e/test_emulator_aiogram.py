"""A real aiogram 3 bot, polling the emulator over HTTP: what citizens would see."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.filters import Command
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.sandbox import BotApiEmulator, FaultConfig

REPORT = b"%PDF-1.4 ascolto report\n"


def build_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message(Command("start"))
    async def on_start(message: Message) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(text="Sì", callback_data="sv:q1:0"),
                    InlineKeyboardButton(text="No", callback_data="sv:q1:1"),
                ]
            ]
        )
        await message.answer(
            "<b>Benvenuta</b>! Partecipi?", parse_mode="HTML", reply_markup=keyboard
        )

    @dp.message(Command("report"))
    async def on_report(message: Message) -> None:
        await message.answer_document(
            BufferedInputFile(REPORT, filename="report.pdf"), caption="Il report"
        )

    @dp.message(Command("where"))
    async def on_where(message: Message) -> None:
        keyboard = ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="📍 Posizione", request_location=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        await message.answer("Dove sei?", reply_markup=keyboard)

    @dp.message(F.location)
    async def on_location(message: Message) -> None:
        assert message.location is not None
        await message.answer(f"{message.location.latitude:.4f}", reply_markup=ReplyKeyboardRemove())

    @dp.message(F.text)
    async def on_text(message: Message) -> None:
        await message.answer(message.text or "")

    @dp.callback_query(F.data.startswith("sv:"))
    async def on_choice(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text(f"Scelta: {query.data}")
        await query.answer("Registrato")

    return dp


@pytest.fixture(scope="module")
async def running() -> AsyncIterator[tuple[BotApiEmulator, Bot]]:
    async with BotApiEmulator() as emu:
        bot = Bot(emu.token, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.url)))
        dp = build_dispatcher()
        polling = asyncio.create_task(
            dp.start_polling(bot, handle_signals=False, polling_timeout=1)
        )
        try:
            yield emu, bot
        finally:
            await dp.stop_polling()
            await asyncio.wait_for(polling, 5)
            await bot.session.close()


@pytest.fixture
async def emu(running: tuple[BotApiEmulator, Bot]) -> AsyncIterator[BotApiEmulator]:
    emulator = running[0]
    yield emulator
    emulator.faults = FaultConfig()  # faults never leak into the next test


@pytest.fixture
def bot(running: tuple[BotApiEmulator, Bot]) -> Bot:
    return running[1]


async def test_echo_keeps_text_that_looks_like_json(emu: BotApiEmulator) -> None:
    user = emu.create_user("Giulia")
    for text in ("4", "[1, 2]", '{"a": 1}', "true", "Ciao àèì 👋"):
        user.send_text(text)
        reply = await user.next_message(timeout=5)
        assert reply.text == text
        assert reply.data["from"]["is_bot"] is True
        assert reply.chat_id == user.chat_id


async def test_start_inline_button_edit_and_answer(emu: BotApiEmulator) -> None:
    user = emu.create_user("Marco", language_code="en")
    sent = user.send_text("/start")
    assert sent.data["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    question = await user.next_message(timeout=5)
    # HTML markup became an entity, as on Telegram
    assert question.text == "Benvenuta! Partecipi?"
    assert question.data["entities"][0] == {"type": "bold", "offset": 0, "length": 9}
    assert [b["callback_data"] for b in question.buttons] == ["sv:q1:0", "sv:q1:1"]

    query_id = user.tap(question, "sv:q1:1")
    answer = await user.callback_answer(query_id, timeout=5)
    assert answer["text"] == "Registrato"
    assert answer["show_alert"] is False
    edited = emu.messages(user.chat_id)[question.message_id - 1]
    assert edited.message_id == question.message_id
    assert edited.text == "Scelta: sv:q1:1"
    assert edited.edited
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    with pytest.raises(ValueError, match="no button"):
        user.tap(edited, "sv:q1:0")  # the keyboard is gone: a real user cannot tap it


async def test_document_is_stored_and_downloadable(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.create_user("Anna")
    user.send_text("/report")
    sent = await user.next_message(timeout=5)
    assert sent.caption == "Il report"
    assert sent.document is not None
    assert sent.document["file_name"] == "report.pdf"
    assert sent.file_bytes == REPORT
    assert emu.file_bytes(sent.document["file_id"]) == REPORT
    file = await bot.get_file(sent.document["file_id"])
    assert file.file_size == len(REPORT)
    downloaded = await bot.download(file)
    assert downloaded is not None
    assert downloaded.read() == REPORT


async def test_reply_keyboard_location_and_removal(emu: BotApiEmulator) -> None:
    user = emu.create_user("Luca")
    user.send_text("/where")
    ask = await user.next_message(timeout=5)
    assert "reply_markup" not in ask.data  # reply keyboards are not part of the Message
    assert user.reply_keyboard is not None
    user.press("📍 Posizione")
    reply = await user.next_message(timeout=5)
    assert reply.text == "45.4642"
    assert reply.reply_keyboard == {"remove_keyboard": True}
    assert user.reply_keyboard is None


async def test_set_my_commands_per_language(emu: BotApiEmulator, bot: Bot) -> None:
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(
        [BotCommand(command="start", description="Inizia")], scope=scope, language_code="it"
    )
    await bot.set_my_commands(
        [BotCommand(command="start", description="Start")], scope=scope, language_code="en"
    )
    italian = await bot.get_my_commands(scope=scope, language_code="it")
    assert [(c.command, c.description) for c in italian] == [("start", "Inizia")]
    assert emu.commands({"type": "all_private_chats"}, "en") == [
        {"command": "start", "description": "Start"}
    ]
    assert await bot.get_my_commands() == []  # the default scope was never set
    user = emu.create_user("Sara", language_code="en")
    assert emu.commands_for(user.chat_id, "en")[0]["description"] == "Start"
    assert await bot.delete_my_commands(scope=scope, language_code="en")
    assert emu.commands({"type": "all_private_chats"}, "en") == []


async def test_message_too_long(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.create_user()
    await bot.send_message(user.chat_id, "x" * 4096)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(user.chat_id, "x" * 4097)


async def test_callback_data_too_long(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.create_user()
    ok = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="a", callback_data="é" * 32)]]
    )
    await bot.send_message(user.chat_id, "64 bytes", reply_markup=ok)
    too_long = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="a", callback_data="é" * 32 + "x")]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(user.chat_id, "65 bytes", reply_markup=too_long)


async def test_edit_errors(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.create_user()
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="a", callback_data="a")]]
    )
    sent = await bot.send_message(user.chat_id, "same", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "same", chat_id=user.chat_id, message_id=sent.message_id, reply_markup=markup
        )
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=user.chat_id, message_id=sent.message_id, reply_markup=markup
        )
    edited = await bot.edit_message_reply_markup(chat_id=user.chat_id, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.reply_markup is None
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=user.chat_id, message_id=9999)
    assert await bot.delete_message(user.chat_id, sent.message_id)
    assert emu.messages(user.chat_id)[-1].deleted
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=user.chat_id, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(42, "nobody")


async def test_blocked_chat_gets_403(emu: BotApiEmulator, bot: Bot) -> None:
    blocker, other = emu.create_user(), emu.create_user()
    emu.faults = FaultConfig(blocked_chats={blocker.chat_id})
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(blocker.chat_id, "ciao")
    await bot.send_message(other.chat_id, "ciao")
    assert emu.counters.rejected["403_blocked"] >= 1


async def test_injected_429_and_the_retry_window(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.create_user()
    emu.faults = FaultConfig(
        seed=7, p_429=1.0, retry_after_range=(2, 2), methods=frozenset({"sendMessage"})
    )
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(user.chat_id, "first")
    assert caught.value.retry_after == 2
    emu.faults = FaultConfig()  # no more injected faults, but the window is still open
    before = emu.counters.sends_in_retry_window
    with pytest.raises(TelegramRetryAfter) as again:
        await bot.send_message(user.chat_id, "too early")
    assert again.value.retry_after in (1, 2)
    assert emu.counters.sends_in_retry_window == before + 1


async def test_faults_are_reproducible_with_a_seed(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.create_user()

    async def outcomes() -> list[str]:
        emu.faults = FaultConfig(seed=3, p_429=0.3, p_502=0.3, methods=frozenset({"getChat"}))
        seen = []
        for _ in range(20):
            try:
                await bot.get_chat(user.chat_id)
                seen.append("ok")
            except TelegramRetryAfter:
                seen.append("429")
            except Exception as exc:  # aiogram raises TelegramServerError for 502
                seen.append(type(exc).__name__)
        return seen

    first, second = await outcomes(), await outcomes()
    assert first == second
    assert {"ok", "429", "TelegramServerError"} <= set(first)


def _all_ids(messages: list[Any]) -> list[int]:
    return [m.message_id for m in messages]


async def test_message_ids_increase_per_chat(emu: BotApiEmulator) -> None:
    user = emu.create_user()
    user.send_text("uno")
    user.send_text("due")
    await user.next_message(timeout=5)
    await user.next_message(timeout=5)
    ids = _all_ids(user.messages)
    assert ids == sorted(ids) == list(range(1, len(ids) + 1))
