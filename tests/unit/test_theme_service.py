"""Pure parts of themes over time: rebuilding a theme model from memberships, identity
carried over with staff merges and splits, vectors as bytes, the cache key."""

from __future__ import annotations

import hashlib
from itertools import count

import numpy as np

from nlp.evolution import assign_new, model_from_groups
from nlp.pii import scrub
from nlp.service import NlpThemeEngine, from_bytes, to_bytes
from surveys.themes import CuratedGroup, CurationStep, text_key


def _refs(*ids: int) -> set[tuple[str, int]]:
    return {("answer", i) for i in ids}


def test_model_from_groups_assigns_near_texts_and_leaves_far_ones_out() -> None:
    rng = np.random.default_rng(0)
    a = np.array([1.0, 0.0, 0.0]) + rng.normal(0, 0.05, (10, 3))
    b = np.array([0.0, 1.0, 0.0]) + rng.normal(0, 0.05, (10, 3))
    vectors = np.vstack([a, b]).astype(np.float32)
    model = model_from_groups(vectors, [list(range(10)), list(range(10, 20))])
    new = np.array([[0.98, 0.02, 0.0], [0.01, 0.99, 0.0], [0.0, 0.0, 5.0]], dtype=np.float32)
    assert assign_new(model, new) == [0, 1, None]


def test_empty_groups_give_no_theme() -> None:
    model = model_from_groups(np.eye(3, dtype=np.float32), [[], []])
    assert assign_new(model, np.eye(3, dtype=np.float32)[:1]) == [None]


def test_vectors_round_trip_as_float32_bytes() -> None:
    vectors = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
    assert np.array_equal(from_bytes([to_bytes(v) for v in vectors]), vectors)
    assert len(to_bytes(vectors[0])) == 12


def test_text_key_is_sha256_of_the_raw_text() -> None:
    assert text_key("più verde") == hashlib.sha256("più verde".encode()).hexdigest()


def test_identity_and_curation_carry_over() -> None:
    engine = NlpThemeEngine("tfidf")
    previous = {
        10: CuratedGroup("bikes", _refs(1, 2, 3, 4)),
        11: CuratedGroup("trees", _refs(5, 6, 7, 8, 9, 20, 21)),  # 20, 21 merged in by staff
        12: CuratedGroup("markets", _refs(10, 11, 12)),
    }
    current = [
        CuratedGroup("bike lanes", _refs(1, 2, 3, 4)),
        CuratedGroup("green", _refs(5, 6, 7, 8, 9)),
        CuratedGroup("parks", _refs(20, 21)),  # the algorithm splits what staff merged
        CuratedGroup("food", _refs(10, 11, 12, 13)),
        CuratedGroup("noise", _refs(30, 31, 32)),  # a new theme
    ]
    steps = [
        CurationStep("rename", {"theme": 10, "label": "Cycling"}),
        CurationStep("merge", {"themes": [99], "into": 11}),
        CurationStep("hide", {"theme": 12}),
        CurationStep("move", {"member": ["answer", 4], "to": None}),
    ]
    fresh = count(-1, -1)
    result = engine.carry_over(previous, current, steps, lambda: next(fresh))
    assert set(result) == {10, 11, 12, -1}
    assert result[10].label == "Cycling" and result[10].members == _refs(1, 2, 3)
    assert result[11].members == _refs(5, 6, 7, 8, 9, 20, 21)  # the merge survives
    assert result[12].hidden and result[12].members == _refs(10, 11, 12, 13)
    assert result[-1].label == "noise"


def test_a_split_is_replayed_onto_its_own_id() -> None:
    engine = NlpThemeEngine("tfidf")
    previous = {
        10: CuratedGroup("mobility", _refs(1, 2, 3)),
        17: CuratedGroup("trams", _refs(4, 5, 6)),  # split off 10 by staff
    }
    current = [CuratedGroup("mobility", _refs(1, 2, 3, 4, 5, 6))]
    split = CurationStep(
        "split",
        {
            "theme": 10,
            "members": [["answer", 4], ["answer", 5], ["answer", 6]],
            "new_theme": 17,
            "label": "trams",
        },
    )
    result = engine.carry_over(previous, current, [split], lambda: -1)
    assert result[10].members == _refs(1, 2, 3)
    assert result[17].members == _refs(4, 5, 6) and result[17].label == "trams"


async def test_quotes_are_verbatim_excerpts_of_the_scrubbed_texts() -> None:
    texts = [
        "Scrivetemi a mario.rossi@example.com per le piste ciclabili in via Padova.",
        "Servono piste ciclabili protette, chiamate il 333 123 4567.",
        "Le piste ciclabili di corso Buenos Aires sono pericolose agli incroci.",
    ]
    quotes = await NlpThemeEngine("tfidf", lang="it").quotes(texts, None, [[0, 1, 2]], 3)
    assert len(quotes[0]) == 3
    for quote in quotes[0]:
        assert "@" not in quote.text and "4567" not in quote.text
        assert quote.text in scrub(texts[quote.index])
