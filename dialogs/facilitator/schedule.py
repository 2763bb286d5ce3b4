"""Setting times: the opening, the closing, an extension. Buttons for the common choices
(now, tomorrow 09:00, in one or two weeks; one more day or week) and a typed date read in the
city's time zone (``surveys.schedule_input``: ``12/03 18:00``, ``domani 18:00``, ISO, …).

Asking for a typed date puts the facilitator in ``ScheduleStates.typing`` for a quarter of an
hour; the next plain text is read as the date. Anything unreadable is answered with examples
and the question stays open; a date the use case refuses (past, closing before opening) too.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import BaseFilter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from dialogs.citizen.person import Person
from dialogs.facilitator.common import (
    INPUT_KEY,
    ScheduleStates,
    done_note,
    edit,
    show_outcome,
    stop_waiting,
)
from dialogs.facilitator.screens import (
    Field,
    Pick,
    choices_keyboard,
    problem_text,
    screen_keyboard,
    screen_text,
    when,
)
from dialogs.i18n import Translator
from dialogs.staff.roles import FACILITATORS, HasRole
from dialogs.staff.text import translator
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.schedule_input import (
    CLOSING_TIME,
    DEFAULT_TIMEZONE,
    OPENING_TIME,
    InputProblem,
    Unreadable,
    days_later,
    parse_moment,
)
from surveys.usecases.consultation_admin import (
    AdminOutcome,
    Changed,
    ConsultationView,
    Refused,
    extend,
    open_now,
    publish,
    set_closing,
    set_opening,
    show_consultation,
)
from surveys.usecases.staff import Actor

WAIT_FOR_TYPING = timedelta(minutes=15)
_ACTIONS = {
    Field.PUBLISH: "consultation.published",
    Field.OPENING: "consultation.opening_set",
    Field.CLOSING: "consultation.closing_set",
    Field.EXTEND: "consultation.extended",
}


async def ask(
    query: CallbackQuery,
    _: Translator,
    state: FSMContext,
    clock: Clock,
    actor: Actor,
    uow_factory: UnitOfWorkFactory,
    consultation_id: int,
    field: str,
    timezone: str,
) -> None:
    """Show the choices for ``field`` in place of the screen and wait for a typed date."""
    view = await show_consultation(uow_factory, clock, actor, consultation_id)
    if not isinstance(view, ConsultationView):
        await query.answer(_("cons-unknown"), show_alert=True)
        return
    message_id = query.message.message_id if query.message is not None else None
    await state.set_state(ScheduleStates.typing)
    await state.update_data(
        {
            INPUT_KEY: {
                "c": consultation_id,
                "f": field,
                "m": message_id,
                "at": clock.now().isoformat(),
            }
        }
    )
    consultation = view.consultation
    text = _(
        f"cons-ask-{field}",
        opens=when(consultation.opens_at, _, timezone),
        closes=when(consultation.closes_at, _, timezone),
        timezone=timezone,
    )
    await edit(
        query, f"{text}\n\n{_('cons-typed-examples')}", choices_keyboard(_, consultation_id, field)
    )
    await query.answer()


def _choice_moment(field: str, choice: str, now: datetime, timezone: str) -> datetime | None:
    """The moment of a ready-made choice (``None`` for "now" and for extensions)."""
    if field in (Field.OPENING, Field.PUBLISH):
        days = {"t9": 1, "w1": 7, "w2": 14}.get(choice)
        return days_later(now, days, at=OPENING_TIME, timezone=timezone) if days else None
    days = {"t23": 1, "w1": 7, "w2": 14, "w4": 28}.get(choice)
    return days_later(now, days, at=CLOSING_TIME, timezone=timezone) if days else None


async def on_pick(
    query: CallbackQuery,
    callback_data: Pick,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    state: FSMContext,
    person: Person | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> None:
    _ = translator(query, person)
    field, choice, consultation_id = callback_data.f, callback_data.k, callback_data.c
    now = clock.now()
    outcome: AdminOutcome
    action = _ACTIONS.get(field, "")
    if field in (Field.OPENING, Field.PUBLISH) and choice == "now":
        outcome = await open_now(uow_factory, clock, actor, consultation_id)
        action = "consultation.opened"
    elif field == Field.EXTEND and choice in ("d1", "d7", "d14"):
        days = int(choice[1:])
        outcome = await extend(
            uow_factory, clock, actor, consultation_id, days=days, timezone=timezone
        )
    else:
        moment = _choice_moment(field, choice, now, timezone)
        if moment is None or field == Field.EXTEND:
            await query.answer(_("cons-stale-button"))
            return
        outcome = await apply_moment(uow_factory, clock, actor, consultation_id, field, moment)
    if isinstance(outcome, Changed):
        await stop_waiting(state)
    await show_outcome(query, _, outcome, action, timezone)


async def apply_moment(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    consultation_id: int,
    field: str,
    moment: datetime,
) -> AdminOutcome:
    """An opening (and publishing, if asked for it) or a closing time (an extension is one)."""
    if field in (Field.OPENING, Field.PUBLISH):
        outcome = await set_opening(uow_factory, clock, actor, consultation_id, moment)
        if field == Field.PUBLISH and isinstance(outcome, Changed):
            outcome = await publish(uow_factory, clock, actor, consultation_id)
        return outcome
    return await set_closing(uow_factory, clock, actor, consultation_id, moment)


class AwaitingDate(BaseFilter):
    """Passes when this person was asked to type a date less than 15 minutes ago; hands the
    question on as ``asked``."""

    async def __call__(
        self, message: Message, state: FSMContext, clock: Clock
    ) -> bool | dict[str, Any]:
        if await state.get_state() != ScheduleStates.typing.state:
            return False
        asked = (await state.get_data()).get(INPUT_KEY)
        if not isinstance(asked, dict):
            return False
        try:
            at = datetime.fromisoformat(str(asked["at"]))
            consultation_id, field = int(asked["c"]), str(asked["f"])
        except (KeyError, TypeError, ValueError):
            return False
        if clock.now() - at > WAIT_FOR_TYPING or field not in _ACTIONS:
            await stop_waiting(state)  # too old: the text is not meant as a date any more
            return False
        return {"asked": {"c": consultation_id, "f": field, "m": asked.get("m")}}


async def on_typed_date(
    message: Message,
    bot: Bot,
    asked: dict[str, Any],
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    state: FSMContext,
    person: Person | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> None:
    _ = translator(message, person)
    field, consultation_id = asked["f"], asked["c"]
    default = OPENING_TIME if field in (Field.OPENING, Field.PUBLISH) else CLOSING_TIME
    moment = parse_moment(message.text or "", clock.now(), timezone=timezone, default_time=default)
    if isinstance(moment, Unreadable):
        await message.answer(_unreadable(_, moment) + "\n\n" + _("cons-typed-examples"))
        return
    outcome = await apply_moment(uow_factory, clock, actor, consultation_id, field, moment)
    if isinstance(outcome, Refused):
        await message.answer(problem_text(_, outcome.problem) + "\n\n" + _("cons-typed-examples"))
        return
    if not isinstance(outcome, Changed):
        await stop_waiting(state)
        await message.answer(_("cons-unknown"))
        return
    await stop_waiting(state)
    if isinstance(asked.get("m"), int):  # the question's buttons are spent
        # An old or deleted message has nothing to tidy up.
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=asked["m"])
    view = outcome.view
    note = done_note(_, _ACTIONS[field], view, timezone)
    if outcome.reopened:
        note = _("cons-done-reopened", closes=when(view.consultation.closes_at, _, timezone))
    await message.answer(
        screen_text(_, view, timezone, note), reply_markup=screen_keyboard(_, view)
    )


def _unreadable(_: Translator, problem: Unreadable) -> str:
    if problem.problem is InputProblem.NONEXISTENT and problem.wall_time is not None:
        return _(
            "cons-typed-nonexistent",
            day=problem.wall_time.strftime("%d/%m/%Y"),
            time=problem.wall_time.strftime("%H:%M"),
        )
    if problem.problem is InputProblem.INVALID_DATE:
        return _("cons-typed-invalid")
    return _("cons-typed-unreadable")


def build_router() -> Router:
    """The typed date (the buttons' callbacks are registered by ``consultations``)."""
    router = Router(name="facilitator-schedule-typed")
    router.message.filter(
        F.chat.type == ChatType.PRIVATE,
        StateFilter(ScheduleStates.typing),  # AwaitingDate's first check, without a storage read
        F.text,
        ~F.text.startswith("/"),
        AwaitingDate(),
        HasRole(FACILITATORS),
    )
    router.message.register(on_typed_date)
    return router
