"""Vectors are computed once per text: a cache keyed by (backend, model, text hash).

The bot keeps vectors in the database (``vector_cache`` rows, through the domain's
``VectorStore`` port and :mod:`nlp.service`); here are the protocol the pipeline depends on
and two implementations that need no database: in memory (tests, one-off CLI runs) and a
folder of ``.npy`` shards (the CLI's ``--cache`` and the benchmarks).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np


def text_hash(text: str) -> str:
    """The identity of a text in the cache: SHA-256 of its UTF-8 bytes, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorCache(Protocol):
    """Where computed vectors are kept between runs."""

    def get_many(self, namespace: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``hashes`` (missing ones are simply absent)."""
        ...

    def put_many(self, namespace: str, vectors: dict[str, np.ndarray]) -> None:
        """Remember ``vectors`` (hash → 1-D float32 array)."""
        ...


class InMemoryVectorCache:
    """A dictionary per namespace; lives as long as the object."""

    def __init__(self) -> None:
        self._store: dict[str, dict[str, np.ndarray]] = {}

    def get_many(self, namespace: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        store = self._store.get(namespace, {})
        return {h: store[h] for h in hashes if h in store}

    def put_many(self, namespace: str, vectors: dict[str, np.ndarray]) -> None:
        self._store.setdefault(namespace, {}).update(vectors)

    def __len__(self) -> int:
        return sum(len(v) for v in self._store.values())


class FileVectorCache:
    """One folder per namespace holding shards ``<n>.npz`` (hashes + float32 matrix).

    Each ``put_many`` writes a new shard atomically (temp file + rename), so a crash never
    leaves a half-written shard; shards are loaded lazily once per namespace.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._loaded: dict[str, dict[str, np.ndarray]] = {}

    def _folder(self, namespace: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in namespace)
        return self.root / safe

    def _load(self, namespace: str) -> dict[str, np.ndarray]:
        if namespace not in self._loaded:
            store: dict[str, np.ndarray] = {}
            folder = self._folder(namespace)
            if folder.is_dir():
                for shard in sorted(folder.glob("*.npz")):
                    try:
                        with np.load(shard, allow_pickle=False) as data:
                            for h, vec in zip(data["hashes"], data["vectors"], strict=True):
                                store[str(h)] = vec
                    except (OSError, ValueError, KeyError):
                        continue  # an unreadable shard only costs recomputation
            self._loaded[namespace] = store
        return self._loaded[namespace]

    def get_many(self, namespace: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        store = self._load(namespace)
        return {h: store[h] for h in hashes if h in store}

    def put_many(self, namespace: str, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        store = self._load(namespace)
        store.update(vectors)
        folder = self._folder(namespace)
        folder.mkdir(parents=True, exist_ok=True)
        hashes = np.array(list(vectors), dtype="U64")
        matrix = np.stack([np.asarray(v, dtype=np.float32) for v in vectors.values()])
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        os.close(fd)
        with open(tmp, "wb") as handle:
            np.savez(handle, hashes=hashes, vectors=matrix)
        shard = folder / f"{len(list(folder.glob('*.npz'))):06d}-{os.getpid()}.npz"
        os.replace(tmp, shard)


def encode_cached(
    texts: Sequence[str],
    encode: Callable[[list[str]], np.ndarray],
    cache: VectorCache | None,
    namespace: str,
    batch_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors for ``texts`` in order, encoding only the distinct texts the cache lacks.

    Returns the matrix and how many texts were actually encoded. Missing vectors are saved
    batch by batch, so an interrupted long job keeps what it computed.
    """
    hashes = [text_hash(t) for t in texts]
    found = cache.get_many(namespace, list(dict.fromkeys(hashes))) if cache else {}
    missing: dict[str, str] = {}
    for h, t in zip(hashes, texts, strict=True):
        if h not in found and h not in missing:
            missing[h] = t
    todo = list(missing.items())
    done = 0
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        vectors = np.asarray(encode([t for _, t in chunk]), dtype=np.float32)
        fresh = {h: vectors[i] for i, (h, _) in enumerate(chunk)}
        found.update(fresh)
        if cache is not None:
            cache.put_many(namespace, fresh)
        done += len(chunk)
        if progress is not None:
            progress(done, len(todo))
    if not texts:
        return np.zeros((0, 0), dtype=np.float32), 0
    return np.stack([found[h] for h in hashes]), len(todo)
