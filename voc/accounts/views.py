"""Pages for people: home, profile, API tokens, language, refusals."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from voc import desk
from voc.accounts import api_tokens, services
from voc.accounts.forms import LanguageForm
from voc.audit import client_ip
from voc.http import AuthedHttpRequest


@require_GET
def home(request: AuthedHttpRequest) -> HttpResponse:
    """The person's desk: what waits for them, news and figures (``voc.desk``)."""
    return render(request, "voc/home.html", {"desk": desk.desk(request.user)})


@require_GET
def profile(request: AuthedHttpRequest) -> HttpResponse:
    form = LanguageForm(initial={"language": request.user.language})
    return render(request, "voc/profile.html", {"language_form": form})


@require_http_methods(["GET", "POST"])
def tokens(request: AuthedHttpRequest) -> HttpResponse:
    """The person's API token: issued, expires, last four characters; revoke it or create a new
    one, whose key is shown in this answer only (never stored in a message or shown again)."""
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            new_key = api_tokens.create_token(user=request.user, ip_address=client_ip(request)).key
        elif action == "revoke":
            if api_tokens.revoke_tokens(user=request.user, ip_address=client_ip(request)):
                messages.success(request, _("Your API token is revoked: calls that use it are refused from now on."))
            return redirect("api_tokens")
        else:
            return HttpResponseBadRequest()
    context = {
        "tokens": api_tokens.summaries(user=request.user),
        "new_key": new_key,
        "token_days": settings.VOC_API_TOKEN_DAYS,
    }
    return render(request, "registration/api_tokens.html", context)


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the UI language: saved on the person when signed in, in a cookie always."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if not form.is_valid():
        messages.error(request, _("Unknown language."))
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.set_language(user=request.user, language=language)
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.VOC_HTTPS,
    )
    return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def locked_out(request: HttpRequest, original_response: HttpResponse | None, credentials: object) -> HttpResponse:
    """What django-axes answers during a lock-out: JSON for the API, a page for people."""
    message = _("Too many failed sign-ins. Try again later.")
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "registration/locked_out.html", status=429)
