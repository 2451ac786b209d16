"""The executive programme dashboard, read from SQL: complaint cases per month, listening minutes
against the commitments (per person, per department, per month) and what executives learned.

Every function returns plain data for one part of the page; none loops over cases or sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from voc import periods
from voc.models import CaseGap, ComplaintCase, ListeningSession, User
from voc.programme.listening import services as listening
from voc.redaction import redact

MONTHS = 12
LEARNED_DAYS = 90
LEARNED_LIMIT = 12
Status = ComplaintCase.Status


def _as_date(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


# --- complaint cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseMonth:
    month: date
    assigned: int = 0
    acknowledged_on_time: int = 0
    resolved: int = 0
    handed_back: int = 0
    learned: int = 0
    without_case: int = 0


def case_months(*, months: list[date]) -> list[CaseMonth]:
    """Per month: cases assigned, acknowledged by their deadline, resolved, handed back, with a
    learning written down, and executives who got no case (``CaseGap``). Two queries."""
    rows = ComplaintCase.objects.monthly_totals(months)
    gaps = dict(
        CaseGap.objects.filter(month__in=months)
        .order_by()
        .values_list("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    result = []
    for month in months:
        row = rows.get(month, {})
        result.append(
            CaseMonth(
                month=month,
                assigned=row.get("assigned", 0),
                acknowledged_on_time=row.get("acknowledged_on_time", 0),
                resolved=row.get("resolved", 0),
                handed_back=row.get("handed_back", 0),
                learned=row.get("learned", 0),
                without_case=gaps.get(month, 0),
            )
        )
    return result


@dataclass(frozen=True)
class Learning:
    text: str
    executive: str
    month: date
    closed_at: datetime


def recent_learnings(*, now: datetime | None = None, limit: int = LEARNED_LIMIT) -> list[Learning]:
    """What executives wrote they learned on cases resolved in the last 90 days, newest first.
    The text is redacted: head office reads it, and it was typed next to a customer's details."""
    now = now or timezone.now()
    cases = (
        ComplaintCase.objects.filter(
            status=Status.RESOLVED, closed_at__gte=now - timedelta(days=LEARNED_DAYS), closed_at__lte=now
        )
        .exclude(learned="")
        .select_related("executive")
        .only("learned", "month", "closed_at", "executive__first_name", "executive__last_name", "executive__username")
        .order_by("-closed_at", "-id")[:limit]
    )
    return [
        Learning(
            text=redact(case.learned).text, executive=str(case.executive), month=case.month, closed_at=case.closed_at
        )
        for case in cases
        if case.closed_at is not None  # filtered on it above; says so to the type checker
    ]


# --- listening ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListeningPeriod:
    """The periods and commitments listening is measured against on ``today``.

    ``pace`` is the share of the yearly commitment due by ``today`` (pro rata by day of year):
    someone on track has listened at least that much this year; an executive must also have met
    the weekly commitment in the last complete ISO week."""

    today: date
    week_start: date
    week_end: date  # exclusive
    year_start: date
    weekly: int
    yearly: int
    pace: int

    @property
    def week_last(self) -> date:
        return self.week_end - timedelta(days=1)


def listening_period(today: date) -> ListeningPeriod:
    goal = listening.targets(today)  # the same targets the weekly nudge holds people to
    return ListeningPeriod(
        today=today,
        week_start=goal.last_week,
        week_end=goal.last_week + timedelta(days=7),
        year_start=periods.year_start(today),
        weekly=goal.weekly,
        yearly=goal.yearly,
        pace=goal.year_expected,
    )


def _on_track(period: ListeningPeriod) -> Q:
    return listening.on_track(weekly=period.weekly, pace=period.pace)


def _minutes_between(start: date, end: date) -> Coalesce:
    """A person's listening minutes with ``start <= day < end``, as a correlated subquery."""
    sessions = (
        ListeningSession.objects.filter(person=OuterRef("pk"), day__gte=start, day__lt=end)
        .order_by()
        .values("person")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    return Coalesce(Subquery(sessions, output_field=IntegerField()), Value(0))


def _minutes(period: ListeningPeriod) -> dict[str, Coalesce]:
    return {
        "year_minutes": _minutes_between(period.year_start, period.today + timedelta(days=1)),
        "week_minutes": _minutes_between(period.week_start, period.week_end),
    }


def _with_minutes(period: ListeningPeriod) -> QuerySet[User]:
    """Active people with their minutes as aliases (filtered and summed on, not selected)."""
    return User.objects.filter(is_active=True).alias(**_minutes(period))


def listening_people(*, period: ListeningPeriod) -> QuerySet[User]:
    """Executives, and everyone else who listened this year, annotated with ``week_minutes`` (last
    complete week), ``year_minutes`` and ``on_track``: executives first, then most minutes."""
    return (
        User.objects.filter(is_active=True)
        .only("username", "first_name", "last_name", "role", "department", "rank")
        .annotate(**_minutes(period))
        .filter(Q(role=User.Role.EXECUTIVE) | Q(year_minutes__gt=0))
        .annotate(
            on_track=ExpressionWrapper(_on_track(period), output_field=BooleanField()),
            executive_first=Case(When(role=User.Role.EXECUTIVE, then=Value(0)), default=Value(1)),
        )
        .order_by("executive_first", "-year_minutes", "last_name", "first_name", "id")
    )


@dataclass(frozen=True)
class DepartmentListening:
    department: str  # "" for people without one (most of the contact centre)
    people: int
    listeners: int
    minutes: int
    on_track: int

    @property
    def share_on_track(self) -> float:
        return round(self.on_track / self.people, 3) if self.people else 0.0


def listening_by_department(*, period: ListeningPeriod) -> list[DepartmentListening]:
    """Per department of active people: head count, people who listened this year, their minutes
    this year and how many are on track (see ``ListeningPeriod``). One query; most minutes first,
    people without a department last."""
    rows = (
        _with_minutes(period)
        .order_by()
        .values("department")
        .annotate(
            people=Count("id"),
            listeners=Count("id", filter=Q(year_minutes__gt=0)),
            minutes=Sum("year_minutes"),
            on_track=Count("id", filter=_on_track(period)),
        )
        .order_by(
            Case(When(department="", then=Value(1)), default=Value(0)),
            F("minutes").desc(),
            "department",
        )
    )
    return [
        DepartmentListening(
            department=row["department"],
            people=row["people"],
            listeners=row["listeners"],
            minutes=row["minutes"] or 0,
            on_track=row["on_track"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ListeningMonth:
    month: date
    minutes: int
    people: int


def listening_months(*, months: list[date]) -> list[ListeningMonth]:
    """Minutes listened and people who listened per month (by the session's day). One query."""
    rows = {
        _as_date(row["month"]): row
        for row in ListeningSession.objects.filter(day__gte=months[0], day__lt=periods.next_month(months[-1]))
        .order_by()
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(minutes=Sum("minutes"), people=Count("person", distinct=True))
    }
    return [
        ListeningMonth(
            month=month, minutes=rows.get(month, {}).get("minutes", 0), people=rows.get(month, {}).get("people", 0)
        )
        for month in months
    ]


@dataclass(frozen=True)
class ListeningTotals:
    minutes: int
    people: int
    executives: int
    executives_on_track: int


def listening_totals(*, period: ListeningPeriod) -> ListeningTotals:
    """This year's minutes and listeners, and how many executives are on track. One query."""
    row = (
        User.objects.filter(is_active=True)
        .annotate(**_minutes(period))
        .aggregate(
            minutes=Sum("year_minutes"),
            people=Count("id", filter=Q(year_minutes__gt=0)),
            executives=Count("id", filter=Q(role=User.Role.EXECUTIVE)),
            executives_on_track=Count("id", filter=Q(role=User.Role.EXECUTIVE) & _on_track(period)),
        )
    )
    return ListeningTotals(
        minutes=row["minutes"] or 0,
        people=row["people"],
        executives=row["executives"],
        executives_on_track=row["executives_on_track"],
    )
