"""Signing in and out, the lock-out after repeated failures, API tokens, and the audit trail."""

from __future__ import annotations

import pytest
from django.test import Client

from voc.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


def test_a_person_signs_in_and_lands_on_home(agent, password):
    client = Client()
    response = client.post(LOGIN, {"username": "lucia", "password": password})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    entry = AuditEntry.objects.get(action="auth.login")
    assert entry.actor == agent and entry.ip_address == "127.0.0.1"


def test_a_wrong_password_shows_a_clear_error_and_keeps_the_username(agent):
    response = Client().post(LOGIN, {"username": "lucia", "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please enter a correct username and password" in html
    assert 'value="lucia"' in html
    assert AuditEntry.objects.filter(action="auth.login_failed", actor_name="lucia").count() == 1


def test_an_unknown_user_gets_the_same_error_as_a_wrong_password(db):
    response = Client().post(LOGIN, {"username": "ghost", "password": "whatever"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failures_lock_the_username_out_even_with_the_right_password(agent, password, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(LOGIN, {"username": "lucia", "password": "wrong"}).status_code == 200
    locked = client.post(LOGIN, {"username": "lucia", "password": "wrong"})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    after = client.post(LOGIN, {"username": "lucia", "password": password})
    assert after.status_code == 429
    assert client.get("/").status_code == 302  # still not signed in


def test_the_lock_out_ends_after_the_cool_off(agent, password, settings, time_machine):
    time_machine.move_to("2026-11-23 09:00:00+00:00")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "lucia", "password": "wrong"})
    assert client.post(LOGIN, {"username": "lucia", "password": password}).status_code == 429
    time_machine.move_to("2026-11-23 09:16:00+00:00")
    assert client.post(LOGIN, {"username": "lucia", "password": password}).status_code == 302


def test_a_lock_out_on_one_username_does_not_block_another(agent, other_site_agent, password, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "lucia", "password": "wrong"})
    assert client.post(LOGIN, {"username": "amy", "password": password}).status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session(client_for):
    client = client_for("agent")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302
    assert AuditEntry.objects.filter(action="auth.logout").count() == 1


def test_changing_a_password_checks_the_old_one_and_the_rules(client_for, password):
    client = client_for("hq")
    weak = client.post(
        "/accounts/password/", {"old_password": password, "new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 200 and "too short" in weak.content.decode()
    wrong_old = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": "a-much-better-one", "new_password2": "a-much-better-one"},
    )
    assert "Your old password was entered incorrectly" in wrong_old.content.decode()
    ok = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": "a-much-better-one", "new_password2": "a-much-better-one"},
    )
    assert ok.status_code == 302
    assert Client().post(LOGIN, {"username": "elena", "password": "a-much-better-one"}).status_code == 302


def test_an_api_token_is_issued_for_good_credentials_and_works(agent, password):
    response = Client().post(TOKEN, {"username": "lucia", "password": password}, content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    me = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["username"] == "lucia" and me.json()["role"] == "agent"
    assert "log_notes" in me.json()["capabilities"]
    again = Client().post(TOKEN, {"username": "lucia", "password": password}, content_type="application/json")
    assert again.json()["token"] == token


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "lucia"}, "password"),
        ({"password": "x"}, "username"),
        ({"username": "lucia", "password": "wrong"}, "non_field_errors"),
        ({"username": "ghost", "password": "wrong"}, "non_field_errors"),
    ],
)
def test_bad_token_requests_get_400_with_field_errors(agent, payload, field):
    response = Client().post(TOKEN, payload, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()


def test_junk_json_to_the_token_endpoint_is_a_400_not_a_500(db):
    response = Client().post(TOKEN, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_the_token_endpoint_shares_the_lock_out(agent, password, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(TOKEN, {"username": "lucia", "password": "wrong"}, content_type="application/json")
    response = client.post(TOKEN, {"username": "lucia", "password": password}, content_type="application/json")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]


def test_a_bad_token_is_refused(db):
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 401


def test_inactive_people_cannot_get_a_token(agent, password):
    agent.is_active = False
    agent.save()
    response = Client().post(TOKEN, {"username": "lucia", "password": password}, content_type="application/json")
    assert response.status_code == 400
