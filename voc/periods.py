"""Periods every app counts by: ISO weeks, calendar months, working days and the listening pace.

Weeks start on Monday (ISO 8601) and are labelled ``2026-W47``; months are represented by their
first day and labelled ``2026-11``. Working days are Monday to Friday: public holidays are not
known. Pure functions over dates; nothing here reads the clock.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from voc.errors import DomainError

WEEK_LABEL = re.compile(r"^(\d{4})-W(\d{2})$")
MONTH_LABEL = re.compile(r"^(\d{4})-(\d{2})$")
SATURDAY = 5

OVERDUE, DUE_SOON = "overdue", "due_soon"


def due_state(due: datetime | date | None, *, now: datetime, soon: timedelta = timedelta(days=1)) -> str:
    """OVERDUE once ``due`` has passed (a date: at its end), DUE_SOON within ``soon``, else ""."""
    if due is None:
        return ""
    moment = due if isinstance(due, datetime) else datetime.combine(due, datetime.max.time(), tzinfo=now.tzinfo)
    if moment < now:
        return OVERDUE
    return DUE_SOON if moment - now <= soon else ""


# --- ISO weeks ---------------------------------------------------------------------------------


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def last_complete_week(today: date) -> date:
    """The Monday of the last week that has ended (whole weeks compare; this one is partial)."""
    return week_start(today) - timedelta(days=7)


def weeks_back(last: date, count: int) -> list[date]:
    """``count`` consecutive week starts ending with ``last``'s week, oldest first."""
    end = week_start(last)
    return [end - timedelta(weeks=i) for i in range(count - 1, -1, -1)]


def week_label(monday: date) -> str:
    """``2026-W47``: the ISO year and week of ``monday``."""
    year, week, _weekday = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(label: str) -> date:
    """``2026-W47`` → the Monday of that ISO week; a clear error for anything else."""
    match = WEEK_LABEL.match(label.strip())
    try:
        if not match:
            raise ValueError
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise DomainError(
            _("“%(week)s” is not an ISO week such as 2026-W47.") % {"week": label}, field="week"
        ) from None


# --- months ------------------------------------------------------------------------------------


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return (month_start(day) + timedelta(days=32)).replace(day=1)


def previous_month(day: date) -> date:
    """The first day of the month before ``day``'s."""
    return (month_start(day) - timedelta(days=1)).replace(day=1)


def months_back(today: date, count: int) -> list[date]:
    """The first days of ``count`` months ending with ``today``'s month, oldest first."""
    months = [month_start(today)]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months[::-1]


def month_label(first: date) -> str:
    """``2026-11``."""
    return f"{first:%Y-%m}"


def parse_month(label: str) -> date:
    """``2026-11`` → 2026-11-01; a clear error for anything else."""
    match = MONTH_LABEL.match(label.strip())
    try:
        if not match:
            raise ValueError
        return date(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise DomainError(_("“%(month)s” is not a month such as 2026-11.") % {"month": label}, field="month") from None


# --- working days ------------------------------------------------------------------------------


def is_working_day(day: date) -> bool:
    return day.weekday() < SATURDAY


def add_working_days(start: datetime, days: int) -> datetime:
    """``days`` working days after ``start``, at the same time of day."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            days -= 1
    return current


def first_working_day(day: date) -> date:
    """The first working day of ``day``'s month."""
    first = month_start(day)
    while not is_working_day(first):
        first += timedelta(days=1)
    return first


def is_first_working_day(day: date) -> bool:
    """A working day with no earlier working day in its month."""
    return day == first_working_day(day)


# --- the listening pace ------------------------------------------------------------------------


def year_start(day: date) -> date:
    return date(day.year, 1, 1)


def year_before(today: date) -> date:
    """The same date a year earlier (28 February for a 29th)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def expected_by(today: date, *, yearly: int) -> int:
    """The pro-rata share of a ``yearly`` commitment due by the end of ``today`` (by day of year):
    someone who has done at least this much this year is on pace."""
    start = year_start(today)
    days_in_year = (date(today.year + 1, 1, 1) - start).days
    return yearly * ((today - start).days + 1) // days_in_year


def percent(done: int, target: int) -> int:
    """``done`` as a share of ``target``, 0..100; a zero target counts as met."""
    if target <= 0:
        return 100
    return min(100, round(100 * done / target))
