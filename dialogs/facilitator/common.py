"""What the consultation handlers share: editing the screen in place, showing an outcome, and
the FSM key of a typed date being awaited."""

from __future__ import annotations

import contextlib

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from dialogs.facilitator.screens import problem_text, screen_keyboard, screen_text, when
from dialogs.i18n import Translator
from surveys.usecases.consultation_admin import (
    AdminOutcome,
    Changed,
    ConsultationView,
    Refused,
    UnknownConsultation,
)

INPUT_KEY = "consultation_input"  # FSM data: {"c": id, "f": field, "m": message id, "at": iso}


class ScheduleStates(StatesGroup):
    typing = State()  # a facilitator is asked to type a date


async def stop_waiting(state: FSMContext) -> None:
    """Forget a typed date being awaited; other FSM data (language, preview) stays."""
    if await state.get_state() == ScheduleStates.typing.state:
        await state.set_state(None)
    await state.update_data({INPUT_KEY: None})


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the tapped message. Telegram refuses an edit that changes nothing (a double
    tap); that is harmless."""
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_text(text, reply_markup=markup)


def done_note(_: Translator, action: str, view: ConsultationView, timezone: str) -> str:
    """One line saying what just happened, with the new time where there is one."""
    consultation = view.consultation
    if action == "consultation.opened":
        return _("cons-done-opened")
    if action == "consultation.closed":
        return _("cons-done-closed")
    if action == "consultation.published":
        return _("cons-done-published", opens=when(consultation.opens_at, _, timezone))
    if action == "consultation.opening_set":
        return _("cons-done-opening-set", opens=when(consultation.opens_at, _, timezone))
    return _("cons-done-closing-set", closes=when(consultation.closes_at, _, timezone))


async def show_outcome(
    query: CallbackQuery,
    _: Translator,
    outcome: AdminOutcome,
    action: str,
    timezone: str,
) -> None:
    """Edit the screen to the new state and answer the tap with what happened."""
    if isinstance(outcome, Changed):
        view = outcome.view
        note = done_note(_, action, view, timezone)
        if outcome.reopened:
            closes = when(view.consultation.closes_at, _, timezone)
            note = _("cons-done-reopened", closes=closes)
        await edit(query, screen_text(_, view, timezone, note), screen_keyboard(_, view))
        await query.answer(note[:190])
    elif isinstance(outcome, Refused):
        view = outcome.view
        await edit(query, screen_text(_, view, timezone), screen_keyboard(_, view))
        await query.answer(problem_text(_, outcome.problem), show_alert=True)
    elif isinstance(outcome, UnknownConsultation):
        await query.answer(_("cons-unknown"), show_alert=True)
    else:  # NotAllowed: the router's filter makes this unreachable
        await query.answer(_("unknown-command"))
