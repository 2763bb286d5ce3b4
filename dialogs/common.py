"""/start and /help: the open consultations, and what the bot can do."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from dialogs.i18n import Translator, normalise_language
from surveys.definition import SurveyDefinition
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.consultations import list_open_consultations

# Callback data stays far below Telegram's 64 bytes: a prefix and a slug of ≤ 48 characters.
OPEN_PREFIX = "open:"


def _text(definition: SurveyDefinition, field: str, language: str) -> str:
    texts = getattr(definition, field)
    return str(texts.get(language) or texts.get(definition.languages[0], ""))


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0]


async def on_start(message: Message, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    language = normalise_language(message.from_user.language_code if message.from_user else None)
    _ = Translator(language)
    consultations = await list_open_consultations(uow_factory, clock)
    lines = [_("start-greeting"), "", _("start-open-consultations", count=len(consultations))]
    buttons = []
    for item in consultations:
        title = _text(item.definition, "title", language)
        intro = _first_line(_text(item.definition, "intro", language))
        lines.append(_("start-consultation-line", title=title, intro=intro))
        buttons.append(
            [InlineKeyboardButton(text=title, callback_data=OPEN_PREFIX + item.consultation.slug)]
        )
    if buttons:
        lines += ["", _("start-choose")]
    markup = InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None
    await message.answer("\n".join(lines), reply_markup=markup)


async def on_open_consultation(
    query: CallbackQuery, uow_factory: UnitOfWorkFactory, clock: Clock
) -> None:
    language = normalise_language(query.from_user.language_code)
    slug = (query.data or "")[len(OPEN_PREFIX) :]
    consultations = {
        c.consultation.slug: c for c in await list_open_consultations(uow_factory, clock)
    }
    _ = Translator(language)
    item = consultations.get(slug)
    if item is None:
        await query.answer(_("consultation-not-open"), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        title = _text(item.definition, "title", language)
        intro = _text(item.definition, "intro", language)
        await query.message.answer(f"{title}\n\n{intro}")


async def on_help(message: Message) -> None:
    language = normalise_language(message.from_user.language_code if message.from_user else None)
    await message.answer(Translator(language)("help-text"))


async def on_unknown_command(message: Message) -> None:
    language = normalise_language(message.from_user.language_code if message.from_user else None)
    await message.answer(Translator(language)("unknown-command"))


def build_router() -> Router:
    """A fresh router each time: aiogram attaches a router to one parent only."""
    router = Router(name="common")
    router.message.register(on_start, CommandStart())
    router.callback_query.register(on_open_consultation, F.data.startswith(OPEN_PREFIX))
    router.message.register(on_help, Command("help"))
    # Last: any other command gets a polite "unknown command".
    router.message.register(on_unknown_command, F.text.startswith("/"))
    return router
