"""What a person follows, following from any page, and their notifications."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from insights.following import services
from insights.following.forms import FollowForm
from insights.following.models import Subscription
from insights.models import Theme
from insights.questions.models import Question
from voc.access import own_site_ids
from voc.errors import DomainError
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
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Followed. You will hear of it here, under Notifications."))
                return redirect("following")
        status = 400
    else:
        form = FollowForm(sites=_sites(request))
    subscriptions = Subscription.objects.filter(user=request.user).select_related(
        "theme", "question", "site", "product_area"
    )
    return render(
        request, "insights/following/following.html", {"form": form, "subscriptions": subscriptions}, status=status
    )


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
