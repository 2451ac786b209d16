"""Theme pages and /api/v1/themes/ for each role."""

from __future__ import annotations

import pytest
from django.test import Client

from insights.models import Assignment, Theme
from tests.conftest import ROLES
from tests.factories import ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def themes(make_note):
    cards = ThemeFactory(name="Card not arrived")
    proposal = Theme.objects.create(name="app · crash", status=Theme.Status.PROPOSED)
    for i in range(3):
        Assignment.objects.create(note=make_note(f"My card has not arrived {i}", axis=0), theme=cards, method="person")
        Assignment.objects.create(note=make_note(f"The app crashes {i}", axis=1), theme=proposal, method="discovery")
    return {"cards": cards, "proposal": proposal}


VIEWERS = {"lead", "hq", "executive", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_theme_pages_open_for_leads_head_office_executives_and_admins(client_for, themes, role):
    client = client_for(role)
    expected = 200 if role in VIEWERS else 403
    assert client.get("/themes/").status_code == expected
    assert client.get(f"/themes/{themes['cards'].pk}/").status_code == expected
    assert client.get("/themes/emerging/").status_code == (200 if role == "lead" else 403)


def test_the_theme_list_shows_counts_and_the_emerging_inbox_lists_proposals(client_for, themes):
    client = client_for("lead")
    html = client.get("/themes/").content.decode()
    assert "Card not arrived" in html and "app · crash" not in html
    assert "1 emerging theme to review" in html
    inbox = client.get("/themes/emerging/").content.decode()
    assert "app · crash" in inbox and "The app crashes" in inbox


def test_the_theme_page_shows_quotes_a_chart_and_curation_for_leads_only(client_for, themes):
    url = f"/themes/{themes['cards'].pk}/"
    lead_html = client_for("lead").get(url).content.decode()
    hq_html = client_for("hq").get(url).content.decode()
    assert "My card has not arrived" in lead_html and "<svg" in lead_html
    assert "Curate" in lead_html and "Curate" not in hq_html


@pytest.mark.parametrize("role", ROLES)
def test_only_leads_can_curate_through_the_pages(client_for, themes, role):
    response = client_for(role).post(f"/themes/{themes['proposal'].pk}/accept/", {"name": "App crashes"})
    themes["proposal"].refresh_from_db()
    if role == "lead":
        assert response.status_code == 302 and themes["proposal"].status == "accepted"
        assert themes["proposal"].name == "App crashes"
    else:
        assert response.status_code == 403 and themes["proposal"].status == "proposed"


def test_a_lead_names_a_theme_in_english_and_spanish_and_each_reader_sees_their_own(client_for, themes):
    cards = themes["cards"]
    lead = client_for("lead")
    lead.post(f"/themes/{cards.pk}/rename/", {"name": "Card not arrived", "name_es": "La tarjeta no llega"})
    cards.refresh_from_db()
    assert cards.name_es == "La tarjeta no llega"
    hq = client_for("hq")
    english = hq.get(f"/themes/{cards.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Card not arrived" in english
    hq.post("/language/", {"language": "es"})
    spanish = hq.get(f"/themes/{cards.pk}/").content.decode()
    assert "<h1>La tarjeta no llega" in spanish and "La tarjeta no llega" in hq.get("/themes/").content.decode()
    api = hq.get("/api/v1/themes/").json()["results"][0]
    assert (api["name"], api["name_es"], api["label"]) == (
        "Card not arrived",
        "La tarjeta no llega",
        "La tarjeta no llega",
    )


def test_merging_through_the_page_and_undoing_it(client_for, themes):
    client = client_for("lead")
    response = client.post(f"/themes/{themes['proposal'].pk}/merge/", {"target": themes["cards"].pk}, follow=True)
    assert "You can undo it" in response.content.decode()
    change = themes["cards"].history.get(action="merged")
    client.post(f"/themes/{themes['cards'].pk}/undo/", {"change": change.pk})
    themes["proposal"].refresh_from_db()
    assert themes["proposal"].status == "proposed"


def test_a_curation_error_is_shown_not_raised(client_for, themes):
    response = client_for("lead").post(f"/themes/{themes['cards'].pk}/split/", {"name": "Nothing"}, follow=True)
    assert response.status_code == 200 and "Choose notes of this theme" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_the_themes_api_lists_accepted_themes_with_weekly_counts(client_for, themes, role):
    response = client_for(role).get("/api/v1/themes/")
    if role not in VIEWERS:
        assert response.status_code == 403
        return
    body = response.json()
    assert [t["name"] for t in body["results"]] == ["Card not arrived"]
    assert body["results"][0]["notes"] == 3 and len(body["results"][0]["weekly"]) == 8


@pytest.mark.parametrize("role", ROLES)
def test_merge_and_split_through_the_api_are_for_leads(client_for, themes, role):
    client = client_for(role)
    note_id = themes["cards"].assignments.first().note_id
    split = client.post(
        f"/api/v1/themes/{themes['cards'].pk}/split/",
        {"note_ids": [note_id], "name": "Late"},
        content_type="application/json",
    )
    merge = client.post(
        f"/api/v1/themes/{themes['proposal'].pk}/merge/", {"into": themes["cards"].pk}, content_type="application/json"
    )
    if role == "lead":
        assert split.status_code == 201 and split.json()["name"] == "Late"
        assert merge.status_code == 200 and merge.json()["id"] == themes["cards"].pk
    else:
        assert (split.status_code, merge.status_code) == (403, 403)


def test_api_curation_errors_are_400s(client_for, themes):
    client = client_for("lead")
    pk = themes["cards"].pk
    itself = client.post(f"/api/v1/themes/{pk}/merge/", {"into": pk}, content_type="application/json")
    assert itself.status_code == 400 and "into itself" in itself.json()["target"][0]
    empty = client.post(f"/api/v1/themes/{pk}/split/", {"note_ids": [], "name": "x"}, content_type="application/json")
    assert empty.status_code == 400 and "note_ids" in empty.json()
    junk = client.post(f"/api/v1/themes/{pk}/merge/", "{", content_type="application/json")
    assert junk.status_code == 400


def test_anonymous_callers_get_401_from_the_themes_api():
    assert Client().get("/api/v1/themes/").status_code == 401


@pytest.mark.parametrize("change", ["abc", "99999999999999999999", ""])
def test_undo_with_a_nonsense_change_id_is_a_message_not_a_500(client_for, themes, change):
    response = client_for("lead").post(f"/themes/{themes['cards'].pk}/undo/", {"change": change}, follow=True)
    assert response.status_code == 200 and "Unknown change" in response.content.decode()


def test_curation_never_redirects_off_site(client_for, themes):
    response = client_for("lead").post(
        f"/themes/{themes['cards'].pk}/rename/", {"name": "X", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"/themes/{themes['cards'].pk}/"


def test_a_lead_sees_only_their_sites_notes_on_a_theme_page(client_for, themes, make_note, other_site_agent):
    far = make_note("Far away note about cards", axis=0, agent=other_site_agent)
    Assignment.objects.create(note=far, theme=themes["cards"], method="person")
    assert "Far away note" not in client_for("lead").get(f"/themes/{themes['cards'].pk}/").content.decode()
    assert "Far away note" in client_for("hq").get(f"/themes/{themes['cards'].pk}/").content.decode()


def test_a_lead_searches_a_themes_notes_and_splits_every_match_across_pages(client_for, themes, make_note):
    cards = themes["cards"]
    for i in range(30):  # more than a page
        Assignment.objects.create(note=make_note(f"Apple Pay refused my card {i}", axis=0), theme=cards, method="auto")
    client = client_for("lead")
    page = client.get(f"/themes/{cards.pk}/", {"q": "apple pay"})
    assert page.context["page"].paginator.count == 30 and page.context["page"].paginator.num_pages == 2
    assert "all 30 notes shown, on every page" in page.content.decode()
    client.post(f"/themes/{cards.pk}/split/", {"everything": "on", "q": "apple pay", "name": "Apple Pay refused"})
    new = Theme.objects.get(name="Apple Pay refused")
    assert new.assignments.count() == 30
    assert cards.assignments.count() == 3  # the notes that did not match stay
