"""Schedules in words in the admin, and product areas kept by admins."""

from __future__ import annotations

import pytest
from django.utils import translation
from django_celery_beat.models import CrontabSchedule

from voc import schedules
from voc.models import ProductArea

pytestmark = pytest.mark.django_db


def _crontab(fields: str, zone: str = "Europe/Madrid") -> CrontabSchedule:
    minute, hour, day, month, weekday = fields.split()
    return CrontabSchedule(
        minute=minute, hour=hour, day_of_month=day, month_of_year=month, day_of_week=weekday, timezone=zone
    )


@pytest.mark.parametrize(
    ("fields", "english", "spanish"),
    [
        ("* * * * *", "Every minute", "Cada minuto"),
        ("*/15 * * * *", "Every 15 minutes", "Cada 15 minutos"),
        ("20 * * * *", "Every hour at minute 20", "Cada hora en el minuto 20"),
        ("30 3 * * *", "Every day at 03:30", "Todos los días a las 03:30"),
        ("30 7 * * 1", "Mondays at 07:30", "Los lunes a las 07:30"),
        ("0 7 * * 1-5", "Weekdays (Monday to Friday) at 07:00", "De lunes a viernes a las 07:00"),
        ("0 7 1 * *", "Day 1 of every month at 07:00", "El día 1 de cada mes a las 07:00"),
        ("0 7 * 6 *", "at cron times “0 7 * 6 *”", "en los momentos cron «0 7 * 6 *»"),
    ],
)
def test_a_schedule_reads_as_words_in_each_language(settings, fields, english, spanish):
    settings.TIME_ZONE = "Europe/Madrid"
    with translation.override("en"):
        assert schedules.in_words(_crontab(fields)) == english
    with translation.override("es"):
        assert schedules.in_words(_crontab(fields)) == spanish
    with translation.override("gl"):
        assert schedules.in_words(_crontab(fields)) not in (english, "")


def test_a_schedule_in_another_time_zone_says_which(settings):
    settings.TIME_ZONE = "Europe/Madrid"
    assert schedules.in_words(_crontab("0 9 * * 0", zone="Europe/London")) == "Sundays at 09:00 (Europe/London)"


def test_the_admin_lists_every_default_schedule_in_words(client_for):
    page = client_for("admin").get("/admin/django_celery_beat/periodictask/")
    assert page.status_code == 200
    text = page.content.decode()
    assert '<td class="field-when">Mondays at 07:00</td>' in text  # drafting the weekly newsletter
    assert '<td class="field-when">Every 15 minutes</td>' in text  # burst alerts
    assert "field-scheduler" not in text  # the cron column is gone


def test_admins_keep_the_product_areas_and_retire_one_without_deleting_it(client_for, admin_user):
    admin = client_for("admin")
    added = admin.post("/admin/voc/productarea/add/", {"name": "Mortgages", "is_active": "on"})
    assert added.status_code == 302
    area = ProductArea.objects.get(name="Mortgages")
    listing = admin.get("/admin/voc/productarea/")
    assert listing.status_code == 200 and "Mortgages" in listing.content.decode()
    changed = admin.post(f"/admin/voc/productarea/{area.pk}/change/", {"name": "Mortgages"})  # unticked
    assert changed.status_code == 302
    area.refresh_from_db()
    assert not area.is_active
    assert admin.get(f"/admin/voc/productarea/{area.pk}/delete/").status_code == 403
