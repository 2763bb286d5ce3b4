"""``/digest <consultation>``: the results digest ("you said → what happens next").

For facilitators and admins, once a consultation has closed (before that, or for an unknown
name, a polite explanation). The bot drafts "You said" from the top published themes (label
and share) and the headline numbers (``surveys.usecases.digest``); the facilitator writes
"What happens next" in Italian, then in English or taps "Italian for everyone"; the preview
shows exactly what each language group will receive, how many people that is and whether
quiet hours hold the messages back → Send, Edit or Cancel.

It reuses the broadcast machinery rather than copying it: the text checks of
``dialogs.facilitator.broadcasts``, the batch ids and the persistent outbox of
``surveys.usecases.broadcasts`` (one message per person in their language, idempotent per
batch: the id is generated with the preview, so a double tap on Send queues nothing twice),
and the progress message the broadcast watcher edits (``broadcast_progress``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject, StateFilter, or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from dialogs.callbacks import unpack_or_none
from dialogs.citizen.person import Person
from dialogs.facilitator.broadcasts import (
    ProgressFollower,
    not_a_command,
    progress_text,
    text_problem,
)
from dialogs.facilitator.editing import edit_markup
from dialogs.i18n import Translator, translate
from dialogs.staff.roles import DIGEST_COMMANDS, DIGEST_PREFIXES, FACILITATORS, HasRole
from dialogs.staff.text import translator
from surveys.entities import OutboxProgress
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.broadcasts import MAX_TEXT_LENGTH, BroadcastQueued, new_batch_id
from surveys.usecases.digest import (
    DigestDraft,
    NotClosed,
    UnknownConsultation,
    closed_consultations,
    digest_draft,
    publish_digest,
    share_percent,
)
from surveys.usecases.scheduling import QuietHours
from surveys.usecases.staff import Actor

DEFAULT_MIN_GROUP_SIZE = 5
DEFAULT_TIMEZONE = "Europe/Rome"
MAX_MESSAGE = 4096


class DigestStates(StatesGroup):
    italian = State()
    english = State()
    preview = State()
    sent = State()


class DigestAction(CallbackData, prefix="dg"):
    a: str  # same (Italian for everyone) | send | edit | cancel


assert f"{DigestAction.__prefix__}:" in DIGEST_PREFIXES

# FSM data keys of this dialog (namespaced: the FSM also holds other dialogs' data).
SLUG, ITALIAN, ENGLISH, BATCH, TEXTS = "dg_slug", "dg_it", "dg_en", "dg_batch", "dg_texts"
KEYS = (SLUG, ITALIAN, ENGLISH, BATCH, TEXTS)


async def _forget(state: FSMContext) -> None:
    data = await state.get_data()
    await state.set_data({key: value for key, value in data.items() if key not in KEYS})
    await state.set_state(None)


def _title(title: Mapping[str, str], language: str, fallback: str) -> str:
    return title.get(language) or title.get("it") or next(iter(title.values()), "") or fallback


def you_said(language: str, draft: DigestDraft) -> str:
    """The drafted "You said" lines of the digest (themes and their share)."""
    lines = [
        translate(
            language,
            "digest-theme-line",
            {"label": theme.label, "share": share_percent(theme.share)},
        )
        for theme in draft.themes
    ]
    return "\n".join(lines) or translate(language, "digest-no-themes")


def compose(language: str, draft: DigestDraft, next_steps: str) -> str:
    """The whole digest one language group receives."""
    return translate(
        language,
        "digest-message",
        {
            "title": _title(draft.title, language, draft.slug),
            "participants": draft.participants,
            "completed": draft.completed,
            "themes": you_said(language, draft),
            "next": next_steps.strip(),
        },
    )


def _texts(draft: DigestDraft, data: dict[str, Any]) -> dict[str, str]:
    texts = {"it": compose("it", draft, str(data.get(ITALIAN) or ""))}
    if data.get(ENGLISH):
        texts["en"] = compose("en", draft, str(data[ENGLISH]))
    return texts


def _button(_: Translator, name: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=_(f"digest-button-{name}"), callback_data=DigestAction(a=name).pack()
    )


async def _draft(
    _: Translator,
    message: Message,
    slug: str,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    min_group_size: int,
    timezone: str,
    quiet_hours: QuietHours | None,
) -> DigestDraft | None:
    """The draft, or ``None`` after telling the facilitator politely why there is none."""
    draft = await digest_draft(
        uow_factory,
        clock,
        actor,
        slug,
        min_group_size=min_group_size,
        timezone=timezone,
        quiet=quiet_hours,
    )
    if isinstance(draft, DigestDraft):
        return draft
    if isinstance(draft, UnknownConsultation):
        await message.answer(_("digest-unknown", slug=slug[:48]))
    elif isinstance(draft, NotClosed):
        await message.answer(_("digest-not-closed", slug=slug[:48]))
    else:
        await message.answer(_("unknown-command"))
    return None


# --- /digest ----------------------------------------------------------------------------------


async def on_digest(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    timezone: str = DEFAULT_TIMEZONE,
    quiet_hours: QuietHours | None = None,
) -> None:
    _ = translator(message, person)
    slug = (command.args or "").strip().lower()
    if not slug:
        closed = await closed_consultations(uow_factory)
        if closed:
            await message.answer(_("digest-usage", slugs=", ".join(closed)))
        else:
            await message.answer(_("digest-none-closed"))
        return
    draft = await _draft(
        _, message, slug, uow_factory, clock, actor, min_group_size, timezone, quiet_hours
    )
    if draft is None:
        return
    await _forget(state)
    await state.set_state(DigestStates.italian)
    await state.update_data({SLUG: draft.slug})
    intro = _("digest-draft-intro") + "\n\n" + you_said(_.language, draft)
    if draft.already_published:
        intro += "\n\n" + _("digest-already-published")
    await message.answer(intro)
    await message.answer(_("digest-write-italian", limit=MAX_TEXT_LENGTH))


# --- the texts --------------------------------------------------------------------------------


async def on_text(
    message: Message,
    state: FSMContext,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    timezone: str = DEFAULT_TIMEZONE,
    quiet_hours: QuietHours | None = None,
) -> None:
    _ = translator(message, person)
    problem = text_problem(message.text)
    if problem is not None:  # the draft and the step stay as they were
        await message.answer(_(problem[0], **problem[1]))
        return
    data = await state.get_data()
    draft = await _draft(
        _,
        message,
        str(data.get(SLUG) or ""),
        uow_factory,
        clock,
        actor,
        min_group_size,
        timezone,
        quiet_hours,
    )
    if draft is None:
        await _forget(state)
        return
    italian = await state.get_state() == DigestStates.italian.state
    language = "it" if italian else "en"
    whole = compose(language, draft, message.text or "")
    if len(whole) > MAX_TEXT_LENGTH:  # the drafted part counts too
        await message.answer(_("digest-too-long", length=len(whole), limit=MAX_TEXT_LENGTH))
        return
    if italian:
        await state.update_data({ITALIAN: message.text})
        await state.set_state(DigestStates.english)
        markup = InlineKeyboardMarkup(inline_keyboard=[[_button(_, "same")]])
        await message.answer(_("digest-write-english", limit=MAX_TEXT_LENGTH), reply_markup=markup)
        return
    await state.update_data({ENGLISH: message.text})
    await _preview(message, state, draft, _, quiet_hours)


async def _preview(
    message: Message,
    state: FSMContext,
    draft: DigestDraft,
    _: Translator,
    quiet_hours: QuietHours | None,
) -> None:
    data = await state.get_data()
    texts = _texts(draft, data)
    # Generated once per preview: a Send tap queues under it, however often it is tapped.
    await state.update_data({BATCH: new_batch_id(), TEXTS: texts})
    await state.set_state(DigestStates.preview)
    english = draft.by_language.get("en", 0)
    italian = draft.audience - english  # other languages get Italian
    groups = (
        [("broadcast-preview-group-all", draft.audience, texts["it"])]
        if "en" not in texts
        else [
            ("broadcast-preview-group-it", italian, texts["it"]),
            ("broadcast-preview-group-en", english, texts["en"]),
        ]
    )
    for label_id, count, text in groups:
        label = _(label_id, count=count)
        if len(label) + 2 + len(text) <= MAX_MESSAGE:
            await message.answer(f"{label}\n\n{text}")
        else:
            await message.answer(label)
            await message.answer(text)
    title = _title(draft.title, _.language, draft.slug)
    lines = [
        _("digest-preview-summary", title=title, count=draft.audience),
        _("digest-preview-languages", it=italian, en=english),
    ]
    if draft.delayed_until is not None and quiet_hours is not None:
        local = draft.delayed_until.astimezone(ZoneInfo(quiet_hours.timezone))
        lines.append(_("digest-preview-quiet", time=local.strftime("%H:%M")))
    if draft.audience == 0:
        lines.append(_("digest-preview-nobody"))
    buttons = [[_button(_, "send"), _button(_, "edit"), _button(_, "cancel")]]
    await message.answer(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons)
    )


# --- the buttons: Italian for everyone, Send, Edit, Cancel -------------------------------------


async def on_action(
    query: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    timezone: str = DEFAULT_TIMEZONE,
    quiet_hours: QuietHours | None = None,
    broadcast_progress: ProgressFollower | None = None,
) -> None:
    _ = translator(query, person)
    tapped = unpack_or_none(DigestAction, query.data)
    action = tapped.a if tapped is not None else ""
    current = await state.get_state()
    message = query.message if isinstance(query.message, Message) else None
    if action == "cancel" and current in {s.state for s in DigestStates.__states__}:
        await _forget(state)
        await query.answer()
        if message is not None:
            await edit_markup(message, None)
            await message.answer(_("digest-cancelled"))
        return
    if action == "same" and current == DigestStates.english.state and message is not None:
        data = await state.get_data()
        draft = await _draft(
            _,
            message,
            str(data.get(SLUG) or ""),
            uow_factory,
            clock,
            actor,
            min_group_size,
            timezone,
            quiet_hours,
        )
        await query.answer()
        await edit_markup(message, None)
        if draft is None:
            await _forget(state)
            return
        await state.update_data({ENGLISH: None})
        await _preview(message, state, draft, _, quiet_hours)
        return
    if action == "edit" and current == DigestStates.preview.state:
        await state.update_data({BATCH: None, TEXTS: None})
        await state.set_state(DigestStates.italian)
        await query.answer()
        if message is not None:
            await edit_markup(message, None)
            await message.answer(_("digest-write-italian", limit=MAX_TEXT_LENGTH))
        return
    if action == "send" and current in (DigestStates.preview.state, DigestStates.sent.state):
        await _send(
            query, state, bot, uow_factory, clock, actor, _, quiet_hours, broadcast_progress
        )
        return
    await query.answer(_("digest-nothing-in-progress"), show_alert=True)


async def _send(
    query: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    _: Translator,
    quiet_hours: QuietHours | None,
    watcher: ProgressFollower | None,
) -> None:
    data = await state.get_data()
    slug, batch, texts = data.get(SLUG), data.get(BATCH), data.get(TEXTS)
    if not isinstance(slug, str) or not isinstance(batch, str) or not isinstance(texts, dict):
        await query.answer(_("digest-nothing-in-progress"), show_alert=True)
        return
    already = await state.get_state() == DigestStates.sent.state
    outcome = await publish_digest(
        uow_factory,
        clock,
        actor,
        slug=slug,
        batch=batch,
        texts={str(k): str(v) for k, v in texts.items()},
        quiet=quiet_hours,
    )
    if not isinstance(outcome, BroadcastQueued):
        await _forget(state)
        key = "digest-not-closed" if isinstance(outcome, NotClosed) else "unknown-command"
        await query.answer()
        if query.message is not None and isinstance(query.message, Message):
            await query.message.answer(_(key, slug=slug[:48]))
        return
    if already or (outcome.enqueued == 0 and outcome.audience_size > 0):
        # A second tap on Send: the batch was queued by the first one; nothing was added.
        await query.answer(_("digest-already-queued"))
        return
    await state.set_state(DigestStates.sent)
    await query.answer(_("digest-queued", count=outcome.audience_size))
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        return
    await edit_markup(message, None)
    posted = await message.answer(progress_text(_, OutboxProgress(pending=outcome.audience_size)))
    if watcher is not None:
        watcher.follow(bot, batch, posted.chat.id, posted.message_id, _.language)


def build_router() -> Router:
    router = Router(name="facilitator-digest")
    facilitators = HasRole(FACILITATORS)
    writing = StateFilter(DigestStates.italian, DigestStates.english)
    router.message.filter(
        F.chat.type == ChatType.PRIVATE, or_f(Command(*DIGEST_COMMANDS), writing), facilitators
    )
    router.callback_query.filter(F.data.startswith(DIGEST_PREFIXES), facilitators)
    router.message.register(on_digest, Command(*DIGEST_COMMANDS))
    # While writing: any message but a command is the text (a photo gets "text only").
    router.message.register(on_text, writing, not_a_command)
    router.callback_query.register(on_action)
    return router
