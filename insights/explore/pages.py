"""What the dashboard's page and PDF show for one reader and query: the figures, each chart
(SVG from ``insights.charts``) with its rows and the link to the notes behind each row."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insights import charts
from insights.explore import figures, services
from voc.models import User


def context(user: User, params: QueryDict) -> tuple[services.View, figures.Dashboard | None, dict[str, Any]]:
    """The reader's view under ``params``, its figures (None when a filter is wrong) and what
    the page and the PDF show."""
    board_view = services.view(user, params)
    board = services.dashboard(board_view) if board_view.filter.is_valid() else None
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
        labels, values, shown = [s.label for s in slices], [s.count for s in slices], [s.shown for s in slices]
        result[attribute] = {
            "title": title,
            "chart": charts.hbar_chart(labels, values, title=str(title), links=links, shown=shown, width=560),
            # a phone gets a narrower drawing, so that its type is not scaled down to nothing
            "narrow": charts.hbar_chart(
                labels, values, title=str(title), links=links, shown=shown, width=charts.NARROW_WIDTH, label_width=130
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
    labels, values = [s.label for s in board.series], [s.count for s in board.series]
    result["series"] = {
        "title": series_title,
        "chart": charts.bar_chart_for_screens(
            labels, values, title=series_title, links=series_links, partial=board.partial
        ),
        "rows": list(zip(board.series, series_links, strict=True)),
    }
    result["rising"] = [(rising, f"notes/?{services.drill(params, theme=rising.theme.key)}") for rising in board.rising]
    if board.failure_demand is not None:
        result["failure_demand_link"] = f"notes/?{services.drill(params, caused_by_us='true')}"
    return result
