"""What a facilitator reads about a consultation: the list, the management screen and its
buttons, times in the city's zone. Pure formatting; the handlers decide which screen to show.

Button data is short and carries only ids and codes (``cn:<id>:<action>``,
``cq:<id>:<field>:<choice>``), far below Telegram's 64 bytes; a forged or stale value is
refused by the use cases, which look the consultation up again and check the role.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from dialogs.i18n import Translator
from surveys.entities import ConsultationStatus
from surveys.schedule_input import local_wall_time
from surveys.usecases.consultation_admin import ConsultationView, Problem

TITLE_CHARS = 48  # a button label that still fits a phone screen
LISTED = 25  # the newest consultations in /consultations: one message, under 4,096 characters


class Manage(CallbackData, prefix="cn"):
    """An action on consultation ``c``: see ``Action``."""

    c: int
    a: str


class Pick(CallbackData, prefix="cq"):
    """A ready-made time for field ``f`` of ``c`` (o: opening, c: closing, e: extend, p: the
    opening of a draft being published)."""

    c: int
    f: str
    k: str


class Action:
    VIEW = "v"
    LIST = "l"
    PREVIEW = "p"
    OPEN = "o"
    CLOSE = "x"
    CLOSE_CONFIRMED = "xy"
    SET_OPENING = "so"
    SET_CLOSING = "sc"
    EXTEND = "e"
    PUBLISH = "pb"


class Field:
    OPENING = "o"
    CLOSING = "c"
    EXTEND = "e"
    PUBLISH = "p"  # the opening time of a draft being published: set it, then publish


# Ready-made choices per field, in button order; "ty" asks for a typed date.
CHOICES: dict[str, tuple[str, ...]] = {
    Field.OPENING: ("now", "t9", "w1", "w2"),
    Field.CLOSING: ("t23", "w1", "w2", "w4"),
    Field.EXTEND: ("d1", "d7", "d14"),
    Field.PUBLISH: ("now", "t9", "w1", "w2"),
}

CALLBACK_PREFIXES = (
    Manage.__prefix__ + Manage.__separator__,
    Pick.__prefix__ + Pick.__separator__,
)


def when(moment: datetime | None, _: Translator, timezone: str) -> str:
    """``12/03/2027 18:00`` on the city's wall clock, or "not set"."""
    if moment is None:
        return _("cons-not-set")
    return local_wall_time(moment, timezone).strftime("%d/%m/%Y %H:%M")


def title_of(view: ConsultationView, language: str) -> str:
    titles = view.definition.title
    return titles.get(language) or next(iter(titles.values()), view.consultation.slug)


def status_name(_: Translator, status: ConsultationStatus) -> str:
    return _(f"cons-status-{status.value}")


def list_screen(
    _: Translator, views: Sequence[ConsultationView], timezone: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not views:
        return _("cons-list-empty"), None
    lines = [_("cons-list-header", count=len(views), timezone=timezone)]
    buttons = []
    for view in views[:LISTED]:
        consultation = view.consultation
        title = title_of(view, _.language)
        lines.append(
            _(
                "cons-list-line",
                title=title,
                slug=consultation.slug,
                status=status_name(_, consultation.status),
                version=consultation.current_version,
                opens=when(consultation.opens_at, _, timezone),
                closes=when(consultation.closes_at, _, timezone),
            )
        )
        label = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"
        buttons.append(
            [
                InlineKeyboardButton(
                    text=label, callback_data=Manage(c=view.id, a=Action.VIEW).pack()
                )
            ]
        )
    if len(views) > LISTED:
        lines.append(_("cons-list-more", count=len(views) - LISTED))
    return "\n\n".join(lines), InlineKeyboardMarkup(inline_keyboard=buttons)


def screen_text(_: Translator, view: ConsultationView, timezone: str, note: str = "") -> str:
    consultation = view.consultation
    body = _(
        "cons-screen",
        title=title_of(view, _.language),
        slug=consultation.slug,
        status=status_name(_, consultation.status),
        version=consultation.current_version,
        questions=len(view.definition.questions),
        participants=view.participants,
        opens=when(consultation.opens_at, _, timezone),
        closes=when(consultation.closes_at, _, timezone),
        timezone=timezone,
    )
    return f"{note}\n\n{body}" if note else body


def _button(_: Translator, consultation_id: int, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=_(f"cons-button-{action}"), callback_data=Manage(c=consultation_id, a=action).pack()
    )


def screen_keyboard(_: Translator, view: ConsultationView) -> InlineKeyboardMarkup:
    """The actions that make sense in this status (the use cases refuse the others anyway)."""
    status = view.consultation.status
    actions: list[str] = [Action.PREVIEW]
    if status is ConsultationStatus.DRAFT:
        actions += [Action.PUBLISH, Action.OPEN, Action.SET_OPENING, Action.SET_CLOSING]
    elif status is ConsultationStatus.SCHEDULED:
        actions += [Action.OPEN, Action.SET_OPENING, Action.SET_CLOSING, Action.CLOSE]
    elif status is ConsultationStatus.OPEN:
        actions += [Action.CLOSE, Action.SET_CLOSING, Action.EXTEND]
    else:
        actions += [Action.EXTEND, Action.OPEN]
    rows = [
        [_button(_, view.id, action) for action in actions[i : i + 2]]
        for i in range(0, len(actions), 2)
    ]
    rows.append([_button(_, view.id, Action.LIST)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def confirm_close_keyboard(_: Translator, consultation_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(_, consultation_id, Action.CLOSE_CONFIRMED)],
            [_button(_, consultation_id, Action.VIEW)],
        ]
    )


def choices_keyboard(_: Translator, consultation_id: int, field: str) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=_(f"cons-pick-{field}-{choice}"),
                callback_data=Pick(c=consultation_id, f=field, k=choice).pack(),
            )
        ]
        for choice in CHOICES[field]
    ]
    rows.append([_button(_, consultation_id, Action.VIEW)])  # cancel: back to the screen
    return InlineKeyboardMarkup(inline_keyboard=rows)


def problem_text(_: Translator, problem: Problem) -> str:
    return _(f"cons-problem-{problem.value}")
