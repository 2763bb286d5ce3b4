"""The survey engine: which question comes next, and whether an answer is acceptable.

Pure functions over a :class:`SurveyDefinition` and the answers so far; no I/O, no clock, no
framework. The dialogs call them on every step and storage keeps what they return.

Branching model: questions are evaluated in definition order, and a ``show_if`` condition
sees only the answers of *visible* earlier questions, so a hidden question counts as
unanswered (and its stored answer is dropped by :func:`apply_answer`). A condition naming a
later or unknown question sees it as unanswered too; the YAML validator forbids both.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from surveys.definition import (
    MILAN_MUNICIPI,
    Answers,
    AnswerValue,
    Condition,
    ConditionKind,
    LocationMode,
    Option,
    Question,
    QuestionType,
    SurveyDefinition,
)
from surveys.rejections import Rejection, RejectionCode

__all__ = [
    "DEFAULT_SCALE_RANGE",
    "DEFAULT_TEXT_LIMITS",
    "EngineError",
    "Rejection",
    "RejectionCode",
    "apply_answer",
    "check_answer",
    "choice_limits",
    "district_options",
    "is_complete",
    "is_visible",
    "location_mode",
    "next_question",
    "normalize_text",
    "parse_answer",
    "previous_question",
    "ranking_length",
    "scale_range",
    "text_limits",
    "visible_answers",
    "visible_questions",
]

# A Telegram message holds 4096 characters; keep a margin for the quote in the summary.
DEFAULT_TEXT_LIMITS = (1, 4000)
DEFAULT_SCALE_RANGE = (0, 10)
_MAX_NUMBER_CHARS = 40  # longer "numbers" are typos or abuse, and would overflow a float

YES_WORDS = frozenset({"sì", "si", "sí", "s", "yes", "y"})
NO_WORDS = frozenset({"no", "n"})
# How a condition names a yes_no answer: "yes"/"no" by the spec; YAML 1.1 may turn those
# into booleans, which arrive here as "True"/"False".
_YES_VALUES = ("yes", "true")
_NO_VALUES = ("no", "false")


class EngineError(Exception):
    """A caller broke the engine's contract: unknown key, hidden question or invalid value."""

    def __init__(self, message: str, rejection: Rejection | None = None) -> None:
        super().__init__(message)
        self.rejection = rejection


# --- visibility ----------------------------------------------------------------------------


def is_visible(question: Question, answers: Answers) -> bool:
    """Whether all of ``question``'s ``show_if`` conditions hold on ``answers`` as given.

    ``answers`` should hold visible answers only (as :func:`apply_answer` returns them);
    :func:`visible_questions` does that filtering itself.
    """
    return all(_holds(condition, answers.get(condition.question)) for condition in question.show_if)


def visible_questions(definition: SurveyDefinition, answers: Answers) -> list[Question]:
    """The questions shown to a citizen with these answers, in definition order."""
    return [question for question, _ in _walk(definition, answers)]


def visible_answers(
    definition: SurveyDefinition, answers: Answers
) -> dict[str, AnswerValue | None]:
    """``answers`` without entries of hidden or unknown questions, in definition order."""
    return {q.key: answers[q.key] for q, _ in _walk(definition, answers) if q.key in answers}


def _walk(definition: SurveyDefinition, answers: Answers) -> Iterator[tuple[Question, int]]:
    """Visible questions with their index; conditions see only earlier visible answers."""
    seen: dict[str, AnswerValue | None] = {}
    for index, question in enumerate(definition.questions):
        if is_visible(question, seen):
            yield question, index
            if question.key in answers:
                seen[question.key] = answers[question.key]


def _holds(condition: Condition, answer: AnswerValue | None) -> bool:
    kind = condition.kind
    # str(): a YAML loader may hand over `equals: 7` as a number; compare it as written.
    expected = None if condition.value is None else str(condition.value)
    if kind == ConditionKind.ANSWERED:
        return answer is not None
    if kind == ConditionKind.NOT_ANSWERED:
        return answer is None
    if kind == ConditionKind.NOT_EQUALS:
        return answer is None or not _equals(answer, expected)
    if answer is None or expected is None:
        return False
    if kind == ConditionKind.EQUALS:
        return _equals(answer, expected)
    if kind == ConditionKind.INCLUDES:
        return _includes(answer, expected)
    if kind == ConditionKind.MATCHES:
        pattern = _compile(expected)
        return pattern is not None and pattern.search(_as_text(answer)) is not None
    return False  # pragma: no cover - every ConditionKind is handled above


def _equals(answer: AnswerValue, expected: str | None) -> bool:
    if expected is None:
        return False
    if isinstance(answer, bool):  # before int: bool is an int in Python
        return expected.strip().lower() in (_YES_VALUES if answer else _NO_VALUES)
    if isinstance(answer, int | float):
        number = _parse_decimal(expected)
        return number is not None and number == answer
    if isinstance(answer, str):
        return answer == expected
    if isinstance(answer, list):
        return answer == [expected]  # "equals" on a list: exactly that one choice
    return answer.get("district") == expected


def _includes(answer: AnswerValue, expected: str) -> bool:
    if isinstance(answer, list):
        return expected in answer
    if isinstance(answer, str):
        return answer == expected
    return isinstance(answer, dict) and answer.get("district") == expected


def _as_text(answer: AnswerValue) -> str:
    """The string a ``matches`` regex is searched in."""
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, list):
        return ", ".join(answer)
    if isinstance(answer, dict):
        if "district" in answer:
            return str(answer["district"])
        return f"{answer.get('lat')},{answer.get('lon')}"
    return str(answer)


@functools.lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None  # the validator rejects bad regexes; an old one must not crash a chat


# --- flow ----------------------------------------------------------------------------------


def next_question(definition: SurveyDefinition, answers: Answers) -> Question | None:
    """The first visible question without a valid entry; ``None`` when all are done.

    A skip (``None`` on an optional question) is an entry. An entry that ``check_answer``
    refuses (which ``apply_answer`` never stores) counts as missing, so that ``None`` here
    always means :func:`is_complete`.
    """
    for question, _ in _walk(definition, answers):
        missing = question.key not in answers
        if missing or check_answer(question, answers[question.key]) is not None:
            return question
    return None


def previous_question(
    definition: SurveyDefinition, answers: Answers, current_key: str | None
) -> Question | None:
    """The visible question before ``current_key`` (the last one when ``None``, the summary).

    ``None`` at the first question. ``current_key`` may itself be hidden (a question the
    citizen was looking at before editing an earlier answer). Unknown key → ``EngineError``.
    """
    if current_key is None:
        limit = len(definition.questions)
    elif definition.has_question(current_key):
        limit = definition.index_of(current_key)
    else:
        raise EngineError(f"unknown question {current_key!r}")
    before = [question for question, index in _walk(definition, answers) if index < limit]
    return before[-1] if before else None


def apply_answer(
    definition: SurveyDefinition, answers: Answers, key: str, value: AnswerValue | None
) -> dict[str, AnswerValue | None]:
    """New answers with ``key`` set to ``value`` (first answer or edit).

    Answers of questions the change hides are dropped, transitively, as are entries for keys
    the definition does not know. Raises :class:`EngineError` if ``key`` is unknown, its
    question is hidden, or ``check_answer`` refuses ``value`` (``error.rejection`` says why).
    """
    if not definition.has_question(key):
        raise EngineError(f"unknown question {key!r}")
    question = definition.question(key)
    if all(shown.key != key for shown in visible_questions(definition, answers)):
        raise EngineError(f"question {key!r} is hidden by its show_if conditions")
    rejection = check_answer(question, value)
    if rejection is not None:
        raise EngineError(f"invalid answer to {key!r}: {rejection.code}", rejection)
    updated = dict(answers)
    updated[key] = value
    # One ordered walk is enough: conditions only look back, so each decision is final.
    return visible_answers(definition, updated)


def is_complete(definition: SurveyDefinition, answers: Answers) -> bool:
    """Every visible question has a valid entry (required ones not ``None``).

    Entries of hidden questions are ignored; :func:`apply_answer` never leaves any.
    """
    return next_question(definition, answers) is None


# --- what each question type accepts -------------------------------------------------------


def choice_limits(question: Question) -> tuple[int, int]:
    """How many options a multi_choice answer picks: (min, max), defaults (1, all)."""
    count = len(question.options)
    low = 1 if question.min is None else math.ceil(question.min)
    high = count if question.max is None else min(count, math.floor(question.max))
    return low, high


def ranking_length(question: Question) -> int:
    """How many options a ranking answer orders: ``max``, or all options."""
    count = len(question.options)
    return count if question.max is None else min(count, math.floor(question.max))


def scale_range(question: Question) -> tuple[int, int]:
    """The integers a scale accepts: 1..n for a labelled scale, else min..max (0–10)."""
    if question.options:
        return 1, len(question.options)
    low = DEFAULT_SCALE_RANGE[0] if question.min is None else math.ceil(question.min)
    high = DEFAULT_SCALE_RANGE[1] if question.max is None else math.floor(question.max)
    return low, high


def text_limits(question: Question) -> tuple[int, int]:
    """Allowed length of a free_text answer in characters, after stripping."""
    low = DEFAULT_TEXT_LIMITS[0] if question.min is None else max(1, math.ceil(question.min))
    high = DEFAULT_TEXT_LIMITS[1] if question.max is None else math.floor(question.max)
    return low, high


def location_mode(question: Question) -> LocationMode:
    return question.location or LocationMode.DISTRICTS


def district_options(question: Question) -> tuple[Option, ...]:
    """The districts of a location question: its own options, or Milan's nine Municipi."""
    if question.options:
        return question.options
    return tuple(Option(value, label) for value, label in MILAN_MUNICIPI)


def normalize_text(text: str) -> str:
    """Typed text as stored: NUL characters removed (databases refuse them), ends stripped."""
    return text.replace("\x00", "").strip()


# --- check_answer: structured values from a button or from parse_answer ----------------------


def check_answer(question: Question, value: AnswerValue | None) -> Rejection | None:
    """Why ``value`` is not an acceptable answer to ``question``, or ``None`` if it is."""
    if value is None:
        return Rejection(RejectionCode.REQUIRED) if question.required else None
    return _CHECKERS[question.type](question, value)


def _check_single_choice(question: Question, value: AnswerValue) -> Rejection | None:
    if not isinstance(value, str):
        return Rejection(RejectionCode.INVALID_VALUE)
    if value not in question.option_values:
        return Rejection(RejectionCode.NOT_AN_OPTION, {"count": len(question.options)})
    return None


def _check_choices(question: Question, value: AnswerValue) -> Rejection | None:
    """Shared by multi_choice and ranking: a list of distinct option values."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return Rejection(RejectionCode.INVALID_VALUE)
    if any(item not in question.option_values for item in value):
        return Rejection(RejectionCode.NOT_AN_OPTION, {"count": len(question.options)})
    if len(set(value)) != len(value):
        return Rejection(RejectionCode.DUPLICATE_CHOICE)
    return None


def _check_multi_choice(question: Question, value: AnswerValue) -> Rejection | None:
    rejection = _check_choices(question, value)
    if rejection is not None:
        return rejection
    assert isinstance(value, list)
    low, high = choice_limits(question)
    if len(value) < low:
        return Rejection(RejectionCode.TOO_FEW_CHOICES, {"min": low, "count": len(value)})
    if len(value) > high:
        return Rejection(RejectionCode.TOO_MANY_CHOICES, {"max": high, "count": len(value)})
    return None


def _check_ranking(question: Question, value: AnswerValue) -> Rejection | None:
    rejection = _check_choices(question, value)
    if rejection is not None:
        return rejection
    assert isinstance(value, list)
    expected = ranking_length(question)
    if len(value) != expected:
        return Rejection(RejectionCode.WRONG_RANKING, {"count": expected, "length": len(value)})
    return None


def _check_scale(question: Question, value: AnswerValue) -> Rejection | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return Rejection(RejectionCode.INVALID_VALUE)
    low, high = scale_range(question)
    if not low <= value <= high:
        return Rejection(RejectionCode.OUT_OF_RANGE, {"min": low, "max": high})
    return None


def _check_free_text(question: Question, value: AnswerValue) -> Rejection | None:
    if not isinstance(value, str):
        return Rejection(RejectionCode.INVALID_VALUE)
    length = len(normalize_text(value))
    if length == 0:
        return Rejection(RejectionCode.EMPTY)
    low, high = text_limits(question)
    if length < low:
        return Rejection(RejectionCode.TOO_SHORT, {"min": low, "length": length})
    if length > high:
        return Rejection(RejectionCode.TOO_LONG, {"max": high, "length": length})
    return None


def _check_number(question: Question, value: AnswerValue) -> Rejection | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Rejection(RejectionCode.INVALID_VALUE)
    if not math.isfinite(value):
        return Rejection(RejectionCode.NOT_A_NUMBER)
    if question.integer and not float(value).is_integer():
        return Rejection(RejectionCode.NOT_AN_INTEGER)
    return _check_bounds(question.min, question.max, value)


def _check_bounds(low: float | None, high: float | None, value: float) -> Rejection | None:
    below = low is not None and value < low
    above = high is not None and value > high
    if not (below or above):
        return None
    if low is not None and high is not None:
        return Rejection(RejectionCode.OUT_OF_RANGE, {"min": _plain(low), "max": _plain(high)})
    if low is not None:
        return Rejection(RejectionCode.TOO_SMALL, {"min": _plain(low)})
    assert high is not None
    return Rejection(RejectionCode.TOO_LARGE, {"max": _plain(high)})


def _plain(number: float) -> int | float:
    """0.0 → 0, so a citizen reads "between 0 and 168", not "0.0 and 168.0"."""
    return int(number) if float(number).is_integer() else number


def _check_yes_no(question: Question, value: AnswerValue) -> Rejection | None:
    return None if isinstance(value, bool) else Rejection(RejectionCode.NOT_YES_NO)


def _check_location(question: Question, value: AnswerValue) -> Rejection | None:
    if not isinstance(value, dict):
        return Rejection(RejectionCode.INVALID_LOCATION)
    mode = location_mode(question)
    if set(value) == {"district"}:
        if mode == LocationMode.PIN:
            return Rejection(RejectionCode.DISTRICT_NOT_ALLOWED)
        districts = district_options(question)
        if value["district"] not in {option.value for option in districts}:
            return Rejection(RejectionCode.UNKNOWN_DISTRICT, {"count": len(districts)})
        return None
    if set(value) == {"lat", "lon"}:
        if mode == LocationMode.DISTRICTS:
            return Rejection(RejectionCode.PIN_NOT_ALLOWED)
        if _is_coordinate(value["lat"], 90) and _is_coordinate(value["lon"], 180):
            return None
    return Rejection(RejectionCode.INVALID_LOCATION)


def _is_coordinate(number: Any, limit: float) -> bool:
    return (
        isinstance(number, int | float)
        and not isinstance(number, bool)
        and math.isfinite(number)
        and -limit <= number <= limit
    )


_CHECKERS: Mapping[QuestionType, Callable[[Question, AnswerValue], Rejection | None]] = {
    QuestionType.SINGLE_CHOICE: _check_single_choice,
    QuestionType.MULTI_CHOICE: _check_multi_choice,
    QuestionType.SCALE: _check_scale,
    QuestionType.FREE_TEXT: _check_free_text,
    QuestionType.NUMBER: _check_number,
    QuestionType.YES_NO: _check_yes_no,
    QuestionType.RANKING: _check_ranking,
    QuestionType.LOCATION: _check_location,
}


# --- parse_answer: what a citizen typed ----------------------------------------------------


def parse_answer(question: Question, text: str) -> AnswerValue | Rejection:
    """Turn typed text into a valid answer value, or say why it cannot be one.

    free_text: NULs removed, ends stripped. number: "3,5", "3.5", "1.234,5", "1,234.5".
    scale: "7" (a labelled scale also takes a label). yes_no: sì/si/yes/y/no/n.
    single_choice: option number ("2"), label in any language or value, case-insensitive.
    multi_choice and ranking: such options separated by commas ("1, 3"; "3 1 2" for numbers).
    location: district number or label ("3", "Municipio 3"); a pin-only question needs a pin.
    The result has also passed :func:`check_answer`.
    """
    value = _PARSERS[question.type](question, text)
    if isinstance(value, Rejection):
        return value
    return check_answer(question, value) or value


def _parse_free_text(question: Question, text: str) -> AnswerValue | Rejection:
    return normalize_text(text)


def _parse_number(question: Question, text: str) -> AnswerValue | Rejection:
    number = _parse_decimal(text, prefer_grouping=question.integer)
    if number is None:
        code = RejectionCode.NOT_AN_INTEGER if question.integer else RejectionCode.NOT_A_NUMBER
        return Rejection(code)
    if question.integer and isinstance(number, float) and number.is_integer():
        return int(number)  # "3,0" on a whole-number question is 3
    return number


def _parse_scale(question: Question, text: str) -> AnswerValue | Rejection:
    if question.options:  # labelled scale: the point's number or its label
        option = _match_option(question.options, text)
        if option is not None and option.value.isdecimal():
            return int(option.value)
    stripped = text.strip()
    if re.fullmatch(r"[+-]?[0-9]{1,6}", stripped):
        return int(stripped)
    low, high = scale_range(question)
    return Rejection(RejectionCode.OUT_OF_RANGE, {"min": low, "max": high})


def _parse_yes_no(question: Question, text: str) -> AnswerValue | Rejection:
    word = _fold(text).rstrip(".!")
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return Rejection(RejectionCode.NOT_YES_NO)


def _parse_single_choice(question: Question, text: str) -> AnswerValue | Rejection:
    option = _match_option(question.options, text)
    if option is None:
        return Rejection(RejectionCode.NOT_AN_OPTION, {"count": len(question.options)})
    return option.value


def _parse_choices(question: Question, text: str) -> AnswerValue | Rejection:
    values: list[str] = []
    for token in _choice_tokens(text):
        option = _match_option(question.options, token)
        if option is None:
            return Rejection(RejectionCode.NOT_AN_OPTION, {"count": len(question.options)})
        values.append(option.value)
    return values


def _parse_location(question: Question, text: str) -> AnswerValue | Rejection:
    if location_mode(question) == LocationMode.PIN:
        return Rejection(RejectionCode.PIN_EXPECTED)
    districts = district_options(question)
    option = _match_option(districts, text)
    if option is None:
        return Rejection(RejectionCode.UNKNOWN_DISTRICT, {"count": len(districts)})
    return {"district": option.value}


_PARSERS: Mapping[QuestionType, Callable[[Question, str], AnswerValue | Rejection]] = {
    QuestionType.SINGLE_CHOICE: _parse_single_choice,
    QuestionType.MULTI_CHOICE: _parse_choices,
    QuestionType.SCALE: _parse_scale,
    QuestionType.FREE_TEXT: _parse_free_text,
    QuestionType.NUMBER: _parse_number,
    QuestionType.YES_NO: _parse_yes_no,
    QuestionType.RANKING: _parse_choices,
    QuestionType.LOCATION: _parse_location,
}


def _fold(text: str) -> str:
    """Case- and spacing-insensitive form for comparing typed text with labels."""
    return " ".join(text.replace("\x00", "").split()).casefold()


def _match_option(options: Sequence[Option], text: str) -> Option | None:
    """An option by its 1-based number, its value, or its label in any language."""
    wanted = _fold(text)
    if re.fullmatch(r"[0-9]{1,3}", wanted):
        number = int(wanted)
        return options[number - 1] if 1 <= number <= len(options) else None
    for option in options:
        if wanted == _fold(option.value) or any(wanted == _fold(t) for t in option.label.values()):
            return option
    return None


def _choice_tokens(text: str) -> list[str]:
    """ "1, 3" → ["1", "3"]; "3 1 2" → ["3", "1", "2"]; labels may contain spaces."""
    tokens = [token.strip() for token in re.split(r"[,;\n]+", text) if token.strip()]
    if len(tokens) == 1 and re.fullmatch(r"[0-9]{1,3}(\s+[0-9]{1,3})+", tokens[0]):
        return tokens[0].split()
    return tokens


_GROUPED = {sep: re.compile(r"[0-9]{1,3}(?:" + re.escape(sep) + r"[0-9]{3})+") for sep in ".,"}


def _parse_decimal(text: str, *, prefer_grouping: bool = False) -> int | float | None:
    """A number written the Italian ("1.234,5", "3,5") or English ("1,234.5", "3.5") way.

    With one separator and no other clue, a single "," or "." is the decimal mark, except
    that ``prefer_grouping`` (whole-number questions) reads "1.500" as fifteen hundred.
    """
    compact = re.sub(r"[\s\u00a0\u202f']", "", text)  # "1 234" and "1'234" group thousands
    compact = compact.replace("\u2212", "-")  # the typographic minus some keyboards send
    if len(compact) > _MAX_NUMBER_CHARS:
        return None
    match = re.fullmatch(r"([+-]?)([0-9][0-9.,]*)", compact)
    if match is None:
        return None
    sign, body = match.groups()
    separators = {char for char in body if char in ".,"}
    if not separators:
        return int(sign + body)
    if len(separators) == 2:
        decimal_mark = max(separators, key=body.rindex)
        whole, _, fraction = body.rpartition(decimal_mark)
        grouping = "," if decimal_mark == "." else "."
        if not _GROUPED[grouping].fullmatch(whole) or not fraction.isdecimal():
            return None
        return float(sign + whole.replace(grouping, "") + "." + fraction)
    (separator,) = separators
    grouped = _GROUPED[separator].fullmatch(body) is not None
    if body.count(separator) > 1 or (prefer_grouping and grouped):
        return int(sign + body.replace(separator, "")) if grouped else None
    whole, _, fraction = body.partition(separator)
    if not fraction.isdecimal():
        return None
    return float(sign + whole + "." + fraction)
