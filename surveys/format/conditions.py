"""Reading ``show_if``: conditions on earlier answers, checked against the question they name.

A condition may only look back (the engine asks questions in order), and its operator and
value must make sense for the referenced question's type, or the question would silently
never — or always — be shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from surveys.definition import (
    CONDITIONS_WITH_VALUE,
    Condition,
    ConditionKind,
    LocationMode,
    Question,
    QuestionType,
)
from surveys.format.fields import Fields, scalar_text
from surveys.format.tree import YamlList, YamlMap, YamlNode, YamlScalar

OPERATORS = tuple(kind.value for kind in ConditionKind)
_YES_NO = {"yes", "no"}


class _Wrong(Protocol):
    def __call__(self, code: str, **params: str | int | float) -> bool: ...


@dataclass(frozen=True)
class QuestionPosition:
    """Where a question key is first defined: for 'unknown' and 'later' references."""

    index: int
    line: int


def read_show_if(
    fields: Fields,
    own_key: str,
    own_index: int,
    positions: Mapping[str, QuestionPosition],
    earlier: Mapping[str, Question],
) -> tuple[Condition, ...]:
    node = fields.get("show_if")
    if node is None:
        return ()
    if isinstance(node, YamlMap):
        items: list[YamlNode] = [node]
    elif isinstance(node, YamlList):
        items = node.items
        if not items:
            fields.report(node.line, "show_if", "condition_empty")
    else:
        fields.report(node.line, "show_if", "expected_condition")
        return ()
    conditions: list[Condition] = []
    for item in items:
        if not isinstance(item, YamlMap):
            fields.report(item.line, "show_if", "expected_condition")
            continue
        reader = _ConditionReader(Fields(fields.reporter, item, fields.key, "show_if."))
        condition = reader.read(own_key, own_index, positions, earlier)
        if condition is not None:
            conditions.append(condition)
    return tuple(conditions)


class _ConditionReader:
    def __init__(self, fields: Fields) -> None:
        self.fields = fields

    def read(
        self,
        own_key: str,
        own_index: int,
        positions: Mapping[str, QuestionPosition],
        earlier: Mapping[str, Question],
    ) -> Condition | None:
        f = self.fields
        f.reject_unknown({"question", *OPERATORS})
        target = f.string("question", required=True)
        kind = self._operator()
        if target is None or kind is None:
            return None
        line = f.line_of("question")
        if target == own_key:
            f.report(line, "question", "condition_self")
            return None
        position = positions.get(target)
        if position is None:
            f.report(line, "question", "condition_unknown_question", question=target)
            return None
        if position.index > own_index:
            f.report(
                line,
                "question",
                "condition_later_question",
                question=target,
                question_line=position.line,
            )
            return None
        if kind not in CONDITIONS_WITH_VALUE:
            return self._flag(kind, target)
        referenced = earlier.get(target)  # absent when that question's type was invalid
        value = self._value(kind, referenced)
        if value is None:
            return None
        return Condition(kind, target, value)

    def _operator(self) -> ConditionKind | None:
        present = [name for name in OPERATORS if name in self.fields.node.entries]
        if not present:
            self.fields.report(
                self.fields.node.line,
                "question",
                "condition_no_operator",
                allowed=", ".join(OPERATORS),
            )
            return None
        if len(present) > 1:
            line = self.fields.line_of(present[1])
            self.fields.report(
                line, present[1], "condition_many_operators", operators=", ".join(present)
            )
            return None
        return ConditionKind(present[0])

    def _flag(self, kind: ConditionKind, target: str) -> Condition | None:
        flag = self.fields.boolean(kind.value)
        if flag is None:
            if not self.fields.has(kind.value):  # `answered:` with nothing after it
                self.fields.report(
                    self.fields.line_of(kind.value), kind.value, "expected_boolean", value="null"
                )
            return None
        if not flag:
            self.fields.report(
                self.fields.line_of(kind.value),
                kind.value,
                "condition_flag_not_true",
                operator=kind.value,
            )
            return None
        return Condition(kind, target)

    def _value(self, kind: ConditionKind, referenced: Question | None) -> str | None:
        f = self.fields
        name = kind.value
        node = f.get(name)
        line = f.line_of(name)
        if node is None or scalar_text(node) is None:
            f.report(line, name, "expected_string")
            return None
        value = self._normalised(node, referenced)
        if kind is ConditionKind.MATCHES:
            try:
                re.compile(value)
            except re.error as exc:
                f.report(line, name, "invalid_regex", value=value, detail=str(exc))
                return None
        if referenced is not None and not self._fits(kind, value, referenced, line):
            return None
        return value

    @staticmethod
    def _normalised(node: YamlNode, referenced: Question | None) -> str:
        """``equals: yes`` is YAML's boolean true; for a yes/no question it means "yes"."""
        assert isinstance(node, YamlScalar)
        if (
            referenced is not None
            and referenced.type is QuestionType.YES_NO
            and isinstance(node.value, bool)
        ):
            return "yes" if node.value else "no"
        text = scalar_text(node)
        assert text is not None
        return text

    def _fits(self, kind: ConditionKind, value: str, q: Question, line: int) -> bool:
        """Whether ``kind: value`` can ever be true of an answer to ``q``; reports why not."""
        operator = kind.value
        about = {"operator": operator, "question": q.key}

        def wrong(code: str, **params: str | int | float) -> bool:
            self.fields.report(line, operator, code, **about, **params)
            return False

        if kind is ConditionKind.MATCHES:
            # A regex can test any answer written as text (an option value, "yes", "7"); a map
            # pin has no text worth matching.
            if q.type is QuestionType.LOCATION and q.location is LocationMode.PIN:
                return wrong("condition_operator_type", type=q.type)
            return True
        if kind is ConditionKind.INCLUDES:
            if q.type not in (QuestionType.MULTI_CHOICE, QuestionType.RANKING):
                return wrong("condition_operator_type", type=q.type)
            return self._is_option(value, q, wrong)
        # equals / not_equals compare one answer with one value
        match q.type:
            case QuestionType.MULTI_CHOICE | QuestionType.RANKING:
                return wrong("condition_operator_type", type=q.type)
            case QuestionType.LOCATION if q.location is LocationMode.PIN:
                return wrong("condition_operator_type", type=q.type)
            case QuestionType.SINGLE_CHOICE | QuestionType.LOCATION:
                return self._is_option(value, q, wrong)
            case QuestionType.SCALE if q.options:
                return self._is_option(value, q, wrong)
            case QuestionType.SCALE:
                if not re.fullmatch(r"[+-]?\d+", value):
                    return wrong("condition_value_not_number", value=value)
                low, high = q.min, q.max
                if low is not None and high is not None and not low <= int(value) <= high:
                    return wrong("condition_value_out_of_range", value=value, min=low, max=high)
                return True
            case QuestionType.NUMBER:
                try:
                    float(value)
                except ValueError:
                    return wrong("condition_value_not_number", value=value)
                return True
            case QuestionType.YES_NO:
                return value in _YES_NO or wrong("condition_value_yes_no", value=value)
            case QuestionType.FREE_TEXT:
                return True

    @staticmethod
    def _is_option(value: str, q: Question, wrong: _Wrong) -> bool:
        if value in q.option_values or not q.options:
            return True
        return wrong("condition_value_not_option", value=value, allowed=", ".join(q.option_values))
