"""``/statements <consultation>``: the statements citizens vote on, for facilitators and admins.

The list shows pending proposals (Accept / Reject) and the accepted statements with their
vote counts; "Write a statement" takes the next message as a new, accepted statement. From a
theme card (``/themes``, shown to those who may write statements: ``may_make_statements``)
"Make a statement" shows a draft — the theme's label and best quote —
that the facilitator sends back edited, or saves as it is. Every button names the
consultation and the statement (or theme); the use cases check both and the role, so a forged
or stale tap is answered and changes nothing. Actions are audited by the use cases.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter, or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from dialogs.callbacks import unpack_or_none
from dialogs.i18n import Translator
from dialogs.staff.roles import FACILITATORS, STATEMENT_COMMANDS, STATEMENT_PREFIXES, HasRole
from dialogs.staff.text import translator
from surveys.ports import UnitOfWorkFactory
from surveys.usecases.staff import Actor
from surveys.usecases.theme_views import theme_choices, trim
from surveys.usecases.voting import (
    MAX_LENGTH,
    MIN_LENGTH,
    STATEMENT_ROLES,
    CannotVote,
    StatementDraft,
    StatementSaved,
    StatementsView,
    draft_from_theme,
    list_statements,
    review_statement,
    write_statement,
)

ACCEPT, REJECT = "a", "r"
SHOWN = 20  # statements of each kind listed (a message holds 4,096 characters)
# FSM data while a statement is typed: consultation, theme (0: none), the draft.
CONSULTATION, THEME, DRAFT = "stm_c", "stm_t", "stm_d"


class StatementList(CallbackData, prefix="sl"):
    c: int


class StatementAct(CallbackData, prefix="st"):
    """Accept or reject (``a``) statement ``s`` of consultation ``c``."""

    c: int
    s: int
    a: str


class StatementWrite(CallbackData, prefix="sw"):
    c: int


class StatementFromTheme(CallbackData, prefix="sf"):
    """The theme card's "Make a statement": a draft from theme ``t``."""

    c: int
    t: int


class StatementSaveDraft(CallbackData, prefix="sv"):
    """Save the draft of theme ``t`` as it is (the draft's words are in the FSM data)."""

    c: int
    t: int


class StatementInput(StatesGroup):
    writing = State()


def may_make_statements(actor: Actor | None) -> bool:
    """Whether ``actor`` may write statements: this router lets them in (``FACILITATORS``) and
    the use cases allow it (``STATEMENT_ROLES``). The theme card shows "Make a statement" only
    then: a button its reader cannot use is not shown (analysts curate themes, nothing more)."""
    return actor is not None and actor.role in FACILITATORS and actor.role in STATEMENT_ROLES


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def _title(title: dict[str, str], language: str, fallback: str) -> str:
    return title.get(language) or next(iter(title.values()), fallback)


def list_view(_: Translator, view: StatementsView) -> tuple[str, InlineKeyboardMarkup]:
    c = view.consultation_id
    parts = [_("statements-title", title=_title(view.title, _.language, view.slug))]
    rows: list[list[InlineKeyboardButton]] = []
    if view.pending:
        lines = [_("statements-pending", count=len(view.pending))]
        for n, line in enumerate(view.pending[:SHOWN], 1):
            lines.append(f"{n}. {trim(line.statement.text, 200)}")
            s = line.statement.id or 0
            accept = StatementAct(c=c, s=s, a=ACCEPT).pack()
            reject = StatementAct(c=c, s=s, a=REJECT).pack()
            rows.append(
                [
                    _button(_("statements-accept", number=n), accept),
                    _button(_("statements-reject", number=n), reject),
                ]
            )
        parts.append("\n".join(lines))
    if view.accepted:
        lines = [_("statements-accepted", count=len(view.accepted))]
        lines += [
            f"{n}. {trim(line.statement.text, 200)} — {_('statements-votes', count=line.votes)}"
            for n, line in enumerate(view.accepted[:SHOWN], 1)
        ]
        parts.append("\n".join(lines))
    if not view.pending and not view.accepted:
        parts.append(_("statements-empty"))
    if view.rejected:
        parts.append(_("statements-rejected", count=view.rejected))
    rows.append([_button(_("statements-write"), StatementWrite(c=c).pack())])
    return "\n\n".join(parts), InlineKeyboardMarkup(inline_keyboard=rows)


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    with contextlib.suppress(TelegramBadRequest):  # nothing changed (a double tap)
        await message.edit_text(text, reply_markup=markup)


def _problem(_: Translator, outcome: object) -> str:
    if isinstance(outcome, CannotVote) and outcome.reason in {"too_short", "too_long", "closed"}:
        return _(f"statements-{outcome.reason.replace('_', '-')}", min=MIN_LENGTH, max=MAX_LENGTH)
    return _("statements-not-found")


async def on_statements(
    message: Message, command: CommandObject, state: FSMContext, **data: Any
) -> None:
    _ = translator(message, data.get("person"))
    if await state.get_state() == StatementInput.writing.state:
        await state.set_state(None)  # a new /statements abandons a statement half typed
    slug = (command.args or "").strip().lower()
    view = (
        await list_statements(data["uow_factory"], data["clock"], data["actor"], slug)
        if slug
        else None
    )
    if isinstance(view, StatementsView):
        text, markup = list_view(_, view)
        await message.answer(text, reply_markup=markup)
        return
    choices = await theme_choices(data["uow_factory"])
    rows = [
        [
            _button(
                _title(dict(c.title), _.language, c.slug), StatementList(c=c.consultation_id).pack()
            )
        ]
        for c in choices
    ]
    if not rows:
        await message.answer(_("statements-no-consultation"))
        return
    prompt = _("statements-unknown", slug=slug[:48]) if slug else _("statements-choose")
    await message.answer(prompt, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_list(query: CallbackQuery, **data: Any) -> None:
    _ = translator(query, data.get("person"))
    pick = unpack_or_none(StatementList, query.data)
    view = (
        await list_statements(data["uow_factory"], data["clock"], data["actor"], pick.c)
        if pick is not None
        else None
    )
    if not isinstance(view, StatementsView):
        await query.answer(_("statements-not-found"))
        return
    if isinstance(query.message, Message):
        await _edit(query.message, *list_view(_, view))
    await query.answer()


async def on_act(query: CallbackQuery, **data: Any) -> None:
    _ = translator(query, data.get("person"))
    act = unpack_or_none(StatementAct, query.data)
    if act is None or act.a not in {ACCEPT, REJECT}:
        await query.answer(_("statements-not-found"))
        return
    uow_factory: UnitOfWorkFactory = data["uow_factory"]
    outcome = await review_statement(
        uow_factory, data["clock"], data["actor"], act.c, act.s, act.a == ACCEPT
    )
    if not isinstance(outcome, StatementSaved):
        await query.answer(_problem(_, outcome))
        return
    view = await list_statements(uow_factory, data["clock"], data["actor"], act.c)
    if isinstance(query.message, Message) and isinstance(view, StatementsView):
        await _edit(query.message, *list_view(_, view))
    done = "statements-accepted-done" if act.a == ACCEPT else "statements-rejected-done"
    await query.answer(_(done))


async def on_write(query: CallbackQuery, state: FSMContext, **data: Any) -> None:
    _ = translator(query, data.get("person"))
    pick = unpack_or_none(StatementWrite, query.data)
    view = (
        await list_statements(data["uow_factory"], data["clock"], data["actor"], pick.c)
        if pick is not None
        else None
    )
    if pick is None or not isinstance(view, StatementsView):
        await query.answer(_("statements-not-found"))
        return
    await state.set_state(StatementInput.writing)
    await state.update_data({CONSULTATION: pick.c, THEME: 0, DRAFT: ""})
    if isinstance(query.message, Message):
        await query.message.answer(_("statements-write-prompt", max=MAX_LENGTH))
    await query.answer()


async def on_from_theme(query: CallbackQuery, state: FSMContext, **data: Any) -> None:
    _ = translator(query, data.get("person"))
    pick = unpack_or_none(StatementFromTheme, query.data)
    scrub: Callable[[str], str] = data.get("scrub") or (lambda text: text)
    draft = (
        await draft_from_theme(data["uow_factory"], data["actor"], pick.c, pick.t, scrub)
        if pick is not None
        else None
    )
    if pick is None or not isinstance(draft, StatementDraft):
        await query.answer(_("statements-not-found"))
        return
    await state.set_state(StatementInput.writing)
    await state.update_data({CONSULTATION: pick.c, THEME: pick.t, DRAFT: draft.text})
    save = _button(_("statements-save-draft"), StatementSaveDraft(c=pick.c, t=pick.t).pack())
    if isinstance(query.message, Message):
        await query.message.answer(
            _("statements-draft", draft=draft.text, max=MAX_LENGTH),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[save]]),
        )
    await query.answer()


async def _save(
    event: Message | CallbackQuery, state: FSMContext, text: str, data: dict[str, Any]
) -> str:
    """Store the statement being written; the reply to show (the state ends on success)."""
    _ = translator(event, data.get("person"))
    saved = await state.get_data()
    consultation_id, theme_id = int(saved.get(CONSULTATION, 0)), int(saved.get(THEME, 0))
    outcome = await write_statement(
        data["uow_factory"],
        data["clock"],
        data["actor"],
        consultation_id,
        text,
        language=_.language,
        theme_id=theme_id or None,
    )
    if isinstance(outcome, StatementSaved):
        await state.set_state(None)
        return _("statements-saved", text=outcome.statement.text)
    if not (isinstance(outcome, CannotVote) and outcome.reason in {"too_short", "too_long"}):
        await state.set_state(None)  # the consultation closed or vanished: stop waiting
    return _problem(_, outcome)


async def on_save_draft(query: CallbackQuery, state: FSMContext, **data: Any) -> None:
    _ = translator(query, data.get("person"))
    pick = unpack_or_none(StatementSaveDraft, query.data)
    saved = await state.get_data()
    waiting = await state.get_state() == StatementInput.writing.state
    if (
        pick is None
        or not waiting
        or int(saved.get(CONSULTATION, 0)) != pick.c
        or int(saved.get(THEME, 0)) != pick.t
        or not saved.get(DRAFT)
    ):
        await query.answer(_("statements-not-found"))  # saved already, or another draft now
        return
    reply = await _save(query, state, str(saved[DRAFT]), data)
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(reply)
    await query.answer()


async def on_text(message: Message, state: FSMContext, **data: Any) -> None:
    if not message.text:
        await message.answer(translator(message, data.get("person"))("statements-text-only"))
        return
    await message.answer(await _save(message, state, message.text, data))


def _not_a_command(message: Message) -> bool:
    return not (message.text or "").startswith("/")


def build_router() -> Router:
    router = Router(name="facilitator-statements")
    staff = HasRole(FACILITATORS)
    typing = StateFilter(StatementInput.writing)
    router.message.filter(
        F.chat.type == ChatType.PRIVATE, or_f(Command(*STATEMENT_COMMANDS), typing), staff
    )
    router.callback_query.filter(F.data.startswith(STATEMENT_PREFIXES), staff)
    router.message.register(on_statements, Command(*STATEMENT_COMMANDS))
    router.message.register(on_text, typing, _not_a_command)
    for kind, handler in (
        (StatementList, on_list),
        (StatementAct, on_act),
        (StatementWrite, on_write),
        (StatementFromTheme, on_from_theme),
        (StatementSaveDraft, on_save_draft),
    ):
        router.callback_query.register(handler, F.data.startswith(kind.__prefix__ + ":"))
    return router
