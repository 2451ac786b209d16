"""Listening pages and /api/v1/listening/ for every role: progress, logging, own sessions only,
and bad input answered with errors on the fields, never a 500 and never a stored session."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import ROLES
from tests.factories import ListeningSessionFactory
from voc.models import Insight, ListeningSession

pytestmark = pytest.mark.django_db

API = "/api/v1/listening/"


def today():
    return timezone.localdate()


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_its_listening_page_and_the_form(role, client_for):
    client = client_for(role)
    mine = client.get(reverse("listening_mine"))
    new = client.get(reverse("listening_new"))
    assert mine.status_code == 200 and "My progress" in mine.text and 'id="year-progress"' in mine.text
    assert f'action="{reverse("listening_new")}"' in mine.text
    assert new.status_code == 200 and 'name="minutes"' in new.text and 'name="idea"' in new.text


@pytest.mark.parametrize("role", ROLES)
def test_every_role_logs_a_session_and_its_idea_becomes_a_note(role, client_for, cast, madrid):
    client = client_for(role)
    response = client.post(
        reverse("listening_new"),
        {
            "day": today().isoformat(),
            "minutes": "45",
            "site": madrid.pk,
            "queue": "Cards",
            "heard": "Cards blocked abroad",
            "idea": "Warn before blocking",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("listening_mine")
    session = ListeningSession.objects.get()
    assert session.person == cast[role] and session.minutes == 45 and session.site == madrid
    note = Insight.objects.get()
    assert session.idea_note == note and note.agent == cast[role] and note.source == "listening"
    page = client.get(reverse("listening_mine"))
    assert "Saved: 45 minutes of listening." in page.text and "Cards blocked abroad" in page.text


def test_anonymous_visitors_are_sent_to_sign_in():
    for name in ("listening_mine", "listening_new"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Client().post(reverse("listening_new"), {"minutes": "30"}).status_code == 302
    assert not ListeningSession.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"minutes": "-20"}, "at least 1"),
        ({"minutes": "9999"}, "at most 720 minutes"),
        ({"minutes": "lots"}, "Enter a whole number."),
        ({"day": "2999-01-01"}, "cannot be in the future"),
        ({"queue": ""}, "Say where you listened"),
    ],
)
def test_bad_input_is_shown_next_to_its_field_with_what_was_typed(client_for, data, message):
    typed = {"day": today().isoformat(), "minutes": "30", "queue": "Mortgages", "heard": "Long waits", **data}
    response = client_for("agent").post(reverse("listening_new"), typed)
    assert response.status_code == 200
    assert 'class="field has-error"' in response.text and message in response.text
    assert "Long waits" in response.text and f'value="{typed["minutes"]}"' in response.text
    assert not ListeningSession.objects.exists()


def test_an_idea_from_someone_without_a_site_is_refused_on_the_site_field(client_for):
    response = client_for("executive").post(
        reverse("listening_new"),
        {"day": today().isoformat(), "minutes": "60", "queue": "Cards", "idea": "Simpler letters"},
    )
    assert response.status_code == 200 and "choose the site you listened at" in response.text
    assert "Simpler letters" in response.text and not ListeningSession.objects.exists()


def test_the_page_shows_my_numbers_and_only_my_sessions(client_for, executive, agent, settings):
    settings.VOC_LISTEN_EXECUTIVE_WEEKLY_MINUTES = 60
    settings.VOC_LISTEN_YEARLY_MINUTES = 480
    ListeningSessionFactory(person=executive, day=today(), minutes=45, queue="Claims", heard="Mine")
    ListeningSessionFactory(person=agent, day=today(), minutes=300, queue="Cards", heard="Theirs")
    page = client_for("executive").get(reverse("listening_mine")).text
    assert "This week: 45 of 60 minutes" in page and 'id="week-progress" max="100" value="75"' in page
    assert f"{today().year}: 45 of 480 minutes" in page and "1 session logged in all." in page
    assert "Mine" in page and "Theirs" not in page
    agent_page = client_for("agent").get(reverse("listening_mine")).text
    assert "This week:" not in agent_page and f"{today().year}: 300 of 480 minutes" in agent_page


def test_my_sessions_are_paginated_in_a_fixed_number_of_queries(client_for, agent, django_assert_max_num_queries):
    ListeningSession.objects.bulk_create(
        ListeningSession(person=agent, day=today() - timedelta(days=i), minutes=10, site=agent.site) for i in range(25)
    )
    client = client_for("agent")
    with django_assert_max_num_queries(12):
        first = client.get(reverse("listening_mine"))
    second = client.get(reverse("listening_mine"), {"page": 2})
    assert "Page 1 of 2" in first.text and first.text.count("<td>10</td>") == 20
    assert "Page 2 of 2" in second.text and second.text.count("<td>10</td>") == 5


# --- API ---------------------------------------------------------------------------------------


def post(client, payload, **kwargs):
    return client.post(API, json.dumps(payload), content_type="application/json", **kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_only_its_own_sessions(role, client_for, cast):
    for member in cast.values():
        ListeningSessionFactory(person=member, day=today(), minutes=30, queue=f"queue of {member.username}")
    body = client_for(role).get(API).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1 and [s["queue"] for s in body["results"]] == [f"queue of {cast[role].username}"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_logs_through_the_api(role, client_for, cast, madrid):
    response = post(
        client_for(role),
        {"day": today().isoformat(), "minutes": 60, "site": "Madrid", "heard": "Fees", "idea": "Show fees up front"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    session = ListeningSession.objects.get()
    assert body["id"] == session.pk and body["minutes"] == 60 and body["site"] == "Madrid"
    assert session.person == cast[role] and body["idea_note"] == session.idea_note_id is not None
    assert client_for(role).get(f"{API}{session.pk}/").json()["heard"] == "Fees"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"minutes": -30}, "minutes"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 9999}, "minutes"),
        ({"minutes": 10**30}, "minutes"),
        ({"minutes": "an hour"}, "minutes"),
        ({"minutes": None}, "minutes"),
        ({"day": "2999-01-01"}, "day"),
        ({"day": "yesterday"}, "day"),
        ({"site": "Atlantis", "queue": ""}, "site"),
        ({"queue": ""}, "site"),
        ({"queue": "q" * 101}, "queue"),
        ({"heard": "h" * 2001}, "heard"),
    ],
)
def test_bad_payloads_are_400_with_the_field_named(client_for, payload, field):
    response = post(client_for("agent"), {"day": today().isoformat(), "minutes": 30, "queue": "Cards", **payload})
    assert response.status_code == 400
    assert field in response.json() and response.json()[field][0]
    assert not ListeningSession.objects.exists()


def test_missing_fields_are_each_named(client_for):
    response = post(client_for("hq"), {})
    assert response.status_code == 400 and {"day", "minutes"} <= set(response.json())
    assert not ListeningSession.objects.exists()


@pytest.mark.parametrize("body", ['{"minutes": 30,', "not json at all", "\x00\xff"])
def test_junk_json_is_a_400_not_a_500(client_for, body):
    response = client_for("lead").post(API, body, content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()
    assert not ListeningSession.objects.exists()


def test_json_that_is_not_an_object_is_a_400(client_for):
    response = post(client_for("lead"), [{"minutes": 30}])
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_an_idea_without_a_site_is_refused_on_site_through_the_api(client_for):
    response = post(client_for("executive"), {"day": today().isoformat(), "minutes": 30, "queue": "Q", "idea": "X"})
    assert response.status_code == 400 and "site" in response.json()
    assert not ListeningSession.objects.exists() and not Insight.objects.exists()


def test_someone_elses_session_is_not_found_and_sessions_cannot_be_changed(client_for, agent):
    session = ListeningSessionFactory(person=agent, day=today(), minutes=30, queue="Cards")
    assert client_for("lead").get(f"{API}{session.pk}/").status_code == 404
    owner = client_for("agent")
    assert owner.patch(f"{API}{session.pk}/", {"minutes": 5}, content_type="application/json").status_code == 405
    assert owner.delete(f"{API}{session.pk}/").status_code == 405
    session.refresh_from_db()
    assert session.minutes == 30


def test_the_api_shows_my_progress(client_for, executive, settings):
    settings.VOC_LISTEN_EXECUTIVE_WEEKLY_MINUTES = 60
    ListeningSessionFactory(person=executive, day=today(), minutes=30, queue="Cards")
    body = client_for("executive").get(f"{API}progress/").json()
    assert (body["week_minutes"], body["week_target"], body["week_percent"]) == (30, 60, 50)
    assert body["sessions"] == 1


def test_anonymous_api_calls_are_refused():
    assert Client().get(API).status_code == 401
    assert post(Client(), {"day": today().isoformat(), "minutes": 30, "queue": "Cards"}).status_code == 401
    assert not ListeningSession.objects.exists()


def test_the_openapi_schema_documents_the_listening_endpoints(client_for):
    schema = client_for("agent").get("/api/v1/schema/", {"format": "json"}).json()
    assert {"/api/v1/listening/", "/api/v1/listening/{id}/", "/api/v1/listening/progress/"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/listening/"]) == {"get", "post"}
