"""/api/v1/notes/: visibility per role, idempotent creation, 400s for bad input, filters."""

from __future__ import annotations

import pytest
from django.test import Client

from voc.models import Insight, Tally
from voc.notes import services

pytestmark = pytest.mark.django_db

URL = "/api/v1/notes/"


def seed(agent, other_site_agent):
    services.record_note(agent=agent, kind="love", text="Loves the app", channel="chat")
    services.record_note(agent=agent, kind="need", text="Needs a loan", channel="phone", language="en")
    services.record_note(agent=other_site_agent, kind="complaint", text="Charged twice", channel="phone")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("agent", {"Loves the app", "Needs a loan"}),
        ("lead", {"Loves the app", "Needs a loan"}),
        ("hq", {"Loves the app", "Needs a loan", "Charged twice"}),
        ("executive", {"Loves the app", "Needs a loan", "Charged twice"}),
        ("admin", {"Loves the app", "Needs a loan", "Charged twice"}),
    ],
)
def test_each_role_lists_the_notes_it_may_see(client_for, agent, other_site_agent, role, expected):
    seed(agent, other_site_agent)
    body = client_for(role).get(URL).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert {n["text"] for n in body["results"]} == expected and body["count"] == len(expected)


def test_an_agent_cannot_read_another_agents_note(client_for, agent, other_site_agent):
    seed(agent, other_site_agent)
    theirs = Insight.objects.get(text="Charged twice")
    assert client_for("agent").get(f"{URL}{theirs.pk}/").status_code == 404
    assert client_for("hq").get(f"{URL}{theirs.pk}/").status_code == 200


def test_anonymous_callers_get_401(db):
    assert Client().get(URL).status_code == 401
    assert Client().post(URL, {}, content_type="application/json").status_code == 401


def test_an_agent_creates_a_note_redacted(client_for, agent):
    response = client_for("agent").post(
        URL,
        {"kind": "need", "text": "Wants a call on 07700 900123", "channel": "phone", "lonely": True},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["text"] == "Wants a call on [PHONE]" and body["lonely"] is True
    assert body["site"] == "Madrid" and body["agent"] == "lucia" and body["language"] == "en"


@pytest.mark.parametrize("role", ["hq", "executive", "admin"])
def test_roles_without_calls_cannot_create_notes(client_for, role):
    response = client_for(role).post(
        URL, {"kind": "need", "text": "x", "channel": "phone"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Insight.objects.count() == 0


def test_creating_twice_with_one_external_id_returns_the_first_note_with_200(client_for):
    client = client_for("agent")
    payload = {"kind": "need", "text": "Wants paper statements", "channel": "email", "external_id": "CRM-7"}
    first = client.post(URL, payload, content_type="application/json")
    second = client.post(URL, payload | {"text": "Retry"}, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"] and second.json()["text"] == "Wants paper statements"
    assert Insight.objects.count() == 1


def test_an_external_id_already_used_by_someone_out_of_sight_is_a_409(client_for, other_site_agent):
    services.record_note(agent=other_site_agent, kind="need", text="Theirs", channel="email", external_id="CRM-8")
    response = client_for("agent").post(
        URL,
        {"kind": "need", "text": "Mine", "channel": "email", "external_id": "CRM-8"},
        content_type="application/json",
    )
    assert response.status_code == 409 and "external_id" in response.json()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": "x", "channel": "phone"}, "kind"),
        ({"kind": "need", "channel": "phone"}, "text"),
        ({"kind": "need", "text": "x"}, "channel"),
        ({"kind": "rant", "text": "x", "channel": "phone"}, "kind"),
        ({"kind": "need", "text": "x" * 2001, "channel": "phone"}, "text"),
        ({"kind": "need", "text": "", "channel": "phone"}, "text"),
        ({"kind": "need", "text": 12, "channel": ["phone"]}, "channel"),
        ({"kind": "need", "text": "x", "channel": "phone", "lonely": "perhaps"}, "lonely"),
        ({"kind": "need", "text": "x", "channel": "phone", "occurred_at": "yesterday"}, "occurred_at"),
        ({"kind": "need", "text": "x", "channel": "phone", "occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"kind": "need", "text": "x", "channel": "phone", "language": "fr"}, "language"),
        ({"kind": "need", "text": "x", "channel": "phone", "abroad_country": "FRA"}, "abroad_country"),
        ({"kind": "need", "text": "x", "channel": "phone", "product_area": "Spaceships"}, "product_area"),
    ],
)
def test_malformed_notes_get_400_with_field_errors(client_for, payload, field):
    response = client_for("agent").post(URL, payload, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Insight.objects.count() == 0


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"a string"', "null"])
def test_junk_bodies_get_400_never_500(client_for, body):
    response = client_for("agent").post(URL, body, content_type="application/json")
    assert response.status_code == 400


def test_filters_narrow_the_list(client_for, agent, other_site_agent, madrid):
    seed(agent, other_site_agent)
    client = client_for("hq")
    texts = lambda query: {n["text"] for n in client.get(f"{URL}?{query}").json()["results"]}  # noqa: E731
    assert texts("kind=love") == {"Loves the app"}
    assert texts("channel=phone") == {"Needs a loan", "Charged twice"}
    assert texts(f"site={madrid.pk}") == {"Loves the app", "Needs a loan"}
    assert texts("text=loan") == {"Needs a loan"}
    assert texts("kind=love&kind=need") == {"Loves the app", "Needs a loan"}
    assert texts("occurred_after=2999-01-01") == set()
    assert client.get(f"{URL}?kind=rant").status_code == 400


def test_the_list_costs_the_same_queries_for_many_notes(client_for, agent, django_assert_max_num_queries):
    for i in range(60):
        services.record_note(agent=agent, kind="need", text=f"Need {i}", channel="phone")
    client = client_for("lead")
    with django_assert_max_num_queries(6):
        body = client.get(URL).json()
    assert body["count"] == 60 and len(body["results"]) == 50 and body["next"]


def test_the_author_patches_a_note_within_the_window(client_for, agent):
    stored, _ = services.record_note(agent=agent, kind="need", text="Needs a loan", channel="phone")
    client = client_for("agent")
    response = client.patch(f"{URL}{stored.pk}/", {"channel": "email"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["channel"] == "email"
    other = client_for("lead").patch(f"{URL}{stored.pk}/", {"channel": "sms"}, content_type="application/json")
    assert other.status_code == 403 and "Only the person who logged" in other.json()["detail"]


def test_withdraw_and_plus_one_through_the_api(client_for, agent, colleague):
    stored, _ = services.record_note(agent=colleague, kind="want", text="Wants Apple Pay", channel="phone")
    plus = client_for("agent").post(f"{URL}{stored.pk}/plus-one/", {"channel": "chat"}, content_type="application/json")
    assert plus.status_code == 201 and plus.json()["plus_ones"] == 1
    assert Tally.objects.filter(agent=agent).count() == 1
    mine, _ = services.record_note(agent=agent, kind="need", text="Needs a loan", channel="phone")
    gone = client_for("agent").post(f"{URL}{mine.pk}/withdraw/")
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"


def test_creating_a_note_costs_a_handful_of_queries(client_for, django_assert_max_num_queries):
    client = client_for("agent")
    client.get("/api/v1/me/")  # the session is warm, as for a real client
    with django_assert_max_num_queries(7):
        response = client.post(
            URL, {"kind": "need", "text": "Needs a loan", "channel": "phone"}, content_type="application/json"
        )
    assert response.status_code == 201 and response.json()["plus_ones"] == 0


@pytest.mark.parametrize("site", ["99999999999999999999", "abc", "-1"])
def test_nonsense_site_filters_are_400_not_500(client_for, site):
    assert client_for("hq").get(f"{URL}?site={site}").status_code == 400


def test_plus_one_answers_with_the_count_only(client_for, colleague):
    theirs, _ = services.record_note(agent=colleague, kind="want", text="Wants Apple Pay", channel="phone")
    body = (
        client_for("agent")
        .post(f"{URL}{theirs.pk}/plus-one/", {"channel": "chat"}, content_type="application/json")
        .json()
    )
    assert body == {"id": theirs.pk, "plus_ones": 1}
    assert (
        client_for("agent")
        .post(f"{URL}abc/plus-one/", {"channel": "chat"}, content_type="application/json")
        .status_code
        == 404
    )


def test_a_lead_retrying_an_agents_external_id_gets_a_409_without_the_note(client_for, agent):
    services.record_note(agent=agent, kind="need", text="Agent's words tapir-31", channel="email", external_id="CRM-11")
    response = client_for("lead").post(
        URL,
        {"kind": "need", "text": "Lead's words", "channel": "email", "external_id": "CRM-11"},
        content_type="application/json",
    )
    assert response.status_code == 409 and "tapir-31" not in response.content.decode()
    assert Insight.objects.count() == 1


@pytest.mark.parametrize("source", ["listening", "demo", " Listening "])
def test_the_products_own_sources_are_refused_from_clients(client_for, source):
    response = client_for("agent").post(
        URL,
        {"kind": "want", "text": "Mine", "channel": "phone", "source": source, "external_id": "listening-1"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "source" in response.json()
    assert Insight.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("external_id", "jane.doe.canary@example.com"),
        ("external_id", "+34 612 345 678"),
        ("external_id", "card-4539148803436467"),
        ("external_id", "ES9121000418450200051332"),
        ("source", "crm jane.doe.canary@example.com"),
    ],
)
def test_an_id_or_source_holding_personal_data_is_refused(client_for, field, value):
    """Issue 12: ids are stored as sent and shown beside the note, so they may not carry personal data."""
    payload = {"kind": "want", "text": "Mine", "channel": "phone", "source": "crm", "external_id": "A-1"}
    response = client_for("agent").post(URL, {**payload, field: value}, content_type="application/json")
    assert response.status_code == 400 and field in response.json()
    assert Insight.objects.count() == 0


def test_an_id_of_digits_alone_is_accepted_even_if_it_could_be_dialled(client_for):
    payload = {"kind": "want", "text": "Mine", "channel": "phone", "source": "crm", "external_id": "612345678"}
    response = client_for("agent").post(URL, payload, content_type="application/json")
    assert response.status_code == 201
    assert Insight.objects.get().external_id == "612345678"


def test_an_agent_cannot_take_the_id_of_a_colleagues_next_listening_idea(client_for, colleague, madrid):
    from django.utils import timezone

    from voc.models import ListeningSession
    from voc.programme.listening import services as listening

    next_id = (ListeningSession.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    client_for("agent").post(
        URL,
        {
            "kind": "want",
            "text": "Hijack",
            "channel": "phone",
            "source": "listening",
            "external_id": f"listening-{next_id}",
        },
        content_type="application/json",
    )
    session = listening.log_session(
        person=colleague, day=timezone.localdate(), minutes=30, site=madrid, idea="Show the queue in the app"
    )
    assert session.idea_note.agent == colleague and session.idea_note.text == "Show the queue in the app"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"text": "\u200b\u200d\u2060\ufeff "}, "text"),
        ({"occurred_at": "1638-05-01T10:00:00"}, "occurred_at"),
        ({"occurred_at": "1999-12-31T23:59:59Z"}, "occurred_at"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
    ],
)
def test_invisible_text_and_absurd_times_are_refused_on_their_field(client_for, extra, field):
    payload = {"kind": "want", "text": "Wants an app", "channel": "phone"} | extra
    response = client_for("agent").post(URL, payload, content_type="application/json")
    assert response.status_code == 400 and field in response.json()
    assert Insight.objects.count() == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "want", "text": "Wants an app", "channel": "phone", "product_area": "Cards\x00"},
        {"kind": "want", "text": "Wants\x00 an app", "channel": "phone"},
        {"kind": "want", "text": "Wants an app", "channel": "phone", "source": "crm\x07"},
    ],
)
def test_control_characters_in_a_note_are_a_400(client_for, payload):
    response = client_for("agent").post(URL, payload, content_type="application/json")
    assert response.status_code == 400
    assert Insight.objects.count() == 0


def test_a_null_byte_in_a_filter_is_a_400(client_for):
    assert client_for("lead").get(URL, {"product_area": "a\x00b", "q": "\x00"}).status_code == 400
