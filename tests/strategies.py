"""Hypothesis strategies: valid survey definitions and answers for them.

``survey_definitions()`` draws surveys with every question type and every ``show_if``
condition kind, each condition naming an *earlier* question (as the YAML validator demands)
with a value from that question's domain, so conditions are often true and often false.
``valid_answers(q)`` draws values ``check_answer`` must accept; ``wrong_answers(q)`` draws
anything at all (mostly values it must refuse).
"""

from __future__ import annotations

import math
import string
from collections.abc import Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st

from surveys.definition import (
    MILAN_MUNICIPI,
    AnswerValue,
    Condition,
    ConditionKind,
    LocationMode,
    Mode,
    Option,
    Question,
    QuestionType,
    SurveyDefinition,
)

# Letters (accented too) and punctuation but no whitespace, so a drawn text keeps its length
# when stripped; the small share of "a"/"b" lets `matches` conditions hit often.
TEXT_ALPHABET = "aabbcxyzàèéìòù" + string.digits + "?!.,'-€"
MATCH_PATTERNS = ("a", "^b", r"\d", "[àèé]", "yes", "^opt_[01]", "municipio_[1-3]$", "5", "^-")
NUMBER_SPAN = 10**6  # stand-in for "no bound" when drawing numbers

T = TypeVar("T")


def _text(word: str) -> dict[str, str]:
    return {"it": f"{word} (it)", "en": f"{word} (en)"}


def _options(prefix: str, count: int) -> tuple[Option, ...]:
    return tuple(
        Option(f"{prefix}_{i}", {"it": f"Opzione {prefix} {i}", "en": f"Option {prefix} {i}"})
        for i in range(count)
    )


# Generating a survey draws hundreds of small values; drawing them all from these few shared
# strategies (instead of building st.integers(lo, hi) each time) keeps the tests fast.
_INDEX = st.integers(0, 1023)
_FLAG = st.booleans()


def _between(draw: st.DrawFn, low: int, high: int) -> int:
    """An integer in [low, high]; shrinks towards ``low``."""
    return low + draw(_INDEX) % (high - low + 1)


def _pick(draw: st.DrawFn, items: Sequence[T]) -> T:
    """One of ``items``; shrinks towards the first."""
    return items[draw(_INDEX) % len(items)]


def _choice_fields(draw: st.DrawFn, kind: QuestionType) -> dict[str, Any]:
    count = _between(draw, 2, 6)
    fields: dict[str, Any] = {"options": _options("opt", count)}
    if kind is QuestionType.MULTI_CHOICE:
        low = _between(draw, 0, count) if draw(_FLAG) else None
        effective_low = 1 if low is None else low
        high = _between(draw, max(1, effective_low), count) if draw(_FLAG) else None
        fields.update(min=low, max=high)
    elif kind is QuestionType.RANKING:
        fields["max"] = _between(draw, 1, count) if draw(_FLAG) else None
    return fields


def _scale_fields(draw: st.DrawFn) -> dict[str, Any]:
    if draw(_FLAG):  # labelled (Likert) scale
        points = _between(draw, 3, 7)
        return {
            "options": tuple(
                Option(str(n), {"it": f"Livello {n}", "en": f"Level {n}"})
                for n in range(1, points + 1)
            )
        }
    low = _between(draw, 0, 1)
    return {"min": low, "max": low + _between(draw, 2, 10)}


def _number_fields(draw: st.DrawFn) -> dict[str, Any]:
    integer = draw(_FLAG)
    # Whole-number questions get whole bounds, others may get halves, like "min: 0.5".
    bounds = [
        (_between(draw, -200, 200) / (1 if integer else 2)) if draw(_FLAG) else None
        for _ in range(2)
    ]
    low, high = bounds
    if low is not None and high is not None and high < low:
        low, high = high, low
    return {"min": low, "max": high, "integer": integer}


def _free_text_fields(draw: st.DrawFn) -> dict[str, Any]:
    low = _between(draw, 1, 30) if draw(_FLAG) else None
    high = _between(draw, low or 1, 300) if draw(_FLAG) else None
    return {"min": low, "max": high}


def _location_fields(draw: st.DrawFn) -> dict[str, Any]:
    mode = _pick(draw, [None, *LocationMode])
    return {"location": mode, "options": _options("zona", 4) if draw(_FLAG) else ()}


@st.composite
def question_fields(draw: st.DrawFn) -> dict[str, Any]:
    """Keyword arguments of a Question (type, required and the type's own settings)."""
    kind = _pick(draw, list(QuestionType))
    fields: dict[str, Any] = {}
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE, QuestionType.RANKING):
        fields = _choice_fields(draw, kind)
    elif kind is QuestionType.SCALE:
        fields = _scale_fields(draw)
    elif kind is QuestionType.NUMBER:
        fields = _number_fields(draw)
    elif kind is QuestionType.FREE_TEXT:
        fields = _free_text_fields(draw)
    elif kind is QuestionType.LOCATION:
        fields = _location_fields(draw)
    fields.update(type=kind, required=draw(_FLAG))
    return fields


def questions(key: str = "q0") -> st.SearchStrategy[Question]:
    """A single question of any type, without show_if."""
    return question_fields().map(lambda fields: Question(key=key, text=_text(key), **fields))


def _condition_value(draw: st.DrawFn, question: Question) -> str:
    """A value an `equals`/`not_equals` condition on ``question`` may name."""
    kind = question.type
    if kind is QuestionType.YES_NO:
        return _pick(draw, ["yes", "no"])
    if kind is QuestionType.SCALE:
        return str(_between(draw, *_scale_bounds(question)))
    if kind is QuestionType.NUMBER:
        low, high = _number_bounds(question)
        if draw(_FLAG) or math.ceil(low) > math.floor(high):
            return "0"
        return str(_between(draw, math.ceil(low), math.floor(high)))
    if kind is QuestionType.LOCATION:
        return _pick(draw, [o.value for o in _districts(question)])
    if kind is QuestionType.FREE_TEXT:
        return _pick(draw, ["a", "ab", "b", "abc"])
    return _pick(draw, question.option_values)


def _condition(draw: st.DrawFn, earlier: list[Question]) -> Condition:
    """One show_if condition on one of the ``earlier`` questions."""
    target = _pick(draw, earlier)
    kinds = list(ConditionKind)
    if target.type not in (QuestionType.MULTI_CHOICE, QuestionType.RANKING):
        kinds.remove(ConditionKind.INCLUDES)
    else:  # the YAML spec compares lists with `includes`, not `equals`
        kinds.remove(ConditionKind.EQUALS)
        kinds.remove(ConditionKind.NOT_EQUALS)
    kind = _pick(draw, kinds)
    value: str | None = None
    if kind is ConditionKind.MATCHES:
        value = _pick(draw, MATCH_PATTERNS)
    elif kind is ConditionKind.INCLUDES:
        value = _pick(draw, target.option_values)
    elif kind in (ConditionKind.EQUALS, ConditionKind.NOT_EQUALS):
        value = _condition_value(draw, target)
    return Condition(kind, target.key, value)


@st.composite
def survey_definitions(
    draw: st.DrawFn, min_questions: int = 1, max_questions: int = 8
) -> SurveyDefinition:
    count = _between(draw, min_questions, max_questions)
    questions: list[Question] = []
    for index in range(count):
        key = f"q{index}"
        fields = draw(question_fields())
        show_if: tuple[Condition, ...] = ()
        if questions and _between(draw, 0, 9) < 6:  # most questions after the first branch
            show_if = tuple(_condition(draw, questions) for _ in range(_between(draw, 1, 2)))
        questions.append(Question(key=key, text=_text(key), show_if=show_if, **fields))
    return SurveyDefinition(
        slug="prova-generata",
        project="Prova",
        mode=Mode.SURVEY,
        title=_text("Titolo"),
        intro=_text("Intro"),
        privacy_notice=_text("Privacy"),
        questions=tuple(questions),
    )


# --- answers -------------------------------------------------------------------------------


def _scale_bounds(question: Question) -> tuple[int, int]:
    if question.options:
        return 1, len(question.options)
    assert question.min is not None and question.max is not None
    return int(question.min), int(question.max)


def _number_bounds(question: Question) -> tuple[float, float]:
    low = -NUMBER_SPAN if question.min is None else question.min
    high = NUMBER_SPAN if question.max is None else question.max
    return low, high


def _whole_numbers(question: Question) -> st.SearchStrategy[int]:
    low, high = _number_bounds(question)
    if math.ceil(low) > math.floor(high):  # e.g. min 0.5, max 0.5: no whole number fits
        return st.nothing()
    return st.integers(math.ceil(low), math.floor(high))


def _districts(question: Question) -> tuple[Option, ...]:
    return question.options or tuple(Option(v, label) for v, label in MILAN_MUNICIPI)


def _pins() -> st.SearchStrategy[AnswerValue]:
    return st.fixed_dictionaries(
        {
            "lat": st.floats(-90, 90, allow_nan=False),
            "lon": st.floats(-180, 180, allow_nan=False),
        }
    )


def valid_answers(question: Question) -> st.SearchStrategy[AnswerValue]:
    """Values ``check_answer`` must accept for ``question`` (never ``None``)."""
    kind, values = question.type, list(question.option_values)
    if kind is QuestionType.SINGLE_CHOICE:
        return st.sampled_from(values)
    if kind is QuestionType.MULTI_CHOICE:
        low = 1 if question.min is None else int(question.min)
        high = len(values) if question.max is None else int(question.max)
        # A slice of a shuffle: drawing distinct items one by one often fails for large sizes.
        return st.tuples(st.permutations(values), st.integers(low, high)).map(
            lambda drawn: list(drawn[0][: drawn[1]])
        )
    if kind is QuestionType.RANKING:
        size = len(values) if question.max is None else int(question.max)
        return st.permutations(values).map(lambda order: list(order[:size]))
    if kind is QuestionType.SCALE:
        return st.integers(*_scale_bounds(question))
    if kind is QuestionType.NUMBER:
        if question.integer:
            return _whole_numbers(question)
        lowest, highest = _number_bounds(question)
        return _whole_numbers(question) | st.floats(lowest, highest, allow_nan=False)
    if kind is QuestionType.FREE_TEXT:
        shortest = 1 if question.min is None else int(question.min)
        longest = 4000 if question.max is None else int(question.max)
        return st.text(TEXT_ALPHABET, min_size=shortest, max_size=min(longest, shortest + 40))
    if kind is QuestionType.YES_NO:
        return st.booleans()
    mode = question.location or LocationMode.DISTRICTS
    districts = st.sampled_from([{"district": o.value} for o in _districts(question)])
    if mode is LocationMode.DISTRICTS:
        return districts
    return _pins() if mode is LocationMode.PIN else districts | _pins()


def answers_or_skip(question: Question) -> st.SearchStrategy[AnswerValue | None]:
    """What a citizen sends: a valid value, or a skip when the question is optional."""
    if question.required:
        return valid_answers(question)
    return st.none() | valid_answers(question)


def changed_answers(question: Question, old: AnswerValue | None) -> st.SearchStrategy[Any]:
    """What a citizen who edits ``old`` sends instead: anything valid but ``old``."""
    if old is None:
        return valid_answers(question)
    if question.type is QuestionType.YES_NO:
        new: st.SearchStrategy[Any] = st.just(not old)
    else:
        new = valid_answers(question).filter(lambda value: value != old)
    return new if question.required else st.none() | new


_ANY_SCALAR = (
    st.none()
    | st.booleans()
    | st.integers(-(10**9), 10**9)
    | st.floats()
    | st.text(TEXT_ALPHABET + " \x00\n", max_size=20)
)


def wrong_answers(question: Question) -> st.SearchStrategy[Any]:
    """Anything at all, biased to near misses (bad option, bad count, bad bound, bad shape)."""
    near = st.sampled_from([*question.option_values, "nope", "opt_99", "municipio_10"])
    return (
        _ANY_SCALAR
        | st.lists(near, max_size=8)
        | st.fixed_dictionaries({"district": near})
        | st.fixed_dictionaries({"lat": st.floats(), "lon": st.floats()})
        | st.dictionaries(st.sampled_from(["district", "lat", "lon", "x"]), _ANY_SCALAR)
        | st.text(TEXT_ALPHABET, min_size=0, max_size=500)
        | st.text(" \t\n\x00", max_size=5)
    )
