"""Property tests of the survey engine over generated surveys and simulated citizens.

The simulated citizen answers the question in front of it (a valid random value, or a skip
when optional), and with a limited budget goes back or edits an earlier answer, also from
the summary. The engine must terminate, never show a hidden question, never ask a question
twice without a back/edit in between, keep only visible answers, and end complete.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from surveys.definition import (
    AnswerValue,
    Condition,
    ConditionKind,
    LocationMode,
    Question,
    QuestionType,
    SurveyDefinition,
)
from surveys.engine import (
    EngineError,
    apply_answer,
    check_answer,
    district_options,
    is_complete,
    is_visible,
    location_mode,
    next_question,
    parse_answer,
    previous_question,
    visible_questions,
)
from surveys.rejections import REJECTION_TEXTS, Rejection, explain, template_fields
from tests.strategies import (
    answers_or_skip,
    changed_answers,
    question_fields,
    questions,
    survey_definitions,
    valid_answers,
    wrong_answers,
)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Answers = dict[str, AnswerValue | None]
_EDIT_RATHER_THAN_BACK: st.SearchStrategy[bool] = st.booleans()


def _visible_keys(definition: SurveyDefinition, answers: Answers) -> list[str]:
    return [q.key for q in visible_questions(definition, answers)]


def _assert_only_visible_answers(definition: SurveyDefinition, answers: Answers) -> None:
    visible = _visible_keys(definition, answers)
    assert set(answers) <= set(visible), (
        f"answers to hidden questions: {set(answers) - set(visible)}"
    )


def _assert_drop_is_exact(
    definition: SurveyDefinition, before: Answers, key: str, after: Answers
) -> None:
    """After an answer, a given entry survives exactly when its question is visible."""
    for question in definition.questions:
        had_entry = question.key in before or question.key == key
        kept = question.key in after
        assert kept == (had_entry and is_visible(question, after)), question.key
        if kept and question.key != key:
            assert after[question.key] == before[question.key]


class Citizen:
    """Walks one survey the way a person in a chat might, checking the engine at each step."""

    def __init__(self, definition: SurveyDefinition, data: st.DataObject, moves: int) -> None:
        self.definition = definition
        self.data = data
        self.moves_left = moves  # how many "back"/"edit" taps this citizen will make
        self.answers: Answers = {}
        self.asked_since_move: set[str] = set()

    def ask_next(self) -> Question | None:
        question = next_question(self.definition, self.answers)
        if question is None:
            return None
        assert question.key in _visible_keys(self.definition, self.answers), "asked hidden"
        assert is_visible(question, self.answers)
        assert question.key not in self.asked_since_move, f"{question.key} asked twice"
        assert question.key not in self.answers
        self.asked_since_move.add(question.key)
        return question

    def answer(self, question: Question) -> None:
        if question.key in self.answers:  # a citizen who edits an answer changes it
            values = changed_answers(question, self.answers[question.key])
        else:
            values = answers_or_skip(question)
        value = self.data.draw(values, label=f"answer {question.key}")
        before = self.answers
        self.answers = apply_answer(self.definition, before, question.key, value)
        assert self.answers[question.key] == value
        if set(before) - set(self.answers):
            event("an answer hid earlier answers")
        _assert_only_visible_answers(self.definition, self.answers)
        _assert_drop_is_exact(self.definition, before, question.key, self.answers)

    def edit_candidates(self) -> list[str]:
        """Answered questions; those a shown question's show_if looks at, when there are any."""
        shown = visible_questions(self.definition, self.answers)
        answered = [q.key for q in shown if q.key in self.answers]
        looked_at = {c.question for q in shown for c in q.show_if}
        return [k for k in answered if k in looked_at] or answered

    def move(self, current: Question | None) -> Question | None:
        """Go back one question or jump to an earlier answer; the question now in front."""
        self.moves_left -= 1
        candidates = self.edit_candidates()
        target: Question | None
        wants_edit = bool(candidates) and self.data.draw(_EDIT_RATHER_THAN_BACK, label="edit?")
        if wants_edit:
            target = self.definition.question(self.data.draw(st.sampled_from(candidates)))
            event("edit")
        else:
            key = None if current is None else current.key
            target = previous_question(self.definition, self.answers, key)
            visible = (
                self.definition.questions
                if current is None
                else self.definition.questions[: self.definition.index_of(current.key)]
            )
            shown_before = [q for q in visible if is_visible(q, self.answers)]
            assert target == (shown_before[-1] if shown_before else None), "wrong way back"
            if target is None:  # "back" on the first question stays there
                return current
        self.asked_since_move = set()
        assert target.key in _visible_keys(self.definition, self.answers)
        return target

    def run(self) -> int:
        """Take the survey to its end; returns the number of steps it took."""
        steps = 0
        # Each stretch between two moves asks every question at most once.
        bound = (len(self.definition.questions) + 1) * (self.moves_left + 1)
        current = self.ask_next()
        while True:
            steps += 1
            assert steps <= bound, "the survey does not terminate"
            # Citizens review at the summary more often than they turn back mid-way.
            odds = 1 if current is None else 3
            wants_move = (
                self.moves_left > 0 and self.data.draw(st.integers(0, odds), label="move?") == 0
            )
            if wants_move:
                current = self.move(current)
                continue
            if current is None:
                return steps
            self.answer(current)
            current = self.ask_next()


@SETTINGS
@given(definition=survey_definitions(), data=st.data(), moves=st.integers(0, 6))
def test_simulated_citizen_completes_the_survey(
    definition: SurveyDefinition, data: st.DataObject, moves: int
) -> None:
    citizen = Citizen(definition, data, moves)
    citizen.run()
    answers = citizen.answers
    visible = visible_questions(definition, answers)
    # Complete by the definition, checked question by question rather than via the engine.
    assert {q.key for q in visible} == set(answers), "a hidden answer or a missing entry"
    for question in visible:
        assert check_answer(question, answers[question.key]) is None
        if question.required:
            assert answers[question.key] is not None, f"required {question.key} is empty"
    assert is_complete(definition, answers)
    for question in definition.questions:
        if question not in visible:
            with pytest.raises(EngineError, match="hidden"):
                apply_answer(definition, answers, question.key, None)


@SETTINGS
@given(definition=survey_definitions(min_questions=2), data=st.data())
def test_editing_an_early_answer_drops_exactly_the_newly_hidden_answers(
    definition: SurveyDefinition, data: st.DataObject
) -> None:
    citizen = Citizen(definition, data, moves=0)
    citizen.run()
    target = definition.question(data.draw(st.sampled_from(citizen.edit_candidates())))
    citizen.answer(target)  # checks that exactly the newly hidden answers went
    edited = citizen.answers
    # Whatever the edit hid, the engine then asks exactly the newly shown questions.
    newly_shown = [q.key for q in visible_questions(definition, edited) if q.key not in edited]
    following = next_question(definition, edited)
    assert (following.key if following else None) == (newly_shown[0] if newly_shown else None)


@SETTINGS
@given(rest=survey_definitions(), data=st.data(), length=st.integers(2, 4))
def test_hiding_a_question_hides_the_chain_that_depends_on_it(
    rest: SurveyDefinition, data: st.DataObject, length: int
) -> None:
    # head (yes_no) → link_1 shown if head is "yes" → link_2 shown if link_1 answered → …
    # Only link_1 names the head: the others go because their own condition sees a hidden
    # (so unanswered) question. Generated questions follow, some looking at the chain.
    head = Question(key="head", type=QuestionType.YES_NO, text={"it": "?", "en": "?"})
    chain = [head]
    for index in range(1, length + 1):
        condition = (
            Condition(ConditionKind.EQUALS, "head", "yes")
            if index == 1
            else Condition(ConditionKind.ANSWERED, chain[-1].key)
        )
        fields = data.draw(question_fields(), label=f"link_{index}")
        fields["required"] = True  # a skip would end the chain by itself
        chain.append(Question(key=f"link_{index}", text=head.text, show_if=(condition,), **fields))
    definition = replace(rest, questions=(*chain, *rest.questions))
    citizen = Citizen(definition, data, moves=0)
    citizen.answers = apply_answer(definition, {}, "head", True)
    citizen.run()
    assert all(q.key in citizen.answers for q in chain)
    citizen.answer(head)  # changes "yes" to "no"
    assert citizen.answers["head"] is False
    assert not any(q.key in citizen.answers for q in chain[1:])
    following = next_question(definition, citizen.answers)
    assert following is None or following.key not in {q.key for q in chain}


@SETTINGS
@given(question=questions(), data=st.data())
def test_check_answer_accepts_valid_values_and_explains_refusals_in_both_languages(
    question: Question, data: st.DataObject
) -> None:
    assert check_answer(question, data.draw(valid_answers(question), label="valid")) is None
    anything: Any = data.draw(wrong_answers(question), label="anything")
    rejections = [check_answer(question, anything)]
    if isinstance(anything, str):
        parsed = parse_answer(question, anything)
        rejections.append(parsed if isinstance(parsed, Rejection) else None)
    for rejection in filter(None, rejections):
        for language in ("it", "en"):
            template = REJECTION_TEXTS[rejection.code][language]
            assert template_fields(template) <= set(rejection.params), (rejection, language)
            assert "{" not in explain(rejection, language)


@SETTINGS
@given(
    number=st.integers(-(10**9), 10**9),
    cents=st.integers(0, 99),
    italian=st.booleans(),
)
def test_typed_numbers_in_italian_or_english_format_parse_exactly(
    number: int, cents: int, italian: bool
) -> None:
    question = Question(key="amount", type=QuestionType.NUMBER, text={"it": "?", "en": "?"})
    group, mark = (".", ",") if italian else (",", ".")
    grouped = f"{abs(number):,}".replace(",", group)
    text = f"{'-' if number < 0 else ''}{grouped}{mark}{cents:02d}"
    expected = (abs(number) + cents / 100) * (-1 if number < 0 else 1)
    parsed = parse_answer(question, text)
    assert isinstance(parsed, float)
    assert abs(parsed - expected) <= 1e-6 * max(1, abs(expected))
    assert parse_answer(question, str(number)) == number


@SETTINGS
@given(question=questions(), data=st.data())
def test_options_typed_by_number_or_label_parse_to_the_option(
    question: Question, data: st.DataObject
) -> None:
    if question.type not in (QuestionType.SINGLE_CHOICE, QuestionType.LOCATION):
        return
    options = (
        district_options(question) if question.type is QuestionType.LOCATION else question.options
    )
    index = data.draw(st.integers(0, len(options) - 1))
    label = options[index].label[data.draw(st.sampled_from(["it", "en"]))]
    typed = [str(index + 1), f"  {label.upper()} "]
    expected: AnswerValue = options[index].value
    if question.type is QuestionType.LOCATION:
        if location_mode(question) is LocationMode.PIN:
            assert parse_answer(question, typed[0]) == Rejection("pin_expected")
            return
        expected = {"district": options[index].value}
    for text in typed:
        assert parse_answer(question, text) == expected, text
