"""The monthly pack's figures, checked exactly on a constructed October against September."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pytest
from django.utils import timezone

from insights.models import Assignment, NoteVector, Theme
from newsletter import pack
from newsletter.models import Fact, Issue
from tests.factories import IssueFactory, ThemeFactory
from tests.newsletter.conftest import at
from voc.models import Insight
from voc.notes import services

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)
CARDS_TEXT = "My new card has still not arrived after two weeks of waiting"
APP_TEXT = "Will you launch an app that shows my accounts at other banks too?"
PRIVATE_TEXT = "A private story about my card that must never be quoted anywhere"


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.VOC_PUBLISH_THRESHOLD = 3


@pytest.fixture
def on(add_notes):
    """``on(day, n, **fields)``: ``n`` notes at 10:00 on ``day``."""

    def add(day: date, n: int, **fields) -> list[Insight]:
        return add_notes(n, week=day - timedelta(days=1), **fields)

    return add


@pytest.fixture
def themes(db) -> dict[str, Theme]:
    return {
        "cards": ThemeFactory(name="Card not arrived"),
        "app": ThemeFactory(name="App with other banks"),
        "branch": ThemeFactory(name="Branch closing"),
        "proposal": ThemeFactory(name="machine proposal", status=Theme.Status.PROPOSED),
    }


@pytest.fixture
def month(on, themes, plus_ones, other_site_agent):
    """September: 20 notes (6 cards, 4 thanks, 2 complaints, 8 other needs), all in the week of
    14 September. October: 37 notes —
    week of 5 Oct: 12 cards (+2 "+1"s) and 1 cards note from a vulnerable customer;
    week of 12 Oct: 8 questions about the app, 2 notes about the branch (below the threshold);
    week of 19 Oct: 5 thanks, 3 complaints caused by us, 4 from abroad in Spanish (Manchester);
    27 Oct: 2 lonely callers (below the threshold); 00:30 on 1 Oct and 23:30 on 31 Oct (local
    time, one in a proposed theme): 2 needs at the edges. Outside: 00:30 on 1 November, and a
    withdrawn note."""
    on(date(2026, 9, 15), 6, theme=themes["cards"], text=CARDS_TEXT)
    on(date(2026, 9, 16), 4, kind=Insight.Kind.THANKS, text="Thank you, the agent was very kind to me")
    on(date(2026, 9, 16), 2, kind=Insight.Kind.COMPLAINT, text="I want to complain about the fees")
    on(date(2026, 9, 17), 8)
    cards = on(date(2026, 10, 6), 12, theme=themes["cards"], text=CARDS_TEXT)
    plus_ones(cards[0], 2, day=date(2026, 10, 7))
    on(date(2026, 10, 8), 1, theme=themes["cards"], vulnerable=True, text=PRIVATE_TEXT)
    on(date(2026, 10, 13), 8, theme=themes["app"], kind=Insight.Kind.QUESTION, text=APP_TEXT)
    on(date(2026, 10, 14), 2, theme=themes["branch"], text="Why are you closing the branch in my town?")
    on(date(2026, 10, 20), 5, kind=Insight.Kind.THANKS, text="Thanks for sorting out my mortgage so fast")
    on(date(2026, 10, 21), 3, kind=Insight.Kind.COMPLAINT, caused_by_us=True, text="You charged me twice again")
    on(
        date(2026, 10, 22),
        4,
        agent=other_site_agent,
        customer_abroad=True,
        language=Insight.Language.SPANISH,
        text="Estoy en Francia y la tarjeta no funciona en los cajeros",
    )
    on(date(2026, 10, 27), 2, lonely=True, text="I just wanted to talk to someone today")
    late = on(date(2026, 10, 31), 1, theme=themes["proposal"], text="Something the machine grouped by itself")
    Insight.objects.filter(pk=late[0].pk).update(occurred_at=local(date(2026, 10, 31), time(23, 30)))
    for day in (date(2026, 10, 1), date(2026, 11, 1)):
        note = on(day, 1, text="Just at the edge of the month")[0]
        Insight.objects.filter(pk=note.pk).update(occurred_at=local(day, time(0, 30)))
    on(date(2026, 10, 9), 1, status=Insight.Status.WITHDRAWN, withdrawn_at=at(date(2026, 10, 10)))


def local(day: date, when: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, when))


def sections(figures: dict) -> dict[str, dict]:
    return {section.key: section.data for section in figures["sections"]}


def by_key(rows: list[pack.Row]) -> dict[str, pack.Row]:
    return {row.key: row for row in rows}


def test_key_figures_compare_the_month_with_the_previous_one_and_hide_small_counts(month):
    figures = pack.month_figures(OCTOBER)
    assert figures["notes"] == 39  # local time decides: 00:30 on 1 Oct is in, 00:30 on 1 Nov is out
    assert (figures["month"], figures["last_day"], figures["previous_month"]) == (
        OCTOBER,
        date(2026, 10, 31),
        date(2026, 9, 1),
    )
    rows = by_key(figures["key_figures"])
    assert set(rows) == {"notes", "thanks", "complaints", "abroad", "caused"}  # 2 lonely: not published
    notes = rows["notes"]
    assert (notes.count, notes.previous, notes.change, notes.share) == (39, 20, 0.95, None)
    assert (rows["thanks"].count, rows["thanks"].previous, rows["thanks"].change_percent) == (5, 4, 25)
    assert rows["thanks"].share == 12.8
    complaints = rows["complaints"]  # 2 in September: below the threshold, so not compared
    assert (complaints.count, complaints.previous, complaints.change) == (3, None, None)
    assert complaints.previous_hidden
    assert (rows["abroad"].count, rows["abroad"].previous, rows["abroad"].previous_hidden) == (4, None, False)
    assert (rows["caused"].count, rows["caused"].share) == (3, 7.7)


def test_notes_by_kind_site_and_language_omit_rows_below_the_threshold(month):
    groups = {g["key"]: by_key(g["rows"]) for g in sections(pack.month_figures(OCTOBER))["breakdown"]["groups"]}
    kinds = groups["kind"]
    assert {k: r.count for k, r in kinds.items()} == {"need": 23, "question": 8, "thanks": 5, "complaint": 3}
    assert (kinds["need"].previous, kinds["complaint"].previous_hidden) == (14, True)
    sites = {r.label: r.count for r in groups["site_id"].values()}
    assert sites == {"Madrid": 35, "Manchester": 4}
    assert {k: r.count for k, r in groups["language"].items()} == {"en": 35, "es": 4}
    assert groups["language"]["es"].label == "Spanish"


def test_weekly_totals_cover_the_twelve_whole_weeks_ending_inside_the_month(month):
    overview = sections(pack.month_figures(OCTOBER))["overview"]
    assert overview["weeks"][0] == date(2026, 8, 3) and overview["weeks"][-1] == date(2026, 10, 19)
    # The week of 28 September holds one note (1 October): below the threshold, drawn as 0.
    assert overview["weekly"] == [0, 0, 0, 0, 0, 0, 20, 0, 0, 13, 10, 12]
    assert "<svg" in overview["chart"] and "Source Sans 3" in overview["chart"]


def test_top_themes_count_mentions_with_plus_ones_and_leave_out_small_and_proposed_themes(month, themes):
    top = sections(pack.month_figures(OCTOBER))["top_themes"]["rows"]
    assert [r.label for r in top] == ["Card not arrived", "App with other banks"]
    cards, app = top
    assert (cards.count, cards.previous, cards.change_percent) == (15, 6, 150)
    assert cards.series == [0, 0, 0, 0, 0, 0, 6, 0, 0, 15, 0, 0]
    assert "<svg" in cards.sparkline
    assert (app.count, app.previous, app.change, app.previous_hidden) == (8, None, None, False)


def test_rising_themes_need_a_minimum_count_and_clear_growth(month, settings):
    rising = sections(pack.month_figures(OCTOBER))["rising"]["rows"]
    assert [(r.label, r.count, r.previous) for r in rising] == [
        ("Card not arrived", 15, 6),
        ("App with other banks", 8, None),
    ]
    settings.VOC_PUBLISH_THRESHOLD = 9  # now only the cards theme is published at all
    figures = pack.month_figures(OCTOBER)
    assert [r.label for r in sections(figures)["rising"]["rows"]] == ["Card not arrived"]
    assert "questions" not in sections(figures)


def test_verbatims_are_redacted_text_of_the_top_themes_and_never_from_vulnerable_customers(month, themes, agent):
    card, _ = services.record_note(
        agent=agent,
        kind=Insight.Kind.NEED,
        channel=Insight.Channel.PHONE,
        text="My card number 4111 1111 1111 1111 has not come yet",
        occurred_at=at(date(2026, 10, 7)),
    )
    Assignment.objects.create(note=card, theme=themes["cards"], method=Assignment.Method.PERSON)
    groups = sections(pack.month_figures(OCTOBER))["verbatims"]["groups"]
    assert [g["theme"] for g in groups] == ["Card not arrived", "App with other banks"]
    texts = [q.text for g in groups for q in g["quotes"]]
    assert PRIVATE_TEXT not in texts
    assert CARDS_TEXT in texts and APP_TEXT in texts
    assert any(text.startswith("My card number") for text in texts)
    assert not any("4111" in text for text in texts)
    quote = groups[1]["quotes"][0]
    assert (quote.kind, quote.site, quote.language) == ("Question", "Madrid", "English")
    assert quote.occurred_on == date(2026, 10, 13)


def test_questions_customers_asked_are_grouped_by_theme(month):
    lines = sections(pack.month_figures(OCTOBER))["questions"]["lines"]
    assert lines == [{"theme": "App with other banks", "count": 8, "example": APP_TEXT}]


def test_the_months_sent_issues_bring_their_included_facts_only(month):
    def issue(monday: date, status: str) -> Issue:
        now = timezone.now()
        sent = {"sent_at": now} if status == Issue.Status.SENT else {}
        made = IssueFactory(week_start=monday, status=status, approved_at=now, **sent)
        for position, included in enumerate((True, False)):
            Fact.objects.create(
                issue=made,
                key=f"k{position}",
                position=position,
                included=included,
                number=9,
                base=40,
                period_start=monday,
                period_end=monday + timedelta(days=6),
                sentence_en=f"{made.label} fact {position}",
                sentence_es=f"{made.label} dato {position}",
            )
        return made

    issue(date(2026, 9, 28), Issue.Status.SENT)  # starts in September
    shown = issue(date(2026, 10, 5), Issue.Status.SENT)
    issue(date(2026, 10, 12), Issue.Status.APPROVED)
    entries = sections(pack.month_figures(OCTOBER))["newsletters"]["issues"]
    assert [e["issue"].pk for e in entries] == [shown.pk]
    assert [f.sentence() for f in entries[0]["facts"]] == ["2026-W41 fact 0"]


def test_a_quiet_month_has_no_sections_and_publishes_nothing(on):
    on(date(2026, 10, 6), 2)
    figures = pack.month_figures(OCTOBER)
    assert (figures["notes"], figures["key_figures"], figures["sections"]) == (0, [], [])


def test_sections_come_in_registry_order_each_with_its_template(month):
    figures = pack.month_figures(OCTOBER)
    keys = [s.key for s in figures["sections"]]
    assert keys == ["overview", "breakdown", "top_themes", "rising", "verbatims", "questions"]
    assert figures["sections"][2].template == "newsletter/pdf/sections/top_themes.html"


def test_the_figures_take_a_fixed_number_of_queries_whatever_the_number_of_notes(
    month, on, themes, django_assert_max_num_queries
):
    on(date(2026, 10, 7), 200, theme=themes["cards"])
    with django_assert_max_num_queries(25):
        pack.month_figures(OCTOBER)


def test_typical_quotes_chosen_by_vectors_still_skip_vulnerable_customers(month, themes):
    """With vectors, the quote nearest the theme's centre wins, unless its customer is vulnerable."""
    cards = Insight.objects.filter(assignment__theme=themes["cards"], occurred_at__month=10)
    for note in cards:
        vector = np.zeros(4, dtype=np.float32)
        vector[0 if note.vulnerable else 1] = 1.0  # the vulnerable note alone sits apart...
        NoteVector.objects.create(note=note, encoder="test", vector=vector.tobytes())
    Insight.objects.filter(vulnerable=True).update(vulnerable=False)  # ...and is quoted once it may be
    quoted = sections(pack.month_figures(OCTOBER))["verbatims"]["groups"][0]["quotes"]
    assert [q.text for q in quoted][:1] == [CARDS_TEXT]
    assert PRIVATE_TEXT in [q.text for q in quoted]
    Insight.objects.filter(text=PRIVATE_TEXT).update(vulnerable=True)
    quoted = sections(pack.month_figures(OCTOBER))["verbatims"]["groups"][0]["quotes"]
    assert PRIVATE_TEXT not in [q.text for q in quoted]
