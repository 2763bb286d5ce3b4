"""What a consultation *is*: the immutable survey definition and its answer values.

These types are the contract between the YAML format (``surveys.format``), the pure survey
engine (``surveys.engine``), storage (which keeps a definition as JSON per survey version) and
the Telegram dialogs. They are plain frozen dataclasses so that a published version cannot be
changed by accident and so that two equal definitions hash equally.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

DEFAULT_LANGUAGES: tuple[str, ...] = ("it", "en")
SUPPORTED_LANGUAGES: frozenset[str] = frozenset({"it", "en"})
KEY_PATTERN = r"^[a-z0-9_]{1,32}$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,47}$"
INVITATION_PREFIX = "inv-"  # deep-link payloads starting with this are staff invitations
DEFAULT_RETENTION_DAYS = 365
DEFAULT_MIN_AGE = 14  # the Italian age of digital consent (D.Lgs. 101/2018, art. 2-quinquies)
DEFAULT_CLOSING_GRACE_MINUTES = 30  # a citizen mid-survey may finish this long after closing
DEFAULT_TIMEZONE = "Europe/Rome"

# Milan's nine Municipi: the district list a `location` question uses when it names none.
MILAN_MUNICIPI: tuple[tuple[str, dict[str, str]], ...] = tuple(
    (f"municipio_{n}", {"it": f"Municipio {n}", "en": f"Municipio {n}"}) for n in range(1, 10)
)


class Mode(StrEnum):
    """A survey asks ordered questions; a listening consultation collects free ideas."""

    SURVEY = "survey"
    LISTENING = "listening"


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    SCALE = "scale"
    FREE_TEXT = "free_text"
    NUMBER = "number"
    YES_NO = "yes_no"
    RANKING = "ranking"
    LOCATION = "location"


CHOICE_TYPES = frozenset(
    {QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE, QuestionType.RANKING}
)


class ConditionKind(StrEnum):
    ANSWERED = "answered"
    NOT_ANSWERED = "not_answered"
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    INCLUDES = "includes"
    MATCHES = "matches"


CONDITIONS_WITH_VALUE = frozenset(
    {ConditionKind.EQUALS, ConditionKind.NOT_EQUALS, ConditionKind.INCLUDES, ConditionKind.MATCHES}
)


class LocationMode(StrEnum):
    """How a `location` question is answered: a Telegram pin, a district button, or either."""

    PIN = "pin"
    DISTRICTS = "districts"
    BOTH = "both"


LocalizedText = Mapping[str, str]
"""Text per language code, e.g. ``{"it": "Quale Municipio?", "en": "Which Municipio?"}``."""


@dataclass(frozen=True)
class Option:
    """One choice of a choice, ranking, labelled-scale or district question.

    ``value`` is stable and stored with answers; ``label`` is what a citizen reads.
    """

    value: str
    label: LocalizedText


@dataclass(frozen=True)
class Condition:
    """``show_if`` clause: the question is shown only when this holds for ``question``."""

    kind: ConditionKind
    question: str
    value: str | None = None


@dataclass(frozen=True)
class Question:
    """One question of a survey.

    The meaning of ``min``/``max`` depends on the type:
    multi_choice → number of options picked; free_text → length in characters;
    number → the value; scale → the range (0–10 style, when ``options`` is empty);
    ranking → ``max`` is how many options must be ranked (all when absent).
    A labelled scale (Likert) lists its points in ``options`` with values "1", "2", ….
    ``show_if`` holds when *all* its conditions hold.
    """

    key: str
    type: QuestionType
    text: LocalizedText
    required: bool = True
    help: LocalizedText | None = None
    show_if: tuple[Condition, ...] = ()
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    integer: bool = False
    location: LocationMode | None = None
    min_label: LocalizedText | None = None
    max_label: LocalizedText | None = None

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)


@dataclass(frozen=True)
class Schedule:
    """When a consultation opens and closes (time-zone aware datetimes, or unset)."""

    opens_at: datetime | None = None
    closes_at: datetime | None = None
    timezone: str = DEFAULT_TIMEZONE


@dataclass(frozen=True)
class SurveyDefinition:
    """A consultation file, parsed and validated. Immutable once published."""

    slug: str
    project: str
    mode: Mode
    title: LocalizedText
    intro: LocalizedText
    privacy_notice: LocalizedText
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    schedule: Schedule = field(default_factory=Schedule)
    retention_days: int = DEFAULT_RETENTION_DAYS
    results_note: LocalizedText | None = None
    questions: tuple[Question, ...] = ()
    min_age: int = DEFAULT_MIN_AGE
    closing_grace_minutes: int = DEFAULT_CLOSING_GRACE_MINUTES

    def question(self, key: str) -> Question:
        for question in self.questions:
            if question.key == key:
                return question
        raise KeyError(key)

    def has_question(self, key: str) -> bool:
        return any(q.key == key for q in self.questions)

    def index_of(self, key: str) -> int:
        for index, question in enumerate(self.questions):
            if question.key == key:
                return index
        raise KeyError(key)

    @property
    def free_text_keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions if q.type is QuestionType.FREE_TEXT)

    def content_hash(self) -> str:
        """Identity of the survey content: equal definitions give equal hashes.

        The schedule is left out on purpose: moving a closing date is not a new survey version.
        """
        payload = definition_to_dict(self)
        payload.pop("schedule", None)
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- answer values -------------------------------------------------------------------------

AnswerValue = str | int | float | bool | list[str] | dict[str, Any]
"""JSON-friendly value of one answer, by question type:

single_choice → option value (str); multi_choice → list of option values; scale → int;
free_text → str; number → int or float; yes_no → bool; ranking → option values in rank order;
location → ``{"district": value}`` or ``{"lat": float, "lon": float}``.
"""

Answers = Mapping[str, AnswerValue | None]
"""Answers so far, by question key. ``None`` means the citizen skipped an optional question."""


# --- (de)serialisation: storage keeps a definition as JSON -----------------------------------


def _text(value: LocalizedText | None) -> dict[str, str] | None:
    return None if value is None else dict(sorted(value.items()))


def _question_to_dict(q: Question) -> dict[str, Any]:
    data: dict[str, Any] = {"key": q.key, "type": q.type.value, "text": _text(q.text)}
    if not q.required:
        data["required"] = False
    if q.help is not None:
        data["help"] = _text(q.help)
    if q.show_if:
        data["show_if"] = [
            {"kind": c.kind.value, "question": c.question, "value": c.value} for c in q.show_if
        ]
    if q.options:
        data["options"] = [{"value": o.value, "label": _text(o.label)} for o in q.options]
    for name in ("min", "max"):
        if getattr(q, name) is not None:
            data[name] = getattr(q, name)
    if q.integer:
        data["integer"] = True
    if q.location is not None:
        data["location"] = q.location.value
    if q.min_label is not None:
        data["min_label"] = _text(q.min_label)
    if q.max_label is not None:
        data["max_label"] = _text(q.max_label)
    return data


def definition_to_dict(definition: SurveyDefinition) -> dict[str, Any]:
    """A JSON-ready dict; ``definition_from_dict`` reverses it exactly."""
    schedule = definition.schedule
    return {
        "slug": definition.slug,
        "project": definition.project,
        "mode": definition.mode.value,
        "languages": list(definition.languages),
        "title": _text(definition.title),
        "intro": _text(definition.intro),
        "privacy_notice": _text(definition.privacy_notice),
        "schedule": {
            "opens_at": schedule.opens_at.isoformat() if schedule.opens_at else None,
            "closes_at": schedule.closes_at.isoformat() if schedule.closes_at else None,
            "timezone": schedule.timezone,
        },
        "retention_days": definition.retention_days,
        "results_note": _text(definition.results_note),
        "questions": [_question_to_dict(q) for q in definition.questions],
        "min_age": definition.min_age,
        "closing_grace_minutes": definition.closing_grace_minutes,
    }


def _question_from_dict(data: Mapping[str, Any]) -> Question:
    return Question(
        key=data["key"],
        type=QuestionType(data["type"]),
        text=dict(data["text"]),
        required=data.get("required", True),
        help=data.get("help"),
        show_if=tuple(
            Condition(ConditionKind(c["kind"]), c["question"], c.get("value"))
            for c in data.get("show_if", ())
        ),
        options=tuple(Option(o["value"], dict(o["label"])) for o in data.get("options", ())),
        min=data.get("min"),
        max=data.get("max"),
        integer=data.get("integer", False),
        location=LocationMode(data["location"]) if data.get("location") else None,
        min_label=data.get("min_label"),
        max_label=data.get("max_label"),
    )


def definition_from_dict(data: Mapping[str, Any]) -> SurveyDefinition:
    schedule = data.get("schedule") or {}
    return SurveyDefinition(
        slug=data["slug"],
        project=data["project"],
        mode=Mode(data["mode"]),
        languages=tuple(data.get("languages", DEFAULT_LANGUAGES)),
        title=dict(data["title"]),
        intro=dict(data["intro"]),
        privacy_notice=dict(data["privacy_notice"]),
        schedule=Schedule(
            opens_at=datetime.fromisoformat(schedule["opens_at"])
            if schedule.get("opens_at")
            else None,
            closes_at=(
                datetime.fromisoformat(schedule["closes_at"]) if schedule.get("closes_at") else None
            ),
            timezone=schedule.get("timezone", DEFAULT_TIMEZONE),
        ),
        retention_days=data.get("retention_days", DEFAULT_RETENTION_DAYS),
        results_note=data.get("results_note"),
        questions=tuple(_question_from_dict(q) for q in data.get("questions", ())),
        min_age=data.get("min_age", DEFAULT_MIN_AGE),
        closing_grace_minutes=data.get("closing_grace_minutes", DEFAULT_CLOSING_GRACE_MINUTES),
    )
