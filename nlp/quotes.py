"""Verbatim quotes for a theme: central (close to the theme's centre) and diverse.

Candidates are the members nearest the centroid; maximal marginal relevance then trades
centrality against similarity to quotes already picked. A quote is always an exact
substring of the scrubbed text: long texts are cut at a sentence or word boundary, and
nothing (no ellipsis) is added. A text with abusive or offensive language (``nlp.offensive``)
is never quoted: it stays a member of its theme and counts, it just is not shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from nlp.offensive import fit_to_print

MAX_QUOTE_CHARS = 280
_SENTENCE_END = re.compile(r"[.!?…](?=\s)|\n")


def excerpt(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """``text`` stripped, or its leading sentences (else words) within ``limit`` characters."""
    stripped = text.strip()
    if len(stripped) <= limit:
        return stripped
    cut = 0
    for match in _SENTENCE_END.finditer(stripped):
        if match.end() > limit:
            break
        cut = match.end()
    if cut < limit // 3:
        space = stripped.rfind(" ", 0, limit)
        cut = space if space > 0 else limit
    return stripped[:cut].strip()


def pick_quotes(
    rows: Sequence[int],
    texts: Sequence[str],
    vectors: np.ndarray,
    centroid: np.ndarray,
    count: int = 3,
    candidates: int = 40,
    balance: float = 0.6,
    printable: Callable[[str], bool] = fit_to_print,
) -> list[dict[str, int | str]]:
    """Up to ``count`` quotes ``{"row", "text"}`` from ``rows`` (indices into texts/vectors),
    never one that ``printable`` refuses (offensive language)."""
    if not rows:
        return []
    member_vectors = vectors[list(rows)]
    centrality = member_vectors @ centroid
    order: list[int] = []
    for i in np.argsort(-centrality, kind="stable"):  # the most central printable ones
        if printable(texts[rows[int(i)]]):
            order.append(int(i))
            if len(order) == candidates:
                break
    # Prefer texts with some substance; fall back to any text when none has.
    substantial = [i for i in order if len(texts[rows[i]].split()) >= 4]
    pool = substantial if len(substantial) >= min(count, len(order)) else list(order)
    chosen: list[int] = []
    seen_texts: set[str] = set()
    while pool and len(chosen) < count:
        best, best_score = None, -np.inf
        for i in pool:
            redundancy = max(
                (float(member_vectors[i] @ member_vectors[j]) for j in chosen), default=0.0
            )
            value = balance * float(centrality[i]) - (1 - balance) * redundancy
            if value > best_score:
                best, best_score = i, value
        assert best is not None
        pool.remove(best)
        normalised = " ".join(texts[rows[best]].lower().split())
        if normalised in seen_texts:
            continue
        seen_texts.add(normalised)
        chosen.append(best)
    return [{"row": int(rows[i]), "text": excerpt(texts[rows[i]])} for i in chosen]
