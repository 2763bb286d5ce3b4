"""The demo's synthetic answers are valid for every question of every example consultation."""

from __future__ import annotations

import random

import pytest

from bot.commands.demo import choose_answer, example_definitions
from bot.demo_texts import SAMPLE_TEXTS, TextPool, _fit
from surveys import engine
from surveys.definition import QuestionType

EXAMPLES = example_definitions()


def test_every_example_is_there() -> None:
    assert {"opencare", "openagri", "sharing-cities", "mercati"} <= set(EXAMPLES)


@pytest.mark.parametrize("slug", sorted(EXAMPLES))
def test_choose_answer_is_valid_for_every_question(slug: str) -> None:
    rng = random.Random(11)
    pool = TextPool(rng, None)
    definition = EXAMPLES[slug]
    seen_types = set()
    for question in definition.questions:
        for language in ("it", "en"):
            for _ in range(30):
                value = choose_answer(question, language, rng, pool)
                assert engine.check_answer(question, value) is None, (question.key, value)
        seen_types.add(question.type)
    if slug == "opencare":  # the richest example: most types appear there
        assert {QuestionType.SCALE, QuestionType.RANKING, QuestionType.NUMBER} <= seen_types


def test_text_pool_respects_lengths_and_language() -> None:
    pool = TextPool(random.Random(2), None)
    for _ in range(50):
        text = pool.text("it", 40, 80)
        assert 40 <= len(text) <= 80
        assert text in SAMPLE_TEXTS["it"]
    short = pool.text("en", 1, 12)
    assert 1 <= len(short) <= 12


def test_fit_cuts_at_a_word_and_pads_short_texts() -> None:
    assert _fit("Più alberi in piazza", 1, 12) == "Più alberi"
    assert len(_fit("Sì", 10, 100)) >= 10
