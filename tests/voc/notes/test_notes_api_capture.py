"""POST /api/v1/notes/ as CRM systems and agents' tools call it: with a token, answered from the
note just stored (identical to reading it back), in the caller's language, in a few queries."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from voc.models import Insight, ProductArea, User

pytestmark = pytest.mark.django_db

URL = "/api/v1/notes/"


@pytest.fixture
def token(agent) -> Token:
    return Token.objects.create(user=agent)


def post(token: Token, payload: object, **headers: str):
    return Client().post(
        URL, payload, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}", **headers
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "need", "text": "Wants a call on 07700 900123", "channel": "phone"},
        {
            "kind": "complaint",
            "text": "  La tarjeta no ha llegado todavía  ",
            "channel": "email",
            "occurred_at": "2026-01-05T10:15:30.123456+02:00",
            "product_area": "Cards",
            "customer_abroad": False,
            "abroad_country": "fr",
            "caused_by_us": True,
            "lonely": True,
            "vulnerable": True,
            "source": " crm ",
            "external_id": " CRM-1 ",
        },
        {
            "kind": "thanks",
            "text": "Thanks for the quick fix",
            "channel": "chat",
            "language": "gl",
            "product_area": None,
        },
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_201_body_is_what_reading_the_note_back_returns(token, payload, language):
    ProductArea.objects.create(name="Cards")
    created = post(token, payload, HTTP_ACCEPT_LANGUAGE=language)
    assert created.status_code == 201, created.content
    read = Client().get(
        f"{URL}{created.json()['id']}/", HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE=language
    )
    assert read.status_code == 200
    assert created.json() == read.json()


def test_the_201_body_holds_the_stored_values(token):
    body = post(
        token,
        {"kind": "need", "text": "Call 07700 900123", "channel": "phone", "occurred_at": "2026-01-05T08:00:00Z"},
    ).json()
    stored = Insight.objects.get(pk=body["id"])
    assert body["text"] == stored.text == "Call [PHONE]"
    assert body["site"] == "Madrid" and body["agent"] == "lucia" and body["plus_ones"] == 0
    assert body["occurred_at"] == "2026-01-05T09:00:00+01:00" and body["status"] == "active"


def test_a_note_posted_with_a_token_costs_two_queries(token, django_assert_num_queries):
    # The token (with its person and site) and the INSERT. Tests run inside a transaction, so
    # the INSERT gets a SAVEPOINT and its RELEASE too; in production it commits on its own.
    with django_assert_num_queries(4):
        response = post(token, {"kind": "need", "text": "Needs a loan", "channel": "phone"})
    assert response.status_code == 201 and response.json()["site"] == "Madrid"


def test_a_deleted_token_stops_working_at_once(token):
    assert post(token, {"kind": "need", "text": "First", "channel": "phone"}).status_code == 201
    Token.objects.filter(pk=token.pk).delete()
    refused = post(token, {"kind": "need", "text": "Second", "channel": "phone"})
    assert refused.status_code == 401 and refused.json() == {"detail": "Invalid token."}
    assert list(Insight.objects.values_list("text", flat=True)) == ["First"]


def test_a_deactivated_person_is_refused_at_once_however_they_were_deactivated(token, agent):
    assert post(token, {"kind": "need", "text": "First", "channel": "phone"}).status_code == 201
    User.objects.filter(pk=agent.pk).update(is_active=False)  # no signals, no save()
    refused = post(token, {"kind": "need", "text": "Second", "channel": "phone"})
    assert refused.status_code == 401 and refused.json() == {"detail": "User inactive or deleted."}
    assert Insight.objects.count() == 1


def test_token_refusals_speak_the_callers_language(db):
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-token", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 401 and response.json() == {"detail": "Token inválido."}
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_caller_is_the_person_of_the_token(token, agent):
    me = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}").json()
    assert (me["username"], me["site"], me["role"]) == ("lucia", "Madrid", "agent")


def test_a_person_without_a_site_is_told_so_not_a_500(db):
    nomad = User.objects.create_user(username="nomad", password="x", role=User.Role.AGENT)
    response = post(Token.objects.create(user=nomad), {"kind": "need", "text": "Hello", "channel": "phone"})
    assert response.status_code == 400 and "home site" in response.json()["agent"][0]


def test_field_errors_stay_in_each_callers_language(token):
    # Serializer fields are built once per language and reused: neither language leaks into the other.
    for _ in range(2):
        spanish = post(token, {"text": "x", "channel": "phone"}, HTTP_ACCEPT_LANGUAGE="es").json()
        english = post(token, {"text": "x", "channel": "phone"}, HTTP_ACCEPT_LANGUAGE="en").json()
        assert spanish == {"kind": ["Este campo es requerido."]}
        assert english == {"kind": ["This field is required."]}


def test_a_partial_edit_does_not_make_creation_partial(client_for, agent, token):
    # The edit serializer is partial and the create one is not; reused fields must not mix them up.
    client = client_for("agent")
    note = post(token, {"kind": "need", "text": "Needs a loan", "channel": "phone"}).json()
    for _ in range(2):
        edited = client.patch(f"{URL}{note['id']}/", {"channel": "email"}, content_type="application/json")
        assert edited.status_code == 200 and edited.json()["kind"] == "need"
        missing = post(token, {"channel": "phone"})
        assert missing.status_code == 400 and set(missing.json()) == {"kind", "text"}


def test_a_retried_crm_note_is_answered_with_the_stored_one(token):
    payload = {"kind": "need", "text": "Wants paper statements", "channel": "email", "source": "crm"}
    first = post(token, payload | {"external_id": "CRM-9"})
    again = post(token, payload | {"external_id": "CRM-9", "text": "A retry with other words"})
    other = post(token, payload | {"external_id": "CRM-10"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.json() == first.json()
    assert Insight.objects.count() == 2


def test_field_labels_follow_the_callers_language(token):
    # ModelSerializer picks labels by comparing translated names, so prebuilt fields are per language.
    for _ in range(2):
        for language, label in [("es", "Causado por nosotros"), ("en", "Caused by us")]:
            options = Client().options(URL, HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE=language)
            assert options.json()["actions"]["POST"]["caused_by_us"]["label"] == label
