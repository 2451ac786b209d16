from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from insights.following import alerts, services
from insights.following.models import Mail
from insights.models import Assignment, Burst, Notification, Subscription, Theme
from insights.services import accept_theme, merge_themes
from tests.factories import ThemeFactory
from tests.insights.conftest import direction
from voc.errors import DomainError
from voc.notes import services as notes

pytestmark = pytest.mark.django_db


def test_following_the_same_target_again_changes_how_one_hears_of_it(hq, manchester):
    first = services.follow(user=hq, site=manchester, kind="complaint")
    again = services.follow(user=hq, site=manchester, kind="complaint", alert_threshold=10)
    assert first.pk == again.pk
    assert again.target_key == f"site:{manchester.pk}|kind:complaint"
    assert Subscription.objects.get().alert_threshold == 10


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"alert_threshold": 0}, "alert_threshold"),
        ({"alert_threshold": -3}, "alert_threshold"),
        ({"kind": "rant"}, "kind"),
    ],
)
def test_bad_subscriptions_are_refused_by_field(hq, madrid, fields, field):
    with pytest.raises(DomainError) as error:
        services.follow(user=hq, site=madrid, **fields)
    assert error.value.field == field
    assert not Subscription.objects.exists()


def test_nothing_to_follow_and_another_sites_agent_are_refused(agent, manchester):
    with pytest.raises(DomainError):
        services.follow(user=agent)
    with pytest.raises(DomainError) as error:
        services.follow(user=agent, site=manchester)
    assert error.value.field == "site"


def test_a_followed_theme_that_is_merged_away_is_followed_where_its_notes_went(hq, executive, lead):
    old, new = ThemeFactory(name="Cards late"), ThemeFactory(name="Card not arrived")
    services.follow(user=hq, theme=old)
    services.follow(user=executive, theme=old)
    services.follow(user=executive, theme=new)  # already follows the target: one row left
    merge_themes(source=old, target=new, by=lead)
    assert set(Subscription.objects.values_list("user__username", "theme_id")) == {("elena", new.pk), ("ana", new.pk)}
    assert services.follow(user=hq, theme=Theme.objects.get(pk=old.pk)).theme == new


def test_notify_twice_updates_one_row_and_marks_it_unread_again(hq):
    services.notify(users=[hq.pk], event_key="burst:1", kind="alert", title="10 in an hour")
    services.mark_read(notifications=Notification.objects.all())
    services.notify(users=[hq.pk, hq.pk], event_key="burst:1", kind="alert", title="14 in an hour")
    (row,) = Notification.objects.all()
    assert (row.title, row.read_at) == ("14 in an hour", None)
    assert services.unread_count(hq) == 1


def test_ten_near_identical_notes_in_an_hour_with_no_theme_alert_the_sites_lead_and_followers_once(
    burst_of, lead, hq, madrid, django_capture_on_commit_callbacks
):
    services.follow(user=hq, site=madrid)
    burst_of(10, vector=direction(4))
    with django_capture_on_commit_callbacks(execute=True):
        (burst,) = alerts.run_alerts()
    assert burst.subject.startswith("cluster:") and burst.count == 10
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"marta", "elena"}
    assert "App crashes" in Notification.objects.first().body
    with django_capture_on_commit_callbacks(execute=True):
        alerts.run_alerts()
    assert Burst.objects.count() == 1
    assert Notification.objects.count() == 2


def test_a_growing_burst_updates_its_alert_and_a_quiet_window_closes_it(burst_of, time_machine, lead):
    made = burst_of(6, vector=direction(4))
    (first,) = alerts.run_alerts()
    burst_of(4, vector=direction(4), minutes_ago=1)
    (second,) = alerts.run_alerts()
    assert second.pk == first.pk and second.count == 10
    time_machine.move_to(timezone.now() + timedelta(hours=3))
    assert alerts.run_alerts() == []
    assert Burst.objects.get().status == Burst.Status.CLOSED
    assert len(made) == 6


def test_below_the_minimum_withdrawn_and_scattered_notes_raise_nothing(burst_of, note_at, agent):
    made = burst_of(5, vector=direction(4))
    notes.withdraw_notes(notes=made[:2], by=agent)
    for i in range(6):
        note_at(f"Different thing {i}", direction(5 + i))
    assert alerts.run_alerts() == []


def test_a_vulnerable_customers_note_is_never_quoted(burst_of):
    burst_of(6, vector=direction(4), vulnerable=True)
    (burst,) = alerts.run_alerts()
    assert burst.example == ""


def test_an_alert_quotes_each_reader_only_a_note_they_may_read(
    burst_of, agent, hq, other_site_agent, django_capture_on_commit_callbacks
):
    """An agent at Madrid following every site's questions hears that Manchester passed their
    threshold, but is quoted no Manchester note (agents read their own notes); head office is."""
    for person in (agent, hq):
        services.follow(user=person, kind="question", alert_threshold=3, alert_email=True)
    agent.email, hq.email = "lucia@example.com", "elena@example.com"
    agent.save(), hq.save()
    burst_of(6, vector=direction(4), agent=other_site_agent)
    with django_capture_on_commit_callbacks(execute=True):
        alerts.run_alerts()
    told = {(n.user.username, n.event_key.split(":")[0]): n for n in Notification.objects.select_related("user")}
    assert set(told) >= {("lucia", "burst"), ("elena", "burst")}
    assert "App crashes" in told[("elena", "burst")].body
    assert told[("lucia", "burst")].body == ""
    mails = {m.user.username: m.body for m in Mail.objects.select_related("user")}
    assert "App crashes" in mails["elena"] and mails["lucia"] == ""
    assert all("App crashes" not in n.title for n in Notification.objects.all())


def test_an_accepted_theme_well_above_its_usual_hour_alerts_its_followers(
    burst_of, hq, lead, django_capture_on_commit_callbacks
):
    theme = ThemeFactory(name="App crashes")
    accept_theme(theme=theme, by=lead)
    services.follow(user=hq, theme=theme)
    for note in burst_of(8, vector=direction(4)):
        Assignment.objects.create(note=note, theme=theme, method=Assignment.Method.AUTO)
    with django_capture_on_commit_callbacks(execute=True):
        (burst,) = alerts.run_alerts()
    assert burst.subject == f"theme:{theme.pk}"
    assert Notification.objects.filter(user=hq, url=reverse("theme_detail", args=[theme.pk])).exists()


def test_a_threshold_subscription_tells_only_its_follower_when_passed(
    burst_of, hq, madrid, lead, django_capture_on_commit_callbacks
):
    services.follow(user=hq, site=madrid, alert_threshold=3, alert_on_spike=False)
    burst_of(4, vector=np.ones(16, dtype=np.float32))  # four in a day: past 3, too few for a burst (5)
    with django_capture_on_commit_callbacks(execute=True):
        bursts = alerts.run_alerts()
    assert [b.subject.split(":")[0] for b in bursts] == ["subscription"]
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["elena"]


def test_a_notification_follows_its_reader_into_another_language(
    burst_of, hq, madrid, client_for, django_capture_on_commit_callbacks
):
    services.follow(user=hq, site=madrid, kind="frustration", alert_threshold=3, alert_on_spike=False)
    burst_of(4, vector=np.ones(16, dtype=np.float32), kind="frustration")
    with django_capture_on_commit_callbacks(execute=True):
        alerts.run_alerts()
    (told,) = Notification.objects.all()
    assert told.title == "Frustration · Madrid: 4 notes in the last day, above your limit of 3"
    hq.language = "es"
    hq.save(update_fields=["language"])
    page = client_for("hq").get(reverse("notifications")).content.decode()
    assert "Frustración · Madrid: 4 notas en el último día, por encima de tu límite de 3" in page
    assert "above your limit" not in page


def test_the_api_follows_and_lists_only_ones_own(cast, madrid):
    api = APIClient()
    api.force_authenticate(cast["hq"])
    assert (
        api.post("/api/v1/subscriptions/", {"site": madrid.pk, "alert_threshold": 0}, format="json").status_code == 400
    )
    assert api.post("/api/v1/subscriptions/", {}, format="json").status_code == 400
    created = api.post("/api/v1/subscriptions/", {"site": madrid.pk, "kind": "complaint"}, format="json")
    assert created.status_code == 201
    other = APIClient()
    other.force_authenticate(cast["lead"])
    assert other.get("/api/v1/subscriptions/").json()["count"] == 0
    assert other.delete(f"/api/v1/subscriptions/{created.json()['id']}/").status_code == 404
    services.notify(users=[cast["hq"].pk], event_key="x", kind="alert", title="Hello")
    listed = api.get("/api/v1/notifications/").json()
    assert (listed["count"], listed["results"][0]["unread"]) == (1, True)
    assert api.post("/api/v1/notifications/read-all/").json() == {"read": 1}


def test_the_header_shows_the_unread_count(client_for, hq):
    services.notify(users=[hq.pk], event_key="x", kind="alert", title="Hello")
    page = client_for("hq").get("/").content.decode()
    assert 'aria-label="1 unread"' in page


def test_a_subscription_without_a_kind_matches_the_api_schema(cast, madrid):
    """``kind`` is empty for "any kind": the schema must allow it (schemathesis found it did not)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    kind = schema["components"]["schemas"]["Subscription"]["properties"]["kind"]
    assert kind["type"] == "string" and "enum" not in kind and "$ref" not in kind
    api = APIClient()
    api.force_authenticate(cast["hq"])
    assert api.post("/api/v1/subscriptions/", {"site": madrid.pk}, format="json").json()["kind"] == ""


def test_a_followed_theme_says_so_on_its_page_and_offers_unfollow(client_for, hq, lead):
    theme = ThemeFactory(name="App crashes")
    accept_theme(theme=theme, by=lead)
    client = client_for("hq")
    url = reverse("theme_detail", args=[theme.pk])
    page = client.get(url).content.decode()
    assert f'name="theme" value="{theme.pk}"' in page and "✓ Following" not in page
    client.post(reverse("follow"), {"theme": theme.pk, "next": url})
    page = client.get(url).content.decode()
    subscription = Subscription.objects.get(user=hq)
    assert "✓ Following" in page and reverse("unfollow", args=[subscription.pk]) in page
    assert f'name="theme" value="{theme.pk}"' not in page
