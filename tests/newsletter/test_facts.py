"""Every fact's number on a constructed week, suppression of small counts, quotes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from insights.models import Theme
from newsletter import services
from newsletter.models import Issue
from tests.factories import ThemeFactory
from tests.newsletter.conftest import TODAY, WEEK, at
from voc import periods
from voc.models import Insight

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(add_notes, plus_ones, theme):
    """Four baseline weeks of 12 notes (2 in the theme, 2 from abroad), then week 45:
    55 notes — 12 in the theme, 5 from abroad (one from a vulnerable customer), 2 lonely,
    5 thanks (+2 "+1"s), 6 caused by us, 3 in Spanish and 2 in Galician."""
    for i in range(1, 5):
        week = WEEK - timedelta(weeks=i)
        add_notes(8, week=week)
        add_notes(2, week=week, theme=theme)
        add_notes(2, week=week, customer_abroad=True, abroad_country="FR")
    add_notes(20)
    add_notes(12, theme=theme)
    add_notes(4, customer_abroad=True, abroad_country="FR", text="I am calling from Lyon and my card was blocked")
    add_notes(2, lonely=True)
    thanks = add_notes(5, kind=Insight.Kind.THANKS, text="Thank you so much, you were very kind to me today")
    plus_ones(thanks[0], 2, day=WEEK + timedelta(days=2))
    add_notes(6, caused_by_us=True, text="You sent me the wrong PIN letter twice this month")
    add_notes(3, language=Insight.Language.SPANISH, text="Quiero saber dónde está mi tarjeta nueva, por favor")
    add_notes(2, language=Insight.Language.GALICIAN, text="Quero saber onde está a miña tarxeta nova")
    add_notes(1, customer_abroad=True, vulnerable=True, text="A private story that must never be quoted anywhere")


def facts_of(issue: Issue) -> dict:
    return {f.key: f for f in issue.facts.all()}


def test_every_fact_of_a_constructed_week_has_its_number_base_and_period(history, theme, agent):
    issue, created = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    assert created and issue.status == Issue.Status.DRAFT and issue.notes_count == 55
    facts = facts_of(issue)

    assert facts["thanks"].number == 7 and facts["thanks"].base == 55
    assert facts["thanks"].data == {"notes": 5, "plus_ones": 2, "usual": 0}

    abroad = facts["abroad"]
    assert (abroad.number, abroad.base, abroad.percent) == (5, 55, 9.1)
    assert abroad.sentence_en == (
        "Did you know… 9.1% of this week's notes (5 of 55) came from customers abroad? In the four weeks before: 16.7%."
    )
    assert (abroad.period_start, abroad.period_end) == (WEEK, WEEK + timedelta(days=6))
    assert (abroad.compare_start, abroad.compare_end) == (WEEK - timedelta(weeks=4), WEEK - timedelta(days=1))
    assert abroad.data == {"countries": [["FR", 4]]}

    assert (facts["caused_by_us"].number, facts["caused_by_us"].percent) == (6, 10.9)
    assert facts["caused_by_us"].quote == "You sent me the wrong PIN letter twice this month"

    biggest = facts["biggest_theme"]
    assert (biggest.number, biggest.data["theme_id"]) == (12, theme.pk)
    assert "“Card not arrived”: 12 mentions, 21.8% of all notes" in biggest.sentence_en

    # The theme heard most is also the fastest riser: one fact about it, not two with one quote.
    assert f"rising:{theme.pk}" not in facts
    quotes = [f.quote for f in facts.values() if f.quote]
    assert len(quotes) == len(set(quotes))

    languages = facts["languages"]
    assert languages.number == 3 and languages.data == {"languages": {"es": 3}}  # Galician (2) is below the threshold

    assert facts["shoutout_thanks"].number == 5 and agent.first_name in facts["shoutout_thanks"].sentence_en
    assert facts["shoutout_theme"].number == 12 and facts["shoutout_theme"].base == 12


def test_counts_below_the_threshold_are_never_published(history):
    facts = facts_of(services.prepare_weekly_issue(week_start=WEEK, today=TODAY)[0])
    assert "lonely" not in facts  # 2 lonely callers < 3
    assert all(f.number >= 3 for f in facts.values())


def test_a_higher_threshold_suppresses_more(history, settings):
    settings.VOC_PUBLISH_THRESHOLD = 6
    facts = facts_of(services.prepare_weekly_issue(week_start=WEEK, today=TODAY)[0])
    assert "abroad" not in facts and "languages" not in facts and "shoutout_thanks" not in facts
    assert facts["caused_by_us"].number == 6


def test_quotes_are_redacted_note_text_and_never_from_vulnerable_customers(history):
    facts = facts_of(services.prepare_weekly_issue(week_start=WEEK, today=TODAY)[0])
    assert facts["abroad"].quote == "I am calling from Lyon and my card was blocked"
    assert not any("must never be quoted" in f.quote for f in facts.values())


def test_a_lonely_callers_words_are_never_quoted(add_notes):
    add_notes(3, kind=Insight.Kind.THANKS, lonely=True, text="Thank you for staying on the line with me so long")
    facts = facts_of(services.prepare_weekly_issue(week_start=WEEK, today=TODAY)[0])
    assert facts["thanks"].number == 3 and facts["thanks"].quote == ""


def test_a_baseline_built_on_fewer_notes_than_the_threshold_is_not_printed(add_notes, theme):
    """Two notes from abroad and two in the theme over the four weeks before: too few to print."""
    for i in (1, 2):
        add_notes(10, week=WEEK - timedelta(weeks=i))
        add_notes(1, week=WEEK - timedelta(weeks=i), customer_abroad=True, theme=theme)
    add_notes(20)
    add_notes(6, customer_abroad=True, theme=theme)
    facts = facts_of(services.prepare_weekly_issue(week_start=WEEK, today=TODAY)[0])
    assert facts["abroad"].number == 6 and "four weeks before" not in facts["abroad"].sentence_en
    assert f"rising:{theme.pk}" not in facts  # the theme heard most: its own fact says so


def test_a_rising_sentence_writes_numbers_the_way_each_language_does(theme):
    from django.utils import translation

    from newsletter.facts import _rising_sentence

    with translation.override("en"):
        assert "against 2.5 a week" in _rising_sentence(theme, 12, 2.5)
        assert _rising_sentence(theme, 6, None).endswith(
            "came up 6 times this week, when it had rarely come up before?"
        )
    with translation.override("es"):
        assert "2,5" in _rising_sentence(theme, 12, 2.5)


def test_withdrawn_notes_do_not_count(history):
    Insight.objects.filter(caused_by_us=True).update(status=Insight.Status.WITHDRAWN, withdrawn_at=at(WEEK))
    issue, _ = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    assert issue.notes_count == 49 and "caused_by_us" not in facts_of(issue)


def test_each_fact_has_a_spanish_sentence(history):
    facts = facts_of(services.prepare_weekly_issue(week_start=WEEK, today=TODAY)[0])
    assert facts["abroad"].sentence_es.startswith("¿Sabías que")
    assert "9,1" in facts["abroad"].sentence_es and "(5 de 55)" in facts["abroad"].sentence_es  # a decimal comma


def test_new_themes_of_the_week_are_announced(add_notes):
    new = ThemeFactory(
        name="App that integrates banking", status=Theme.Status.PROPOSED, created_at=at(WEEK + timedelta(days=3))
    )
    add_notes(4, theme=new)
    facts = facts_of(services.prepare_weekly_issue(week_start=WEEK, today=TODAY)[0])
    assert (
        facts["emerging"].number == 4
        and facts["emerging"].data["themes"] == 1
        and "“App that integrates banking” (4 notes)" in facts["emerging"].sentence_en
    )


def test_a_week_with_nothing_notable_is_recorded_as_skipped(add_notes):
    add_notes(2)
    issue, created = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    assert created and issue.status == Issue.Status.SKIPPED and issue.facts.count() == 0 and issue.notes_count == 2


def test_drafting_twice_keeps_one_issue_and_the_editors_changes(history, lead):
    issue, _ = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    fact = issue.facts.get(key="abroad")
    fact.sentence_en = "Edited by Marta"
    fact.save()
    again, created = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    assert not created and again.pk == issue.pk and Issue.objects.count() == 1
    assert again.facts.get(key="abroad").sentence_en == "Edited by Marta"


@pytest.mark.parametrize("week", [date(2026, 11, 16), date(2026, 11, 23), date(2027, 1, 4)])
def test_a_week_that_has_not_ended_is_refused(week):
    with pytest.raises(services.DomainError, match="has not ended yet"):
        services.prepare_weekly_issue(week_start=week, today=TODAY)
    assert not Issue.objects.exists()


def test_a_week_must_start_on_a_monday():
    with pytest.raises(services.DomainError, match="Monday"):
        services.prepare_weekly_issue(week_start=date(2026, 11, 3), today=TODAY)


@pytest.mark.parametrize("label", ["2026-W54", "W47", "2026-47", "", "2026-W00"])
def test_week_labels_are_parsed_strictly(label):
    with pytest.raises(services.DomainError, match="ISO week"):
        periods.parse_week(label)


def test_a_theme_new_this_week_is_emerging_not_rising(add_notes):
    new = ThemeFactory(name="App that integrates banking", created_at=at(WEEK + timedelta(days=1)))
    add_notes(6, theme=new)
    facts = facts_of(services.prepare_weekly_issue(week_start=WEEK, today=TODAY)[0])
    assert "emerging" in facts and f"rising:{new.pk}" not in facts
