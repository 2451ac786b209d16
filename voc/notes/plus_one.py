"""The one way a "+1, heard this too" answers, whatever it counts on (a note, a question, a
theme): JSON for the quick form's script, else a message and back to the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from voc.errors import DomainError
from voc.http import AuthedHttpRequest
from voc.models import Insight


def channel_of(request: AuthedHttpRequest) -> str:
    """The channel a +1 came through: as sent, else the agent's last one."""
    return request.POST.get("channel") or last_channel(request)


def last_channel(request: AuthedHttpRequest) -> str:
    """The channel the agent used last (this session's, else their latest note's)."""
    remembered = request.session.get("last_channel")
    if remembered:
        return remembered
    last = Insight.objects.filter(agent=request.user).order_by("-created_at").values_list("channel", flat=True)
    return last.first() or Insight.Channel.PHONE


def answer(request: AuthedHttpRequest, count: Callable[[str], dict[str, Any]], *, back: str) -> HttpResponse:
    """Count with ``count(channel)`` (a service call returning what the quick form shows next,
    e.g. the new count) and answer; a refusal is the message, never a 500."""
    wants_json = request.headers.get("Accept") == "application/json"
    try:
        shown = count(channel_of(request))
    except DomainError as exc:
        if wants_json:
            return JsonResponse({"detail": exc.message}, status=400)
        messages.error(request, exc.message)
    else:
        if wants_json:
            return JsonResponse({"detail": str(_("Counted: +1.")), **shown})
        messages.success(request, _("Counted: +1. No need to log it again."))
    return redirect(back)
