"""The text analysis: the pinned encoder, lemmas per language, awkward input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from insights import nlp

HERE = Path(__file__).parent
REFERENCE = json.loads((HERE / "reference_vectors.json").read_text())
REFERENCES = {
    "minilm": REFERENCE,
    "use-multilingual": json.loads((HERE / "reference_vectors_use.json").read_text()),
    "pair": json.loads((HERE / "reference_vectors_pair.json").read_text()),  # Spanish: the mapped path
}


@pytest.mark.parametrize("name", list(nlp.ENCODERS))
def test_every_encoder_gives_the_stored_vectors_for_fixed_sentences(name):
    # A silently swapped or corrupted model changes these vectors and fails here.
    reference = REFERENCES[name]
    vectors = nlp.encoder(name).encode(reference["sentences"], language=reference.get("language", "en"))
    stored = np.array(reference["vectors"], dtype=np.float32)
    assert reference["encoder"] == nlp.ENCODERS[name].name
    assert vectors.shape == (3, nlp.ENCODERS[name].dimensions)
    assert np.allclose(vectors, stored, atol=1e-4)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_the_multilingual_encoder_puts_english_and_spanish_in_one_space():
    english, spanish, other = nlp.encoder("use-multilingual").encode(REFERENCES["use-multilingual"]["sentences"])
    assert english @ spanish > 0.7 and english @ spanish > english @ other + 0.5


def test_the_pair_encoder_gives_english_notes_minilms_vector_and_others_a_place_beside_them():
    pair = nlp.encoder("pair")
    assert np.array_equal(pair.encode(REFERENCE["sentences"]), nlp.encoder("minilm").encode(REFERENCE["sentences"]))
    (english, other) = pair.encode(["My card has not arrived yet", "I want to cancel my car insurance"])
    (spanish,) = pair.encode(["La tarjeta no ha llegado todavía"], language="es")
    (galician,) = pair.encode(["A tarxeta non chegou"], language="gl")
    assert spanish @ english > 0.7 and galician @ english > 0.6
    for translation in (spanish, galician):
        assert translation @ english > translation @ other + 0.3
    # MiniLM alone, an English model, keeps the Spanish sentence far from its English original
    (minilm_spanish,) = nlp.encoder("minilm").encode(["La tarjeta no ha llegado todavía"])
    assert spanish @ english > minilm_spanish @ english + 0.2


def test_galician_reaches_the_multilingual_encoder_in_spanish_spelling_and_the_note_is_unchanged():
    assert nlp.galician_bridge("A tarxeta non chegou aínda") == "La tarjeta no llegó todavía"
    assert nlp.galician_bridge("Xa pagou co móbil, grazas") == "Ya pagó con móvil, gracias"
    assert nlp.galician_bridge("[NAME] Tarxeta 1234") == "[NAME] Tarjeta 1234"  # placeholders and digits kept
    (analysis,) = nlp.analyse(["A tarxeta non chegou"], languages=["gl"])
    assert analysis.lemmas == ["tarxeta", "chegou"]  # lemmas come from the note as written


@pytest.mark.parametrize("name", list(nlp.ENCODERS))
def test_weights_that_are_not_the_pinned_ones_are_refused(monkeypatch, name):
    spec = nlp.ENCODERS[name]
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


def test_token_batches_cover_every_text_once_within_the_budget():
    lengths = [5, 40, 3, 12, 3, 600, 12, 7]
    batches = nlp.token_batches(lengths, 64)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    assert [5] in batches  # longer than the budget: alone
    for batch in batches:
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 64
    flat = [lengths[i] for batch in batches for i in batch]
    assert flat == sorted(flat)  # shortest first, so each batch holds similar lengths


def test_notes_of_mixed_lengths_come_back_in_order_with_their_own_vectors():
    texts = [
        "Card?",
        "I was charged twice for the same coffee this morning and the app still shows both payments as pending.",
        "Where is my refund",
        "ok",
    ]
    together = nlp.encoder("minilm").encode(texts)
    alone = np.vstack([nlp.encoder("minilm").encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_the_encoder_runs_on_one_torch_thread():
    import torch

    nlp.encoder("minilm")
    assert torch.get_num_threads() == nlp.TORCH_THREADS == 1


def test_a_text_stored_without_a_language_is_analysed_in_the_detected_one():
    (blank, unknown) = nlp.analyse(["La tarjeta no ha llegado", "My card has not arrived"], languages=["", "fr"])
    assert blank.language == "es" and blank.lemmas == ["tarjeta", "llegar"]
    assert unknown.language == "en"
