"""``/stats <consultation>``: live statistics for every staff role, as text and two charts.

``/stats`` alone offers a button per consultation; an unknown slug gets a polite list of the
valid ones. The reply is one text message with the figures (numbers, rates and durations the
way the reader's language writes them), then two PNG charts (``sendPhoto``) whose captions
carry the key figures again, for people who cannot see the pictures. A consultation nobody
took part in yet gets "no answers yet" and no empty charts.

The charts come from the ``charts`` port (``surveys.ports.ChartRenderer``) that ``bot.app``
puts in the dispatcher's data; drawing takes a few hundred milliseconds, so it runs in a
worker thread and the bot keeps answering others meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, timedelta

from aiogram import Bot, F, Router
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
from dialogs.staff.roles import ALL_STAFF, STATS_CALLBACK_PREFIX, STATS_COMMANDS, HasRole
from dialogs.staff.text import translator
from surveys.definition import LocalizedText
from surveys.ports import ChartRenderer, Clock, UnitOfWorkFactory
from surveys.stats import DailyChart, DropOffChart
from surveys.usecases.staff import Actor
from surveys.usecases.stats import (
    DEFAULT_TIMEZONE,
    ConsultationChoice,
    ConsultationStats,
    QuestionDropOff,
    UnknownConsultation,
    consultation_stats,
    list_stats_choices,
)

MAX_CAPTION = 1024  # Telegram's limit for a photo caption
_DAY_FORMAT = {"it": "%d/%m", "en": "%d %b"}


class StatsPick(CallbackData, prefix="sx"):
    """A consultation button of ``/stats``: its slug (≤ 48 characters, so ≤ 51 bytes)."""

    s: str


STATS_PREFIX = StatsPick.__prefix__ + StatsPick.__separator__
# The denial router learns the prefix from dialogs.staff.roles; the two must agree.
if STATS_PREFIX != STATS_CALLBACK_PREFIX:  # pragma: no cover - a programming error
    raise RuntimeError("StatsPick's prefix differs from STATS_CALLBACK_PREFIX")


# --- numbers, rates and durations as the reader writes them ------------------------------


def decimal(value: float, language: str, digits: int = 1) -> str:
    """``66.7`` → "66,7" in Italian; whole numbers without decimals."""
    text = f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.{digits}f}"
    return text.replace(".", ",") if language == "it" else text


def percent(rate: float, language: str) -> str:
    return decimal(rate * 100, language) + "%"


def duration(value: timedelta, _: Translator) -> str:
    """ "4 min 30 s", "1 h 5 min", "45 s" (days shown as hours: completion times are short)."""
    seconds = max(0, round(value.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return _("stats-duration-hours", hours=hours, minutes=minutes)
    if minutes:
        return _("stats-duration-minutes", minutes=minutes, seconds=seconds)
    return _("stats-duration-seconds", seconds=seconds)


def question_label(question: QuestionDropOff, language: str) -> str:
    text = _localized(question.text, language)
    return " ".join(text.split()) if text else question.key


def _localized(text: LocalizedText, language: str) -> str:
    return text.get(language) or next(iter(text.values()), "")


def _day(day: date, language: str) -> str:
    return day.strftime(_DAY_FORMAT.get(language, "%d/%m"))


# --- the text and the charts -------------------------------------------------------------


def _busiest(stats: ConsultationStats) -> tuple[date, int] | None:
    totals = [
        (a.day, a.count + i.count)
        for a, i in zip(stats.answers_per_day, stats.ideas_per_day, strict=True)
    ]
    if not totals:
        return None
    # The most active day; the earliest of equals, so the text is stable.
    return max(totals, key=lambda item: (item[1], -item[0].toordinal()))


def stats_text(stats: ConsultationStats, _: Translator) -> str:
    language = _.language
    title = _localized(stats.title, language) or stats.slug
    lines = [
        _("stats-header", title=title, slug=stats.slug),
        "",
        _("stats-participants", count=stats.participants),
        _("stats-started", count=stats.started),
        _("stats-completed", count=stats.completed),
    ]
    rate = stats.completion_rate
    lines.append(
        _("stats-rate", rate=percent(rate, language)) if rate is not None else _("stats-rate-none")
    )
    lines.append(
        _("stats-median", duration=duration(stats.median_completion, _))
        if stats.median_completion is not None
        else _("stats-median-none")
    )
    if stats.at_summary:
        lines.append(_("stats-at-summary", count=stats.at_summary))
    if stats.withdrawn:
        lines.append(_("stats-withdrawn", count=stats.withdrawn))
    lines.append(_("stats-answers", count=stats.answers, days=len(stats.answers_per_day)))
    if stats.ideas or stats.mode.value == "listening":
        lines.append(_("stats-ideas", count=stats.ideas))
    busiest = _busiest(stats)
    if busiest is not None and busiest[1]:
        lines.append(_("stats-busiest", day=_day(busiest[0], language), count=busiest[1]))
    if stats.questions:
        lines.append("")
        top = stats.top_drop_offs(3)
        if top:
            lines.append(_("stats-dropoff-header"))
            for position, question in enumerate(top, start=1):
                label = question_label(question, language)
                lines.append(
                    _(
                        "stats-dropoff-line",
                        position=position,
                        question=label,
                        count=question.stopped,
                    )
                )
        else:
            lines.append(_("stats-dropoff-none"))
    lines.extend(["", _("stats-timezone", zone=stats.timezone)])
    return "\n".join(lines)


def daily_chart(stats: ConsultationStats, _: Translator) -> DailyChart:
    series: list[tuple[str, Sequence[int]]] = []
    answers = [d.count for d in stats.answers_per_day]
    ideas = [d.count for d in stats.ideas_per_day]
    if any(answers) or stats.mode.value == "survey":
        series.append((_("stats-series-answers"), answers))
    if any(ideas) or stats.mode.value == "listening":
        series.append((_("stats-series-ideas"), ideas))
    return DailyChart(
        title=_("stats-chart-daily-title"),
        y_label=_("stats-chart-daily-axis"),
        days=[d.day for d in stats.answers_per_day],
        series=series,
        day_format=_DAY_FORMAT.get(_.language, "%d/%m"),
        empty_text=_("stats-chart-daily-empty"),
    )


def drop_off_chart(stats: ConsultationStats, _: Translator) -> DropOffChart:
    return DropOffChart(
        title=_("stats-chart-dropoff-title"),
        x_label=_("stats-chart-dropoff-axis"),
        # Numbered, so a label cut short still points at its question.
        questions=[
            f"{n}. {question_label(q, _.language)}" for n, q in enumerate(stats.questions, start=1)
        ],
        answered=[q.answered for q in stats.questions],
        stopped=[q.stopped for q in stats.questions],
        answered_label=_("stats-chart-answered"),
        stopped_label=_("stats-chart-stopped"),
        empty_text=_("stats-chart-dropoff-empty"),
    )


def daily_caption(stats: ConsultationStats, _: Translator) -> str:
    busiest = _busiest(stats) or (stats.answers_per_day[0].day, 0)
    parts = []
    if stats.answers or stats.mode.value == "survey":
        parts.append(_("stats-caption-answers", count=stats.answers))
    if stats.ideas or stats.mode.value == "listening":
        parts.append(_("stats-caption-ideas", count=stats.ideas))
    return _(
        "stats-caption-daily",
        slug=stats.slug,
        summary=f" {_('stats-caption-and')} ".join(parts),
        days=len(stats.answers_per_day),
        day=_day(busiest[0], _.language),
        count=busiest[1],
    )[:MAX_CAPTION]


def drop_off_caption(stats: ConsultationStats, _: Translator) -> str:
    stopping = [q for q in stats.questions if q.stopped]
    if not stopping:
        return _(
            "stats-caption-dropoff-none",
            slug=stats.slug,
            completed=stats.completed,
            started=stats.started,
        )[:MAX_CAPTION]
    # Every question where someone stopped, in survey order: the chart's content as text.
    summary = "; ".join(f"{question_label(q, _.language)} ({q.stopped})" for q in stopping)
    caption = _("stats-caption-dropoff", slug=stats.slug, summary=summary)
    return caption if len(caption) <= MAX_CAPTION else caption[: MAX_CAPTION - 1] + "…"


# --- handlers ------------------------------------------------------------------------------


async def _reply_with_stats(
    bot: Bot,
    chat_id: int,
    slug: str,
    _: Translator,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    charts: ChartRenderer | None,
    timezone: str,
) -> None:
    outcome = await consultation_stats(uow_factory, clock, actor, slug, timezone)
    if isinstance(outcome, UnknownConsultation):
        shown = outcome.slug[:48]
        if outcome.known:
            text = _("stats-unknown", slug=shown, known=", ".join(outcome.known))
        else:
            text = _("stats-unknown-none", slug=shown)
        await bot.send_message(chat_id, text)
        return
    if not isinstance(outcome, ConsultationStats):  # the role check of the use case
        await bot.send_message(chat_id, _("unknown-command"))
        return
    if outcome.is_empty:
        title = _localized(outcome.title, _.language) or outcome.slug
        await bot.send_message(chat_id, _("stats-empty", title=title, slug=outcome.slug))
        return
    await bot.send_message(chat_id, stats_text(outcome, _))
    if charts is None:
        return
    if outcome.answers_per_day:
        png = await asyncio.to_thread(charts.daily, daily_chart(outcome, _))
        await bot.send_photo(
            chat_id,
            BufferedInputFile(png, filename=f"{outcome.slug}-per-day.png"),
            caption=daily_caption(outcome, _),
        )
    if outcome.questions:
        png = await asyncio.to_thread(charts.drop_off, drop_off_chart(outcome, _))
        await bot.send_photo(
            chat_id,
            BufferedInputFile(png, filename=f"{outcome.slug}-drop-off.png"),
            caption=drop_off_caption(outcome, _),
        )


def _choices_markup(choices: Sequence[ConsultationChoice], language: str) -> InlineKeyboardMarkup:
    rows = []
    for choice in choices:
        title = _localized(choice.title, language)
        text = f"{title} ({choice.slug})" if title else choice.slug
        rows.append(
            [InlineKeyboardButton(text=text, callback_data=StatsPick(s=choice.slug).pack())]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def on_stats(
    message: Message,
    command: CommandObject,
    bot: Bot,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    charts: ChartRenderer | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    person: Person | None = None,
) -> None:
    _ = translator(message, person)
    slug = (command.args or "").strip().split()
    if not slug:
        choices = await list_stats_choices(uow_factory, clock, actor)
        if not isinstance(choices, list):
            await message.answer(_("unknown-command"))
        elif not choices:
            await message.answer(_("stats-no-consultations"))
        else:
            await message.answer(
                _("stats-choose"), reply_markup=_choices_markup(choices, _.language)
            )
        return
    await _reply_with_stats(
        bot,
        message.chat.id,
        slug[0],
        _,
        uow_factory=uow_factory,
        clock=clock,
        actor=actor,
        charts=charts,
        timezone=timezone,
    )


async def on_pick(
    query: CallbackQuery,
    bot: Bot,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    charts: ChartRenderer | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    person: Person | None = None,
) -> None:
    _ = translator(query, person)
    pick = unpack_or_none(StatsPick, query.data)
    slug = pick.s if pick is not None else ""  # malformed: no consultation has an empty slug
    await query.answer(_("stats-working", slug=slug[:48]))
    # A staff router takes private chats only, where the chat is the person.
    await _reply_with_stats(
        bot,
        query.from_user.id,
        slug,
        _,
        uow_factory=uow_factory,
        clock=clock,
        actor=actor,
        charts=charts,
        timezone=timezone,
    )


def build_router() -> Router:
    router = Router(name="facilitator-stats")
    staff = HasRole(ALL_STAFF)
    router.message.filter(F.chat.type == ChatType.PRIVATE, Command(*STATS_COMMANDS), staff)
    router.callback_query.filter(F.data.startswith(STATS_PREFIX), staff)
    router.message.register(on_stats, Command(*STATS_COMMANDS))
    router.callback_query.register(on_pick)
    return router
