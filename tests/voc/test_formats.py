"""Dates and numbers as each reader's language writes them: English pages day-first with 24-hour
times (the UK's way, not Django's US default), Spanish and Galician with "de"; and a Galician
reader sees the interface in Galician."""

from datetime import datetime
from types import SimpleNamespace

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from tests.factories import InsightFactory

pytestmark = pytest.mark.django_db

LOGGED = datetime(2026, 12, 4, 14, 45)  # Friday 4 December 2026, a quarter to three in the afternoon


def _page_as(user, language: str, url: str, data: dict[str, str] | None = None) -> str:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    response = client.get(url, data or {})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["en", "es", "gl"])
def test_a_notes_time_reads_day_first_with_a_24_hour_clock_in_every_language(agent, language):
    InsightFactory(agent=agent, occurred_at=timezone.make_aware(LOGGED))
    html = _page_as(agent, language, reverse("my_notes"))
    assert "04/12/2026 14:45" in html
    assert "12/04/2026" not in html and "2:45 p.m." not in html and "04-12-2026" not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "23 November 2026 to 29 November 2026"),
        ("es", "Del 23 de noviembre de 2026 al 29 de noviembre de 2026"),
        ("gl", "Do 23 de novembro de 2026 ao 29 de novembro de 2026"),
    ],
)
def test_the_dashboards_period_is_written_out_in_the_readers_language(hq, language, expected):
    html = _page_as(
        hq, language, reverse("dashboard"), {"period": "custom", "date_from": "2026-11-23", "date_to": "2026-11-29"}
    )
    assert expected in html
    assert "Nov. 23, 2026" not in html


def test_a_galician_reader_sees_the_interface_in_galician(agent):
    html = _page_as(agent, "gl", "/")
    assert 'lang="gl"' in html
    assert "Rexistrar unha nota" in html and "Pechar sesión" in html and "As miñas notas" in html
    assert "Log a note" not in html and "Cerrar sesión" not in html


@pytest.mark.parametrize(
    ("language", "long_date", "month", "decimal"),
    [
        ("en", "4 December 2026", "December 2026", "1234.5"),
        ("es", "4 de diciembre de 2026", "diciembre de 2026", "1234,5"),
        ("gl", "4 de decembro de 2026", "decembro de 2026", "1234,5"),
    ],
)
def test_formats_per_language(language, long_date, month, decimal):
    with translation.override(language):
        assert formats.date_format(LOGGED, "DATE_FORMAT") == long_date
        assert formats.date_format(LOGGED, "YEAR_MONTH_FORMAT") == month
        assert formats.date_format(LOGGED, "TIME_FORMAT") == "14:45"
        assert formats.localize(1234.5) == decimal
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


@pytest.mark.parametrize("language", ["en", "es", "gl"])
def test_typed_dates_are_read_day_first_and_iso_dates_everywhere(language):
    field = forms.DateField()
    with translation.override(language):
        assert field.clean("04/12/2026").isoformat() == "2026-12-04"
        assert field.clean("2026-12-04").isoformat() == "2026-12-04"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "acknowledged by Monday 7 December."),
        ("es", "a más tardar el lunes 7 de diciembre."),
        ("gl", "como moi tarde o luns 7 de decembro."),
    ],
)
def test_a_case_reminder_writes_the_weekday_and_date_in_the_languages_order(language, expected):
    case = SimpleNamespace(
        acknowledge_by=timezone.make_aware(datetime(2026, 12, 7, 10)), note=SimpleNamespace(text="…")
    )
    with translation.override(language):
        text = render_to_string("voc/email/case_reminder.txt", {"stage": "acknowledge", "case": case, "case_url": "/"})
    assert expected in text
