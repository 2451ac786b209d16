"""Monthly complaint cases: the assignment rules, every transition, reminders, privacy, audit."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from tests.factories import ComplaintCaseFactory, ComplaintContactFactory, ComplaintFactory, ThemeFactory, UserFactory
from voc.models import AuditEntry, CaseGap, ComplaintCase, ComplaintContact, Insight, ProductArea, User
from voc.programme.cases import services as cases

pytestmark = pytest.mark.django_db
MONTH = date(2026, 11, 1)
NOW = timezone.make_aware(datetime(2026, 11, 2, 8, 0))  # Monday, first working day of November


@pytest.fixture
def complaint(agent):
    """``complaint(text, email=…, area=…, days_ago=…)``: a complaint with consent to be contacted."""

    def make(
        text="You closed my account without warning",
        *,
        email="",
        phone="",
        account="",
        area=None,
        days_ago=5,
        consent=True,
    ):
        note = ComplaintFactory(agent=agent, text=text, product_area=area, occurred_at=NOW - timedelta(days=days_ago))
        ComplaintContactFactory(
            note=note,
            email=email or f"c{note.pk}@example.com",
            phone=phone,
            account=account,
            consent=consent,
        )
        return note

    return make


@pytest.fixture
def board(db):
    """Three executives: rank 1 (most senior), rank 2, and one without a rank."""
    return [
        UserFactory(username="ceo", role=User.Role.EXECUTIVE, rank=1),
        UserFactory(username="cfo", role=User.Role.EXECUTIVE, rank=2),
        UserFactory(username="cto", role=User.Role.EXECUTIVE, rank=None),
    ]


def assign(**kwargs):
    return cases.assign_monthly_cases(month=MONTH, now=NOW, **kwargs)


def test_the_most_senior_choose_first_and_get_the_longest_waiting_complaint(board, complaint, lead):
    old, newer, newest = complaint(days_ago=20), complaint(days_ago=10), complaint(days_ago=1)
    result = assign()
    assert [(c.executive.username, c.note_id) for c in result.assigned] == [
        ("ceo", old.pk),
        ("cfo", newer.pk),
        ("cto", newest.pk),
    ]
    case = result.assigned[0]
    assert case.buddy == lead and case.status == ComplaintCase.Status.ASSIGNED
    assert case.acknowledge_by == NOW + timedelta(days=2)  # two working days


def test_a_complaint_in_the_executives_remit_is_preferred(board, complaint):
    cards = ProductArea.objects.create(name="Cards")
    board[0].remit_areas.add(cards)
    other, in_remit = complaint(days_ago=20), complaint(area=cards, days_ago=2)
    result = assign()
    ceo_case = next(c for c in result.assigned if c.executive == board[0])
    assert ceo_case.note == in_remit and ceo_case.matched_remit
    assert next(c for c in result.assigned if c.executive == board[1]).note == other


def test_a_complaint_in_a_theme_the_executive_owns_is_preferred(board, complaint):
    from insights.models import Assignment

    theme = ThemeFactory(name="Closed accounts")
    theme.owners.add(board[1])
    first, owned = complaint(days_ago=20), complaint(days_ago=2)
    Assignment.objects.create(note=owned, theme=theme, method=Assignment.Method.AUTO)
    result = assign()
    assert {c.executive.username: c.note for c in result.assigned} == {"ceo": first, "cfo": owned}
    assert next(c for c in result.assigned if c.executive == board[1]).matched_remit


def test_nobody_gets_a_customer_they_handled_before(board, complaint):
    earlier = complaint(email="rosa@example.com", days_ago=50)
    ComplaintCaseFactory(month=date(2026, 10, 1), executive=board[0], note=earlier, acknowledge_by=NOW)
    same_customer = complaint(email="ROSA@example.com", days_ago=20)
    stranger = complaint(days_ago=3)
    result = assign()
    assert next(c for c in result.assigned if c.executive == board[0]).note == stranger
    assert next(c for c in result.assigned if c.executive == board[1]).note == same_customer


def test_one_customer_who_complained_twice_is_not_given_to_two_executives_in_one_month(board, complaint):
    complaint(email="rosa@example.com", days_ago=20)
    complaint(email="rosa@example.com", days_ago=3)
    result = assign()
    assert [c.executive for c in result.assigned] == [board[0]]
    assert CaseGap.objects.get(executive=board[1]).reason == CaseGap.Reason.SHORTAGE


def test_the_same_customer_is_recognised_by_phone_or_account_too():
    a = ComplaintContact(email="", phone="+34 612 345 678", account="")
    b = ComplaintContact(email="", phone="612345678", account="")
    c = ComplaintContact(email="x@y.z", phone="", account="ES-77")
    assert cases.customer_keys(a) & cases.customer_keys(b)
    assert not cases.customer_keys(a) & cases.customer_keys(c)


def test_a_shortage_is_recorded_with_who_got_none_and_why(board, complaint):
    complaint(days_ago=3)
    complaint(days_ago=2, consent=False)  # the customer did not agree to be contacted
    result = assign()
    assert [c.executive for c in result.assigned] == [board[0]]
    gaps = {g.executive.username: g for g in CaseGap.objects.filter(month=MONTH)}
    assert set(gaps) == {"cfo", "cto"} and gaps["cfo"].reason == CaseGap.Reason.SHORTAGE
    with translation.override("es"):
        assert gaps["cfo"].get_reason_display().startswith("No hay suficientes")  # stored as a code, shown translated


def test_assigning_twice_changes_nothing_and_a_later_run_fills_the_gaps(board, complaint):
    complaint(days_ago=3)
    first = assign()
    second = assign()
    assert len(first.assigned) == 1 and second.assigned == [] and second.already == 1
    assert ComplaintCase.objects.count() == 1
    complaint(days_ago=0)
    third = assign()
    assert [c.executive for c in third.assigned] == [board[1]]
    assert not CaseGap.objects.filter(executive=board[1]).exists()


def test_old_complaints_and_withdrawn_ones_are_not_assigned(board, complaint):
    complaint(days_ago=200)
    withdrawn = complaint(days_ago=2)
    Insight.objects.filter(pk=withdrawn.pk).update(status=Insight.Status.WITHDRAWN, withdrawn_at=NOW)
    assert assign().assigned == []


def test_a_future_month_is_refused():
    with pytest.raises(cases.DomainError, match="has not started"):
        cases.assign_monthly_cases(month=date(2026, 12, 1), now=NOW)


@pytest.fixture
def case(board, complaint, lead) -> ComplaintCase:
    complaint(days_ago=3)
    return assign().assigned[0]


def test_the_executive_walks_the_case_to_resolved_and_the_timeline_shows_it(case, board):
    ceo = board[0]
    cases.acknowledge_case(case=case, by=ceo)
    cases.record_customer_contacted(case=case, by=ceo, text="Called her, she was calm")
    cases.add_case_note(case=case, by=case.buddy, text="I sent the letter template")
    cases.resolve_case(
        case=case,
        by=ceo,
        root_cause="process",
        action_taken="Refunded and changed the rule",
        outcome="satisfied",
        learned="Closing accounts without a call feels brutal",
    )
    case.refresh_from_db()
    assert case.status == ComplaintCase.Status.RESOLVED and case.closed_at and case.learned.startswith("Closing")
    assert [e.action for e in case.events.all()] == ["assigned", "acknowledged", "contacted", "note", "resolved"]


def test_what_the_executive_learned_is_redacted_before_it_is_stored(case, board):
    """The learning is published in the newsletter and the pack, so personal data never enters it."""
    ceo = board[0]
    cases.acknowledge_case(case=case, by=ceo)
    cases.resolve_case(
        case=case,
        by=ceo,
        root_cause="communication",
        action_taken="Called back",
        outcome="satisfied",
        learned="Ana (ana.lopez@example.com, +34 612 345 678) waited a week for a reply",
    )
    case.refresh_from_db()
    assert case.learned == "Ana ([EMAIL], [PHONE]) waited a week for a reply"
    assert case.events.get(action="resolved").text == case.learned


def test_acknowledging_someone_elses_case_is_refused_without_side_effects(case, board):
    with pytest.raises(cases.DomainError, match="assigned to someone else"):
        cases.acknowledge_case(case=case, by=board[1])
    case.refresh_from_db()
    assert case.status == ComplaintCase.Status.ASSIGNED and case.events.count() == 1


def test_resolving_without_a_root_cause_is_refused(case, board):
    cases.acknowledge_case(case=case, by=board[0])
    with pytest.raises(cases.DomainError, match="root cause") as error:
        cases.resolve_case(case=case, by=board[0], root_cause="", action_taken="x", outcome="satisfied")
    assert error.value.field == "root_cause"
    case.refresh_from_db()
    assert case.status == ComplaintCase.Status.ACKNOWLEDGED


def test_steps_out_of_order_are_refused(case, board):
    with pytest.raises(cases.DomainError, match="does not apply"):
        cases.resolve_case(case=case, by=board[0], root_cause="process", action_taken="x", outcome="satisfied")
    with pytest.raises(cases.DomainError, match="does not apply"):
        cases.record_customer_contacted(case=case, by=board[0])


def test_handing_back_needs_a_reason(case, board):
    with pytest.raises(cases.DomainError, match="why"):
        cases.hand_back_case(case=case, by=board[0], reason=" ")
    cases.hand_back_case(case=case, by=board[0], reason="The customer asked to deal with the branch")
    case.refresh_from_db()
    assert case.status == ComplaintCase.Status.HANDED_BACK and not case.is_open


def test_only_the_executive_and_the_buddy_write_on_the_timeline(case, board, hq):
    with pytest.raises(cases.DomainError, match="Only the executive and the buddy"):
        cases.add_case_note(case=case, by=board[1], text="hello")


def test_reminders_then_escalation_each_once_with_a_frozen_clock(case, board, admin_user, time_machine):
    board[0].email = "ceo@example.com"
    board[0].save()
    mail.outbox.clear()
    time_machine.move_to(NOW + timedelta(days=1))
    assert cases.send_reminders() == {"reminded": 0, "escalated": 0}  # not yet due
    time_machine.move_to(NOW + timedelta(days=2, hours=2))  # Wednesday, past the target
    assert cases.send_reminders() == {"reminded": 1, "escalated": 0}
    assert cases.send_reminders() == {"reminded": 0, "escalated": 0}  # run twice: one reminder
    assert [m.to for m in mail.outbox] == [["ceo@example.com"]] and "acknowledge" in mail.outbox[0].subject
    time_machine.move_to(NOW + timedelta(days=4, hours=2))  # four working days on
    assert cases.send_reminders() == {"reminded": 0, "escalated": 1}
    assert cases.send_reminders() == {"reminded": 0, "escalated": 0}
    escalations = [m for m in mail.outbox if "ceo@example.com" not in m.to]
    assert {tuple(m.to) for m in escalations} == {(admin_user.email,), (case.buddy.email,)}
    to_admin = next(m for m in escalations if m.to == [admin_user.email])
    assert f"/admin/voc/complaintcase/{case.pk}/change/" in to_admin.body
    assert AuditEntry.objects.filter(action="case.escalated").count() == 1


def test_a_reminder_that_cannot_be_sent_is_tried_again_and_the_others_still_go(case, board, time_machine, monkeypatch):
    time_machine.move_to(NOW + timedelta(days=2, hours=2))  # past the acknowledgement target
    real_mail = cases._mail

    def server_down(user, template, context):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(cases, "_mail", server_down)
    assert cases.send_reminders() == {"reminded": 0, "escalated": 0}
    case.refresh_from_db()
    assert case.reminded_at is None  # the claim was given back
    monkeypatch.setattr(cases, "_mail", real_mail)
    assert cases.send_reminders() == {"reminded": 1, "escalated": 0}


def test_an_admin_opens_an_escalated_case_in_the_admin_without_the_customers_details(case, admin_user, client):
    client.force_login(admin_user)
    response = client.get(f"/admin/voc/complaintcase/{case.pk}/change/")
    assert response.status_code == 200 and str(case.executive) in response.text
    contact = case.note.contact
    assert contact.email and contact.email not in response.text and contact.name not in response.text


def test_an_acknowledged_case_is_reminded_weekly_while_open(case, board, time_machine):
    time_machine.move_to(NOW + timedelta(hours=1))
    cases.acknowledge_case(case=case, by=board[0])
    time_machine.move_to(NOW + timedelta(days=8))
    assert cases.send_reminders()["reminded"] == 1
    time_machine.move_to(NOW + timedelta(days=10))
    assert cases.send_reminders()["reminded"] == 0
    time_machine.move_to(NOW + timedelta(days=16))
    assert cases.send_reminders()["reminded"] == 1


def test_the_assignment_emails_the_executive_and_the_buddy_from_a_worker(
    board, complaint, lead, django_capture_on_commit_callbacks, monkeypatch
):
    from voc import tasks

    complaint(days_ago=3)
    mail.outbox.clear()
    queued = []
    monkeypatch.setattr(tasks.notify_case_assigned, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        case = assign().assigned[0]
    assert queued == [(case.pk, "executive"), (case.pk, "buddy")] and not mail.outbox  # nothing mailed in the job
    for args in queued:
        tasks.notify_case_assigned(*args)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([board[0].email, lead.email])


def test_a_closed_cases_timeline_is_kept_as_it_is(case, board):
    cases.hand_back_case(case=case, by=board[0], reason="A conflict of interest")
    with pytest.raises(cases.DomainError, match="closed"):
        cases.add_case_note(case=case, by=board[0], text="One more thing")
    assert case.events.count() == 2


def test_the_command_assigns_and_a_second_run_says_there_is_nothing_to_do(board, complaint, time_machine):
    time_machine.move_to(NOW)
    complaint(days_ago=3)
    from io import StringIO

    out = StringIO()
    call_command("complaints", "assign", "--month", "2026-11", stdout=out)
    assert "1 case(s) assigned" in out.getvalue() and "gets no case" in out.getvalue()
    out = StringIO()
    call_command("complaints", "assign", "--month", "2026-11", stdout=out)
    assert "1 executive(s) already had a case" in out.getvalue() and ComplaintCase.objects.count() == 1
    with pytest.raises(CommandError, match="not a month"):
        call_command("complaints", "assign", "--month", "November")
