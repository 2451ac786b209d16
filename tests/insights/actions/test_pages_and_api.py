import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from insights.models import Action
from tests.factories import ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theme():
    return ThemeFactory(name="Card not arrived")


def test_head_office_records_an_action_and_lands_on_its_page(client_for, theme):
    response = client_for("hq").post(
        reverse("action_new"), {"title": "New courier for cards", "status": "done", "themes": [theme.pk]}
    )
    action = Action.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("action_detail", args=[action.pk])
    page = client_for("lead").get(reverse("action_detail", args=[action.pk])).content.decode()
    assert "Too early to tell" in page and "None" not in page
    assert (
        "New courier for cards"
        in client_for("executive").get(reverse("theme_detail", args=[theme.pk])).content.decode()
    )


def test_an_agent_reads_an_action_without_links_to_themes_they_cannot_open(client_for, hq, theme):
    from insights.actions import services

    action = services.record_action(by=hq, title="New courier for cards", status="done", themes=[theme])
    page = client_for("agent").get(reverse("action_detail", args=[action.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Card not arrived" in body and reverse("theme_detail", args=[theme.pk]) not in body
    assert reverse("action_new") not in body


def test_a_bad_action_comes_back_with_every_error_and_what_was_typed(client_for):
    response = client_for("hq").post(reverse("action_new"), {"title": "", "description": "kept", "status": "done"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "themes"}
    assert "kept" in response.content.decode()


def test_the_date_rules_show_with_the_fields_own_errors_on_the_first_submit(client_for):
    typed = {"title": "", "description": "kept", "status": "done", "started_on": "2026-01-10", "done_on": "2026-01-05"}
    response = client_for("hq").post(reverse("action_new"), typed)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"title", "themes", "started_on"}
    assert errors["started_on"] == ["It cannot have started after it was done."]
    assert not Action.objects.exists()


def test_the_service_names_every_problem_at_once_to_the_api(cast):
    api = APIClient()
    api.force_authenticate(cast["hq"])
    typed = {"title": "Courier", "status": "planned", "started_on": "2031-01-01", "done_on": "2026-01-01"}
    refused = api.post("/api/v1/actions/", typed, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "started_on": ["Give a start date within the next year."],
        "done_on": ["Only a done action has a done date."],
        "themes": ["Link the action to at least one theme or question."],
    }


def test_the_list_is_paginated_in_few_queries(client_for, theme, hq, django_assert_max_num_queries):
    from insights.actions import services

    for i in range(30):
        services.record_action(by=hq, title=f"Action {i}", themes=[theme])
    client = client_for("lead")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("action_list"))
    assert len(response.context["page"]) == 25


def test_the_api_creates_with_201_refuses_with_400_or_403_and_shows_the_effect(cast, theme):
    api = APIClient()
    api.force_authenticate(cast["hq"])
    assert api.post("/api/v1/actions/", {"title": "x" * 300, "themes": [theme.pk]}, format="json").status_code == 400
    assert api.post("/api/v1/actions/", {"title": "Courier"}, format="json").status_code == 400
    ancient = {"title": "Courier", "themes": [theme.pk], "status": "done", "done_on": "0001-01-01"}
    refused = api.post("/api/v1/actions/", ancient, format="json")
    assert (refused.status_code, list(refused.json())) == (400, ["done_on"])
    assert api.get("/api/v1/actions/").json()["count"] == 0
    created = api.post("/api/v1/actions/", {"title": "Courier", "themes": [theme.pk], "status": "done"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["effect"]["sentence"].startswith("Too early to tell")
    agent = APIClient()
    agent.force_authenticate(cast["agent"])
    assert agent.get("/api/v1/actions/").json()["count"] == 1  # agents hear back: they read actions
    assert agent.post("/api/v1/actions/", {"title": "Mine", "themes": [theme.pk]}, format="json").status_code == 403
    other = APIClient()
    other.force_authenticate(cast["executive"])
    assert other.patch(f"/api/v1/actions/{body['id']}/", {"title": "Mine"}, format="json").status_code == 403


@pytest.mark.parametrize(
    "themes, message",
    [
        ([1.5], "“1.5” is not an id."),
        ({"1": 1}, "Send a list of ids."),
        (["1e3"], "“1e3” is not an id."),
        ([True], "“True” is not an id."),
        (list(range(1, 502)), "Send at most 500 ids."),
    ],
)
def test_the_api_takes_ids_as_whole_numbers_in_a_short_list(cast, theme, themes, message):
    api = APIClient()
    api.force_authenticate(cast["hq"])
    refused = api.post("/api/v1/actions/", {"title": "Courier", "themes": themes}, format="json")
    assert (refused.status_code, refused.json()) == (400, {"themes": [message]})
    assert not Action.objects.exists()


def test_the_api_links_accepted_and_merged_themes_but_not_a_proposal(cast, theme, lead):
    from insights.models import Theme
    from insights.services import merge_themes

    api = APIClient()
    api.force_authenticate(cast["hq"])
    proposal = ThemeFactory(name="Maybe", status=Theme.Status.PROPOSED)
    refused = api.post("/api/v1/actions/", {"title": "Courier", "themes": [proposal.pk]}, format="json")
    assert refused.json() == {"themes": [f"Nothing to choose has the id {proposal.pk}."]}
    merged = ThemeFactory(name="Card late")
    merge_themes(source=merged, target=theme, by=lead)
    created = api.post("/api/v1/actions/", {"title": "Courier", "themes": [merged.pk]}, format="json")
    assert created.status_code == 201 and created.json()["themes"] == [theme.pk]


def test_moving_an_action_back_shows_with_the_other_errors_on_the_first_submit(client_for, hq, theme):
    from insights.actions import services

    action = services.record_action(by=hq, title="Courier pilot", status="in_progress", themes=[theme])
    response = client_for("hq").post(
        reverse("action_edit", args=[action.pk]), {"title": "", "status": "planned", "themes": [theme.pk]}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"title", "status"}
    assert errors["status"] == ["An action that is in progress cannot become planned."]


def test_a_title_blank_to_the_eye_is_refused_with_the_other_errors(client_for):
    response = client_for("hq").post(reverse("action_new"), {"title": "\u200b\u200b", "status": "planned"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "themes"}
