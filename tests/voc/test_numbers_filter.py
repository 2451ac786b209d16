import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("language, expected", [("en", "13%"), ("es", "13\u00a0%"), ("gl", "13\u00a0%")])
def test_a_share_is_a_percentage_written_the_way_each_language_writes_it(language, expected):
    with translation.override(language):
        assert Template("{% load numbers %}{{ share|percent }}").render(Context({"share": 0.126})) == expected
    assert Template("{% load numbers %}{{ share|percent }}").render(Context({"share": None})) == "—"


@pytest.mark.parametrize(
    "language, value, sign, expected",
    [
        ("en", 8.25, "", "8.2%"),
        ("es", 8.25, "", "8,2\u00a0%"),
        ("en", 6, "+", "+6%"),
        ("es", -4, "+", "-4\u00a0%"),
        ("en", 0, "+", "0%"),
    ],
)
def test_a_number_in_percent_keeps_one_decimal_and_its_sign(language, value, sign, expected):
    with translation.override(language):
        rendered = Template("{% load numbers %}{{ value|percentage:sign }}").render(
            Context({"value": value, "sign": sign})
        )
    assert rendered == expected
