"""E-mail for every app: links that work outside the intranet, and one way to build a message.

A message is rendered in the reader's language (``render``: subject, plain text and, when there
is an HTML template, HTML) and then addressed (``message``): automated mail is marked
``Auto-Submitted`` (RFC 3834) so that out-of-office replies stay away.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.http.request import validate_host
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

if TYPE_CHECKING:
    from voc.models import User


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse``) as a link that works in an e-mail: ``VOC_SITE_URL`` in front."""
    return str(settings.VOC_SITE_URL).rstrip("/") + path


def site_url_problem() -> str | None:
    """Why links in e-mails would not open the intranet, or None when ``VOC_SITE_URL`` looks right.

    Shown to admins on the health list and as a system check at start-up (``voc.W001``)."""
    url = str(settings.VOC_SITE_URL)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return gettext("VOC_SITE_URL “%(url)s” is not an http(s) address.") % {"url": url}
    try:
        port = parts.port
    except ValueError:
        return gettext("VOC_SITE_URL “%(url)s” has a port that is not a number.") % {"url": url}
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    allowed = settings.ALLOWED_HOSTS or [".localhost", "127.0.0.1", "[::1]"]
    if not validate_host(host, allowed):
        return gettext(
            "VOC_SITE_URL “%(url)s”: the intranet refuses requests for %(host)s (not in DJANGO_ALLOWED_HOSTS)."
        ) % {
            "url": url,
            "host": host,
        }
    served = os.environ.get("VOC_PORT", "")
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if served and local and str(port or (443 if parts.scheme == "https" else 80)) != served:
        return gettext(
            "VOC_SITE_URL “%(url)s” points at another port than the one the intranet serves (VOC_PORT %(port)s)."
        ) % {
            "url": url,
            "port": served,
        }
    return None


def url_for(viewname: str, *args: object) -> str:
    """The absolute link to the named view."""
    return absolute_url(reverse(viewname, args=args or None))


def sender_domain() -> str:
    """The domain of ``DEFAULT_FROM_EMAIL``, for Message-IDs of our own."""
    return str(settings.DEFAULT_FROM_EMAIL).rsplit("@", 1)[-1].strip(">") or "localhost"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None


def render(
    *,
    language: str,
    subject: Callable[[], str],
    text_template: str,
    context: Mapping[str, Any],
    html_template: str | None = None,
) -> Rendered:
    """The subject (a callable, so that its gettext runs in ``language``) and the bodies."""
    with translation.override(language):
        return Rendered(
            subject=subject().strip(),
            text=render_to_string(text_template, dict(context)),
            html=render_to_string(html_template, dict(context)) if html_template else None,
        )


def message(
    rendered: Rendered,
    *,
    to: str,
    headers: Mapping[str, str] | None = None,
    connection: Any = None,
) -> EmailMultiAlternatives:
    """``rendered`` addressed to ``to`` from ``DEFAULT_FROM_EMAIL``, marked as automated."""
    mail = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=connection,
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )
    if rendered.html is not None:
        mail.attach_alternative(rendered.html, "text/html")
    return mail


def signed_link_token(*, user: Any, what: str, salt: str) -> str:
    """A token naming ``user`` and what a link does (an unsubscribe link's credential)."""
    return signing.dumps({"u": user.pk, "w": what}, salt=salt)


def read_signed_link(token: str, *, salt: str) -> tuple[User, str]:
    """The person and the ``what`` of a token made by ``signed_link_token``; ``DomainError``
    when it is not one of ours (tampered, another salt, a person no longer there)."""
    from voc.errors import DomainError
    from voc.models import User

    try:
        payload = signing.loads(token, salt=salt)
        return User.objects.get(pk=payload["u"]), str(payload["w"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError):
        raise DomainError(gettext("This unsubscribe link is not valid.")) from None
