"""``/themes <consultation>``: the themes in the chat, for analysts, facilitators and admins.

``/themes`` without a slug offers a button per consultation. The list shows the published
themes, largest first, eight per page: label, answers, share of respondents, answers of the
last seven days, two short quotes; themes hidden by staff on a line of their own with an
Unhide button. Before any theme run the reply offers "Find themes now", which asks the
themes worker (the ``themes_runner`` port in the dispatcher's data: dialogs never import
``bot``) for a full clustering in the background and follows it in one progress message.

A theme's button opens its card (keywords, every answer five at a time, a breakdown by each
single-choice question with small cells suppressed) with the curation buttons: rename and
split (the next message is the new name, or the word whose answers split off), merge into
another theme, move one answer (from the card's answers) and hide/unhide. Each calls one
audited use case of ``surveys.usecases.theme_views`` (which wraps ``surveys.usecases.themes``,
so every edit is replayed after a re-clustering) and the card is edited in place.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from dialogs.analyst import themes_view as view
from dialogs.analyst.themes_keys import (
    CANCEL,
    HIDE,
    MERGE,
    RENAME,
    SOURCES,
    SPLIT,
    UNHIDE,
    UNHIDE_FROM_LIST,
    ThemeAct,
    ThemeFind,
    ThemeList,
    ThemeMerge,
    ThemeMovePick,
    ThemeMoveTo,
    ThemeOpen,
)
from dialogs.analyst.themes_progress import DEFAULT_EVERY, ChatProgress
from dialogs.callbacks import unpack_or_none
from dialogs.citizen.person import Person
from dialogs.facilitator.statements import may_make_statements
from dialogs.i18n import Translator
from dialogs.staff.roles import ALL_STAFF, THEMES_COMMANDS, THEMES_PREFIXES, HasRole
from dialogs.staff.text import translator
from surveys.ports import Clock, ThemesRunner, UnitOfWorkFactory
from surveys.usecases.outcomes import ConsultationNotFound
from surveys.usecases.staff import Actor, NotAllowed
from surveys.usecases.theme_views import (
    ThemeCard,
    ThemesSummary,
    hide_in,
    merge_in,
    move_in,
    rename_in,
    split_by_word,
    theme_card,
    theme_choices,
    themes_summary,
)
from surveys.usecases.themes import Curated, CurationRejected, ThemeNotFound

DEFAULT_MIN_GROUP_SIZE = 5
Scrubber = Callable[[str], str]
# FSM data keys while a name or a split word is being typed.
CONSULTATION, THEME, CARD = "themes_c", "themes_t", "themes_m"


class ThemeInput(StatesGroup):
    rename = State()
    split = State()


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    # An edit that changes nothing (a double tap) is refused by Telegram: nothing to do.
    with contextlib.suppress(TelegramBadRequest):
        await message.edit_text(text, reply_markup=markup)


def _problem(_: Translator, outcome: object, min_group_size: int, word: str = "") -> str:
    if isinstance(outcome, CurationRejected):
        known = {"too_small", "no_match", "all_match", "same_theme", "not_member"}
        if outcome.reason == "label_length":
            return _("themes-label-length")
        reason = outcome.reason if outcome.reason in known else "other"
        return _(f"themes-rejected-{reason}", min=min_group_size, word=word)
    return _("themes-not-found")  # ThemeNotFound, NotAllowed, a vanished consultation


class _Context:
    """What every handler of this module gets from the dispatcher's data."""

    def __init__(
        self,
        event: Message | CallbackQuery,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        actor: Actor,
        scrub: Scrubber,
        min_group_size: int,
        person: Person | None,
        quotable: Callable[[str], bool] | None,
    ) -> None:
        self._ = translator(event, person)
        self.quotable = quotable
        self.uow_factory = uow_factory
        self.clock = clock
        self.actor = actor
        self.scrub = scrub
        self.min_group_size = min_group_size

    def card_view(self, card: ThemeCard) -> tuple[str, InlineKeyboardMarkup]:
        # "Make a statement" only for those who may write statements (not analysts).
        return view.card_view(self._, card, make_statements=may_make_statements(self.actor))

    async def summary(
        self, consultation: str | int, uow_factory: UnitOfWorkFactory | None = None
    ) -> ThemesSummary | ConsultationNotFound | NotAllowed:
        return await themes_summary(
            uow_factory or self.uow_factory,
            self.clock,
            self.actor,
            consultation,
            self.min_group_size,
            scrub=self.scrub,
            **({"quotable": self.quotable} if self.quotable is not None else {}),
        )

    async def card(
        self, consultation_id: int, theme_id: int, page: int = 0
    ) -> ThemeCard | ThemeNotFound | NotAllowed:
        return await theme_card(
            self.uow_factory,
            self.clock,
            self.actor,
            consultation_id,
            theme_id,
            page,
            self.min_group_size,
            scrub=self.scrub,
        )


def _context(event: Message | CallbackQuery, data: dict[str, Any]) -> _Context:
    return _Context(
        event,
        data["uow_factory"],
        data["clock"],
        data["actor"],
        data["scrub"],
        int(data.get("min_group_size", DEFAULT_MIN_GROUP_SIZE)),
        data.get("person"),
        data.get("quotable"),  # quotes fit to print (nlp/offensive.py), when wired
    )


# --- the command ----------------------------------------------------------------------------


async def on_themes(
    message: Message, command: CommandObject, state: FSMContext, **data: Any
) -> None:
    ctx = _context(message, data)
    _ = ctx._
    if await state.get_state() in {ThemeInput.rename.state, ThemeInput.split.state}:
        await state.set_state(None)  # a new /themes abandons a half-typed name
    slug = (command.args or "").strip().lower()
    summary = await ctx.summary(slug) if slug else None
    if not isinstance(summary, ThemesSummary):
        choices = await theme_choices(ctx.uow_factory)
        if not choices:
            text = _("themes-none")
        else:
            text = _("themes-unknown", slug=slug[:48]) if slug else _("themes-choose")
        await message.answer(text, reply_markup=view.choices_markup(choices, _.language))
        return
    text, markup = view.summary_view(_, summary, 0)
    await message.answer(text, reply_markup=markup)


# --- list and card ------------------------------------------------------------------------


async def on_list(query: CallbackQuery, **data: Any) -> None:
    ctx = _context(query, data)
    pick = unpack_or_none(ThemeList, query.data)
    summary = await ctx.summary(pick.c) if pick is not None else None
    if pick is None or not isinstance(summary, ThemesSummary):
        await query.answer(ctx._("themes-not-found"))
        return
    if isinstance(query.message, Message):
        await _edit(query.message, *view.summary_view(ctx._, summary, pick.p))
    await query.answer()  # after the edit: whoever waits for the answer sees the new screen


async def on_open(query: CallbackQuery, **data: Any) -> None:
    ctx = _context(query, data)
    pick = unpack_or_none(ThemeOpen, query.data)
    card = await ctx.card(pick.c, pick.t, pick.p) if pick is not None else None
    if not isinstance(card, ThemeCard):
        await query.answer(ctx._("themes-not-found"))
        return
    if isinstance(query.message, Message):
        await _edit(query.message, *ctx.card_view(card))
    await query.answer()


async def _show_card(
    ctx: _Context, message: Message | None, consultation_id: int, theme_id: int, page: int = 0
) -> None:
    """The card edited in place; the list instead when the theme is gone (merged away)."""
    if message is None:
        return
    card = await ctx.card(consultation_id, theme_id, page)
    if isinstance(card, ThemeCard):
        await _edit(message, *ctx.card_view(card))
        return
    summary = await ctx.summary(consultation_id)
    if isinstance(summary, ThemesSummary):
        await _edit(message, *view.summary_view(ctx._, summary, 0))


# --- curation buttons ---------------------------------------------------------------------


async def on_act(query: CallbackQuery, state: FSMContext, **data: Any) -> None:
    ctx = _context(query, data)
    _ = ctx._
    act = unpack_or_none(ThemeAct, query.data)
    message = query.message if isinstance(query.message, Message) else None
    if act is None:
        await query.answer(_("themes-not-found"))
        return
    if act.a == CANCEL:
        await state.set_state(None)
        if message is not None:
            await _edit(message, _("themes-cancelled"), None)
        await query.answer(_("themes-cancelled"))
        return
    if act.a in {HIDE, UNHIDE, UNHIDE_FROM_LIST}:
        hidden = act.a == HIDE
        outcome = await hide_in(ctx.uow_factory, ctx.clock, ctx.actor, act.c, act.t, hidden)
        if not isinstance(outcome, Curated):
            await query.answer(_problem(_, outcome, ctx.min_group_size))
            return
        if act.a == UNHIDE_FROM_LIST:
            summary = await ctx.summary(act.c)
            if message is not None and isinstance(summary, ThemesSummary):
                await _edit(message, *view.summary_view(_, summary, act.p))
        else:
            await _show_card(ctx, message, act.c, act.t)
        await query.answer(_("themes-hidden-done" if hidden else "themes-unhidden-done"))
        return
    card = await ctx.card(act.c, act.t)
    if not isinstance(card, ThemeCard) or act.a not in {RENAME, SPLIT, MERGE}:
        await query.answer(_("themes-not-found"))
        return
    if message is None:
        await query.answer()
        return
    if act.a == MERGE:
        summary = await ctx.summary(act.c)
        if isinstance(summary, ThemesSummary):
            await _edit(message, *view.merge_view(_, summary, act.t, card.line.label))
        await query.answer()
        return
    await state.set_state(ThemeInput.rename if act.a == RENAME else ThemeInput.split)
    await state.update_data({CONSULTATION: act.c, THEME: act.t, CARD: message.message_id})
    prompt = "themes-rename-prompt" if act.a == RENAME else "themes-split-prompt"
    await message.answer(
        _(prompt, label=card.line.label), reply_markup=view.cancel_markup(_, act.c, act.t)
    )
    await query.answer()


async def on_merge(query: CallbackQuery, **data: Any) -> None:
    ctx = _context(query, data)
    pick = unpack_or_none(ThemeMerge, query.data)
    if pick is None:
        await query.answer(ctx._("themes-not-found"))
        return
    outcome = await merge_in(ctx.uow_factory, ctx.clock, ctx.actor, pick.c, pick.t, pick.i)
    if not isinstance(outcome, Curated):
        await query.answer(_problem(ctx._, outcome, ctx.min_group_size))
        return
    card = await ctx.card(pick.c, pick.i)
    label = card.line.label if isinstance(card, ThemeCard) else ""
    message = query.message if isinstance(query.message, Message) else None
    await _show_card(ctx, message, pick.c, pick.i)
    await query.answer(ctx._("themes-merged", label=label))


async def on_move_pick(query: CallbackQuery, **data: Any) -> None:
    ctx = _context(query, data)
    pick = unpack_or_none(ThemeMovePick, query.data)
    card = await ctx.card(pick.c, pick.t, pick.p) if pick is not None else None
    ref = (SOURCES.get(pick.s, ""), pick.n) if pick is not None else None
    quotes = card.quotes if isinstance(card, ThemeCard) else ()
    quote = next((q.text for q in quotes if q.ref == ref), None)
    summary = await ctx.summary(pick.c) if pick is not None and quote is not None else None
    if pick is None or quote is None or not isinstance(summary, ThemesSummary):
        await query.answer(ctx._("themes-not-found"))
        return
    if isinstance(query.message, Message):
        await _edit(
            query.message, *view.move_view(ctx._, summary, pick.t, pick.s, pick.n, quote, pick.p)
        )
    await query.answer()


async def on_move_to(query: CallbackQuery, **data: Any) -> None:
    ctx = _context(query, data)
    pick = unpack_or_none(ThemeMoveTo, query.data)
    if pick is None or pick.s not in SOURCES:
        await query.answer(ctx._("themes-not-found"))
        return
    ref = (SOURCES[pick.s], pick.n)
    to = pick.i or None
    outcome = await move_in(ctx.uow_factory, ctx.clock, ctx.actor, pick.c, ref, to)
    if not isinstance(outcome, Curated):
        await query.answer(_problem(ctx._, outcome, ctx.min_group_size))
        return
    message = query.message if isinstance(query.message, Message) else None
    await _show_card(ctx, message, pick.c, pick.t)
    await query.answer(ctx._("themes-moved"))


# --- typed names ----------------------------------------------------------------------------


async def on_text(message: Message, state: FSMContext, bot: Bot, **data: Any) -> None:
    ctx = _context(message, data)
    _ = ctx._
    if not message.text:
        await message.answer(_("themes-text-only"))
        return
    saved = await state.get_data()
    consultation_id, theme_id = int(saved.get(CONSULTATION, 0)), int(saved.get(THEME, 0))
    renaming = await state.get_state() == ThemeInput.rename.state
    word = " ".join(message.text.split())
    outcome: object
    if renaming:
        outcome = await rename_in(
            ctx.uow_factory, ctx.clock, ctx.actor, consultation_id, theme_id, message.text
        )
    else:
        outcome = await split_by_word(
            ctx.uow_factory,
            ctx.clock,
            ctx.actor,
            consultation_id,
            theme_id,
            message.text,
            ctx.min_group_size,
        )
    if not isinstance(outcome, Curated):
        # A bad name or word can be typed again; a theme that is gone ends the exchange.
        if not isinstance(outcome, CurationRejected):
            await state.set_state(None)
        await message.answer(_problem(_, outcome, ctx.min_group_size, word[:80]))
        return
    await state.set_state(None)
    # The card first, then the confirmation: whoever reads the confirmation sees the new card.
    card = await ctx.card(consultation_id, theme_id)
    if isinstance(card, ThemeCard) and saved.get(CARD):
        text, markup = ctx.card_view(card)
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_text(
                text=text, chat_id=message.chat.id, message_id=int(saved[CARD]), reply_markup=markup
            )
    done = "themes-renamed" if renaming else "themes-split-done"
    await message.answer(_(done, label=word[:80]))


# --- finding themes -----------------------------------------------------------------------


async def on_find(query: CallbackQuery, bot: Bot, **data: Any) -> None:
    ctx = _context(query, data)
    _ = ctx._
    runner: ThemesRunner | None = data.get("themes_runner")
    pick = unpack_or_none(ThemeFind, query.data)
    summary = await ctx.summary(pick.c) if pick is not None else None
    if not isinstance(summary, ThemesSummary) or query.from_user is None:
        await query.answer(_("themes-not-found"))
        return
    if runner is None:
        await query.answer(_("themes-progress-failed"))
        return
    if runner.busy(summary.slug):
        await query.answer(_("themes-already-running"))
        return
    await query.answer()
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    sent = await bot.send_message(chat_id, _("themes-progress-start"))
    consultation_id = summary.consultation_id

    async def then(uow_factory: UnitOfWorkFactory) -> None:
        # The update that asked is over: the run's own unit-of-work factory reads the result.
        fresh = await ctx.summary(consultation_id, uow_factory)
        if isinstance(fresh, ThemesSummary):
            text, markup = view.summary_view(_, fresh, 0)
            await bot.send_message(chat_id, text, reply_markup=markup)

    every = float(data.get("themes_progress_every", DEFAULT_EVERY))
    progress = ChatProgress(bot, chat_id, sent.message_id, _, then, every=every)
    if not runner.run_full(summary.slug, progress.update, progress.finish):
        with contextlib.suppress(TelegramBadRequest):
            await sent.edit_text(_("themes-already-running"))
        return
    progress.start()


def build_router() -> Router:
    router = Router(name="analyst-themes")
    staff = HasRole(ALL_STAFF)
    typing = StateFilter(ThemeInput.rename, ThemeInput.split)
    router.message.filter(
        F.chat.type == ChatType.PRIVATE, or_f(Command(*THEMES_COMMANDS), typing), staff
    )
    router.callback_query.filter(F.data.startswith(THEMES_PREFIXES), staff)
    router.message.register(on_themes, Command(*THEMES_COMMANDS))
    router.message.register(on_text, typing, _not_a_command)
    router.callback_query.register(on_list, F.data.startswith(ThemeList.__prefix__ + ":"))
    router.callback_query.register(on_open, F.data.startswith(ThemeOpen.__prefix__ + ":"))
    router.callback_query.register(on_act, F.data.startswith(ThemeAct.__prefix__ + ":"))
    router.callback_query.register(on_merge, F.data.startswith(ThemeMerge.__prefix__ + ":"))
    router.callback_query.register(on_move_pick, F.data.startswith(ThemeMovePick.__prefix__ + ":"))
    router.callback_query.register(on_move_to, F.data.startswith(ThemeMoveTo.__prefix__ + ":"))
    router.callback_query.register(on_find, F.data.startswith(ThemeFind.__prefix__ + ":"))
    return router


def _not_a_command(message: Message) -> bool:
    return not (message.text or "").startswith("/")
