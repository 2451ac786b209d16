import pytest

from voc.notes.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My card still hasn't arrived and it has been two weeks", "en"),
        ("Customer wants an app that shows all of their bank accounts", "en"),
        ("I was charged twice for the same coffee", "en"),
        ("La tarjeta no ha llegado todavía y la pidió hace dos semanas", "es"),
        ("Quiere una app que integre todos sus bancos", "es"),
        ("Llamó para dar las gracias por la atención de ayer", "es"),
        ("¿Por qué me cobran esta comisión?", "es"),
        ("A tarxeta non chegou aínda e xa pasaron dúas semanas", "gl"),
        ("Quere unha app que integre todos os seus bancos", "gl"),
        ("Chamou para dar as grazas polo trato de onte", "gl"),
        ("Está moi contenta coa nova conta", "gl"),
    ],
)
def test_short_notes_are_told_apart(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "12345", "🙂🙂", "[CARD]"])
def test_text_without_evidence_falls_back_to_the_default(text):
    assert detect_language(text, default="es") == "es"
