"""The head-office dashboard's figures for a filtered set of notes, all from SQL aggregates
(one GROUP BY per breakdown, on the occurred_at range the filters set): volume over time, share
by kind, breakdowns by site, channel, language and product, failure demand, top and rising
themes. Each figure carries the filter that drills down to the notes behind it. Counts under
``VOC_PUBLISH_THRESHOLD`` read "fewer than N" for readers who do not lead the notes' sites."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from insights.models import Theme
from insights.questions.counts import midnight
from voc.models import Insight, ProductArea, Site
from voc.periods import week_start

DAILY_UP_TO = 45  # days: a longer range is drawn by ISO week
TOP = 10


@dataclass(frozen=True)
class Slice:
    key: str  # the filter value that drills down to these notes
    label: str
    count: int
    shown: str  # what is printed: the number, or "fewer than 3"
    share: float | None = None  # of the filtered set, 0..1
    withheld: bool = False  # under the publication threshold for this reader: only ``shown`` is published


@dataclass(frozen=True)
class Rising:
    theme: Slice
    previous: int
    change: float | None  # (now - before) / before; None when it was 0 before


@dataclass
class Dashboard:
    first: date
    last: date
    total: int
    shown_total: str
    previous_total: int
    unit: str  # "day" or "week"
    series: list[Slice] = field(default_factory=list)
    partial: bool = False  # the last point is a period still running
    kinds: list[Slice] = field(default_factory=list)
    sites: list[Slice] = field(default_factory=list)
    channels: list[Slice] = field(default_factory=list)
    languages: list[Slice] = field(default_factory=list)
    products: list[Slice] = field(default_factory=list)
    failure_demand: Slice | None = None
    themes: list[Slice] = field(default_factory=list)
    rising: list[Rising] = field(default_factory=list)
    suppressed: bool = False


def withheld(count: int, *, suppress: bool) -> bool:
    return suppress and 0 < count < settings.VOC_PUBLISH_THRESHOLD


def shown(count: int, *, suppress: bool) -> str:
    if withheld(count, suppress=suppress):
        return _("fewer than %(n)d") % {"n": settings.VOC_PUBLISH_THRESHOLD}
    return number_format(count, force_grouping=True)


def make(key: Any, label: str, count: int, *, total: int, suppress: bool) -> Slice:
    hidden = withheld(count, suppress=suppress)
    return Slice(
        key=str(key),
        label=label,
        count=count,
        shown=shown(count, suppress=suppress),
        share=count / total if total and not hidden else None,
        withheld=hidden,
    )


def build(
    notes: QuerySet[Insight], *, first: date, last: date, everything: QuerySet[Insight], suppress: bool
) -> Dashboard:
    """Figures of ``notes`` (already filtered, active, to what the reader may see) over
    ``[first, last]``; ``everything`` is the same set without the period, for the period before."""
    total = notes.count()

    def slices(rows: list[tuple[Any, int]], label: Callable[[Any], str]) -> list[Slice]:
        return [make(key, label(key), n, total=total, suppress=suppress) for key, n in rows]

    def grouped(column: str) -> list[tuple[Any, int]]:
        return list(notes.order_by().values_list(column).annotate(n=Count("id")).order_by("-n", column))

    days = (last - first).days + 1
    length = timedelta(days=days)
    before = everything.filter(occurred_at__gte=midnight(first - length), occurred_at__lt=midnight(first))
    board = Dashboard(
        first=first,
        last=last,
        total=total,
        shown_total=shown(total, suppress=suppress),
        previous_total=before.count(),
        unit="day" if days <= DAILY_UP_TO else "week",
        suppressed=suppress,
    )
    board.series, board.partial = _series(notes, first=first, last=last, unit=board.unit, suppress=suppress)
    board.kinds = slices(grouped("kind"), lambda k: str(Insight.Kind(k).label) if k in Insight.Kind.values else k)
    site_names = dict(Site.objects.values_list("pk", "name"))
    board.sites = slices(grouped("site_id"), lambda pk: site_names.get(pk, "?"))
    board.channels = slices(
        grouped("channel"), lambda c: str(Insight.Channel(c).label) if c in Insight.Channel.values else c
    )
    board.languages = slices(
        grouped("language"), lambda code: str(Insight.Language(code).label) if code in Insight.Language.values else code
    )
    areas = dict(ProductArea.objects.values_list("pk", "name"))
    board.products = slices(
        [(pk, n) for pk, n in grouped("product_area_id") if pk is not None][:TOP], lambda pk: areas.get(pk, "?")
    )
    caused = notes.filter(caused_by_us=True).count()
    board.failure_demand = make("true", _("Failure demand: caused by us"), caused, total=total, suppress=suppress)
    board.themes, board.rising = _themes(notes, before=before, suppress=suppress, slices=slices)
    return board


def _series(
    notes: QuerySet[Insight], *, first: date, last: date, unit: str, suppress: bool
) -> tuple[list[Slice], bool]:
    today = timezone.localdate()
    if unit == "day":
        counted = dict(
            notes.order_by().annotate(day=TruncDate("occurred_at")).values_list("day").annotate(n=Count("id"))
        )
        points = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    else:
        counted = {
            (key.date() if hasattr(key, "date") else key): n
            for key, n in notes.order_by()
            .annotate(week=TruncWeek("occurred_at"))
            .values_list("week")
            .annotate(n=Count("id"))
        }
        points = []
        monday = week_start(first)
        while monday <= last:
            points.append(monday)
            monday += timedelta(days=7)
    span = timedelta(days=0 if unit == "day" else 6)
    end = points[-1] + span if points else last
    partial = end > last or end >= today  # the last point's period is cut short or still running
    return [
        make(point.isoformat(), date_format(point, "d/m"), counted.get(point, 0), total=0, suppress=suppress)
        for point in points
    ], partial


def _themes(
    notes: QuerySet[Insight], *, before: QuerySet[Insight], suppress: bool, slices: Any
) -> tuple[list[Slice], list[Rising]]:
    accepted = Q(assignment__theme__status=Theme.Status.ACCEPTED)
    now_rows = list(
        notes.filter(accepted)
        .order_by()
        .values_list("assignment__theme_id")
        .annotate(n=Count("id"))
        .order_by("-n", "assignment__theme_id")
    )
    names = {t.pk: t.label for t in Theme.objects.filter(pk__in=[pk for pk, _n in now_rows])}
    top = slices(now_rows[:TOP], lambda pk: names.get(pk, "?"))
    previous = dict(
        before.filter(accepted, assignment__theme_id__in=[pk for pk, _n in now_rows])
        .order_by()
        .values_list("assignment__theme_id")
        .annotate(n=Count("id"))
    )
    rising = []
    threshold = settings.VOC_PUBLISH_THRESHOLD
    for theme in slices(now_rows, lambda pk: names.get(pk, "?")):
        was = previous.get(int(theme.key), 0)
        if theme.count >= threshold and theme.count > was:
            rising.append(Rising(theme=theme, previous=was, change=(theme.count - was) / was if was else None))
    rising.sort(key=lambda r: (-(r.theme.count - r.previous), r.theme.label))
    return top, rising[:5]
