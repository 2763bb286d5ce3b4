"""Group chats: the bot talks to citizens in private only, and stores nothing from a group.

A command or a mention in a group, or adding the bot to one, gets one reply with a button
to a private chat; everything else said in the group is ignored. Taps on buttons that somehow
reach a group are answered with the same advice. Included first, so no other handler ever
sees a group's update.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from dialogs.i18n import Translator, normalise_language

PRIVATE = ChatType.PRIVATE


def _language(message: Message | CallbackQuery) -> str:
    user = message.from_user
    return normalise_language(user.language_code if user else None)


async def _private_chat_link(bot: Bot, _: Translator) -> InlineKeyboardMarkup:
    me = await bot.me()
    url = f"https://t.me/{me.username}"
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=_("button-private-chat"), url=url)]]
    )


async def _addressed(message: Message, bot: Bot) -> bool:
    """A command, a mention of the bot, or the bot joining: the only group messages we answer."""
    if message.text and message.text.startswith("/"):
        return True
    me = await bot.me()
    if message.new_chat_members and any(member.id == me.id for member in message.new_chat_members):
        return True
    return bool(me.username and message.text and f"@{me.username}".lower() in message.text.lower())


async def on_group_message(message: Message, bot: Bot) -> None:
    if not await _addressed(message, bot):
        return
    _ = Translator(_language(message))
    await message.answer(_("group-private-only"), reply_markup=await _private_chat_link(bot, _))


async def on_group_tap(query: CallbackQuery) -> None:
    await query.answer(Translator(_language(query))("group-private-only"), show_alert=True)


def build_router() -> Router:
    router = Router(name="citizen-groups")
    router.message.register(on_group_message, F.chat.type != PRIVATE)
    router.callback_query.register(on_group_tap, F.message.chat.type != PRIVATE)
    return router
