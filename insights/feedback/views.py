"""'What happened to what you told us': an agent's notes (a lead's: their sites') and what
became of them."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from insights.feedback import reads
from voc.access import visible_notes
from voc.http import AuthedHttpRequest
from voc.models import Insight
from voc.roles import Capability, capability_required, has_capability

PAGE_SIZE = 25


@capability_required(Capability.HEAR_BACK)
@require_GET
def what_happened(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    sites = has_capability(user, Capability.VIEW_SITE_NOTES) and request.GET.get("scope") == "sites"
    notes = visible_notes(user) if sites else Insight.objects.filter(agent=user)
    notes = notes.filter(status=Insight.Status.ACTIVE)
    page = Paginator(
        notes.select_related("site", "assignment__theme").order_by("-occurred_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "insights/feedback/what_happened.html",
        {
            "page": page,
            "outcomes": reads.outcomes(list(page)),
            "summary": reads.summary(notes, heard_by=None if sites else user),
            "sites": sites,
            "can_see_sites": has_capability(user, Capability.VIEW_SITE_NOTES),
            "query": "scope=sites" if sites else "",
        },
    )
