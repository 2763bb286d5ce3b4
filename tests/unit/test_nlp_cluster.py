"""Clustering: blobs are recovered, k stays in bounds, far-off texts go to "other"."""

from __future__ import annotations

import numpy as np

from nlp.cluster import assign_to_centroids, best_partition, centre, cluster_vectors, k_bounds
from nlp.metrics import hungarian_accuracy


def blobs(k: int, per: int, dim: int = 24, noise: float = 0.15, seed: int = 1):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim))
    labels = np.repeat(np.arange(k), per)
    points = centres[labels] + noise * rng.normal(size=(k * per, dim))
    return points.astype(np.float32), labels


def test_forced_k_recovers_separated_groups() -> None:
    points, gold = blobs(4, 30)
    result = cluster_vectors(centre(points)[0], k=4, detect_outliers=False)
    assert result.k == 4
    assert hungarian_accuracy(gold.tolist(), result.labels.tolist()) == 1.0


def test_automatic_k_finds_the_groups_within_its_window() -> None:
    points, gold = blobs(5, 40)
    result = cluster_vectors(centre(points)[0], k=None, min_group_size=5)
    low, high = k_bounds(len(points), 5)
    assert result.auto_k and low <= result.k <= high
    assert hungarian_accuracy(gold.tolist(), result.labels.tolist()) >= 0.9


def test_k_bounds_grow_slowly_and_respect_group_size() -> None:
    assert k_bounds(800, 5) == (5, 19)
    assert k_bounds(100_000, 5) == (9, 30)
    low, high = k_bounds(12, 5)
    assert low <= high <= 2


def test_a_far_away_text_goes_to_other() -> None:
    points, _ = blobs(3, 30, noise=0.05)
    odd = np.full((1, points.shape[1]), 0.0, dtype=np.float32)
    odd[0, 0] = 40.0  # nowhere near any group
    result = cluster_vectors(centre(np.vstack([points, odd]))[0], k=3)
    assert result.labels[-1] == -1
    assert (result.labels[:-1] >= 0).mean() > 0.9


def test_identical_vectors_make_one_cluster() -> None:
    result = cluster_vectors(np.ones((6, 8), dtype=np.float32), k=None)
    assert result.k == 1 and set(result.labels.tolist()) <= {0, -1}


def test_new_vectors_join_the_nearest_centroid_or_other() -> None:
    centroids = np.eye(3, dtype=np.float32)
    vectors = np.array([[0.9, 0.1, 0], [0, 0.2, 0.95], [0.5, 0.5, 0.5]], dtype=np.float32)
    labels, sims = assign_to_centroids(vectors, centroids, threshold=0.8)
    assert labels.tolist() == [0, 2, -1]
    assert sims[0] > 0.9


def test_many_tight_groups_of_uneven_size_are_recovered() -> None:
    rng = np.random.default_rng(3)
    sizes = [40, 30, 20, 12, 10, 8, 8, 6, 6, 6]
    centres = rng.normal(size=(len(sizes), 32))
    gold = np.repeat(np.arange(len(sizes)), sizes)
    points = centres[gold] + 0.05 * rng.normal(size=(len(gold), 32))
    x = centre(points.astype(np.float32))[0]
    labels, method = best_partition(x, x, len(sizes))
    assert method in ("kmeans", "average-linkage")
    assert hungarian_accuracy(gold.tolist(), labels.tolist()) == 1.0
