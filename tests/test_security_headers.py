"""Security headers: nothing personal is cached, and a Content-Security-Policy with no inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.voc.programme.cases.test_views import open_case

pytestmark = pytest.mark.django_db

TEMPLATES = Path(django_settings.BASE_DIR) / "templates"


@pytest.fixture
def case(agent, executive, lead):
    return open_case(agent, executive, lead, "Still waiting", name="Rosa Díaz", phone="+34 612 345 678")


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "") and "private" in response["Cache-Control"]


def test_the_pages_and_api_answers_with_a_customers_contact_are_never_stored(client_for, case):
    client = client_for("executive")
    contact = client.get(reverse("case_contact", args=[case.pk]))
    assert contact.status_code == 200 and "+34 612 345 678" in contact.content.decode()
    assert _no_store(contact)
    assert _no_store(client.get(reverse("case_detail", args=[case.pk])))
    assert _no_store(client.get("/api/v1/cases/"))


def test_every_signed_in_page_and_api_answer_says_no_store(client_for, agent, password):
    client = client_for("agent")
    for url in ["/", "/accounts/profile/", "/accounts/tokens/", "/notes/mine/", "/api/v1/me/", "/api/v1/notes/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url
    token = Client().post(
        "/api/v1/auth/token/", {"username": "lucia", "password": password}, content_type="application/json"
    )
    assert _no_store(token)  # the key itself
    by_token = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert _no_store(by_token)


def test_static_files_stay_cacheable_and_carry_no_policy(db):
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Content-Security-Policy" not in response


def test_pages_and_the_api_send_a_content_security_policy_without_inline_script(client_for):
    client = client_for("lead")
    for url in ["/", "/accounts/profile/", "/api/v1/me/", "/accounts/login/"]:
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'", url
        assert directives["style-src"] == "'self'", url
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'", url
        assert directives["default-src"] == "'self'" and directives["form-action"] == "'self'", url
    anonymous = Client().get("/accounts/login/")
    assert "script-src 'self'" in anonymous["Content-Security-Policy"]


def test_the_api_docs_load_their_start_up_script_from_a_file(client_for):
    client = client_for("lead")
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)
    policy = page["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self' 'unsafe-inline'" in policy
    start_up = client.get("/api/v1/docs/?script=")
    assert start_up.status_code == 200 and "SwaggerUIBundle" in start_up.content.decode()


def _page_templates() -> list[Path]:
    """Templates served as web pages; e-mails and PDFs are styled inline on purpose and never
    reach a browser as a page of the intranet (the e-mail preview has its own policy)."""
    return [path for path in TEMPLATES.rglob("*.html") if not {"email", "pdf"} & set(path.relative_to(TEMPLATES).parts)]


@pytest.mark.parametrize(
    ("what", "pattern"),
    [
        ("an inline <script>", r"<script\b(?![^>]*\bsrc=)[^>]*>"),
        ("an event-handler attribute", r"\son[a-z]+\s*=\s*[\"']"),
        ("a javascript: URL", r"javascript:"),
        ("a style attribute", r"\sstyle\s*=\s*[\"']"),
        ("a <style> element", r"<style\b"),
    ],
)
def test_no_page_template_holds_what_the_policy_refuses(what, pattern):
    templates = _page_templates()
    assert len(templates) > 20
    offenders = [str(p.relative_to(TEMPLATES)) for p in templates if re.search(pattern, p.read_text(), re.IGNORECASE)]
    assert offenders == [], f"{what} in {offenders}"


def test_the_periodic_task_form_in_django_admin_has_no_inline_script(client_for):
    page = client_for("admin").get("/admin/django_celery_beat/periodictask/add/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "js/periodic-task-form.js" in html
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts)


def test_django_admin_does_not_list_api_keys(client_for, agent):
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=agent).key
    client = client_for("admin")
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert key not in client.get("/admin/").content.decode()
