"""Request wiring: every page needs a login, each person sees the UI in their language, and
every response carries the security headers (no caching, Content-Security-Policy)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.cache import add_never_cache_headers

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline script anywhere: templates load static/js/ files
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
# For the few pages whose markup is not ours to restyle (Swagger UI, a rendered e-mail): inline
# styles only; scripts stay 'self'.
CONTENT_SECURITY_POLICY_INLINE_STYLES = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, except the API: DRF authenticates tokens itself and answers 401/403, not a redirect."""

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class UserLanguageMiddleware:
    """A signed-in person's saved language wins over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            speak_as(request, user)
        response = self.get_response(request)
        return response


def speak_as(request: Any, user: Any) -> None:
    """Answer ``request`` in ``user``'s saved language, if they chose one (also called by the
    API's token sign-in, which happens after the middleware has run)."""
    if user.language:
        translation.activate(user.language)
        getattr(request, "_request", request).LANGUAGE_CODE = user.language


def csp_allows_inline_styles(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view whose page needs inline styles (see ``CONTENT_SECURITY_POLICY_INLINE_STYLES``)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.csp_inline_styles = True  # type: ignore[attr-defined]
        return response

    return wrapped


class SecurityHeadersMiddleware:
    """``Cache-Control: no-store`` and a ``Content-Security-Policy`` on every response Django makes.

    No-store on all of them, signed in or not, pages and API alike: complaint contact details,
    note text and tokens appear on many pages and in API answers, and one rule for every response
    cannot miss a new one. Static files are not concerned: WhiteNoise, earlier in the chain,
    answers them (cacheable) before this runs. A view that set its own policy keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        if "Content-Security-Policy" not in response:
            inline = getattr(response, "csp_inline_styles", False)
            response["Content-Security-Policy"] = (
                CONTENT_SECURITY_POLICY_INLINE_STYLES if inline else CONTENT_SECURITY_POLICY
            )
        return response
