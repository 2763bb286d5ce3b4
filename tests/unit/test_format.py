"""The consultation YAML format: every kind of mistake is found, on the right line, under the
right key; valid files become definitions that survive the JSON round trip."""

from __future__ import annotations

import copy
import itertools
import re
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.definition import (
    MILAN_MUNICIPI,
    ConditionKind,
    LocationMode,
    Mode,
    QuestionType,
    definition_from_dict,
    definition_to_dict,
)
from surveys.format import (
    MESSAGES,
    InvalidSurveyError,
    ParseResult,
    ValidationError,
    load_definition,
    parse_definition,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "surveys"
EXAMPLES = ROOT / "surveys" / "examples"
VALID = (FIXTURES / "valid.yaml").read_text(encoding="utf-8")
LISTENING = (FIXTURES / "listening.yaml").read_text(encoding="utf-8")


# --- helpers ---------------------------------------------------------------------------------


def edit(old: str, new: str, text: str = VALID) -> str:
    """Replace one exact, unique snippet, so each test changes exactly what it says."""
    assert text.count(old) == 1, f"snippet must occur once: {old!r}"
    return text.replace(old, new)


def line_of(text: str, needle: str, after: str | None = None) -> int:
    """1-based line of the first line containing ``needle`` (after the line holding ``after``)."""
    lines = text.splitlines()
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line) + 1
    return next(i + 1 for i, line in enumerate(lines[start:], start) if needle in line)


def problems(text: str) -> list[tuple[int | None, str | None, str]]:
    result = parse_definition(text, "t.yaml")
    for error in result.errors:  # every error must render in both languages
        assert error.message("it") and error.message("en")
    return [(e.line, e.key, e.code) for e in result.errors]


def assert_only(text: str, line: int, key: str | None, code: str) -> None:
    assert problems(text) == [(line, key, code)]


# --- the valid files -------------------------------------------------------------------------


def test_valid_fixture_parses_into_a_definition() -> None:
    result = parse_definition(VALID, "valid.yaml")
    assert result.errors == ()
    assert result.ok
    definition = result.definition
    assert definition is not None
    assert definition.slug == "test-garden"
    assert definition.mode is Mode.SURVEY
    assert [q.type for q in definition.questions] == [
        QuestionType.LOCATION, QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE,
        QuestionType.SCALE, QuestionType.SCALE, QuestionType.NUMBER, QuestionType.YES_NO,
        QuestionType.RANKING, QuestionType.FREE_TEXT, QuestionType.FREE_TEXT,
        QuestionType.LOCATION, QuestionType.FREE_TEXT,
    ]  # fmt: skip
    assert definition.question("crops").required is False
    assert (definition.question("crops").min, definition.question("crops").max) == (1, 2)
    assert definition.question("hours").integer is True
    assert definition.question("agree").option_values == ("1", "2", "3")
    assert definition.question("priorities").max == 2


def test_location_without_options_gets_milan_municipi_and_districts_mode() -> None:
    definition = parse_definition(VALID).definition
    assert definition is not None
    municipio = definition.question("municipio")
    assert municipio.location is LocationMode.DISTRICTS
    assert municipio.option_values == tuple(value for value, _ in MILAN_MUNICIPI)
    spot = definition.question("spot")
    assert spot.location is LocationMode.PIN
    assert spot.options == ()


def test_condition_values_are_normalised_to_strings() -> None:
    definition = parse_definition(VALID).definition
    assert definition is not None
    volunteer = definition.question("volunteer")
    assert [(c.kind, c.question, c.value) for c in volunteer.show_if] == [
        (ConditionKind.NOT_EQUALS, "hours", "0"),
        (ConditionKind.EQUALS, "satisfaction", "7"),
    ]
    # `equals: yes` is YAML 1.1's boolean true; for a yes/no question it is the answer "yes".
    assert definition.question("spot").show_if[0].value == "yes"
    spot_note = definition.question("spot_note")
    assert [(c.kind, c.value) for c in spot_note.show_if] == [
        (ConditionKind.ANSWERED, None),
        (ConditionKind.NOT_EQUALS, "1"),
        (ConditionKind.EQUALS, "municipio_3"),
    ]


def test_schedule_local_times_are_aware_in_the_schedule_time_zone() -> None:
    definition = parse_definition(VALID).definition
    assert definition is not None
    opens, closes = definition.schedule.opens_at, definition.schedule.closes_at
    assert opens is not None and closes is not None
    # Rome is UTC+1 in early March and UTC+2 (summer time) at the end of April.
    assert opens.utcoffset() == timedelta(hours=1)
    assert closes.utcoffset() == timedelta(hours=2)
    assert (opens.hour, opens.minute, closes.hour, closes.minute) == (9, 0, 23, 59)


def test_schedule_in_another_time_zone() -> None:
    text = edit("timezone: Europe/Rome", "timezone: America/New_York")
    definition = parse_definition(text).definition
    assert definition is not None
    assert definition.schedule.opens_at is not None
    assert definition.schedule.opens_at.utcoffset() == timedelta(hours=-5)


def test_listening_consultation_without_questions_and_iso_offsets() -> None:
    result = parse_definition(LISTENING, "listening.yaml")
    assert result.errors == ()
    definition = result.definition
    assert definition is not None
    assert definition.mode is Mode.LISTENING
    assert definition.questions == ()
    assert definition.languages == ("en",)
    assert definition.retention_days == 30
    assert definition.schedule.opens_at is not None and definition.schedule.closes_at is not None
    assert definition.schedule.opens_at.utcoffset() == timedelta(hours=2)
    assert definition.schedule.closes_at.utcoffset() == timedelta(0)


def test_round_trip_through_the_storage_dict() -> None:
    definition = load_definition(FIXTURES / "valid.yaml")
    assert definition_from_dict(definition_to_dict(definition)) == definition
    listening = load_definition(FIXTURES / "listening.yaml")
    assert definition_from_dict(definition_to_dict(listening)) == listening


def test_content_hash_is_stable_and_follows_content_not_schedule() -> None:
    first = load_definition(FIXTURES / "valid.yaml").content_hash()
    again = load_definition(FIXTURES / "valid.yaml").content_hash()
    assert first == again
    reworded = edit('en: "Who are you?"', 'en: "Who are you, really?"')
    reworded_definition = parse_definition(reworded).definition
    assert reworded_definition is not None
    assert reworded_definition.content_hash() != first
    rescheduled = edit("closes_at: 2026-04-30 23:59", "closes_at: 2026-05-31 23:59")
    rescheduled_definition = parse_definition(rescheduled).definition
    assert rescheduled_definition is not None
    assert rescheduled_definition.schedule != load_definition(FIXTURES / "valid.yaml").schedule
    assert rescheduled_definition.content_hash() == first


def test_load_definition_raises_with_every_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text((FIXTURES / "three_mistakes.yaml").read_text(encoding="utf-8"))
    with pytest.raises(InvalidSurveyError) as caught:
        load_definition(path)
    assert len(caught.value.errors) == 3
    assert str(caught.value).count(str(path)) == 3


# --- error kinds: each with its line and key -------------------------------------------------


def test_duplicate_question_key() -> None:
    text = edit("- key: spot_note", "- key: idea_detail")
    first = line_of(text, "- key: idea_detail")
    second = line_of(text, "- key: idea_detail", after="- key: idea_detail")
    assert_only(text, second, "idea_detail", "duplicate_key")
    error = parse_definition(text).errors[0]
    assert error.params["first_line"] == first


def test_field_written_twice_in_one_mapping() -> None:
    text = edit("    type: yes_no\n", "    type: yes_no\n    type: yes_no\n")
    assert_only(text, line_of(text, "type: yes_no") + 1, "volunteer", "duplicate_field")


@pytest.mark.parametrize("bad_key", ["Spot-Note", "spot note", "a" * 33, "è"])
def test_invalid_question_key(bad_key: str) -> None:
    text = edit("- key: spot_note", f'- key: "{bad_key}"')
    assert_only(text, line_of(text, bad_key), bad_key, "invalid_key")


def test_key_of_32_characters_is_fine() -> None:
    assert problems(edit("- key: spot_note", "- key: " + "a" * 32)) == []


def test_show_if_referring_to_a_later_question() -> None:
    text = edit("question: role\n", "question: hours\n")
    assert_only(text, line_of(text, "question: hours"), "crops", "condition_later_question")
    error = parse_definition(text).errors[0]
    assert error.params["question_line"] == line_of(text, "- key: hours")


def test_show_if_referring_to_an_unknown_question() -> None:
    text = edit("question: idea\n", "question: ideas\n")
    assert_only(text, line_of(text, "question: ideas"), "idea_detail", "condition_unknown_question")


def test_show_if_referring_to_itself() -> None:
    text = edit("question: idea\n", "question: idea_detail\n")
    assert_only(text, line_of(text, "question: idea_detail"), "idea_detail", "condition_self")


def test_unknown_question_type() -> None:
    text = edit("type: yes_no", "type: yes_or_no")
    assert_only(text, line_of(text, "yes_or_no"), "volunteer", "unknown_type")


def test_typo_in_a_question_field_suggests_the_right_name() -> None:
    text = edit(
        '    required: false\n    text: {it: "Cosa coltivi',
        '    requird: false\n    text: {it: "Cosa coltivi',
    )
    assert_only(text, line_of(text, "requird"), "crops", "unknown_field_suggest")
    assert "did you mean required?" in parse_definition(text).errors[0].message("en")
    assert "forse intendevi required?" in parse_definition(text).errors[0].message("it")


def test_unknown_field_without_a_close_match() -> None:
    text = edit("    type: yes_no\n", "    type: yes_no\n    colour: green\n")
    assert_only(text, line_of(text, "colour"), "volunteer", "unknown_field")


def test_typo_in_a_top_level_field_is_filed_under_that_field() -> None:
    text = edit("retention_days: 365", "retention_day: 365")
    assert_only(text, line_of(text, "retention_day:"), "retention_day", "unknown_field_suggest")


def test_field_of_another_question_type() -> None:
    text = edit("    type: yes_no\n", "    type: yes_no\n    min: 1\n")
    assert_only(text, line_of(text, "type: yes_no") + 1, "volunteer", "field_not_for_type")


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("min: 10\n    max: 1000", "min: 100\n    max: 10", "idea"),
        ("min: 0\n    max: 168", "min: 200\n    max: 168", "hours"),
        ("min: 1\n    max: 2", "min: 2\n    max: 1", "crops"),
    ],
)
def test_min_greater_than_max(old: str, new: str, key: str) -> None:
    text = edit(old, new)
    assert_only(
        text, line_of(text, new.split("\n")[0], after=f"- key: {key}"), key, "min_greater_than_max"
    )


def test_choice_question_with_a_single_option() -> None:
    text = edit(
        '      - value: neighbour\n        label: {it: "Abito vicino", en: "I live nearby"}\n', ""
    )
    assert_only(text, line_of(text, "options:", after="- key: role"), "role", "too_few_options")


def test_choice_question_without_options() -> None:
    text = edit(
        '    options:\n      - value: water\n        label: {it: "Acqua", en: "Water"}\n'
        '      - value: tools\n        label: {it: "Attrezzi", en: "Tools"}\n'
        '      - value: shade\n        label: {it: "Ombra", en: "Shade"}\n',
        "",
    )
    found = problems(text)
    assert (line_of(text, "- key: priorities"), "priorities", "too_few_options") in found


def test_duplicate_option_value() -> None:
    text = edit("value: shade", "value: water")
    assert_only(
        text, line_of(text, "value: water", after="value: water"), "priorities", "duplicate_option"
    )


def test_invalid_option_value() -> None:
    text = edit("value: shade", "value: Shade-Tree")
    assert_only(text, line_of(text, "Shade-Tree"), "priorities", "invalid_option_value")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("max: 2\n    required", "max: 4\n    required"),
        ("min: 1\n    max: 2", "min: 0\n    max: 2"),
    ],
)
def test_multi_choice_count_out_of_option_range(old: str, new: str) -> None:
    text = edit(old, new)
    wrong = new.split("\n")[0]
    assert_only(text, line_of(text, wrong, after="- key: crops"), "crops", "count_out_of_range")


def test_ranking_max_above_the_option_count() -> None:
    text = edit('max: 2\n    text: {it: "Ordina', 'max: 4\n    text: {it: "Ordina')
    assert_only(text, line_of(text, "max: 4"), "priorities", "count_out_of_range")


def test_labelled_scale_values_must_be_one_to_n() -> None:
    text = edit('value: "2"', 'value: "two"')
    assert_only(text, line_of(text, '"two"'), "agree", "scale_label_value")


def test_scale_range_wider_than_eleven_points() -> None:
    text = edit("max: 10\n    min_label", "max: 12\n    min_label")
    assert_only(text, line_of(text, "max: 12"), "satisfaction", "scale_range_too_wide")


def test_scale_range_empty() -> None:
    text = edit("min: 0\n    max: 10", "min: 7\n    max: 7")
    assert_only(text, line_of(text, "max: 7"), "satisfaction", "scale_range_empty")


def test_scale_without_range_or_options() -> None:
    text = edit("    max: 10\n    min_label", "    min_label")
    assert_only(text, line_of(text, "- key: satisfaction"), "satisfaction", "scale_missing_range")


def test_scale_range_must_be_integers() -> None:
    text = edit("max: 10\n    min_label", "max: 9.5\n    min_label")
    assert_only(text, line_of(text, "max: 9.5"), "satisfaction", "expected_integer")


def test_labelled_scale_with_min_max() -> None:
    text = edit(
        "  - key: agree\n    type: scale\n", "  - key: agree\n    type: scale\n    min: 1\n"
    )
    assert_only(text, line_of(text, "min: 1", after="- key: agree"), "agree", "scale_mixed")


@pytest.mark.parametrize(
    ("old", "new", "needle", "key"),
    [
        ('title: {it: "Orto di prova", en: "Test garden"}', 'title: {it: "Orto di prova"}',
         "title:", "title"),
        ('  en: "A few questions about the garden."\n', "", "intro:", "intro"),
        ('en: "Controller: Comune di Milano."}', 'en: ""}', "privacy_notice:", "privacy_notice"),
        ('results_note: {it: "Risultati a giugno.", en: "Results in June."}',
         'results_note: {en: "Results in June."}', "results_note:", "results_note"),
        ('text: {it: "Chi sei?", en: "Who are you?"}', 'text: {it: "Chi sei?"}',
         "Chi sei?", "role"),
        ('label: {it: "Erbe", en: "Herbs"}', 'label: {it: "Erbe"}', "Erbe", "crops"),
        ('help: {it: "Scegli una risposta.", en: "Pick one answer."}',
         'help: {en: "Pick one answer."}', "help:", "role"),
        ('min_label: {it: "Per niente", en: "Not at all"}', 'min_label: {it: "Per niente"}',
         "min_label", "satisfaction"),
        ('max_label: {it: "Moltissimo", en: "Very much"}', 'max_label: {en: "Very much"}',
         "max_label", "satisfaction"),
    ],
)  # fmt: skip
def test_missing_translation(old: str, new: str, needle: str, key: str) -> None:
    text = edit(old, new)
    assert_only(text, line_of(text, needle), key, "missing_translation")


def test_text_required_only_in_listed_languages() -> None:
    text = edit("languages: [it, en]", "languages: [it]")
    text = edit('text: {it: "Chi sei?", en: "Who are you?"}', 'text: {it: "Chi sei?"}', text)
    assert problems(text) == []
    text = edit("languages: [it]", "languages: [en]", text)
    assert problems(text) == [(line_of(text, "Chi sei?"), "role", "missing_translation")]


@pytest.mark.parametrize(
    ("languages", "code"),
    [("[it, fr]", "unsupported_language"), ("[it, it]", "duplicate_language"),
     ("[]", "empty_languages")],
)  # fmt: skip
def test_invalid_languages(languages: str, code: str) -> None:
    text = edit("languages: [it, en]", f"languages: {languages}")
    assert code in [c for _, _, c in problems(text)]
    assert all(line == line_of(text, "languages:") for line, _, _ in problems(text))


def test_text_in_an_unsupported_language() -> None:
    text = edit('title: {it: "Orto di prova", en: "Test garden"}',
                'title: {it: "Orto di prova", en: "Test garden", de: "Testgarten"}')  # fmt: skip
    assert_only(text, line_of(text, "title:"), "title", "unsupported_language")


def test_regex_that_does_not_compile() -> None:
    text = edit('matches: "(?i)acqua|water"', 'matches: "(acqua"')
    assert_only(text, line_of(text, "matches:"), "idea_detail", "invalid_regex")


def test_option_label_too_long_for_a_telegram_button() -> None:
    text = edit('en: "I live nearby"', f'en: "{"x" * 41}"')
    assert_only(text, line_of(text, "x" * 41), "role", "label_too_long")
    assert problems(edit('en: "I live nearby"', f'en: "{"x" * 40}"')) == []


def test_scale_end_label_too_long() -> None:
    text = edit('en: "Very much"', f'en: "{"v" * 41}"')
    assert_only(text, line_of(text, "v" * 41), "satisfaction", "label_too_long")


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("Test Garden", "invalid_slug"),
        ("-garden", "invalid_slug"),
        ("g", "invalid_slug"),
        ("inv-garden", "slug_reserved_prefix"),
    ],
)
def test_invalid_slug(slug: str, code: str) -> None:
    text = edit("slug: test-garden", f'slug: "{slug}"')
    assert_only(text, line_of(text, "slug:"), "slug", code)


def test_invalid_mode() -> None:
    text = edit("mode: survey", "mode: poll")
    assert_only(text, line_of(text, "mode:"), "mode", "invalid_mode")


def test_survey_mode_without_questions() -> None:
    text = edit("mode: listening", "mode: survey", LISTENING)
    assert_only(text, line_of(text, "slug:"), "questions", "no_questions")
    text = edit("mode: listening", "mode: survey\nquestions: []", LISTENING)
    assert_only(text, line_of(text, "questions:"), "questions", "no_questions")


@pytest.mark.parametrize(
    ("old", "new", "needle", "key", "code"),
    [
        ("equals: gardener", "includes: gardener", "includes:", "crops", "condition_operator_type"),
        ("equals: gardener", "equals: farmer", "farmer", "crops", "condition_value_not_option"),
        ("includes: herbs", "equals: herbs", "equals: herbs", "idea", "condition_operator_type"),
        ("includes: herbs", "includes: potatoes", "potatoes", "idea", "condition_value_not_option"),
        ("equals: yes", "equals: maybe", "maybe", "spot", "condition_value_yes_no"),
        ("not_equals: 0", "not_equals: zero", "zero", "volunteer", "condition_value_not_number"),
        ("equals: 7", "equals: 11", "equals: 11", "volunteer", "condition_value_out_of_range"),
        ("equals: 7", "equals: high", "high", "volunteer", "condition_value_not_number"),
        ('not_equals: "1"', 'not_equals: "4"', '"4"', "spot_note", "condition_value_not_option"),
        ("equals: municipio_3", "equals: municipio_10", "municipio_10", "spot_note",
         "condition_value_not_option"),
        # `spot` is answered with a map pin: there is no value to compare
        ("answered: true", "equals: somewhere", "somewhere", "spot_note",
         "condition_operator_type"),
        ("answered: true", "answered: false", "answered: false", "spot_note",
         "condition_flag_not_true"),
        ("equals: gardener", "equals: gardener\n      not_equals: neighbour", "not_equals:",
         "crops", "condition_many_operators"),
    ],
)  # fmt: skip
def test_condition_that_does_not_fit_the_referenced_question(
    old: str, new: str, needle: str, key: str, code: str
) -> None:
    text = edit(old, new)
    assert_only(text, line_of(text, needle), key, code)


def test_typo_in_a_condition_operator() -> None:
    text = edit("equals: gardener", "equal: gardener")
    assert problems(text) == [
        (line_of(text, "question: role"), "crops", "condition_no_operator"),
        (line_of(text, "equal: gardener"), "crops", "unknown_field_suggest"),
    ]


def test_matches_works_on_text_answers_but_not_on_a_map_pin() -> None:
    assert problems(edit("question: idea\n      matches:", "question: role\n      matches:")) == []
    text = edit("answered: true", 'matches: "duomo"')
    assert_only(text, line_of(text, "duomo"), "spot_note", "condition_operator_type")


def test_condition_without_an_operator() -> None:
    text = edit(
        '      question: idea\n      matches: "(?i)acqua|water"\n', "      question: idea\n"
    )
    assert_only(text, line_of(text, "question: idea\n".strip(), after="- key: idea_detail"),
                "idea_detail", "condition_no_operator")  # fmt: skip


def test_closes_before_opens() -> None:
    text = edit("closes_at: 2026-04-30 23:59", "closes_at: 2026-03-01 23:59")
    assert_only(text, line_of(text, "closes_at:"), "schedule", "closes_before_opens")


@pytest.mark.parametrize("moment", ["2026-02-30 09:00", "2026-03-02", "next monday"])
def test_invalid_datetime(moment: str) -> None:
    text = edit("opens_at: 2026-03-02 09:00", f"opens_at: {moment}")
    assert_only(text, line_of(text, "opens_at:"), "schedule", "invalid_datetime")


@pytest.mark.parametrize("zone", ["Europe/Milano", "Europe", "../../etc/passwd", "''"])
def test_invalid_timezone(zone: str) -> None:
    text = edit("timezone: Europe/Rome", f"timezone: {zone}")
    assert_only(text, line_of(text, "timezone:"), "schedule", "invalid_timezone")


@pytest.mark.parametrize(
    ("days", "code"),
    [
        ("0", "retention_not_positive"),
        ("-5", "retention_not_positive"),
        ("1.5", "expected_integer"),
        ("a year", "expected_integer"),
        ("true", "expected_integer"),
    ],
)
def test_retention_days_must_be_a_positive_integer(days: str, code: str) -> None:
    text = edit("retention_days: 365", f"retention_days: {days}")
    assert_only(text, line_of(text, "retention_days:"), "retention_days", code)


@pytest.mark.parametrize(
    ("old", "new", "needle", "key", "code"),
    [
        ('title: {it: "Orto di prova", en: "Test garden"}', "title: Orto di prova",
         "title:", "title", "expected_text"),
        ('title: {it: "Orto di prova", en: "Test garden"}', "title: [Orto, Garden]",
         "title:", "title", "expected_text"),
        ("schedule:\n  opens_at: 2026-03-02 09:00\n  closes_at: 2026-04-30 23:59\n"
         "  timezone: Europe/Rome\n", "schedule: []\n", "schedule:", "schedule",
         "expected_mapping"),
        ("languages: [it, en]", "languages: it", "languages:", "languages", "expected_list"),
        ("    required: false\n    text: {it: \"Cosa coltivi",
         "    required: maybe\n    text: {it: \"Cosa coltivi", "maybe", "crops",
         "expected_boolean"),
        ("min: 0\n    max: 168", "min: zero\n    max: 168", "min: zero", "hours",
         "expected_number"),
        ("min: 1\n    max: 2", "min: [1]\n    max: 2", "min: [1]", "crops", "expected_integer"),
        ('help: {it: "Scegli una risposta.", en: "Pick one answer."}',
         'help: {it: "Scegli una risposta.", en: [Pick, one]}', "help:", "role", "expected_string"),
        ("show_if:\n      question: role\n      equals: gardener", "show_if: role is gardener",
         "show_if:", "crops", "expected_condition"),
        ("show_if:\n      question: role\n      equals: gardener", "show_if: [role]",
         "show_if:", "crops", "expected_condition"),
        ("show_if:\n      question: role\n      equals: gardener", "show_if: []",
         "show_if:", "crops", "condition_empty"),
        ("show_if:\n      question: role\n      equals: gardener",
         "show_if:\n      question: [role]\n      equals: gardener",
         "question: [role]", "crops", "expected_string"),
        ("  - key: spot_note\n", "  - just a string\n  - key: spot_note\n",
         "just a string", "questions", "expected_mapping"),
        ('      - value: tools\n        label: {it: "Attrezzi", en: "Tools"}\n',
         "      - tools\n", "- tools", "priorities", "expected_mapping"),
        ('    options:\n      - value: gardener\n        label: {it: "Coltivo", en: "I garden"}\n'
         '      - value: neighbour\n        label: {it: "Abito vicino", en: "I live nearby"}\n',
         "    options: gardener, neighbour\n", "options:", "role", "expected_list"),
    ],
)  # fmt: skip
def test_wrong_yaml_types_give_clean_errors(
    old: str, new: str, needle: str, key: str, code: str
) -> None:
    text = edit(old, new)
    assert_only(text, line_of(text, needle), key, code)


def test_questions_that_are_not_a_list() -> None:
    text = LISTENING + 'questions: "all of them"\n'
    assert_only(text, line_of(text, "questions:"), "questions", "expected_list")


def test_document_that_is_not_a_mapping() -> None:
    assert problems("- just\n- a list\n") == [(1, None, "document_not_mapping")]
    assert problems("just a string\n") == [(1, None, "document_not_mapping")]


def test_empty_document() -> None:
    assert problems("") == [(1, None, "empty_document")]
    assert problems("# only a comment\n") == [(1, None, "empty_document")]


def test_blank_required_text_counts_as_missing() -> None:
    text = edit("project: Test garden", "project: '  '")
    assert_only(text, line_of(text, "project:"), "project", "missing_field")


def test_yaml_booleans_stay_the_words_written() -> None:
    """YAML 1.1 reads `no` and `on` as booleans; as option values and names they are words."""
    text = edit("value: tools", "value: no")
    definition = parse_definition(text).definition
    assert definition is not None
    assert definition.question("priorities").option_values == ("water", "no", "shade")
    text = edit("    type: yes_no\n", "    type: yes_no\n    on: true\n")
    assert_only(text, line_of(text, "on: true"), "volunteer", "unknown_field")


def test_missing_required_fields_are_all_reported() -> None:
    found = problems("mode: survey\nquestions:\n  - type: yes_no\n")
    assert {key for _, key, code in found if code == "missing_field"} == {
        "slug", "project", "title", "intro", "privacy_notice", "question 1",
    }  # fmt: skip
    # the question lacks both key and text
    assert [code for _, key, code in found if key == "question 1"] == ["missing_field"] * 2


def test_yaml_syntax_error_has_its_line() -> None:
    result = parse_definition((FIXTURES / "syntax_error.yaml").read_text(), "broken.yaml")
    assert result.is_syntax_error
    assert result.definition is None
    [error] = result.errors
    assert error.line == 3
    assert error.format().startswith("broken.yaml:3: YAML syntax error: ")


@pytest.mark.parametrize(
    "text", ["a: b\na: [", "slug: !python/object:os.system x\n", "a: 1\n---\nb: 2\n", "\t- x"]
)
def test_yaml_that_we_refuse_is_a_syntax_error(text: str) -> None:
    result = parse_definition(text, "x.yaml")
    assert result.is_syntax_error


def test_aliases_do_not_blow_up() -> None:
    # Each level refers to the previous one four times: 4**20 leaves if aliases were expanded.
    names = [f"n{i}" for i in range(21)]
    bomb = f"{names[0]}: &{names[0]} [x, x, x, x]\n" + "".join(
        f"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}]\n"
        for previous, name in itertools.pairwise(names)
    )
    result = parse_definition(bomb, "bomb.yaml")
    assert not result.ok
    assert len(result.errors) < 40


def test_errors_are_reported_all_at_once_and_in_line_order() -> None:
    text = edit("slug: test-garden", "slug: inv-x")
    text = edit("type: yes_no", "type: yes_or_no", text)
    text = edit('matches: "(?i)acqua|water"', 'matches: "(acqua"', text)
    found = problems(text)
    assert [code for _, _, code in found] == [
        "slug_reserved_prefix",
        "unknown_type",
        "invalid_regex",
    ]
    lines = [line or 0 for line, _, _ in found]
    assert lines == sorted(lines)


def test_error_line_format_and_both_languages() -> None:
    error = ValidationError("f.yaml", 12, "crops", "min_greater_than_max", {"min": 3, "max": 2})
    assert error.format() == "f.yaml:12: [crops] min (3) is greater than max (2)"
    assert error.format("it") == "f.yaml:12: [crops] min (3) è maggiore di max (2)"
    assert (
        ValidationError("f.yaml", None, None, "empty_document").format()
        == "f.yaml: the file is empty"
    )


def test_every_message_exists_in_italian_and_english_with_the_same_placeholders() -> None:
    placeholder = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")
    for code, texts in MESSAGES.items():
        assert set(texts) == {"it", "en"}, code
        assert set(placeholder.findall(texts["it"])) == set(placeholder.findall(texts["en"])), code


def test_parse_result_ok_only_without_errors() -> None:
    assert not ParseResult("x", None, ()).ok
    assert not parse_definition(edit("mode: survey", "mode: poll")).ok


# --- robustness: no input shape makes the parser raise ---------------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 50), st.floats(allow_nan=True),
    st.text(max_size=8), st.sampled_from(["it", "en", "yes", "municipio_1", "1", "role"]),
)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_BASE = yaml.safe_load(VALID)
_PATHS = (
    [(name,) for name in _BASE]
    + [("questions", index, field) for index, q in enumerate(_BASE["questions"]) for field in q]
    + [("questions", 2, "show_if", "equals"), ("questions", 1, "options", 0, "label")]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(_PATHS), value=_values)
def test_any_value_anywhere_gives_errors_not_exceptions(
    path: tuple[object, ...], value: object
) -> None:
    document = copy.deepcopy(_BASE)
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    dumped = yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True)
    result = parse_definition(dumped, "fuzz.yaml")
    assert result.ok or result.errors
    for error in result.errors:
        assert error.format("it") and error.format("en")


# --- the example consultations shipped with the project --------------------------------------

_EXAMPLES = sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.skipif(not _EXAMPLES, reason="no example consultations yet")
@pytest.mark.parametrize("path", _EXAMPLES, ids=[p.name for p in _EXAMPLES])
def test_example_consultation_is_valid(path: Path) -> None:
    result = parse_definition(path.read_text(encoding="utf-8"), str(path))
    assert [error.format() for error in result.errors] == []
    assert result.definition is not None
    assert definition_from_dict(definition_to_dict(result.definition)) == result.definition


# --- minimum age and closing grace, per consultation ----------------------------------------


def test_min_age_and_closing_grace_default_to_14_and_30_minutes() -> None:
    definition = parse_definition(VALID, "valid.yaml").definition
    assert definition is not None
    assert (definition.min_age, definition.closing_grace_minutes) == (14, 30)


def test_min_age_and_closing_grace_are_read_from_the_file() -> None:
    extra = "retention_days: 365\nmin_age: 16\nclosing_grace_minutes: 90"
    text = edit("retention_days: 365", extra)
    definition = parse_definition(text, "t.yaml").definition
    assert definition is not None
    assert (definition.min_age, definition.closing_grace_minutes) == (16, 90)
    assert definition_from_dict(definition_to_dict(definition)) == definition


@pytest.mark.parametrize(
    ("field", "value"), [("min_age", "19"), ("min_age", "-1"), ("closing_grace_minutes", "1441")]
)
def test_min_age_and_closing_grace_outside_their_bounds_are_errors(field: str, value: str) -> None:
    text = edit("retention_days: 365", f"retention_days: 365\n{field}: {value}")
    assert_only(text, line_of(text, f"{field}:"), field, "value_out_of_bounds")
