"""Citizen keyboards: every button of every example question fits Telegram's 64-byte callback
data, carries the survey version and question index, and answers render as readable text."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs import callbacks as cb
from dialogs import keyboards
from dialogs.citizen.render import answer_text, question_text, summary_text
from dialogs.i18n import LANGUAGES, Translator
from surveys import engine
from surveys.definition import SurveyDefinition
from surveys.entities import Participation
from surveys.format import load_definition
from surveys.usecases.outcomes import Position

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "surveys" / "examples").glob("*.yaml"))
# Far beyond what a city will reach: ids and versions with many digits.
BIG_ID, BIG_VERSION = 9_999_999, 99_999
LONGEST_SLUG = "a" + "-b" * 23 + "c"  # 48 characters, the longest a slug may be


def _definitions() -> list[SurveyDefinition]:
    return [load_definition(path) for path in EXAMPLES]


def _all_data(markup: object) -> list[str]:
    rows = getattr(markup, "inline_keyboard", [])
    return [str(b.callback_data) for row in rows for b in row if b.callback_data]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_button_of_every_example_fits_in_64_bytes(language: str) -> None:
    _ = Translator(language)
    checked = 0
    for definition in _definitions():
        for question in definition.questions:
            keys = keyboards.QuestionKeys(BIG_ID, BIG_VERSION, definition, question)
            every_option = list(range(len(question.options)))
            screens = [
                keys.markup(_),
                keys.markup(_, ticked=cb.mask_of(every_option)),
                keys.markup(_, ranked=every_option[:-1]),
            ]
            for markup in screens:
                for data in _all_data(markup):
                    assert len(data.encode("utf-8")) <= cb.MAX_CALLBACK_BYTES, data
                    checked += 1
    summary = keyboards.summary(_, BIG_ID, BIG_VERSION, list(range(40)))
    consent = keyboards.consent(_, LONGEST_SLUG, BIG_VERSION, 14)
    for data in _all_data(summary) + _all_data(consent):
        assert len(data.encode("utf-8")) <= cb.MAX_CALLBACK_BYTES, data
    assert checked > 100


def test_buttons_carry_version_and_question_index_not_a_hash() -> None:
    definition = next(d for d in _definitions() if d.slug == "opencare")
    question = definition.question("satisfaction")
    keys = keyboards.QuestionKeys(3, 2, definition, question)
    seven = next(
        cb.Answer.unpack(d) for d in _all_data(keys.markup(Translator("it"))) if d.endswith(":7")
    )
    assert (seven.c, seven.v, seven.q, seven.o) == (3, 2, definition.index_of("satisfaction"), 7)
    assert all(
        len(part) < 16 for d in _all_data(keys.markup(Translator("it"))) for part in d.split(":")
    )


def test_each_question_type_gets_its_native_control() -> None:
    definition = next(d for d in _definitions() if d.slug == "opencare")
    _ = Translator("en")

    def prefixes(key: str, **state: object) -> list[str]:
        keys = keyboards.QuestionKeys(1, 1, definition, definition.question(key))
        return [d.split(":")[0] for d in _all_data(keys.markup(_, **state))]  # type: ignore[arg-type]

    assert prefixes("municipio") == ["a"] * 9 + ["b"]  # districts, Back (required: no Skip)
    assert prefixes("carer_hours") == ["b", "s"]  # typed, optional: Back and Skip
    assert prefixes("satisfaction") == ["a"] * 11 + ["b"]  # 0–10
    assert prefixes("services") == ["t"] * 7 + ["d", "b"]  # ticks, Done
    assert prefixes("priorities") == ["r"] * 6 + ["u", "b"]  # options, Undo, Back
    ranked = keyboards.QuestionKeys(1, 1, definition, definition.question("priorities"))
    labels = [b.text for row in ranked.markup(_, ranked=[2, 0]).inline_keyboard for b in row]
    assert labels[:3] == ["2. Close to home", "Always the same people", "1. Flexible hours"]
    assert prefixes("carer_support") == ["a", "a", "b"]  # Yes / No
    assert keyboards.wants_pin(definition.question("barrier_place"))
    assert not keyboards.wants_pin(definition.question("municipio"))
    request = keyboards.location_request(_).keyboard[0][0]
    assert request.request_location is True


def test_ticks_and_rankings_round_trip_through_callback_data() -> None:
    assert cb.indexes_of(cb.mask_of([0, 3, 6])) == [0, 3, 6]
    assert cb.ranking_of(cb.picked_of([5, 0, 12, 35])) == [5, 0, 12, 35]
    toggle = cb.Toggle(c=1, v=2, q=3, m=cb.mask_of([1, 2]), o=4).pack()
    assert cb.Toggle.unpack(toggle).m == 0b110


def test_answers_read_as_the_citizen_chose_them() -> None:
    definition = next(d for d in _definitions() if d.slug == "opencare")
    q = definition.question
    assert answer_text(q("municipio"), {"district": "municipio_3"}, "it") == "Municipio 3"
    assert (
        answer_text(q("barrier_place"), {"lat": 45.4, "lon": 9.1}, "en") == "📍 a place on the map"
    )
    assert answer_text(q("role"), "carer", "en") == "I look after a relative or friend"
    assert answer_text(q("priorities"), ["low_cost", "step_free"], "it") == (
        "1. Costi contenuti, 2. Spazi senza barriere"
    )
    assert answer_text(q("not_alone"), 5, "en") == "Strongly agree"
    assert answer_text(q("workshop"), True, "it") == "Sì"
    assert answer_text(q("workshop"), None, "en") == "(skipped)"
    assert answer_text(q("idea"), "x" * 500, "en").endswith("…")


def test_question_screen_and_summary_show_step_help_and_answers() -> None:
    definition = next(d for d in _definitions() if d.slug == "opencare")
    answers = {"municipio": {"district": "municipio_1"}, "role": "resident"}
    participation = Participation(1, 1, 1, consent_version="x", current_question="satisfaction")
    visible = tuple(engine.visible_questions(definition, answers))
    position = Position(
        participation, definition, answers, definition.question("satisfaction"), visible
    )
    text = question_text(position, "en")
    assert text.startswith("Opencare: care close to home · 3/")
    assert "0 = Not at all satisfied · 10 = Completely satisfied" in text
    summary, indexes = summary_text(position, "en")
    assert indexes == [0, 1] and "→ I live here and care about this" in summary
