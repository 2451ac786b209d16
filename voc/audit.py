"""Writing the audit log. Services call ``record``; nothing else writes AuditEntry rows."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from voc.accounts.signin_limits import client_address
from voc.models import AuditEntry, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The caller's address, X-Forwarded-For trusted for ``VOC_PROXY_COUNT`` proxies only."""
    if request is None:
        return None
    return client_address(request) or None


def record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    ip_address: str | None = None,
    details: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Append one entry: ``actor`` did ``action`` to ``obj`` from ``ip_address``."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None else actor_name,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        ip_address=ip_address,
        details=details or {},
    )


def on_login(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    record(actor=user, action="auth.login", obj=user, ip_address=client_ip(request))


def on_logout(sender: object, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record(actor=user, action="auth.logout", obj=user, ip_address=client_ip(request))


def on_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    record(
        actor=None,
        actor_name=str(credentials.get("username", ""))[:150],
        action="auth.login_failed",
        ip_address=client_ip(request),
    )
