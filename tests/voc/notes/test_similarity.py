"""The typing assistant's similar notes: only notes of the person's own sites, never a vulnerable
customer's, never withdrawn ones; and "+1" only on what could be suggested."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from voc.errors import DomainError
from voc.models import Tally, User
from voc.notes import services
from voc.notes.similarity import similar_notes

pytestmark = pytest.mark.django_db

TYPED = "Customer wants the quokkaplan savings pot"


@pytest.fixture
def notes(agent, colleague, other_site_agent):
    """One note of each kind the assistant must or must not show, all saying the same thing."""

    def record(author, text, **flags):
        note, _created = services.record_note(agent=author, kind="want", text=text, channel="phone", **flags)
        return note

    made = {
        "madrid": record(colleague, "Wants a quokkaplan savings pot (madrid)"),
        "madrid_vulnerable": record(colleague, "Wants a quokkaplan savings pot (vulnerable)", vulnerable=True),
        "madrid_withdrawn": record(colleague, "Wants a quokkaplan savings pot (withdrawn)"),
        "manchester": record(other_site_agent, "Wants a quokkaplan savings pot (manchester)"),
    }
    services.withdraw_notes(notes=[made["madrid_withdrawn"]], by=colleague)
    return made


def suggested(client, notes) -> set[str]:
    response = client.post("/notes/assist/", {"text": TYPED})
    assert response.status_code == 200
    by_id = {note.pk: name for name, note in notes.items()}
    return {by_id[s["id"]] for s in response.json()["similar"]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [("agent", {"madrid"}), ("lead", {"madrid"})],
)
def test_the_assistant_suggests_only_the_sites_visible_unvulnerable_active_notes(client_for, notes, role, expected):
    assert suggested(client_for(role), notes) == expected


def test_an_agent_of_the_other_site_is_suggested_only_that_sites_notes(notes, other_site_agent, client):
    client.force_login(other_site_agent)
    assert suggested(client, notes) == {"manchester"}


def test_a_lead_of_both_sites_is_suggested_both_sites_notes(notes, lead, manchester, client):
    lead.lead_sites.add(manchester)
    client.force_login(lead)
    assert suggested(client, notes) == {"madrid", "manchester"}


@pytest.mark.parametrize("role", ["hq", "executive", "admin"])
def test_roles_that_log_no_notes_get_no_assistant(client_for, notes, role):
    assert client_for(role).post("/notes/assist/", {"text": TYPED}).status_code == 403


@pytest.mark.parametrize("role", ["hq", "executive", "admin"])
def test_roles_that_log_no_notes_are_suggested_nothing(cast, notes, role):
    assert similar_notes(TYPED, viewer=cast[role]) == []


def test_an_agent_without_a_site_is_suggested_nothing(notes):
    homeless = UserFactory(username="nomad", role=User.Role.AGENT)
    assert similar_notes(TYPED, viewer=homeless) == []


def test_a_note_out_of_sight_cannot_be_plus_oned_through_the_api(client_for, notes):
    client = client_for("agent")
    for name in ("manchester", "madrid_vulnerable"):
        url = f"/api/v1/notes/{notes[name].pk}/plus-one/"
        assert client.post(url, {"channel": "chat"}, content_type="application/json").status_code == 404
    assert not Tally.objects.exists()


def test_the_service_refuses_a_plus_one_on_another_sites_note(agent, notes):
    with pytest.raises(DomainError, match="own site"):
        services.add_tally(note=notes["manchester"], agent=agent, channel="phone")
    assert not Tally.objects.exists()
