"""Signing in and out, the lock-out after repeated failures, API tokens, and the audit trail."""

from __future__ import annotations

import os
import subprocess
import sys

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


# --- Limits per address and per username (password spraying) -----------------------------------


def _sign_in(client, username, password, **headers):
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def test_spraying_many_usernames_from_one_address_is_refused_after_the_address_limit(agent, password, settings):
    client = Client()
    answers = [_sign_in(client, f"sprayed-{n:03}", "Winter2026!").status_code for n in range(150)]
    limit = settings.VOC_LOGIN_ADDRESS_FAILURE_LIMIT
    assert answers[:limit] == [200] * limit
    assert set(answers[limit:]) == {429}
    # The right password from that address waits too; from elsewhere it works.
    assert _sign_in(client, "lucia", password).status_code == 429
    assert _sign_in(Client(), "lucia", password, REMOTE_ADDR="192.0.2.44").status_code == 302


def test_a_new_x_forwarded_for_each_time_does_not_reset_the_address_limit_without_proxies(agent, settings):
    settings.VOC_PROXY_COUNT = 0
    client = Client()
    limit = settings.VOC_LOGIN_ADDRESS_FAILURE_LIMIT
    answers = [
        _sign_in(client, f"sprayed-{n:03}", "Winter2026!", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(limit + 5)
    ]
    assert answers.count(429) == 5


def test_behind_one_proxy_the_right_most_forwarded_address_is_the_callers(agent, password, settings):
    settings.VOC_PROXY_COUNT = 1
    client = Client()
    limit = settings.VOC_LOGIN_ADDRESS_FAILURE_LIMIT
    # What a client writes at the left is ignored; the proxy's own entry (right-most) counts.
    for n in range(limit):
        _sign_in(client, f"sprayed-{n:03}", "nope", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7")
    assert _sign_in(client, "lucia", password, HTTP_X_FORWARDED_FOR="203.0.113.250, 198.51.100.7").status_code == 429
    signed_in = _sign_in(Client(), "lucia", password, HTTP_X_FORWARDED_FOR="198.51.100.7, 198.51.100.8")
    assert signed_in.status_code == 302
    assert AuditEntry.objects.get(action="auth.login").ip_address == "198.51.100.8"


def test_one_username_from_many_addresses_cools_off_then_signs_in_again(agent, password, settings, time_machine):
    time_machine.move_to("2026-11-23 09:00:00+00:00")
    limit = settings.VOC_LOGIN_USERNAME_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT - 1  # so it is not axes' lock per (username, address)
    for n in range(limit):
        assert _sign_in(Client(), "lucia", "wrong", REMOTE_ADDR=f"192.0.2.{n + 1}").status_code == 200
    assert _sign_in(Client(), "lucia", password, REMOTE_ADDR="192.0.2.200").status_code == 429
    assert _sign_in(Client(), "amy", "wrong", REMOTE_ADDR="192.0.2.201").status_code == 200  # others are not held
    # A cool-off, never a permanent lock: refused attempts meanwhile do not lengthen it.
    time_machine.move_to("2026-11-23 09:10:00+00:00")
    assert _sign_in(Client(), "LUCIA", "wrong", REMOTE_ADDR="192.0.2.202").status_code == 429
    time_machine.move_to("2026-11-23 09:16:00+00:00")
    assert _sign_in(Client(), "lucia", password, REMOTE_ADDR="192.0.2.203").status_code == 302


def test_the_api_token_endpoint_limits_an_address_whatever_x_forwarded_for_says(agent, settings):
    assert settings.VOC_PROXY_COUNT == 0  # the default: no proxy, the header is the client's own text
    client = Client()
    answers = [
        client.post(
            TOKEN,
            {"username": f"sprayed-{n:03}", "password": "Winter2026!"},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(150)
    ]
    assert answers[:20] == [400] * 20  # VOC_API_LOGIN_RATE, 20/min
    assert set(answers[20:]) == {429}


def test_voc_proxy_count_sets_how_far_drf_and_axes_trust_x_forwarded_for():
    code = (
        "import config.settings as s;"
        "print(s.VOC_PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES'],"
        " s.AXES_IPWARE_PROXY_COUNT, s.AXES_CLIENT_IP_CALLABLE)"
    )
    env = {**os.environ, "VOC_PROXY_COUNT": "1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["1", "1", "1", "voc.accounts.signin_limits.client_address"]


def test_the_api_token_endpoint_behind_one_proxy_limits_the_right_most_address(agent, settings):
    # What VOC_PROXY_COUNT=1 sets (the test above); settings are read once, so set here as well.
    settings.VOC_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = Client()

    def ask(n, forwarded):
        payload = {"username": f"sprayed-{n:03}", "password": "nope"}
        return client.post(TOKEN, payload, content_type="application/json", HTTP_X_FORWARDED_FOR=forwarded)

    answers = [ask(n, f"203.0.113.{n}, 198.51.100.7").status_code for n in range(25)]
    assert answers.count(429) == 5
    assert ask(99, "203.0.113.1, 198.51.100.8").status_code == 400  # another caller is not held


def test_the_api_token_endpoint_limits_one_username_from_many_addresses(agent, password):
    wrong = {"username": "lucia", "password": "wrong"}
    answers = [
        Client().post(TOKEN, wrong, content_type="application/json", REMOTE_ADDR=f"192.0.2.{n}").status_code
        for n in range(1, 16)
    ]
    assert answers[:10] == [400] * 10
    assert set(answers[10:]) == {429}
    refused = Client().post(
        TOKEN, {"username": "lucia", "password": password}, content_type="application/json", REMOTE_ADDR="192.0.2.99"
    )
    assert refused.status_code == 429


def test_client_address_trusts_only_as_many_forwarded_hops_as_proxies(rf, settings):
    from voc.accounts.signin_limits import client_address

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.5, 10.0.0.2")
    settings.VOC_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.1"
    settings.VOC_PROXY_COUNT = 1
    assert client_address(request) == "10.0.0.2"
    settings.VOC_PROXY_COUNT = 2
    assert client_address(request) == "192.0.2.5"
    settings.VOC_PROXY_COUNT = 5  # fewer hops than proxies: the left-most there is
    assert client_address(request) == "6.6.6.6"
    settings.VOC_PROXY_COUNT = 1
    junk = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, <script>")
    assert client_address(junk) == "10.0.0.1"  # not an address: the socket's


def test_a_forwarded_address_that_is_not_an_address_does_not_break_signing_in(agent, password, settings):
    settings.VOC_PROXY_COUNT = 1
    response = _sign_in(Client(), "lucia", password, HTTP_X_FORWARDED_FOR="nonsense-Kq8")
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="auth.login").ip_address == "127.0.0.1"


# --- API tokens: expiry, rotation, the tokens page ----------------------------------------------


def _token(client, password, username="lucia"):
    response = client.post(TOKEN, {"username": username, "password": password}, content_type="application/json")
    assert response.status_code == 200
    return response.json()["token"]


def _me(key):
    return Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")


def test_an_api_token_expires_after_the_configured_days_and_sign_in_issues_a_new_one(
    agent, password, settings, time_machine
):
    settings.VOC_API_TOKEN_DAYS = 30
    time_machine.move_to("2026-11-01 09:00:00+00:00")
    key = _token(Client(), password)
    time_machine.move_to("2026-11-30 09:00:00+00:00")
    assert _me(key).status_code == 200
    time_machine.move_to("2026-12-01 09:00:01+00:00")
    expired = _me(key)
    assert expired.status_code == 401 and expired.json()["detail"] == "Token expired."
    fresh = _token(Client(), password)
    assert fresh != key and _me(fresh).status_code == 200


def test_the_token_check_is_still_one_query(agent, password, django_assert_num_queries):
    from voc.accounts.authentication import TokenAuthentication

    key = _token(Client(), password)
    with django_assert_num_queries(1):
        user, token = TokenAuthentication().authenticate_credentials(key)
        assert user.site.name == "Madrid" and token.key == key


def test_changing_the_password_on_the_password_page_revokes_the_api_token(agent, password):
    key = _token(Client(), password)
    client = Client()
    client.force_login(agent)
    new = "a-much-better-one"
    changed = client.post("/accounts/password/", {"old_password": password, "new_password1": new, "new_password2": new})
    assert changed.status_code == 302
    assert _me(key).status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoked", actor=agent).exists()
    assert _me(_token(Client(), new)).status_code == 200


def test_any_password_change_revokes_the_api_token_admin_and_commands_included(agent, password):
    key = _token(Client(), password)
    agent.set_password("set-by-an-administrator")  # what Django admin, add_user and changepassword do
    agent.save()
    assert _me(key).status_code == 401


def test_saving_a_person_without_changing_the_password_keeps_the_token(agent, password):
    key = _token(Client(), password)
    agent.first_name = "Lucía"
    agent.save()
    assert _me(key).status_code == 200


def test_signing_out_of_the_web_keeps_the_api_token_for_scripts(agent, password):
    key = _token(Client(), password)
    client = Client()
    client.force_login(agent)
    client.post("/accounts/logout/")
    assert _me(key).status_code == 200


def test_the_tokens_page_shows_the_last_four_characters_never_the_key(agent, password):
    key = _token(Client(), password)
    client = Client()
    client.force_login(agent)
    assert 'href="/accounts/tokens/"' in client.get("/accounts/profile/").content.decode()
    html = client.get("/accounts/tokens/").content.decode()
    assert f"…{key[-4:]}" in html
    assert key not in html


def test_a_new_token_is_shown_once_and_replaces_the_old_one(agent, password):
    old = _token(Client(), password)
    client = Client()
    client.force_login(agent)
    created = client.post("/accounts/tokens/", {"action": "create"})
    assert created.status_code == 200
    from rest_framework.authtoken.models import Token

    new = Token.objects.get(user=agent).key
    assert new != old and new in created.content.decode()
    assert new not in client.get("/accounts/tokens/").content.decode()
    assert _me(old).status_code == 401 and _me(new).status_code == 200
    assert AuditEntry.objects.filter(action="api_token.created", actor=agent).count() == 1


def test_revoking_on_the_tokens_page_refuses_the_token_at_once(agent, password):
    key = _token(Client(), password)
    client = Client()
    client.force_login(agent)
    revoked = client.post("/accounts/tokens/", {"action": "revoke"}, follow=True)
    assert "Your API token is revoked" in revoked.content.decode()
    assert _me(key).status_code == 401
    assert "You have no API token." in client.get("/accounts/tokens/").content.decode()


def test_a_person_sees_and_revokes_only_their_own_token(agent, other_site_agent):
    from rest_framework.authtoken.models import Token

    mine = Token.objects.create(user=agent, key="0" * 36 + "MyQ7").key
    theirs = Token.objects.create(user=other_site_agent, key="0" * 36 + "AmZ9").key
    client = Client()
    client.force_login(agent)
    html = client.get("/accounts/tokens/").content.decode()
    assert "…MyQ7" in html and "AmZ9" not in html
    client.post("/accounts/tokens/", {"action": "revoke"})
    assert _me(theirs).status_code == 200 and _me(mine).status_code == 401


def test_the_tokens_page_refuses_an_unknown_action_and_anonymous_visitors(client_for):
    assert client_for("agent").post("/accounts/tokens/", {"action": "steal"}).status_code == 400
    assert Client().get("/accounts/tokens/").status_code == 302
