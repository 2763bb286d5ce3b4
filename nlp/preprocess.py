"""spaCy preprocessing: lemmas of content words, stop words and survey chatter removed.

A trained pipeline (``it_core_news_*``, ``en_core_web_*``) is used when installed (better
lemmas, and its entity recogniser finds names). Otherwise ``spacy.blank(lang)`` tokenises and
lemmas come from spacy-lookups-data's per-part-of-speech tables, nouns first: the generic
Italian table turns many nouns into verbs (lavoro → lavorare, centro → centrare).

Each text becomes a list of *runs*: maximal sequences of content words with no stop word,
stop phrase, placeholder or punctuation between them. Runs give two-word phrases for labels
("piste ciclabili", "minimum wage") without joining words across a break.
"""

from __future__ import annotations

import gzip
import importlib.util
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from nlp.pii import PLACEHOLDERS

DATA_DIR = Path(__file__).resolve().parent / "data"
SUPPORTED = ("it", "en")
TRAINED = {
    "it": ("it_core_news_lg", "it_core_news_md", "it_core_news_sm"),
    "en": ("en_core_web_lg", "en_core_web_md", "en_core_web_sm"),
}
# Words spaCy's lists lack (Italian has no article "i") or that carry no topic in surveys.
EXTRA_STOP = {
    "it": {
        "i",
        "essere",
        "avere",
        "fare",
        "cosa",
        "cose",
        "molto",
        "anche",
        "più",
        "poi",
        "ecc",
        "etc",
        "solo",
        "ancora",
        "sempre",
        "tutto",
        "tutti",
        "ogni",
        "modo",
        "volta",
        "parte",
        "po",
        "poter",
        "potere",
        "dovere",
        "volere",
        "dare",
        "stare",
        "andare",
        "venire",
        "dire",
        "sapere",
        "vedere",
        "mettere",
        "bene",
        "meglio",
        "esempio",
        "importante",
        "bello",
        "buono",
    },
    "en": {
        "also",
        "would",
        "could",
        "should",
        "get",
        "make",
        "thing",
        "things",
        "lot",
        "like",
        "really",
        "much",
        "many",
        "need",
        "want",
        "think",
        "go",
        "way",
        "use",
        "one",
        "even",
        "well",
        "know",
        "say",
        "let",
        "may",
        "might",
        "must",
        "dont",
        "im",
        "agree",
        "disagree",
        "important",
        "good",
        "feel",
        "great",
        "sure",
        "yes",
        "okay",
        "ok",
    },
}
# spaCy's Italian list also holds topical words a city must be able to see as themes.
NOT_STOP = {
    "it": {
        "lavoro",
        "governo",
        "ministro",
        "consiglio",
        "futuro",
        "gruppo",
        "giorno",
        "giorni",
        "persone",
        "nazionale",
        "registrazione",
        "mancanza",
        "attesa",
        "anticipo",
        "milioni",
        "miliardi",
        "titolo",
        "momento",
        "grande",
        "vicino",
        "lontano",
        "marche",
    },
    "en": set(),
}
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))
_WORD_RE = re.compile(r"^[^\W\d_]+(?:['’][^\W\d_]+)?$")


@dataclass(frozen=True)
class Word:
    lemma: str
    surface: str


Runs = list[list[Word]]


def _read_phrases(lang: str) -> list[tuple[str, ...]]:
    path = DATA_DIR / f"stop_phrases_{lang}.txt"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [tuple(ln.lower().split()) for ln in lines if ln.strip() and not ln.startswith("#")]


class Preprocessor:
    """Turns texts of one language into runs of (lemma, surface) content words."""

    def __init__(self, lang: str) -> None:
        import spacy

        self.lang = lang if lang in SUPPORTED else "en"
        self.trained = False
        self.nlp: Any = None
        for name in TRAINED[self.lang]:
            if importlib.util.find_spec(name) is not None:
                self.nlp = spacy.load(name, disable=["parser"])
                self.trained = True
                break
        if self.nlp is None:
            self.nlp = spacy.blank(self.lang)
        self.stop_words: set[str] = (
            set(self.nlp.Defaults.stop_words) | EXTRA_STOP[self.lang]
        ) - NOT_STOP[self.lang]
        self.stop_phrases = _read_phrases(self.lang)
        self._tables = _lemma_tables(self.lang)

    def lemma(self, lower: str) -> str:
        for table in self._tables:
            found = table.get(lower)
            if found:
                return str(found).lower()
        return lower

    def is_content(self, surface: str, lemma: str) -> bool:
        return (
            len(surface) >= 3
            and _WORD_RE.match(surface) is not None
            and surface not in self.stop_words
            and lemma not in self.stop_words
            and len(lemma) >= 2
        )

    def _mask_phrases(self, lowers: Sequence[str]) -> list[bool]:
        masked = [False] * len(lowers)
        for phrase in self.stop_phrases:
            size = len(phrase)
            for start in range(len(lowers) - size + 1):
                if tuple(lowers[start : start + size]) == phrase:
                    for i in range(start, start + size):
                        masked[i] = True
        return masked

    def runs(self, texts: Iterable[str]) -> list[Runs]:
        # Placeholders become a break, so "[email]" never yields the word "email".
        cleaned = (_PLACEHOLDER_RE.sub(" | ", t) for t in texts)
        out: list[Runs] = []
        for doc in self.nlp.pipe(cleaned, batch_size=256):
            lowers = [tok.text.lower() for tok in doc]
            masked = self._mask_phrases(lowers)
            runs: Runs = [[]]
            for tok, lower, hidden in zip(doc, lowers, masked, strict=True):
                lemma = tok.lemma_.lower() if self.trained and tok.lemma_ else self.lemma(lower)
                if not hidden and not tok.is_punct and self.is_content(lower, lemma):
                    runs[-1].append(Word(lemma, lower))
                elif runs[-1]:
                    runs.append([])
            out.append([r for r in runs if r])
        return out


@lru_cache(maxsize=4)
def _lemma_tables(lang: str) -> tuple[dict[str, str], ...]:
    """Lookup tables in the order they are consulted (nouns first for Italian).

    Read straight from spacy-lookups-data's JSON files into dicts: spaCy's own ``Table``
    hashes every entry and takes ten times longer. The generic Italian table already maps
    verb forms to infinitives, so the (large) verb table is not loaded.
    """
    names = (
        ["lemma_lookup_noun", "lemma_lookup_adj", "lemma_lookup"]
        if lang == "it"
        else ["lemma_lookup"]
    )
    try:
        folder = resources.files("spacy_lookups_data") / "data"
    except ModuleNotFoundError:
        return ()
    tables: list[dict[str, str]] = []
    for name in names:
        path = folder / f"{lang}_{name}.json.gz"
        if path.is_file():
            with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
                tables.append(json.load(handle))
    return tuple(tables)


@lru_cache(maxsize=4)
def preprocessor(lang: str) -> Preprocessor:
    """One preprocessor per language per process (loading spaCy costs a second)."""
    return Preprocessor(lang)


def lemma_terms(runs: Runs, phrases: bool = True) -> list[str]:
    """Lemmas and, optionally, two-word lemma phrases (joined by a space) of one text."""
    terms: list[str] = []
    for run in runs:
        terms.extend(w.lemma for w in run)
        if phrases:
            terms.extend(f"{a.lemma} {b.lemma}" for a, b in itertools.pairwise(run))
    return terms
