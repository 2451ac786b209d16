"""Input refused at the door: control characters anywhere, invisible-only text, absurd times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from voc.errors import DomainError
from voc.input_guard import check_occurred_at, is_blank
from voc.models import ListeningSession

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["", "  ", "\u200b", "\u200c\u200d\u2060\ufeff\u00ad", "\n\t\u200b "])
def test_text_of_whitespace_and_zero_width_characters_is_blank(text):
    assert is_blank(text)


@pytest.mark.parametrize("text", ["a", "\u200bok", "¿?", "ñ"])
def test_text_with_anything_visible_is_not_blank(text):
    assert not is_blank(text)


def test_a_naive_time_in_1638_is_refused_rather_than_given_a_local_mean_time_offset():
    with pytest.raises(DomainError) as refused:
        check_occurred_at(datetime(1638, 5, 1, 10, 0))
    assert refused.value.field == "occurred_at"


def test_times_from_2000_to_a_few_minutes_ahead_are_accepted_and_made_aware():
    now = timezone.now()
    assert check_occurred_at(datetime(2000, 1, 1, 12, 0)).tzinfo is not None
    assert check_occurred_at(now + timedelta(minutes=4), now=now) == now + timedelta(minutes=4)
    assert check_occurred_at(None, now=now) == now
    with pytest.raises(DomainError, match="future"):
        check_occurred_at(now + timedelta(minutes=6), now=now)
    with pytest.raises(DomainError):
        check_occurred_at(datetime(1999, 12, 31, 23, 0, tzinfo=UTC))


@pytest.mark.parametrize("role", ["agent", "lead", "hq"])
def test_a_null_byte_in_the_newsletter_search_is_a_400(client_for, role):
    assert client_for(role).get("/newsletters/", {"q": "\x00"}).status_code == 400


def test_a_null_byte_in_a_listening_sessions_site_is_a_400_in_the_api(client_for):
    response = client_for("agent").post(
        "/api/v1/listening/",
        {"day": timezone.localdate().isoformat(), "minutes": 10, "site": "Mad\x00rid"},
        content_type="application/json",
    )
    assert response.status_code == 400 and not ListeningSession.objects.exists()


def test_a_null_byte_in_a_listening_form_is_a_400(client_for, madrid):
    response = client_for("agent").post(
        "/listening/new/", {"day": timezone.localdate().isoformat(), "minutes": "10", "queue": "Ca\x00rds"}
    )
    assert response.status_code == 400 and not ListeningSession.objects.exists()


def test_tabs_and_new_lines_are_text_not_control_characters(client_for):
    response = client_for("agent").get("/newsletters/", {"q": "a\tb\nc"})
    assert response.status_code == 200


def test_a_row_id_is_digits_that_fit_a_bigint():
    from voc.input_guard import row_id

    assert row_id("42") == 42
    assert [row_id(v) for v in ("", "0", "-1", "4x", "99999999999999999999", None)] == [None] * 6
    assert [row_id(v) for v in ("²", "①", "٣", "4²")] == [None] * 4  # digits, but not ASCII ones
