"""Action pages: the list, recording one, its page with the measured effect, changing it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from insights import charts
from insights.actions import effect, services
from insights.actions.forms import ActionForm
from insights.actions.models import Action
from voc.audit import client_ip
from voc.errors import DomainError, show_on_forms
from voc.http import AuthedHttpRequest
from voc.input_guard import row_id
from voc.roles import Capability, capability_required, has_capability

PAGE_SIZE = 25


@capability_required(Capability.READ_ACTIONS)
@require_GET
def action_list(request: AuthedHttpRequest) -> HttpResponse:
    actions = Action.objects.select_related("owner").prefetch_related("themes", "questions")
    status = request.GET.get("status", "")
    if status in Action.Status.values:
        actions = actions.filter(status=status)
    department = request.GET.get("department", "").strip()
    if department:
        actions = actions.filter(department=department)
    page = Paginator(actions.order_by("-updated_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    departments = Action.objects.exclude(department="").order_by("department").values_list("department", flat=True)
    return render(
        request,
        "insights/actions/list.html",
        {
            "page": page,
            "status": status,
            "statuses": Action.Status.choices,
            "department": department,
            "departments": list(departments.distinct()),
            "can_record": has_capability(request.user, Capability.RECORD_ACTIONS),
            "query": urlencode({"status": status, "department": department}),
        },
    )


@capability_required(Capability.RECORD_ACTIONS)
def record(request: AuthedHttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ActionForm(request.POST)
        if form.is_valid():
            try:
                action = services.record_action(by=request.user, ip=client_ip(request), **form.cleaned_data)
            except DomainError as exc:
                show_on_forms(exc, form)
            else:
                messages.success(
                    request,
                    _("Action recorded. Once it is done, its effect on the notes is measured here, week by week."),
                )
                return redirect("action_detail", pk=action.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"department": request.user.department, "status": Action.Status.PLANNED}
        for key in ("themes", "questions"):
            if request.GET.get(key):
                initial[key] = [pk for v in request.GET.getlist(key) if (pk := row_id(v)) is not None]
        form = ActionForm(initial=initial)
    return render(request, "insights/actions/form.html", {"form": form, "action": None}, status=status)


@capability_required(Capability.READ_ACTIONS)
@require_GET
def action_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("owner", "created_by"), pk=pk)
    measured = effect.measure(action=action)
    chart = None
    if measured is not None and measured.published and measured.after:
        first_after = measured.after_period[0] if measured.after_period else measured.before_period[1]
        labels = [f"{measured.before_period[0] + timedelta(weeks=i):%d/%m}" for i in range(len(measured.before))] + [
            f"{first_after + timedelta(weeks=i):%d/%m}" for i in range(len(measured.after))
        ]
        chart = charts.bar_chart_for_screens(
            labels, measured.before + measured.after, title=_("Customers a week, before and after")
        )
    return render(
        request,
        "insights/actions/detail.html",
        {
            "action": action,
            "effect": measured,
            "chart": chart,
            "themes": action.themes.all(),
            "questions": action.questions.all(),
            "can_edit": services.may_edit(request.user, action),
        },
    )


@capability_required(Capability.RECORD_ACTIONS)
def edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action, pk=pk)
    if not services.may_edit(request.user, action):
        messages.error(
            request, _("Only whoever recorded it, its owner, its department or an administrator can change it.")
        )
        return redirect("action_detail", pk=pk)
    status = 200
    if request.method == "POST":
        form = ActionForm(request.POST, action=action)
        if form.is_valid():
            try:
                services.update_action(action=action, by=request.user, ip=client_ip(request), **form.cleaned_data)
            except DomainError as exc:
                show_on_forms(exc, form)
            else:
                messages.success(request, _("Action saved."))
                return redirect("action_detail", pk=pk)
        status = 400
    else:
        form = ActionForm(
            initial={
                "title": action.title,
                "description": action.description,
                "department": action.department,
                "status": action.status,
                "started_on": action.started_on,
                "done_on": action.done_on,
                "themes": list(action.themes.all()),
                "questions": list(action.questions.all()),
            }
        )
    return render(request, "insights/actions/form.html", {"form": form, "action": action}, status=status)
