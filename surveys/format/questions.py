"""Reading one question: its key, type, texts, options and the bounds its type allows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from surveys.definition import (
    KEY_PATTERN,
    MILAN_MUNICIPI,
    LocationMode,
    Option,
    Question,
    QuestionType,
)
from surveys.format.conditions import QuestionPosition, read_show_if
from surveys.format.fields import Fields, Reporter, scalar_text
from surveys.format.tree import YamlMap

_KEY = re.compile(KEY_PATTERN)
TELEGRAM_MESSAGE_LIMIT = 4096
MAX_SCALE_SPAN = 10

COMMON_FIELDS = frozenset({"key", "type", "text", "required", "help", "show_if"})
TYPE_FIELDS: Mapping[QuestionType, frozenset[str]] = {
    QuestionType.SINGLE_CHOICE: frozenset({"options"}),
    QuestionType.MULTI_CHOICE: frozenset({"options", "min", "max"}),
    QuestionType.SCALE: frozenset({"options", "min", "max", "min_label", "max_label"}),
    QuestionType.FREE_TEXT: frozenset({"min", "max"}),
    QuestionType.NUMBER: frozenset({"min", "max", "integer"}),
    QuestionType.YES_NO: frozenset(),
    QuestionType.RANKING: frozenset({"options", "max"}),
    QuestionType.LOCATION: frozenset({"location", "options"}),
}
ALL_QUESTION_FIELDS = COMMON_FIELDS.union(*TYPE_FIELDS.values())


@dataclass
class _Bounds:
    min: float | None = None
    max: float | None = None


def question_label(node: YamlMap, index: int) -> str:
    """What errors are filed under: the key as written, or the question's position."""
    entry = node.entries.get("key")
    written = None if entry is None else scalar_text(entry.value)
    return written if written else f"question {index + 1}"


class QuestionReader:
    """Reads the questions of one file in order, so show_if can look at earlier ones."""

    def __init__(self, reporter: Reporter, positions: Mapping[str, QuestionPosition]) -> None:
        self.reporter = reporter
        self.positions = positions
        self.earlier: dict[str, Question] = {}
        self._first_line: dict[str, int] = {}

    def read(self, node: YamlMap, index: int) -> Question | None:
        label = question_label(node, index)
        fields = Fields(self.reporter, node, label)
        key = self._key(fields)
        type_ = self._type(fields)
        if type_ is None:
            # Type-specific fields may be right for the type the author meant: only typos.
            fields.reject_unknown(ALL_QUESTION_FIELDS)
        else:
            fields.reject_unknown(COMMON_FIELDS | TYPE_FIELDS[type_], ALL_QUESTION_FIELDS, type_)
        text = fields.text("text", required=True)
        required = fields.boolean("required")
        help_text = fields.text("help")
        show_if = read_show_if(fields, label, index, self.positions, self.earlier)
        if type_ is None:
            return None
        question = Question(
            key=key or label,
            type=type_,
            text=text or {},
            required=True if required is None else required,
            help=help_text,
            show_if=show_if,
        )
        question = self._typed(fields, question)
        if key is not None and key not in self.earlier:
            self.earlier[key] = question
        return question

    def _key(self, fields: Fields) -> str | None:
        key = fields.string("key", required=True)
        if key is None:
            return None
        line = fields.line_of("key")
        if not _KEY.match(key):
            fields.report(line, "key", "invalid_key", value=key)
            return None
        if key in self._first_line:
            fields.report(line, "key", "duplicate_key", value=key, first_line=self._first_line[key])
        else:
            self._first_line[key] = line
        return key

    def _type(self, fields: Fields) -> QuestionType | None:
        name = fields.string("type", required=True)
        if name is None:
            return None
        try:
            return QuestionType(name)
        except ValueError:
            allowed = ", ".join(t.value for t in QuestionType)
            fields.report(
                fields.line_of("type"), "type", "unknown_type", value=name, allowed=allowed
            )
            return None

    # --- per type ----------------------------------------------------------------------------

    def _typed(self, fields: Fields, q: Question) -> Question:
        match q.type:
            case QuestionType.SINGLE_CHOICE:
                return replace(q, options=self._options(fields, q.type))
            case QuestionType.MULTI_CHOICE:
                options = self._options(fields, q.type)
                bounds = _choice_counts(fields, len(options), ("min", "max"))
                return replace(q, options=options, min=bounds.min, max=bounds.max)
            case QuestionType.RANKING:
                options = self._options(fields, q.type)
                bounds = _choice_counts(fields, len(options), ("max",))
                return replace(q, options=options, max=bounds.max)
            case QuestionType.SCALE:
                return self._scale(fields, q)
            case QuestionType.FREE_TEXT:
                bounds = _text_lengths(fields)
                return replace(q, min=bounds.min, max=bounds.max)
            case QuestionType.NUMBER:
                integer = fields.boolean("integer") or False
                bounds = _number_bounds(fields, integer)
                return replace(q, min=bounds.min, max=bounds.max, integer=integer)
            case QuestionType.LOCATION:
                return self._location(fields, q)
            case QuestionType.YES_NO:
                return q

    def _options(
        self, fields: Fields, type_: QuestionType, *, values_are_keys: bool = True
    ) -> tuple[Option, ...]:
        items = fields.items("options")
        if items is None:
            if not fields.has("options"):
                fields.report(
                    fields.line_of("options"), "options", "too_few_options", type=type_, count=0
                )
            return ()
        options: list[Option] = []
        first_line: dict[str, int] = {}
        for item in items:
            if not isinstance(item, YamlMap):
                fields.report(item.line, "options", "expected_mapping")
                continue
            option = Fields(self.reporter, item, fields.key)
            option.reject_unknown({"value", "label"})
            value = option.string("value", required=True)
            label = option.text("label", required=True, button=True)
            if value is None:
                continue
            line = option.line_of("value")
            if values_are_keys and not _KEY.match(value):
                option.report(line, "value", "invalid_option_value", value=value)
            if value in first_line:
                option.report(
                    line, "value", "duplicate_option", value=value, first_line=first_line[value]
                )
                continue
            first_line[value] = line
            options.append(Option(value, label or {}))
        if len(items) < 2:
            fields.report(
                fields.line_of("options"),
                "options",
                "too_few_options",
                type=type_,
                count=len(items),
            )
        return tuple(options)

    def _scale(self, fields: Fields, q: Question) -> Question:
        if fields.has("options"):
            for name in ("min", "max", "min_label", "max_label"):
                if name in fields.node.entries:
                    fields.report(fields.line_of(name), name, "scale_mixed")
            options = self._options(fields, q.type, values_are_keys=False)
            for position, option in enumerate(options, start=1):
                if option.value != str(position):
                    line = _option_line(fields, position - 1)
                    fields.report(
                        line,
                        "options",
                        "scale_label_value",
                        position=position,
                        expected=str(position),
                        value=option.value,
                    )
            return replace(q, options=options)
        low, high = fields.integer("min"), fields.integer("max")
        min_label = fields.text("min_label", button=True)
        max_label = fields.text("max_label", button=True)
        if not fields.has("min") or not fields.has("max"):
            fields.report(fields.node.line, "type", "scale_missing_range")
        elif low is not None and high is not None:
            if low >= high:
                fields.report(fields.line_of("max"), "max", "scale_range_empty", min=low, max=high)
            elif high - low > MAX_SCALE_SPAN:
                fields.report(
                    fields.line_of("max"),
                    "max",
                    "scale_range_too_wide",
                    min=low,
                    max=high,
                    points=high - low + 1,
                )
        return replace(q, min=low, max=high, min_label=min_label, max_label=max_label)

    def _location(self, fields: Fields, q: Question) -> Question:
        mode = LocationMode.DISTRICTS
        name = fields.string("location")
        if name is not None:
            try:
                mode = LocationMode(name)
            except ValueError:
                fields.report(
                    fields.line_of("location"), "location", "invalid_location_mode", value=name
                )
        if mode is LocationMode.PIN:
            if fields.has("options"):
                fields.report(fields.line_of("options"), "options", "options_with_pin")
            return replace(q, location=mode)
        if fields.has("options"):
            options = self._options(fields, q.type)
        else:
            options = tuple(Option(value, dict(label)) for value, label in MILAN_MUNICIPI)
        return replace(q, location=mode, options=options)


def _option_line(fields: Fields, index: int) -> int:
    items = fields.items("options") or []
    return items[index].line if index < len(items) else fields.line_of("options")


def _min_not_above_max(fields: Fields, bounds: _Bounds) -> None:
    if bounds.min is not None and bounds.max is not None and bounds.min > bounds.max:
        fields.report(
            fields.line_of("min"), "min", "min_greater_than_max", min=bounds.min, max=bounds.max
        )


def _choice_counts(fields: Fields, option_count: int, names: tuple[str, ...]) -> _Bounds:
    """multi_choice min/max and ranking max count options: each between 1 and how many exist."""
    bounds = _Bounds()
    for name in names:
        value = fields.integer(name)
        if value is None:
            continue
        if option_count and not 1 <= value <= option_count:
            fields.report(
                fields.line_of(name), name, "count_out_of_range", value=value, count=option_count
            )
        setattr(bounds, name, value)
    _min_not_above_max(fields, bounds)
    return bounds


def _text_lengths(fields: Fields) -> _Bounds:
    bounds = _Bounds(fields.integer("min"), fields.integer("max"))
    for name in ("min", "max"):
        value = getattr(bounds, name)
        if value is not None and value < 0:
            fields.report(fields.line_of(name), name, "negative_length", value=value)
    if bounds.max is not None and bounds.max > TELEGRAM_MESSAGE_LIMIT:
        fields.report(
            fields.line_of("max"),
            "max",
            "text_max_too_long",
            value=bounds.max,
            limit=TELEGRAM_MESSAGE_LIMIT,
        )
    _min_not_above_max(fields, bounds)
    return bounds


def _number_bounds(fields: Fields, integer: bool) -> _Bounds:
    bounds = _Bounds(fields.number("min"), fields.number("max"))
    if integer:
        for name in ("min", "max"):
            value = getattr(bounds, name)
            if value is not None and value != int(value):
                fields.report(fields.line_of(name), name, "integer_bound", value=value)
    _min_not_above_max(fields, bounds)
    return bounds
