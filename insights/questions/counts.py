"""How many customers asked each question: live counts, weekly series, breakdowns and quotes.

A customer counts once per question: a note matched (or confirmed) to it, an agent's "+1"
straight on the question, or a "+1" on a matched note. Withdrawn notes never count. Every
function here is a fixed number of SQL aggregates, whatever the number of notes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from insights.questions.models import Question, QuestionMatch
from voc.access import visible_notes
from voc.models import Insight, Site, Tally, User

WEEK = timedelta(days=7)
MONTH = timedelta(days=30)


def counted(since: datetime, until: datetime | None = None) -> Q:
    """Matches that count, for those that happened in [since, until): not rejected or only
    suggested, and never a withdrawn note's. Withdrawn notes are few: their ids come from the
    (status, occurred_at) index, so counting never joins every note."""
    withdrawn = Insight.objects.filter(status=Insight.Status.WITHDRAWN, occurred_at__gte=since)
    if until is not None:
        withdrawn = withdrawn.filter(occurred_at__lt=until)
    return Q(state__in=QuestionMatch.COUNTED) & ~Q(note_id__in=withdrawn.values("id"))


def midnight(day: date) -> datetime:
    """The start of ``day`` in the site's time zone (a range bound the indexes can use)."""
    return timezone.make_aware(datetime.combine(day, time.min))


_NOTE_STATES = (QuestionMatch.State.MATCHED, QuestionMatch.State.CONFIRMED)


@dataclass(frozen=True)
class Counts:
    week: int  # the last 7 days
    month: int  # the last 30 days


def _tallies(question_ids: list[int]) -> QuerySet[Tally]:
    """ "+1"s on notes matched to these questions (a tally row per question it counts for)."""
    return Tally.objects.filter(
        note__status=Insight.Status.ACTIVE,
        note__question_matches__question_id__in=question_ids,
        note__question_matches__state__in=_NOTE_STATES,
    )


def counts(*, question_ids: list[int], now: datetime | None = None) -> dict[int, Counts]:
    """Last-7-day and last-30-day counts per question; two queries."""
    now = now or timezone.now()
    week, month = now - WEEK, now - MONTH
    found: dict[int, list[int]] = {pk: [0, 0] for pk in question_ids}
    matches = (
        QuestionMatch.objects.filter(counted(month), question_id__in=question_ids, occurred_at__gte=month)
        .values_list("question_id")
        .annotate(week=Count("id", filter=Q(occurred_at__gte=week)), month=Count("id"))
    )
    tallies = (
        _tallies(question_ids)
        .filter(created_at__gte=month)
        .values_list("note__question_matches__question_id")
        .annotate(week=Count("id", filter=Q(created_at__gte=week)), month=Count("id"))
    )
    for rows in (matches, tallies):
        for pk, in_week, in_month in rows:
            found[pk][0] += in_week
            found[pk][1] += in_month
    return {pk: Counts(week=w, month=m) for pk, (w, m) in found.items()}


def between(*, start: datetime, end: datetime, question_ids: list[int] | None = None) -> dict[int, int]:
    """Customers who asked each question in [start, end), for questions asked at least once
    (all of them, or ``question_ids``); two queries."""
    matches = QuestionMatch.objects.filter(counted(start, end), occurred_at__gte=start, occurred_at__lt=end)
    tallies = Tally.objects.filter(
        note__status=Insight.Status.ACTIVE,
        note__question_matches__state__in=_NOTE_STATES,
        created_at__gte=start,
        created_at__lt=end,
    )
    if question_ids is not None:
        matches = matches.filter(question_id__in=question_ids)
        tallies = tallies.filter(note__question_matches__question_id__in=question_ids)
    found: Counter[int] = Counter()
    for pk, n in matches.values_list("question_id").annotate(n=Count("id")):
        found[pk] += n
    for pk, n in tallies.values_list("note__question_matches__question_id").annotate(n=Count("id")):
        found[pk] += n
    return dict(found)


def _as_date(value: datetime | date) -> date:
    return timezone.localdate(value) if isinstance(value, datetime) else value


def weekly(*, question_ids: list[int], weeks: list[date]) -> dict[int, list[int]]:
    """Customers who asked each question in each week (Mondays in ``weeks``); two queries."""
    start, end = midnight(weeks[0]), midnight(weeks[-1] + WEEK)
    index = {w: i for i, w in enumerate(weeks)}
    series = {pk: [0] * len(weeks) for pk in question_ids}
    matches = (
        QuestionMatch.objects.filter(counted(start, end), question_id__in=question_ids, occurred_at__gte=start)
        .filter(occurred_at__lt=end)
        .annotate(week=TruncWeek("occurred_at"))
        .values_list("question_id", "week")
        .annotate(n=Count("id"))
    )
    tallies = (
        _tallies(question_ids)
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(week=TruncWeek("created_at"))
        .values_list("note__question_matches__question_id", "week")
        .annotate(n=Count("id"))
    )
    for rows in (matches, tallies):
        for pk, week, n in rows:
            position = index.get(_as_date(week))
            if position is not None and pk in series:
                series[pk][position] += n
    return series


def overview(
    *, question_ids: list[int], weeks: list[date], now: datetime | None = None
) -> tuple[dict[int, Counts], dict[int, list[int]]]:
    """``counts`` and ``weekly`` together for a list page, in two queries instead of four (the
    weeks must reach back 30 days)."""
    now = now or timezone.now()
    week, month = now - WEEK, now - MONTH
    start, end = midnight(weeks[0]), midnight(weeks[-1] + WEEK)
    assert start <= month, "the weeks must cover the last 30 days"
    index = {w: i for i, w in enumerate(weeks)}
    totals: dict[int, list[int]] = {pk: [0, 0] for pk in question_ids}
    series = {pk: [0] * len(weeks) for pk in question_ids}
    in_week, in_month = Q(occurred_at__gte=week), Q(occurred_at__gte=month)
    matches = (
        QuestionMatch.objects.filter(counted(start, end), question_id__in=question_ids, occurred_at__gte=start)
        .filter(occurred_at__lt=end)
        .annotate(bucket=TruncWeek("occurred_at"))
        .values_list("question_id", "bucket")
        .annotate(n=Count("id"), w=Count("id", filter=in_week), m=Count("id", filter=in_month))
    )
    in_week, in_month = Q(created_at__gte=week), Q(created_at__gte=month)
    tallies = (
        _tallies(question_ids)
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(bucket=TruncWeek("created_at"))
        .values_list("note__question_matches__question_id", "bucket")
        .annotate(n=Count("id"), w=Count("id", filter=in_week), m=Count("id", filter=in_month))
    )
    for rows in (matches, tallies):
        for pk, bucket, n, w, m in rows:
            if pk not in series:
                continue
            position = index.get(_as_date(bucket))
            if position is not None:
                series[pk][position] += n
            totals[pk][0] += w
            totals[pk][1] += m
    return {pk: Counts(week=w, month=m) for pk, (w, m) in totals.items()}, series


@dataclass(frozen=True)
class Breakdown:
    by_site: list[tuple[str, int]]
    by_language: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    total: int


def breakdown(*, question: Question, since: datetime) -> Breakdown:
    """Where, in which language and through which channel customers asked since ``since``,
    largest first; codes as the model's labels. Two queries plus one for site names."""
    sites: Counter[int] = Counter()
    languages: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    for site_id, language, channel, n in (
        QuestionMatch.objects.filter(counted(since), question=question, occurred_at__gte=since)
        .values_list("site_id", "language", "channel")
        .annotate(n=Count("id"))
    ):
        sites[site_id] += n
        languages[language] += n
        channels[channel] += n
    for site_id, language, channel, n in (
        _tallies([question.pk])
        .filter(created_at__gte=since, note__question_matches__question=question)
        .values_list("site_id", "note__language", "channel")
        .annotate(n=Count("id"))
    ):
        sites[site_id] += n
        languages[language] += n
        channels[channel] += n
    names = dict(Site.objects.filter(pk__in=list(sites)).values_list("pk", "name"))
    language_labels = dict(Insight.Language.choices)
    channel_labels = dict(Insight.Channel.choices)
    return Breakdown(
        by_site=[(names.get(pk, "?"), n) for pk, n in sites.most_common()],
        by_language=[(str(language_labels.get(code, code)), n) for code, n in languages.most_common()],
        by_channel=[(str(channel_labels.get(code, code)), n) for code, n in channels.most_common()],
        total=sum(sites.values()),
    )


def examples(*, question: Question, viewer: User, limit: int = 3) -> list[Insight]:
    """Up to ``limit`` different notes that ask ``question`` for ``viewer`` to read (only notes
    their role lets them see; text is redacted at save), confirmed first, then the best scored,
    never a vulnerable customer's."""
    notes = visible_notes(viewer).filter(
        status=Insight.Status.ACTIVE,
        vulnerable=False,
        question_matches__question=question,
        question_matches__state__in=_NOTE_STATES,
    )
    confirmed = Q(question_matches__state=QuestionMatch.State.CONFIRMED)
    ranked = (
        notes.select_related("site")
        .annotate(confirmed=Count("id", filter=confirmed))
        .order_by("-confirmed", "-question_matches__score", "-occurred_at")[: limit * 10]
    )
    found: dict[str, Insight] = {}  # the same words logged twice are quoted once
    for note in ranked:
        found.setdefault(" ".join(note.text.lower().split()), note)
        if len(found) == limit:
            break
    return list(found.values())


def to_decide(*, question: Question, site_ids: list[int]) -> QuerySet[QuestionMatch]:
    """Matches a lead may confirm or reject: notes of their sites the machine matched or
    suggested, suggestions first (they are the ones that teach the matcher most)."""
    return (
        QuestionMatch.objects.filter(
            question=question,
            state__in=QuestionMatch.MACHINE,
            site_id__in=site_ids,
            note__status=Insight.Status.ACTIVE,
        )
        .select_related("note", "site")
        .order_by("-state", "-score", "-occurred_at")
    )


def by_text(matches: QuerySet[QuestionMatch]) -> QuerySet[Any]:
    """``matches`` with identical note texts collapsed, one row each: ``first`` (a match id),
    ``copies``, suggestions first, then the best score. Deciding one decides its copies."""
    return (
        matches.order_by()
        .values("note__text")
        .annotate(
            first=Min("id"),
            copies=Count("id"),
            suggested=Count("id", filter=Q(state=QuestionMatch.State.SUGGESTED)),
            top=Max("score"),
        )
        .order_by("-suggested", "-top", "first")
    )


def representatives(rows: Iterable[dict[str, Any]]) -> list[tuple[QuestionMatch, int]]:
    """The match behind each row of ``by_text`` and how many notes say the same."""
    rows = list(rows)
    matches = QuestionMatch.objects.select_related("note", "site").in_bulk([row["first"] for row in rows])
    return [(matches[row["first"]], row["copies"]) for row in rows if row["first"] in matches]
