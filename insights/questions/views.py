"""Question pages: the list with live counts, asking and rewording, a question's page with its
trend, breakdowns and quotes, leads' confirmations, and agents' "+1"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from insights import charts
from insights.actions import effect
from insights.questions import counts, services
from insights.questions.forms import QuestionForm
from insights.questions.models import Question, QuestionMatch
from insights.questions.suggest import question_meta
from voc import periods
from voc.access import lead_site_ids
from voc.audit import client_ip
from voc.errors import DomainError, show_on_forms
from voc.http import AuthedHttpRequest
from voc.models import Site
from voc.notes import plus_one
from voc.roles import Capability, capability_required, has_capability

PAGE_SIZE = 25
WEEKS = 12


@capability_required(Capability.READ_QUESTIONS)
@require_GET
def question_list(request: AuthedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", Question.Status.OPEN)
    questions = Question.objects.select_related("asked_by").order_by("-created_at", "-id")
    if status in Question.Status.values:
        questions = questions.filter(status=status)
    department = request.GET.get("department", "").strip()
    if department:
        questions = questions.filter(department=department)
    page = Paginator(questions, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [q.pk for q in page]
    live, series = counts.overview(question_ids=ids, weeks=periods.weeks_back(timezone.localdate(), 8))
    rows = [
        {
            "question": q,
            "counts": live[q.pk],
            "sparkline": charts.sparkline(series[q.pk], label=_("Customers who asked, per week")),
        }
        for q in page
    ]
    departments = (
        Question.objects.exclude(department="").order_by("department").values_list("department", flat=True).distinct()
    )
    return render(
        request,
        "insights/questions/list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "department": department,
            "departments": list(departments),
            "can_ask": has_capability(request.user, Capability.ASK_QUESTIONS),
            "query": urlencode({"status": status, "department": department}),
        },
    )


@capability_required(Capability.ASK_QUESTIONS)
def ask(request: AuthedHttpRequest) -> HttpResponse:
    """Ask a question; notes are matched to it in a worker right away."""
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                question = services.ask_question(by=request.user, ip=client_ip(request), **form.cleaned_data)
            except DomainError as exc:
                show_on_forms(exc, form)
            else:
                messages.success(
                    request,
                    _(
                        "Question saved. Past notes are being matched to it now; "
                        "new notes are counted as they arrive (within a minute)."
                    ),
                )
                return redirect("question_detail", pk=question.pk)
        status = 400
    else:
        form = QuestionForm(initial={"department": request.user.department})
        status = 200
    return render(request, "insights/questions/form.html", {"form": form, "question": None}, status=status)


@capability_required(Capability.ASK_QUESTIONS)
def edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question, pk=pk)
    if not services.may_edit(request.user, question):
        messages.error(request, _("Only the person who asked, their department or an administrator can change it."))
        return redirect("question_detail", pk=pk)
    status = 200
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.edit_question(question=question, by=request.user, ip=client_ip(request), **form.cleaned_data)
            except DomainError as exc:
                show_on_forms(exc, form)
            else:
                messages.success(request, _("Question saved. Notes are matched again to the new wording."))
                return redirect("question_detail", pk=pk)
        status = 400
    else:
        form = QuestionForm(
            initial={
                "text": question.text,
                "text_es": question.text_es,
                "department": question.department,
                "themes": list(question.themes.all()),
                "product_areas": list(question.product_areas.all()),
            }
        )
    return render(request, "insights/questions/form.html", {"form": form, "question": question}, status=status)


def _published(breakdown: counts.Breakdown, user: Any) -> dict[str, list[tuple[str, int | None]]]:
    """The breakdown as ``user`` may see it: a cell under the publishing threshold could point at
    one agent or customer, so it shows as "fewer than" (None), except a site the user leads,
    whose notes they read anyway."""
    threshold = settings.VOC_PUBLISH_THRESHOLD
    own: set[str] = set()
    if has_capability(user, Capability.VIEW_SITE_NOTES):
        own = set(Site.objects.filter(pk__in=lead_site_ids(user)).values_list("name", flat=True))

    def shown(rows: list[tuple[str, int]], exact: set[str] = own) -> list[tuple[str, int | None]]:
        return [(name, n if n >= threshold or name in exact else None) for name, n in rows]

    return {
        "by_site": shown(breakdown.by_site),
        "by_language": shown(breakdown.by_language, set()),
        "by_channel": shown(breakdown.by_channel, set()),
    }


@capability_required(Capability.READ_QUESTIONS)
@require_GET
def question_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("asked_by"), pk=pk)
    user = request.user
    week_list = periods.weeks_back(timezone.localdate(), WEEKS)
    series = counts.weekly(question_ids=[question.pk], weeks=week_list)[question.pk]
    since = timezone.now() - counts.MONTH
    breakdown = counts.breakdown(question=question, since=since)
    context: dict[str, Any] = {
        "question": question,
        "counts": counts.counts(question_ids=[question.pk])[question.pk],
        "chart": charts.bar_chart_for_screens(
            [f"{w:%d/%m}" for w in week_list], series, title=_("Customers who asked, per week"), partial=True
        ),
        "series_table": list(zip(week_list, series, strict=True)),
        "breakdown": _published(breakdown, user),
        "threshold": settings.VOC_PUBLISH_THRESHOLD,
        "quotes": counts.examples(question=question, viewer=user),
        "themes": question.themes.all(),
        "product_areas": question.product_areas.all(),
        "can_edit": services.may_edit(user, question),
        "can_hear": has_capability(user, Capability.LOG_NOTES) and question.status == Question.Status.OPEN,
        "waiting": not question.weights,
        "subject_actions": effect.taken_about(question.actions.all()),
    }
    if has_capability(user, Capability.CONFIRM_MATCHES):
        to_decide = counts.by_text(counts.to_decide(question=question, site_ids=lead_site_ids(user)))
        context["decide_page"] = page = Paginator(to_decide, PAGE_SIZE).get_page(request.GET.get("page"))
        context["decide_items"] = counts.representatives(page)
    return render(request, "insights/questions/detail.html", context)


def _back(request: AuthedHttpRequest, default: str) -> str:
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        return back
    return default


@capability_required(Capability.ASK_QUESTIONS)
@require_POST
def close(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question, pk=pk)
    reopen = request.POST.get("reopen") == "1"
    try:
        services.close_question(question=question, by=request.user, reopen=reopen, ip=client_ip(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if reopen:
            messages.success(request, _("Question open again: notes are matched to it from now on."))
        else:
            messages.success(request, _("Question closed: its counts stay, and no new note is matched to it."))
    return redirect("question_detail", pk=pk)


@capability_required(Capability.CONFIRM_MATCHES)
@require_POST
def decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(
        QuestionMatch.objects.filter(site_id__in=lead_site_ids(request.user)).select_related("question"), pk=pk
    )
    decision = request.POST.get("decision")
    if decision not in ("confirm", "reject"):
        messages.error(request, _("Choose whether to confirm or reject the match."))
        return redirect(_back(request, reverse("question_detail", args=[match.question_id])))
    confirm = decision == "confirm"
    try:
        services.decide_match(match=match, by=request.user, confirm=confirm, ip=client_ip(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if confirm:
            messages.success(request, _("Confirmed: it counts, and the question learns from it."))
        else:
            messages.success(request, _("Rejected: this note no longer counts for the question."))
    return redirect(_back(request, reverse("question_detail", args=[match.question_id])))


@capability_required(Capability.LOG_NOTES)
@require_POST
def heard(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """An agent's "+1, heard this too" on a question (from the quick form or the question page)."""
    question = get_object_or_404(Question, pk=pk)

    def count(channel: str) -> dict[str, Any]:
        services.hear_question(question=question, agent=request.user, channel=channel)
        live = counts.counts(question_ids=[question.pk])[question.pk]
        return {"count_week": live.week, "meta": question_meta(live.month)}

    return plus_one.answer(request, count, back=_back(request, reverse("capture")))
