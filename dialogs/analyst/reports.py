"""``/report <consultation>`` and ``/export <consultation>``: the report as files in the chat.

For every staff role (analysts, facilitators, admins). ``/report`` sends the self-contained
HTML report; ``/export`` sends the XLSX workbook and the CSV of the participations. Without a
slug, or with an unknown one, the reply offers a button per consultation. The files come from
the ``report_renderer`` port (``surveys.ports.ReportRenderer``, implemented by ``reports``)
that ``bot.app`` puts in the dispatcher's data: dialogs never import ``reports``. Rendering a
large consultation takes a moment, so it runs in a worker thread and the bot keeps answering
others meanwhile. The report is in the staff member's language; files are named
``<slug>-report-<date>.html`` (local date).

Answers hidden by moderation are never quoted but count in the numbers; when there are some,
a facilitator (or admin) gets a button under the file to have it again without them
(``ReportPick`` kind ``x``/``y``). Quotes skip offensive language (``quotable``, from ``bot``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from dialogs.callbacks import unpack_or_none
from dialogs.citizen.person import Person
from dialogs.i18n import Translator
from dialogs.staff.roles import ALL_STAFF, FACILITATORS, REPORT_COMMANDS, HasRole
from dialogs.staff.text import translator
from surveys.ports import Clock, ReportRenderer, UnitOfWorkFactory
from surveys.reporting import ReportData
from surveys.usecases.reports import ReportChoice, prepare_report, report_choices
from surveys.usecases.staff import Actor
from surveys.voting import VotingAnalyser

DEFAULT_MIN_GROUP_SIZE = 5
DEFAULT_TIMEZONE = "Europe/Rome"
KINDS = {"r": "report", "e": "export", "x": "report", "y": "export"}
EXCLUDING = {"x", "y"}  # the same, with hidden answers left out of the numbers too
WITHOUT_HIDDEN = {"report": "x", "export": "y"}


class ReportPick(CallbackData, prefix="rp"):
    """A consultation button: ``k`` report (r) or export (e), ``s`` the slug (≤ 48 characters,
    so at most 54 bytes with the prefix)."""

    k: str
    s: str


REPORT_PREFIX = ReportPick.__prefix__ + ReportPick.__separator__


def _choices_markup(
    _: Translator, kind: str, choices: Sequence[ReportChoice]
) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    rows = [
        [
            InlineKeyboardButton(
                text=choice.title.get(_.language) or choice.slug,
                callback_data=ReportPick(k=kind, s=choice.slug).pack(),
            )
        ]
        for choice in choices
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _files(
    renderer: ReportRenderer, data: ReportData, kind: str, language: str, day: str
) -> list[tuple[str, bytes]]:
    """(file name, content) of what ``kind`` sends (run in a thread: it can take a while)."""
    if kind == "report":
        return [(f"{data.slug}-report-{day}.html", renderer.html(data, language))]
    return [
        (f"{data.slug}-export-{day}.xlsx", renderer.xlsx(data, language)),
        (f"{data.slug}-participations-{day}.csv", renderer.csv(data, language)),
    ]


async def _send_report(
    message: Message,
    _: Translator,
    kind: str,
    slug: str,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    report_renderer: ReportRenderer,
    scrub: Callable[[str], str],
    min_group_size: int,
    timezone: str,
    quotable: Callable[[str], bool] | None = None,
    exclude_hidden: bool = False,
    voting_analyser: VotingAnalyser | None = None,
) -> None:
    outcome = await prepare_report(
        uow_factory,
        clock,
        actor,
        slug,
        min_group_size,
        timezone,
        scrub=scrub,
        action=kind,
        quotable=quotable or (lambda _: True),
        exclude_hidden=exclude_hidden,
        voting_analyser=voting_analyser,  # opinion groups of statement voting (nlp/)
    )
    if not isinstance(outcome, ReportData):
        choices = await report_choices(uow_factory)
        await message.answer(
            _("report-unknown", slug=slug[:48]), reply_markup=_choices_markup(_, kind[0], choices)
        )
        return
    day = outcome.generated_at.astimezone(ZoneInfo(outcome.timezone)).date().isoformat()
    files = await asyncio.to_thread(_files, report_renderer, outcome, kind, _.language, day)
    title = outcome.title.get(_.language) or outcome.slug
    for index, name_content in enumerate(files):
        name, content = name_content
        caption = _(
            f"{kind}-caption",
            title=title,
            participants=outcome.participants,
            themes=len(outcome.themes),
            min=outcome.min_group_size,
        )
        markup = None
        if index == len(files) - 1 and outcome.hidden_texts:
            caption += "\n" + _(
                "report-hidden-excluded" if exclude_hidden else "report-hidden-counted",
                count=outcome.hidden_texts,
            )
            if not exclude_hidden and actor.role in FACILITATORS:
                markup = InlineKeyboardMarkup(
                    inline_keyboard=[
                        [
                            InlineKeyboardButton(
                                text=_("report-button-exclude-hidden"),
                                callback_data=ReportPick(k=WITHOUT_HIDDEN[kind], s=slug).pack(),
                            )
                        ]
                    ]
                )
        await message.answer_document(
            BufferedInputFile(content, filename=name), caption=caption, reply_markup=markup
        )


async def on_report(
    message: Message,
    command: CommandObject,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    report_renderer: ReportRenderer,
    scrub: Callable[[str], str],
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    timezone: str = DEFAULT_TIMEZONE,
    person: Person | None = None,
    quotable: Callable[[str], bool] | None = None,
    voting_analyser: VotingAnalyser | None = None,
) -> None:
    _ = translator(message, person)
    kind = command.command.lower()
    slug = (command.args or "").strip().lower()
    if not slug:
        choices = await report_choices(uow_factory)
        text = _(f"{kind}-choose") if choices else _("report-none")
        await message.answer(text, reply_markup=_choices_markup(_, kind[0], choices))
        return
    await _send_report(
        message,
        _,
        kind,
        slug,
        uow_factory=uow_factory,
        clock=clock,
        actor=actor,
        report_renderer=report_renderer,
        scrub=scrub,
        min_group_size=min_group_size,
        timezone=timezone,
        quotable=quotable,
        voting_analyser=voting_analyser,
    )


async def on_pick(
    query: CallbackQuery,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    report_renderer: ReportRenderer,
    scrub: Callable[[str], str],
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    timezone: str = DEFAULT_TIMEZONE,
    person: Person | None = None,
    quotable: Callable[[str], bool] | None = None,
    voting_analyser: VotingAnalyser | None = None,
) -> None:
    _ = translator(query, person)
    # Malformed: no consultation has an empty slug.
    pick = unpack_or_none(ReportPick, query.data) or ReportPick(k="r", s="")
    kind = KINDS.get(pick.k, "report")
    await query.answer(_("report-preparing"))
    if not isinstance(query.message, Message):
        return
    await _send_report(
        query.message,
        _,
        kind,
        pick.s,
        uow_factory=uow_factory,
        clock=clock,
        actor=actor,
        report_renderer=report_renderer,
        scrub=scrub,
        min_group_size=min_group_size,
        timezone=timezone,
        quotable=quotable,
        exclude_hidden=pick.k in EXCLUDING,
        voting_analyser=voting_analyser,
    )


def build_router() -> Router:
    router = Router(name="analyst-reports")
    staff = HasRole(ALL_STAFF)
    router.message.filter(F.chat.type == ChatType.PRIVATE, Command(*REPORT_COMMANDS), staff)
    router.callback_query.filter(F.data.startswith(REPORT_PREFIX), staff)
    router.message.register(on_report, Command(*REPORT_COMMANDS))
    router.callback_query.register(on_pick)
    return router
