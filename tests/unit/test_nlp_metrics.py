"""Evaluation metrics: Hungarian-matched accuracy, NMI, ARI."""

from __future__ import annotations

import pytest

from nlp.metrics import hungarian_accuracy, score


def test_a_relabelled_perfect_clustering_scores_one() -> None:
    gold = ["a", "a", "b", "b", "c", "c"]
    predicted = [2, 2, 0, 0, 1, 1]
    result = score(gold, predicted)
    assert result.acc == pytest.approx(1.0)
    assert result.nmi == pytest.approx(1.0)
    assert result.ari == pytest.approx(1.0)


def test_accuracy_uses_the_best_one_to_one_map() -> None:
    gold = ["a", "a", "a", "b", "b", "b"]
    predicted = [0, 0, 1, 1, 1, 1]
    assert hungarian_accuracy(gold, predicted) == pytest.approx(5 / 6)


def test_extra_clusters_count_as_errors() -> None:
    assert hungarian_accuracy(["a", "a", "a", "a"], [0, 1, 2, 3]) == pytest.approx(0.25)


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError):
        hungarian_accuracy(["a"], [0, 1])
