import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_signs_in_with_the_keyboard_and_switches_to_spanish(
    live_server, page: Page, agent, password, tmp_path
):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("lucia")
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    # On a phone the menu is behind a button that says whether it is open.
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")).to_be_visible()
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hola")
    page.screenshot(path=str(tmp_path / "home-es-phone.png"), full_page=True)


def test_a_wrong_password_keeps_what_was_typed(live_server, page: Page, agent):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lucia")
    page.get_by_label("Password").fill("not-it")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_value("lucia")
