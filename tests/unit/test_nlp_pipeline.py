"""The whole pipeline on small inputs (tfidf backend: fast and always installed).

Properties that must hold for any input: every row exactly once in a theme or in
``unassigned``; every quote an exact substring of its row's scrubbed text.
"""

from __future__ import annotations

import zlib

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.evolution import assign_new
from nlp.pipeline import ThemeOptions, find_themes, theme_models
from nlp.quotes import excerpt
from nlp.vector_cache import InMemoryVectorCache

BIKES = [
    "Servono più piste ciclabili protette in via Padova",
    "Le piste ciclabili sono poche e pericolose",
    "Piste ciclabili continue fino al centro, per favore",
    "Vorrei andare al lavoro in bici su piste ciclabili sicure",
    "Mancano piste ciclabili e rastrelliere per le bici",
    "Piste ciclabili separate dalle auto",
]
PARKS = [
    "I parchi del quartiere sono sporchi e senza giochi",
    "Più alberi e panchine nei parchi",
    "Parchi aperti la sera e illuminati",
    "I parchi per i bambini vanno curati meglio",
    "Nei parchi servono fontanelle e alberi",
    "Parchi più verdi e puliti, scrivetemi a anna@example.org",
]


def check_invariants(texts: list[str], result_json: dict, scrubbed: list[str]) -> None:  # type: ignore[type-arg]
    rows = [m for t in result_json["themes"] for m in t["members"]] + result_json["unassigned"]
    assert sorted(rows) == list(range(len(texts)))
    for theme in result_json["themes"]:
        assert theme["size"] == len(theme["members"])
        for quote in theme["quotes"]:
            assert quote["row"] in theme["members"]
            assert quote["text"] and quote["text"] in scrubbed[quote["row"]]


def test_two_clear_themes_with_labels_and_quotes() -> None:
    texts = BIKES + PARKS
    result = find_themes(texts, ThemeOptions(backend="tfidf", lang="it", k=2, min_group_size=3))
    payload = result.to_json()
    check_invariants(texts, payload, result.scrubbed)
    assert payload["k"] == 2 and payload["backend"] == "tfidf"
    labels = sorted(t["label"] for t in payload["themes"])
    assert labels[0].startswith("parchi") and labels[1].startswith("piste ciclabili")
    assert all(len(t["quotes"]) == 3 for t in payload["themes"])
    all_quotes = " ".join(q["text"] for t in payload["themes"] for q in t["quotes"])
    assert "anna@example.org" not in all_quotes and "@" not in "".join(result.scrubbed)


def test_small_themes_are_not_published() -> None:
    texts = BIKES + PARKS[:2]
    result = find_themes(texts, ThemeOptions(backend="tfidf", lang="it", k=2, min_group_size=3))
    assert [t.size for t in result.themes] == [6]
    assert set(result.unassigned) >= {6, 7}


def test_contributors_not_texts_count_toward_the_minimum() -> None:
    texts = BIKES + PARKS
    one_person_parks = list(range(6)) + [99] * 6
    result = find_themes(
        texts,
        ThemeOptions(backend="tfidf", lang="it", k=2, min_group_size=3),
        authors=one_person_parks,
    )
    assert len(result.themes) == 1 and result.themes[0].members == list(range(6))


def test_mixed_languages_without_a_multilingual_backend_cluster_per_language() -> None:
    english = [
        "We need more protected bike lanes downtown",
        "Bike lanes are unsafe and too few",
        "Please build bike lanes to the station",
        "Bike lanes separated from cars",
    ]
    result = find_themes(BIKES + english, ThemeOptions(backend="tfidf", min_group_size=2, k=1))
    payload = result.to_json()
    assert payload["per_language"] is True
    assert payload["languages"] == {"en": 4, "it": 6}
    assert {t.language for t in result.themes} == {"it", "en"}


def test_empty_and_duplicate_texts() -> None:
    empty = find_themes(["", "   ", ""], ThemeOptions(backend="tfidf"))
    assert empty.to_json()["themes"] == [] and empty.unassigned == [0, 1, 2]
    assert empty.warnings
    same = find_themes(["uguale"] * 8, ThemeOptions(backend="tfidf", min_group_size=3))
    payload = same.to_json()
    check_invariants(["uguale"] * 8, payload, same.scrubbed)
    assert payload["k"] <= 1 and len(payload["themes"][0]["quotes"]) == 1


def test_excerpt_is_a_substring_and_cut_at_a_sentence() -> None:
    text = "Prima frase breve. " + "parola " * 80
    cut = excerpt(text, limit=45)
    assert cut == "Prima frase breve." and cut in text
    assert excerpt("  corto  ") == "corto"
    words_only = excerpt("parola " * 80, limit=45)
    assert len(words_only) <= 45 and words_only.endswith("parola")


words = st.sampled_from(
    [
        "parco",
        "bici",
        "strada",
        "scuola",
        "Giulia",
        "traffico",
        "the",
        "park",
        "@mario",
        "333 123 4567",
        "a@b.it",
        "https://x.org/1",
        ".",
        "!",
        "\n",
        "verde",
        "più",
        "è",
    ]
)
texts_strategy = st.lists(
    st.lists(words, min_size=0, max_size=12).map(" ".join), min_size=1, max_size=25
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=texts_strategy, k=st.one_of(st.none(), st.integers(1, 6)))
def test_every_row_once_and_quotes_verbatim(texts: list[str], k: int | None) -> None:
    result = find_themes(texts, ThemeOptions(backend="tfidf", k=k, min_group_size=2))
    check_invariants(texts, result.to_json(), result.scrubbed)


class WordHashEncoder:
    """A tiny deterministic stand-in encoder: bag of words hashed into 64 dimensions."""

    name = "word-hash"
    model = "test"
    multilingual = True

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, zlib.crc32(word.strip(".,!").encode()) % 64] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def test_new_answers_are_assigned_to_the_themes_of_a_run() -> None:
    result = find_themes(
        BIKES + PARKS,
        ThemeOptions(lang="it", k=2, min_group_size=3),
        encoder=WordHashEncoder(),
        cache=InMemoryVectorCache(),
    )
    models = theme_models(result)
    assert list(models) == ["*"] and len(models["*"].theme_ids) == 2
    bike_theme = next(t.id for t in result.themes if 0 in t.members)
    new = WordHashEncoder().encode(["piste ciclabili sicure e protette", "zzz qqq www"])
    assert assign_new(models["*"], new) == [bike_theme, None]
