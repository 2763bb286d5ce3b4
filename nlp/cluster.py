"""Cluster text vectors into themes: centre, UMAP or neighbour smoothing, k-means, "other".

Choices (measured in ``bench/``, see bench/RESULTS.md):
- Centring the vectors (subtract the corpus mean, re-normalise) removes the direction every
  sentence embedding shares and never hurt.
- From ``UMAP_MIN`` texts up, a 5-d UMAP embedding (cosine, 15 neighbours, min_dist 0, fixed
  seed) before k-means: on e5 vectors SearchSnippets 61 → 83 ACC, SIB-200 English 46 → 61.
  UMAP is fitted on at most ``UMAP_FIT_SAMPLE`` texts and the rest transformed, so 100,000
  texts cost minutes; under ``UMAP_MIN`` texts (or without umap-learn) the plain path runs.
- One round of neighbour smoothing (each vector averaged with its 10 nearest neighbours)
  pulls texts towards their local group before average linkage and the k search. Exact
  neighbours cost O(n²), so above 20,000 texts it is skipped.
- Two candidate partitions with the same k, and the one with the better silhouette (cosine,
  on a fixed sample of the centred vectors) wins: k-means (on the UMAP embedding when there
  is one; best on broad topics: StackOverflow, SearchSnippets, SIB-200) and average linkage
  on cosine (best on many tight groups: Tweet 65 → 92 ACC). Average linkage is exact up to
  5,000 texts, and above that runs on 300 k-means micro-clusters, so no step is quadratic
  in n. Both use fixed seeds: the same texts give the same themes.
- k chosen automatically by the silhouette (cosine) of the smoothed vectors on a sample,
  within bounds staff can read (on the UMAP embedding the curve is as flat and pushed k past
  twice the true count).
- Texts far from their theme's centre go to "other" instead of stretching a theme (not for a
  backend's own partition, e.g. the tfidf backend's NMF topics).
Every step is at most O(n·k) or works on a bounded sample, so 100,000 texts stay in minutes.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans, MiniBatchKMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

SEED = 20_260_527
MAX_THEMES = 30
SILHOUETTE_SAMPLE = 2_000
K_SEARCH_SAMPLE = 1_000  # the k search fits one k-means per candidate k: keep it small
LARGE = 20_000  # above this, k-means runs mini-batch and neighbour smoothing is skipped
NEIGHBOURS = 10
EXACT_LINKAGE = 5_000  # above this, average linkage runs on k-means micro-clusters
MICRO_CLUSTERS = 300
UMAP_MIN = 300  # below this UMAP's graph is too thin to help, and its JIT start-up dominates
UMAP_FIT_SAMPLE = 10_000  # above this UMAP is fitted on a sample and the rest transformed
UMAP_DIMENSIONS = 5
UMAP_NEIGHBOURS = 15


@dataclass(frozen=True)
class Clustering:
    """Cluster index per row (−1 = "other"), unit centroids and each row's cosine to its own."""

    labels: np.ndarray
    centroids: np.ndarray
    similarity: np.ndarray
    k: int
    auto_k: bool
    method: str = "kmeans"


def centre(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectors minus their mean, re-normalised; returns (centred, mean) so new texts match."""
    mean = vectors.mean(axis=0)
    return normalize(vectors - mean), mean


def _kmeans(x: np.ndarray, k: int, n_init: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    # Many restarts steady small corpora; on large ones each restart costs seconds.
    n_init = n_init or (10 if len(x) <= EXACT_LINKAGE else 5 if len(x) <= LARGE else 3)
    model: KMeans | MiniBatchKMeans
    if len(x) > LARGE:
        model = MiniBatchKMeans(
            n_clusters=k, random_state=SEED, n_init=n_init, batch_size=4096, max_iter=200
        )
    else:
        model = KMeans(n_clusters=k, random_state=SEED, n_init=n_init)
    labels = model.fit_predict(x)
    return labels.astype(np.int64), normalize(model.cluster_centers_)


def nearest_neighbours(x: np.ndarray, count: int, block: int = 2048) -> np.ndarray:
    """Indices of each row's ``count`` most similar other rows (exact, in blocks)."""
    n = len(x)
    count = min(count, n - 1)
    result = np.zeros((n, count), dtype=np.int64)
    for start in range(0, n, block):
        sims = x[start : start + block] @ x.T
        rows = np.arange(sims.shape[0])
        sims[rows, start + rows] = -np.inf  # a text is not its own neighbour
        result[start : start + block] = np.argpartition(-sims, count - 1, axis=1)[:, :count]
    return result


def smooth(x: np.ndarray, count: int = NEIGHBOURS) -> np.ndarray:
    """Each unit vector plus the mean of its nearest neighbours, re-normalised."""
    if len(x) <= 2 or len(x) > LARGE:
        return x
    neighbours = nearest_neighbours(x, count)
    return np.asarray(normalize(x + x[neighbours].mean(axis=1)), dtype=np.float32)


def _average_linkage(x: np.ndarray, k: int) -> np.ndarray:
    if len(x) <= EXACT_LINKAGE:
        model = AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average")
        return np.asarray(model.fit_predict(x), dtype=np.int64)
    # Random initial centres: k-means++ with 300 centres costs more than the whole fit.
    micro = MiniBatchKMeans(
        n_clusters=MICRO_CLUSTERS,
        random_state=SEED,
        n_init=1,
        batch_size=4096,
        max_iter=10,
        init="random",
    ).fit(x)
    centres = normalize(micro.cluster_centers_)
    merged = AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average")
    return np.asarray(merged.fit_predict(centres)[micro.labels_], dtype=np.int64)


def numba_cache_dir() -> Path:
    """Where numba keeps compiled UMAP code between runs (its JIT costs tens of seconds).

    ``$NUMBA_CACHE_DIR`` if set, else ``$ASCOLTO_DATA_DIR/numba-cache``, else the user's
    cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``) under ``ascolto/numba``.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    if os.environ.get("ASCOLTO_DATA_DIR"):
        return Path(os.environ["ASCOLTO_DATA_DIR"]) / "numba-cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ascolto" / "numba"


@lru_cache(maxsize=1)
def _umap_class() -> Any:
    """``umap.UMAP``, or None when umap-learn is not installed (the plain path is used)."""
    # numba reads its cache folder when first imported: set it before umap imports numba.
    os.environ.setdefault("NUMBA_CACHE_DIR", str(numba_cache_dir()))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from umap import UMAP
    except ImportError:  # pragma: no cover - depends on the install
        return None
    return UMAP


def umap_available() -> bool:
    return _umap_class() is not None


def reduce(x: np.ndarray) -> np.ndarray | None:
    """A 5-d UMAP embedding of unit vectors (cosine), or None when UMAP does not apply.

    UMAP pulls each text towards its nearest neighbours' manifold, which k-means then
    splits far better than the raw 384-d vectors (bench/RESULTS.md). Fitted on at most
    ``UMAP_FIT_SAMPLE`` rows (a fixed sample) and the rest transformed, so 100,000 texts
    cost minutes, not hours. ``random_state`` makes it deterministic (and single-threaded).
    """
    if len(x) < UMAP_MIN:
        return None
    umap_class = _umap_class()
    if umap_class is None:
        return None
    model = umap_class(
        n_components=UMAP_DIMENSIONS,
        n_neighbors=UMAP_NEIGHBOURS,
        min_dist=0.0,
        metric="cosine",
        random_state=SEED,
    )
    with warnings.catch_warnings():  # "n_jobs overridden by random_state": wanted
        warnings.simplefilter("ignore")
        if len(x) <= UMAP_FIT_SAMPLE:
            embedded = model.fit_transform(x)
        else:
            rows = np.sort(np.random.default_rng(SEED).choice(len(x), UMAP_FIT_SAMPLE, False))
            model.fit(x[rows])
            embedded = model.transform(x)
            embedded[rows] = model.embedding_
    return np.asarray(embedded, dtype=np.float32)


def _silhouette(x: np.ndarray, labels: np.ndarray) -> float:
    rng = np.random.default_rng(SEED)
    rows = rng.choice(len(x), SILHOUETTE_SAMPLE, False) if len(x) > SILHOUETTE_SAMPLE else None
    xs, ls = (x, labels) if rows is None else (x[rows], labels[rows])
    if len(set(ls.tolist())) < 2 or len(set(ls.tolist())) >= len(ls):
        return -1.0
    return float(silhouette_score(xs, ls, metric="cosine"))


def best_partition(
    x: np.ndarray, grouped: np.ndarray, k: int, embedded: np.ndarray | None = None
) -> tuple[np.ndarray, str]:
    """k-means or average linkage, whichever separates ``x`` better (cosine silhouette).

    k-means runs on the UMAP embedding when there is one (``embedded``), else on
    ``grouped`` (the smoothed vectors); average linkage always runs on ``grouped``.
    """
    by_kmeans, _ = _kmeans(grouped if embedded is None else embedded, k)
    name = "kmeans" if embedded is None else "umap-kmeans"
    if k >= len(x) or len(x) < 3:
        return by_kmeans, name
    by_linkage = _average_linkage(grouped, k)
    if _silhouette(x, by_linkage) > _silhouette(x, by_kmeans):
        return by_linkage, "average-linkage"
    return by_kmeans, name


def k_bounds(n: int, min_group_size: int, max_themes: int = MAX_THEMES) -> tuple[int, int]:
    """The window automatic k is searched in.

    Silhouette and eigengap both prefer two or three broad clusters on sentence embeddings
    (measured on SIB-200: 2–3 for 7 topics), which staff would find useless; so the search
    is centred on a prior that grows slowly with the number of texts, log2(n), from half
    to twice that, never above ``max_themes`` nor above n / min_group_size.
    """
    prior = max(2.0, float(np.log2(max(n, 2))))
    cap = max(2, min(max_themes, n // max(min_group_size, 1)))
    low = min(cap, max(2, int(np.ceil(prior / 2))))
    high = min(cap, int(np.floor(prior * 2)))
    return low, max(low, high)


def choose_k(x: np.ndarray, low: int, high: int, metric: str = "cosine") -> int:
    """The k in [low, high] with the best cosine silhouette on a fixed sample.

    Silhouette curves of sentence embeddings are flat and noisy (0.11–0.12 across the
    whole window on SIB-200), so each k is judged by the mean of its own and its
    neighbours' scores: a lone spike does not decide.
    """
    rng = np.random.default_rng(SEED)
    sample = x if len(x) <= K_SEARCH_SAMPLE else x[rng.choice(len(x), K_SEARCH_SAMPLE, False)]
    candidates = list(range(low, min(high, len(sample) - 1) + 1))
    scores: list[float] = []
    for k in candidates:
        labels, _ = _kmeans(sample, k, n_init=1)
        if len(set(labels.tolist())) < 2:
            scores.append(-1.0)
            continue
        scores.append(float(silhouette_score(sample, labels, metric=metric)))
    if not scores:
        return low
    values = np.array(scores)
    padded = np.pad(values, 1, mode="edge")
    averaged = (padded[:-2] + padded[1:-1] + padded[2:]) / 3
    return candidates[int(np.argmax(averaged))]


def outliers(similarity: np.ndarray, labels: np.ndarray, spread: float = 3.5) -> np.ndarray:
    """Rows much further from their centroid than the rest of their cluster (robust z-score)."""
    flagged = np.zeros(len(labels), dtype=bool)
    for cluster in np.unique(labels):
        rows = labels == cluster
        sims = similarity[rows]
        median = np.median(sims)
        mad = np.median(np.abs(sims - median)) * 1.4826 + 1e-6
        flagged[rows] = sims < median - spread * mad
    return flagged


def distinct_rows(x: np.ndarray) -> int:
    """How many different vectors there are (k can be no larger).

    Rows are compared through 8 fixed random projections, rounded: sorting n × 8 numbers
    instead of n × 384 keeps memory flat on 100,000 texts.
    """
    projection = np.random.default_rng(SEED).normal(size=(x.shape[1], 8)).astype(np.float32)
    return len(np.unique(np.round(x @ projection, 4), axis=0))


Partitioner = Callable[[int], np.ndarray]


def cluster_vectors(
    vectors: np.ndarray,
    k: int | None = None,
    min_group_size: int = 5,
    max_themes: int = MAX_THEMES,
    detect_outliers: bool = True,
    partition: Partitioner | None = None,
) -> Clustering:
    """Cluster unit vectors (already centred by the caller or not: k-means is run as given)."""
    n = len(vectors)
    if n == 0:
        empty = np.zeros(0, np.int64)
        return Clustering(empty, np.zeros((0, 0)), np.zeros(0), 0, k is None, "none")
    x = normalize(np.asarray(vectors, dtype=np.float32))
    distinct = distinct_rows(x)
    auto = k is None
    grouped = smooth(x) if distinct > 2 else x
    embedded = reduce(x) if distinct > UMAP_NEIGHBOURS and partition is None else None
    if k is None:
        low, high = k_bounds(n, min_group_size, max_themes)
        # On the smoothed vectors, not the UMAP embedding: silhouettes there are as flat
        # and pushed k past twice the true count on SIB-200 (15 for 7 topics).
        k = choose_k(grouped, low, min(high, distinct)) if distinct > 2 else 1
    k = max(1, min(k, distinct))
    method = "single"
    if k == 1:
        labels = np.zeros(n, dtype=np.int64)
    elif partition is not None:  # a backend with its own way to split (tfidf: NMF topics)
        labels, method = np.asarray(partition(k), dtype=np.int64), "backend"
        labels = np.unique(labels, return_inverse=True)[1].astype(np.int64)
        k = int(labels.max()) + 1
    else:
        labels, method = best_partition(x, grouped, k, embedded)
        k = int(labels.max()) + 1
    # Centroids live in the unsmoothed space: new texts arrive unsmoothed.
    centroids = np.zeros((k, x.shape[1]), dtype=np.float32)
    np.add.at(centroids, labels, x)
    centroids = np.asarray(normalize(centroids), dtype=np.float32)
    similarity = np.einsum("ij,ij->i", x, centroids[labels])
    # NMF topics are not spheres around a centroid: the distance test would misjudge them.
    if detect_outliers and k > 1 and method != "backend":
        labels = np.where(outliers(similarity, labels), -1, labels)
    return Clustering(labels, centroids, similarity, k, auto, method)


def assign_to_centroids(
    vectors: np.ndarray, centroids: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centroid per row, or −1 when the best cosine is below ``threshold``."""
    if len(vectors) == 0 or len(centroids) == 0:
        return np.full(len(vectors), -1, dtype=np.int64), np.zeros(len(vectors))
    sims = normalize(vectors) @ centroids.T
    best = sims.argmax(axis=1)
    best_sim = sims[np.arange(len(vectors)), best]
    return np.where(best_sim >= threshold, best, -1).astype(np.int64), best_sim
