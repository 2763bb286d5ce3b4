"""A redelivered update whose effects committed but whose reply was lost: show the screen again.

``processed_updates.replied`` tells the cases apart (``storage.repositories.updates.Delivery``).
A true duplicate (replied) is skipped in silence; an update whose reply never went out (a
network timeout on sendMessage, the process killed between commit and reply) is *not* handled
again — a typed answer would land on the next question — but the person is shown the screen
they now stand at, which is what the lost reply showed. Only a private chat with a person has
a screen to show; anything else is recorded as replied and dropped, as before.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Update

from dialogs.citizen.reshow import show_current_screen
from surveys.ports import Clock, UnitOfWorkFactory


async def reshow_lost_reply(
    update: Update, data: dict[str, Any], uow_factory: UnitOfWorkFactory
) -> bool:
    """Send the person their current screen; True when something was sent."""
    bot: Bot | None = data.get("bot")
    user = data.get("event_from_user")
    chat = data.get("event_chat")
    pepper: bytes | None = data.get("pepper")
    clock: Clock | None = data.get("clock")
    if bot is None or user is None or chat is None or pepper is None or clock is None:
        return False
    if chat.type != "private" or user.is_bot:
        return False
    if update.callback_query is not None:
        # Stop the spinner if the tap is still fresh; a stale query is refused, which is fine.
        with contextlib.suppress(TelegramBadRequest):
            await bot.answer_callback_query(update.callback_query.id)
    return await show_current_screen(
        bot,
        user_id=user.id,
        chat_id=chat.id,
        language_code=user.language_code,
        uow_factory=uow_factory,
        pepper=pepper,
        clock=clock,
    )
