"""Clustering quality against gold labels: Hungarian-matched accuracy, NMI and ARI."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


def _codes(values: Sequence[Hashable]) -> np.ndarray:
    index: dict[Hashable, int] = {}
    return np.array([index.setdefault(v, len(index)) for v in values], dtype=np.int64)


def hungarian_accuracy(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Share of items whose cluster maps to their gold label under the best one-to-one map.

    Clusters left unmatched (more clusters than labels) count as wrong, as in the
    short-text clustering literature.
    """
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    if not gold:
        return 0.0
    g, p = _codes(gold), _codes(predicted)
    table = np.zeros((p.max() + 1, g.max() + 1), dtype=np.int64)
    np.add.at(table, (p, g), 1)
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum()) / len(gold)


@dataclass(frozen=True)
class Scores:
    acc: float
    nmi: float
    ari: float

    def as_percent(self) -> dict[str, float]:
        return {k: round(100 * v, 1) for k, v in vars(self).items()}


def score(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> Scores:
    g, p = _codes(gold), _codes(predicted)
    return Scores(
        acc=hungarian_accuracy(gold, predicted),
        nmi=float(normalized_mutual_info_score(g, p)),
        ari=float(adjusted_rand_score(g, p)),
    )
