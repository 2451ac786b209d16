"""The dashboard (``/dashboard/``): filters in the URL, figures and charts that drill down to
the notes behind them (``/dashboard/notes/``), and exports of the current view (CSV of the
figures, CSV of the notes, PDF)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from insights import charts
from insights.explore import figures, services
from voc import csvfiles, documents
from voc.http import AuthedHttpRequest
from voc.roles import Capability, capability_required

PAGE_SIZE = 25


def _context(request: AuthedHttpRequest) -> tuple[services.View, figures.Dashboard | None, dict[str, Any]]:
    board_view = services.view(request.user, request.GET)
    board = services.dashboard(board_view) if board_view.filter.is_valid() else None
    params = request.GET
    context: dict[str, Any] = {
        "view": board_view,
        "form": board_view.filter.form,
        "board": board,
        "query": services.drill(params),
        "threshold": settings.VOC_PUBLISH_THRESHOLD,
        "described": services.describe(board_view),
    }
    if board is not None:
        context["charts"] = _charts(board, params)
        context["pdf_parts"] = [context["charts"][attribute] for _name, attribute, _title in BREAKDOWNS]
    return board_view, board, context


BREAKDOWNS = (  # (parameter, Dashboard attribute, chart title)
    ("kind", "kinds", gettext_lazy("Notes by kind")),
    ("site", "sites", gettext_lazy("Notes by site")),
    ("channel", "channels", gettext_lazy("Notes by channel")),
    ("language", "languages", gettext_lazy("Notes by language")),
    ("product_area", "products", gettext_lazy("Notes by product or area")),
    ("theme", "themes", gettext_lazy("Top themes")),
)


def _charts(board: figures.Dashboard, params: Any) -> dict[str, Any]:
    """Each chart (SVG, from insights.charts) with its rows: (slice, link to its notes)."""
    result: dict[str, Any] = {}
    for name, attribute, title in BREAKDOWNS:
        slices: list[figures.Slice] = getattr(board, attribute)
        links = [f"notes/?{services.drill(params, **{name: s.key})}" for s in slices]
        result[attribute] = {
            "title": title,
            "chart": charts.hbar_chart(
                [s.label for s in slices],
                [s.count for s in slices],
                title=str(title),
                links=links,
                shown=[s.shown for s in slices],
            ),
            "rows": list(zip(slices, links, strict=True)),
        }
    series_links = [
        "notes/?"
        + services.series_drill(
            params, point=date.fromisoformat(s.key), unit=board.unit, first=board.first, last=board.last
        )
        for s in board.series
    ]
    series_title = _("Notes per day") if board.unit == "day" else _("Notes per week")
    result["series"] = {
        "title": series_title,
        "chart": charts.bar_chart(
            [s.label for s in board.series],
            [s.count for s in board.series],
            title=series_title,
            links=series_links,
            partial=board.partial,
        ),
        "rows": list(zip(board.series, series_links, strict=True)),
    }
    result["rising"] = [(rising, f"notes/?{services.drill(params, theme=rising.theme.key)}") for rising in board.rising]
    if board.failure_demand is not None:
        result["failure_demand_link"] = f"notes/?{services.drill(params, caused_by_us='true')}"
    return result


@capability_required(Capability.EXPLORE)
@require_GET
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    _view, board, context = _context(request)
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
    _view, board, context = _context(request)
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
        yield "\ufeff" + writer.writerow(NOTE_COLUMNS + FLAG_COLUMNS)
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
def dashboard_pdf(request: AuthedHttpRequest) -> HttpResponse:
    """The current view as a PDF (WeasyPrint), its charts drawn by the same chart code."""
    _view, board, context = _context(request)
    if board is None:
        return render(request, "insights/explore/dashboard.html", context, status=400)
    html = render_to_string("insights/explore/dashboard_pdf.html", {**context, "font_faces": documents.font_faces()})
    document = documents.render(html).write_pdf()
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{board.first}-{board.last}.pdf"'
    return response
