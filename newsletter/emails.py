"""The e-mails: HTML and plain text in the reader's language, the PDF attached, unsubscribe
links (RFC 8058 one-click headers too) and a Message-ID that is the same on every attempt."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from newsletter.models import Delivery, Issue, MonthlyPack
from newsletter.services import site_url, unsubscribe_token
from voc.models import User


def issue_context(issue: Issue, *, recipient: User | None = None) -> dict[str, Any]:
    """What the e-mail templates (and the e-mail preview) show."""
    what = "weekly"
    return {
        "issue": issue,
        "facts": [f for f in issue.facts.all() if f.included],
        "recipient": recipient,
        "archive_url": site_url(reverse("newsletter_detail", args=[issue.pk])),
        "pdf_url": site_url(reverse("newsletter_pdf", args=[issue.pk])),
        "unsubscribe_url": (
            site_url(reverse("newsletter_unsubscribe", args=[unsubscribe_token(user=recipient, what=what)]))
            if recipient is not None
            else site_url(reverse("newsletter_subscription"))
        ),
        "settings_url": site_url(reverse("newsletter_subscription")),
    }


def pack_context(pack: MonthlyPack, *, recipient: User | None = None) -> dict[str, Any]:
    return {
        "pack": pack,
        "recipient": recipient,
        "pdf_url": site_url(reverse("newsletter_pack_pdf", args=[pack.pk])),
        "unsubscribe_url": site_url(
            reverse("newsletter_unsubscribe", args=[unsubscribe_token(user=recipient, what="pack")])
        )
        if recipient is not None
        else site_url(reverse("newsletter_subscription")),
        "settings_url": site_url(reverse("newsletter_subscription")),
    }


def render_issue(issue: Issue, *, recipient: User | None, language: str) -> tuple[str, str, str]:
    """(subject, text, html) of ``issue`` in ``language``."""
    with translation.override(language):
        context = issue_context(issue, recipient=recipient)
        subject = _("Did you know…? The voice of our customers, week %(week)s") % {"week": issue.label}
        return (
            subject,
            render_to_string("newsletter/email/issue.txt", context),
            render_to_string("newsletter/email/issue.html", context),
        )


def render_pack(pack: MonthlyPack, *, recipient: User | None, language: str) -> tuple[str, str, str]:
    with translation.override(language):
        context = pack_context(pack, recipient=recipient)
        subject = _("Listening Post: the head-office pack for %(month)s") % {"month": pack.label}
        return (
            subject,
            render_to_string("newsletter/email/pack.txt", context),
            render_to_string("newsletter/email/pack.html", context),
        )


def build_message(delivery: Delivery, *, connection: Any = None) -> EmailMultiAlternatives:
    """The message of one delivery, ready to send on ``connection``."""
    recipient = delivery.recipient
    if delivery.issue is not None:
        subject, text, html = render_issue(delivery.issue, recipient=recipient, language=delivery.language)
        document, kind = delivery.issue.pdf, "weekly"
        filename = f"listening-post-{delivery.issue.label}.pdf"
        unsubscribe = issue_context(delivery.issue, recipient=recipient)["unsubscribe_url"]
    else:
        subject, text, html = render_pack(delivery.pack, recipient=recipient, language=delivery.language)
        document, kind = delivery.pack.pdf, "pack"
        filename = f"listening-post-pack-{delivery.pack.label}.pdf"
        unsubscribe = pack_context(delivery.pack, recipient=recipient)["unsubscribe_url"]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "localhost"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.email],
        connection=connection,
        headers={
            "Message-ID": f"<listening-post.{kind}.{delivery.issue_id or delivery.pack_id}.{recipient.pk}@{domain}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    if document:
        with document.open("rb") as fh:
            message.attach(filename, fh.read(), "application/pdf")
    return message
