"""Inline and reply keyboards of the citizen conversation.

Each question type gets its native control: one button per option, a row of numbers for a
scale, Yes/No, ticks with a Done button, ranking buttons numbered as they are tapped, district
buttons and a reply-keyboard button that asks the Telegram client for a location. Every
question screen ends with Back, and optional questions with Skip.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from dialogs import callbacks as cb
from dialogs.i18n import Translator
from surveys import engine
from surveys.definition import LocationMode, Question, QuestionType, SurveyDefinition

SCALE_ROW = 6  # 0–10 fits in two rows on a phone
DISTRICT_ROW = 3


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def label(texts: dict[str, str] | object, language: str) -> str:
    """An option label in ``language``, else any language it has."""
    if isinstance(texts, dict) and texts:
        return str(texts.get(language) or next(iter(texts.values())))
    return str(texts)


class QuestionKeys:
    """The buttons of one question of one participation's survey version."""

    def __init__(
        self, consultation_id: int, version: int, definition: SurveyDefinition, question: Question
    ) -> None:
        self.c = consultation_id
        self.v = version
        self.question = question
        self.q = definition.index_of(question.key)

    def _navigation(self, _: Translator) -> list[InlineKeyboardButton]:
        row = [_button(_("button-back"), cb.Back(c=self.c, v=self.v, q=self.q).pack())]
        if not self.question.required:
            row.append(_button(_("button-skip"), cb.Skip(c=self.c, v=self.v, q=self.q).pack()))
        return row

    def markup(
        self, _: Translator, *, ticked: int = 0, ranked: Sequence[int] = ()
    ) -> InlineKeyboardMarkup:
        """The inline keyboard; ``ticked`` (multi-choice) and ``ranked`` are choices so far."""
        language = _.language
        question = self.question
        rows: list[list[InlineKeyboardButton]] = []
        kind = question.type
        if kind is QuestionType.SINGLE_CHOICE:
            rows = [
                [_button(label(o.label, language), self._answer(i))]
                for i, o in enumerate(question.options)
            ]
        elif kind is QuestionType.YES_NO:
            rows = [
                [
                    _button(_("button-yes"), self._answer(1)),
                    _button(_("button-no"), self._answer(0)),
                ]
            ]
        elif kind is QuestionType.SCALE:
            low, high = engine.scale_range(question)
            if question.options:  # labelled points, one per row so the label fits
                rows = [
                    [_button(f"{low + i} · {label(o.label, language)}", self._answer(i))]
                    for i, o in enumerate(question.options)
                ]
            else:
                points = [_button(str(n), self._answer(n - low)) for n in range(low, high + 1)]
                rows = _rows(points, SCALE_ROW)
        elif kind is QuestionType.MULTI_CHOICE:
            rows = [
                [
                    _button(
                        ("✅ " if ticked >> i & 1 else "▫️ ") + label(o.label, language),
                        cb.Toggle(c=self.c, v=self.v, q=self.q, m=ticked, o=i).pack(),
                    )
                ]
                for i, o in enumerate(question.options)
            ]
            count = len(cb.indexes_of(ticked))
            done = _("button-done") + (f" ({count})" if count else "")
            rows.append([_button(done, cb.Done(c=self.c, v=self.v, q=self.q, m=ticked).pack())])
        elif kind is QuestionType.RANKING:
            # Ranked options keep their place, numbered: a keyboard that reflowed under a
            # quick finger would turn the next tap into another option.
            picked = cb.picked_of(list(ranked))
            rows = [
                [
                    _button(
                        (f"{list(ranked).index(i) + 1}. " if i in ranked else "")
                        + label(o.label, language),
                        cb.Rank(c=self.c, v=self.v, q=self.q, s=picked, o=i).pack(),
                    )
                ]
                for i, o in enumerate(question.options)
            ]
            undo = cb.Undo(c=self.c, v=self.v, q=self.q, s=picked).pack()
            rows.append([_button(_("button-undo"), undo)])
        elif (
            kind is QuestionType.LOCATION and engine.location_mode(question) is not LocationMode.PIN
        ):
            districts = [
                _button(label(o.label, language), self._answer(i))
                for i, o in enumerate(engine.district_options(question))
            ]
            rows = _rows(districts, DISTRICT_ROW)
        rows.append(self._navigation(_))
        return InlineKeyboardMarkup(inline_keyboard=rows)

    def _answer(self, index: int) -> str:
        return cb.Answer(c=self.c, v=self.v, q=self.q, o=index).pack()


def wants_pin(question: Question) -> bool:
    return question.type is QuestionType.LOCATION and engine.location_mode(question) in (
        LocationMode.PIN,
        LocationMode.BOTH,
    )


def location_request(_: Translator) -> ReplyKeyboardMarkup:
    """The reply keyboard whose button makes the Telegram client send a location."""
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_("button-send-location"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def summary(
    _: Translator, consultation_id: int, version: int, question_indexes: Sequence[int]
) -> InlineKeyboardMarkup:
    """✏️ 1 … ✏️ n (one per answered question, by its number in the summary), Back, Submit."""
    edits = [
        _button(f"✏️ {number}", cb.Edit(c=consultation_id, v=version, q=index).pack())
        for number, index in enumerate(question_indexes, start=1)
    ]
    rows = _rows(edits, 5)
    rows.append(
        [
            _button(_("button-back"), cb.Back(c=consultation_id, v=version, q=cb.SUMMARY).pack()),
            _button(_("button-submit"), cb.Submit(c=consultation_id, v=version).pack()),
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def consent(_: Translator, slug: str, version: int, min_age: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(_("button-consent", count=min_age), cb.Consent(v=version, slug=slug).pack())],
            [
                _button(_("button-decline"), cb.Decline(slug=slug).pack()),
                _button(
                    _("button-under-age", count=min_age), cb.UnderAge(slug=slug, age=min_age).pack()
                ),
            ],
        ]
    )


def single(text: str, data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[_button(text, data)]])


def column(buttons: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[_button(text, data)] for text, data in buttons])
