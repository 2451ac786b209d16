"""Sign-in limits per address and per username, beside django-axes' lock-out per (username, address).

Axes locks one username at one address after ``VOC_LOGIN_FAILURE_LIMIT`` failures. That leaves
two ways to guess passwords: many usernames from one address (password spraying) and one username
from many addresses. Here every failed sign-in — the sign-in page, Django admin, the API token
endpoint: anything that calls ``authenticate()`` — counts toward its address and its username for
``AXES_COOLOFF_TIME`` from the first failure. Once a count reaches its limit
(``VOC_LOGIN_ADDRESS_FAILURE_LIMIT``, ``VOC_LOGIN_USERNAME_FAILURE_LIMIT``), sign-ins from that
address, or for that username, are refused until that window ends. Refused attempts count too but
never lengthen the window, so it is a cool-off and never a permanent lock: someone spraying a
person's username can keep them out for one window at a time, not for good.

The counters live in Django's default cache. With the local-memory default each process counts
on its own (several gunicorn workers each allow the limit); production sets ``CACHE_URL`` to
Redis so every process shares them.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from voc.models import User


def client_address(request: HttpRequest) -> str:
    """The caller's address, trusting ``X-Forwarded-For`` only for ``VOC_PROXY_COUNT`` proxies.

    With N trusted proxies the address is the N-th from the right of ``X-Forwarded-For`` (the one
    the outermost trusted proxy saw), as DRF's ``NUM_PROXIES`` reads it; with none, the socket's
    address, whatever the header says — a client can write anything at the left of that header.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies: int = settings.VOC_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if proxies else ""
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if hops:
        candidate = hops[-min(proxies, len(hops))]
        try:  # the audit log stores it in an inet column: text that is no address is not used
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return remote


def _window_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def _keys(*, address: str, username: str) -> dict[str, int]:
    """Cache key → limit. The username is case-folded (Lucia and LUCIA are one target) and hashed
    so any text is a safe key."""
    keys = {f"voc:signin-fail:addr:{address}": settings.VOC_LOGIN_ADDRESS_FAILURE_LIMIT}
    if username.strip():
        name = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        keys[f"voc:signin-fail:user:{name}"] = settings.VOC_LOGIN_USERNAME_FAILURE_LIMIT
    return keys


def is_limited(*, address: str, username: str) -> bool:
    """True while ``address`` or ``username`` has reached its failure limit (one cache read)."""
    keys = _keys(address=address, username=username)
    counts = cache.get_many(list(keys))
    return any(counts.get(key, 0) >= limit for key, limit in keys.items())


def record_failure(*, address: str, username: str) -> None:
    """Count one failed sign-in toward ``address`` and ``username``; the first failure opens the window."""
    for key in _keys(address=address, username=username):
        if cache.add(key, 1, timeout=_window_seconds()):
            continue
        try:
            cache.incr(key)  # keeps the key's expiry: refused attempts never lengthen the window
        except ValueError:  # the window ended between add() and incr()
            cache.add(key, 1, timeout=_window_seconds())


def on_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """``user_login_failed`` receiver: every failed ``authenticate()`` with a request counts."""
    if request is None:
        return
    record_failure(address=client_address(request), username=str(credentials.get("username") or ""))


class SignInLimitBackend:
    """An authentication backend that authenticates no one: it refuses, before any password is
    checked, a sign-in from an address or for a username over its limit. ``authenticate()`` then
    reports a failure, and axes' middleware answers with the lock-out response
    (``voc.accounts.views.locked_out``, 429) because the request carries axes' flag. No ``get_user``, so
    no session ever names this backend (and ``Client.force_login`` passes it by)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if request is None:
            return None
        if is_limited(address=client_address(request), username=username or ""):
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise PermissionDenied
        return None


class UsernameRateThrottle(SimpleRateThrottle):
    """DRF: token requests per username (rate ``login_username``), whatever address they come
    from; ``ScopedRateThrottle`` with scope ``login`` limits them per address."""

    scope = "login_username"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        data = request.data
        username = data.get("username") if hasattr(data, "get") else None
        if not isinstance(username, str) or not username.strip():
            return None  # the serializer answers 400; nothing to count
        ident = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}
