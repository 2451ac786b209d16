"""The loop in a real browser: head office asks, agents count toward it from the quick form,
the counter moves."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

APP = "Will you launch an app that integrates banking?"


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_head_office_asks_an_agent_plus_ones_it_from_the_quick_form_on_a_phone_and_the_counter_moves(
    live_server, browser: Browser, hq, agent, password, tmp_path
):
    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(desk, live_server.url, "elena", password)
    desk.goto(f"{live_server.url}/questions/new/")
    desk.get_by_label("Question (English)").fill(APP)
    desk.get_by_role("button", name="Ask").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(APP)
    counts = desk.get_by_role("region", name="Customers who asked")
    expect(counts.locator("dd").first).to_have_text("0")
    question_url = desk.url

    phone = browser.new_page(viewport={"width": 390, "height": 800})
    sign_in(phone, live_server.url, "lucia", password)
    phone.goto(f"{live_server.url}/notes/new/")
    phone.get_by_label(re.compile("What did the customer say")).type("Customer wants one app that integrates banking")
    plus_one = phone.locator("[data-suggestions]").get_by_role("button", name="+1 heard this too")
    expect(plus_one).to_be_visible()
    expect(phone.locator("[data-suggestions]")).to_contain_text(APP)
    expect(plus_one).to_be_in_viewport()  # under the text box, in sight while typing on a phone
    plus_one.focus()
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("status")).to_contain_text("Counted: +1.")
    expect(plus_one).to_be_disabled()
    phone.screenshot(path=str(tmp_path / "capture-suggestion-phone.png"), full_page=True)

    desk.goto(question_url)
    expect(desk.get_by_role("region", name="Customers who asked").locator("dd").first).to_have_text("1")
