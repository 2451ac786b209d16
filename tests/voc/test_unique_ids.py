"""Screen readers tie labels to fields by id: no page repeats one, even with several forms."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from insights.following import services as following
from insights.services import accept_theme
from tests.factories import InsightFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def _repeated(html: str) -> list[str]:
    return [name for name, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("lead", "theme"),
        ("hq", "theme"),
        ("agent", "capture"),
        ("hq", "following"),
        ("lead", "dashboard"),
        ("lead", "home"),
        ("agent", "my_notes"),
        ("lead", "site_notes"),
    ],
)
def test_no_page_repeats_an_id(client_for, cast, agent, role, url):
    theme = ThemeFactory(name="Card not arrived")
    accept_theme(theme=theme, by=cast["lead"])
    InsightFactory(agent=agent)
    following.follow(user=cast["hq"], theme=theme)
    path = reverse("theme_detail", args=[theme.pk]) if url == "theme" else reverse(url)
    html = client_for(role).get(path).content.decode()
    assert _repeated(html) == []
