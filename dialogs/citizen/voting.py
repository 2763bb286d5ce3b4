"""Voting on statements in the chat: ``/vote``, one statement at a time, and proposals.

``/vote`` (or the button offered after finishing a survey) shows the next statement of an
open consultation the person joined: Agree / Disagree / Pass, Stop, Propose a statement.
A tap stores the vote, marks the choice on that message — its buttons stay, so a later tap
changes the vote — and sends the next statement. Nothing is kept between statements: the next
one is read from the database each time (fewest votes first, never one already voted on), so
Stop needs no state and ``/vote`` resumes where the person left off, after a restart too.

Buttons carry the consultation and statement ids; the use cases check both, so a forged,
stale or malformed tap is answered and changes nothing. A proposal is the next message after
"Propose": it waits for a facilitator (``/statements``) and is shown to nobody before that.
"""

from __future__ import annotations

import contextlib

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from dialogs.callbacks import unpack_or_none
from dialogs.citizen.person import Person
from dialogs.i18n import Translator
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.voting import (
    MAX_LENGTH,
    MIN_LENGTH,
    AllVoted,
    CannotVote,
    NextStatement,
    StatementProposed,
    VotingTarget,
    cast_vote,
    next_statement,
    propose_statement,
    voting_targets,
)
from surveys.voting import VoteValue

VALUE_KEYS = {
    VoteValue.AGREE: "vote-agree",
    VoteValue.DISAGREE: "vote-disagree",
    VoteValue.PASS: "vote-pass",
}
NEXT, STOP, PROPOSE = "n", "x", "p"
PROPOSING_IN = "vote_c"  # FSM data: the consultation a proposal is for


class VoteTap(CallbackData, prefix="vt"):
    """A vote ``v`` (1 agree, -1 disagree, 0 pass) on statement ``s`` of consultation ``c``."""

    c: int
    s: int
    v: int


class VoteMenu(CallbackData, prefix="vm"):
    """Consultation ``c``: the next statement (``n``), stop (``x``) or propose one (``p``)."""

    c: int
    a: str


class VoteStates(StatesGroup):
    proposing = State()  # the next text is a proposed statement


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def _statement_markup(
    _: Translator, c: int, s: int, chosen: VoteValue | None = None, menu: bool = True
) -> InlineKeyboardMarkup:
    def label(value: VoteValue) -> str:
        return ("✓ " if value == chosen else "") + _(VALUE_KEYS[value])

    rows = [[_button(label(v), VoteTap(c=c, s=s, v=int(v)).pack()) for v in VALUE_KEYS]]
    if menu:
        rows.append(
            [
                _button(_("vote-stop"), VoteMenu(c=c, a=STOP).pack()),
                _button(_("vote-propose"), VoteMenu(c=c, a=PROPOSE).pack()),
            ]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _statement_text(_: Translator, shown: NextStatement) -> str:
    number = min(shown.voted + 1, shown.total)
    return _("vote-statement", number=number, total=shown.total, text=shown.statement.text)


def _refusal(_: Translator, refused: CannotVote) -> str:
    return _(f"vote-refused-{refused.reason}", min=MIN_LENGTH, max=MAX_LENGTH)


async def show_next(
    bot: Bot,
    chat_id: int,
    _: Translator,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    consultation_id: int,
) -> None:
    """Send the next statement of the consultation, or say that everything is voted."""
    if person.participant_id is None:
        await bot.send_message(chat_id, _("vote-refused-not_joined"))
        return
    shown = await next_statement(uow_factory, clock, person.participant_id, consultation_id)
    if isinstance(shown, NextStatement):
        assert shown.statement.id is not None
        await bot.send_message(
            chat_id,
            _statement_text(_, shown),
            reply_markup=_statement_markup(_, consultation_id, shown.statement.id),
        )
    elif isinstance(shown, AllVoted):
        propose = _button(_("vote-propose"), VoteMenu(c=consultation_id, a=PROPOSE).pack())
        markup = InlineKeyboardMarkup(inline_keyboard=[[propose]])
        await bot.send_message(chat_id, _("vote-all-done", count=shown.voted), reply_markup=markup)
    else:
        await bot.send_message(chat_id, _refusal(_, shown))


async def offer_voting(
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    consultation_id: int,
    language: str,
) -> None:
    """After a survey is submitted: a button to vote, when there is something to vote on."""
    targets = await voting_targets(uow_factory, clock, person.participant_id)
    if not any(t.consultation_id == consultation_id and t.remaining for t in targets):
        return
    _ = Translator(language)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[_button(_("vote-start"), VoteMenu(c=consultation_id, a=NEXT).pack())]]
    )
    await bot.send_message(person.chat_id, _("vote-offer"), reply_markup=markup)


def _title(target: VotingTarget, language: str) -> str:
    return target.title.get(language) or next(iter(target.title.values()), target.slug)


async def on_vote(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    _ = Translator(person.language)
    if await state.get_state() == VoteStates.proposing.state:
        await state.set_state(None)  # /vote again abandons a proposal not yet written
    targets = await voting_targets(uow_factory, clock, person.participant_id)
    slug = (command.args or "").strip().lower()
    if slug:
        targets = [t for t in targets if t.slug == slug] or targets
    if not targets:
        await message.answer(_("vote-none"))
        return
    if len(targets) == 1:
        await show_next(
            bot, message.chat.id, _, person, uow_factory, clock, targets[0].consultation_id
        )
        return
    rows = [
        [_button(_title(t, person.language), VoteMenu(c=t.consultation_id, a=NEXT).pack())]
        for t in targets
    ]
    await message.answer(_("vote-choose"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_tap(
    query: CallbackQuery,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    _ = Translator(person.language)
    tap = unpack_or_none(VoteTap, query.data)
    if tap is None or tap.v not in {int(v) for v in VoteValue} or person.participant_id is None:
        await query.answer(_("vote-refused-not_found"))
        return
    value = VoteValue(tap.v)
    outcome = await cast_vote(uow_factory, clock, person.participant_id, tap.c, tap.s, value)
    if isinstance(outcome, CannotVote):
        await query.answer(_refusal(_, outcome), show_alert=outcome.reason == "closed")
        return
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        # The choice is marked and the buttons stay, so a later tap changes the vote; an edit
        # that changes nothing (the same tap twice) is refused by Telegram: nothing to do.
        with contextlib.suppress(TelegramBadRequest):
            await message.edit_reply_markup(
                reply_markup=_statement_markup(_, tap.c, tap.s, value, menu=False)
            )
    if outcome.changed:
        await query.answer(_("vote-changed", choice=_(VALUE_KEYS[value])))
        return
    chat_id = message.chat.id if message is not None else person.chat_id
    await show_next(bot, chat_id, _, person, uow_factory, clock, tap.c)
    await query.answer(_("vote-recorded"))


async def on_menu(
    query: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    _ = Translator(person.language)
    pick = unpack_or_none(VoteMenu, query.data)
    targets = await voting_targets(uow_factory, clock, person.participant_id)
    if pick is None or pick.a not in {NEXT, STOP, PROPOSE}:
        await query.answer(_("vote-refused-not_found"))
        return
    if not any(t.consultation_id == pick.c for t in targets):
        await query.answer(_("vote-unavailable"), show_alert=True)
        return
    message = query.message if isinstance(query.message, Message) else None
    chat_id = message.chat.id if message is not None else person.chat_id
    if pick.a == STOP:
        if message is not None:
            with contextlib.suppress(TelegramBadRequest):
                await message.edit_reply_markup(reply_markup=None)
        await bot.send_message(chat_id, _("vote-paused"))
    elif pick.a == PROPOSE:
        await state.set_state(VoteStates.proposing)
        await state.update_data({PROPOSING_IN: pick.c})
        await bot.send_message(chat_id, _("vote-propose-prompt", max=MAX_LENGTH))
    else:
        await show_next(bot, chat_id, _, person, uow_factory, clock, pick.c)
    await query.answer()


async def on_proposal(
    message: Message,
    state: FSMContext,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    _ = Translator(person.language)
    consultation_id = int((await state.get_data()).get(PROPOSING_IN, 0))
    if person.participant_id is None or not consultation_id:
        await state.set_state(None)
        await message.answer(_("vote-refused-not_joined"))
        return
    text = message.text or ""
    outcome = await propose_statement(
        uow_factory, clock, person.participant_id, consultation_id, text, person.language
    )
    if isinstance(outcome, StatementProposed):
        await state.set_state(None)
        await message.answer(_("vote-proposed"))
        return
    if outcome.reason not in {"too_short", "too_long"}:
        await state.set_state(None)  # a closed consultation: typing again will not help
    await message.answer(_refusal(_, outcome))


def _own_text(message: Message) -> bool:
    return bool(message.text) and not (message.text or "").startswith("/")


def build_router() -> Router:
    """Include before the survey router: a proposal being written is not a typed answer."""
    router = Router(name="citizen-voting")
    router.message.register(on_vote, Command("vote"))
    router.message.register(
        on_proposal, StateFilter(VoteStates.proposing), _own_text, F.forward_origin.is_(None)
    )
    router.callback_query.register(on_tap, F.data.startswith(VoteTap.__prefix__ + ":"))
    router.callback_query.register(on_menu, F.data.startswith(VoteMenu.__prefix__ + ":"))
    return router
