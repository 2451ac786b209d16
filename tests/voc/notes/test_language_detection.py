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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Short Spanish notes without a function word used to fall back to English.
        ("Cancelar alarma", "es"),
        ("Tarjeta bloqueada", "es"),
        ("Cambiar PIN", "es"),
        ("Cambio de domicilio", "es"),
        # Chat English that shares a word with Spanish.
        ("see ya", "en"),
        ("ok thanks", "en"),
        ("Card blocked", "en"),
        # Short Galician notes, which used to be taken for Spanish or English.
        ("Non funciona", "gl"),
        ("Xa está", "gl"),
        ("Moitas grazas", "gl"),
        ("Tarxeta bloqueada", "gl"),
        ("Quere cancelar o seguro do coche", "gl"),
        ("Non lle funciona a aplicación", "gl"),
    ],
)
def test_short_notes_of_the_issue(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[NAME] called", "en"),
        ("[NAME] called about [CARD], wants a refund", "en"),
        ("[NAME] llamó porque no le llega la tarjeta [CARD]", "es"),
        ("[NAME] chamou porque non lle chega a tarxeta", "gl"),
    ],
)
def test_placeholders_are_not_evidence(text, expected):
    assert detect_language(text, default="es" if expected == "en" else "en") == expected


@pytest.mark.parametrize("text", ["PIN", "ok", "OK", "12345", "[NAME] [PHONE]", "[EMAIL]", "PIN 1234 ok", "  "])
@pytest.mark.parametrize("default", ["en", "es", "gl"])
def test_no_evidence_gives_the_default(text, default):
    assert detect_language(text, default=default) == default


@pytest.mark.parametrize("text", ["Hipoteca", "Recibo", "Reclamación"])
def test_a_spanish_galician_near_tie_goes_to_the_default_or_else_to_spanish(text):
    # Spelled the same in both languages, and nothing Galician-only in them.
    assert detect_language(text, default="gl") == "gl"
    assert detect_language(text, default="es") == "es"
    assert detect_language(text, default="en") == "es"


def test_galician_spelling_wins_a_near_tie_with_spanish():
    assert detect_language("Tarxeta", default="en") == "gl"
    assert detect_language("Tarjeta", default="en") == "es"


def test_clear_notes_ignore_the_default():
    assert detect_language("Non lle chega a tarxeta nova", default="es") == "gl"
    assert detect_language("No le llega la tarjeta nueva", default="gl") == "es"
    assert detect_language("The new card has not arrived", default="gl") == "en"
