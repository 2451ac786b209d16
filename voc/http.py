"""Request types for views behind the sign-in.

``LoginRequiredMiddleware`` lets no anonymous request reach a view that is not marked
``login_not_required``, so such views may rely on ``request.user`` being a ``User``. Annotating
them with these types says so to the type checker instead of casting at each use.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from voc.models import User


class AuthedHttpRequest(HttpRequest):
    user: User


class AuthedRequest(Request):
    """A DRF request whose authentication succeeded (``IsAuthenticated`` is the default permission)."""

    user: User


def signed_in(request: HttpRequest | Request) -> User:
    """The person behind ``request``; refuses an anonymous one (DRF answers 401/403, pages 403).

    For class-based API views, whose ``self.request`` the type checker cannot narrow."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated() if isinstance(request, Request) else PermissionDenied()
    return user
