from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from tests.celery_worker import running_worker, wait_for
from voc import housekeeping
from voc.schedules import ensure_default_schedules
from voc.tasks import purge_expired


def _sessions(*, expired: int, live: int) -> None:
    for i in range(expired + live):
        store = SessionStore()
        store["n"] = i
        store.create()
        if i < expired:
            Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - timedelta(days=1))


@pytest.mark.django_db
def test_purging_removes_only_expired_sessions_and_is_safe_to_run_twice():
    _sessions(expired=3, live=2)
    assert housekeeping.purge_expired()["sessions"] == 3
    assert housekeeping.purge_expired()["sessions"] == 0
    assert Session.objects.count() == 2


def test_purging_deletes_api_tokens_past_their_lifetime_only(agent, lead, settings):
    from rest_framework.authtoken.models import Token

    settings.VOC_API_TOKEN_DAYS = 90
    old = Token.objects.create(user=agent)
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=91))
    fresh = Token.objects.create(user=lead)
    assert housekeeping.purge_expired()["api_tokens"] == 1
    assert housekeeping.purge_expired()["api_tokens"] == 0
    assert list(Token.objects.values_list("key", flat=True)) == [fresh.key]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_the_purge_task_from_the_real_broker():
    _sessions(expired=2, live=1)
    with running_worker() as queue:
        purge_expired.apply_async(queue=queue)
        assert wait_for(lambda: Session.objects.count() == 1), "the worker never ran the task"


@pytest.mark.django_db
def test_default_schedules_are_created_once_and_admin_edits_survive(settings):
    PeriodicTask.objects.all().delete()
    assert ensure_default_schedules() == len(settings.VOC_DEFAULT_SCHEDULES)
    task = PeriodicTask.objects.get(task="voc.tasks.purge_expired")
    assert task.crontab.hour == "3" and task.crontab.minute == "30"
    task.enabled = False
    task.save()
    assert ensure_default_schedules() == 0
    task.refresh_from_db()
    assert task.enabled is False
