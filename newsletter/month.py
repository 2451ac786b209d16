"""One calendar month of notes for the head-office pack: the published rows, quotes and the
aggregates several sections share. Every count is an aggregate over datetime ranges
(``facts.bounds``), which the (status, occurred_at) index serves, so the pack stays fast with a
million notes. Counts below ``VOC_PUBLISH_THRESHOLD`` are never published: such rows are dropped,
a comparison with a smaller count only says it was below the threshold, and weekly chart values
below it are drawn as 0."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Value
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from insights import charts, figures, trends
from insights.models import Assignment, Theme
from newsletter.facts import bounds, quotable
from voc import periods
from voc.models import Insight, Tally

WEEKS = 12
TOP_THEMES = 10
RISING_MIN_COUNT = 5
RISING_RATIO = 1.5
MAX_RISING = 5
VERBATIM_THEMES = 3
QUOTES_PER_THEME = 2
MAX_QUESTIONS = 8
CHART_FONT = "Source Sans 3, sans-serif"  # the PDFs' font (newsletter/pdf.py)


@dataclass(frozen=True)
class Row:
    """One published count with its comparison: ``previous`` and ``change`` are None when the
    previous month's count is below the threshold (or zero); ``share`` is a percentage."""

    label: str
    count: int
    previous: int | None = None
    change: float | None = None
    share: float | None = None
    key: str = ""
    previous_hidden: bool = False  # the previous count exists but is below the threshold

    @property
    def change_percent(self) -> int | None:
        return None if self.change is None else round(100 * self.change)


@dataclass(frozen=True)
class ThemeRow(Row):
    series: list[int] = field(default_factory=list)
    sparkline: str = ""


@dataclass(frozen=True)
class Quote:
    text: str
    kind: str
    site: str
    language: str
    occurred_on: date


@dataclass(frozen=True)
class Section:
    """One part of the pack: an anchor ``key``, a title for the table of contents, its data."""

    key: str
    title: str
    data: dict[str, Any]

    @property
    def template(self) -> str:
        return f"newsletter/pdf/sections/{self.key}.html"


class Month:
    """One calendar month's notes and the aggregates several sections share (each computed once)."""

    def __init__(self, first: date) -> None:
        self.start = first.replace(day=1)
        self.end = periods.next_month(self.start)  # exclusive
        self.previous_start = periods.previous_month(self.start)
        self.threshold: int = settings.VOC_PUBLISH_THRESHOLD
        # Whole ISO weeks only: the last one is the last week that ends inside the month.
        self.weeks = periods.weeks_back(periods.last_complete_week(self.end), WEEKS)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def notes(self, start: date | None = None, end: date | None = None) -> QuerySet[Insight]:
        return Insight.objects.active().filter(
            occurred_at__gte=bounds(start or self.start), occurred_at__lt=bounds(end or self.end)
        )

    def published(self, count: int) -> int:
        """``count`` if it may be published, else 0 (for chart series)."""
        return count if count >= self.threshold else 0

    def row(self, label: str, count: int, previous: int, total: int | None = None, key: str = "") -> Row | None:
        """A published row, or None when ``count`` is below the threshold."""
        if count < self.threshold:
            return None
        shown = previous if previous >= self.threshold else None
        return Row(
            label=label,
            count=count,
            previous=shown,
            change=trends.change(count, [shown]) if shown else None,
            share=round(100 * count / total, 1) if total else None,
            key=key,
            previous_hidden=0 < previous < self.threshold,
        )

    # --- notes ---------------------------------------------------------------------------------

    @cached_property
    def flags(self) -> dict[str, tuple[int, int]]:
        """(this month, previous month) per key figure, from one query."""
        current = Q(occurred_at__gte=bounds(self.start))
        wanted = {
            "notes": Q(),
            "thanks": Q(kind=Insight.Kind.THANKS),
            "complaints": Q(kind=Insight.Kind.COMPLAINT),
            "abroad": Q(customer_abroad=True),
            "caused": Q(caused_by_us=True),
            "lonely": Q(lonely=True),
        }
        aggregates = {}
        for key, condition in wanted.items():
            aggregates[f"{key}_now"] = Count("id", filter=current & condition)
            aggregates[f"{key}_before"] = Count("id", filter=~current & condition)
        row = self.notes(self.previous_start, self.end).aggregate(**aggregates)
        return {key: (row[f"{key}_now"], row[f"{key}_before"]) for key in wanted}

    @property
    def total(self) -> int:
        return self.flags["notes"][0]

    @cached_property
    def mix(self) -> list[tuple[str, int, str, int, int]]:
        """(kind, site, language, this month, previous month) for every combination, from one
        grouped query that the breakdowns by kind, site and language share."""
        current = Q(occurred_at__gte=bounds(self.start))
        return list(
            self.notes(self.previous_start, self.end)
            .order_by()
            .values_list("kind", "site_id", "language")
            .annotate(now=Count(Value(1), filter=current), before=Count(Value(1), filter=~current))
        )

    def breakdown(self, column: str) -> list[tuple[Any, int, int]]:
        """(value of ``column``: kind, site_id or language; this month; previous month), largest first."""
        index = {"kind": 0, "site_id": 1, "language": 2}[column]
        totals: dict[Any, list[int]] = {}
        for row in self.mix:
            pair = totals.setdefault(row[index], [0, 0])
            pair[0] += row[3]
            pair[1] += row[4]
        return sorted(
            ((value, now, before) for value, (now, before) in totals.items()), key=lambda r: (-r[1], str(r[0]))
        )

    def per_week(self, field: str, counted: str | None = None) -> dict[str, Count]:
        """One filtered count per week of ``weeks`` (``w0``, ``w1``…): plain range comparisons on
        ``field``, which indexes serve, and no date function evaluated row by row."""
        edges = [bounds(w) for w in self.weeks] + [bounds(self.weeks[-1] + timedelta(days=7))]
        return {
            # Counting a constant lets PostgreSQL answer from the (status, occurred_at) index alone.
            f"w{i}": Count(counted or Value(1), filter=Q(**{f"{field}__gte": edges[i], f"{field}__lt": edges[i + 1]}))
            for i in range(len(self.weeks))
        }

    def series(self, row: dict[str, Any]) -> list[int]:
        """The counts ``per_week`` made, oldest week first."""
        return [row[f"w{i}"] for i in range(len(self.weeks))]

    @cached_property
    def weekly_totals(self) -> list[int]:
        """Notes per week of ``weeks``, from one query."""
        notes = self.notes(self.weeks[0], self.weeks[-1] + timedelta(days=7))
        return self.series(notes.aggregate(**self.per_week("occurred_at")))

    # --- themes --------------------------------------------------------------------------------

    @cached_property
    def theme_counts(self) -> dict[int, tuple[int, int]]:
        """Mentions (active notes plus their +1s) per accepted theme: (this month, previous)."""
        counts: dict[int, list[int]] = {}
        notes = Assignment.objects.filter(
            theme__status=Theme.Status.ACCEPTED,
            note__status=Insight.Status.ACTIVE,
            note__occurred_at__gte=bounds(self.previous_start),
            note__occurred_at__lt=bounds(self.end),
        )
        current = Q(note__occurred_at__gte=bounds(self.start))
        for theme_id, now, before in (
            notes.order_by()
            .values_list("theme_id")
            .annotate(now=Count("note", filter=current), before=Count("note", filter=~current))
        ):
            counts[theme_id] = [now, before]
        tallies = Tally.objects.filter(
            note__status=Insight.Status.ACTIVE,
            note__assignment__theme__status=Theme.Status.ACCEPTED,
            created_at__gte=bounds(self.previous_start),
            created_at__lt=bounds(self.end),
        )
        current = Q(created_at__gte=bounds(self.start))
        for theme_id, now, before in (
            tallies.order_by()
            .values_list("note__assignment__theme_id")
            .annotate(now=Count("id", filter=current), before=Count("id", filter=~current))
        ):
            pair = counts.setdefault(theme_id, [0, 0])
            pair[0] += now
            pair[1] += before
        return {theme_id: (now, before) for theme_id, (now, before) in counts.items()}

    def theme_series(self, theme_ids: list[int]) -> dict[int, list[int]]:
        """Weekly mentions of ``theme_ids`` over ``weeks`` (two queries)."""
        if not theme_ids:
            return {}
        start, end = bounds(self.weeks[0]), bounds(self.weeks[-1] + timedelta(days=7))
        series = {theme_id: [0] * len(self.weeks) for theme_id in theme_ids}
        notes = (
            Assignment.objects.filter(
                theme_id__in=theme_ids,
                note__status=Insight.Status.ACTIVE,
                note__occurred_at__gte=start,
                note__occurred_at__lt=end,
            )
            .order_by()
            .values(tid=F("theme_id"))
            .annotate(**self.per_week("note__occurred_at", "note"))
        )
        tallies = (
            Tally.objects.filter(
                note__status=Insight.Status.ACTIVE,
                note__assignment__theme_id__in=theme_ids,
                created_at__gte=start,
                created_at__lt=end,
            )
            .order_by()
            .values(tid=F("note__assignment__theme_id"))
            .annotate(**self.per_week("created_at"))
        )
        for rows in (notes, tallies):
            for row in rows:
                series[row["tid"]] = [a + b for a, b in zip(series[row["tid"]], self.series(row), strict=True)]
        return series

    @cached_property
    def themes(self) -> dict[int, Theme]:
        return Theme.objects.in_bulk(list(self.theme_counts))

    @cached_property
    def top_themes(self) -> list[ThemeRow]:
        ranked = sorted(
            ((now, -tid) for tid, (now, _before) in self.theme_counts.items() if now >= self.threshold), reverse=True
        )[:TOP_THEMES]
        ids = [-neg for _now, neg in ranked]
        series = self.theme_series(ids)
        rows = []
        for theme_id in ids:
            now, before = self.theme_counts[theme_id]
            row = self.row(self.themes[theme_id].label, now, before, total=self.total, key=str(theme_id))
            assert row is not None  # ranked on the threshold above
            weekly = [self.published(v) for v in series[theme_id]]
            rows.append(
                ThemeRow(
                    **asdict(row),
                    series=weekly,
                    sparkline=charts.sparkline(weekly, width=110, height=24, label=_("Weekly mentions")),
                )
            )
        return rows

    def quotes(self, theme_id: int, limit: int) -> list[Quote]:
        """The theme's most typical quotable notes of the month (nearest its centre when the notes
        have vectors, else the latest)."""
        among = quotable(self.notes().filter(assignment__theme_id=theme_id))
        chosen = figures.representative_notes(theme=self.themes[theme_id], among=among, limit=limit)
        if not chosen:
            latest: dict[str, Insight] = {}
            for note in among.select_related("site").order_by("-occurred_at", "-id")[: limit * 10]:
                latest.setdefault(" ".join(note.text.lower().split()), note)
            chosen = list(latest.values())[:limit]
        return [_quote(note) for note in chosen]


def _quote(note: Insight) -> Quote:
    return Quote(
        text=note.text,
        kind=note.get_kind_display(),
        site=note.site.name,
        language=note.get_language_display(),
        occurred_on=timezone.localdate(note.occurred_at),
    )


def week_label(week: date) -> str:
    return formats.date_format(week, "d/m")  # as every weekly chart labels its weeks
