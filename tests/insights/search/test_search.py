"""Search: who finds what, highlighting without XSS, filters, sort, the API and "more like this"."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from insights.models import NoteVector, Theme
from insights.questions.models import Question
from insights.search import services
from newsletter.models import Fact, Issue
from tests.factories import InsightFactory, IssueFactory, ThemeFactory, UserFactory
from voc.models import Insight, User

pytestmark = pytest.mark.django_db


def _note(agent: User, text: str, **fields) -> Insight:
    return InsightFactory(agent=agent, text=text, occurred_at=fields.pop("occurred_at", timezone.now()), **fields)


def _found(user: User, query: str, **filters) -> list[Insight]:
    return list(services.search_notes(viewer=user, query=query, filters=filters).notes)


@pytest.fixture
def notes(agent, colleague, other_site_agent):
    return {
        "mine": _note(agent, "Customer wants a contactless card for the bus"),
        "colleague": _note(colleague, "Asked for a new card after the old one broke"),
        "other_site": _note(other_site_agent, "Card stopped working abroad"),
    }


def test_an_agent_finds_only_their_own_notes(agent, notes):
    assert _found(agent, "card") == [notes["mine"]]


def test_a_lead_finds_their_sites_notes_but_never_another_sites(lead, notes):
    assert set(_found(lead, "card")) == {notes["mine"], notes["colleague"]}


@pytest.mark.parametrize("role", ["hq", "executive", "admin_user"])
def test_head_office_finds_every_sites_notes(role, request, notes):
    assert set(_found(request.getfixturevalue(role), "card")) == set(notes.values())


def test_hq_sees_only_redacted_text(hq, agent, client):
    _note(agent, "Card blocked, call me on +34 600 123 456 please")
    client.force_login(hq)
    response = client.get(reverse("search"), {"q": "blocked"})
    assert response.status_code == 200
    assert "600 123 456" not in response.content.decode()
    assert "blocked" in response.content.decode().lower()


def test_withdrawn_notes_are_not_found(agent):
    note = _note(agent, "Wants paper statements again")
    Insight.objects.filter(pk=note.pk).update(status=Insight.Status.WITHDRAWN, withdrawn_at=timezone.now())
    assert _found(agent, "statements") == []


def test_every_word_must_match_and_a_minus_word_excludes(agent):
    both = _note(agent, "Card and app both failed")
    _note(agent, "Only the card failed")
    assert _found(agent, "card app") == [both]
    assert both not in _found(agent, "card -app")


def test_the_filters_narrow_the_search(agent):
    phone = _note(agent, "Card declined at the shop", channel=Insight.Channel.PHONE)
    _note(agent, "Card declined online", channel=Insight.Channel.CHAT)
    assert _found(agent, "declined", channel=["phone"]) == [phone]


def test_by_default_search_includes_today_and_not_older_than_90_days(agent):
    today = _note(agent, "Pension question today")
    _note(agent, "Pension question long ago", occurred_at=timezone.now() - timedelta(days=200))
    assert _found(agent, "pension") == [today]
    assert len(_found(agent, "pension", period="custom", date_from="2000-01-01")) == 2


def test_sort_by_date_puts_the_newest_first(agent):
    old = _note(agent, "Mortgage rate question", occurred_at=timezone.now() - timedelta(days=3))
    new = _note(agent, "Mortgage mortgage mortgage rate")
    found = list(services.search_notes(viewer=agent, query="mortgage", sort="date", filters={}).notes)
    assert found == [new, old]


def test_bad_parameters_are_field_errors(agent):
    with pytest.raises(services.InvalidSearch) as caught:
        services.search_notes(viewer=agent, query="", sort="loudness", filters={"date_from": "yesterday"})
    assert set(caught.value.errors) == {"q", "sort", "date_from"}


def test_highlighting_escapes_note_text_and_marks_the_words(agent, client):
    _note(agent, "<script>alert(1)</script> card swallowed by the machine")
    client.force_login(agent)
    body = client.get(reverse("search"), {"q": "swallowed"}).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
    assert "<mark>swallowed</mark>" in body


def test_highlight_marks_every_word_case_insensitively():
    assert services.highlight("Card <b>CARD</b>", "card") == "<mark>Card</mark> &lt;b&gt;<mark>CARD</mark>&lt;/b&gt;"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_spanish_plurals_find_the_singular_and_english_stems(agent):
    spanish = _note(agent, "El cliente perdió la tarjeta en el cajero", language="es")
    galician = _note(agent, "Perdeu a tarxeta e quere outra tarjeta", language="gl")
    english = _note(agent, "Customer is cancelling the account", language="en")
    assert set(_found(agent, "tarjetas")) == {spanish, galician}
    assert _found(agent, "cancelled") == [english]
    marked = services.highlighted([spanish], "tarjetas")
    assert "<mark>tarjeta</mark>" in marked[spanish.pk]


def test_the_search_page_lists_themes_questions_and_sent_issues(hq, client):
    ThemeFactory(name="Card not arrived", name_es="Tarjeta no llegada")
    ThemeFactory(name="Card fraud proposal", status=Theme.Status.PROPOSED)
    Question.objects.create(text="How many ask for a metal card?", asked_by=hq)
    sent = IssueFactory(
        week_start=timezone.localdate() - timedelta(days=14),
        status=Issue.Status.SENT,
        approved_at=timezone.now(),
        sent_at=timezone.now(),
    )
    draft = IssueFactory(week_start=timezone.localdate() - timedelta(days=7), status=Issue.Status.DRAFT)
    for issue in (sent, draft):
        Fact.objects.create(
            issue=issue,
            key="k",
            number=5,
            base=50,
            period_start=issue.week_start,
            period_end=issue.week_start,
            sentence_en="5 customers lost a card.",
            sentence_es="5 perdieron una tarjeta.",
        )
    client.force_login(hq)
    response = client.get(reverse("search"), {"q": "card"})
    others = response.context["others"]
    assert [hit.title for hit in others["themes"]] == ["Card not arrived"]
    assert [hit.title for hit in others["questions"]] == ["How many ask for a metal card?"]
    assert [hit.id for hit in others["issues"]] == [sent.pk]


def test_agents_get_no_themes_in_search(agent):
    ThemeFactory(name="Card not arrived")
    assert services.search_others(viewer=agent, query="card", language="en")["themes"] == []


def test_the_header_has_the_search_box_for_signed_in_people(agent, client):
    client.force_login(agent)
    assert 'action="/search/"' in client.get(reverse("home")).content.decode()


def test_the_results_are_paginated_25_a_page(agent, client):
    for i in range(30):
        _note(agent, f"Overdraft question number {i}")
    client.force_login(agent)
    first = client.get(reverse("search"), {"q": "overdraft"})
    assert len(first.context["rows"]) == 25
    second = client.get(reverse("search"), {"q": "overdraft", "page": 2})
    assert len(second.context["rows"]) == 5


def test_a_bad_filter_on_the_page_is_a_400_with_the_form(agent, client):
    client.force_login(agent)
    response = client.get(reverse("search"), {"q": "card", "sort": "nope"})
    assert response.status_code == 400
    assert "sort" in response.context["errors"]


def _api(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_answers_paginated_notes_plus_other_hits(lead, notes):
    body = _api(lead).get("/api/v1/search/", {"q": "card"}).json()
    assert body["count"] == 2
    assert {row["id"] for row in body["results"]} == {notes["mine"].pk, notes["colleague"].pk}
    assert "<mark>" in body["results"][0]["highlighted"]
    assert {"next", "previous", "themes", "questions", "issues", "date_from", "date_to"} <= set(body)


def test_the_api_refuses_bad_parameters_with_400_field_errors(agent):
    response = _api(agent).get("/api/v1/search/", {"q": "card", "kind": "shouting", "date_from": "x", "site": "abc"})
    assert response.status_code == 400
    assert {"kind", "date_from", "site"} <= set(response.json())
    assert _api(agent).get("/api/v1/search/").status_code == 400


def test_the_api_never_shows_an_agent_another_agents_note(agent, notes):
    body = _api(agent).get("/api/v1/search/", {"q": "card"}).json()
    assert [row["id"] for row in body["results"]] == [notes["mine"].pk]


def _vector(note: Insight, values: list[float]) -> None:
    vector = np.array(values, dtype=np.float32)
    vector /= np.linalg.norm(vector)
    NoteVector.objects.create(note=note, encoder="test", vector=vector.tobytes(), lemmas="")


def test_more_like_this_ranks_by_vector_among_readable_notes(agent, lead, colleague, other_site_agent, client):
    source = _note(agent, "Wants an app for all banks")
    close = _note(colleague, "App joining every bank")
    far = _note(colleague, "Lonely, wanted to talk")
    hidden = _note(other_site_agent, "Banking app aggregator please")
    _vector(source, [1, 0, 0])
    _vector(close, [0.9, 0.1, 0])
    _vector(far, [0, 0, 1])
    _vector(hidden, [1, 0, 0])
    found_source, similar = services.more_like_this(viewer=lead, note_id=source.pk)
    assert found_source == source
    assert similar == [close, far]
    client.force_login(lead)
    assert client.get(reverse("search_similar", args=[source.pk])).status_code == 200
    client.force_login(other_site_agent)
    assert client.get(reverse("search_similar", args=[source.pk])).status_code == 404
    _source, agents = services.more_like_this(viewer=agent, note_id=source.pk)
    assert agents == []  # an agent compares with their own notes only


def test_more_like_this_from_the_api_hides_other_agents_notes(agent, colleague):
    theirs = _note(colleague, "Something")
    assert _api(agent).get(f"/api/v1/search/similar/{theirs.pk}/").status_code == 404
    assert _api(colleague).get(f"/api/v1/search/similar/{theirs.pk}/").json()["results"] == []


def test_an_unknown_user_kind_gets_nothing(db):
    nobody = UserFactory(username="nobody", role=User.Role.AGENT, site=None)
    assert _found(nobody, "card") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL's")
def test_relevance_ranks_the_newest_matches_then_the_rest_newest_first(agent, monkeypatch):
    monkeypatch.setattr(services, "RANK_WINDOW", 2)
    now = timezone.now()
    strong_new = _note(agent, "Refund refund refund please", occurred_at=now - timedelta(hours=2))
    weak_newest = _note(agent, "Asked about a refund and many other unrelated things today", occurred_at=now)
    strong_old = _note(agent, "Refund refund refund refund", occurred_at=now - timedelta(days=5))
    weak_old = _note(agent, "A refund for something, among many other words here", occurred_at=now - timedelta(days=4))
    assert _found(agent, "refund") == [strong_new, weak_newest, weak_old, strong_old]


def test_my_notes_and_site_notes_link_to_more_like_this(agent, lead, client):
    note = _note(agent, "Wants Apple Pay")
    link = reverse("search_similar", args=[note.pk])
    client.force_login(agent)
    assert link in client.get(reverse("my_notes")).content.decode()
    client.force_login(lead)
    assert link in client.get(reverse("site_notes")).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"site": "99999999999999999999"},
        {"theme": "99999999999999999999"},
        {"product_area": "99999999999999999999"},
        {"date_to": "9999-12-31"},
        {"period": "custom", "date_from": "0001-01-01"},
        {"page": "99999999999999999999"},
        {"customer_abroad": "maybe"},
    ],
)
def test_odd_parameters_are_refused_or_ignored_never_a_server_error(hq, client, params):
    api = _api(hq).get("/api/v1/search/", {"q": "card", **params})
    assert api.status_code in (200, 400, 404), api.status_code
    client.force_login(hq)
    assert client.get(reverse("search"), {"q": "card", **params}).status_code in (200, 400)


@pytest.mark.parametrize("query", ["!!! && || :* <-> ''", "-", '"', "or", "the"])
def test_any_query_text_is_answered(agent, query):
    assert isinstance(_found(agent, query), list)
