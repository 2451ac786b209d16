"""The monthly head-office pack: what it shows, read from SQL aggregates of one calendar month.

The pack is a list of sections. Each comes from a small builder in ``SECTIONS`` (the registry's
order is the pack's order) that returns ``None`` when its data does not exist, and the section is
left out. A later feature (actions taken, the executive programme) adds a section by registering
one builder and one template, ``newsletter/pdf/sections/<key>.html``.

Every count is an aggregate over datetime ranges (``facts.bounds``), which the (status,
occurred_at) index serves, so the pack stays fast with a million notes. Counts below
``VOC_PUBLISH_THRESHOLD`` are never published: such rows are dropped, a comparison with a smaller
count only says it was below the threshold, and weekly chart values below it are drawn as 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Length
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from insights import charts, figures, trends
from insights.models import Assignment, Theme
from newsletter.facts import bounds
from newsletter.models import Fact, Issue
from voc.models import CaseGap, ComplaintCase, Insight, ListeningSession, Site, Tally

WEEKS = 12
TOP_THEMES = 10
RISING_MIN_COUNT = 5
RISING_RATIO = 1.5
MAX_RISING = 5
VERBATIM_THEMES = 3
QUOTES_PER_THEME = 2
MAX_QUESTIONS = 8
QUOTE_LENGTH = (25, 240)
CHART_FONT = "Source Sans 3, sans-serif"  # the PDFs' font (newsletter/pdf.py)


def next_month(first: date) -> date:
    return (first.replace(day=1) + timedelta(days=32)).replace(day=1)


def previous_month(first: date) -> date:
    return (first.replace(day=1) - timedelta(days=1)).replace(day=1)


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
        self.end = next_month(self.start)  # exclusive
        self.previous_start = previous_month(self.start)
        self.threshold: int = settings.VOC_PUBLISH_THRESHOLD
        # Whole ISO weeks only: the last one is the last week that ends inside the month.
        self.weeks = trends.weeks_back(trends.week_start(self.end) - timedelta(days=7), WEEKS)

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

    def breakdown(self, column: str) -> list[tuple[Any, int, int]]:
        """(value of ``column``, this month, previous month), largest first, from one query."""
        current = Q(occurred_at__gte=bounds(self.start))
        rows = (
            self.notes(self.previous_start, self.end)
            .order_by()
            .values_list(column)
            .annotate(now=Count("id", filter=current), before=Count("id", filter=~current))
        )
        return sorted(rows, key=lambda r: (-r[1], str(r[0])))

    def per_week(self, field: str, counted: str = "id") -> dict[str, Count]:
        """One filtered count per week of ``weeks`` (``w0``, ``w1``…): plain range comparisons on
        ``field``, which indexes serve, and no date function evaluated row by row."""
        edges = [bounds(w) for w in self.weeks] + [bounds(self.weeks[-1] + timedelta(days=7))]
        return {
            f"w{i}": Count(counted, filter=Q(**{f"{field}__gte": edges[i], f"{field}__lt": edges[i + 1]}))
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
            row = self.row(self.themes[theme_id].name, now, before, total=self.total, key=str(theme_id))
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

    def quotable(self, notes: QuerySet[Insight]) -> QuerySet[Insight]:
        """Notes that may be quoted: never a vulnerable or lonely customer, neither a fragment
        nor an essay (the text is already redacted when it is saved)."""
        low, high = QUOTE_LENGTH
        return (
            notes.filter(vulnerable=False, lonely=False)
            .annotate(length=Length("text"))
            .filter(length__gte=low, length__lte=high)
        )

    def quotes(self, theme_id: int, limit: int) -> list[Quote]:
        """The theme's most typical quotable notes of the month (nearest its centre when the notes
        have vectors, else the latest)."""
        among = self.quotable(self.notes().filter(assignment__theme_id=theme_id))
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


def _week_label(week: date) -> str:
    return formats.date_format(week, "j M")


# --- sections ------------------------------------------------------------------------------------

Builder = Callable[[Month], Section | None]
SECTIONS: dict[str, Builder] = {}


def section(key: str) -> Callable[[Builder], Builder]:
    """Register a section builder; the registry's order is the pack's order."""

    def register(fn: Builder) -> Builder:
        SECTIONS[key] = fn
        return fn

    return register


def key_figures(month: Month) -> list[Row]:
    labels = {
        "notes": _("Notes logged"),
        "thanks": _("Thanks"),
        "complaints": _("Complaints"),
        "abroad": _("Customers abroad"),
        "caused": _("Caused by us (failure demand)"),
        "lonely": _("Lonely or needed to talk"),
    }
    rows = []
    for key, label in labels.items():
        now, before = month.flags[key]
        row = month.row(label, now, before, total=None if key == "notes" else month.total, key=key)
        if row is not None:
            rows.append(row)
    return rows


@section("overview")
def overview(month: Month) -> Section | None:
    rows = key_figures(month)
    if not rows:
        return None
    weekly = [month.published(n) for n in month.weekly_totals]
    return Section(
        key="overview",
        title=_("The month in figures"),
        data={
            "rows": rows,
            "weekly": weekly,
            "weeks": month.weeks,
            "chart": charts.with_font(
                charts.bar_chart([_week_label(w) for w in month.weeks], weekly, height=200, title=_("Notes per week")),
                CHART_FONT,
            ),
        },
    )


@section("breakdown")
def breakdown(month: Month) -> Section | None:
    kinds = dict(Insight.Kind.choices)
    languages = dict(Insight.Language.choices)
    sites = dict(Site.objects.values_list("id", "name"))
    groups = []
    for title, column, labels in (
        (_("What customers told us"), "kind", kinds),
        (_("Sites"), "site_id", sites),
        (_("Languages"), "language", languages),
    ):
        rows = [
            row
            for value, now, before in month.breakdown(column)
            if (row := month.row(str(labels.get(value, value)), now, before, total=month.total, key=str(value)))
        ]
        if rows:
            groups.append(
                {
                    "key": column,
                    "title": title,
                    "rows": rows,
                    "chart": charts.with_font(
                        charts.hbar_chart(
                            [r.label for r in rows], [r.count for r in rows], width=420, label_width=120, title=title
                        ),
                        CHART_FONT,
                    ),
                }
            )
    if not groups:
        return None
    return Section(key="breakdown", title=_("Kinds, sites and languages"), data={"groups": groups})


@section("top_themes")
def top_themes(month: Month) -> Section | None:
    if not month.top_themes:
        return None
    return Section(
        key="top_themes",
        title=_("Top themes of the month"),
        data={"rows": month.top_themes, "weeks": month.weeks},
    )


@section("rising")
def rising(month: Month) -> Section | None:
    """Themes that grew most against the previous month (by added mentions)."""
    minimum = max(RISING_MIN_COUNT, month.threshold)
    growing = sorted(
        (
            (now - before, now, -tid, before)
            for tid, (now, before) in month.theme_counts.items()
            if now >= minimum and now - before >= month.threshold and now >= RISING_RATIO * max(before, 1)
        ),
        reverse=True,
    )[:MAX_RISING]
    rows = [month.row(month.themes[-neg].name, now, before, key=str(-neg)) for _growth, now, neg, before in growing]
    if not rows:
        return None
    return Section(key="rising", title=_("Rising themes"), data={"rows": rows, "minimum": minimum})


@section("verbatims")
def verbatims(month: Month) -> Section | None:
    """A few typical quotes of the top themes."""
    groups = []
    for row in month.top_themes[:VERBATIM_THEMES]:
        quotes = month.quotes(int(row.key), QUOTES_PER_THEME)
        if quotes:
            groups.append({"theme": row.label, "count": row.count, "quotes": quotes})
    if not groups:
        return None
    return Section(key="verbatims", title=_("In customers' own words"), data={"groups": groups})


@section("questions")
def questions(month: Month) -> Section | None:
    """Notes of kind "question", grouped by accepted theme, with one example each."""
    asked = month.notes().filter(kind=Insight.Kind.QUESTION, assignment__theme__status=Theme.Status.ACCEPTED)
    rows = list(
        asked.order_by()
        .values_list("assignment__theme_id", "assignment__theme__name")
        .annotate(n=Count("id"))
        .filter(n__gte=month.threshold)
        .order_by("-n", "assignment__theme_id")[:MAX_QUESTIONS]
    )
    if not rows:
        return None
    lines = []
    for theme_id, name, n in rows:
        example = month.quotable(asked.filter(assignment__theme_id=theme_id)).order_by("-occurred_at", "-id").first()
        lines.append({"theme": name, "count": n, "example": example.text if example else ""})
    return Section(key="questions", title=_("Questions customers asked"), data={"lines": lines})


@section("newsletters")
def newsletters(month: Month) -> Section | None:
    """The weekly issues sent for weeks starting this month, with their included facts."""
    issues = list(
        Issue.objects.filter(status=Issue.Status.SENT, week_start__gte=month.start, week_start__lt=month.end).order_by(
            "week_start"
        )
    )
    if not issues:
        return None
    included: dict[int, list[Fact]] = {issue.pk: [] for issue in issues}
    for fact in Fact.objects.filter(issue__in=issues, included=True).order_by("issue_id", "position", "id"):
        included[fact.issue_id].append(fact)
    entries = [{"issue": issue, "facts": included[issue.pk]} for issue in issues if included[issue.pk]]
    if not entries:
        return None
    return Section(key="newsletters", title=_("This month's “Did you know…?”"), data={"issues": entries})


@section("programme")
def programme(month: Month) -> Section | None:
    """The executive programme: the month's complaint cases, what the executives learned, and
    listening against commitments. Counts below the threshold read "fewer than …"."""
    cases = ComplaintCase.objects.filter(month=month.start)
    totals = cases.aggregate(
        assigned=Count("id"),
        on_time=Count("id", filter=Q(acknowledged_at__lte=F("acknowledge_by"))),
        resolved=Count("id", filter=Q(status=ComplaintCase.Status.RESOLVED)),
        handed_back=Count("id", filter=Q(status=ComplaintCase.Status.HANDED_BACK)),
    )
    gaps = CaseGap.objects.filter(month=month.start).count()
    listening = ListeningSession.objects.filter(day__gte=month.start, day__lt=month.end).aggregate(
        minutes=Sum("minutes"), people=Count("person", distinct=True)
    )
    if not totals["assigned"] and not gaps and not listening["people"]:
        return None
    causes = [
        {"label": ComplaintCase.RootCause(cause).label, "count": n}
        for cause, n in cases.filter(status=ComplaintCase.Status.RESOLVED)
        .values_list("root_cause")
        .annotate(n=Count("id"))
        .order_by("-n", "root_cause")
        if n >= month.threshold
    ]
    learned = list(
        cases.filter(status=ComplaintCase.Status.RESOLVED)
        .exclude(learned="")
        .select_related("executive")
        .order_by("executive__rank", "id")
        .values_list("executive__first_name", "executive__last_name", "learned")[:6]
    )
    figures_ = [
        (_("Cases assigned"), totals["assigned"]),
        (_("Acknowledged within the target"), totals["on_time"]),
        (_("Resolved"), totals["resolved"]),
        (_("Handed back"), totals["handed_back"]),
        (_("Executives without a case"), gaps),
        (_("People who listened to calls"), listening["people"]),
        (_("Hours of listening"), round((listening["minutes"] or 0) / 60)),
    ]
    return Section(
        key="programme",
        title=_("The executive programme"),
        data={
            "figures": [{"label": label, "count": n, "shown": n >= month.threshold or n == 0} for label, n in figures_],
            "causes": causes,
            "learned": [{"who": f"{first} {last}".strip(), "text": text} for first, last, text in learned],
        },
    )


def month_figures(month: date) -> dict[str, Any]:
    """Everything the pack of ``month`` (its first day) shows: the period, the key figures for the
    cover and the sections that have data, in order. Strings are in the active language."""
    current = Month(month)
    sections = [built for build in SECTIONS.values() if (built := build(current)) is not None]
    return {
        "month": current.start,
        "last_day": current.last_day,
        "previous_month": current.previous_start,
        "threshold": current.threshold,
        "notes": current.total if current.total >= current.threshold else 0,
        "key_figures": key_figures(current),
        "sections": sections,
    }
