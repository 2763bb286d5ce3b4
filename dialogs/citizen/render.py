"""What the citizen reads: question screens, the summary, answers as text, the consent screen.

Pure formatting plus the few sends that every module shares (show the current position, show
the consent screen), so that each handler module only decides *which* screen comes next.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardRemove

from dialogs import keyboards
from dialogs.callbacks import Follow
from dialogs.i18n import Translator
from surveys import engine
from surveys.definition import (
    AnswerValue,
    LocationMode,
    Mode,
    Question,
    QuestionType,
    SurveyDefinition,
)
from surveys.entities import Consultation
from surveys.usecases import outcomes
from surveys.usecases.outcomes import Position

MESSAGE_LIMIT = 4000  # Telegram allows 4096 characters; keep room for the header
SUMMARY_ANSWER_CHARS = 120


def text_of(texts: object, language: str) -> str:
    return keyboards.label(texts, language) if texts else ""


def _hint(question: Question, _: Translator) -> str:
    kind = question.type
    if kind is QuestionType.SINGLE_CHOICE:
        return _("hint-single")
    if kind is QuestionType.MULTI_CHOICE:
        high = engine.choice_limits(question)[1]
        return _("hint-multi-max", count=high) if high < len(question.options) else _("hint-multi")
    if kind is QuestionType.SCALE:
        return _("hint-scale-labelled") if question.options else _("hint-scale")
    if kind is QuestionType.YES_NO:
        return _("hint-yes-no")
    if kind is QuestionType.RANKING:
        return _("hint-ranking", count=engine.ranking_length(question))
    if kind is QuestionType.FREE_TEXT:
        return _("hint-free-text-max", count=engine.text_limits(question)[1])
    if kind is QuestionType.NUMBER:
        bounds = ""
        if question.min is not None and question.max is not None:
            bounds = f" ({_number(question.min)}–{_number(question.max)})"
        return _("hint-number") + bounds
    mode = engine.location_mode(question)
    if mode is LocationMode.PIN:
        return _("hint-location-pin")
    if mode is LocationMode.BOTH:
        return _("hint-location-both")
    return _("hint-location-districts")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def question_text(position: Position, language: str, *, ranked: Sequence[int] = ()) -> str:
    """Title and step, the question, its help, how to answer; a ranking's order so far."""
    _ = Translator(language)
    question = position.question
    assert question is not None
    definition = position.definition
    title = text_of(definition.title, language)
    parts = [f"{title} · {position.step}/{len(position.visible)}", text_of(question.text, language)]
    if question.type is QuestionType.SCALE and not question.options:
        low, high = engine.scale_range(question)
        ends = []
        if question.min_label:
            ends.append(f"{low} = {text_of(question.min_label, language)}")
        if question.max_label:
            ends.append(f"{high} = {text_of(question.max_label, language)}")
        if ends:
            parts.append(" · ".join(ends))
    if question.help:
        parts.append("ℹ️ " + text_of(question.help, language))
    hint = _hint(question, _)
    if not question.required:
        hint += " " + _("hint-optional")
    parts.append(hint)
    if ranked:
        order = "\n".join(
            f"{n}. {text_of(question.options[i].label, language)}"
            for n, i in enumerate(ranked, start=1)
        )
        parts.append(_("ranking-so-far") + "\n" + order)
    return "\n\n".join(parts)


def answer_text(question: Question, value: AnswerValue | None, language: str) -> str:
    """An answer as the citizen would say it (labels, not stored values)."""
    _ = Translator(language)
    if value is None:
        return _("summary-skipped")
    if isinstance(value, bool):
        return _("summary-yes") if value else _("summary-no")
    if question.type is QuestionType.LOCATION and isinstance(value, dict):
        district = value.get("district")
        if district is None:
            return _("summary-pin")
        option = next((o for o in engine.district_options(question) if o.value == district), None)
        return text_of(option.label, language) if option else str(district)
    if isinstance(value, list):
        labels = [_option_label(question, item, language) for item in value]
        if question.type is QuestionType.RANKING:
            return ", ".join(f"{n}. {text}" for n, text in enumerate(labels, start=1))
        return ", ".join(labels)
    if question.type is QuestionType.SCALE and question.options:
        return _option_label(question, str(value), language)
    if isinstance(value, str) and question.options:
        return _option_label(question, value, language)
    text = str(value)
    if len(text) > SUMMARY_ANSWER_CHARS:
        text = text[: SUMMARY_ANSWER_CHARS - 1] + "…"
    return text


def _option_label(question: Question, value: str, language: str) -> str:
    option = question.option(value)
    return text_of(option.label, language) if option is not None else value


def summary_text(position: Position, language: str) -> tuple[str, list[int]]:
    """The summary and, for its ✏️ buttons, the definition index of each answered question."""
    _ = Translator(language)
    definition = position.definition
    lines = [text_of(definition.title, language), "", _("summary-title"), ""]
    indexes = []
    for question in position.visible:
        if question.key not in position.answers:
            continue
        indexes.append(definition.index_of(question.key))
        answer = answer_text(question, position.answers[question.key], language)
        lines.append(f"{len(indexes)}. {text_of(question.text, language)}\n   → {answer}")
    return "\n".join(lines)[:MESSAGE_LIMIT], indexes


async def send_position(
    bot: Bot,
    chat_id: int,
    consultation_id: int,
    position: Position,
    language: str,
    *,
    ranked: Sequence[int] = (),
) -> None:
    """Show the current question with its controls, or the summary."""
    _ = Translator(language)
    participation = position.participation
    if position.question is None:
        if position.definition.mode is Mode.LISTENING and not position.definition.questions:
            await bot.send_message(chat_id, _("listening-ready"))
            return
        text, indexes = summary_text(position, language)
        markup = keyboards.summary(_, consultation_id, participation.version, indexes)
        await bot.send_message(chat_id, text, reply_markup=markup)
        return
    keys = keyboards.QuestionKeys(
        consultation_id, participation.version, position.definition, position.question
    )
    await bot.send_message(
        chat_id,
        question_text(position, language, ranked=ranked)[:MESSAGE_LIMIT],
        reply_markup=keys.markup(_, ranked=ranked),
    )
    if keyboards.wants_pin(position.question):
        # A message holds one keyboard: the location request needs a reply keyboard of its own.
        await bot.send_message(
            chat_id, _("hint-location-pin"), reply_markup=keyboards.location_request(_)
        )


async def send_consent(
    bot: Bot,
    chat_id: int,
    consultation: Consultation,
    definition: SurveyDefinition,
    version: int,
    language: str,
) -> None:
    """Title, intro, the privacy notice and the age question, with Agree / No / Under age."""
    _ = Translator(language)
    min_age = definition.min_age
    intro = f"{text_of(definition.title, language)}\n\n{text_of(definition.intro, language)}"
    notice = (
        f"{_('consent-header')}\n\n{text_of(definition.privacy_notice, language)}\n\n"
        f"{_('consent-age', count=min_age)}"
    )
    markup = keyboards.consent(_, consultation.slug, version, min_age)
    if len(intro) + len(notice) + 2 <= MESSAGE_LIMIT:
        await bot.send_message(chat_id, f"{intro}\n\n{notice}", reply_markup=markup)
        return
    await bot.send_message(chat_id, intro[:MESSAGE_LIMIT])
    await bot.send_message(chat_id, notice[:MESSAGE_LIMIT], reply_markup=markup)


async def send_submitted(
    bot: Bot,
    chat_id: int,
    consultation: Consultation,
    definition: SurveyDefinition,
    language: str,
    *,
    following: bool,
) -> None:
    """Thanks, when results come, and (unless already following) an offer to follow."""
    _ = Translator(language)
    title = text_of(definition.title, language)
    note = text_of(definition.results_note, language) if definition.results_note else ""
    lines = [_("submitted-thanks", title=title), note or _("results-note-default")]
    if definition.mode is Mode.LISTENING:
        lines.append(_("listening-ready"))
    await bot.send_message(chat_id, "\n\n".join(lines), reply_markup=ReplyKeyboardRemove())
    if not following and consultation.id is not None:
        await bot.send_message(
            chat_id,
            _("follow-offer", name=consultation.project),
            reply_markup=keyboards.single(
                _("button-follow-project", name=consultation.project),
                Follow(c=consultation.id).pack(),
            ),
        )


def refusal_text(outcome: object, _: Translator) -> str:
    """The sentence for an outcome that stops a citizen's step (closed, submitted, …)."""
    if isinstance(outcome, outcomes.AlreadySubmitted):
        return _("already-submitted")
    if isinstance(outcome, outcomes.ConsultationClosed):
        return _("consultation-closed")
    if isinstance(outcome, outcomes.ConsultationNotOpen):
        return _("consultation-not-yet-open")
    if isinstance(outcome, outcomes.AlreadyRecorded):
        return _("already-recorded")
    if isinstance(outcome, outcomes.Incomplete):
        return _("incomplete")
    if isinstance(outcome, outcomes.ConsultationNotFound):
        return _("consultation-not-open")
    return _("please-start")


async def edit_keyboard(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Replace (or, with ``None``, remove) the keyboard of the tapped message.

    Telegram refuses an edit that changes nothing ("message is not modified"), which a double
    tap causes; that refusal is harmless and must not fail the update.
    """
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=markup)


async def edit_screen(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup) -> None:
    """Replace the text and keyboard of the tapped message (a ranking in progress)."""
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_text(text, reply_markup=markup)
