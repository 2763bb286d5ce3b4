"""Unit tests of the survey engine: every question type, every condition kind, every refusal.

Each refusal is checked with its Italian and English sentence, and the registry tests prove
that every code the engine can produce (found by reading engine.py, not by a hand list) has
a text in both languages.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

import pytest

from surveys import engine
from surveys.definition import (
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
from surveys.engine import (
    EngineError,
    apply_answer,
    check_answer,
    is_complete,
    is_visible,
    next_question,
    parse_answer,
    previous_question,
    visible_answers,
    visible_questions,
)
from surveys.rejections import (
    REJECTION_TEXTS,
    Rejection,
    RejectionCode,
    explain,
    template_fields,
)

T = QuestionType
K = ConditionKind


def question(key: str, kind: QuestionType, *show_if: Condition, **fields: Any) -> Question:
    return Question(key=key, type=kind, text={"it": key, "en": key}, show_if=show_if, **fields)


def options(*values: str) -> tuple[Option, ...]:
    return tuple(Option(v, {"it": f"{v} it", "en": f"{v} en"}) for v in values)


def survey(*questions: Question) -> SurveyDefinition:
    text = {"it": "x", "en": "x"}
    return SurveyDefinition(
        slug="prova",
        project="Prova",
        mode=Mode.SURVEY,
        title=text,
        intro=text,
        privacy_notice=text,
        questions=questions,
    )


def keys(questions: list[Question]) -> list[str]:
    return [q.key for q in questions]


COLOUR = question("colour", T.SINGLE_CHOICE, options=options("red", "green", "blue"))
PETS = question("pets", T.MULTI_CHOICE, options=options("cat", "dog", "fish"), min=1, max=2)
RANKED = question("ranked", T.RANKING, options=options("a", "b", "c"), max=2)
SCORE = question("score", T.SCALE, min=0, max=10)
LIKERT = question("likert", T.SCALE, options=options("1", "2", "3", "4", "5"))
IDEA = question("idea", T.FREE_TEXT, min=10, max=20)
HOURS = question("hours", T.NUMBER, min=0, max=168, integer=True)
PRICE = question("price", T.NUMBER, min=0.5)
DEBT = question("debt", T.NUMBER, max=0)
FREE_NUMBER = question("free_number", T.NUMBER)
VOLUNTEER = question("volunteer", T.YES_NO)
WHERE = question("where", T.LOCATION)
PIN = question("pin", T.LOCATION, location=LocationMode.PIN)
EITHER = question("either", T.LOCATION, location=LocationMode.BOTH)
OPTIONAL = question("optional", T.FREE_TEXT, required=False)


# --- show_if, one condition kind at a time --------------------------------------------------


def shown(condition: Condition, answers: dict[str, AnswerValue | None]) -> bool:
    return is_visible(question("probe", T.YES_NO, condition), answers)


@pytest.mark.parametrize(
    ("answers", "answered"),
    [({}, False), ({"a": None}, False), ({"a": "x"}, True), ({"a": False}, True), ({"a": 0}, True)],
)
def test_answered_and_not_answered(answers: dict[str, AnswerValue | None], answered: bool) -> None:
    assert shown(Condition(K.ANSWERED, "a"), answers) is answered
    assert shown(Condition(K.NOT_ANSWERED, "a"), answers) is not answered


@pytest.mark.parametrize(
    ("answer", "value", "equal"),
    [
        ("red", "red", True),  # single_choice option
        ("red", "blue", False),
        (True, "yes", True),  # yes_no
        (False, "yes", False),
        (False, "no", True),
        (7, "7", True),  # scale: number written as a string
        (7, "8", False),
        (3.5, "3.5", True),  # number
        (3.5, "3,5", True),
        (3, "3.0", True),
        (3, "tre", False),
        ({"district": "municipio_3"}, "municipio_3", True),  # location district
        ({"district": "municipio_3"}, "municipio_4", False),
        ({"lat": 45.4, "lon": 9.2}, "municipio_3", False),
        ("hello", "hello", True),  # free text: exact
        ("hello", "Hello", False),
        (["cat"], "cat", True),  # a list equals the value only when it is that one choice
        (["cat", "dog"], "cat", False),
    ],
)
def test_equals_and_not_equals(answer: AnswerValue, value: str, equal: bool) -> None:
    assert shown(Condition(K.EQUALS, "a", value), {"a": answer}) is equal
    assert shown(Condition(K.NOT_EQUALS, "a", value), {"a": answer}) is not equal


def test_condition_values_a_yaml_loader_did_not_keep_as_strings() -> None:
    # PyYAML reads `equals: 7` as 7 and `equals: yes` as True; the engine compares as written.
    assert shown(Condition(K.EQUALS, "a", 7), {"a": 7})  # type: ignore[arg-type]
    assert shown(Condition(K.EQUALS, "a", True), {"a": True})  # type: ignore[arg-type]
    assert not shown(Condition(K.EQUALS, "a", False), {"a": True})  # type: ignore[arg-type]


@pytest.mark.parametrize("answers", [{}, {"a": None}])
def test_equals_is_false_and_not_equals_true_when_unanswered(
    answers: dict[str, AnswerValue | None],
) -> None:
    assert not shown(Condition(K.EQUALS, "a", "red"), answers)
    assert shown(Condition(K.NOT_EQUALS, "a", "red"), answers)


@pytest.mark.parametrize(
    ("answer", "included"),
    [(["cat", "dog"], True), (["dog"], False), ([], False), (None, False), ("cat", True)],
)
def test_includes(answer: AnswerValue | None, included: bool) -> None:
    assert shown(Condition(K.INCLUDES, "a", "cat"), {"a": answer}) is included


@pytest.mark.parametrize(
    ("answer", "pattern", "matched"),
    [
        ("I love the park", r"\bpark\b", True),
        ("I love the parking", r"\bpark\b", False),
        (None, ".*", False),  # unanswered never matches, not even ".*"
        (42, r"^4\d$", True),  # string form of a number
        (True, "^yes$", True),  # string form of yes_no
        (["cat", "dog"], "dog", True),
        ({"district": "municipio_3"}, "_3$", True),
        ("anything", "([unclosed", False),  # a bad regex hides rather than crashing a chat
    ],
)
def test_matches(answer: AnswerValue | None, pattern: str, matched: bool) -> None:
    assert shown(Condition(K.MATCHES, "a", pattern), {"a": answer}) is matched


def test_all_conditions_must_hold() -> None:
    both = question(
        "both", T.YES_NO, Condition(K.EQUALS, "a", "yes"), Condition(K.INCLUDES, "b", "cat")
    )
    assert is_visible(both, {"a": True, "b": ["cat"]})
    assert not is_visible(both, {"a": True, "b": ["dog"]})
    assert not is_visible(both, {"a": False, "b": ["cat"]})


def test_a_condition_on_a_hidden_question_sees_it_unanswered() -> None:
    a = question("a", T.YES_NO)
    b = question("b", T.FREE_TEXT, Condition(K.EQUALS, "a", "yes"))
    c = question("c", T.FREE_TEXT, Condition(K.NOT_ANSWERED, "b"))
    d = question("d", T.FREE_TEXT, Condition(K.ANSWERED, "b"))
    definition = survey(a, b, c, d)
    stale: dict[str, AnswerValue | None] = {
        "a": False,
        "b": "left over from before",
    }  # b is hidden now that a is "no"
    assert keys(visible_questions(definition, stale)) == ["a", "c"]
    assert visible_answers(definition, stale) == {"a": False}


def test_a_condition_on_a_later_or_unknown_question_sees_it_unanswered() -> None:
    first = question("first", T.YES_NO, Condition(K.ANSWERED, "second"))
    second = question("second", T.YES_NO)
    ghost = question("ghost", T.YES_NO, Condition(K.NOT_ANSWERED, "nowhere"))
    definition = survey(first, second, ghost)
    assert keys(visible_questions(definition, {"second": True})) == ["second", "ghost"]


# --- flow -----------------------------------------------------------------------------------

BRANCHING = survey(
    question("a", T.YES_NO),
    question("b", T.FREE_TEXT, Condition(K.EQUALS, "a", "yes")),
    question("c", T.FREE_TEXT, Condition(K.ANSWERED, "b"), required=False),
    question("d", T.SCALE, min=1, max=5),
)


def test_next_question_follows_the_branches() -> None:
    assert next_question(BRANCHING, {}) == BRANCHING.questions[0]
    assert next_question(BRANCHING, {"a": False}) == BRANCHING.questions[3]
    assert next_question(BRANCHING, {"a": True}) == BRANCHING.questions[1]
    assert next_question(BRANCHING, {"a": True, "b": "ciao"}) == BRANCHING.questions[2]
    # A skip (None on an optional question) is an entry: the engine moves on.
    assert next_question(BRANCHING, {"a": True, "b": "ciao", "c": None}).key == "d"  # type: ignore[union-attr]
    assert next_question(BRANCHING, {"a": True, "b": "ciao", "c": None, "d": 3}) is None


def test_next_question_asks_again_an_entry_that_is_not_valid() -> None:
    # apply_answer never stores these; a hand-made or corrupted record must not end a survey.
    assert next_question(BRANCHING, {"a": None}) == BRANCHING.questions[0]
    assert next_question(BRANCHING, {"a": False, "d": 9}) == BRANCHING.questions[3]


def test_is_complete() -> None:
    assert not is_complete(BRANCHING, {})
    assert is_complete(BRANCHING, {"a": False, "d": 5})
    assert not is_complete(BRANCHING, {"a": True, "d": 5})  # b is now visible and missing
    assert is_complete(BRANCHING, {"a": True, "b": "x", "c": None, "d": 5})
    assert not is_complete(BRANCHING, {"a": True, "b": None, "c": None, "d": 5})  # b required
    assert not is_complete(BRANCHING, {"a": False, "d": 6})  # out of the scale
    assert is_complete(BRANCHING, {"a": False, "b": "hidden, ignored", "d": 5})


def test_previous_question() -> None:
    answers: dict[str, AnswerValue | None] = {"a": True, "b": "x"}
    assert previous_question(BRANCHING, answers, "a") is None
    assert previous_question(BRANCHING, answers, "b").key == "a"  # type: ignore[union-attr]
    assert previous_question(BRANCHING, answers, "c").key == "b"  # type: ignore[union-attr]
    assert previous_question(BRANCHING, answers, "d").key == "c"  # type: ignore[union-attr]
    assert previous_question(BRANCHING, answers, None).key == "d"  # type: ignore[union-attr]
    # With a = no, b and c are hidden: back from d goes straight to a.
    assert previous_question(BRANCHING, {"a": False}, "d").key == "a"  # type: ignore[union-attr]
    # The current question may itself have just been hidden.
    assert previous_question(BRANCHING, {"a": False}, "c").key == "a"  # type: ignore[union-attr]
    with pytest.raises(EngineError, match="unknown"):
        previous_question(BRANCHING, answers, "zzz")


def test_apply_answer_inserts_and_edits_without_touching_its_input() -> None:
    first = apply_answer(BRANCHING, {}, "a", True)
    assert first == {"a": True}
    second = apply_answer(BRANCHING, first, "b", "  un'idea ")
    assert second == {"a": True, "b": "  un'idea "}
    edited = apply_answer(BRANCHING, second, "b", "un'altra")
    assert edited == {"a": True, "b": "un'altra"}
    assert second == {"a": True, "b": "  un'idea "}
    assert first == {"a": True}


def test_apply_answer_drops_newly_hidden_answers_transitively() -> None:
    # Chain A → B → C: hiding B must also hide C, although C's own condition names only B.
    answers: dict[str, AnswerValue | None] = {"a": True, "b": "ciao", "c": "ancora", "d": 4}
    assert apply_answer(BRANCHING, answers, "a", False) == {"a": False, "d": 4}
    # Editing A back to yes does not bring old answers back: B and C are asked again.
    again = apply_answer(BRANCHING, {"a": False, "d": 4}, "a", True)
    assert again == {"a": True, "d": 4}
    assert next_question(BRANCHING, again) == BRANCHING.questions[1]


def test_apply_answer_keeps_answers_that_stay_visible_and_drops_unknown_keys() -> None:
    answers: dict[str, AnswerValue | None] = {"a": True, "b": "ciao", "c": None, "d": 4}
    answers["retired"] = "x"  # a key from an older version of the survey
    assert apply_answer(BRANCHING, answers, "b", "salve") == {
        "a": True,
        "b": "salve",
        "c": None,
        "d": 4,
    }


def test_apply_answer_refuses_unknown_hidden_and_invalid() -> None:
    with pytest.raises(EngineError, match="unknown"):
        apply_answer(BRANCHING, {}, "zzz", True)
    with pytest.raises(EngineError, match="hidden"):
        apply_answer(BRANCHING, {"a": False}, "b", "ciao")
    with pytest.raises(EngineError) as refused:
        apply_answer(BRANCHING, {}, "d", 6)
    assert refused.value.rejection == Rejection("out_of_range", {"min": 1, "max": 5})
    with pytest.raises(EngineError) as missing:
        apply_answer(BRANCHING, {}, "a", None)
    assert missing.value.rejection == Rejection("required")


def test_an_optional_question_can_be_skipped() -> None:
    answers = apply_answer(BRANCHING, {"a": True, "b": "x"}, "c", None)
    assert answers == {"a": True, "b": "x", "c": None}
    assert next_question(BRANCHING, answers).key == "d"  # type: ignore[union-attr]


# --- check_answer and parse_answer: every refusal, in both languages --------------------------

# (question, what the citizen sent: a structured value, or typed text via parse_answer,
#  the expected rejection, the Italian sentence, the English sentence)
Case = tuple[Question, Any, Rejection, str, str]


def typed(text: str) -> tuple[str, str]:
    return ("typed", text)


REFUSALS: list[Case] = [
    (
        VOLUNTEER,
        None,
        Rejection("required"),
        "Questa domanda richiede una risposta.",
        "This question needs an answer.",
    ),
    (
        COLOUR,
        7,
        Rejection("invalid_value"),
        "Non riesco a leggere questa risposta. Riprova, per favore.",
        "Sorry, I could not read that answer. Please try again.",
    ),
    (
        COLOUR,
        "purple",
        Rejection("not_an_option", {"count": 3}),
        "Scegli una delle opzioni proposte (da 1 a 3).",
        "Please choose one of the options shown (1 to 3).",
    ),
    (
        COLOUR,
        typed("4"),
        Rejection("not_an_option", {"count": 3}),
        "Scegli una delle opzioni proposte (da 1 a 3).",
        "Please choose one of the options shown (1 to 3).",
    ),
    (
        PETS,
        ["cat", "cat"],
        Rejection("duplicate_choice"),
        "Hai indicato la stessa opzione più di una volta: indicala una volta sola.",
        "You picked the same option more than once: please pick it only once.",
    ),
    (
        PETS,
        [],
        Rejection("too_few_choices", {"min": 1, "count": 0}),
        "Scegli almeno 1 tra le opzioni proposte.",
        "Please choose at least 1 of the options.",
    ),
    (
        PETS,
        typed("1, 2, 3"),
        Rejection("too_many_choices", {"max": 2, "count": 3}),
        "Puoi scegliere al massimo 2 tra le opzioni proposte.",
        "Please choose at most 2 of the options.",
    ),
    (
        HOURS,
        typed("200"),
        Rejection("out_of_range", {"min": 0, "max": 168}),
        "Scrivi un numero tra 0 e 168.",
        "Please send a number between 0 and 168.",
    ),
    (
        SCORE,
        typed("dieci"),
        Rejection("out_of_range", {"min": 0, "max": 10}),
        "Scrivi un numero tra 0 e 10.",
        "Please send a number between 0 and 10.",
    ),
    (
        PRICE,
        typed("0,25"),
        Rejection("too_small", {"min": 0.5}),
        "Scrivi un numero uguale o maggiore di 0,5.",
        "Please send a number of at least 0.5.",
    ),
    (
        DEBT,
        12,
        Rejection("too_large", {"max": 0}),
        "Scrivi un numero uguale o minore di 0.",
        "Please send a number of at most 0.",
    ),
    (
        FREE_NUMBER,
        typed("abc"),
        Rejection("not_a_number"),
        "Scrivi un numero, per esempio 3 oppure 3,5.",
        "Please send a number, for example 3 or 3.5.",
    ),
    (
        FREE_NUMBER,
        float("nan"),
        Rejection("not_a_number"),
        "Scrivi un numero, per esempio 3 oppure 3,5.",
        "Please send a number, for example 3 or 3.5.",
    ),
    (
        HOURS,
        typed("3,5"),
        Rejection("not_an_integer"),
        "Scrivi un numero intero, senza decimali (per esempio 3).",
        "Please send a whole number, without decimals (for example 3).",
    ),
    (
        IDEA,
        typed(" \x00 \n"),
        Rejection("empty"),
        "Il messaggio è vuoto: scrivi la tua risposta, per favore.",
        "Your message is empty: please write your answer.",
    ),
    (
        IDEA,
        typed("  ciao  "),
        Rejection("too_short", {"min": 10, "length": 4}),
        "La risposta è un po' breve: scrivi almeno 10 caratteri (ora sono 4).",
        "Your answer is a bit short: please write at least 10 characters (now 4).",
    ),
    (
        IDEA,
        "x" * 25,
        Rejection("too_long", {"max": 20, "length": 25}),
        "La risposta è troppo lunga: al massimo 20 caratteri (ora sono 25).",
        "Your answer is too long: please keep it to 20 characters (now 25).",
    ),
    (
        VOLUNTEER,
        typed("forse"),
        Rejection("not_yes_no"),
        "Rispondi «sì» oppure «no», per favore.",
        "Please answer “yes” or “no”.",
    ),
    (
        RANKED,
        ["a"],
        Rejection("wrong_ranking", {"count": 2, "length": 1}),
        "Metti in ordine esattamente 2 opzioni, dalla più importante.",
        "Please rank exactly 2 options, most important first.",
    ),
    (
        WHERE,
        typed("Municipio 10"),
        Rejection("unknown_district", {"count": 9}),
        "Scegli una delle zone dell'elenco (da 1 a 9).",
        "Please choose one of the districts listed (1 to 9).",
    ),
    (
        WHERE,
        {"lat": 45.46, "lon": 9.19},
        Rejection("pin_not_allowed"),
        "Per questa domanda scegli una zona dall'elenco invece di inviare una posizione.",
        "For this question, please choose a district from the list instead of a location.",
    ),
    (
        PIN,
        {"district": "municipio_1"},
        Rejection("district_not_allowed"),
        "Per questa domanda invia una posizione sulla mappa invece di scegliere una zona.",
        "For this question, please send a location on the map instead of a district.",
    ),
    (
        PIN,
        typed("Municipio 1"),
        Rejection("pin_expected"),
        "Per rispondere invia una posizione: 📎 → Posizione.",
        "To answer, please send a location: 📎 → Location.",
    ),
    (
        EITHER,
        {"lat": 95.0, "lon": 9.19},
        Rejection("invalid_location"),
        "Non riesco a leggere questa posizione. Riprova, per favore.",
        "Sorry, I could not read that location. Please try again.",
    ),
]


def refuse(case_question: Question, sent: Any) -> Rejection | None:
    if isinstance(sent, tuple) and sent[0] == "typed":
        result = parse_answer(case_question, sent[1])
        return result if isinstance(result, Rejection) else None
    return check_answer(case_question, sent)


@pytest.mark.parametrize(
    ("case_question", "sent", "expected", "italian", "english"),
    REFUSALS,
    ids=[f"{case[0].key}-{case[2].code}" for case in REFUSALS],
)
def test_refusal_and_its_explanation(
    case_question: Question, sent: Any, expected: Rejection, italian: str, english: str
) -> None:
    rejection = refuse(case_question, sent)
    assert rejection == expected
    assert explain(rejection, "it") == italian
    assert explain(rejection, "en") == english


def test_the_refusal_table_covers_every_code() -> None:
    assert {case[2].code for case in REFUSALS} == set(RejectionCode)


@pytest.mark.parametrize(
    ("case_question", "value"),
    [
        (COLOUR, "green"),
        (PETS, ["dog"]),
        (PETS, ["fish", "cat"]),
        (RANKED, ["c", "a"]),
        (SCORE, 0),
        (SCORE, 10),
        (LIKERT, 5),
        (IDEA, "  dieci caratteri  "),
        (HOURS, 168),
        (HOURS, 3.0),
        (PRICE, 0.5),
        (FREE_NUMBER, -1e9),
        (VOLUNTEER, False),
        (WHERE, {"district": "municipio_9"}),
        (PIN, {"lat": -90, "lon": 180.0}),
        (EITHER, {"district": "municipio_1"}),
        (EITHER, {"lat": 45.46, "lon": 9.19}),
        (OPTIONAL, None),
    ],
)
def test_check_answer_accepts(case_question: Question, value: AnswerValue | None) -> None:
    assert check_answer(case_question, value) is None


@pytest.mark.parametrize(
    ("case_question", "value", "code"),
    [
        (SCORE, 11, "out_of_range"),
        (SCORE, True, "invalid_value"),  # a bool is not a point on a scale
        (SCORE, 7.0, "invalid_value"),
        (LIKERT, 0, "out_of_range"),
        (LIKERT, 6, "out_of_range"),
        (FREE_NUMBER, True, "invalid_value"),
        (FREE_NUMBER, "3", "invalid_value"),
        (FREE_NUMBER, float("inf"), "not_a_number"),
        (HOURS, 2.5, "not_an_integer"),
        (PETS, ["cat", "bird"], "not_an_option"),
        (PETS, "cat", "invalid_value"),
        (RANKED, ["a", "a"], "duplicate_choice"),
        (RANKED, ["a", "b", "c"], "wrong_ranking"),
        (RANKED, ["a", "z"], "not_an_option"),
        (VOLUNTEER, "yes", "not_yes_no"),
        (VOLUNTEER, 1, "not_yes_no"),
        (IDEA, 12345678901, "invalid_value"),
        (WHERE, {"district": "municipio_10"}, "unknown_district"),
        (WHERE, "municipio_1", "invalid_location"),
        (WHERE, {"district": "municipio_1", "lat": 1.0}, "invalid_location"),
        (EITHER, {"lat": True, "lon": 9.0}, "invalid_location"),
        (EITHER, {"lat": 45.0, "lon": float("nan")}, "invalid_location"),
    ],
)
def test_check_answer_refuses(case_question: Question, value: Any, code: str) -> None:
    rejection = check_answer(case_question, value)
    assert rejection is not None and rejection.code == code


def test_multi_choice_limits_default_to_one_and_all_options() -> None:
    plain = question("plain", T.MULTI_CHOICE, options=options("x", "y", "z"))
    assert check_answer(plain, []) == Rejection("too_few_choices", {"min": 1, "count": 0})
    assert check_answer(plain, ["x", "y", "z"]) is None
    zero = question("zero", T.MULTI_CHOICE, options=options("x", "y"), min=0)
    assert check_answer(zero, []) is None


def test_ranking_defaults_to_all_options() -> None:
    everything = question("everything", T.RANKING, options=options("x", "y", "z"))
    assert check_answer(everything, ["z", "x", "y"]) is None
    assert check_answer(everything, ["z", "x"]) == Rejection(
        "wrong_ranking", {"count": 3, "length": 2}
    )


def test_location_with_its_own_districts() -> None:
    zones = question("zones", T.LOCATION, options=options("nord", "sud"))
    assert check_answer(zones, {"district": "sud"}) is None
    assert check_answer(zones, {"district": "municipio_1"}) == Rejection(
        "unknown_district", {"count": 2}
    )
    assert parse_answer(zones, "2") == {"district": "sud"}
    assert parse_answer(zones, "NORD EN") == {"district": "nord"}


@pytest.mark.parametrize(
    ("case_question", "text", "value"),
    [
        (IDEA, "  un'idea per il parco \x00 ", "un'idea per il parco"),
        (IDEA, "a\x00bcdefghijk", "abcdefghijk"),
        (FREE_NUMBER, "3,5", 3.5),
        (FREE_NUMBER, "3.5", 3.5),
        (FREE_NUMBER, "1.234,5", 1234.5),
        (FREE_NUMBER, "1,234.5", 1234.5),
        (FREE_NUMBER, "1.234.567", 1234567),
        (FREE_NUMBER, " -12 ", -12),
        (FREE_NUMBER, "\u22123,5", -3.5),
        (FREE_NUMBER, "1 234", 1234),
        (FREE_NUMBER, "1.234", 1.234),  # one dot and no other clue: a decimal point
        (HOURS, "1.5e2", Rejection("not_an_integer")),
        (HOURS, "40", 40),
        (HOURS, "40,0", 40),
        (HOURS, "1.500", Rejection("out_of_range", {"min": 0, "max": 168})),  # fifteen hundred
        (SCORE, " 7 ", 7),
        (SCORE, "7.5", Rejection("out_of_range", {"min": 0, "max": 10})),
        (LIKERT, "4", 4),
        (LIKERT, "4 EN", 4),  # a labelled scale point by its label
        (VOLUNTEER, "Sì", True),
        (VOLUNTEER, "si!", True),
        (VOLUNTEER, "yes", True),
        (VOLUNTEER, "Y", True),
        (VOLUNTEER, "No.", False),
        (VOLUNTEER, "n", False),
        (COLOUR, "2", "green"),
        (COLOUR, "BLUE IT", "blue"),
        (COLOUR, "red en", "red"),
        (COLOUR, "red", "red"),
        (COLOUR, "0", Rejection("not_an_option", {"count": 3})),
        (PETS, "1, 3", ["cat", "fish"]),
        (PETS, "dog en; cat it", ["dog", "cat"]),
        (PETS, "1, 1", Rejection("duplicate_choice")),
        (RANKED, "3 1", ["c", "a"]),
        (RANKED, "c, zz", Rejection("not_an_option", {"count": 3})),
        (WHERE, "3", {"district": "municipio_3"}),
        (WHERE, "municipio 3", {"district": "municipio_3"}),
        (WHERE, "municipio_9", {"district": "municipio_9"}),
        (EITHER, "Municipio 2", {"district": "municipio_2"}),
    ],
)
def test_parse_answer(case_question: Question, text: str, value: AnswerValue | Rejection) -> None:
    assert parse_answer(case_question, text) == value


@pytest.mark.parametrize("text", ["abc", "", "3,", "1.2.3,4", "1,2,3", "--3", "12" * 30, "nan"])
def test_parse_answer_refuses_things_that_are_not_numbers(text: str) -> None:
    assert parse_answer(FREE_NUMBER, text) == Rejection("not_a_number")


def test_free_text_default_limits_fit_in_a_telegram_message() -> None:
    plain = question("plain", T.FREE_TEXT)
    assert parse_answer(plain, "x" * 4000) == "x" * 4000
    assert parse_answer(plain, "x" * 4001) == Rejection("too_long", {"max": 4000, "length": 4001})


# --- the rejection registry -------------------------------------------------------------------


def codes_the_engine_can_produce() -> set[str]:
    """Every ``RejectionCode.X`` named in engine.py, read from its syntax tree."""
    tree = ast.parse(inspect.getsource(engine))
    produced: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Rejection":
            # A string literal would dodge this scan: the engine must name codes by the enum.
            assert not any(isinstance(arg, ast.Constant) for arg in node.args), ast.unparse(node)
        if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "RejectionCode":
            produced.add(RejectionCode[node.attr].value)
    return produced


def test_every_code_the_engine_produces_is_registered_and_no_code_is_dead() -> None:
    produced = codes_the_engine_can_produce()
    assert "out_of_range" in produced  # the scan itself works
    assert produced == set(RejectionCode)


def test_every_code_has_a_text_in_italian_and_english_with_the_same_placeholders() -> None:
    assert set(REJECTION_TEXTS) == set(RejectionCode)
    for code, texts in REJECTION_TEXTS.items():
        assert set(texts) == {"it", "en"}, code
        assert texts["it"].strip() and texts["en"].strip(), code
        assert texts["it"] != texts["en"], code
        assert template_fields(texts["it"]) == template_fields(texts["en"]), code


def test_rejection_refuses_an_unregistered_code() -> None:
    with pytest.raises(ValueError):
        Rejection("made_up_code")


def test_rejection_is_comparable_and_hashable() -> None:
    one = Rejection("too_short", {"min": 10, "length": 4})
    assert one == Rejection(RejectionCode.TOO_SHORT, {"length": 4, "min": 10})
    assert one.code == "too_short"
    assert len({one, Rejection("too_short", {"length": 4, "min": 10})}) == 1


def test_explain_language_fallback_and_number_format() -> None:
    rejection = Rejection("out_of_range", {"min": 0.5, "max": 2.0})
    assert explain(rejection, "it") == "Scrivi un numero tra 0,5 e 2."
    assert explain(rejection, "it-IT") == "Scrivi un numero tra 0,5 e 2."
    assert explain(rejection, "en") == "Please send a number between 0.5 and 2."
    assert explain(rejection, "fr") == "Please send a number between 0.5 and 2."
    # A missing parameter shows as a placeholder instead of crashing the reply.
    assert explain(Rejection("out_of_range", {"min": 1}), "en").endswith("1 and {max}.")
