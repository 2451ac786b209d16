"""In a real browser the Content-Security-Policy refuses nothing the pages need."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _watch_for_refusals(page: Page) -> list[str]:
    refusals: list[str] = []
    page.on(
        "console",
        lambda message: refusals.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return refusals


def test_signed_in_pages_and_the_api_docs_run_under_the_policy(live_server, page: Page, lead, password):
    refusals = _watch_for_refusals(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(lead.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    # app.js ran (it marks the page) although the policy allows no inline script.
    expect(page.locator("html.js")).to_have_count(1)
    for path in ["/notes/new/", "/listening/", "/accounts/profile/", "/accounts/tokens/", "/notes/"]:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main")).to_be_visible()
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible(timeout=15000)
    assert refusals == []


def test_the_periodic_task_form_in_django_admin_still_explains_crontabs(live_server, page: Page, admin_user, password):
    from django_celery_beat.models import CrontabSchedule

    crontab = CrontabSchedule.objects.create(minute="30", hour="3")
    refusals = _watch_for_refusals(page)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/django_celery_beat/periodictask/add/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.locator("#id_crontab").select_option(str(crontab.pk))
    expect(page.locator(".field-crontab .help")).to_contain_text("Translation:")
    assert refusals == []
