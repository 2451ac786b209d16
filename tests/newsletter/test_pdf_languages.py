"""Each reader gets the PDF in their language: on the page and attached to their e-mail."""

import pytest
from django.core import mail
from django.urls import reverse

from newsletter import delivery, pdf, services
from newsletter.models import Issue
from tests.newsletter.conftest import TODAY, WEEK

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(add_notes, monkeypatch):
    monkeypatch.setattr(pdf, "weekly", lambda issue, language=None: f"%PDF {language}".encode())
    add_notes(6, caused_by_us=True, text="You sent me the wrong PIN letter twice this month")
    issue, _ = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    return services.render_issue_pdf(issue=issue)


def test_the_pdf_page_serves_the_readers_language(client_for, cast, issue):
    from django.utils import timezone

    now = timezone.now()
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT, approved_at=now, sent_at=now)
    hq = cast["hq"]
    hq.language = "es"
    hq.save()
    client = client_for("hq")
    client.cookies["django_language"] = "es"
    spanish = b"".join(
        client.get(reverse("newsletter_pdf", args=[issue.pk]), HTTP_ACCEPT_LANGUAGE="es").streaming_content
    )
    assert spanish == b"%PDF es"
    english = client_for("lead").get(reverse("newsletter_pdf", args=[issue.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert b"".join(english.streaming_content) == b"%PDF en"


def test_a_spanish_readers_email_carries_the_spanish_pdf(cast, issue, lead):
    hq = cast["hq"]
    hq.language = "es"
    hq.save()
    issue = services.approve_issue(issue=issue, by=lead)
    services.send_issue(issue=issue)
    delivery.deliver_pending(issue=Issue.objects.get(pk=issue.pk))
    attached = {m.to[0]: m.attachments[0][1] for m in mail.outbox}
    assert attached[hq.email] == b"%PDF es"
    assert attached[lead.email] == b"%PDF en"
