"""The dashboard (``/dashboard/``): filters in the URL, figures and charts that drill down to
the notes behind them (``/dashboard/notes/``), and exports of the current view (CSV of the
figures, CSV of the notes, PDF)."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from insights import tasks
from insights.explore import pages, pdf, services
from voc import csvfiles
from voc.http import AuthedHttpRequest
from voc.roles import Capability, capability_required

PAGE_SIZE = 25


@capability_required(Capability.EXPLORE)
@require_GET
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    _view, board, context = pages.context(request.user, request.GET)
    return render(request, "insights/explore/dashboard.html", context, status=200 if board is not None else 400)


@capability_required(Capability.EXPLORE)
@require_GET
def notes(request: AuthedHttpRequest) -> HttpResponse:
    """The notes behind a figure: the same filters, newest first, paginated."""
    board_view = services.view(request.user, request.GET)
    rows = board_view.notes.select_related("site", "product_area", "assignment__theme").order_by("-occurred_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "insights/explore/notes.html",
        {
            "view": board_view,
            "form": board_view.filter.form,
            "page": page,
            "query": services.drill(request.GET),
        },
        status=200 if board_view.filter.is_valid() else 400,
    )


@capability_required(Capability.EXPLORE)
@require_GET
def figures_csv(request: AuthedHttpRequest) -> HttpResponse:
    _view, board, context = pages.context(request.user, request.GET)
    if board is None:
        return render(request, "insights/explore/dashboard.html", context, status=400)
    response = HttpResponse(services.figures_csv(board), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{board.first}-{board.last}.csv"'
    return response


NOTE_COLUMNS = ["id", "occurred_at", "site", "kind", "channel", "language", "text", "theme", "product_area"]
FLAG_COLUMNS = ["customer_abroad", "caused_by_us", "lonely", "vulnerable"]


class _Echo:
    def write(self, value: str) -> str:
        return value


@capability_required(Capability.EXPLORE)
@require_GET
def notes_csv(request: AuthedHttpRequest) -> HttpResponseBase:
    """The notes of the current view, streamed: redacted text, no agent, no contact details."""
    board_view = services.view(request.user, request.GET)
    if not board_view.filter.is_valid():
        return HttpResponse(_("Fix the filters first."), status=400, content_type="text/plain; charset=utf-8")
    rows = board_view.notes.select_related("site", "product_area", "assignment__theme").order_by("occurred_at", "id")
    writer = csvfiles.Writer(_Echo())

    def lines() -> Iterator[str]:
        yield csvfiles.BOM + writer.writerow(NOTE_COLUMNS + FLAG_COLUMNS)
        for note in rows.iterator(chunk_size=2000):
            theme = getattr(getattr(note, "assignment", None), "theme", None)
            yield writer.writerow(
                [
                    note.pk,
                    timezone.localtime(note.occurred_at).isoformat(),
                    note.site.name,
                    note.kind,
                    note.channel,
                    note.language,
                    note.text,
                    theme.label if theme is not None else "",
                    note.product_area.name if note.product_area else "",
                    *(getattr(note, flag) for flag in FLAG_COLUMNS),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="notes-{board_view.first}-{board_view.last}.csv"'
    return response


@capability_required(Capability.EXPLORE)
@require_GET
def dashboard_pdf(request: AuthedHttpRequest) -> HttpResponseBase:
    """The current view as a PDF: rendered by a worker (``explore.pdf``); this page waits for
    it, refreshing every few seconds, and downloads it once it is there."""
    board_view = services.view(request.user, request.GET)
    if not board_view.filter.is_valid():
        _view, _board, context = pages.context(request.user, request.GET)
        return render(request, "insights/explore/dashboard.html", context, status=400)
    query = request.GET.urlencode()
    path = pdf.path_for(request.user, query)
    if pdf.ready(path):
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"dashboard-{board_view.first}-{board_view.last}.pdf",
            content_type="application/pdf",
        )
    if pdf.ask(path):
        tasks.render_dashboard_pdf.delay(request.user.pk, query)
    return render(request, "insights/explore/pdf_waiting.html", {"query": services.drill(request.GET)}, status=202)
