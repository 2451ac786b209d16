"""Ids and counts no database column can hold, typed into a form or a query string: the form
comes back with the field's error (or the list ignores the filter), never a server error, and
nothing is stored."""

import pytest
from django.urls import reverse

from insights.actions.models import Action
from insights.following.models import Subscription
from insights.questions.models import Question

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("url", "posted", "field", "stored"),
    [
        ("following", {"kind": "complaint", "alert_threshold": HUGE}, "alert_threshold", Subscription),
        ("following", {"kind": "complaint", "alert_threshold": "2147483648"}, "alert_threshold", Subscription),
        ("question_ask", {"text": "Will you launch an app?", "product_areas": [HUGE]}, "product_areas", Question),
        ("question_ask", {"text": "Will you launch an app?", "themes": [HUGE]}, "themes", Question),
        ("action_new", {"title": "New courier", "status": "planned", "themes": [HUGE]}, "themes", Action),
    ],
)
def test_a_number_too_big_for_the_database_comes_back_as_the_fields_error(client_for, url, posted, field, stored):
    response = client_for("hq").post(reverse(url), posted)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not stored.objects.exists()


def test_changing_a_subscription_to_a_huge_threshold_is_refused_and_keeps_the_old_one(client_for, hq, madrid):
    from insights.following import services

    subscription = services.follow(user=hq, site=madrid, alert_threshold=10)
    response = client_for("hq").post(
        reverse("subscription_change", args=[subscription.pk]), {f"s{subscription.pk}-alert_threshold": HUGE}
    )
    assert response.status_code == 400
    subscription.refresh_from_db()
    assert subscription.alert_threshold == 10


@pytest.mark.parametrize("query", [f"product_area={HUGE}", f"site={HUGE}"])
def test_a_huge_id_in_the_notes_filter_is_an_error_on_the_filter_not_a_server_error(client_for, query):
    assert client_for("lead").get(f"/notes/?{query}").status_code == 200


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/api/v1/actions/", {"theme": "²", "question": "①"}),
        ("get", "/actions/new/", {"themes": "²"}),
        ("post", "/following/follow/", {"theme": "²"}),
        ("post", "/following/follow/", {"question": "①"}),
    ],
)
def test_digits_that_are_not_ascii_are_no_id_and_no_server_error(client_for, method, url, data):
    response = getattr(client_for("hq"), method)(url, data)
    assert response.status_code < 500
