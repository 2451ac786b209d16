"""Listening pages: my progress and sessions, and the form to log a session (every role)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from voc.errors import DomainError, show_on_forms
from voc.http import AuthedHttpRequest
from voc.models import ListeningSession
from voc.programme.listening import services as listening
from voc.programme.listening.forms import ListeningSessionForm
from voc.roles import Capability, capability_required

PAGE_SIZE = 20


def _blank_form(request: AuthedHttpRequest) -> ListeningSessionForm:
    return ListeningSessionForm(initial={"day": timezone.localdate(), "site": request.user.site_id})


@capability_required(Capability.LOG_LISTENING)
@require_GET
def listening_mine(request: AuthedHttpRequest) -> HttpResponse:
    sessions = ListeningSession.objects.filter(person=request.user).select_related("site")
    page = Paginator(sessions.order_by("-day", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "voc/listening/mine.html",
        {
            "progress": listening.progress(request.user, today=timezone.localdate()),
            "page": page,
            "form": _blank_form(request),
        },
    )


@capability_required(Capability.LOG_LISTENING)
@require_http_methods(["GET", "POST"])
def listening_new(request: AuthedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "voc/listening/new.html", {"form": _blank_form(request)})
    form = ListeningSessionForm(request.POST)
    if form.is_valid():
        try:
            session = listening.log_session(person=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_on_forms(exc, form)
        else:
            saved = ngettext(
                "Saved: %(minutes)d minute of listening.", "Saved: %(minutes)d minutes of listening.", session.minutes
            ) % {"minutes": session.minutes}
            if session.idea_note_id:
                saved += " " + _("Your idea is now a note, heard by you.")
            messages.success(request, saved)
            return redirect("listening_mine")
    return render(request, "voc/listening/new.html", {"form": form})
