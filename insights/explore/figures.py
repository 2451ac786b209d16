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
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from insights.explore import rollup
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


DIMENSIONS = ("kind", "site_id", "channel", "language", "product_area_id", "caused_by_us")


def tally(notes: QuerySet[Insight]) -> dict[str, list[tuple[Any, int]]]:
    """Counts of ``notes`` by each of ``DIMENSIONS`` and by local day, largest first, and their
    total (``"total"``). On PostgreSQL one scan (GROUPING SETS over the covering index); on
    other databases one GROUP BY each."""
    if connection.vendor == "postgresql":
        return _tally_in_one_scan(notes)
    result: dict[str, list[tuple[Any, int]]] = {
        column: list(notes.order_by().values_list(column).annotate(n=Count("id")).order_by("-n", column))
        for column in DIMENSIONS
    }
    result["day"] = [
        (day, n)
        for day, n in notes.order_by().annotate(day=TruncDate("occurred_at")).values_list("day").annotate(n=Count("id"))
    ]
    result["total"] = [(None, notes.count())]
    return result


def _tally_in_one_scan(notes: QuerySet[Insight]) -> dict[str, list[tuple[Any, int]]]:
    inner, params = notes.order_by().values(*DIMENSIONS, "occurred_at").query.sql_with_params()
    columns = ", ".join(DIMENSIONS)
    sets = ", ".join(f"({column})" for column in DIMENSIONS)
    sql = (
        f"SELECT {columns}, day, GROUPING({columns}, day), count(*) "
        f"FROM (SELECT {columns}, (occurred_at AT TIME ZONE %s)::date AS day FROM ({inner}) AS picked) AS q "
        f"GROUP BY GROUPING SETS ({sets}, (day), ())"
    )
    names = [*DIMENSIONS, "day"]
    everything = (1 << len(names)) - 1
    by_mask = {everything - (1 << (len(names) - 1 - i)): name for i, name in enumerate(names)}
    result: dict[str, list[tuple[Any, int]]] = {name: [] for name in names}
    result["total"] = [(None, 0)]
    with transaction.atomic(), connection.cursor() as cursor:
        # the sort for the day's grouping set stays in memory instead of spilling to disk
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, [settings.TIME_ZONE, *params])
        for row in cursor.fetchall():
            mask, n = row[-2], row[-1]
            if mask == everything:
                result["total"] = [(None, n)]
            elif mask in by_mask:
                name = by_mask[mask]
                result[name].append((row[names.index(name)], n))
    for name in DIMENSIONS:
        result[name].sort(key=lambda item: (-item[1], str(item[0])))
    return result


def build(
    notes: QuerySet[Insight],
    *,
    first: date,
    last: date,
    everything: QuerySet[Insight],
    suppress: bool,
    scope: rollup.Scope | None = None,
) -> Dashboard:
    """Figures of ``notes`` (already filtered, active, to what the reader may see) over
    ``[first, last]``; ``everything`` is the same set without the period, for the period before.
    ``scope``: the same filters for the daily roll-up, which then gives the same figures from a
    few thousand rows (themes too when nothing but sites is filtered); None counts the notes."""
    counts = tally(notes) if scope is None else rollup.tally(scope, first=first, last=last, dimensions=DIMENSIONS)
    total = counts["total"][0][1]

    def slices(rows: list[tuple[Any, int]], label: Callable[[Any], str]) -> list[Slice]:
        return [make(key, label(key), n, total=total, suppress=suppress) for key, n in rows]

    days = (last - first).days + 1
    length = timedelta(days=days)
    before = everything.filter(occurred_at__gte=midnight(first - length), occurred_at__lt=midnight(first))
    board = Dashboard(
        first=first,
        last=last,
        total=total,
        shown_total=shown(total, suppress=suppress),
        previous_total=before.count()
        if scope is None
        else rollup.total(scope, first=first - length, last=first - timedelta(days=1)),
        unit="day" if days <= DAILY_UP_TO else "week",
        suppressed=suppress,
    )
    board.series, board.partial = _series(
        dict(counts["day"]), first=first, last=last, unit=board.unit, suppress=suppress
    )
    board.kinds = slices(counts["kind"], lambda k: str(Insight.Kind(k).label) if k in Insight.Kind.values else k)
    site_names = dict(Site.objects.values_list("pk", "name"))
    board.sites = slices(counts["site_id"], lambda pk: site_names.get(pk, "?"))
    board.channels = slices(
        counts["channel"], lambda c: str(Insight.Channel(c).label) if c in Insight.Channel.values else c
    )
    board.languages = slices(
        counts["language"], lambda code: str(Insight.Language(code).label) if code in Insight.Language.values else code
    )
    areas = dict(ProductArea.objects.values_list("pk", "name"))
    board.products = slices(
        [(pk, n) for pk, n in counts["product_area_id"] if pk is not None][:TOP], lambda pk: areas.get(pk, "?")
    )
    caused = dict(counts["caused_by_us"]).get(True, 0)
    board.failure_demand = make("true", _("Failure demand: caused by us"), caused, total=total, suppress=suppress)
    if scope is not None and scope.themes_too:
        rows = rollup.themes(scope, first=first, last=last, since=first - length)
    else:
        both = everything.filter(
            occurred_at__gte=midnight(first - length), occurred_at__lt=midnight(last + timedelta(days=1))
        )
        rows = _theme_rows(both, first=first)
    board.themes, board.rising = _themes(rows, suppress=suppress, slices=slices)
    return board


def _series(
    per_day: dict[date, int], *, first: date, last: date, unit: str, suppress: bool
) -> tuple[list[Slice], bool]:
    """Notes per day, or per ISO week (summed from the days), over ``[first, last]``."""
    today = timezone.localdate()
    if unit == "day":
        points = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        counted = per_day
    else:
        counted = {}
        for day, n in per_day.items():
            counted[week_start(day)] = counted.get(week_start(day), 0) + n
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


def _theme_rows(both: QuerySet[Insight], *, first: date) -> list[tuple[int, int, int]]:
    """(accepted theme, notes from ``first``, notes before) in one query over both periods
    (``both``: the filtered notes from the start of the period before)."""
    start = midnight(first)
    return list(
        both.filter(assignment__theme__status=Theme.Status.ACCEPTED)
        .order_by()
        .values_list("assignment__theme_id")
        .annotate(
            now=Count("id", filter=Q(occurred_at__gte=start)), before=Count("id", filter=Q(occurred_at__lt=start))
        )
    )


def _themes(rows: list[tuple[int, int, int]], *, suppress: bool, slices: Any) -> tuple[list[Slice], list[Rising]]:
    """Top themes of the period and the themes rising against the period before."""
    now_rows = sorted(((pk, now) for pk, now, _before in rows if now), key=lambda row: (-row[1], row[0]))
    previous = {pk: before for pk, _now, before in rows}
    names = {t.pk: t.label for t in Theme.objects.filter(pk__in=[pk for pk, _n in now_rows])}
    top = slices(now_rows[:TOP], lambda pk: names.get(pk, "?"))
    rising = []
    threshold = settings.VOC_PUBLISH_THRESHOLD
    for theme in slices(now_rows, lambda pk: names.get(pk, "?")):
        was = previous.get(int(theme.key), 0)
        if theme.count >= threshold and theme.count > was:
            rising.append(Rising(theme=theme, previous=was, change=(theme.count - was) / was if was else None))
    rising.sort(key=lambda r: (-(r.theme.count - r.previous), r.theme.label))
    return top, rising[:5]
