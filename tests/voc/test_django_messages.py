import pytest
from django import forms
from django.utils import translation


class Typed(forms.Form):
    threshold = forms.IntegerField(min_value=1)
    title = forms.CharField(max_length=3)
    day = forms.DateField()


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "es",
            [
                "Tiene que ser mayor o igual que 1.",
                "Escribe como máximo 3 caracteres (tiene 4).",
                "Escribe una fecha válida.",
            ],
        ),
        (
            "gl",
            [
                "Ten que ser maior ou igual que 1.",
                "Escribe como máximo 3 caracteres (ten 4).",
                "Escribe unha data válida.",
            ],
        ),
    ],
)
def test_djangos_own_form_errors_use_the_products_informal_voice(language, expected):
    with translation.override(language):
        form = Typed({"threshold": "0", "title": "abcd", "day": "not a day"})
        assert not form.is_valid()
        assert [form.errors[name][0] for name in ("threshold", "title", "day")] == expected
