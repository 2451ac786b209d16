"""Default periodic tasks: created once, then owned by admins (django-celery-beat); and their
schedules in words for the admin ("Mondays at 07:30" rather than ``30 7 * * 1``)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask

_NUMBER = re.compile(r"^\d{1,2}$")
_EVERY = re.compile(r"^\*/(\d{1,2})$")


def _weekly(day: int) -> str:
    """The sentence for cron's day of the week (0 and 7: Sunday), such as "Mondays at %(time)s"."""
    return [
        _("Sundays at %(time)s"),
        _("Mondays at %(time)s"),
        _("Tuesdays at %(time)s"),
        _("Wednesdays at %(time)s"),
        _("Thursdays at %(time)s"),
        _("Fridays at %(time)s"),
        _("Saturdays at %(time)s"),
    ][day % 7]


def in_words(crontab: CrontabSchedule) -> str:
    """The schedule as a person says it, in the active language, with its time zone when that is
    not the product's; the cron fields themselves for shapes it does not know."""
    minute, hour, day, month, weekday = (
        str(crontab.minute).strip(),
        str(crontab.hour).strip(),
        str(crontab.day_of_month).strip(),
        str(crontab.month_of_year).strip(),
        str(crontab.day_of_week).strip(),
    )
    words = _describe(minute, hour, day, month, weekday)
    if words is None:
        words = _("at cron times “%(fields)s”") % {"fields": f"{minute} {hour} {day} {month} {weekday}"}
    zone = str(crontab.timezone)
    return words if zone == settings.TIME_ZONE else f"{words} ({zone})"


def _describe(minute: str, hour: str, day: str, month: str, weekday: str) -> str | None:
    if month != "*":
        return None
    if (hour, day, weekday) == ("*", "*", "*"):
        if minute == "*":
            return _("Every minute")
        if every := _EVERY.match(minute):
            return _("Every %(n)s minutes") % {"n": every.group(1)}
        if _NUMBER.match(minute):
            return _("Every hour at minute %(minute)s") % {"minute": int(minute)}
        return None
    if not (_NUMBER.match(minute) and _NUMBER.match(hour)):
        return None
    time = f"{int(hour):02d}:{int(minute):02d}"
    if day == "*" and weekday == "*":
        return _("Every day at %(time)s") % {"time": time}
    if day == "*" and weekday == "1-5":
        return _("Weekdays (Monday to Friday) at %(time)s") % {"time": time}
    if day == "*" and _NUMBER.match(weekday) and int(weekday) <= 7:
        return _weekly(int(weekday)) % {"time": time}
    if weekday == "*" and _NUMBER.match(day) and 1 <= int(day) <= 31:
        return _("Day %(day)s of every month at %(time)s") % {"day": int(day), "time": time}
    return None


def ensure_default_schedules(**kwargs: Any) -> int:
    """Create each ``VOC_DEFAULT_SCHEDULES`` entry that has no row yet; never overwrite an admin's edit.

    Returns how many were created. Safe to run any number of times (post-migrate runs it).
    """
    created = 0
    for name, spec in settings.VOC_DEFAULT_SCHEDULES.items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        minute, hour, day_of_month, month_of_year, day_of_week = spec["crontab"].split()
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            day_of_week=day_of_week,
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.create(name=name, task=spec["task"], crontab=crontab)
        created += 1
    return created
