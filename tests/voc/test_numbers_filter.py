import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("language, expected", [("en", "13%"), ("es", "13\u00a0%"), ("gl", "13\u00a0%")])
def test_a_share_is_a_percentage_written_the_way_each_language_writes_it(language, expected):
    with translation.override(language):
        assert Template("{% load numbers %}{{ share|percent }}").render(Context({"share": 0.126})) == expected
    assert Template("{% load numbers %}{{ share|percent }}").render(Context({"share": None})) == "—"
