"""E-mail from following: alerts and news of actions at once for those who asked, daily and
weekly digests, the agents' weekly "what happened", each once per person and event, in the
reader's language, with a one-click unsubscribe (RFC 8058)."""

from datetime import date, timedelta

import pytest
from django.core import mail as outbox
from django.urls import reverse
from django.utils import timezone

from insights.actions import services as actions
from insights.following import alerts, mail, services
from insights.models import Assignment, Mail, MailPreference, Subscription
from insights.services import accept_theme
from tests.factories import ThemeFactory
from tests.insights.conftest import direction
from voc.models import Outgoing

pytestmark = pytest.mark.django_db


@pytest.fixture
def spanish_hq(hq):
    hq.language, hq.email = "es", "elena@example.com"
    hq.save()
    return hq


def test_an_alert_is_emailed_once_in_the_readers_language_to_who_asked_for_it(
    burst_of, spanish_hq, lead, madrid, django_capture_on_commit_callbacks
):
    services.follow(user=spanish_hq, site=madrid, alert_email=True)
    burst_of(6, vector=direction(4))
    with django_capture_on_commit_callbacks(execute=True):
        alerts.run_alerts()
    assert mail.send_pending().sent == 1
    (message,) = outbox.outbox
    assert message.to == ["elena@example.com"]
    assert "notas en los últimos 60 minutos" in message.subject
    assert "App crashes" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/following/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    # the burst grows and the job runs again: the notification is updated, no second e-mail
    burst_of(4, vector=direction(4), minutes_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        (burst,) = alerts.run_alerts()
    assert burst.count == 10
    assert mail.send_pending().sent == 0
    assert len(outbox.outbox) == 1 and Mail.objects.count() == 1
    # the lead hears of it in the product only: no subscription asked for e-mail
    assert not Mail.objects.filter(user=lead).exists()


def test_an_alert_without_email_asked_sends_nothing(burst_of, spanish_hq, madrid, django_capture_on_commit_callbacks):
    services.follow(user=spanish_hq, site=madrid)
    burst_of(6, vector=direction(4))
    with django_capture_on_commit_callbacks(execute=True):
        alerts.run_alerts()
    assert not Mail.objects.exists()
    assert spanish_hq.notifications.count() == 1


def test_a_mail_claimed_by_a_live_worker_is_not_sent_again_and_one_left_by_a_dead_one_is(spanish_hq):
    row = Mail.objects.create(
        user=spanish_hq, email=spanish_hq.email, language="es", kind="alert", event_key="burst:1", title="Hola"
    )
    Mail.objects.filter(pk=row.pk).update(status=Outgoing.Status.SENDING, claimed_at=timezone.now(), attempts=1)
    assert mail.send_pending().sent == 0
    Mail.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert mail.send_pending().sent == 1
    assert mail.send_pending().sent == 0
    assert len(outbox.outbox) == 1
    assert Mail.objects.get().status == Outgoing.Status.SENT


def test_followers_who_asked_for_email_hear_when_an_action_is_done(hq, lead, django_capture_on_commit_callbacks):
    theme = ThemeFactory(name="Card not arrived")
    accept_theme(theme=theme, by=lead)
    services.follow(user=lead, theme=theme, alert_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        action = actions.record_action(
            by=hq, title="New courier for cards", department="Cards", themes=[theme], status="done"
        )
    assert mail.send_pending().sent == 1
    (message,) = outbox.outbox
    assert "New courier for cards" in message.subject
    assert reverse("action_detail", args=[action.pk]) in message.body


@pytest.fixture
def followed_theme(hq, lead, note_at):
    theme = ThemeFactory(name="App crashes")
    accept_theme(theme=theme, by=lead)
    hq.email = "elena@example.com"
    hq.save()
    services.follow(user=hq, theme=theme, digest="daily")
    return theme


def _notes_in(theme, note_at, day: date, count: int) -> None:
    when = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(hours=10)
    for i in range(count):
        note = note_at(f"The app crashes, call {i}", direction(4), occurred_at=when + timedelta(minutes=i))
        Assignment.objects.create(note=note, theme=theme, method=Assignment.Method.AUTO)


def test_a_daily_digest_counts_yesterday_against_the_day_before_once(followed_theme, note_at, hq):
    today = timezone.localdate()
    _notes_in(followed_theme, note_at, today - timedelta(days=1), 7)
    _notes_in(followed_theme, note_at, today - timedelta(days=2), 1)
    assert mail.queue_digests(frequency="daily", today=today) == 1
    assert mail.queue_digests(frequency="daily", today=today) == 0  # run twice: one e-mail
    assert mail.send_pending().sent == 1
    (message,) = outbox.outbox
    assert "App crashes" in message.body
    assert "7 notes (fewer than 3 the period before)" in message.body
    assert "/following/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_a_quiet_day_sends_no_digest_and_weekly_followers_wait_for_monday(followed_theme, note_at, hq):
    today = timezone.localdate()
    assert mail.queue_digests(frequency="daily", today=today) == 0
    _notes_in(followed_theme, note_at, today - timedelta(days=1), 4)
    assert mail.queue_digests(frequency="weekly", today=today) == 0  # hq asked for daily only


def test_the_weekly_period_is_the_whole_iso_week_before():
    assert mail.period("weekly", date(2026, 12, 9)) == (date(2026, 11, 30), date(2026, 12, 7))
    assert mail.period("daily", date(2026, 12, 9)) == (date(2026, 12, 8), date(2026, 12, 9))


def test_one_click_unsubscribe_turns_off_that_kind_of_email_only(client, hq, madrid):
    subscription = services.follow(user=hq, site=madrid, alert_email=True, digest="weekly")
    token = mail.unsubscribe_token(user=hq, what="alerts")
    url = reverse("following_unsubscribe", args=[token])
    assert client.get(url).status_code == 200
    assert Subscription.objects.get().alert_email  # a GET (a link scanner) changes nothing
    assert client.post(url).status_code == 200  # RFC 8058: a POST with no CSRF token, no session
    subscription.refresh_from_db()
    assert (subscription.alert_email, subscription.digest, subscription.in_app) == (False, "weekly", True)
    assert client.post(reverse("following_unsubscribe", args=[token + "x"])).status_code == 400


def test_an_agent_who_asked_hears_on_monday_what_became_of_last_weeks_notes(agent, note_at, lead):
    agent.email = "lucia@example.com"
    agent.save()
    monday = date(2026, 12, 7)
    theme = ThemeFactory(name="Card not arrived")
    accept_theme(theme=theme, by=lead)
    note = note_at(
        "My card never came", direction(2), occurred_at=timezone.make_aware(timezone.datetime(2026, 12, 2, 11))
    )
    Assignment.objects.create(note=note, theme=theme, method=Assignment.Method.AUTO)
    assert mail.queue_what_happened(today=monday) == 0  # nobody asked
    mail.set_what_happened(user=agent, weekly=True)
    assert mail.queue_what_happened(today=monday) == 1
    assert mail.queue_what_happened(today=monday) == 0
    mail.send_pending()
    (message,) = outbox.outbox
    assert "1 note last week" in message.body and "1 joined a theme" in message.body
    token = message.extra_headers["List-Unsubscribe"].rsplit("/unsubscribe/", 1)[1].strip("/>")
    mail.unsubscribe(token=token)
    assert not MailPreference.objects.get(user=agent).what_happened_weekly


def test_the_following_page_changes_how_one_hears_and_reshows_errors(client_for, hq, madrid):
    subscription = services.follow(user=hq, site=madrid)
    client = client_for("hq")
    url = reverse("subscription_change", args=[subscription.pk])
    refused = client.post(url, {f"s{subscription.pk}-alert_threshold": "0", f"s{subscription.pk}-digest": "daily"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'value="0"' in page and "greater than or equal to 1" in page
    saved = client.post(
        url,
        {
            f"s{subscription.pk}-in_app": "on",
            f"s{subscription.pk}-alert_email": "on",
            f"s{subscription.pk}-digest": "weekly",
        },
    )
    assert saved.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.alert_email, subscription.digest, subscription.alert_on_spike) == (True, "weekly", False)


def test_following_nothing_with_a_bad_threshold_shows_both_errors_at_once(client_for):
    refused = client_for("hq").post(reverse("following"), {"alert_threshold": "0", "digest": ""})
    assert refused.status_code == 400
    form = refused.context["form"]
    assert set(form.errors) == {"alert_threshold", "__all__"}
    assert form.non_field_errors() == ["Choose what to follow: a theme, a question, a site, a product or a kind."]


def test_another_persons_subscription_cannot_be_changed(client_for, hq, madrid):
    subscription = services.follow(user=hq, site=madrid)
    response = client_for("lead").post(reverse("subscription_change", args=[subscription.pk]), {})
    assert response.status_code == 404


def test_the_what_happened_email_is_a_choice_on_the_following_page(client_for, agent):
    client = client_for("agent")
    page = client.get(reverse("following")).content.decode()
    assert 'id="what-happened-mail"' in page and "<form" not in page[page.index("<title>") : page.index("</title>")]
    client.post(reverse("what_happened_mail"), {"what_happened_weekly": "on"})
    assert mail.wants_what_happened(agent)
    assert 'id="what-happened-mail"' not in client_for("hq").get(reverse("following")).content.decode()
