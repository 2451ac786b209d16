"""Complaint-case pages: an executive's cases and a buddy's, one case with its timeline, the
workflow buttons, and the contact details (audited)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from voc.audit import client_ip
from voc.errors import DomainError, show_on_forms
from voc.http import AuthedHttpRequest
from voc.models import CaseGap, ComplaintCase, User
from voc.notes import services
from voc.programme.cases import services as cases
from voc.programme.cases.forms import CaseNoteForm, HandBackForm, ResolveForm

PAGE_SIZE = 20


def _may_work_on_cases(user: User) -> bool:
    return cases.works_on_cases(user)


def _case(request: AuthedHttpRequest, pk: int) -> ComplaintCase:
    if not _may_work_on_cases(request.user):
        raise PermissionDenied
    return get_object_or_404(cases.visible_cases(request.user), pk=pk)


@require_GET
def case_list(request: AuthedHttpRequest) -> HttpResponse:
    if not _may_work_on_cases(request.user):
        raise PermissionDenied
    page = Paginator(cases.visible_cases(request.user).order_by("-month", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    gaps = CaseGap.objects.filter(executive=request.user)[:6]
    return render(request, "voc/cases/list.html", {"page": page, "gaps": gaps})


def _forms(data: Any = None) -> dict[str, Form]:
    return {"resolve_form": ResolveForm(data), "handback_form": HandBackForm(data), "note_form": CaseNoteForm(data)}


@require_GET
def case_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return render(request, "voc/cases/detail.html", _context(request, case, _forms()))


def _context(request: AuthedHttpRequest, case: ComplaintCase, forms: dict[str, Form]) -> dict[str, Any]:
    return {
        "case": case,
        "events": case.events.select_related("author"),
        "is_executive": case.executive_id == request.user.pk,
        "may_write": request.user.pk in (case.executive_id, case.buddy_id),
        "has_contact": hasattr(case.note, "contact"),
        **forms,
    }


# --- the workflow: one POST view per step, each calling one service ------------------------------

CaseStep = Callable[[AuthedHttpRequest, ComplaintCase, dict[str, Any]], object]


def _case_step(
    form_name: str | None, done: Promise
) -> Callable[[CaseStep], Callable[[AuthedHttpRequest, int], HttpResponse]]:
    """A step on case ``pk`` with the POST checked by the form ``form_name`` (None: no form).
    A refusal shows on that form (or as a message) with what was typed; success goes back to the
    case, saying what was ``done`` and what happens next."""

    def decorate(step: CaseStep) -> Callable[[AuthedHttpRequest, int], HttpResponse]:
        @wraps(step)
        @require_POST
        def view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
            case = _case(request, pk)
            forms = _forms(request.POST)
            form = forms[form_name] if form_name else None
            if form is not None and not form.is_valid():
                return render(request, "voc/cases/detail.html", _context(request, case, forms), status=400)
            try:
                step(request, case, form.cleaned_data if form is not None else {})
            except DomainError as exc:
                if form is None:
                    messages.error(request, exc.message)
                    return redirect("case_detail", pk=case.pk)
                show_on_forms(exc, form)
                case.refresh_from_db()
                return render(request, "voc/cases/detail.html", _context(request, case, forms), status=400)
            case.refresh_from_db()
            messages.success(request, f"{done} {cases.next_step(case)}")
            return redirect("case_detail", pk=case.pk)

        return view

    return decorate


@_case_step(None, gettext_lazy("Acknowledged."))
def acknowledge_case(request: AuthedHttpRequest, case: ComplaintCase, data: dict[str, Any]) -> None:
    cases.acknowledge_case(case=case, by=request.user)


@_case_step(None, gettext_lazy("Customer contact recorded."))
def customer_contacted(request: AuthedHttpRequest, case: ComplaintCase, data: dict[str, Any]) -> None:
    cases.record_customer_contacted(case=case, by=request.user, text=request.POST.get("text", ""))


@_case_step("resolve_form", gettext_lazy("Resolved."))
def resolve_case(request: AuthedHttpRequest, case: ComplaintCase, data: dict[str, Any]) -> None:
    cases.resolve_case(case=case, by=request.user, **data)


@_case_step("handback_form", gettext_lazy("Handed back."))
def hand_back_case(request: AuthedHttpRequest, case: ComplaintCase, data: dict[str, Any]) -> None:
    cases.hand_back_case(case=case, by=request.user, reason=data["reason"])


@_case_step("note_form", gettext_lazy("Note added to the timeline."))
def add_case_note(request: AuthedHttpRequest, case: ComplaintCase, data: dict[str, Any]) -> None:
    cases.add_case_note(case=case, by=request.user, text=data["text"])


@require_http_methods(["GET"])
def case_contact(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The customer's contact details: executive, buddy and the site's leads; each view audited."""
    case = _case(request, pk)
    contact = getattr(case.note, "contact", None)
    if contact is None or not cases.may_see_case_contact(request.user, case):
        raise PermissionDenied
    try:
        services.open_contact(contact=contact, viewer=request.user, ip_address=client_ip(request))
    except DomainError:
        raise PermissionDenied from None
    return render(request, "voc/contact.html", {"contact": contact, "note": case.note, "case": case})
