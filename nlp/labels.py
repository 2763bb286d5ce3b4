"""Theme labels: class-based TF-IDF over lemmas and two-word phrases, shown as surface forms.

c-TF-IDF (as in BERTopic) treats each theme's texts as one document: a term weighs
``tf(term, theme) · log(1 + average words per theme / frequency of the term overall)``.
Lemmas rank the terms (so "parco" and "parchi" count together); the label shows the form
people actually wrote most often in that theme ("parchi", "piste ciclabili").
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from nlp.preprocess import Runs


def _terms_with_surface(runs: Runs) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for run in runs:
        pairs.extend((w.lemma, w.surface) for w in run)
        pairs.extend(
            (f"{a.lemma} {b.lemma}", f"{a.surface} {b.surface}") for a, b in itertools.pairwise(run)
        )
    return pairs


def theme_keywords(
    runs_per_row: Sequence[Runs],
    labels: Sequence[int],
    top_n: int = 8,
) -> dict[int, list[str]]:
    """Top keywords and phrases (surface forms) for every cluster id ≥ 0 in ``labels``."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    docs: dict[int, Counter[str]] = defaultdict(Counter)
    surfaces: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for runs, cluster in zip(runs_per_row, labels, strict=True):
        if cluster < 0:
            continue
        pairs = _terms_with_surface(runs)
        for lemma, surface in pairs:
            counts[cluster][lemma] += 1
            surfaces[cluster][lemma][surface] += 1
        docs[cluster].update({lemma for lemma, _ in pairs})
    if not counts:
        return {}
    overall: Counter[str] = Counter()
    for c in counts.values():
        overall.update(c)
    avg_words = np.mean([sum(c.values()) for c in counts.values()])
    result: dict[int, list[str]] = {}
    sizes = Counter(labels)
    for cluster, c in counts.items():
        size = max(1, sizes[cluster])
        total = sum(c.values())
        # A keyword must recur: in two texts at least (one text says nothing about a theme),
        # unless nothing recurs at all.
        recurring = size >= 4 and any(n >= 2 for n in docs[cluster].values())
        min_docs = 2 if recurring else 1
        scored = []
        for term, n in c.items():
            if docs[cluster][term] < min_docs:
                continue
            weight = (n / total) * np.log(1 + avg_words / overall[term])
            if " " in term:
                weight *= 1.2  # a phrase says more than either of its words
            scored.append((weight, term))
        scored.sort(key=lambda p: (-p[0], p[1]))
        phrases_of: dict[str, list[str]] = defaultdict(list)
        for term in docs[cluster]:
            if " " in term:
                for part in term.split():
                    phrases_of[part].append(term)
        ranked = [_prefer_phrase(term, docs[cluster], phrases_of) for _, term in scored[:200]]
        chosen: list[str] = []
        chosen_lemmas: list[str] = []
        for term in dict.fromkeys(ranked):
            parts = term.split()
            # Skip a word already inside a chosen phrase, and a phrase repeating a chosen word.
            if any(
                term in other.split() or set(parts) & set(other.split()) for other in chosen_lemmas
            ):
                continue
            chosen_lemmas.append(term)
            chosen.append(surfaces[cluster][term].most_common(1)[0][0])
            if len(chosen) == top_n:
                break
        result[cluster] = chosen
    return result


def _prefer_phrase(term: str, doc_counts: Counter[str], phrases_of: dict[str, list[str]]) -> str:
    """A word usually said inside one phrase is shown as that phrase ("minimum wage")."""
    if " " in term:
        return term
    best, best_count = term, 0
    for candidate in phrases_of.get(term, ()):
        count = doc_counts[candidate]
        if count > best_count or (count == best_count and candidate < best):
            best, best_count = candidate, count
    return best if best_count >= max(2, doc_counts[term] / 2) else term


def label_from_keywords(keywords: Sequence[str], fallback: str) -> str:
    """A short label a person would write: the two strongest keywords or phrases."""
    if not keywords:
        return fallback
    return ", ".join(keywords[:2])
