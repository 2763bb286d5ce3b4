"""Following projects: /follow, /unfollow, and the offer made after submitting a survey.

Announcements are per project (Opencare, OpenAgri, Sharing Cities…), not per consultation.
Buttons name a project by one of its consultations' ids, which fits in callback data whatever
the project's name; /stop (``privacy``) ends every follow at once.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from dialogs import callbacks as cb
from dialogs import keyboards
from dialogs.citizen.person import Person
from dialogs.i18n import Translator
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.citizens import (
    follow_project,
    followed_projects,
    get_consultation,
    projects,
    unfollow_project,
)
from surveys.usecases.outcomes import ConsultationNotFound


async def on_follow(message: Message, person: Person, uow_factory: UnitOfWorkFactory) -> None:
    _ = Translator(person.language)
    choices = await projects(uow_factory)
    if not choices:
        await message.answer(_("follow-none"))
        return
    following = (
        set(await followed_projects(uow_factory, person.participant_id))
        if person.participant_id is not None
        else set()
    )
    buttons = [
        (("🔔 " if c.project in following else "") + c.project, cb.Follow(c=c.id or 0).pack())
        for c in choices
    ]
    await message.answer(_("follow-choose"), reply_markup=keyboards.column(buttons))


async def on_follow_tap(
    query: CallbackQuery,
    callback_data: cb.Follow,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    _ = Translator(person.language)
    outcome = await follow_project(
        uow_factory,
        clock,
        pseudonym=person.pseudonym,
        language=person.language,
        chat_id=person.chat_id,
        consultation_id=callback_data.c,
    )
    if isinstance(outcome, ConsultationNotFound):
        await query.answer(_("follow-none"), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(_("follow-done", name=outcome.project))


async def on_unfollow(message: Message, person: Person, uow_factory: UnitOfWorkFactory) -> None:
    _ = Translator(person.language)
    following = (
        set(await followed_projects(uow_factory, person.participant_id))
        if person.participant_id is not None
        else set()
    )
    choices = [c for c in await projects(uow_factory) if c.project in following]
    if not choices:
        await message.answer(_("unfollow-none"))
        return
    buttons = [(c.project, cb.Unfollow(c=c.id or 0).pack()) for c in choices]
    await message.answer(_("unfollow-choose"), reply_markup=keyboards.column(buttons))


async def on_unfollow_tap(
    query: CallbackQuery,
    callback_data: cb.Unfollow,
    person: Person,
    uow_factory: UnitOfWorkFactory,
) -> None:
    _ = Translator(person.language)
    consultation = await get_consultation(uow_factory, callback_data.c)
    if consultation is None or person.participant_id is None:
        await query.answer(_("unfollow-none"), show_alert=True)
        return
    await unfollow_project(uow_factory, person.participant_id, consultation.project)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(_("unfollow-done", name=consultation.project))


def build_router() -> Router:
    router = Router(name="citizen-follow")
    router.message.register(on_follow, Command("follow"))
    router.callback_query.register(on_follow_tap, cb.Follow.filter())
    router.message.register(on_unfollow, Command("unfollow"))
    router.callback_query.register(on_unfollow_tap, cb.Unfollow.filter())
    return router
