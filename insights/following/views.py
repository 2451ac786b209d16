"""What a person follows, following from any page, and their notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insights.following import mail, services
from insights.following.forms import FollowForm, HowForm, WhatHappenedForm
from insights.following.models import Subscription
from insights.models import Theme
from insights.questions.models import Question
from voc.access import own_site_ids
from voc.errors import DomainError, show_on_forms
from voc.http import AuthedHttpRequest
from voc.input_guard import row_id
from voc.models import Site
from voc.roles import Capability, capability_required, has_capability

PAGE_SIZE = 25


def _sites(request: AuthedHttpRequest):
    sites = Site.objects.filter(is_active=True)
    if has_capability(request.user, Capability.READ_REPORTS):
        return sites
    return sites.filter(pk__in=own_site_ids(request.user))


@capability_required(Capability.SUBSCRIBE)
def following(request: AuthedHttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = FollowForm(request.POST, sites=_sites(request))
        if form.is_valid():
            try:
                services.follow(user=request.user, **form.cleaned_data)
            except DomainError as exc:
                show_on_forms(exc, form)
            else:
                messages.success(request, _("Followed. You will hear of it here, under Notifications."))
                return redirect("following")
        status = 400
    else:
        form = FollowForm(sites=_sites(request))
    return _page(request, form=form, status=status)


def _page(
    request: AuthedHttpRequest, *, form: FollowForm, status: int = 200, editing: HowForm | None = None
) -> HttpResponse:
    subscriptions = list(
        Subscription.objects.filter(user=request.user).select_related("theme", "question", "site", "product_area")
    )
    rows = [
        (
            s,
            editing
            if editing is not None and editing.prefix == f"s{s.pk}"
            else HowForm(prefix=f"s{s.pk}", initial={name: getattr(s, name) for name in HowForm.base_fields}),
        )
        for s in subscriptions
    ]
    hears_back = has_capability(request.user, Capability.HEAR_BACK)
    return render(
        request,
        "insights/following/following.html",
        {
            "form": form,
            "rows": rows,
            "hears_back": hears_back,
            "what_happened_form": WhatHappenedForm(
                initial={"what_happened_weekly": mail.wants_what_happened(request.user)}
            )
            if hears_back
            else None,
            "has_email": bool(request.user.email),
        },
        status=status,
    )


@capability_required(Capability.SUBSCRIBE)
@require_POST
def change(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """How one hears of one subscription: in the product, alerts, e-mail, digests."""
    subscription = get_object_or_404(Subscription, pk=pk, user=request.user)
    form = HowForm(request.POST, prefix=f"s{pk}")
    if form.is_valid():
        try:
            services.change_how(subscription=subscription, user=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_on_forms(exc, form)
        else:
            messages.success(request, _("Saved. The next alerts and digests follow these choices."))
            return redirect("following")
    return _page(request, form=FollowForm(sites=_sites(request)), status=400, editing=form)


@capability_required(Capability.HEAR_BACK)
@require_POST
def what_happened_mail(request: AuthedHttpRequest) -> HttpResponse:
    form = WhatHappenedForm(request.POST)
    weekly = form.is_valid() and form.cleaned_data["what_happened_weekly"]
    mail.set_what_happened(user=request.user, weekly=weekly)
    if weekly:
        messages.success(request, _("Saved. The first e-mail comes next Monday morning."))
    else:
        messages.success(request, _("Saved. No weekly e-mail about your notes."))
    return redirect(_back(request, reverse("following")))


@login_not_required
@csrf_exempt  # the signed token is the credential; mail clients' one-click POST carries no CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (link scanners follow GETs); POST, also RFC 8058's one-click, acts."""
    template = "unsubscribe.html"
    if request.method == "POST":
        try:
            _user, what = mail.unsubscribe(token=token)
        except DomainError as exc:
            return render(request, template, {"error": exc.message}, status=400)
        return render(request, template, {"done": True, "what": what, "settings_url": reverse("following")})
    return render(request, template, {"token": token})


def _back(request: AuthedHttpRequest, default: str) -> str:
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        return back
    return default


@capability_required(Capability.SUBSCRIBE)
@require_POST
def follow(request: AuthedHttpRequest) -> HttpResponse:
    """Follow a theme or a question from its page (``theme`` or ``question`` posted)."""
    theme = question = None
    if (theme_id := row_id(request.POST.get("theme"))) is not None:
        theme = get_object_or_404(Theme, pk=theme_id)
    if (question_id := row_id(request.POST.get("question"))) is not None:
        question = get_object_or_404(Question, pk=question_id)
    try:
        services.follow(user=request.user, theme=theme, question=question)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Followed. Alerts and news about it reach you under Notifications."))
    return redirect(_back(request, reverse("following")))


@capability_required(Capability.SUBSCRIBE)
@require_POST
def unfollow(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk, user=request.user)
    services.unfollow(subscription=subscription, user=request.user)
    messages.success(request, _("No longer followed."))
    return redirect(_back(request, reverse("following")))


@capability_required(Capability.SUBSCRIBE)
@require_GET
def notifications(request: AuthedHttpRequest) -> HttpResponse:
    items = request.user.notifications.order_by(F("read_at").asc(nulls_first=True), "-updated_at", "-id")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "insights/following/notifications.html", {"page": page})


@capability_required(Capability.SUBSCRIBE)
@require_POST
def read_all(request: AuthedHttpRequest) -> HttpResponse:
    count = services.mark_read(notifications=request.user.notifications.all())
    messages.success(request, _("Marked as read: %(n)d.") % {"n": count})
    return redirect("notifications")
