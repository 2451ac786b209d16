"""The e-mails: HTML and plain text in the reader's language, the PDF attached, unsubscribe
links (RFC 8058 one-click headers too) and a Message-ID that is the same on every attempt."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

from newsletter import services
from newsletter.models import Delivery, Issue, MonthlyPack
from newsletter.services import unsubscribe_token
from voc import emails
from voc.emails import url_for
from voc.models import User


def issue_context(issue: Issue, *, recipient: User | None = None) -> dict[str, Any]:
    """What the e-mail templates (and the e-mail preview) show."""
    return {
        "issue": issue,
        "facts": [f for f in issue.facts.all() if f.included],
        "archive_url": url_for("newsletter_detail", issue.pk),
        "pdf_url": url_for("newsletter_pdf", issue.pk),
        **_reader_links(recipient, what="weekly"),
    }


def pack_context(pack: MonthlyPack, *, recipient: User | None = None) -> dict[str, Any]:
    return {"pack": pack, "pdf_url": url_for("newsletter_pack_pdf", pack.pk), **_reader_links(recipient, what="pack")}


def _reader_links(recipient: User | None, *, what: str) -> dict[str, Any]:
    """The reader, a one-click unsubscribe link of theirs (the settings page in a preview
    without a reader) and the subscription settings."""
    settings_url = url_for("newsletter_subscription")
    return {
        "recipient": recipient,
        "unsubscribe_url": (
            url_for("newsletter_unsubscribe", unsubscribe_token(user=recipient, what=what))
            if recipient is not None
            else settings_url
        ),
        "settings_url": settings_url,
    }


def render_issue(issue: Issue, *, recipient: User | None, language: str) -> emails.Rendered:
    """Subject, text and HTML of ``issue`` in ``language``."""
    context = issue_context(issue, recipient=recipient)
    return emails.render(
        language=language,
        subject=lambda: _("Did you know…? The voice of our customers, week %(week)s") % {"week": issue.label},
        text_template="newsletter/email/issue.txt",
        html_template="newsletter/email/issue.html",
        context=context,
    )


def render_pack(pack: MonthlyPack, *, recipient: User | None, language: str) -> emails.Rendered:
    context = pack_context(pack, recipient=recipient)
    return emails.render(
        language=language,
        subject=lambda: _("Listening Post: the head-office pack for %(month)s") % {"month": pack.label},
        text_template="newsletter/email/pack.txt",
        html_template="newsletter/email/pack.html",
        context=context,
    )


def build_test(issue: Issue, *, recipient: User) -> EmailMultiAlternatives:
    """The issue as ``recipient`` would get it, marked as a test, in their language."""
    language = recipient.language or "en"
    rendered = render_issue(issue, recipient=recipient, language=language)
    with translation.override(language):
        subject = _("[Test] %(subject)s") % {"subject": rendered.subject}
    rendered = emails.Rendered(subject=subject, text=rendered.text, html=rendered.html)
    message = emails.message(rendered, to=recipient.email)
    if issue.pdf:
        with services.language_file(issue.pdf, language) as fh:
            message.attach(f"listening-post-{issue.label}.pdf", fh.read(), "application/pdf")
    return message


def build_message(delivery: Delivery, *, connection: Any = None) -> EmailMultiAlternatives:
    """The message of one delivery, ready to send on ``connection``."""
    recipient = delivery.recipient
    if delivery.issue is not None:
        rendered = render_issue(delivery.issue, recipient=recipient, language=delivery.language)
        document, kind = delivery.issue.pdf, "weekly"
        filename = f"listening-post-{delivery.issue.label}.pdf"
        unsubscribe = issue_context(delivery.issue, recipient=recipient)["unsubscribe_url"]
    elif delivery.pack is not None:
        rendered = render_pack(delivery.pack, recipient=recipient, language=delivery.language)
        document, kind = delivery.pack.pdf, "pack"
        filename = f"listening-post-pack-{delivery.pack.label}.pdf"
        unsubscribe = pack_context(delivery.pack, recipient=recipient)["unsubscribe_url"]
    else:  # the table's check constraint allows neither
        raise ValueError(f"delivery {delivery.pk} has neither an issue nor a pack")
    domain = emails.sender_domain()
    message = emails.message(
        rendered,
        to=delivery.email,
        connection=connection,
        headers={
            "Message-ID": f"<listening-post.{kind}.{delivery.issue_id or delivery.pack_id}.{recipient.pk}@{domain}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    if document:
        with services.language_file(document, delivery.language) as fh:  # the reader's language
            message.attach(filename, fh.read(), "application/pdf")
    return message
