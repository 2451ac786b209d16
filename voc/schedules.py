"""Default periodic tasks: created once, then owned by admins (django-celery-beat)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, PeriodicTask


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
