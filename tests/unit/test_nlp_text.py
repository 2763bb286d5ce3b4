"""Language detection, spaCy preprocessing (noun-first lemmas, stop phrases) and labels."""

from __future__ import annotations

from nlp.labels import label_from_keywords, theme_keywords
from nlp.language import detect_language, detect_languages
from nlp.preprocess import lemma_terms, preprocessor


def test_language_of_short_answers() -> None:
    assert detect_language("Servono più parchi per i bambini nel quartiere") == "it"
    assert detect_language("We need more parks for the children in the area") == "en"
    assert detect_language("12345", default="en") == "en"


def test_undecided_texts_take_the_majority() -> None:
    texts = ["the park is nice", "we need trees in the city", "ok!!"]
    assert detect_languages(texts) == ["en", "en", "en"]


def test_italian_nouns_stay_nouns() -> None:
    (runs,) = preprocessor("it").runs(["Il lavoro nel centro: il sindaco e i parchi"])
    lemmas = [w.lemma for run in runs for w in run]
    assert lemmas == ["lavoro", "centro", "sindaco", "parco"]


def test_stop_phrases_and_placeholders_are_not_words() -> None:
    (runs,) = preprocessor("it").runs(["Secondo me servono piste ciclabili, scrivete a [email]"])
    terms = lemma_terms(runs)
    assert "pista ciclabile" in terms
    assert "secondo" not in terms and "email" not in terms
    (english,) = preprocessor("en").runs(["I think the minimum wage should rise [phone]"])
    words = [w.surface for run in english for w in run]
    assert words == ["minimum", "wage", "rise"]


def test_keywords_distinguish_themes_and_use_surface_forms() -> None:
    texts = [
        "più piste ciclabili sicure",
        "piste ciclabili protette in centro",
        "le piste ciclabili mancano",
        "parchi puliti per i bambini",
        "i parchi sono sporchi",
        "parchi con giochi per bambini",
    ]
    runs = preprocessor("it").runs(texts)
    keywords = theme_keywords(runs, [0, 0, 0, 1, 1, 1])
    assert keywords[0][0] == "piste ciclabili"
    assert keywords[1][0] == "parchi"
    assert "parco" not in keywords[1]  # the lemma is used for counting, never shown
    assert label_from_keywords(keywords[1], "x").startswith("parchi")
    assert label_from_keywords([], "fallback") == "fallback"


def test_outliers_get_no_keywords() -> None:
    runs = preprocessor("en").runs(["bike lanes", "bike lanes now"])
    assert theme_keywords(runs, [-1, -1]) == {}
