"""Cluster text vectors into themes: centre, UMAP or neighbour smoothing, k-means, "other".

Choices (measured in ``bench/``, see bench/RESULTS.md):
- Centring the vectors (subtract the corpus mean, re-normalise) removes the direction every
  sentence embedding shares and never hurt.
- Exact cosine neighbours, computed once by one blocked matrix product (:func:`neighbourhood`):
  every text's 14 nearest among at most ``UMAP_FIT_SAMPLE`` texts (all of them up to that
  size, else a fixed sample), so the cost is O(n · 10,000). They feed smoothing, UMAP's
  graph, the labels of texts outside the sample and the "other" test. UMAP's own search
  (NN-descent) cost tens of seconds at 10,000 texts, much of it numba compiling anew in
  every process.
- From ``UMAP_MIN`` texts up, a 5-d UMAP embedding (cosine, 15 neighbours, min_dist 0.1, 200
  epochs, fixed seed) of the fitted rows before k-means: on e5 vectors SearchSnippets 61 → 83
  ACC, SIB-200 English 46 → 61. Above ``UMAP_FIT_SAMPLE`` texts the others take the theme
  their nearest sampled texts have (a weighted vote), cheaper than UMAP's ``transform`` and
  as faithful to the clusters' shape. Under ``UMAP_MIN`` texts (or without umap-learn) the
  plain path runs.
- One round of neighbour smoothing (each vector averaged with its 10 nearest neighbours)
  pulls texts towards their local group before average linkage and the k search; skipped
  above 20,000 texts.
- Two candidate partitions with the same k, and the one with the better silhouette (cosine,
  on a fixed sample of the centred vectors) wins: k-means (on the UMAP embedding when there
  is one; best on broad topics: StackOverflow, SearchSnippets, SIB-200) and average linkage
  on cosine (best on many tight groups: Tweet 65 → 92 ACC). Average linkage is exact up to
  5,000 texts, and above that runs on 300 k-means micro-clusters, so no step is quadratic
  in n. Both use fixed seeds: the same texts give the same themes.
- k chosen automatically by the silhouette (cosine) of the smoothed vectors on a sample,
  within bounds staff can read (on the UMAP embedding the curve is as flat and pushed k past
  twice the true count).
- Texts that fit no theme go to "other" instead of stretching a theme: far from their theme's
  centre *and* isolated (their nearest neighbours unusually far for that theme), each by a
  robust z-score within the theme. Not for a backend's own partition (the tfidf backend's NMF
  topics).
- scikit-learn's OpenMP threads are held to one: on 2 shared cores the k search ran 10×
  slower in two threads than in one.
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
from threadpoolctl import threadpool_limits  # installed with scikit-learn, which needs it

SEED = 20_260_527
MAX_THEMES = 30
SILHOUETTE_SAMPLE = 2_000
K_SEARCH_SAMPLE = 1_000  # the k search fits one k-means per candidate k: keep it small
LARGE = 20_000  # above this, k-means runs mini-batch and neighbour smoothing is skipped
NEIGHBOURS = 10
EXACT_LINKAGE = 5_000  # above this, average linkage runs on k-means micro-clusters
MICRO_CLUSTERS = 300
UMAP_MIN = 300  # below this UMAP's graph is too thin to help, and its JIT start-up dominates
UMAP_FIT_SAMPLE = 10_000  # above this UMAP sees a sample; the rest vote by neighbours
UMAP_DIMENSIONS = 5
UMAP_NEIGHBOURS = 15
CONSENSUS_SEEDS = 5  # UMAP layouts combined when the fitted rows are few enough
CONSENSUS_MAX = 3_000  # above this five layouts cost too much; one seed is used
UMAP_EPOCHS = 200  # umap's own default above 10,000 texts; 500 below cost twice as much
# umap's default; 0.0 (packed clusters) scored 0.2–0.9 ACC lower on SIB-200 and SearchSnippets
# and 8.8 lower with automatic k on SearchSnippets (bench/RESULTS.md, 2026-11-27).
UMAP_MIN_DIST = 0.1


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


def nearest_neighbours(
    x: np.ndarray, count: int, among: np.ndarray | None = None, block: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``count`` most similar rows of ``among`` (exact cosine), best first.

    Returns (indices, similarities). Without ``among`` the rows are searched among
    themselves and a row is not its own neighbour. Exact search is one blocked matrix
    product: on 10,000 texts it takes about a second, where UMAP's own approximate search
    (NN-descent) cost tens of seconds, most of it numba compiling in each new process.
    """
    pool = x if among is None else among
    count = max(1, min(count, len(pool) - (1 if among is None else 0)))
    indices = np.zeros((len(x), count), dtype=np.int64)
    similarities = np.zeros((len(x), count), dtype=np.float32)
    for start in range(0, len(x), block):
        sims = x[start : start + block] @ pool.T
        rows = np.arange(sims.shape[0])
        if among is None:
            sims[rows, start + rows] = -np.inf  # a text is not its own neighbour
        # Partition in place of a negated copy: at 100,000 texts every block-sized
        # temporary is tens of megabytes on top of the peak.
        top = np.argpartition(sims, sims.shape[1] - count, axis=1)[:, -count:]
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        indices[start : start + block] = np.take_along_axis(top, order, axis=1)
        similarities[start : start + block] = np.take_along_axis(top_sims, order, axis=1)
    return indices, similarities


def smooth(
    x: np.ndarray, neighbours: np.ndarray | None = None, count: int = NEIGHBOURS
) -> np.ndarray:
    """Each unit vector plus the mean of its nearest neighbours, re-normalised.

    ``neighbours`` (indices, best first) may be passed when already computed.
    """
    if len(x) <= 2 or len(x) > LARGE:
        return x
    if neighbours is None:
        neighbours = nearest_neighbours(x, count)[0]
    neighbours = neighbours[:, :count]
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


def reduce(
    x: np.ndarray, knn: tuple[np.ndarray, np.ndarray] | None = None, seed: int = SEED
) -> np.ndarray | None:
    """A 5-d UMAP embedding of unit vectors (cosine), or None when UMAP does not apply.

    UMAP pulls each text towards its nearest neighbours' manifold, which k-means then
    splits far better than the raw 384-d vectors (bench/RESULTS.md). The neighbours are
    exact and computed here (or passed in as ``knn``: indices and cosine similarities, best
    first, self excluded), so UMAP never runs its own approximate search. The caller keeps
    ``x`` to at most ``UMAP_FIT_SAMPLE`` rows. ``seed`` makes it deterministic (and
    single-threaded).
    """
    if len(x) < UMAP_MIN:
        return None
    umap_class = _umap_class()
    if umap_class is None:
        return None
    indices, sims = knn if knn is not None else nearest_neighbours(x, UMAP_NEIGHBOURS)
    indices, sims = indices[:, : UMAP_NEIGHBOURS - 1], sims[:, : UMAP_NEIGHBOURS - 1]
    # UMAP's neighbour lists start with the point itself, at distance 0.
    own = np.arange(len(x), dtype=np.int64)[:, None]
    knn_indices = np.hstack([own, indices])
    knn_dists = np.hstack([np.zeros((len(x), 1), np.float32), np.clip(1 - sims, 0, 2)])
    model = umap_class(
        n_components=UMAP_DIMENSIONS,
        n_neighbors=UMAP_NEIGHBOURS,
        min_dist=UMAP_MIN_DIST,
        metric="cosine",
        random_state=seed,
        n_epochs=UMAP_EPOCHS,
        precomputed_knn=(knn_indices, knn_dists.astype(np.float32), None),
    )
    with warnings.catch_warnings():  # "n_jobs overridden by random_state", "no search index"
        warnings.simplefilter("ignore")
        embedded = model.fit_transform(x)
    return np.asarray(embedded, dtype=np.float32)


@dataclass(frozen=True)
class Neighbourhood:
    """Every row's nearest neighbours among the rows UMAP is fitted on (exact cosine).

    ``fitted``: those rows (all of them up to ``UMAP_FIT_SAMPLE`` texts, else a fixed
    sample); ``indices`` (positions in ``fitted``, best first, a row never its own
    neighbour) and ``similarities``: one row per text. One search serves smoothing, UMAP's
    graph, the labels of texts outside the sample and the "other" test.
    """

    fitted: np.ndarray
    indices: np.ndarray
    similarities: np.ndarray

    @property
    def is_sample(self) -> bool:
        return len(self.fitted) < len(self.indices)

    @property
    def fitted_knn(self) -> tuple[np.ndarray, np.ndarray]:
        return self.indices[self.fitted], self.similarities[self.fitted]


def neighbourhood(x: np.ndarray, count: int = UMAP_NEIGHBOURS - 1) -> Neighbourhood:
    """Exact neighbours of every row among at most ``UMAP_FIT_SAMPLE`` rows: O(n · 10,000)."""
    n = len(x)
    if n <= UMAP_FIT_SAMPLE:
        indices, sims = nearest_neighbours(x, count)
        return Neighbourhood(np.arange(n), indices, sims)
    fitted = np.sort(np.random.default_rng(SEED).choice(n, UMAP_FIT_SAMPLE, replace=False))
    rest = np.setdiff1d(np.arange(n), fitted)
    fitted_indices, fitted_sims = nearest_neighbours(x[fitted], count)
    rest_indices, rest_sims = nearest_neighbours(x[rest], count, among=x[fitted])
    indices = np.zeros((n, fitted_indices.shape[1]), dtype=np.int64)
    sims = np.zeros((n, fitted_indices.shape[1]), dtype=np.float32)
    indices[fitted], sims[fitted] = fitted_indices, fitted_sims
    indices[rest], sims[rest] = rest_indices, rest_sims
    return Neighbourhood(fitted, indices, sims)


def spread_labels(near: Neighbourhood, labels: np.ndarray, k: int) -> np.ndarray:
    """Labels for every row from the labels of the fitted rows: a kNN vote.

    Above ``UMAP_FIT_SAMPLE`` texts UMAP and k-means see a sample; each other text takes
    the label most of its nearest sampled texts (weighted by cosine) have. Unlike the
    nearest centroid this follows the clusters' shape, and unlike UMAP's ``transform`` it
    needs no search index (NN-descent) and no further optimisation.
    """
    n = len(near.indices)
    out = np.full(n, -1, dtype=np.int64)
    out[near.fitted] = labels
    rest = np.setdiff1d(np.arange(n), near.fitted)
    if len(rest) == 0:
        return out
    indices, sims = near.indices[rest], near.similarities[rest]
    votes = np.zeros((len(rest), k), dtype=np.float32)
    np.add.at(
        votes,
        (np.repeat(np.arange(len(rest)), indices.shape[1]), labels[indices].ravel()),
        np.maximum(sims, 0).ravel() + 1e-6,
    )
    out[rest] = votes.argmax(axis=1)
    return out


def _silhouette(x: np.ndarray, labels: np.ndarray) -> float:
    rng = np.random.default_rng(SEED)
    rows = rng.choice(len(x), SILHOUETTE_SAMPLE, False) if len(x) > SILHOUETTE_SAMPLE else None
    xs, ls = (x, labels) if rows is None else (x[rows], labels[rows])
    if len(set(ls.tolist())) < 2 or len(set(ls.tolist())) >= len(ls):
        return -1.0
    return float(silhouette_score(xs, ls, metric="cosine"))


def _umap_kmeans(
    embedded: np.ndarray, k: int, x: np.ndarray, near: Neighbourhood | None
) -> np.ndarray:
    """k-means on the UMAP layout; on few texts, the consensus of several seeds' layouts.

    One UMAP layout moves with its seed and with last-bit changes of its input (SIB-200
    Italian, five seeds: 61, 57, 56, 55, 55 ACC). Up to ``CONSENSUS_MAX`` texts, k-means
    runs on ``CONSENSUS_SEEDS`` layouts and a final k-means on the rows' concatenated
    one-hot memberships puts together texts the runs agree on: its result sits at the
    runs' mean (56) rather than at one lucky or unlucky draw, so re-runs are steadier.
    """
    first, _ = _kmeans(embedded, k)
    if near is None or len(embedded) > CONSENSUS_MAX:
        return first
    runs = [first]
    fitted = x[near.fitted]
    for offset in range(1, CONSENSUS_SEEDS):
        layout = reduce(fitted, near.fitted_knn, seed=SEED + offset)
        if layout is None:
            return first
        runs.append(_kmeans(layout, k)[0])
    onehot = np.hstack([np.eye(k, dtype=np.float32)[run] for run in runs])
    labels = KMeans(n_clusters=k, random_state=SEED, n_init=10).fit_predict(onehot)
    return np.asarray(labels, dtype=np.int64)


def best_partition(
    x: np.ndarray,
    grouped: np.ndarray,
    k: int,
    embedded: np.ndarray | None = None,
    near: Neighbourhood | None = None,
) -> tuple[np.ndarray, str]:
    """k-means or average linkage, whichever separates ``x`` better (cosine silhouette).

    k-means runs on the UMAP embedding when there is one (``embedded``, of the rows
    ``near.fitted``; the others get their label by :func:`spread_labels`),
    else on ``grouped`` (the smoothed vectors); average linkage always runs on ``grouped``.
    """
    if embedded is None:
        by_kmeans, _ = _kmeans(grouped, k)
        name = "kmeans"
    else:
        by_kmeans = _umap_kmeans(embedded, k, x, near)
        if near is not None and near.is_sample:
            by_kmeans = spread_labels(near, by_kmeans, k)
        name = "umap-kmeans"
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
    # scikit-learn's k-means and silhouette spread small problems over OpenMP threads; on
    # 2 shared cores the threads wait on each other: the k search took 52 s in 2 threads
    # and 5 s in one (10,000 texts, machine busy). BLAS (the neighbour search) keeps its own.
    with threadpool_limits(limits=1, user_api="openmp"):
        return _cluster_vectors(vectors, k, min_group_size, max_themes, detect_outliers, partition)


def _cluster_vectors(
    vectors: np.ndarray,
    k: int | None,
    min_group_size: int,
    max_themes: int,
    detect_outliers: bool,
    partition: Partitioner | None,
) -> Clustering:
    n = len(vectors)
    if n == 0:
        empty = np.zeros(0, np.int64)
        return Clustering(empty, np.zeros((0, 0)), np.zeros(0), 0, k is None, "none")
    x = normalize(np.asarray(vectors, dtype=np.float32))
    distinct = distinct_rows(x)
    auto = k is None
    # Exact neighbours once, shared by smoothing, UMAP, the sample's vote and "other".
    near = neighbourhood(x) if n > 2 else None
    grouped = x
    if near is not None and distinct > 2 and n <= LARGE:
        # Smoothing wants neighbours among all texts: with only the sample's, the k search
        # on SearchSnippets (12,295 texts) moved from 9 themes to 14 (8 true).
        # (Without a sample, ``near.indices`` are row numbers already.)
        among_all = nearest_neighbours(x, NEIGHBOURS)[0] if near.is_sample else near.indices
        grouped = smooth(x, among_all)
    embedded = None
    if near is not None and distinct > UMAP_NEIGHBOURS and partition is None:
        embedded = reduce(x[near.fitted], near.fitted_knn)
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
        labels, method = best_partition(x, grouped, k, embedded, near)
        k = int(labels.max()) + 1
    # Centroids live in the unsmoothed space: new texts arrive unsmoothed.
    centroids = np.zeros((k, x.shape[1]), dtype=np.float32)
    np.add.at(centroids, labels, x)
    centroids = np.asarray(normalize(centroids), dtype=np.float32)
    similarity = np.einsum("ij,ij->i", x, centroids[labels])
    # NMF topics are not spheres around a centroid: the distance test would misjudge them.
    # "Other" is for texts that fit no theme: far from their theme's centre *and* with
    # nearest neighbours unusually far for that theme. The distance test alone flagged 5 %
    # of StackOverflow (UMAP clusters are not spheres in the original space) and cost 3
    # points of accuracy; with both, 0.0 % there and 0.8 % of Tweet (bench/RESULTS.md).
    if detect_outliers and k > 1 and method != "backend":
        far = outliers(similarity, labels)
        if near is not None:
            far &= outliers(near.similarities.mean(axis=1), labels)
        labels = np.where(far, -1, labels)
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
