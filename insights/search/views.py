"""/search/: one box for everything a person may read; /search/similar/<id>/: more like a note."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from insights.search import services
from voc.errors import DomainError
from voc.http import AuthedHttpRequest


@require_GET
def search(request: AuthedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    sort = request.GET.get("sort") or "relevance"
    context: dict = {"query": query, "sort": sort, "sorts": services.SORTS}
    status = 200
    if not query:
        context["filters"] = services.note_filters(viewer=request.user, data=None)
        return render(request, "insights/search/search.html", context)
    with services.quick_plans():
        try:
            found = services.search_notes(viewer=request.user, query=query, sort=sort, filters=request.GET)
        except services.InvalidSearch as exc:
            context["errors"] = exc.errors
            context["filters"] = services.note_filters(viewer=request.user, data=request.GET)
            return render(request, "insights/search/search.html", context, status=400)
        page = Paginator(found.notes, services.PAGE_SIZE).get_page(request.GET.get("page"))
        notes = list(page.object_list)
        marked = services.highlighted(notes, found.query)
    params = request.GET.copy()
    params.pop("page", None)
    context.update(
        filters=found.filters,
        bounds=found.bounds,
        page=page,
        rows=[(note, marked[note.pk]) for note in notes],
        others=services.search_others(viewer=request.user, query=found.query, language=get_language() or "en"),
        params=params.urlencode(),
    )
    return render(request, "insights/search/search.html", context, status=status)


@require_GET
def similar(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    try:
        source, notes = services.more_like_this(viewer=request.user, note_id=pk)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return render(request, "insights/search/similar.html", {"source": source, "notes": notes})
