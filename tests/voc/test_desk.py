"""Every role's home page is a to-do list: what waits for them with counts, due dates and
links, then news; overdue and due-soon are marked and come first."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from insights.following import services as following
from insights.models import Alert, Burst, Theme
from tests.factories import ComplaintCaseFactory, ComplaintFactory, InsightFactory, IssueFactory, ThemeFactory
from voc import desk, machinery
from voc.models import Heartbeat, ImportJob, JobEvent

pytestmark = pytest.mark.django_db


def _titles(items):
    return [item.title for item in items]


def test_an_agent_sees_what_they_logged_and_what_to_listen_for(agent, client_for):
    InsightFactory(agent=agent)
    InsightFactory(agent=agent, occurred_at=timezone.now() - timedelta(days=20))
    page = client_for("agent").get("/").content.decode()
    assert "Log what a customer tells you" in page and "Today: 1" in page
    assert "What happened to your notes of the last 30 days" in page
    assert reverse("what_happened") in page


def test_an_agent_hears_of_an_action_as_done_only_once_it_is_done(agent, hq, client_for):
    from insights.actions import services as actions
    from insights.models import Assignment

    theme = ThemeFactory(name="Card not arrived")
    Assignment.objects.create(note=InsightFactory(agent=agent), theme=theme, method="auto")
    action = actions.record_action(by=hq, title="Courier pilot", status="in_progress", themes=[theme])
    client = client_for("agent")
    page = client.get("/").content.decode()
    assert "Under way: Courier pilot" in page and "You said, we did: Courier pilot" not in page
    assert client.get(reverse("action_detail", args=[action.pk])).status_code == 200
    actions.update_action(action=action, by=hq, status="done")
    cache.clear()  # the home page keeps its figures five minutes
    assert "You said, we did: Courier pilot" in client.get("/").content.decode()


def test_a_lead_is_told_of_the_draft_the_emerging_themes_the_import_and_the_late_buddy_case(
    lead, agent, executive, madrid, client_for
):
    IssueFactory()  # last week's draft
    ThemeFactory(status=Theme.Status.PROPOSED)
    ThemeFactory(status=Theme.Status.PROPOSED)
    ImportJob.objects.create(uploaded_by=lead, original_name="october.csv", rows=10, invalid=3, status="done")
    ComplaintCaseFactory(
        executive=executive,
        buddy=lead,
        note=ComplaintFactory(agent=agent),
        acknowledge_by=timezone.now() - timedelta(hours=3),
    )
    Burst.objects.create(
        subject="cluster:1",
        site=madrid,
        title="App crashes",
        window_start=timezone.now(),
        window_end=timezone.now(),
        count=9,
        last_seen_at=timezone.now(),
    )
    todo = desk.desk(lead)[desk.TODO]
    titles = _titles(todo)
    assert any(t.startswith("Review the newsletter of week") for t in titles)
    assert "Emerging themes to review" in titles
    assert "Import “october.csv”: rows to fix" in titles
    # A cluster is named for what it is, never by a note's words (readers differ in what they may read).
    assert "Alert: Notes saying the same thing, in no theme yet" in titles
    buddy = next(item for item in todo if item.title == "Buddy case in progress")
    assert buddy.state == desk.OVERDUE and "1 not acknowledged in time" in buddy.detail
    assert todo[0].state == desk.OVERDUE  # overdue first
    page = client_for("lead").get("/").content.decode()
    assert "Overdue" in page and "october.csv" in page


def test_an_executive_sees_the_case_of_the_month_due_and_the_listening_pace(executive, agent, client_for):
    case = ComplaintCaseFactory(executive=executive, note=ComplaintFactory(agent=agent))
    soon = desk.desk(executive)[desk.TODO]
    item = next(i for i in soon if i.url == reverse("case_detail", args=[case.pk]))
    assert item.title == "Acknowledge your complaint of the month" and item.state == ""
    case.acknowledge_by = timezone.now() + timedelta(hours=5)
    case.save()
    assert next(i for i in desk.desk(executive)[desk.TODO] if i.url.endswith(f"/{case.pk}/")).state == desk.DUE_SOON
    case.acknowledge_by = timezone.now() - timedelta(hours=5)
    case.save()
    page = client_for("executive").get("/").content.decode()
    assert ("Overdue" in page and "Listen to calls" in page) or "Listening to calls" in page


def test_head_office_sees_the_latest_issue_rising_themes_and_what_it_follows(hq):
    issue = IssueFactory(status="sent", sent_at=timezone.now(), approved_at=timezone.now())
    theme = ThemeFactory(name="Card not arrived")
    Alert.objects.create(theme=theme, first_week=issue.week_start, last_week=issue.week_start, count=73, baseline=25.8)
    following.follow(user=hq, theme=theme)
    news = desk.desk(hq)[desk.NEWS]
    assert f"Did you know…? Week {issue.label}" in _titles(news)
    rising = next(i for i in news if i.title == "Rising: Card not arrived")
    assert rising.count == 73 and "25.8" in rising.detail
    assert next(i for i in news if i.title == "What you follow").count == 1


def test_an_admin_sees_a_silent_worker_failed_jobs_and_the_queue(admin_user, client_for):
    items = desk.desk(admin_user)
    assert "No worker has reported yet: is one running?" in _titles(items[desk.TODO])
    machinery.worker_alive(hostname="celery@web1")
    assert "worker celery@web1: alive" in _titles(desk.desk(admin_user)[desk.FIGURES])
    Heartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=30))
    machinery.job_event(task="newsletter.tasks.deliver", outcome="failed", error=ValueError("a@b.es"))
    todo = _titles(desk.desk(admin_user)[desk.TODO])
    assert any(t.startswith("worker celery@web1: silent since") for t in todo)
    assert "newsletter.tasks.deliver failed once in the last day" in todo
    assert JobEvent.objects.get().error == "ValueError"  # the class, never the message
    figures = desk.desk(admin_user)[desk.FIGURES]
    assert any(i.title == "Queue “celery”" for i in figures)
    assert "Notes of the last two days waiting for a vector" in _titles(figures)
    assert client_for("admin").get("/").status_code == 200


def test_an_admin_sees_where_e_mail_links_lead_and_is_warned_of_a_wrong_address(admin_user, settings):
    settings.VOC_SITE_URL = "http://127.0.0.1:8000"
    assert "Links in e-mails open http://127.0.0.1:8000" in _titles(desk.desk(admin_user)[desk.FIGURES])
    settings.VOC_SITE_URL = "https://intranet.example.org"
    wrong = [i for i in desk.desk(admin_user)[desk.TODO] if "VOC_SITE_URL" in i.title]
    assert len(wrong) == 1 and wrong[0].state == desk.OVERDUE
    assert "intranet.example.org" in wrong[0].title and "DJANGO_ALLOWED_HOSTS" in wrong[0].title


def test_a_failing_celery_task_is_recorded_by_the_signal():
    from celery import signals

    class Task:
        name = "insights.tasks.embed_notes"

    signals.task_failure.send(sender=Task(), exception=RuntimeError("boom"))
    signals.task_retry.send(sender=Task(), reason=TimeoutError())
    assert set(JobEvent.objects.values_list("outcome", "error")) == {
        ("failed", "RuntimeError"),
        ("retried", "TimeoutError"),
    }


def test_nobody_sees_items_of_another_role(agent, hq):
    assert not [i for i in desk.desk(agent)[desk.TODO] if "newsletter" in i.url or "emerging" in i.url]
    assert not [i for i in desk.desk(hq)[desk.TODO] if i.title.startswith("Log what")]


def test_a_late_case_is_marked_overdue_in_the_list_and_a_step_says_what_comes_next(executive, agent, client_for):
    case = ComplaintCaseFactory(
        executive=executive, note=ComplaintFactory(agent=agent), acknowledge_by=timezone.now() - timedelta(hours=1)
    )
    client = client_for("executive")
    assert "badge overdue" in client.get(reverse("case_list")).content.decode()
    response = client.post(reverse("case_acknowledge", args=[case.pk]), follow=True)
    page = response.content.decode()
    assert "Acknowledged. Next: contact the customer and record it here." in page
    assert "badge overdue" not in client.get(reverse("case_list")).content.decode()


def test_everyone_sees_that_themes_are_being_prepared_until_there_are_some(agent, hq):
    InsightFactory(agent=agent)
    item = next(i for i in desk.desk(hq)[desk.NEWS] if i.title == "Themes are being prepared")
    assert item.count == 0 and "0 of 1 recent notes read" in item.detail
    ThemeFactory()
    from django.core.cache import cache

    cache.clear()
    assert not [i for i in desk.desk(hq)[desk.NEWS] if i.title == "Themes are being prepared"]
