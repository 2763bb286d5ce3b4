"""Vectors are computed once per distinct text and survive in the file cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlp.vector_cache import FileVectorCache, InMemoryVectorCache, encode_cached, text_hash


class CountingEncoder:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return np.array([[len(t), t.count("a"), 1.0] for t in texts], dtype=np.float32)


def test_only_distinct_missing_texts_are_encoded() -> None:
    cache = InMemoryVectorCache()
    encoder = CountingEncoder()
    matrix, encoded = encode_cached(["aa", "b", "aa"], encoder, cache, "ns", batch_size=1)
    assert encoded == 2 and encoder.seen == ["aa", "b"]
    assert matrix.shape == (3, 3) and np.array_equal(matrix[0], matrix[2])
    _, again = encode_cached(["b", "aa", "ccc"], encoder, cache, "ns")
    assert again == 1 and encoder.seen[-1] == "ccc"
    _, other_ns = encode_cached(["b"], encoder, cache, "other-model")
    assert other_ns == 1  # a different backend/model never reuses vectors


def test_file_cache_survives_a_new_process(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    first, _ = encode_cached(["una casa", "un albero"], encoder, FileVectorCache(tmp_path), "e5:x")
    reopened = FileVectorCache(tmp_path)
    found = reopened.get_many("e5:x", [text_hash("una casa"), text_hash("nuovo")])
    assert list(found) == [text_hash("una casa")]
    np.testing.assert_array_equal(found[text_hash("una casa")], first[0])
    second, encoded = encode_cached(["un albero"], encoder, reopened, "e5:x")
    assert encoded == 0 and np.array_equal(second[0], first[1])


def test_a_corrupt_shard_only_costs_recomputation(tmp_path: Path) -> None:
    cache = FileVectorCache(tmp_path)
    encode_cached(["x"], CountingEncoder(), cache, "ns")
    for shard in (tmp_path / "ns").glob("*.npz"):
        shard.write_bytes(b"garbage")
    encoder = CountingEncoder()
    _, encoded = encode_cached(["x"], encoder, FileVectorCache(tmp_path), "ns")
    assert encoded == 1


def test_empty_input() -> None:
    matrix, encoded = encode_cached([], CountingEncoder(), None, "ns")
    assert matrix.shape[0] == 0 and encoded == 0
