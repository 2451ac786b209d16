"""Newsletter pages: the archive every role reads, the editor's desk for leads, previews,
PDF downloads, subscription settings and the one-click unsubscribe."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insights.models import SPANISH_NAME_READERS
from newsletter import emails, services, tasks
from newsletter.forms import ApproveForm, FactFormSet, ReviewForm, SubscriptionForm
from newsletter.models import Delivery, Fact, Issue, MonthlyPack
from voc.errors import DomainError
from voc.http import AuthedHttpRequest
from voc.middleware import csp_allows_inline_styles
from voc.roles import Capability, capability_required, has_capability

PAGE_SIZE = 20


@capability_required(Capability.READ_NEWSLETTERS)
@require_GET
def issue_list(request: AuthedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    issues = services.visible_issues(request.user).annotate(fact_count=Count("facts", filter=Q(facts__included=True)))
    if query:
        in_language = Q(sentence_en__icontains=query)
        if request.LANGUAGE_CODE in SPANISH_NAME_READERS:
            in_language = Q(sentence_es__icontains=query) | Q(sentence_gl__icontains=query)
        matching = Fact.objects.filter(issue=OuterRef("pk"), included=True).filter(
            in_language | Q(quote__icontains=query)
        )
        issues = issues.filter(Q(Exists(matching)) | Q(editor_note__icontains=query))
    page = Paginator(issues.order_by("-week_start"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "newsletter/issue_list.html",
        {"page": page, "q": query, "query": urlencode({"q": query}) if query else "", "can_edit": _can_edit(request)},
    )


def _can_edit(request: AuthedHttpRequest) -> bool:
    return has_capability(request.user, Capability.EDIT_NEWSLETTERS)


def _issue(request: AuthedHttpRequest, pk: int) -> Issue:
    return get_object_or_404(services.visible_issues(request.user), pk=pk)


@capability_required(Capability.READ_NEWSLETTERS)
@require_GET
def issue_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk)
    facts = list(issue.facts.all()) if _can_edit(request) else list(issue.facts.filter(included=True))
    context = {"issue": issue, "facts": facts, "can_edit": _can_edit(request)}
    if context["can_edit"]:
        context["deliveries"] = {
            Delivery.Status(status).label: n
            for status, n in issue.deliveries.values_list("status").annotate(n=Count("id")).order_by("status")
        }
        context["approve_form"] = ApproveForm()
    return render(request, "newsletter/issue_detail.html", context)


@capability_required(Capability.EDIT_NEWSLETTERS)
@require_http_methods(["GET", "POST"])
def issue_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=pk)
    if issue.status not in services.EDITABLE:
        messages.error(request, services.not_editable(issue))
        return redirect("newsletter_detail", pk=issue.pk)
    facts = issue.facts.all()
    form = ReviewForm(request.POST or None, initial={"editor_note": issue.editor_note})
    formset = FactFormSet(request.POST or None, queryset=facts, prefix="facts")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        changes = [
            services.FactChange(
                fact_id=f.instance.pk,
                position=f.cleaned_data["position"],
                included=f.cleaned_data["included"],
                sentence_en=f.cleaned_data["sentence_en"],
                sentence_es=f.cleaned_data["sentence_es"],
                sentence_gl=f.cleaned_data["sentence_gl"],
                translations_checked=f.cleaned_data.get("translations_checked", False),
            )
            for f in formset.initial_forms
        ]
        try:
            services.review_issue(
                issue=issue, by=request.user, editor_note=form.cleaned_data["editor_note"], changes=changes
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            by_fact = {f"fact:{f.instance.pk}": f for f in formset.initial_forms}
            for key, message in exc.others.items():
                fact_key, _sep, field = key.rpartition(":")
                if fact_key in by_fact and field in by_fact[fact_key].fields:
                    by_fact[fact_key].add_error(field, message)
        else:
            messages.success(
                request, _("Saved. The issue is reviewed: check it below, send yourself a test, then approve it.")
            )
            return redirect("newsletter_detail", pk=issue.pk)
    return render(request, "newsletter/issue_edit.html", {"issue": issue, "form": form, "formset": formset})


@capability_required(Capability.EDIT_NEWSLETTERS)
@require_POST
def issue_test(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Send the issue to the editor now, as readers will get it."""
    issue = get_object_or_404(Issue, pk=pk)
    try:
        services.send_test(issue=issue, to=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("A test is on its way to %(email)s; it takes a minute.") % {"email": request.user.email}
        )
    return redirect("newsletter_detail", pk=issue.pk)


@capability_required(Capability.EDIT_NEWSLETTERS)
@require_POST
def issue_approve(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("send_at", []):
            messages.error(request, str(error))
        return redirect("newsletter_detail", pk=issue.pk)
    try:
        services.approve_issue(issue=issue, by=request.user, send_at=form.cleaned_data["send_at"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Approved."))
    return redirect("newsletter_detail", pk=issue.pk)


@capability_required(Capability.EDIT_NEWSLETTERS)
@require_POST
def issue_send(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=pk)
    try:
        created = services.send_issue(issue=issue, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sending to %(n)s people; the e-mails go out in the background.") % {"n": created})
    return redirect("newsletter_detail", pk=issue.pk)


@capability_required(Capability.EDIT_NEWSLETTERS)
@require_POST
def issue_draft(request: AuthedHttpRequest) -> HttpResponse:
    """Draft last week's issue now instead of waiting for Monday's schedule (in a worker)."""
    tasks.draft_weekly_issue.delay()
    messages.success(request, _("Last week's issue is being drafted; it appears here in a moment."))
    return redirect("newsletter_list")


@capability_required(Capability.EDIT_NEWSLETTERS)
@require_GET
@csp_allows_inline_styles  # an e-mail is styled inline (mail clients ignore stylesheets)
def issue_email_preview(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The e-mail exactly as a reader in the editor's language would get it (HTML or text)."""
    issue = get_object_or_404(Issue, pk=pk)
    rendered = emails.render_issue(issue, recipient=request.user, language=request.LANGUAGE_CODE)
    if request.GET.get("format") == "text":
        return HttpResponse(rendered.text, content_type="text/plain; charset=utf-8")
    return HttpResponse(rendered.html)


@capability_required(Capability.READ_NEWSLETTERS)
@require_GET
def issue_pdf(request: AuthedHttpRequest, pk: int) -> HttpResponseBase:
    issue = _issue(request, pk)
    pdf = services.open_issue_pdf(issue=issue, language=request.LANGUAGE_CODE)
    if pdf is not None:
        return FileResponse(pdf, filename=f"listening-post-{issue.label}.pdf")
    if issue.status == Issue.Status.SKIPPED:
        raise Http404
    messages.info(request, _("The PDF is being prepared; try again in a minute."))
    return redirect("newsletter_detail", pk=issue.pk)


@capability_required(Capability.READ_REPORTS)
@require_GET
def pack_list(request: AuthedHttpRequest) -> HttpResponse:
    page = Paginator(MonthlyPack.objects.exclude(rendered_at=None), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "newsletter/pack_list.html", {"page": page})


@capability_required(Capability.READ_REPORTS)
@require_GET
def pack_pdf(request: AuthedHttpRequest, pk: int) -> HttpResponseBase:
    pack = get_object_or_404(MonthlyPack.objects.exclude(rendered_at=None), pk=pk)
    try:
        return FileResponse(
            services.language_file(pack.pdf, request.LANGUAGE_CODE), filename=f"listening-post-pack-{pack.label}.pdf"
        )
    except (FileNotFoundError, ValueError):  # no file, or the media folder lost it
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def subscription(request: AuthedHttpRequest) -> HttpResponse:
    current = services.subscription_for(request.user)
    may_get_pack = has_capability(request.user, Capability.READ_REPORTS)
    form = SubscriptionForm(
        request.POST or None,
        initial={"weekly": current.weekly, "monthly_pack": current.monthly_pack},
        with_pack=may_get_pack,
    )
    if request.method == "POST" and form.is_valid():
        services.set_subscription(
            user=request.user,
            weekly=form.cleaned_data["weekly"],
            monthly_pack=form.cleaned_data.get("monthly_pack", False),
        )
        messages.success(request, _("Your e-mail settings are saved."))
        return redirect("newsletter_subscription")
    return render(request, "newsletter/subscription.html", {"form": form, "has_email": bool(request.user.email)})


@login_not_required
@csrf_exempt  # the signed token is the credential; mail clients' one-click POST carries no CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (link scanners follow GETs); POST, also RFC 8058's one-click, acts."""
    if request.method == "POST":
        try:
            services.unsubscribe(token=token)
        except DomainError as exc:
            return render(request, "unsubscribe.html", {"error": exc.message}, status=400)
        return render(request, "unsubscribe.html", {"done": True, "settings_url": reverse("newsletter_subscription")})
    return render(request, "unsubscribe.html", {"token": token})
