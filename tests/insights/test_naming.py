"""Theme names a reader understands: a typical short note of the theme, in English and Spanish."""

from __future__ import annotations

import numpy as np
import pytest
from django.utils import translation

from insights import naming
from tests.factories import ThemeFactory


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("my card has not arrived yet.", "My card has not arrived yet"),
        ("¿Cuándo llega la tarjeta?", "Cuándo llega la tarjeta"),
        ("[NAME] says the app crashes on login!!", "Says the app crashes on login"),
        ("Call me on [PHONE]", "Call me on"),
        ("  wants   an app that joins all their banks  ", "Wants an app that joins all their banks"),
        ("one two three four five six seven eight nine ten eleven", "One two three four five six seven eight nine…"),
        ("[CARD]", ""),
        (
            "Hizo una transferencia a una cuenta equivocada y quiere que se la devolvamos",
            "Hizo una transferencia a una cuenta equivocada",
        ),
        ("Very happy with the fraud alert: we stopped a payment to a scammer", "Very happy with the fraud alert"),
        (
            "Thanks, and she says the new branch hours suit her much better now",
            "Thanks, and she says the new branch hours suit…",
        ),
    ],
)
def test_a_note_is_cleaned_into_a_name(text, name):
    assert naming.clean_phrase(text) == name


def test_each_theme_is_named_by_its_most_typical_short_note_in_each_readers_language():
    texts = [
        "My card has not arrived",  # the centre of theme 0, in English
        "Card still not here after two weeks and I have been waiting and waiting for it",
        "La tarjeta no ha llegado",  # the Spanish note Spanish readers get
        "A tarxeta non chegou",  # closer to the centre, but Galician comes after Spanish
        "The app crashes when I log in",
        "The app crashes",
    ]
    vectors = np.stack(
        [unit(1, 0.05, 0), unit(1, 0.3, 0), unit(1, 0.2, 0), unit(1, 0.08, 0.01), unit(0, 1, 0.05), unit(0, 1, 0.2)]
    )
    labels = np.array([0, 0, 0, 0, 1, 1])
    languages = ["en", "en", "es", "gl", "en", "en"]
    names = naming.phrase_names(texts, vectors, labels, languages)
    assert names[0] == {"en": "My card has not arrived", "es": "La tarjeta no ha llegado"}
    # equally typical: the shorter; a theme heard only in English gives its phrase to Spanish readers too
    assert names[1] == {"en": "The app crashes", "es": "The app crashes"}


def test_two_themes_never_share_a_name_and_no_brackets_tell_them_apart():
    texts = ["Card not arrived", "Card not arrived", "Card still missing", "Card not arrived", "Card is late"]
    vectors = np.stack([unit(1, 0, 0), unit(1, 0, 0), unit(1, 0.2, 0), unit(0.9, 0, 0.1), unit(0.9, 0, 0.3)])
    labels = np.array([0, 0, 0, 1, 1])
    names = naming.phrase_names(texts, vectors, labels, ["en"] * 5, taken=["Card is LATE"])
    assert names[0]["en"] == "Card not arrived"  # the bigger theme chooses first
    assert names[1]["en"] not in {"Card not arrived", "Card is late"}
    assert names[1]["en"] == "Card not arrived" or "(" not in names[1]["en"]


def test_notes_without_a_theme_get_no_name():
    names = naming.phrase_names(["a b", "c d"], np.stack([unit(1, 0), unit(0, 1)]), np.array([-1, -1]), ["en", "en"])
    assert names == {}


@pytest.mark.django_db
def test_a_theme_shows_its_spanish_name_to_spanish_and_galician_readers():
    theme = ThemeFactory(name="Card not arrived", name_es="La tarjeta no ha llegado")
    unnamed = ThemeFactory(name="Mobile app", name_es="")
    for language, expected in [
        ("en", "Card not arrived"),
        ("es", "La tarjeta no ha llegado"),
        ("gl", "La tarjeta no ha llegado"),
    ]:
        with translation.override(language):
            assert theme.label == str(theme) == expected
            assert unnamed.label == "Mobile app"


def test_discovery_reads_only_the_notes_closest_to_each_centre_in_each_language():
    vectors = np.stack([unit(1, 0.1 * i, 0) for i in range(6)] + [unit(0, 0, 1)])
    labels = np.array([0, 0, 0, 0, 0, 0, -1])
    languages = ["en", "en", "en", "es", "es", "en", "en"]
    rows = naming.shortlist(vectors, labels, languages, per_language=2)
    assert rows == [1, 2, 3, 4]  # the two most central English and Spanish notes; no ungrouped note
    texts = {i: f"note number {i}" for i in rows}
    names = naming.phrase_names(texts, vectors, labels, languages)
    assert names[0]["en"] in {"Note number 1", "Note number 2"} and names[0]["es"] in {"Note number 3", "Note number 4"}


def test_the_second_languages_name_says_what_the_first_says_or_repeats_it():
    texts = [
        "My card has not arrived",
        "Card still not here",
        "The card never came",
        "Le cobraron una comisión",  # the theme's only Spanish note is about something else
    ]
    vectors = np.stack([unit(1, 0.05, 0), unit(1, 0.1, 0), unit(1, 0.15, 0), unit(0.3, 0, 1)])
    names = naming.phrase_names(texts, vectors, np.zeros(4, dtype=np.int64), ["en", "en", "en", "es"])
    assert names[0] == {"en": "Card still not here", "es": "Card still not here"}
    texts[3] = "La tarjeta no ha llegado"
    vectors[3] = unit(1, 0.12, 0.02)
    names = naming.phrase_names(texts, vectors, np.zeros(4, dtype=np.int64), ["en", "en", "en", "es"])
    assert names[0] == {"en": "Card still not here", "es": "La tarjeta no ha llegado"}
