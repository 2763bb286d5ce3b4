"""Clustering: blobs are recovered, k stays in bounds, far-off texts go to "other"."""

from __future__ import annotations

import numpy as np
import pytest

from nlp import cluster
from nlp.cluster import (
    UMAP_MIN,
    assign_to_centroids,
    best_partition,
    centre,
    cluster_vectors,
    k_bounds,
    neighbourhood,
    numba_cache_dir,
    reduce,
    spread_labels,
    umap_available,
)
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


def test_small_inputs_skip_umap() -> None:
    points, gold = blobs(3, 20)
    assert reduce(centre(points)[0]) is None  # fewer than UMAP_MIN texts
    result = cluster_vectors(centre(points)[0], k=3, detect_outliers=False)
    assert result.method in ("kmeans", "average-linkage")
    assert hungarian_accuracy(gold.tolist(), result.labels.tolist()) == 1.0


def test_umap_path_is_deterministic_and_recovers_groups() -> None:
    if not umap_available():
        pytest.skip("umap-learn is not installed")
    points, gold = blobs(4, UMAP_MIN // 4 + 10, noise=0.3)
    x = centre(points)[0]
    first = reduce(x)
    assert first is not None and first.shape == (len(x), 5)
    again = reduce(x)
    assert again is not None and np.array_equal(first, again)
    result = cluster_vectors(x, k=4, detect_outliers=False)
    assert result.method in ("umap-kmeans", "average-linkage")
    assert hungarian_accuracy(gold.tolist(), result.labels.tolist()) >= 0.95
    assert np.array_equal(result.labels, cluster_vectors(x, k=4, detect_outliers=False).labels)


def test_without_umap_the_plain_path_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster, "_umap_class", lambda: None)
    points, gold = blobs(4, UMAP_MIN // 4 + 10)
    x = centre(points)[0]
    assert reduce(x) is None
    result = cluster_vectors(x, k=4, detect_outliers=False)
    assert result.method in ("kmeans", "average-linkage")
    assert hungarian_accuracy(gold.tolist(), result.labels.tolist()) == 1.0


def test_numba_cache_lives_under_the_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("ASCOLTO_DATA_DIR", "/srv/ascolto")
    assert str(numba_cache_dir()) == "/srv/ascolto/numba-cache"
    monkeypatch.setenv("NUMBA_CACHE_DIR", "/tmp/numba")
    assert str(numba_cache_dir()) == "/tmp/numba"


def test_a_backend_partition_is_kept_whole() -> None:
    points, _ = blobs(3, 30, noise=0.05)
    odd = np.full((1, points.shape[1]), 0.0, dtype=np.float32)
    odd[0, 0] = 40.0
    x = centre(np.vstack([points, odd]))[0]
    given = np.repeat(np.arange(3), 31)[: len(x)]
    result = cluster_vectors(x, k=3, partition=lambda k: given)
    assert result.method == "backend"
    assert (result.labels >= 0).all()  # NMF topics are not judged by distance to a centroid


def test_texts_outside_the_fit_sample_take_their_neighbours_label(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cluster, "UMAP_FIT_SAMPLE", 100)
    points, gold = blobs(4, 60, noise=0.3)
    x = centre(points)[0]
    near = neighbourhood(x)
    assert near.is_sample and len(near.fitted) == 100
    assert near.indices.max() < 100  # positions in the sample
    spread = spread_labels(near, gold[near.fitted], 4)
    assert np.array_equal(spread, gold)


def test_the_sample_path_recovers_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    if not umap_available():
        pytest.skip("umap-learn is not installed")
    monkeypatch.setattr(cluster, "UMAP_FIT_SAMPLE", UMAP_MIN + 20)
    points, gold = blobs(4, 150, noise=0.3)
    result = cluster_vectors(centre(points)[0], k=4, detect_outliers=False)
    assert hungarian_accuracy(gold.tolist(), result.labels.tolist()) >= 0.95


def test_a_text_between_two_themes_with_close_neighbours_is_not_other() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(2, 24))
    points = np.vstack([a + 0.15 * rng.normal(size=(60, 24)), b + 0.15 * rng.normal(size=(60, 24))])
    # A dense path of texts from one group to the other: each has close neighbours.
    steps = np.linspace(0.2, 0.8, 48)[:, None]
    bridge = a + steps * (b - a) + 0.02 * rng.normal(size=(48, 24))
    # Not centred: the bridge's middle would sit at the mean and turn into noise.
    result = cluster_vectors(np.vstack([points, bridge]).astype(np.float32), k=2)
    far_alone = cluster.outliers(result.similarity, np.maximum(result.labels, 0))
    assert far_alone[120:].any()  # the distance test alone would call some of them "other"
    assert (result.labels[120:] >= 0).all()  # but their neighbours are close: they stay
