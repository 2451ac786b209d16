import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import InsightFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_lead_searches_from_the_header_on_a_phone(live_server, page: Page, lead, agent, password, tmp_path):
    InsightFactory(agent=agent, text="Card <b>swallowed</b> by the cash machine in Vigo")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("marta")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("search").first.get_by_role("searchbox").fill("swallowed")
    page.get_by_role("search").first.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=swallowed"))
    expect(page.locator("mark").first).to_have_text("swallowed")
    expect(page.get_by_role("main")).to_contain_text("<b>swallowed</b>")  # shown as text, not markup
    expect(page.get_by_role("link", name="More like this")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.screenshot(path=str(tmp_path / "search-phone.png"), full_page=True)
