"""Case pages and /api/v1/cases/ for every role; contact details only for the case's people, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ComplaintCaseFactory, ComplaintContactFactory, ComplaintFactory, UserFactory
from voc.models import AuditEntry, ComplaintCase, User

pytestmark = pytest.mark.django_db
ROLES = ["agent", "lead", "hq", "executive", "admin"]


def open_case(agent: User, executive: User, buddy: User, text: str, **contact) -> ComplaintCase:
    """A complaint by ``agent`` two days ago, its customer's contact, and this month's case."""
    note = ComplaintFactory(agent=agent, text=text, occurred_at=timezone.now() - timedelta(days=2))
    ComplaintContactFactory(note=note, **contact)
    return ComplaintCaseFactory(executive=executive, note=note, buddy=buddy)


# A canary no page carries by chance (not a timestamp's digits): as typed, and as a digit run.
PHONE = "+34 699 731 482"


def _no_phone(text: str) -> bool:
    return "699 731 482" not in text and "699731482" not in text


@pytest.fixture
def case(agent, executive, lead) -> ComplaintCase:
    return open_case(
        agent,
        executive,
        lead,
        "Nobody called me back about the <b>fraud</b>",
        name="Rosa Díaz",
        phone=PHONE,
        email="rosa@example.com",
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_case_list_and_page_are_for_the_executive_and_the_buddy(role, client_for, case):
    listing = client_for(role).get(reverse("case_list"))
    page = client_for(role).get(reverse("case_detail", args=[case.pk]))
    if role in ("executive", "lead"):
        assert listing.status_code == 200 and "Nobody called me back" in listing.text
        assert "Rosa" not in listing.text and "R••••" in listing.text  # masked in lists
        assert page.status_code == 200 and "&lt;b&gt;fraud&lt;/b&gt;" in page.text and _no_phone(page.text)
    else:
        assert listing.status_code == 403 and page.status_code == 403


def test_another_executive_cannot_open_the_case(client, case):
    other = UserFactory(username="cfo", role=User.Role.EXECUTIVE)
    client.force_login(other)
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("case_contact", args=[case.pk])).status_code == 404
    assert client.post(reverse("case_acknowledge", args=[case.pk])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_contact_details_are_shown_to_the_executive_and_buddy_and_every_view_is_audited(role, client_for, case, cast):
    response = client_for(role).get(reverse("case_contact", args=[case.pk]))
    if role in ("executive", "lead"):
        assert response.status_code == 200 and PHONE in response.text
        entry = AuditEntry.objects.get(action="contact.viewed")
        assert entry.actor == cast[role] and entry.object_id == str(case.note_id)
    else:
        assert response.status_code == 403 and not AuditEntry.objects.filter(action="contact.viewed").exists()


def test_the_executive_acknowledges_from_the_page_and_the_buddy_cannot(client_for, case):
    assert client_for("lead").post(reverse("case_acknowledge", args=[case.pk]), follow=True).status_code == 200
    case.refresh_from_db()
    assert case.status == ComplaintCase.Status.ASSIGNED
    client_for("executive").post(reverse("case_acknowledge", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == ComplaintCase.Status.ACKNOWLEDGED


def test_resolving_without_a_root_cause_reshows_the_form_with_what_was_typed(client_for, case, executive):
    client = client_for("executive")
    client.post(reverse("case_acknowledge", args=[case.pk]))
    data = {"root_cause": "", "outcome": "satisfied", "action_taken": "Refunded the fee", "learned": "Listen first"}
    response = client.post(reverse("case_resolve", args=[case.pk]), data)
    assert response.status_code == 400 and "Choose the root cause" in response.text
    assert "Refunded the fee" in response.text and "Listen first" in response.text
    data["root_cause"] = "process"
    assert client.post(reverse("case_resolve", args=[case.pk]), data).status_code == 302
    case.refresh_from_db()
    assert case.status == ComplaintCase.Status.RESOLVED and case.root_cause == "process"


def test_an_unknown_step_is_not_found_not_an_error(client_for, case):
    assert client_for("executive").post(f"/cases/{case.pk}/teleport/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_api_shows_own_and_supported_cases_and_head_office_none(role, client_for, case):
    response = client_for(role).get("/api/v1/cases/")
    if role in ("executive", "lead"):
        assert response.status_code == 200
        (row,) = response.json()["results"]
        assert row["id"] == case.pk and row["customer"] == "R••••" and _no_phone(response.text)
        assert client_for(role).get(f"/api/v1/cases/{case.pk}/").status_code == 200
    else:
        assert response.status_code == 403


@pytest.fixture
def many_cases(agent, lead, case) -> list[ComplaintCase]:
    """Thirty more cases of the lead's site, each with its own executive and a contact."""
    return [
        open_case(
            agent,
            UserFactory(username=f"exec{i}", role=User.Role.EXECUTIVE),
            lead,
            f"Complaint number {i} about a late refund",
            name=f"Customer {i}",
            email=f"c{i}@example.com",
        )
        for i in range(30)
    ]


def test_the_case_list_and_the_api_use_a_fixed_number_of_queries(client_for, many_cases, django_assert_max_num_queries):
    client = client_for("lead")
    with django_assert_max_num_queries(12):
        listing = client.get(reverse("case_list"))
    assert listing.status_code == 200 and listing.text.count("late refund") >= 19 and "Page 1 of 2" in listing.text
    with django_assert_max_num_queries(10):
        api = client.get("/api/v1/cases/")
    assert api.status_code == 200 and api.json()["count"] == 31
