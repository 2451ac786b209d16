from datetime import date, timedelta

import pytest
from django.utils import timezone

from insights.actions import services
from insights.models import Action, Theme
from insights.services import merge_themes
from tests.factories import ThemeFactory
from voc.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def theme():
    return ThemeFactory(name="Card not arrived")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"themes": []}, "themes"),
        ({"status": "done", "done_on": timezone.localdate() + timedelta(days=2)}, "done_on"),
        ({"status": "planned", "done_on": timezone.localdate()}, "done_on"),
        ({"status": "finished"}, "status"),
        ({"status": "done", "done_on": date(1, 1, 1)}, "done_on"),  # a year typed as 0001
        ({"status": "in_progress", "started_on": date(1999, 12, 31)}, "started_on"),
        ({"status": "planned", "started_on": date(9999, 12, 31)}, "started_on"),
    ],
)
def test_bad_actions_are_refused_by_field_and_nothing_is_stored(hq, theme, fields, field):
    with pytest.raises(DomainError) as error:
        services.record_action(by=hq, **({"title": "New courier", "themes": [theme]} | fields))
    assert error.value.field == field
    assert not Action.objects.exists()


def test_a_typed_department_is_redacted_at_save(hq, theme):
    action = services.record_action(by=hq, title="New courier", themes=[theme], department="Cards, ana@example.com")
    action.refresh_from_db()
    assert action.department == "Cards, [EMAIL]"


def test_agents_cannot_record_actions(agent, theme):
    with pytest.raises(DomainError):
        services.record_action(by=agent, title="New courier", themes=[theme])


def test_an_action_on_a_merged_theme_lands_on_the_theme_that_holds_its_notes(hq, lead, theme):
    other = ThemeFactory(name="Cards late")
    merge_themes(source=other, target=theme, by=lead)
    action = services.record_action(by=hq, title="Courier", themes=[Theme.objects.get(pk=other.pk)])
    assert list(action.themes.all()) == [theme]
    assert action.department == "Marketing"
    assert action.owner == hq


def test_an_action_moves_forward_and_a_done_one_gets_todays_date(hq, theme):
    action = services.record_action(by=hq, title="Courier", themes=[theme])
    services.update_action(action=action, by=hq, status="in_progress")
    assert action.started_on == timezone.localdate()
    services.update_action(action=action, by=hq, status="done")
    assert (action.status, action.done_on) == (Action.Status.DONE, timezone.localdate())
    with pytest.raises(DomainError):
        services.update_action(action=action, by=hq, status="planned")


def test_only_the_recorder_owner_department_or_an_admin_change_it(hq, executive, admin_user, lead, theme):
    action = services.record_action(by=hq, title="Courier", themes=[theme])
    for outsider in (executive, lead):
        with pytest.raises(DomainError):
            services.update_action(action=action, by=outsider, title="Other")
    services.update_action(action=action, by=admin_user, title="Faster courier")
    assert action.title == "Faster courier"


def test_followers_hear_when_an_action_is_under_way_and_when_it_is_done(
    hq, lead, executive, theme, django_capture_on_commit_callbacks
):
    from insights.following import services as following
    from insights.models import Notification

    following.follow(user=lead, theme=theme)
    with django_capture_on_commit_callbacks(execute=True):
        action = services.record_action(by=hq, title="New courier", themes=[theme], status="in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_action(action=action, by=hq, status="done")
        services.update_action(action=action, by=hq, title="New courier for cards")
    assert list(Notification.objects.order_by("id").values_list("user__username", "title")) == [
        ("marta", "Under way: New courier"),
        ("marta", "You said, we did: New courier for cards"),
    ]


def test_an_action_recorded_as_in_progress_started_today(hq, theme):
    from django.utils import timezone

    action = services.record_action(by=hq, title="Courier pilot", status="in_progress", themes=[theme])
    assert action.started_on == timezone.localdate()
