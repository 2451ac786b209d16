import pytest
from rest_framework.test import APIClient

from insights.questions import services
from insights.questions.models import Question, QuestionMatch
from tests.insights.questions.conftest import direction

pytestmark = pytest.mark.django_db

APP = "Will you launch an app that integrates banking?"


@pytest.fixture
def api_for(cast):
    def make(role: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(cast[role])
        return client

    return make


@pytest.fixture(autouse=True)
def _no_worker(monkeypatch):
    from insights import tasks

    monkeypatch.setattr(tasks.prepare_question, "delay", lambda *a: None)
    monkeypatch.setattr(tasks.refit_question, "delay", lambda *a: None)


def test_posting_a_question_returns_it_with_its_counts(api_for):
    response = api_for("hq").post("/api/v1/questions/", {"text": APP}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["text"] == APP
    assert (body["count_week"], body["count_month"], body["ready"]) == (0, 0, False)
    assert body["department"] == "Marketing"


def test_a_typed_department_is_redacted_like_the_question(api_for):
    response = api_for("hq").post(
        "/api/v1/questions/", {"text": APP, "department": "Cards, call 612 345 678"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["department"] == "Cards, call [PHONE]"
    assert Question.objects.get().department == "Cards, call [PHONE]"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "why " * 1250}, "text"),
        ({"text": APP, "themes": [999999]}, "themes"),
        ({"text": APP, "department": "d" * 101}, "department"),
    ],
)
def test_bad_questions_get_400_with_the_field_and_nothing_is_stored(api_for, payload, field):
    response = api_for("hq").post("/api/v1/questions/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Question.objects.exists()


def test_agents_list_questions_but_cannot_ask(api_for):
    assert api_for("agent").get("/api/v1/questions/").status_code == 200
    assert api_for("agent").post("/api/v1/questions/", {"text": APP}, format="json").status_code == 403


def test_the_list_is_paginated_with_live_counts(api_for, make_question, note_at):
    question = make_question(APP, direction(0))
    services.match_notes(note_ids=[note_at("Banking app", direction(0)).pk])
    body = api_for("executive").get("/api/v1/questions/").json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == question.pk
    assert (body["results"][0]["count_month"], body["results"][0]["ready"]) == (1, True)


def test_a_lead_lists_and_decides_the_matches_of_their_sites(api_for, make_question, note_at):
    question = make_question(APP, direction(0))
    services.match_notes(note_ids=[note_at("Banking app", direction(0)).pk])
    lead = api_for("lead")
    listed = lead.get(f"/api/v1/questions/{question.pk}/matches/").json()["results"]
    assert [m["text"] for m in listed] == ["Banking app"]
    response = lead.post(
        f"/api/v1/questions/{question.pk}/decide/", {"match": listed[0]["id"], "decision": "reject"}, format="json"
    )
    assert response.status_code == 200
    assert question.matches.get().state == QuestionMatch.State.REJECTED


def test_an_agent_plus_ones_through_the_api_and_a_bad_channel_is_a_400(api_for, make_question):
    question = make_question(APP, direction(0))
    agent = api_for("agent")
    assert agent.post(f"/api/v1/questions/{question.pk}/heard/", {"channel": "fax"}, format="json").status_code == 400
    response = agent.post(f"/api/v1/questions/{question.pk}/heard/", {"channel": "phone"}, format="json")
    assert response.status_code == 201
    assert response.json()["count_week"] == 1


def test_rewording_through_the_api_keeps_what_was_not_sent(api_for, make_question):
    question = make_question(APP, direction(0), text_es="¿Lanzaréis una app con la banca?")
    response = api_for("hq").patch(f"/api/v1/questions/{question.pk}/", {"text": "A banking app?"}, format="json")
    assert response.status_code == 200
    assert (response.json()["text"], response.json()["text_es"]) == (
        "A banking app?",
        "¿Lanzaréis una app con la banca?",
    )
