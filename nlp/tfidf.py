"""The ``tfidf`` backend: lemmas and two-word phrases, TF-IDF, then LSA to dense vectors.

Dense LSA vectors serve quotes, centroids and the choice of k; the themes themselves are
NMF topics of the TF-IDF matrix (each text to its strongest topic), which on short texts
beats k-means on the same vectors (measured in bench/: SearchSnippets 42 → 54 ACC,
StackOverflow 65 → 75).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.decomposition import NMF, TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

LSA_DIMENSIONS = 100


def _identity(terms: list[str]) -> list[str]:
    return terms


def tfidf_matrix(term_lists: Sequence[list[str]], min_df: int = 2):  # type: ignore[no-untyped-def]
    """Sparse TF-IDF of pre-tokenised texts (falls back to min_df=1 on tiny corpora)."""
    n = len(term_lists)
    vectoriser = TfidfVectorizer(
        analyzer=_identity, min_df=min_df if n >= 20 else 1, sublinear_tf=True
    )
    try:
        return vectoriser.fit_transform(term_lists), vectoriser
    except ValueError:  # every term below min_df, or no terms at all
        vectoriser = TfidfVectorizer(analyzer=_identity, min_df=1, sublinear_tf=True)
        try:
            return vectoriser.fit_transform(term_lists), vectoriser
        except ValueError:
            return None, None


def lsa_vectors(term_lists: Sequence[list[str]], seed: int = 0) -> np.ndarray:
    """Unit dense vectors (≤ 100 dimensions) for pre-tokenised texts; zero rows if termless."""
    n = len(term_lists)
    matrix, _ = tfidf_matrix(term_lists)
    if matrix is None or matrix.shape[1] == 0:
        return np.zeros((n, 1), dtype=np.float32)
    dims = min(LSA_DIMENSIONS, matrix.shape[1] - 1, n - 1)
    if dims < 2:
        return np.asarray(normalize(matrix.toarray()), dtype=np.float32)
    dense = TruncatedSVD(n_components=dims, random_state=seed).fit_transform(matrix)
    return np.asarray(normalize(dense), dtype=np.float32)


def nmf_partition(term_lists: Sequence[list[str]], k: int, seed: int = 0) -> np.ndarray:
    """Strongest of ``k`` NMF topics per text (texts without terms join topic 0).

    Single lemmas only, the recipe of the benchmark's baseline; with two-word phrases added
    the figures moved by under two points either way (bench/, 2026-11-27).
    """
    matrix, _ = tfidf_matrix([[t for t in terms if " " not in t] for terms in term_lists])
    n = len(term_lists)
    if matrix is None or matrix.shape[1] < k or k < 2:
        return np.zeros(n, dtype=np.int64)
    model = NMF(n_components=k, init="nndsvd", random_state=seed, max_iter=400)
    with warnings.catch_warnings():  # a topic split that has not fully converged is still usable
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    return np.asarray(weights.argmax(axis=1), dtype=np.int64)
