"""Running consultations from the chat, for facilitators and admins: ``/consultations`` (every
consultation with its status, version and times), a management screen per consultation
(Preview, Publish, Open now, Close now with a second tap to confirm, Set opening, Set closing,
Extend), ``/preview <slug>``, and — in ``upload`` — a survey file sent as a document.

Each screen is edited in place after an action, showing the new state. Authorisation is the
routers' ``HasRole`` filter on messages and callbacks alike: whoever lacks the role falls
through to ``dialogs.staff.denial`` (audited, answered like an unknown command). The use cases
check the role again and audit every action (``surveys.usecases.consultation_admin``).
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from dialogs.citizen.person import Person
from dialogs.facilitator import preview, schedule, upload
from dialogs.facilitator.common import edit, show_outcome, stop_waiting
from dialogs.facilitator.screens import (
    CALLBACK_PREFIXES,
    Action,
    Field,
    Manage,
    Pick,
    confirm_close_keyboard,
    list_screen,
    screen_keyboard,
    screen_text,
    title_of,
)
from dialogs.staff.roles import CONSULTATION_COMMANDS, FACILITATORS, HasRole
from dialogs.staff.text import translator
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.schedule_input import DEFAULT_TIMEZONE
from surveys.usecases.consultation_admin import (
    ConsultationView,
    Problem,
    Refused,
    close_now,
    list_consultations,
    open_now,
    publish,
    show_consultation,
)
from surveys.usecases.staff import Actor

_FIELDS = {Action.SET_OPENING: Field.OPENING, Action.SET_CLOSING: Field.CLOSING}


async def on_consultations(
    message: Message,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> None:
    _ = translator(message, person)
    views = await list_consultations(uow_factory, clock, actor)
    if not isinstance(views, list):
        await message.answer(_("unknown-command"))
        return
    text, markup = list_screen(_, views, timezone)
    await message.answer(text, reply_markup=markup)


async def on_preview_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    state: FSMContext,
    person: Person | None = None,
) -> None:
    _ = translator(message, person)
    slug = (command.args or "").strip().lower()
    views = await list_consultations(uow_factory, clock, actor)
    if not isinstance(views, list) or person is None:
        await message.answer(_("unknown-command"))
        return
    found = next((view for view in views if view.consultation.slug == slug), None)
    if found is None:
        slugs = ", ".join(view.consultation.slug for view in views) or "–"
        await message.answer(_("cons-preview-usage", slugs=slugs))
        return
    problem = await preview.begin_preview(
        bot, message.chat.id, person, uow_factory, clock, actor, state, found.id
    )
    if problem is not None:
        await message.answer(problem)


async def on_manage(
    query: CallbackQuery,
    callback_data: Manage,
    bot: Bot,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    state: FSMContext,
    person: Person | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> None:
    _ = translator(query, person)
    action, consultation_id = callback_data.a, callback_data.c
    if action in _FIELDS or action == Action.EXTEND:
        field = _FIELDS.get(action, Field.EXTEND)
        await schedule.ask(
            query, _, state, clock, actor, uow_factory, consultation_id, field, timezone
        )
        return
    await stop_waiting(state)
    if action == Action.LIST:
        views = await list_consultations(uow_factory, clock, actor)
        if isinstance(views, list):
            text, markup = list_screen(_, views, timezone)
            await edit(query, text, markup)
        await query.answer()
    elif action in (Action.VIEW, Action.CLOSE):
        view = await show_consultation(uow_factory, clock, actor, consultation_id)
        if not isinstance(view, ConsultationView):
            await query.answer(_("cons-unknown"), show_alert=True)
            return
        if action == Action.VIEW:
            await edit(query, screen_text(_, view, timezone), screen_keyboard(_, view))
        else:  # closing is the one action that cannot be undone quietly: ask once more
            title = title_of(view, _.language)
            await edit(
                query, _("cons-confirm-close", title=title), confirm_close_keyboard(_, view.id)
            )
        await query.answer()
    elif action == Action.OPEN:
        outcome = await open_now(uow_factory, clock, actor, consultation_id)
        await show_outcome(query, _, outcome, "consultation.opened", timezone)
    elif action == Action.CLOSE_CONFIRMED:
        outcome = await close_now(uow_factory, clock, actor, consultation_id)
        await show_outcome(query, _, outcome, "consultation.closed", timezone)
    elif action == Action.PUBLISH:
        outcome = await publish(uow_factory, clock, actor, consultation_id)
        if isinstance(outcome, Refused) and outcome.problem is Problem.NEEDS_OPENING:
            # No opening time yet: ask for one, then publish.
            await schedule.ask(
                query, _, state, clock, actor, uow_factory, consultation_id, Field.PUBLISH, timezone
            )
            return
        await show_outcome(query, _, outcome, "consultation.published", timezone)
    elif action == Action.PREVIEW and person is not None and query.message is not None:
        problem = await preview.begin_preview(
            bot, query.message.chat.id, person, uow_factory, clock, actor, state, consultation_id
        )
        if problem is not None:
            await query.answer(problem, show_alert=True)
        else:
            await query.answer()
    else:
        await query.answer(_("cons-stale-button"))


async def on_malformed(query: CallbackQuery, person: Person | None = None) -> None:
    """A consultation button whose data does not parse (forged, or from an older bot)."""
    await query.answer(translator(query, person)("cons-stale-button"))


def build_routers() -> list[Router]:
    """In order: a survey file, a typed date being awaited, then commands and buttons."""
    router = Router(name="facilitator-consultations")
    facilitators = HasRole(FACILITATORS)
    router.message.filter(
        F.chat.type == ChatType.PRIVATE, Command(*CONSULTATION_COMMANDS), facilitators
    )
    router.callback_query.filter(F.data.startswith(CALLBACK_PREFIXES), facilitators)
    router.message.register(on_consultations, Command("consultations"))
    router.message.register(on_preview_command, Command("preview"))
    router.callback_query.register(on_manage, Manage.filter())
    router.callback_query.register(schedule.on_pick, Pick.filter())
    router.callback_query.register(on_malformed)
    return [upload.build_router(), schedule.build_router(), router]
