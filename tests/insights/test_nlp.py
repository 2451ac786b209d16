"""The text analysis: the pinned encoder, lemmas per language, awkward input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from insights import nlp

REFERENCE = json.loads((Path(__file__).parent / "reference_vectors.json").read_text())


def test_the_encoder_gives_the_stored_vectors_for_fixed_sentences():
    # A silently swapped or corrupted model changes these vectors and fails here.
    vectors = nlp.encoder("minilm").encode(REFERENCE["sentences"])
    stored = np.array(REFERENCE["vectors"], dtype=np.float32)
    assert vectors.shape == (3, 384)
    assert np.allclose(vectors, stored, atol=1e-4)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_weights_that_are_not_the_pinned_ones_are_refused(monkeypatch):
    spec = nlp.ENCODERS["minilm"]
    monkeypatch.setitem(nlp.ENCODERS, "tampered", nlp.EncoderSpec(**{**spec.__dict__, "sha256": "0" * 64}))
    with pytest.raises(nlp.EncoderError, match="not the pinned"):
        nlp.encoder("tampered")


def test_an_unknown_encoder_is_a_clear_error():
    with pytest.raises(nlp.EncoderError, match="Unknown encoder"):
        nlp.encoder("word2vec")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("My cards have not arrived and I am waiting", "en", ["card", "arrive", "wait"]),
        ("Las tarjetas no han llegado y estoy esperando", "es", ["tarjeta", "llegar", "esperar"]),
        ("As tarxetas non chegaron e xa estou esperando", "gl", ["tarxetas", "chegaron", "esperar"]),
        ("Card [CARD] was charged twice, ring [PHONE]", "en", ["card", "charge", "twice", "ring"]),
    ],
)
def test_content_lemmas_drop_stop_words_and_placeholders(text, language, expected):
    (analysis,) = nlp.analyse([text], languages=[language])
    assert analysis.lemmas == expected
    assert analysis.language == language


def test_the_pipeline_sets_the_doc_vector_from_the_sentence_encoder():
    doc = nlp.pipeline("en", "minilm")("My card has not arrived yet.")
    assert np.allclose(doc.vector, np.array(REFERENCE["vectors"][0]), atol=1e-4)
    assert nlp.pipeline("en", "minilm") is nlp.pipeline("en", "minilm")  # loaded once


@pytest.mark.parametrize("text", ["", "ok", "🙂🙂🙂", "x" * 2000, "My tarjeta no ha arrived, ¿vale? Thanks grazas"])
def test_awkward_notes_still_get_a_vector(text):
    (analysis,) = nlp.analyse([text])
    assert analysis.vector.shape == (384,)
    assert np.isfinite(analysis.vector).all()
