"""The person's rights and preferences: /mydata, /delete, /stop and /lang.

/mydata sends a JSON file of every row stored about the person (GDPR Art. 15); /delete erases
all of it after a confirmation tap (Art. 17); /stop ends reminders and announcements; /lang
switches between Italian and English (kept in the FSM until the person has a row of their own,
so that choosing a language stores nothing about someone who has not agreed to anything).
"""

from __future__ import annotations

import json

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from dialogs import callbacks as cb
from dialogs import keyboards
from dialogs.citizen.person import LANGUAGE_KEY, Person
from dialogs.citizen.render import edit_keyboard
from dialogs.i18n import LANGUAGES, Translator
from surveys.ports import UnitOfWorkFactory
from surveys.usecases import erase_participant, set_language
from surveys.usecases.citizens import export_everything, stop_messages
from surveys.usecases.outcomes import ParticipantNotFound

EXPORT_FILE_NAME = "ascolto-my-data.json"
LANGUAGE_NAMES = {"it": "🇮🇹 Italiano", "en": "🇬🇧 English"}


async def on_mydata(message: Message, person: Person, uow_factory: UnitOfWorkFactory) -> None:
    _ = Translator(person.language)
    if person.participant_id is None:
        await message.answer(_("mydata-nothing"))
        return
    export = await export_everything(uow_factory, person.participant_id)
    if isinstance(export, ParticipantNotFound):
        await message.answer(_("mydata-nothing"))
        return
    data = json.dumps(export, ensure_ascii=False, indent=2).encode("utf-8")
    await message.answer_document(
        BufferedInputFile(data, filename=EXPORT_FILE_NAME), caption=_("mydata-caption")
    )


async def on_delete(message: Message, person: Person) -> None:
    _ = Translator(person.language)
    if person.participant_id is None:
        await message.answer(_("mydata-nothing"))
        return
    await message.answer(
        _("delete-confirm"),
        reply_markup=keyboards.column(
            [
                (_("button-delete-yes"), cb.Erase(yes=1).pack()),
                (_("button-delete-no"), cb.Erase(yes=0).pack()),
            ]
        ),
    )


async def on_erase(
    query: CallbackQuery,
    callback_data: cb.Erase,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    state: FSMContext,
) -> None:
    _ = Translator(person.language)
    await query.answer()
    await edit_keyboard(query, None)
    if not callback_data.yes:
        text = _("delete-cancelled")
    else:
        if person.participant_id is not None:
            await erase_participant(uow_factory, person.participant_id)
        await state.clear()
        text = _("delete-done")
    if isinstance(query.message, Message):
        await query.message.answer(text)


async def on_stop(message: Message, person: Person, uow_factory: UnitOfWorkFactory) -> None:
    _ = Translator(person.language)
    if person.participant_id is None:
        await message.answer(_("stop-nothing"))
        return
    await stop_messages(uow_factory, person.participant_id)
    await message.answer(_("stop-done"))


async def on_lang(message: Message, person: Person) -> None:
    buttons = [(LANGUAGE_NAMES[code], cb.Language(code=code).pack()) for code in LANGUAGES]
    await message.answer(
        Translator(person.language)("lang-choose"), reply_markup=keyboards.column(buttons)
    )


async def on_language(
    query: CallbackQuery,
    callback_data: cb.Language,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    state: FSMContext,
) -> None:
    code = callback_data.code if callback_data.code in LANGUAGES else person.language
    if person.participant_id is not None:
        await set_language(uow_factory, person.participant_id, code)
    else:
        await state.update_data({LANGUAGE_KEY: code})
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(Translator(code)("lang-set"))


def build_router() -> Router:
    router = Router(name="citizen-privacy")
    router.message.register(on_mydata, Command("mydata"))
    router.message.register(on_delete, Command("delete"))
    router.callback_query.register(on_erase, cb.Erase.filter())
    router.message.register(on_stop, Command("stop"))
    router.message.register(on_lang, Command("lang"))
    router.callback_query.register(on_language, cb.Language.filter())
    return router
