"""``/broadcast`` and ``/broadcasts``: announcements from a facilitator to an audience.

The flow is an FSM dialog: pick the audience with buttons (the followers of a project, or the
participants of a consultation, optionally only those who have not finished) → type the
Italian text → type the English text, or tap "Italian for everyone" → a preview shows exactly
what each language group will receive, how many people that is, and whether quiet hours will
hold the messages back → Send, Edit or Cancel.

The batch id is generated once, when the preview is shown, and kept in the FSM: Send queues
under it, and queueing is idempotent per batch, so a double tap (or a redelivered update)
queues nothing twice. After Send, one progress message is posted and handed to the progress
watcher (``bot.outbox.progress``, given to handlers as ``broadcast_progress``), which edits it
until the batch is done. ``/broadcasts`` lists recent batches with progress counted from the
outbox, which is what a facilitator sees after a restart.

A text that is empty or too long gets a polite error and the dialog stays where it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, StateFilter, or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from dialogs.callbacks import unpack_or_none
from dialogs.citizen.person import Person
from dialogs.facilitator.editing import edit_markup
from dialogs.i18n import Translator
from dialogs.staff.roles import BROADCAST_COMMANDS, BROADCAST_PREFIXES, FACILITATORS, HasRole
from dialogs.staff.text import translator
from surveys.entities import OutboxProgress
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.announcements import (
    AudienceChoices,
    BroadcastPreview,
    broadcast_choices,
    preview_broadcast,
    recent_broadcasts,
    send_broadcast,
)
from surveys.usecases.broadcasts import (
    MAX_TEXT_LENGTH,
    Audience,
    BroadcastQueued,
    ConsultationAudience,
    ProjectAudience,
    new_batch_id,
)
from surveys.usecases.scheduling import QuietHours
from surveys.usecases.staff import Actor, NotAllowed

SAMPLE_LENGTH = 40
MAX_MESSAGE = 4096  # Telegram's limit: a preview label and a long text go as two messages


class BroadcastStates(StatesGroup):
    audience = State()
    italian = State()
    english = State()
    preview = State()
    sent = State()


class PickAudience(CallbackData, prefix="bca"):
    """``k`` = ``p`` (project, ``i`` = its index in the list shown) or ``c`` (consultation id)."""

    k: str
    i: int


class ToggleUnfinished(CallbackData, prefix="bct"):
    u: int  # 1: only those who have not finished


class BroadcastAction(CallbackData, prefix="bcx"):
    a: str  # same (Italian for everyone) | send | edit | cancel


assert all(
    f"{cls.__prefix__}:" in BROADCAST_PREFIXES
    for cls in (PickAudience, ToggleUnfinished, BroadcastAction)
)


class ProgressFollower(Protocol):
    """What ``bot`` hands in as ``broadcast_progress`` (``bot.outbox.progress``)."""

    def follow(
        self, bot: Bot, batch: str, chat_id: int, message_id: int, language: str
    ) -> None: ...


# FSM data keys of this dialog (namespaced: the FSM also holds other dialogs' data).
PROJECTS, UNFINISHED, AUDIENCE, ITALIAN, ENGLISH, BATCH = (
    "bc_projects",
    "bc_unfinished",
    "bc_audience",
    "bc_it",
    "bc_en",
    "bc_batch",
)
KEYS = (PROJECTS, UNFINISHED, AUDIENCE, ITALIAN, ENGLISH, BATCH)


def _title(title: Mapping[str, str], language: str, fallback: str) -> str:
    """The consultation's title in the staff member's language, else any, else its slug."""
    return title.get(language) or next(iter(title.values()), "") or fallback


def _audience_keyboard(
    _: Translator, choices: AudienceChoices, unfinished: bool
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=_("broadcast-audience-project", project=project),
                callback_data=PickAudience(k="p", i=index).pack(),
            )
        ]
        for index, project in enumerate(choices.projects)
    ]
    for choice in choices.consultations:
        assert choice.consultation.id is not None
        title = _title(choice.title, _.language, choice.consultation.slug)
        rows.append(
            [
                InlineKeyboardButton(
                    text=_("broadcast-audience-consultation", title=title),
                    callback_data=PickAudience(k="c", i=choice.consultation.id).pack(),
                )
            ]
        )
    toggle = "broadcast-unfinished-on" if unfinished else "broadcast-unfinished-off"
    rows.append(
        [
            InlineKeyboardButton(
                text=_(toggle), callback_data=ToggleUnfinished(u=0 if unfinished else 1).pack()
            )
        ]
    )
    rows.append(
        [
            InlineKeyboardButton(
                text=_("broadcast-button-cancel"),
                callback_data=BroadcastAction(a="cancel").pack(),
            )
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def _forget(state: FSMContext) -> None:
    data = await state.get_data()
    await state.set_data({key: value for key, value in data.items() if key not in KEYS})
    await state.set_state(None)


# --- /broadcast: the audience -----------------------------------------------------------------


async def on_broadcast(
    message: Message,
    state: FSMContext,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
) -> None:
    _ = translator(message, person)
    choices = await broadcast_choices(uow_factory, clock, actor)
    if not isinstance(choices, AudienceChoices):
        await message.answer(_("unknown-command"))
        return
    await _forget(state)
    await state.set_state(BroadcastStates.audience)
    await state.update_data({PROJECTS: list(choices.projects), UNFINISHED: False})
    if not choices.projects and not choices.consultations:
        await _forget(state)
        await message.answer(_("broadcast-no-audiences"))
        return
    await message.answer(
        _("broadcast-choose-audience"), reply_markup=_audience_keyboard(_, choices, False)
    )


async def on_toggle(
    query: CallbackQuery,
    state: FSMContext,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
) -> None:
    _ = translator(query, person)
    toggle = unpack_or_none(ToggleUnfinished, query.data)
    unfinished = bool(toggle.u) if toggle is not None else False
    choices = await broadcast_choices(uow_factory, clock, actor)
    if await state.get_state() != BroadcastStates.audience.state or not isinstance(
        choices, AudienceChoices
    ):
        await query.answer(_("broadcast-nothing-in-progress"), show_alert=True)
        return
    await state.update_data({UNFINISHED: unfinished, PROJECTS: list(choices.projects)})
    await query.answer()
    if isinstance(query.message, Message):
        await edit_markup(query.message, _audience_keyboard(_, choices, unfinished))


async def on_pick_audience(
    query: CallbackQuery,
    state: FSMContext,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
) -> None:
    _ = translator(query, person)
    picked = unpack_or_none(PickAudience, query.data)
    data = await state.get_data()
    choices = await broadcast_choices(uow_factory, clock, actor)
    audience: dict[str, Any] | None = None
    if (
        picked is not None
        and isinstance(choices, AudienceChoices)
        and await state.get_state() == BroadcastStates.audience.state
    ):
        projects = data.get(PROJECTS) or []
        titles = {
            choice.consultation.id: _title(choice.title, _.language, choice.consultation.slug)
            for choice in choices.consultations
        }
        if picked.k == "p" and 0 <= picked.i < len(projects):
            audience = {"p": projects[picked.i]}
        elif picked.k == "c" and picked.i in titles:
            audience = {"c": picked.i, "u": bool(data.get(UNFINISHED)), "t": titles[picked.i]}
    if audience is None:  # stale, forged, or the dialog is elsewhere: nothing changes
        await query.answer(_("broadcast-nothing-in-progress"), show_alert=True)
        return
    await state.update_data({AUDIENCE: audience})
    await state.set_state(BroadcastStates.italian)
    await query.answer()
    if isinstance(query.message, Message):
        await edit_markup(query.message, None)
        await query.message.answer(_("broadcast-write-italian", limit=MAX_TEXT_LENGTH))


# --- the texts --------------------------------------------------------------------------------


def text_problem(text: str | None) -> tuple[str, dict[str, Any]] | None:
    """Why a typed announcement cannot be used, as a message id and its arguments."""
    if text is None:
        return "broadcast-text-only", {}
    if not text.strip():
        return "broadcast-text-empty", {}
    if len(text) > MAX_TEXT_LENGTH:
        return "broadcast-text-too-long", {"length": len(text), "limit": MAX_TEXT_LENGTH}
    return None


def _same_button(_: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("broadcast-button-same"), callback_data=BroadcastAction(a="same").pack()
                )
            ]
        ]
    )


async def on_text(
    message: Message,
    state: FSMContext,
    bot: Bot,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
    quiet_hours: QuietHours | None = None,
) -> None:
    _ = translator(message, person)
    problem = text_problem(message.text)
    if problem is not None:  # the draft and the step stay as they were
        await message.answer(_(problem[0], **problem[1]))
        return
    if await state.get_state() == BroadcastStates.italian.state:
        await state.update_data({ITALIAN: message.text})
        await state.set_state(BroadcastStates.english)
        await message.answer(
            _("broadcast-write-english", limit=MAX_TEXT_LENGTH), reply_markup=_same_button(_)
        )
        return
    await state.update_data({ENGLISH: message.text})
    await _preview(message, state, uow_factory, clock, actor, _, quiet_hours)


def _audience(data: dict[str, Any]) -> Audience | None:
    chosen = data.get(AUDIENCE)
    if not isinstance(chosen, dict):
        return None
    if "p" in chosen:
        return ProjectAudience(str(chosen["p"]))
    return ConsultationAudience(int(chosen["c"]), unfinished_only=bool(chosen.get("u")))


def _texts(data: dict[str, Any]) -> dict[str, str]:
    texts = {"it": str(data.get(ITALIAN) or "")}
    if data.get(ENGLISH):
        texts["en"] = str(data[ENGLISH])
    return texts


def _audience_label(_: Translator, audience: Audience, data: dict[str, Any]) -> str:
    if isinstance(audience, ProjectAudience):
        return _("broadcast-audience-project", project=audience.project)
    key = "broadcast-preview-unfinished" if audience.unfinished_only else "broadcast-preview-all"
    title = (data.get(AUDIENCE) or {}).get("t") or str(audience.consultation_id)
    return _(key, title=title)


async def _preview(
    message: Message,
    state: FSMContext,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    _: Translator,
    quiet_hours: QuietHours | None,
) -> None:
    data = await state.get_data()
    audience = _audience(data)
    if audience is None:
        await _forget(state)
        await message.answer(_("broadcast-nothing-in-progress"))
        return
    preview = await preview_broadcast(uow_factory, clock, actor, audience, quiet_hours)
    if not isinstance(preview, BroadcastPreview):
        await _forget(state)
        await message.answer(_("unknown-command"))
        return
    texts = _texts(data)
    # Generated once per preview: a Send tap queues under it, however often it is tapped.
    await state.update_data({BATCH: new_batch_id()})
    await state.set_state(BroadcastStates.preview)
    italian = preview.size - preview.by_language.get("en", 0)  # other languages get Italian
    english = preview.by_language.get("en", 0)
    groups = (
        [("broadcast-preview-group-all", preview.size, texts["it"])]
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
    lines = [
        _(
            "broadcast-preview-summary",
            audience=_audience_label(_, audience, data),
            count=preview.size,
        ),
        _("broadcast-preview-languages", it=italian, en=english),
    ]
    if preview.delayed_until is not None and quiet_hours is not None:
        local = preview.delayed_until.astimezone(ZoneInfo(quiet_hours.timezone))
        lines.append(_("broadcast-preview-quiet", time=local.strftime("%H:%M")))
    if preview.size == 0:
        lines.append(_("broadcast-preview-nobody"))
    buttons = [
        [
            InlineKeyboardButton(
                text=_("broadcast-button-send"), callback_data=BroadcastAction(a="send").pack()
            ),
            InlineKeyboardButton(
                text=_("broadcast-button-edit"), callback_data=BroadcastAction(a="edit").pack()
            ),
            InlineKeyboardButton(
                text=_("broadcast-button-cancel"), callback_data=BroadcastAction(a="cancel").pack()
            ),
        ]
    ]
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
    quiet_hours: QuietHours | None = None,
    broadcast_progress: ProgressFollower | None = None,
) -> None:
    _ = translator(query, person)
    tapped = unpack_or_none(BroadcastAction, query.data)
    action = tapped.a if tapped is not None else ""
    current = await state.get_state()
    message = query.message if isinstance(query.message, Message) else None
    if action == "cancel" and current in {s.state for s in BroadcastStates.__states__}:
        await _forget(state)
        await query.answer()
        if message is not None:
            await edit_markup(message, None)
            await message.answer(_("broadcast-cancelled"))
        return
    if action == "same" and current == BroadcastStates.english.state and message is not None:
        await state.update_data({ENGLISH: None})
        await query.answer()
        await edit_markup(message, None)
        await _preview(message, state, uow_factory, clock, actor, _, quiet_hours)
        return
    if action == "edit" and current == BroadcastStates.preview.state:
        await state.update_data({BATCH: None})
        await state.set_state(BroadcastStates.italian)
        await query.answer()
        if message is not None:
            await edit_markup(message, None)
            await message.answer(_("broadcast-write-italian", limit=MAX_TEXT_LENGTH))
        return
    if action == "send" and current in (BroadcastStates.preview.state, BroadcastStates.sent.state):
        await _send(
            query, state, bot, uow_factory, clock, actor, _, quiet_hours, broadcast_progress
        )
        return
    await query.answer(_("broadcast-nothing-in-progress"), show_alert=True)


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
    audience, batch = _audience(data), data.get(BATCH)
    if audience is None or not isinstance(batch, str):
        await query.answer(_("broadcast-nothing-in-progress"), show_alert=True)
        return
    already = await state.get_state() == BroadcastStates.sent.state
    outcome = await send_broadcast(
        uow_factory,
        clock,
        actor,
        batch=batch,
        audience=audience,
        texts=_texts(data),
        quiet=quiet_hours,
    )
    if not isinstance(outcome, BroadcastQueued):
        await query.answer(_("unknown-command"))
        return
    if already or (outcome.enqueued == 0 and outcome.audience_size > 0):
        # A second tap on Send: the batch was queued by the first one; nothing was added.
        await query.answer(_("broadcast-already-queued"))
        return
    await state.set_state(BroadcastStates.sent)
    await query.answer(_("broadcast-queued", count=outcome.audience_size))
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        return
    await edit_markup(message, None)
    progress = OutboxProgress(pending=outcome.audience_size)
    posted = await message.answer(progress_text(_, progress))
    if watcher is not None:
        watcher.follow(bot, batch, posted.chat.id, posted.message_id, _.language)


def progress_text(_: Translator, progress: OutboxProgress) -> str:
    """The first version of the progress message (the watcher's edits use the same words)."""
    return _(
        "outbox-progress",
        sent=progress.sent,
        failed=progress.failed,
        remaining=progress.remaining,
    )


# --- /broadcasts -------------------------------------------------------------------------------


async def on_broadcasts(
    message: Message,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
) -> None:
    _ = translator(message, person)
    batches = await recent_broadcasts(uow_factory, clock, actor)
    if isinstance(batches, NotAllowed):
        await message.answer(_("unknown-command"))
        return
    if not batches:
        await message.answer(_("broadcasts-none"))
        return
    lines = [_("broadcasts-header", count=len(batches))]
    for summary in batches:
        sample = " ".join(summary.sample.split())
        if len(sample) > SAMPLE_LENGTH:
            sample = sample[: SAMPLE_LENGTH - 1] + "…"
        when = summary.created_at.strftime("%d/%m %H:%M") if summary.created_at else "—"
        lines.append(_("broadcasts-line", when=when, sample=sample))
        lines.append("   " + progress_text(_, summary.progress))
        if summary.progress.remaining == 0:
            lines.append(
                "   "
                + _(
                    "outbox-progress-done",
                    sent=summary.progress.sent,
                    failed=summary.progress.failed,
                )
            )
    await message.answer("\n".join(lines))


def build_router() -> Router:
    router = Router(name="facilitator-broadcasts")
    facilitators = HasRole(FACILITATORS)
    writing = StateFilter(BroadcastStates.italian, BroadcastStates.english)
    router.message.filter(
        F.chat.type == ChatType.PRIVATE, or_f(Command(*BROADCAST_COMMANDS), writing), facilitators
    )
    router.callback_query.filter(F.data.startswith(BROADCAST_PREFIXES), facilitators)
    router.message.register(on_broadcast, Command("broadcast"))
    router.message.register(on_broadcasts, Command("broadcasts"))
    # While writing: any message but a command is the text (a photo gets "text only").
    router.message.register(on_text, writing, not_a_command)
    router.callback_query.register(on_toggle, F.data.startswith(BROADCAST_PREFIXES[1]))
    router.callback_query.register(on_pick_audience, F.data.startswith(BROADCAST_PREFIXES[0]))
    router.callback_query.register(on_action)
    return router


def not_a_command(message: Message) -> bool:
    return not (message.text or "").startswith("/")
