"""The monthly head-office pack: a list of sections read from one month (``newsletter.month``).

Each section comes from a small builder in ``SECTIONS`` (the registry's order is the pack's
order) that returns ``None`` when its data does not exist, and the section is left out. A later
feature adds a section by registering one builder and one template,
``newsletter/pdf/sections/<key>.html``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from insights import charts
from insights.models import Action, Question, QuestionMatch, Theme
from insights.questions import counts as question_counts
from newsletter.facts import bounds, quotable
from newsletter.models import Fact, Issue
from newsletter.month import (
    CHART_FONT,
    MAX_QUESTIONS,
    MAX_RISING,
    QUOTES_PER_THEME,
    RISING_MIN_COUNT,
    RISING_RATIO,
    VERBATIM_THEMES,
    Month,
    Row,
    Section,
    week_label,
)
from voc.models import CaseGap, ComplaintCase, Insight, ListeningSession, Site

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
                charts.bar_chart([week_label(w) for w in month.weeks], weekly, height=200, title=_("Notes per week")),
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
    rows = [month.row(month.themes[-neg].label, now, before, key=str(-neg)) for _growth, now, neg, before in growing]
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
        .values_list("assignment__theme_id")
        .annotate(n=Count("id"))
        .filter(n__gte=month.threshold)
        .order_by("-n", "assignment__theme_id")[:MAX_QUESTIONS]
    )
    if not rows:
        return None
    themes = Theme.objects.in_bulk([theme_id for theme_id, _n in rows])
    lines = []
    for theme_id, n in rows:
        example = quotable(asked.filter(assignment__theme_id=theme_id)).order_by("-occurred_at", "-id").first()
        lines.append({"theme": themes[theme_id].label, "count": n, "example": example.text if example else ""})
    return Section(key="questions", title=_("Questions customers asked"), data={"lines": lines})


@section("asked")
def asked(month: Month) -> Section | None:
    """Head office's questions: customers who asked each this month against the month before,
    with one example in the customer's words."""
    now = question_counts.between(start=bounds(month.start), end=bounds(month.end))
    before = question_counts.between(
        start=bounds(month.previous_start), end=bounds(month.start), question_ids=list(now)
    )
    ranked = sorted(((n, -pk) for pk, n in now.items() if n >= month.threshold), reverse=True)[:MAX_QUESTIONS]
    found = Question.objects.in_bulk([-negative for _n, negative in ranked])
    rows = []
    for n, negative in ranked:
        question = found[-negative]
        row = month.row(question.label, n, before.get(question.pk, 0), key=str(question.pk))
        example = (
            quotable(month.notes())
            .filter(
                question_matches__question=question,
                question_matches__state__in=[QuestionMatch.State.MATCHED, QuestionMatch.State.CONFIRMED],
            )
            .order_by("-occurred_at", "-id")
            .first()
        )
        if row is not None:
            rows.append({"row": row, "department": question.department, "example": example.text if example else ""})
    if not rows:
        return None
    return Section(
        key="asked", title=_("What head office asked, and how often customers asked it"), data={"rows": rows}
    )


@section("actions")
def actions(month: Month) -> Section | None:
    """You said, we did: the actions done this month, and those whose effect can now be read."""
    from insights.actions import effect

    done = Action.objects.filter(status=Action.Status.DONE, done_on__lt=month.end).filter(
        done_on__gte=month.previous_start - timedelta(days=31)
    )
    rows = []
    for action in done.order_by("-done_on", "-id")[:MAX_QUESTIONS]:
        measured = effect.measure(action=action, today=month.end)
        if action.done_on is not None and action.done_on < month.start and (measured is None or not measured.after):
            continue
        rows.append({"action": action, "effect": measured})
    if not rows:
        return None
    return Section(key="actions", title=_("You said, we did"), data={"rows": rows})


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
    totals = ComplaintCase.objects.monthly_totals([month.start]).get(month.start, {})
    gaps = CaseGap.objects.filter(month=month.start).count()
    listening = ListeningSession.objects.filter(day__gte=month.start, day__lt=month.end).aggregate(
        minutes=Sum("minutes"), people=Count("person", distinct=True)
    )
    if not totals.get("assigned") and not gaps and not listening["people"]:
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
        (_("Cases assigned"), totals.get("assigned", 0)),
        (_("Acknowledged within the target"), totals.get("acknowledged_on_time", 0)),
        (_("Resolved"), totals.get("resolved", 0)),
        (_("Handed back"), totals.get("handed_back", 0)),
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
