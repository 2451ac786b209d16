"""The editorial flow and sending: approval rules, exactly one e-mail per recipient, retries."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from newsletter import delivery, services
from newsletter.models import Delivery, Issue, Subscription
from tests.factories import UserFactory
from tests.newsletter.conftest import TODAY, WEEK
from voc import outbox
from voc.models import Insight, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(add_notes) -> Issue:
    add_notes(5, caused_by_us=True, text="You charged me twice for the same transfer")
    add_notes(4, customer_abroad=True, text="I am abroad and the app will not let me log in")
    issue, _ = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    return issue


@pytest.fixture
def approved(issue, lead) -> Issue:
    issue.pdf.save("issue.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    issue.pdf_rendered_at = timezone.now()
    issue.save()
    return services.approve_issue(issue=issue, by=lead)


def changes_of(issue: Issue, **overrides) -> list[services.FactChange]:
    return [
        services.FactChange(
            fact_id=f.pk, position=f.position, included=f.included, sentence_en=f.sentence_en, sentence_es=f.sentence_es
        )
        for f in issue.facts.all()
    ]


def test_a_lead_reorders_drops_and_edits_facts_and_the_issue_becomes_reviewed(issue, lead):
    caused, abroad = issue.facts.get(key="caused_by_us"), issue.facts.get(key="abroad")
    services.review_issue(
        issue=issue,
        by=lead,
        editor_note="A calm week.",
        changes=[
            services.FactChange(caused.pk, 1, False, caused.sentence_en, caused.sentence_es),
            services.FactChange(abroad.pk, 0, True, "Customers abroad: 4.", "Clientes en el extranjero: 4."),
        ],
    )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.REVIEWED and issue.reviewed_by == lead and issue.editor_note == "A calm week."
    facts = list(issue.facts.all())
    assert [f.key for f in facts] == ["abroad", "caused_by_us"]
    assert facts[0].edited and facts[0].sentence_es == "Clientes en el extranjero: 4." and not facts[1].included


def test_dropping_every_fact_is_refused_and_changes_nothing(issue, lead):
    changes = [services.FactChange(f.pk, f.position, False, f.sentence_en, f.sentence_es) for f in issue.facts.all()]
    with pytest.raises(services.DomainError, match="at least one fact"):
        services.review_issue(issue=issue, by=lead, editor_note="", changes=changes)
    assert issue.facts.filter(included=True).count() == 2
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_an_empty_sentence_is_refused(issue, lead):
    fact = issue.facts.first()
    with pytest.raises(services.DomainError, match="English and in Spanish"):
        services.review_issue(
            issue=issue, by=lead, editor_note="", changes=[services.FactChange(fact.pk, 0, True, "  ", "x")]
        )


def test_approving_twice_is_refused(approved, lead):
    with pytest.raises(services.DomainError, match="already approved"):
        services.approve_issue(issue=approved, by=lead)


def test_an_approved_issue_can_no_longer_be_edited(approved, lead):
    with pytest.raises(services.DomainError, match="can no longer be edited"):
        services.review_issue(issue=approved, by=lead, editor_note="late", changes=changes_of(approved))


def test_sending_an_unapproved_issue_is_refused_and_creates_no_delivery(issue):
    with pytest.raises(services.DomainError, match="Only an approved issue"):
        services.send_issue(issue=issue)
    assert not Delivery.objects.exists()


def test_a_skipped_week_cannot_be_approved(add_notes, lead):
    add_notes(1)
    issue, _ = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    with pytest.raises(services.DomainError, match="nothing to approve"):
        services.approve_issue(issue=issue, by=lead)


def test_an_automatic_sending_time_in_the_past_is_refused(issue, lead):
    with pytest.raises(services.DomainError, match="future"):
        services.approve_issue(issue=issue, by=lead, send_at=timezone.now() - timedelta(minutes=1))


def test_due_issues_are_sent_once_their_time_has_come(issue, lead, time_machine):
    services.approve_issue(issue=issue, by=lead, send_at=timezone.now() + timedelta(hours=2))
    assert services.send_due_issues() == []
    assert services.send_due_issues(now=timezone.now() + timedelta(hours=3)) == [issue.pk]
    assert services.send_due_issues(now=timezone.now() + timedelta(hours=3)) == []
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_everyone_subscribed_gets_exactly_one_email_even_when_sending_runs_twice(approved, cast):
    nobody = UserFactory(username="noemail", email="")
    Subscription.objects.create(user=cast["hq"], weekly=False)
    created = services.send_issue(issue=approved)
    expected = {u.email for u in User.objects.filter(is_active=True).exclude(pk__in=[nobody.pk, cast["hq"].pk])}
    assert created == len(expected)
    assert services.send_issue(issue=Issue.objects.get(pk=approved.pk)) == 0  # resumes, creates nothing
    first = delivery.deliver_pending(issue=approved)
    second = delivery.deliver_pending(issue=approved)
    assert (first.sent, second.sent, first.retry_in) == (len(expected), 0, None)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(expected)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == len(expected)


def test_a_quote_whose_note_was_withdrawn_after_approval_is_not_sent(approved):
    fact = approved.facts.exclude(quote_note=None).first()
    Insight.objects.filter(pk=fact.quote_note_id).update(status=Insight.Status.WITHDRAWN, withdrawn_at=timezone.now())
    services.send_issue(issue=approved)
    fact.refresh_from_db()
    approved.refresh_from_db()
    assert fact.quote == "" and fact.quote_note is None
    assert approved.pdf_rendered_at is None  # the deliver task renders the PDF again before e-mailing


class WorkerDied(BaseException):
    """Stands for the process being killed: not an Exception, so nothing catches it."""


def test_a_send_interrupted_half_way_sends_the_rest_once(approved, cast, monkeypatch):
    services.send_issue(issue=approved)
    total = Delivery.objects.count()
    real_send, calls = mail.EmailMultiAlternatives.send, []

    def dies_on_third(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise WorkerDied
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", dies_on_third)
    with pytest.raises(WorkerDied):
        delivery.deliver_pending(issue=approved)
    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", real_send)
    assert len(mail.outbox) == 2 and Delivery.objects.filter(status=Delivery.Status.SENDING).count() == 1

    run = delivery.deliver_pending(issue=approved)  # a new worker picks up the job
    assert run.sent == total - 3 and len(mail.outbox) == total - 1
    # the one claimed when the worker died is retried only after its lease ran out
    Delivery.objects.filter(status=Delivery.Status.SENDING).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert delivery.deliver_pending(issue=approved).sent == 1
    assert len(mail.outbox) == total and len({m.to[0] for m in mail.outbox}) == total


def test_mail_server_errors_are_retried_with_backoff_and_refusals_fail_with_the_reason(approved, cast, monkeypatch):
    services.send_issue(issue=approved)
    refused, down = cast["agent"].email, cast["hq"].email

    def flaky(self, *args, **kwargs):
        if self.to[0] == refused:
            raise smtplib.SMTPRecipientsRefused({refused: (550, b"No such user")})
        if self.to[0] == down:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        mail.outbox.append(self)
        return 1

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", flaky)
    run = delivery.deliver_pending(issue=approved)
    failed = Delivery.objects.get(email=refused)
    waiting = Delivery.objects.get(email=down)
    assert failed.status == Delivery.Status.FAILED and "No such user" in failed.error
    assert (
        waiting.status == Delivery.Status.PENDING and waiting.attempts == 1 and waiting.next_attempt_at > timezone.now()
    )
    assert 0 < run.retry_in <= 60
    assert delivery.deliver_pending(issue=approved).sent == 0  # not due yet
    Delivery.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", lambda self, *a, **k: mail.outbox.append(self) or 1)
    assert delivery.deliver_pending(issue=approved).sent == 1
    assert [m.to[0] for m in mail.outbox].count(down) == 1


def test_a_delivery_fails_for_good_after_the_last_attempt(approved, monkeypatch):
    services.send_issue(issue=approved)
    Delivery.objects.update(attempts=outbox.MAX_ATTEMPTS - 1)

    def down(self, *args, **kwargs):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", down)
    run = delivery.deliver_pending(issue=approved)
    assert run.retry_in is None and not Delivery.objects.exclude(status=Delivery.Status.FAILED).exists()


def test_a_busy_mailbox_4xx_is_retried_and_a_5xx_refusal_is_final():
    assert not outbox.is_permanent_mail_error(smtplib.SMTPRecipientsRefused({"a@example.com": (452, b"Mailbox full")}))
    assert not outbox.is_permanent_mail_error(smtplib.SMTPDataError(421, b"Try again later"))
    assert outbox.is_permanent_mail_error(smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"No such user")}))
    assert outbox.is_permanent_mail_error(smtplib.SMTPSenderRefused(553, b"Sender rejected", "noreply@example.com"))
    assert not outbox.is_permanent_mail_error(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    assert not outbox.is_permanent_mail_error(ConnectionRefusedError("Connection refused"))


def test_a_delivery_left_sending_by_a_dead_worker_is_scheduled_for_when_its_lease_ends(approved, monkeypatch):
    services.send_issue(issue=approved)
    total = Delivery.objects.count()

    def dies_on_last(self, *args, **kwargs):
        if len(mail.outbox) == total - 1:
            raise WorkerDied
        mail.outbox.append(self)
        return 1

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", dies_on_last)
    with pytest.raises(WorkerDied):
        delivery.deliver_pending(issue=approved)
    run = delivery.deliver_pending(issue=approved)  # nothing pending, one left *sending*
    assert run.sent == 0
    assert delivery.LEASE.total_seconds() - 60 < run.retry_in <= delivery.LEASE.total_seconds()


def test_a_delivery_whose_last_attempt_died_fails_instead_of_being_retried_for_ever(approved):
    services.send_issue(issue=approved)
    stuck = Delivery.objects.first()
    Delivery.objects.filter(pk=stuck.pk).update(
        status=Delivery.Status.SENDING,
        attempts=outbox.MAX_ATTEMPTS,
        claimed_at=timezone.now() - delivery.LEASE - timedelta(minutes=1),
    )
    run = delivery.deliver_pending(issue=approved)
    stuck.refresh_from_db()
    assert stuck.status == Delivery.Status.FAILED and "last attempt" in stuck.error
    assert run.failed == 1 and run.sent == Delivery.objects.count() - 1 and run.retry_in is None
    assert stuck.email not in {m.to[0] for m in mail.outbox}


def test_a_worker_that_outlived_its_lease_does_not_overwrite_the_newer_claim(approved, monkeypatch):
    services.send_issue(issue=approved)
    Delivery.objects.exclude(pk=Delivery.objects.first().pk).delete()
    newer = timezone.now() + timedelta(seconds=1)

    def slow_then_down(self, *args, **kwargs):
        # while this worker waited on the mail server, its lease ran out and another worker claimed
        Delivery.objects.update(claimed_at=newer, attempts=2)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", slow_then_down)
    delivery.deliver_pending(issue=approved)
    row = Delivery.objects.get()
    assert (row.status, row.claimed_at, row.error) == (Delivery.Status.SENDING, newer, "")


def test_the_email_has_text_html_the_pdf_and_unsubscribe_in_the_readers_language(approved, cast):
    cast["hq"].language = "es"
    cast["hq"].save()
    services.send_issue(issue=approved)
    delivery.deliver_pending(issue=approved)
    message = next(m for m in mail.outbox if m.to == [cast["hq"].email])
    parsed = message_from_bytes(message.message().as_bytes())
    assert parsed["Subject"] and "2026-W45" in message.subject and message.subject.startswith("¿Sabías")
    assert "/newsletters/unsubscribe/" in parsed["List-Unsubscribe"] and parsed["List-Unsubscribe-Post"]
    assert parsed["Message-ID"] == f"<listening-post.weekly.{approved.pk}.{cast['hq'].pk}@localhost>"
    html = message.alternatives[0]
    assert html[1] == "text/html" and "¿Sabías que" in html[0]
    assert "¿Sabías que" in message.body and "/newsletters/unsubscribe/" in message.body
    assert message.attachments[0][0] == "listening-post-2026-W45.pdf" and message.attachments[0][2] == "application/pdf"


def test_unsubscribing_by_link_turns_the_weekly_email_off_and_is_safe_twice(cast):
    token = services.unsubscribe_token(user=cast["lead"])
    services.unsubscribe(token=token)
    services.unsubscribe(token=token)
    assert Subscription.objects.get(user=cast["lead"]).weekly is False
    assert cast["lead"] not in services.weekly_recipients()


def test_a_forged_unsubscribe_link_is_refused(cast):
    with pytest.raises(services.DomainError, match="not valid"):
        services.unsubscribe(token=services.unsubscribe_token(user=cast["lead"]) + "x")


def test_pack_readers_are_head_office_and_executives_by_default_and_admins_who_ask(cast):
    assert set(services.pack_recipients()) == {cast["hq"], cast["executive"]}
    services.set_subscription(user=cast["admin"], weekly=True, monthly_pack=True)
    services.set_subscription(user=cast["hq"], weekly=True, monthly_pack=False)
    assert set(services.pack_recipients()) == {cast["admin"], cast["executive"]}


def test_people_who_may_not_read_reports_never_get_the_pack(cast):
    assert services.set_subscription(user=cast["lead"], weekly=True, monthly_pack=True).monthly_pack is False
    Subscription.objects.filter(user=cast["agent"]).delete()
    Subscription.objects.create(user=cast["agent"], monthly_pack=True)  # e.g. set before a change of role
    assert not {cast["lead"], cast["agent"]} & set(services.pack_recipients())


def test_a_template_error_leaves_the_delivery_waiting_with_the_reason(approved, monkeypatch):
    from newsletter import emails

    services.send_issue(issue=approved)

    def broken(delivery, **kwargs):
        raise ValueError("Invalid block tag on line 3")

    monkeypatch.setattr(emails, "build_message", broken)
    run = delivery.deliver_pending(issue=approved)
    assert run.sent == 0 and run.retry_in is not None and not mail.outbox
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.PENDING}
    assert "Invalid block tag" in Delivery.objects.first().error
