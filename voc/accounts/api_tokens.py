"""API tokens: one per person (DRF's ``Token``), expiring, revoked on every password change.

A token is issued by ``POST /api/v1/auth/token/`` (username and password) or on the person's
*API tokens* page, lasts ``VOC_API_TOKEN_DAYS`` from when it was issued, and dies with the
password: whatever changes a password (the password page, Django admin, ``add_user``,
``changepassword``) saves the user through ``AbstractBaseUser.save()``, which tells every
configured password validator — ``RevokeTokensOnPasswordChange`` is one. That hook is Django's
own, runs after the new password is saved, and costs nothing on the user's other saves (a
``pre_save`` signal would have to read the old hash on every save, sign-ins included).

Signing out of the web leaves the token alone on purpose: tokens serve scripts and integrations
that run without a browser session; the person revokes one on the tokens page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from voc import audit
from voc.models import User


@dataclass(frozen=True)
class TokenSummary:
    """What the tokens page shows: never the key, only its last four characters."""

    created: datetime
    expires: datetime
    last_four: str
    expired: bool


def expires_at(token: Token) -> datetime:
    return token.created + timedelta(days=settings.VOC_API_TOKEN_DAYS)


def has_expired(token: Token, *, now: datetime | None = None) -> bool:
    return expires_at(token) <= (now or timezone.now())


def summaries(*, user: User) -> list[TokenSummary]:
    """The person's tokens (DRF keeps at most one), newest first."""
    now = timezone.now()
    return [
        TokenSummary(created=t.created, expires=expires_at(t), last_four=t.key[-4:], expired=has_expired(t, now=now))
        for t in Token.objects.filter(user=user).order_by("-created")
    ]


@transaction.atomic
def obtain_token(*, user: User) -> Token:
    """The person's current token, or a new one when they have none or it has expired
    (``POST /api/v1/auth/token/``: the same key until it expires, as before expiry existed)."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not has_expired(token):
        return token
    return _issue(user=user, replacing=token)


@transaction.atomic
def create_token(*, user: User, ip_address: str | None = None) -> Token:
    """A new token for ``user``, replacing (and so revoking) any they had; audited."""
    token = _issue(user=user, replacing=Token.objects.select_for_update().filter(user=user).first())
    audit.record(actor=user, action="api_token.created", obj=user, ip_address=ip_address)
    return token


def revoke_tokens(*, user: User, ip_address: str | None = None, reason: str = "revoked") -> int:
    """Delete every API token of ``user``; the next call with one is refused (401). Audited when
    there was one. Returns how many were deleted."""
    deleted, _per_model = Token.objects.filter(user=user).delete()
    if deleted:
        audit.record(actor=user, action="api_token.revoked", obj=user, ip_address=ip_address, details={"why": reason})
    return deleted


def _issue(*, user: User, replacing: Token | None) -> Token:
    if replacing is not None:
        replacing.delete()
    return Token.objects.create(user=user)


class RevokeTokensOnPasswordChange:
    """A password "validator" that validates nothing: Django calls ``password_changed`` on every
    configured validator once a new password is saved, whatever path set it."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            revoke_tokens(user=user, reason="password changed")

    def get_help_text(self) -> str:
        return _("Changing your password revokes your API tokens.")
