"""/start and /help: the open consultations, and what the bot can do.

Tapping a consultation (``open:<slug>``) and deep links (``/start <slug>``) lead into its
consent screen: see ``dialogs.citizen.consent``.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from dialogs.citizen.consent import OPEN_PREFIX
from dialogs.citizen.person import Person
from dialogs.i18n import Translator, normalise_language
from surveys.definition import SurveyDefinition
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.consultations import list_open_consultations


def _text(definition: SurveyDefinition, field: str, language: str) -> str:
    texts = getattr(definition, field)
    return str(texts.get(language) or texts.get(definition.languages[0], ""))


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0]


def _language(message: Message, person: Person | None) -> str:
    if person is not None:
        return person.language
    return normalise_language(message.from_user.language_code if message.from_user else None)


async def on_start(
    message: Message, uow_factory: UnitOfWorkFactory, clock: Clock, person: Person | None = None
) -> None:
    language = _language(message, person)
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


async def on_help(message: Message, person: Person | None = None) -> None:
    await message.answer(Translator(_language(message, person))("help-text"))


async def on_unknown_command(message: Message, person: Person | None = None) -> None:
    await message.answer(Translator(_language(message, person))("unknown-command"))


def build_router() -> Router:
    """A fresh router each time: aiogram attaches a router to one parent only."""
    router = Router(name="common")
    router.message.register(on_start, CommandStart())
    router.message.register(on_help, Command("help"))
    # Last: any other command gets a polite "unknown command".
    router.message.register(on_unknown_command, F.text.startswith("/"))
    return router
