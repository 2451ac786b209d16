"""The capture pages as each role meets them: quick form, my notes, leads' view, contact details."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from tests.conftest import ROLES
from voc.models import AuditEntry, Insight, Tally
from voc.notes import services

pytestmark = pytest.mark.django_db

PAGES = [
    ("/notes/new/", {"agent", "lead"}),
    ("/notes/mine/", {"agent", "lead"}),
    ("/notes/", {"lead"}),
    ("/notes/export.csv", {"lead"}),
    ("/notes/export.xlsx", {"lead"}),
    ("/notes/import/", {"lead"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "allowed"), PAGES)
def test_each_notes_page_answers_each_role_as_designed(client_for, role, url, allowed):
    assert client_for(role).get(url).status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize(("url", "_allowed"), PAGES)
def test_notes_pages_need_a_sign_in(url, _allowed):
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def post_note(client, **overrides):
    data = {"text": "My new card has not arrived", "kind": "frustration", "channel": "chat"} | overrides
    return client.post("/notes/new/", data, follow=True)


def test_an_agent_logs_a_note_and_sees_what_was_removed(client_for, agent):
    response = post_note(client_for("agent"), text="Card 4111111111111111 never arrived")
    assert response.status_code == 200
    assert "Personal data was removed before storing: card numbers: 1" in response.content.decode()
    stored = Insight.objects.get()
    assert stored.agent == agent and stored.text == "Card [CARD] never arrived" and stored.channel == "chat"


def test_the_form_remembers_the_last_channel(client_for):
    client = client_for("agent")
    post_note(client, channel="sms")
    html = client.get("/notes/new/").content.decode()
    assert '<option value="sms" selected>' in html


def test_bad_input_re_shows_what_was_typed_with_the_error_next_to_the_field(client_for):
    client = client_for("agent")
    response = client.post("/notes/new/", {"text": "Wants a branch in Lugo", "kind": "rant", "channel": "phone"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Wants a branch in Lugo" in html
    assert "Select a valid choice" in html
    assert Insight.objects.count() == 0


def test_a_future_date_is_refused_next_to_the_date(client_for):
    response = post_note(client_for("agent"), occurred_at="2999-01-01T10:00")
    html = response.content.decode()
    assert "cannot be about the future" in html and "My new card has not arrived" in html
    assert Insight.objects.count() == 0


def test_preview_shows_what_will_be_stored_without_saving(client_for):
    response = client_for("agent").post(
        "/notes/new/", {"text": "Mail me at ana@example.com", "kind": "need", "channel": "phone", "preview": "1"}
    )
    html = response.content.decode()
    assert "Mail me at [EMAIL]" in html and "Will be stored as" in html
    assert Insight.objects.count() == 0


def test_html_in_a_note_is_shown_as_text(client_for):
    client = client_for("agent")
    post_note(client, text="<script>alert('x')</script> app crashed")
    html = client.get("/notes/mine/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; app crashed" in html


def test_a_complaint_with_contact_details_keeps_them_apart(client_for):
    response = post_note(
        client_for("agent"),
        kind="complaint",
        text="Charged twice for insurance",
        contact_name="Ana Pérez",
        contact_phone="+34 600 000 001",
        contact_consent="on",
    )
    assert response.status_code == 200
    stored = Insight.objects.get()
    assert stored.contact.name == "Ana Pérez"


def test_a_complaint_contact_without_consent_is_refused_and_nothing_is_lost(client_for):
    response = post_note(
        client_for("agent"), kind="complaint", text="Charged twice", contact_name="Ana", contact_phone="600"
    )
    html = response.content.decode()
    assert "consent" in html and "Charged twice" in html and 'value="Ana"' in html
    assert Insight.objects.count() == 0


def test_typing_assistance_previews_and_finds_similar_notes(client_for, colleague):
    services.record_note(
        agent=colleague, kind="frustration", text="New card has not arrived after two weeks", channel="phone"
    )
    services.record_note(agent=colleague, kind="love", text="Loves the new savings pots", channel="phone")
    response = client_for("agent").post("/notes/assist/", {"text": "card not arrived, call 612 345 678"})
    body = response.json()
    assert body["preview"]["text"] == "card not arrived, call [PHONE]"
    assert body["preview"]["found"] == {"PHONE": 1}
    assert [s["text"] for s in body["similar"]] == ["New card has not arrived after two weeks"]


def test_typing_assistance_is_post_only(client_for):
    assert client_for("agent").get("/notes/assist/?text=secret").status_code == 405


def test_plus_one_counts_instead_of_a_new_note(client_for, agent, colleague):
    stored, _ = services.record_note(agent=colleague, kind="want", text="Wants Apple Pay", channel="phone")
    response = client_for("agent").post(f"/notes/{stored.pk}/plus-one/", {"channel": "chat"}, follow=True)
    assert "Counted: +1" in response.content.decode()
    tally = Tally.objects.get()
    assert tally.agent == agent and tally.channel == "chat" and tally.site == agent.site
    assert Insight.objects.count() == 1


def test_another_sites_note_is_not_found_for_a_plus_one(client_for, other_site_agent):
    stored, _ = services.record_note(agent=other_site_agent, kind="want", text="Wants Apple Pay", channel="phone")
    answer = client_for("agent").post(
        f"/notes/{stored.pk}/plus-one/", {"channel": "chat"}, HTTP_ACCEPT="application/json"
    )
    assert answer.status_code == 404 and not Tally.objects.exists()


@pytest.mark.parametrize("role", ["hq", "executive", "admin"])
def test_roles_without_calls_cannot_plus_one(client_for, other_site_agent, role):
    stored, _ = services.record_note(agent=other_site_agent, kind="want", text="Wants Apple Pay", channel="phone")
    assert client_for(role).post(f"/notes/{stored.pk}/plus-one/", {"channel": "chat"}).status_code == 403


def test_my_notes_shows_only_my_notes_and_filters_them(client_for, agent, other_site_agent):
    services.record_note(agent=agent, kind="love", text="Loves the app", channel="phone")
    services.record_note(agent=agent, kind="need", text="Needs a loan", channel="phone")
    services.record_note(agent=other_site_agent, kind="love", text="Someone else's love", channel="phone")
    client = client_for("agent")
    html = client.get("/notes/mine/").content.decode()
    assert "Loves the app" in html and "Needs a loan" in html and "Someone else" not in html
    filtered = client.get("/notes/mine/?kind=love&q=app").content.decode()
    assert "Loves the app" in filtered and "Needs a loan" not in filtered


def test_my_notes_page_costs_the_same_queries_for_many_notes(client_for, agent, django_assert_max_num_queries):
    for i in range(30):
        services.record_note(agent=agent, kind="need", text=f"Need number {i}", channel="phone")
    client = client_for("agent")
    with django_assert_max_num_queries(8):
        response = client.get("/notes/mine/")
    assert response.status_code == 200 and "Page 1 of 2" in response.content.decode()


def test_an_agent_edits_and_withdraws_their_own_note(client_for, agent):
    stored, _ = services.record_note(agent=agent, kind="need", text="Needs a loan", channel="phone")
    client = client_for("agent")
    client.post(f"/notes/{stored.pk}/edit/", {"text": "Needs a mortgage", "kind": "need", "channel": "email"})
    stored.refresh_from_db()
    assert stored.text == "Needs a mortgage" and stored.channel == "email"
    client.post(f"/notes/{stored.pk}/withdraw/")
    stored.refresh_from_db()
    assert stored.status == "withdrawn"


def test_an_agent_cannot_open_another_agents_note_for_editing(client_for, other_site_agent):
    stored, _ = services.record_note(agent=other_site_agent, kind="need", text="Needs a loan", channel="phone")
    client = client_for("agent")
    assert client.get(f"/notes/{stored.pk}/edit/").status_code == 404
    assert client.post(f"/notes/{stored.pk}/withdraw/").status_code == 404


def test_a_lead_sees_every_note_of_their_site_but_not_of_another(client_for, agent, other_site_agent):
    services.record_note(agent=agent, kind="need", text="Madrid note", channel="phone")
    services.record_note(agent=other_site_agent, kind="need", text="Manchester note", channel="phone")
    html = client_for("lead").get("/notes/").content.decode()
    assert "Madrid note" in html and "Manchester note" not in html


def test_a_lead_withdraws_notes_in_bulk(client_for, agent):
    ids = [services.record_note(agent=agent, kind="need", text=f"Note {i}", channel="phone")[0].pk for i in range(3)]
    response = client_for("lead").post("/notes/", {"note": ids[:2], "action": "withdraw"}, follow=True)
    assert "2 notes withdrawn" in response.content.decode()
    assert Insight.objects.active().count() == 1


def test_the_leads_list_costs_the_same_queries_for_many_notes(client_for, agent, django_assert_max_num_queries):
    for i in range(40):
        services.record_note(agent=agent, kind="need", text=f"Need number {i}", channel="phone")
    client = client_for("lead")
    with django_assert_max_num_queries(10):
        assert client.get("/notes/").status_code == 200


def test_the_csv_export_is_redacted_filtered_and_has_no_contact_details(client_for, agent, other_site_agent):
    services.record_note(
        agent=agent,
        kind="complaint",
        text="Charged twice, card 4111111111111111",
        channel="phone",
        contact=services.ContactDetails(name="Ana Pérez", phone="600000001", consent=True),
    )
    services.record_note(agent=agent, kind="love", text="Loves the app", channel="chat")
    services.record_note(agent=other_site_agent, kind="complaint", text="Other site", channel="phone")
    response = client_for("lead").get("/notes/export.csv?kind=complaint")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["text"] for r in rows] == ["Charged twice, card [CARD]"]
    assert "Ana" not in body and "600000001" not in body
    assert AuditEntry.objects.filter(action="notes.exported").count() == 1


def test_contact_details_open_for_the_sites_lead_only_and_every_view_is_audited(client_for, agent, cast):
    stored, _ = services.record_note(
        agent=agent,
        kind="complaint",
        text="Charged twice",
        channel="phone",
        contact=services.ContactDetails(name="Ana Pérez", phone="600000001", consent=True),
    )
    url = f"/notes/{stored.pk}/contact/"
    response = client_for("lead").get(url)
    assert response.status_code == 200 and "Ana Pérez" in response.content.decode()
    entry = AuditEntry.objects.get(action="contact.viewed")
    assert entry.actor == cast["lead"] and entry.object_id == str(stored.pk)
    for role in ["agent", "hq", "executive", "admin"]:
        assert client_for(role).get(url).status_code == 403
    assert AuditEntry.objects.filter(action="contact.viewed").count() == 1


def test_a_lead_of_another_site_cannot_open_contact_details(other_site_agent, client_for):
    stored, _ = services.record_note(
        agent=other_site_agent,
        kind="complaint",
        text="Charged twice",
        channel="phone",
        contact=services.ContactDetails(name="Amy", email="amy@example.com", consent=True),
    )
    assert client_for("lead").get(f"/notes/{stored.pk}/contact/").status_code == 403


def test_a_text_heard_many_times_is_suggested_once(client_for, colleague):
    for _ in range(3):
        services.record_note(agent=colleague, kind="want", text="Wants Apple Pay on the card", channel="phone")
    similar = client_for("agent").post("/notes/assist/", {"text": "apple pay card"}).json()["similar"]
    assert [s["text"] for s in similar] == ["Wants Apple Pay on the card"]


@pytest.mark.parametrize("junk", ["²", "99999999999999999999", "x"])
def test_bulk_actions_ignore_ids_that_are_not_ids(client_for, agent, junk):
    response = client_for("lead").post("/notes/", {"note": [junk], "action": "withdraw"}, follow=True)
    assert response.status_code == 200 and "Choose notes and an action" in response.content.decode()


def test_the_site_filter_refuses_nonsense(client_for):
    assert client_for("lead").get("/notes/?site=99999999999999999999").status_code == 200


def test_clearing_the_time_when_editing_keeps_the_notes_time(client_for, agent):
    stored, _ = services.record_note(agent=agent, kind="need", text="Needs a loan", channel="phone")
    before = stored.occurred_at
    client_for("agent").post(
        f"/notes/{stored.pk}/edit/", {"text": "Needs a loan", "kind": "need", "channel": "email", "occurred_at": ""}
    )
    stored.refresh_from_db()
    assert stored.occurred_at == before and stored.channel == "email"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"occurred_at": "1638-05-01 10:00"}, "older than 1 January 2000"),
        ({"text": "\u200b\u200c\u2060"}, "Write what the customer said"),
    ],
)
def test_the_capture_form_refuses_absurd_times_and_invisible_text(client_for, overrides, message):
    response = post_note(client_for("agent"), **overrides)
    assert message in response.content.decode()
    assert Insight.objects.count() == 0


def test_a_control_character_in_the_capture_form_is_a_400(client_for):
    assert post_note(client_for("agent"), text="Card\x01 lost").status_code == 400
    assert Insight.objects.count() == 0
