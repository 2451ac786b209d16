"""Every page and endpoint by every role: who gets in, who is turned away."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import ROLES

ALL = set(ROLES)

# url, roles that get 200 (every other signed-in role gets 403)
PAGES = [
    ("/", ALL),
    ("/accounts/profile/", ALL),
    ("/accounts/password/", ALL),
    ("/accounts/password/done/", ALL),
    ("/admin/", {"admin"}),
    ("/admin/voc/auditentry/", {"admin"}),
    ("/admin/voc/user/", {"admin"}),
    ("/admin/django_celery_beat/periodictask/", {"admin"}),
    ("/api/v1/", ALL),
    ("/api/v1/me/", ALL),
    ("/api/v1/schema/", ALL),
    ("/api/v1/docs/", ALL),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "allowed"), PAGES)
def test_each_page_answers_each_role_as_designed(client_for, role, url, allowed):
    response = client_for(role).get(url)
    if role in allowed:
        assert response.status_code == 200, (role, url)
    elif url.startswith("/admin/"):
        # Django admin sends non-staff to its own login page.
        assert response.status_code == 302 and "/admin/login/" in response["Location"], (role, url)
    else:
        assert response.status_code == 403, (role, url)


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "_allowed"), [p for p in PAGES if not p[0].startswith(("/api/", "/admin/"))])
def test_pages_send_anonymous_visitors_to_sign_in(url, _allowed):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/", "/api/v1/me/", "/api/v1/schema/", "/api/v1/docs/"])
def test_the_api_answers_anonymous_callers_401_not_a_redirect(url):
    response = Client().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz"])
def test_sign_in_and_health_are_open_to_anyone(url):
    assert Client().get(url).status_code == 200


@pytest.mark.django_db
def test_static_files_are_served_without_a_login(client, settings):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert b"--brand" in b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("agent", ["Home", "API"], ["Administration", "Audit log"]),
        ("lead", ["Home"], ["Administration", "Audit log"]),
        ("hq", ["Home"], ["Administration"]),
        ("executive", ["Home"], ["Administration"]),
        ("admin", ["Home", "Administration", "Audit log"], []),
    ],
)
def test_navigation_shows_each_role_only_what_it_may_open(client_for, role, visible, hidden):
    html = client_for(role).get("/").content.decode()
    nav = html[html.index('<nav id="site-nav"') : html.index("</nav>")]
    for label in visible:
        assert f">{label}</a>" in nav
    for label in hidden:
        assert f">{label}</a>" not in nav


def test_a_signed_in_person_visiting_sign_in_goes_home(client_for):
    response = client_for("hq").get("/accounts/login/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_unknown_pages_are_a_friendly_404(client_for, settings):
    settings.DEBUG = False
    response = client_for("agent").get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
