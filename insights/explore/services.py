"""The dashboard for one reader and one set of filters: the notes they may read, filtered;
the figures; drill-down links; and the exports (CSV of the figures and of the notes, PDF)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from insights.explore import figures, rollup
from insights.explore.filters import DEFAULT_PERIOD, ExploreFilter
from voc import csvfiles
from voc.access import lead_site_ids, visible_notes
from voc.models import Insight, Site, User
from voc.roles import Capability, has_capability


@dataclass
class View:
    """One reader's filtered view: ``filter`` (with its form and errors) and its notes."""

    filter: ExploreFilter
    notes: QuerySet[Insight]
    everything: QuerySet[Insight]  # the same filters, any date
    first: date
    last: date
    suppress: bool
    scope: rollup.Scope | None = None  # the same filters for the daily roll-up, when it can answer


def readable(user: User) -> QuerySet[Insight]:
    return visible_notes(user).active()


def sites_for(user: User) -> QuerySet[Site]:
    sites = Site.objects.filter(is_active=True)
    if has_capability(user, Capability.READ_REPORTS):
        return sites
    return sites.filter(pk__in=lead_site_ids(user))


def view(user: User, params: QueryDict, *, today: date | None = None) -> View:
    """The reader's notes under ``params`` (the dashboard's query string). An invalid filter
    leaves its errors on ``view.filter.form`` and the notes empty."""
    base = readable(user)
    if not params.get("period"):
        params = params.copy()
        params["period"] = DEFAULT_PERIOD if not (params.get("date_from") or params.get("date_to")) else "custom"
    explore = ExploreFilter(params, queryset=base, sites=sites_for(user), today=today)
    notes = explore.qs if explore.is_valid() else base.none()
    first, last = explore.bounds
    undated = ExploreFilter(params, queryset=base, sites=sites_for(user), today=today, dated=False)
    everything = undated.qs if undated.is_valid() else base.none()
    scope = None
    # the roll-up counts whole sites: a reader who sees only some of a site's notes counts them
    if explore.is_valid() and undated.is_valid() and has_capability(user, Capability.VIEW_SITE_NOTES):
        scope = rollup.Scope.of(explore.form.cleaned_data, visible_sites=lead_site_ids(user))
    elif explore.is_valid() and undated.is_valid() and has_capability(user, Capability.READ_REPORTS):
        scope = rollup.Scope.of(explore.form.cleaned_data, visible_sites=None)
    return View(
        filter=explore,
        notes=notes,
        everything=everything,
        first=first,
        last=last,
        # Head office and executives read published figures; a lead knows their own sites' notes.
        suppress=not has_capability(user, Capability.VIEW_SITE_NOTES),
        scope=scope,
    )


def describe(board_view: View) -> list[str]:
    """The filters in force besides the period, in words ("Kind: Complaint, Want")."""
    form = board_view.filter.form
    if not form.is_valid():
        return []
    words = []
    for name, value in form.cleaned_data.items():
        if (
            name in ("period", "date_from", "date_to")
            or value in (None, "")
            or (hasattr(value, "__len__") and not len(value))
        ):
            continue
        field = form.fields[name]
        if isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif hasattr(field, "choices") and not hasattr(value, "model") and isinstance(value, list):
            labels = dict(field.choices)
            shown = ", ".join(str(labels.get(v, v)) for v in value)
        else:
            shown = ", ".join(str(v) for v in value)
        words.append(f"{field.label}: {shown}")
    return words


def dashboard(board_view: View) -> figures.Dashboard:
    return figures.build(
        board_view.notes,
        first=board_view.first,
        last=board_view.last,
        everything=board_view.everything,
        suppress=board_view.suppress,
        scope=board_view.scope,
    )


def drill(params: QueryDict, **changes: Any) -> str:
    """The query string of the notes behind one figure: the current filters plus ``changes``
    (a value replaces the parameter; lists add several)."""
    query = params.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query.setlist(name, [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)])
    return query.urlencode()


def series_drill(params: QueryDict, *, point: date, unit: str, first: date, last: date) -> str:
    end = point if unit == "day" else point + timedelta(days=6)
    return drill(params, period="custom", date_from=max(point, first).isoformat(), date_to=min(end, last).isoformat())


# --- exports -----------------------------------------------------------------------------------


def figures_csv(board: figures.Dashboard) -> str:
    """The figures as rows of (figure, item, notes, share), in the reader's language; counts
    under the threshold as they are shown."""
    out = io.StringIO()
    out.write(csvfiles.BOM)  # so that Excel reads the accents
    writer = csvfiles.Writer(out)  # a theme's label is people's text: never a live formula
    writer.writerow([_("Figure"), _("Item"), _("Notes"), _("Share")])
    writer.writerow([_("Period"), f"{board.first.isoformat()} / {board.last.isoformat()}", board.shown_total, ""])
    sections: list[tuple[str, list[figures.Slice]]] = [
        (_("Notes per day") if board.unit == "day" else _("Notes per week"), board.series),
        (_("Kind"), board.kinds),
        (_("Site"), board.sites),
        (_("Channel"), board.channels),
        (_("Language"), board.languages),
        (_("Product or area"), board.products),
        (_("Theme"), board.themes),
    ]
    if board.failure_demand is not None:
        sections.append((_("Failure demand"), [board.failure_demand]))
    for title, slices in sections:
        for item in slices:
            share = f"{item.share:.3f}" if item.share is not None else ""
            writer.writerow([title, item.label, item.shown, share])
    return out.getvalue()
