"""In a real browser at a desk and on a phone: the quick note form by keyboard alone, with its
live preview and the "+1" panel in sight while typing; the newsletter editor (move a fact,
the stale translation marks); and no main page scrolls sideways at 390 px."""

import re

import pytest
from playwright.sync_api import Browser, expect

from newsletter import services as newsletter
from tests.e2e.test_loop import sign_in
from tests.factories import InsightFactory
from tests.newsletter.conftest import TODAY, WEEK
from voc.models import Insight

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_agent_logs_a_note_by_keyboard_with_a_live_preview(live_server, browser: Browser, agent, password, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    sign_in(page, live_server.url, "lucia", password)
    page.goto(f"{live_server.url}/notes/new/")
    box = page.get_by_label(re.compile("What did the customer say"))
    box.focus()
    page.keyboard.type("Wants to change her card PIN, write to rosa@example.com")
    preview = page.locator("[data-preview-text]")
    expect(preview).to_contain_text("[EMAIL]")
    expect(preview).to_be_in_viewport()  # seen while typing, on a phone too
    assert "rosa@example.com" not in preview.inner_text()
    page.keyboard.press("Enter")  # Enter saves; Shift+Enter would be a new line
    expect(page.locator(".messages")).to_contain_text("Personal data was removed")
    note = Insight.objects.get()
    assert "[EMAIL]" in note.text and "rosa@" not in note.text
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_similar_notes_with_plus_one_show_under_the_text_box(
    live_server, browser: Browser, agent, colleague, password, width, monkeypatch
):
    from voc.notes import views

    earlier = InsightFactory(agent=colleague, text="My card never arrived by post")
    monkeypatch.setattr(
        views, "similar_notes", lambda text, viewer: [type("S", (), {"note": earlier, "tallies": 0, "score": 0.9})()]
    )
    page = browser.new_page(viewport={"width": width, "height": 800})
    sign_in(page, live_server.url, "lucia", password)
    page.goto(f"{live_server.url}/notes/new/")
    page.get_by_label(re.compile("What did the customer say")).type("My card has not arrived")
    similar = page.locator("[data-similar]")
    expect(similar).to_contain_text("My card never arrived by post")
    expect(similar.locator("li").first).to_be_in_viewport()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_newsletter_editor_moves_a_fact_and_flags_a_stale_translation(
    live_server, browser: Browser, agent, lead, password, width
):
    from tests.newsletter.conftest import at

    for i in range(6):
        InsightFactory(agent=agent, caused_by_us=True, occurred_at=at(WEEK), text=f"You charged me twice {i} times")
    for i in range(4):
        InsightFactory(
            agent=agent, customer_abroad=True, occurred_at=at(WEEK), text=f"Calling from Lyon, card blocked {i}"
        )
    issue, _ = newsletter.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    first, second = list(issue.facts.order_by("position", "id"))[:2]
    page = browser.new_page(viewport={"width": width, "height": 900})
    sign_in(page, live_server.url, "marta", password)
    page.goto(f"{live_server.url}/newsletters/{issue.pk}/edit/")
    facts = page.locator("[data-fact]")
    facts.nth(1).get_by_role("button", name="Move up").click()
    english = facts.first.locator("textarea[name$='sentence_en']")
    expect(english).to_have_value(second.sentence_en)
    english.fill(second.sentence_en + " Really.")
    expect(facts.first.locator("[data-stale-note]")).to_be_visible()
    expect(facts.first.locator("textarea[name$='sentence_es']")).to_have_class(re.compile(r"\bstale\b"))
    expect(facts.first.locator("textarea[name$='sentence_gl']")).to_have_class(re.compile(r"\bstale\b"))
    expect(english).not_to_have_class(re.compile(r"\bstale\b"))
    facts.first.get_by_label("The translations still say the same").check()
    page.get_by_role("button", name="Save review").first.click()
    expect(page.locator(".messages")).to_contain_text("The issue is reviewed")
    reordered = list(issue.facts.order_by("position", "id"))
    assert reordered[0].pk == second.pk and reordered[1].pk == first.pk
    assert reordered[0].sentence_en.endswith("Really.")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("lucia", "/"),
        ("lucia", "/notes/new/"),
        ("lucia", "/notes/mine/"),
        ("lucia", "/what-happened/"),
        ("marta", "/notes/"),
        ("marta", "/themes/"),
        ("marta", "/questions/"),
        ("marta", "/newsletters/"),
        ("elena", "/dashboard/"),
        ("elena", "/following/"),
        ("elena", "/actions/"),
        ("ana", "/cases/"),
    ],
)
def test_main_pages_do_not_scroll_sideways_on_a_phone(live_server, browser: Browser, cast, password, username, path):
    InsightFactory(agent=cast["agent"], text="A long note " * 20)
    page = browser.new_page(viewport={"width": 390, "height": 800})
    sign_in(page, live_server.url, username, password)
    page.goto(f"{live_server.url}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, path


def test_a_plus_one_after_the_session_ended_says_it_was_not_counted(
    live_server, browser: Browser, agent, hq, password, monkeypatch
):
    from insights.questions.models import Question, QuestionMatch
    from voc.notes import views

    question = Question.objects.create(text="Will you launch an app that integrates banking?", asked_by=hq)
    offered = {"kind": "question", "kind_label": "Question", "id": question.pk, "text": question.text, "meta": "",
               "plus_one_url": f"/questions/{question.pk}/heard/"}  # fmt: skip
    monkeypatch.setattr(views, "suggestions", lambda text, viewer: [offered])
    page = browser.new_page(viewport={"width": 390, "height": 800})
    sign_in(page, live_server.url, "lucia", password)
    page.goto(f"{live_server.url}/notes/new/")
    page.get_by_label(re.compile("What did the customer say")).type("Wants one app for every bank")
    plus_one = page.locator("[data-suggestions] [data-plus-one]")
    expect(plus_one).to_be_visible()
    page.context.clear_cookies()  # the session ends while the form is open
    plus_one.click()
    expect(page.locator("[data-suggestion-status]")).to_contain_text("Not counted")
    expect(plus_one).to_have_text("+1 heard this too")
    assert not QuestionMatch.objects.exists()
