"""texts → themes: scrub, detect language, preprocess, vectorise, cluster, label, quote.

:func:`find_themes` is the one call the CLI and the bot make. It returns a
:class:`ThemesResult` whose :meth:`~ThemesResult.to_json` is the ``ascolto themes`` JSON
(DESIGN.md §7): every row exactly once, in one theme's ``members`` or in ``unassigned``.
It also carries what a later run needs (centroids, the centring mean, per-theme
thresholds) to assign new answers without re-clustering (see :mod:`nlp.evolution`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nlp.backends import Encoder, resolve_backend
from nlp.cluster import MAX_THEMES, Partitioner, centre, cluster_vectors
from nlp.evolution import ThemeModel
from nlp.labels import label_from_keywords, theme_keywords
from nlp.language import detect_languages
from nlp.pii import scrub
from nlp.preprocess import lemma_terms, preprocessor
from nlp.quotes import pick_quotes
from nlp.tfidf import lsa_vectors, nmf_partition
from nlp.vector_cache import VectorCache, encode_cached

Progress = Callable[[str, int, int], None]


@dataclass
class ThemeOptions:
    lang: str = "auto"  # "it", "en" or "auto" (per text)
    k: int | None = None  # None → chosen automatically (per language group)
    backend: str | None = None  # None → the offline default, falling back to tfidf
    model: str | None = None
    min_group_size: int = 5
    max_themes: int = MAX_THEMES
    quotes_per_theme: int = 3


@dataclass
class Theme:
    id: int
    label: str
    keywords: list[str]
    members: list[int]
    quotes: list[dict[str, Any]]
    language: str | None  # set when clustering ran per language
    centroid: np.ndarray
    threshold: float  # lowest member cosine: new texts below it go to "other"

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class ThemesResult:
    backend: str
    model: str | None
    per_language: bool
    languages: dict[str, int]
    themes: list[Theme]
    unassigned: list[int]
    scrubbed: list[str]
    row_languages: list[str]
    centring_means: dict[str, np.ndarray] = field(default_factory=dict)
    cluster_labels: list[int] = field(default_factory=list)  # raw cluster per row, −1 other
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    methods: dict[str, str] = field(default_factory=dict)  # clustering group → algorithm

    @property
    def k(self) -> int:
        return len(self.themes)

    def to_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "model": self.model,
            "k": self.k,
            "per_language": self.per_language,
            "languages": dict(sorted(self.languages.items())),
            "themes": [
                {
                    "id": t.id,
                    "label": t.label,
                    "keywords": list(t.keywords),
                    "size": t.size,
                    "members": list(t.members),
                    "quotes": [dict(q) for q in t.quotes],
                }
                for t in self.themes
            ],
            "unassigned": list(self.unassigned),
        }


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _vectorise(
    rows: list[int],
    scrubbed: Sequence[str],
    term_lists: Sequence[list[str]],
    encoder: Encoder | None,
    cache: VectorCache | None,
    progress: Progress,
) -> np.ndarray:
    if encoder is None:
        return lsa_vectors([term_lists[r] for r in rows])
    matrix, _ = encode_cached(
        [scrubbed[r] for r in rows],
        encoder.encode,
        cache,
        namespace=f"{encoder.name}:{encoder.model}",
        progress=lambda d, t: progress("vectorising", d, t),
    )
    return matrix


def _nmf_partitioner(terms: list[list[str]]) -> Partitioner:
    def partition(k: int) -> np.ndarray:
        return nmf_partition(terms, k)

    return partition


def find_themes(
    texts: Sequence[str],
    options: ThemeOptions | None = None,
    *,
    cache: VectorCache | None = None,
    encoder: Encoder | None = None,
    authors: Sequence[Hashable] | None = None,
    progress: Progress | None = None,
) -> ThemesResult:
    """Cluster ``texts`` into themes. Row numbers in the result index ``texts``.

    ``authors`` (one id per text) lets the minimum group size count contributors rather
    than texts; ``encoder`` overrides the backend chosen by ``options`` (tests, benchmarks).
    """
    opts = options or ThemeOptions()
    report = progress or _noop
    timings: dict[str, float] = {}
    warnings: list[str] = []
    start = time.perf_counter()

    if encoder is not None:
        backend_name = encoder.name
    else:
        encoder, backend_name = resolve_backend(opts.backend, opts.model)
        if opts.backend is None and backend_name != "e5":
            warnings.append("the e5 encoder is not installed: using the tfidf backend")
    multilingual = encoder is not None and encoder.multilingual

    scrubbed = [scrub(t or "") for t in texts]
    if opts.lang in ("it", "en"):
        row_languages = [opts.lang] * len(texts)
    else:
        row_languages = detect_languages(scrubbed)
    valid = [i for i, t in enumerate(scrubbed) if t.strip()]
    language_counts = Counter(row_languages[i] for i in valid)
    timings["scrub"] = time.perf_counter() - start

    # Lemma runs per row, by that row's language (labels always need them).
    t0 = time.perf_counter()
    runs: list[list[Any]] = [[] for _ in texts]
    for language in language_counts:
        same = [i for i in valid if row_languages[i] == language]
        for i, r in zip(same, preprocessor(language).runs(scrubbed[i] for i in same), strict=True):
            runs[i] = r
    term_lists = [lemma_terms(r) for r in runs]
    timings["preprocess"] = time.perf_counter() - t0

    per_language = not multilingual and len(language_counts) > 1
    groups: dict[str | None, list[int]]
    if per_language:
        groups = {g: [i for i in valid if row_languages[i] == g] for g in language_counts}
    else:
        groups = {None: valid}

    cluster_of = np.full(len(texts), -1, dtype=np.int64)
    candidates: list[tuple[str | None, int, list[int], np.ndarray, np.ndarray, float]] = []
    means: dict[str, np.ndarray] = {}
    methods: dict[str, str] = {}
    timings["vectorise"] = 0.0
    timings["cluster"] = 0.0
    next_cluster = 0
    for lang, rows in groups.items():
        if not rows:
            continue
        t0 = time.perf_counter()
        raw = _vectorise(rows, scrubbed, term_lists, encoder, cache, report)
        timings["vectorise"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        vectors, mean = centre(raw) if len(rows) > 1 else (raw, np.zeros(raw.shape[1]))
        means[lang or "*"] = mean
        report("clustering", 0, 1)
        k = None if opts.k is None else max(1, min(opts.k, len(rows)))
        partition = _nmf_partitioner([term_lists[r] for r in rows]) if encoder is None else None
        result = cluster_vectors(
            vectors, k, opts.min_group_size, opts.max_themes, partition=partition
        )
        methods[lang or "*"] = result.method
        timings["cluster"] += time.perf_counter() - t0
        report("clustering", 1, 1)
        for c in range(len(result.centroids)):
            local = [j for j in range(len(rows)) if result.labels[j] == c]
            if not local:
                continue
            threshold = float(result.similarity[local].min())
            candidates.append((lang, next_cluster, local, vectors, result.centroids[c], threshold))
            for j in local:
                cluster_of[rows[j]] = next_cluster
            next_cluster += 1

    # Labels over every cluster at once, so c-TF-IDF weighs themes against each other.
    t0 = time.perf_counter()
    keywords = theme_keywords(runs, cluster_of.tolist())
    themes: list[Theme] = []
    contributors = authors if authors is not None else list(range(len(texts)))
    for lang, cluster, local, vectors, centroid, threshold in candidates:
        rows = groups[lang]
        members = [rows[j] for j in local]
        if len({contributors[m] for m in members}) < opts.min_group_size:
            continue  # too few people to publish: their texts go to "other"
        quotes = pick_quotes(
            local, [scrubbed[r] for r in rows], vectors, centroid, opts.quotes_per_theme
        )
        for q in quotes:
            q["row"] = rows[int(q["row"])]
        words = keywords.get(cluster, [])
        themes.append(
            Theme(
                id=cluster,
                label=label_from_keywords(words, fallback=_fallback_label(quotes)),
                keywords=words,
                members=sorted(members),
                quotes=quotes,
                language=lang,
                centroid=centroid,
                threshold=threshold,
            )
        )
    themes.sort(key=lambda t: (-t.size, t.members[0]))
    for position, theme in enumerate(themes):
        theme.id = position
    assigned = {m for t in themes for m in t.members}
    unassigned = [i for i in range(len(texts)) if i not in assigned]
    timings["label"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    if not valid:
        warnings.append("no text to cluster: every row is empty")
    elif len({scrubbed[i].strip().lower() for i in valid}) == 1:
        warnings.append("every text is the same: one theme at most")

    return ThemesResult(
        backend=backend_name,
        model=encoder.model if encoder is not None else None,
        per_language=per_language,
        languages=dict(language_counts),
        themes=themes,
        unassigned=unassigned,
        scrubbed=scrubbed,
        row_languages=row_languages,
        centring_means=means,
        cluster_labels=cluster_of.tolist(),
        timings=timings,
        warnings=warnings,
        methods=methods,
    )


def _fallback_label(quotes: Sequence[dict[str, Any]]) -> str:
    """When no keyword recurs, the start of the most central quote names the theme."""
    if not quotes:
        return "—"
    words = str(quotes[0]["text"]).split()
    return " ".join(words[:6])


def theme_models(result: ThemesResult) -> dict[str, ThemeModel]:
    """Per clustering group ("*" or a language), what :func:`nlp.evolution.assign_new` needs.

    Only for encoder backends: the tfidf backend's vector space is fitted to one corpus,
    so its new texts wait for the next full re-clustering.
    """
    if result.backend == "tfidf":
        return {}
    models: dict[str, ThemeModel] = {}
    for group, mean in result.centring_means.items():
        members = [t for t in result.themes if (t.language or "*") == group]
        models[group] = ThemeModel(
            theme_ids=[t.id for t in members],
            centroids=np.stack([t.centroid for t in members])
            if members
            else np.zeros((0, len(mean)), dtype=np.float32),
            thresholds=[t.threshold for t in members],
            mean=mean,
        )
    return models
