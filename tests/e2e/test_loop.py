"""The loop in a real browser, head office at a desk and an agent on a phone: head office asks and
follows, the agent counts toward it from the quick form, an alert arrives, head office acts, the
agent hears back."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from insights.following import alerts
from insights.models import NoteVector
from insights.questions import matcher
from insights.questions import services as question_services
from insights.questions.models import Question
from tests.insights.conftest import direction
from voc.notes import services as note_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

APP = "Will you launch an app that integrates banking?"


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_the_loop_hq_asks_and_follows_an_agent_plus_ones_an_alert_arrives_hq_acts_the_agent_hears_back(
    live_server, browser: Browser, hq, agent, colleague, lead, password, tmp_path
):
    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(desk, live_server.url, "elena", password)
    desk.goto(f"{live_server.url}/questions/new/")
    desk.get_by_role("button", name="Ask").click()  # nothing typed: the errors come back first
    expect(desk.locator(".error-summary")).to_be_focused()
    desk.get_by_label("Question (English)").fill(APP)
    desk.get_by_role("button", name="Ask").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(APP)
    counts = desk.get_by_role("region", name="Customers who asked")
    expect(counts.locator("dd").first).to_have_text("0")
    question_url = desk.url
    desk.get_by_role("button", name="Follow").click()
    expect(desk.locator(".messages")).to_contain_text("Followed")

    # What the worker does after commit (embedding the question), and five colleagues' notes
    # that ask it within the hour, matched as they are embedded.
    question = Question.objects.get()
    question.vector = matcher.unit(direction(0)).tobytes()
    question.encoder = settings.VOC_ENCODER
    question_services.refit(question=question)
    made = []
    for i in range(5):
        note, _ = note_services.record_note(
            agent=colleague, kind="question", text=f"Asked if the app will show other banks, call {i}", channel="phone"
        )
        NoteVector.objects.create(note=note, encoder="test", vector=direction(0).tobytes())
        made.append(note)
    question_services.match_notes(note_ids=[n.pk for n in made])

    phone = browser.new_page(viewport={"width": 390, "height": 800})
    sign_in(phone, live_server.url, "lucia", password)
    phone.goto(f"{live_server.url}/notes/new/")
    phone.get_by_label(re.compile("What did the customer say")).type("Customer wants one app that integrates banking")
    offered = phone.locator("[data-suggestions] li", has_text=APP)
    plus_one = offered.get_by_role("button")
    expect(plus_one).to_have_text("+1 heard this too")
    expect(offered).to_contain_text("5 customers in 30 days")
    expect(plus_one).to_be_in_viewport()  # under the text box, in sight while typing on a phone
    plus_one.focus()
    phone.keyboard.press("Enter")
    expect(phone.locator("[data-suggestion-status]")).to_contain_text("Counted: +1.")
    expect(plus_one).to_have_attribute("aria-disabled", "true")
    expect(plus_one).to_be_focused()  # the keyboard stays where it was
    expect(offered).to_contain_text("6 customers in 30 days")
    phone.keyboard.press("Enter")  # counted once, however often pressed
    phone.screenshot(path=str(tmp_path / "capture-suggestion-phone.png"), full_page=True)

    desk.goto(question_url)
    expect(desk.get_by_role("region", name="Customers who asked").locator("dd").first).to_have_text("6")

    alerts.run_alerts()  # as beat does every 15 minutes
    desk.reload()
    desk.get_by_role("link", name=re.compile("Notifications")).click()
    expect(desk.get_by_role("main")).to_contain_text("6 notes in the last 60 minutes")

    desk.goto(f"{live_server.url}/actions/new/")
    desk.get_by_label("What was done").fill("Multi-bank view announced for spring")
    desk.get_by_label("Status").select_option("done")
    desk.get_by_label(APP).check()
    desk.get_by_role("button", name="Save").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Multi-bank view announced for spring")
    desk.screenshot(path=str(tmp_path / "action-desk.png"), full_page=True)

    phone.goto(f"{live_server.url}/what-happened/")
    expect(phone.get_by_role("main")).to_contain_text("Multi-bank view announced for spring")
    phone.screenshot(path=str(tmp_path / "what-happened-phone.png"), full_page=True)
