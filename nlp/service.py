"""The theme engine the domain calls (``surveys.ports.ThemeEngine``), built on nlp's public API.

It turns the domain's plain data (texts, vectors as float32 bytes, groups of indices) into
calls to :func:`nlp.pipeline.find_themes`, :mod:`nlp.evolution` and :mod:`nlp.quotes`, and
runs the CPU work in a worker thread so the bot's event loop keeps answering citizens.

Vectors are always computed from the scrubbed text. With an encoder backend (e5,
sentence-transformers) they are per text and the domain caches them in the database; the
``tfidf`` backend is fitted to a corpus, so its vectors are recomputed for each call (cheap:
seconds for 10,000 texts) and nothing is cached.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.preprocessing import normalize

from nlp.backends import Encoder, resolve_backend
from nlp.evolution import CuratedTheme, Curation, assign_new, match_themes, model_from_groups
from nlp.evolution import replay_curations as _replay
from nlp.language import detect_languages
from nlp.pii import scrub
from nlp.pipeline import ThemeOptions, find_themes
from nlp.preprocess import lemma_terms, preprocessor
from nlp.quotes import pick_quotes
from nlp.tfidf import lsa_vectors
from surveys.themes import (
    Clustered,
    CuratedGroup,
    CurationStep,
    ProgressCallback,
    Quote,
    ThemeDraft,
)

BATCH = 64


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(items: Sequence[bytes]) -> np.ndarray:
    if not items:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([np.frombuffer(b, dtype="<f4") for b in items]).astype(np.float32)


class _Precomputed:
    """An encoder that answers from vectors the caller already has (the database cache).

    ``find_themes`` asks its encoder for the vectors of scrubbed texts; this one looks them
    up and only falls back to the real encoder for a text it was not given.
    """

    def __init__(self, real: Encoder, known: dict[str, np.ndarray]) -> None:
        self.name = real.name
        self.model = real.model
        self.multilingual = real.multilingual
        self._real = real
        self._known = known

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self._known]
        if missing:
            for text, vector in zip(missing, self._real.encode(missing), strict=True):
                self._known[text] = vector
        return np.stack([self._known[t] for t in texts])


class NlpThemeEngine:
    """``ThemeEngine`` for one backend (``None``: the offline default, else tfidf)."""

    def __init__(
        self,
        backend: str | None = None,
        model: str | None = None,
        *,
        encoder: Encoder | None = None,
        lang: str = "auto",
        k: int | None = None,
    ) -> None:
        if encoder is None and backend != "tfidf":
            encoder, backend = resolve_backend(backend, model)
        self.encoder = encoder
        self.backend: str = encoder.name if encoder is not None else "tfidf"
        self.model: str | None = encoder.model if encoder is not None else None
        self.cacheable: bool = encoder is not None
        self.lang = lang
        self.k = k

    # --- vectors -------------------------------------------------------------------------

    async def vectorise(
        self, texts: Sequence[str], progress: ProgressCallback | None = None
    ) -> list[bytes]:
        return await asyncio.to_thread(self._vectorise, list(texts), progress)

    def _vectorise(self, texts: list[str], progress: ProgressCallback | None) -> list[bytes]:
        if self.encoder is None:
            raise RuntimeError("the tfidf backend has no per-text vectors")
        out: list[bytes] = []
        for start in range(0, len(texts), BATCH):
            chunk = [scrub(t or "") for t in texts[start : start + BATCH]]
            out.extend(to_bytes(v) for v in self.encoder.encode(chunk))
            if progress is not None:
                progress("vectorising", len(out), len(texts))
        return out

    def _matrix(self, texts: Sequence[str], vectors: Sequence[bytes] | None) -> np.ndarray:
        """Unit vectors per text: the cached ones, or tfidf + LSA fitted to these texts."""
        if vectors is not None and self.cacheable:
            return np.asarray(normalize(from_bytes(vectors)), dtype=np.float32)
        scrubbed = [scrub(t or "") for t in texts]
        languages = (
            [self.lang] * len(texts) if self.lang in ("it", "en") else detect_languages(scrubbed)
        )
        terms: list[list[str]] = [[] for _ in texts]
        for language in set(languages):
            rows = [i for i, lang in enumerate(languages) if lang == language]
            runs = preprocessor(language).runs(scrubbed[i] for i in rows)
            for i, run in zip(rows, runs, strict=True):
                terms[i] = lemma_terms(run)
        return lsa_vectors(terms)

    # --- clustering ----------------------------------------------------------------------

    async def cluster(
        self,
        texts: Sequence[str],
        vectors: Sequence[bytes] | None,
        authors: Sequence[int],
        min_group_size: int,
        progress: ProgressCallback | None = None,
    ) -> Clustered:
        return await asyncio.to_thread(
            self._cluster, list(texts), vectors, list(authors), min_group_size, progress
        )

    def _cluster(
        self,
        texts: list[str],
        vectors: Sequence[bytes] | None,
        authors: list[int],
        min_group_size: int,
        progress: ProgressCallback | None,
    ) -> Clustered:
        encoder: Encoder | None = self.encoder
        if encoder is not None and vectors is not None:
            known = {scrub(t or ""): v for t, v in zip(texts, from_bytes(vectors), strict=True)}
            encoder = _Precomputed(encoder, known)
        options = ThemeOptions(
            lang=self.lang, k=self.k, backend=self.backend, min_group_size=min_group_size
        )
        result = find_themes(
            texts,
            options,
            encoder=encoder,
            authors=authors,
            progress=progress,
        )
        drafts = [
            ThemeDraft(
                t.label,
                list(t.keywords),
                list(t.members),
                [Quote(int(q["row"]), str(q["text"])) for q in t.quotes],
            )
            for t in result.themes
        ]
        return Clustered(
            themes=drafts,
            unassigned=list(result.unassigned),
            backend=self.backend,
            model=self.model,
            params={
                "per_language": result.per_language,
                "languages": dict(result.languages),
                "methods": dict(result.methods),
                "warnings": list(result.warnings),
                "min_group_size": min_group_size,
                "timings": {k: round(v, 3) for k, v in result.timings.items()},
            },
        )

    async def assign(
        self,
        texts: Sequence[str],
        vectors: Sequence[bytes] | None,
        groups: Sequence[Sequence[int]],
        new: Sequence[int],
    ) -> list[int | None]:
        return await asyncio.to_thread(self._assign, list(texts), vectors, groups, list(new))

    def _assign(
        self,
        texts: list[str],
        vectors: Sequence[bytes] | None,
        groups: Sequence[Sequence[int]],
        new: list[int],
    ) -> list[int | None]:
        if not new:
            return []
        matrix = self._matrix(texts, vectors)
        model = model_from_groups(matrix, groups)
        return assign_new(model, matrix[new]) if model.theme_ids else [None] * len(new)

    async def quotes(
        self,
        texts: Sequence[str],
        vectors: Sequence[bytes] | None,
        groups: Sequence[Sequence[int]],
        count: int = 3,
    ) -> list[list[Quote]]:
        return await asyncio.to_thread(self._quotes, list(texts), vectors, groups, count)

    def _quotes(
        self,
        texts: list[str],
        vectors: Sequence[bytes] | None,
        groups: Sequence[Sequence[int]],
        count: int,
    ) -> list[list[Quote]]:
        if not texts:
            return [[] for _ in groups]
        scrubbed = [scrub(t or "") for t in texts]
        matrix = self._matrix(texts, vectors)
        centred = normalize(matrix - matrix.mean(axis=0))
        out: list[list[Quote]] = []
        for rows in groups:
            members = [r for r in rows if scrubbed[r].strip()]
            if not members:
                out.append([])
                continue
            centroid = normalize(centred[members].mean(axis=0, keepdims=True))[0]
            picked = pick_quotes(members, scrubbed, centred, centroid, count)
            out.append([Quote(int(q["row"]), str(q["text"])) for q in picked])
        return out

    # --- identity and curation -----------------------------------------------------------

    def carry_over(
        self,
        previous: dict[int, CuratedGroup],
        current: Sequence[CuratedGroup],
        curations: Sequence[CurationStep],
        fresh_ids: Callable[[], int],
    ) -> dict[int, CuratedGroup]:
        mapping = match_themes(
            {i: g.members for i, g in previous.items()}, [g.members for g in current]
        )
        # A merge joined clusters the algorithm keeps apart: an unmatched cluster lying mostly
        # inside a merged theme joins it again, or the merge would not survive the re-run.
        merged = {int(c.detail["into"]) for c in curations if c.action == "merge"}
        absorbed: dict[int, int] = {}
        for index, group in enumerate(current):
            if index in mapping or not group.members:
                continue
            for theme_id in merged & set(previous):
                inside = len(group.members & previous[theme_id].members)
                if inside / len(group.members) >= 0.5:
                    absorbed[index] = theme_id
                    break
        themes: dict[int, CuratedTheme] = {}
        for index, group in enumerate(current):
            if index in absorbed:
                continue
            theme_id = mapping[index] if index in mapping else fresh_ids()
            themes[theme_id] = CuratedTheme(
                group.label, set(group.members), group.hidden, list(group.keywords)
            )
        for index, theme_id in absorbed.items():
            target = themes.get(theme_id)
            if target is None:  # the merged theme itself did not continue: it restarts here
                target = themes[theme_id] = CuratedTheme(previous[theme_id].label)
            target.members |= current[index].members
        replayed, _skipped = _replay(
            themes, [Curation(step.action, step.detail) for step in curations]
        )
        return {
            theme_id: CuratedGroup(
                theme.label,
                {(str(m[0]), int(m[1])) for m in theme.members},  # type: ignore[index]
                theme.hidden,
                list(theme.keywords),
            )
            for theme_id, theme in replayed.items()
        }
