"""Moderation in the chat: ``/ideas <slug>``, ``/answers <slug>``, ``/blocked``.

``/ideas`` and ``/answers`` page through a consultation's ideas or free-text answers (five per
page, newest first, hidden ones marked). Each text has a Hide / Show button and, when it still
has an author, a Block button that asks for a second tap before blocking. Authors appear only
as a short pseudonymous handle (``#a1b2c3``): staff never see who a participant is.
``/blocked`` lists blocked participants with an Unblock button.

Buttons carry the text's id (``mh:i:12:1``), never a participant's: blocking goes through the
text, so a facilitator can only block the author of something they were shown. Every action
is a use case in ``surveys.usecases.moderation``, which checks the role again and audits.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from dialogs.callbacks import unpack_or_none
from dialogs.citizen.person import Person
from dialogs.facilitator.editing import edit_markup, edit_text
from dialogs.i18n import Translator
from dialogs.staff.roles import FACILITATORS, MODERATION_COMMANDS, MODERATION_PREFIXES, HasRole
from dialogs.staff.text import translator
from surveys.entities import ModeratedText, TextSource
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.moderation import (
    PAGE_SIZE,
    BlockedParticipant,
    BlockSet,
    ModerationPage,
    VisibilitySet,
    author_of,
    block_author,
    handle,
    list_blocked,
    list_for_moderation,
    set_visibility,
    unblock_participant,
)
from surveys.usecases.outcomes import ConsultationNotFound
from surveys.usecases.staff import Actor, NotAllowed

SHOWN_CHARACTERS = 500  # five texts per page stay well under Telegram's 4,096 characters
KINDS = {"i": TextSource.IDEA, "a": TextSource.ANSWER}
KIND_OF = {source: kind for kind, source in KINDS.items()}


class HideText(CallbackData, prefix="mh"):
    """Hide (``h=1``) or show again (``h=0``) idea (``k=i``) or answer (``k=a``) ``i``."""

    k: str
    i: int
    h: int


class BlockAuthor(CallbackData, prefix="mb"):
    """Block the author of text ``k``/``i``: ``ok=0`` asks, ``ok=1`` blocks, ``ok=2`` keeps."""

    k: str
    i: int
    ok: int


class Unblock(CallbackData, prefix="mu"):
    p: int  # participant row id (never shown; the handle is)


class Page(CallbackData, prefix="mp"):
    k: str
    p: int
    slug: str  # at most 48 characters: the data stays under 64 bytes


assert all(
    f"{cls.__prefix__}:" in MODERATION_PREFIXES for cls in (HideText, BlockAuthor, Unblock, Page)
)


def _source(kind: str) -> TextSource | None:
    return KINDS.get(kind)


def _shorten(text: str) -> str:
    text = text.strip()
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def _page_screen(_: Translator, page: ModerationPage) -> tuple[str, InlineKeyboardMarkup | None]:
    kind = KIND_OF[page.source]
    title = _(f"moderation-{page.source.value}-header", slug=page.slug, total=page.total)
    if not page.items:
        return title + "\n\n" + _("moderation-empty"), None
    lines = [title, _("moderation-page", page=page.page + 1, pages=page.pages), ""]
    rows: list[list[InlineKeyboardButton]] = []
    for number, item in enumerate(page.items, start=1 + page.page * PAGE_SIZE):
        when = item.created_at.strftime("%d/%m %H:%M") if item.created_at else ""
        mark = " " + _("moderation-hidden-mark") if item.hidden_at else ""
        key = f" [{item.question_key}]" if item.question_key else ""
        lines.append(f"{number}. {handle(item.author_pseudonym)} · {when}{key}{mark}")
        lines.append(_shorten(item.text))
        lines.append("")
        rows.append(_item_buttons(_, kind, number, item))
    navigation = []
    if page.page > 0:
        navigation.append(
            InlineKeyboardButton(
                text="◀", callback_data=Page(k=kind, p=page.page - 1, slug=page.slug).pack()
            )
        )
    if page.page + 1 < page.pages:
        navigation.append(
            InlineKeyboardButton(
                text="▶", callback_data=Page(k=kind, p=page.page + 1, slug=page.slug).pack()
            )
        )
    if navigation:
        rows.append(navigation)
    return "\n".join(lines).strip(), InlineKeyboardMarkup(inline_keyboard=rows)


def _hide_button(
    _: Translator, kind: str, number: int, text_id: int, hidden: bool
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=_("moderation-button-show" if hidden else "moderation-button-hide", number=number),
        callback_data=HideText(k=kind, i=text_id, h=0 if hidden else 1).pack(),
    )


def _item_buttons(
    _: Translator, kind: str, number: int, item: ModeratedText
) -> list[InlineKeyboardButton]:
    row = [_hide_button(_, kind, number, item.source_id, item.hidden_at is not None)]
    if item.author_id is not None:
        row.append(
            InlineKeyboardButton(
                text=_("moderation-button-block", handle=handle(item.author_pseudonym)),
                callback_data=BlockAuthor(k=kind, i=item.source_id, ok=0).pack(),
            )
        )
    return row


# --- /ideas and /answers ----------------------------------------------------------------------


async def on_list(
    message: Message,
    command: CommandObject,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
) -> None:
    _ = translator(message, person)
    source = TextSource.IDEA if command.command == "ideas" else TextSource.ANSWER
    slug = (command.args or "").strip().lower()
    if not slug:
        await message.answer(_("moderation-usage", command=command.command))
        return
    await _show(message, None, uow_factory, clock, actor, _, slug, source, 0)


async def on_page(
    query: CallbackQuery,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
) -> None:
    _ = translator(query, person)
    page = unpack_or_none(Page, query.data)
    source = _source(page.k) if page is not None else None
    if page is None or source is None or not isinstance(query.message, Message):
        await query.answer(_("moderation-not-found"), show_alert=True)
        return
    await query.answer()
    await _show(
        query.message, query.message, uow_factory, clock, actor, _, page.slug, source, page.p
    )


async def _show(
    message: Message,
    edit: Message | None,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    _: Translator,
    slug: str,
    source: TextSource,
    page_number: int,
) -> None:
    page = await list_for_moderation(uow_factory, clock, actor, slug, source, page_number)
    if isinstance(page, ConsultationNotFound):
        await message.answer(_("moderation-no-consultation", slug=slug))
        return
    if not isinstance(page, ModerationPage):
        await message.answer(_("unknown-command"))
        return
    text, markup = _page_screen(_, page)
    if edit is not None:
        await edit_text(edit, text, markup)
    else:
        await message.answer(text, reply_markup=markup)


# --- Hide / Show ------------------------------------------------------------------------------


def _flip(
    markup: InlineKeyboardMarkup | None, old: str, new: InlineKeyboardButton
) -> InlineKeyboardMarkup | None:
    """The keyboard with the button whose data is ``old`` replaced by ``new``."""
    if markup is None:
        return None
    rows = [
        [new if button.callback_data == old else button for button in row]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def on_hide(
    query: CallbackQuery,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
) -> None:
    _ = translator(query, person)
    data = unpack_or_none(HideText, query.data)
    source = _source(data.k) if data is not None else None
    if data is None or source is None:
        await query.answer(_("moderation-not-found"), show_alert=True)
        return
    outcome = await set_visibility(uow_factory, clock, actor, source, data.i, hidden=bool(data.h))
    if not isinstance(outcome, VisibilitySet):
        await query.answer(_("moderation-not-found"), show_alert=True)
        return
    message = query.message
    # The keyboard first, then the toast: when the toast shows, the screen is already right.
    if isinstance(message, Message) and message.reply_markup is not None:
        number = _number_of(message.reply_markup, query.data or "")
        new = _hide_button(_, data.k, number, data.i, outcome.hidden)
        flipped = _flip(message.reply_markup, query.data or "", new)
        if flipped is not None and flipped != message.reply_markup:
            await edit_markup(message, flipped)
    await query.answer(_("moderation-hidden" if outcome.hidden else "moderation-shown"))


def _number_of(markup: InlineKeyboardMarkup, data: str) -> int:
    """The item's number on the page: the row of its button, counted from 1, plus the page's
    offset as printed in the button (the digits of its text)."""
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                digits = "".join(ch for ch in button.text if ch.isdigit())
                return int(digits) if digits else 0
    return 0


# --- Block (two taps) and Unblock -------------------------------------------------------------


async def on_block(
    query: CallbackQuery,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
) -> None:
    _ = translator(query, person)
    data = unpack_or_none(BlockAuthor, query.data)
    source = _source(data.k) if data is not None else None
    message = query.message if isinstance(query.message, Message) else None
    if data is None or source is None or message is None:
        await query.answer(_("moderation-not-found"), show_alert=True)
        return
    if data.ok == 0:  # first tap: ask
        item = await author_of(uow_factory, clock, actor, source, data.i)
        if not isinstance(item, ModeratedText):
            await query.answer(_("moderation-not-found"), show_alert=True)
            return
        await query.answer()
        name = handle(item.author_pseudonym)
        buttons = [
            [
                InlineKeyboardButton(
                    text=_("moderation-button-block-confirm", handle=name),
                    callback_data=BlockAuthor(k=data.k, i=data.i, ok=1).pack(),
                ),
                InlineKeyboardButton(
                    text=_("moderation-button-block-keep"),
                    callback_data=BlockAuthor(k=data.k, i=data.i, ok=2).pack(),
                ),
            ]
        ]
        await message.answer(
            _("moderation-block-confirm", handle=name),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons),
        )
        return
    if data.ok == 2:
        await query.answer(_("moderation-block-kept"))
        await edit_markup(message, None)
        return
    if data.ok != 1:
        await query.answer(_("moderation-not-found"), show_alert=True)
        return
    outcome = await block_author(uow_factory, clock, actor, source, data.i)
    if not isinstance(outcome, BlockSet):
        await query.answer(_("moderation-not-found"), show_alert=True)
        return
    text = _(
        "moderation-blocked" if outcome.changed else "moderation-already-blocked",
        handle=outcome.handle,
    )
    await edit_text(message, text, None)
    await query.answer(text)


def _blocked_screen(
    _: Translator, blocked: Sequence[BlockedParticipant]
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not blocked:
        return _("moderation-blocked-none"), None
    lines = [_("moderation-blocked-header", count=len(blocked))]
    rows = []
    for person in blocked:
        since = person.blocked_at.strftime("%d/%m/%Y %H:%M") if person.blocked_at else ""
        lines.append(_("moderation-blocked-line", handle=person.handle, since=since))
        rows.append(
            [
                InlineKeyboardButton(
                    text=_("moderation-button-unblock", handle=person.handle),
                    callback_data=Unblock(p=person.participant_id).pack(),
                )
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


async def on_blocked(
    message: Message,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
) -> None:
    _ = translator(message, person)
    blocked = await list_blocked(uow_factory, clock, actor)
    if isinstance(blocked, NotAllowed):
        await message.answer(_("unknown-command"))
        return
    text, markup = _blocked_screen(_, blocked)
    await message.answer(text, reply_markup=markup)


async def on_unblock(
    query: CallbackQuery,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
) -> None:
    _ = translator(query, person)
    unblock = unpack_or_none(Unblock, query.data)
    participant_id = unblock.p if unblock is not None else -1  # nobody has -1: no change
    outcome = await unblock_participant(uow_factory, clock, actor, participant_id)
    if not isinstance(outcome, BlockSet) or not outcome.changed:
        await query.answer(_("moderation-not-blocked"), show_alert=True)
        return
    blocked = await list_blocked(uow_factory, clock, actor)
    if isinstance(query.message, Message) and not isinstance(blocked, NotAllowed):
        text, markup = _blocked_screen(_, blocked)
        await edit_text(query.message, text, markup)
    await query.answer(_("moderation-unblocked", handle=outcome.handle))


def build_router() -> Router:
    router = Router(name="facilitator-moderation")
    facilitators = HasRole(FACILITATORS)
    router.message.filter(
        F.chat.type == ChatType.PRIVATE, Command(*MODERATION_COMMANDS), facilitators
    )
    router.callback_query.filter(F.data.startswith(MODERATION_PREFIXES), facilitators)
    router.message.register(on_list, Command("ideas", "answers"))
    router.message.register(on_blocked, Command("blocked"))
    router.callback_query.register(on_hide, F.data.startswith(MODERATION_PREFIXES[0]))
    router.callback_query.register(on_block, F.data.startswith(MODERATION_PREFIXES[1]))
    router.callback_query.register(on_unblock, F.data.startswith(MODERATION_PREFIXES[2]))
    router.callback_query.register(on_page, F.data.startswith(MODERATION_PREFIXES[3]))
    return router
