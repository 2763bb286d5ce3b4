"""Editing a message the staff member tapped, without failing the update.

Telegram refuses an edit that changes nothing ("message is not modified", a 400) and one of a
message that is gone. A double tap causes the first; neither is worth failing the update for
(a failed update is handled again, and would fail again).
"""

from __future__ import annotations

import contextlib

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message


async def edit_markup(message: Message, markup: InlineKeyboardMarkup | None) -> None:
    with contextlib.suppress(TelegramBadRequest):
        await message.edit_reply_markup(reply_markup=markup)


async def edit_text(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    with contextlib.suppress(TelegramBadRequest):
        await message.edit_text(text, reply_markup=markup)
