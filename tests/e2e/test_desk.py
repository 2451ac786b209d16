"""Each role's home page and a dashboard drill-down in a real browser, at a desk (1280 px) and on
a phone (390 px): the to-dos are there with their badges, nothing scrolls sideways, and a bar of
a chart opens the notes behind it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.e2e.test_loop import sign_in
from tests.factories import ComplaintCaseFactory, ComplaintFactory, InsightFactory, IssueFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)


@pytest.fixture
def desk_data(agent, lead, executive, hq, admin_user):
    for i in range(6):
        InsightFactory(
            agent=agent, kind="complaint" if i % 2 else "want", occurred_at=timezone.now() - timedelta(days=i)
        )
    IssueFactory()  # last week's draft, for the lead
    ComplaintCaseFactory(
        executive=executive,
        buddy=lead,
        note=ComplaintFactory(agent=agent),
        acknowledge_by=timezone.now() - timedelta(hours=2),
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("lucia", "Log what a customer tells you"),
        ("marta", "Review the newsletter of week"),
        ("ana", "Acknowledge your complaint of the month"),
        ("elena", "What you follow"),
        ("ada", "No worker has reported yet"),
    ],
)
def test_each_home_page_lists_what_waits_without_sideways_scrolling(
    live_server, browser: Browser, desk_data, password, username, expected, width
):
    page = browser.new_page(viewport={"width": width, "height": 900})
    sign_in(page, live_server.url, username, password)
    expect(page.locator(".desk")).to_contain_text(expected)
    if username == "ana":
        expect(page.locator(".desk .badge.overdue").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_a_dashboard_bar_opens_the_notes_behind_it(live_server, browser: Browser, desk_data, password, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    sign_in(page, live_server.url, "marta", password)
    page.goto(f"{live_server.url}/dashboard/?period=last_90_days")
    expect(page.get_by_role("heading", name="Notes by kind")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    chart = (
        page.locator("#kinds-title")
        .locator("xpath=..")
        .locator(".chart-narrow svg a" if width < 640 else ".chart-wide svg a")
    )
    chart.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notes behind the figure")
    kinds = page.locator(".note-meta .tag").all_inner_texts()
    assert kinds and len(set(kinds)) == 1  # one kind: the bar's
    assert page.evaluate("document.documentElement.scrollWidth") <= width
