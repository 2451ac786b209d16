from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from insights.actions import effect, services
from insights.models import Action, Assignment, QuestionMatch
from insights.questions import services as questions
from tests.factories import ThemeFactory
from tests.insights.conftest import direction
from voc.notes import services as notes

pytestmark = pytest.mark.django_db

DONE = date(2026, 11, 4)  # a Wednesday: the week of 2 November
TODAY = date(2026, 12, 7)  # a Monday: the four whole weeks after it have passed


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 11))


@pytest.fixture
def theme():
    return ThemeFactory(name="Card not arrived")


@pytest.fixture
def series(theme, note_at):
    """``series(before=[..4 weeks], after=[..4 weeks])``: that many notes in the theme each week
    around the week of DONE."""

    def make(before: list[int], after: list[int]) -> None:
        monday = DONE - timedelta(days=DONE.weekday())
        for offset, count in zip(range(-4, 0), before, strict=True):
            for i in range(count):
                _in(
                    theme,
                    note_at(f"card late {offset} {i}", direction(1), occurred_at=at(monday + timedelta(weeks=offset))),
                )
        for offset, count in zip(range(1, 5), after, strict=True):
            for i in range(count):
                _in(
                    theme,
                    note_at(f"card late +{offset} {i}", direction(1), occurred_at=at(monday + timedelta(weeks=offset))),
                )

    return make


def _in(theme, note):
    Assignment.objects.create(note=note, theme=theme, method=Assignment.Method.AUTO)


@pytest.fixture
def action(hq, theme):
    return services.record_action(by=hq, title="New courier for cards", themes=[theme], status="done", done_on=DONE)


def test_a_fall_is_worded_with_both_weekly_rates_and_the_period(series, action):
    series(before=[40, 42, 41, 41], after=[14, 12, 11, 11])
    result = effect.measure(action=action, today=TODAY)
    assert (result.before_n, result.after_n) == (164, 48)
    assert result.sentence == "Fell from 41 to 12 a week in the 4 weeks after."
    assert result.before_period == (date(2026, 10, 5), date(2026, 11, 1))
    assert result.after_period == (date(2026, 11, 9), date(2026, 12, 6))


def test_a_rise(series, action):
    series(before=[10, 10, 10, 10], after=[20, 20, 20, 20])
    assert effect.measure(action=action, today=TODAY).sentence == "Rose from 10 to 20 a week in the 4 weeks after."


def test_about_the_same_shows_both_rates(series, action):
    series(before=[41, 41, 41, 41], after=[39, 39, 39, 39])
    assert effect.measure(action=action, today=TODAY).sentence == "About the same in the 4 weeks after: 41 → 39 a week."


def test_too_early_when_no_whole_week_after_has_passed(series, action):
    series(before=[5, 5, 5, 5], after=[0, 0, 0, 0])
    result = effect.measure(action=action, today=DONE + timedelta(days=3))
    assert result.after_period is None
    assert result.sentence == "Too early to tell: done 3 days ago; the first whole week after is not over yet."


def test_so_far_when_only_some_weeks_after_have_passed(series, action):
    series(before=[8, 8, 8, 8], after=[2, 2, 0, 0])
    result = effect.measure(action=action, today=DONE + timedelta(days=19))
    assert len(result.after) == 2
    assert result.sentence == "Fell from 8 to 2 a week in the 2 weeks after, so far."


def test_too_few_notes_to_say_below_the_publication_threshold(series, action):
    series(before=[1, 0, 1, 0], after=[0, 0, 1, 0])
    result = effect.measure(action=action, today=TODAY)
    assert not result.published
    assert result.sentence.startswith("Too few notes to say")


def test_a_note_in_a_theme_and_a_question_counts_once_and_plus_ones_on_the_question_count(
    hq, theme, note_at, make_question, agent, time_machine
):
    question = make_question("Why has my card not arrived?", direction(1))
    monday = DONE - timedelta(days=DONE.weekday())
    time_machine.move_to(at(monday - timedelta(weeks=1)), tick=False)
    both = [
        note_at(f"card never came {i}", direction(1), occurred_at=at(monday - timedelta(weeks=1))) for i in range(3)
    ]
    for note in both:
        _in(theme, note)
    questions.match_notes(note_ids=[n.pk for n in both])
    questions.hear_question(question=question, agent=agent, channel="phone")
    withdrawn = note_at("card never came, withdrawn", direction(1), occurred_at=at(monday - timedelta(weeks=1)))
    _in(theme, withdrawn)
    notes.withdraw_notes(notes=[withdrawn], by=agent)
    time_machine.move_to(at(TODAY), tick=False)
    action = services.record_action(
        by=hq, title="Courier", themes=[theme], questions=[question], status="done", done_on=DONE
    )
    assert QuestionMatch.objects.filter(state="matched").count() == 3
    assert effect.measure(action=action, today=TODAY).before == [0, 0, 0, 4]


def test_only_done_actions_have_an_effect(hq, theme):
    planned = services.record_action(by=hq, title="Courier", themes=[theme])
    assert effect.measure(action=planned) is None
    assert planned.status == Action.Status.PLANNED


def test_the_newsletter_says_what_was_done_and_then_what_it_changed(series, action):
    from newsletter.facts import Week, you_said_we_did

    series(before=[40, 42, 41, 41], after=[14, 12, 11, 11])
    monday = DONE - timedelta(days=DONE.weekday())
    (done_week,) = you_said_we_did(Week(monday))
    assert done_week.number == 164
    assert done_week.sentences()["en"] == (
        "You said it (164 customers in the four weeks before); Marketing did this: New courier for cards."
    )
    (measured_week,) = you_said_we_did(Week(monday + timedelta(weeks=4)))
    assert measured_week.sentences()["en"].endswith("Fell from 41 to 12 a week in the 4 weeks after.")
    assert measured_week.sentences()["es"].endswith("Bajó de 41 a 12 por semana en las 4 semanas siguientes.")
    assert list(you_said_we_did(Week(monday + timedelta(weeks=2)))) == []


def test_the_monthly_pack_lists_the_months_done_actions_with_their_effect(series, action):
    from newsletter.month import Month
    from newsletter.pack import actions

    series(before=[40, 42, 41, 41], after=[14, 12, 11, 11])
    section = actions(Month(date(2026, 11, 1)))
    (row,) = section.data["rows"]
    assert row["action"] == action
    assert row["effect"].before_n == 164


def test_a_change_that_chance_alone_explains_reads_about_the_same(series, action):
    series(before=[8, 8, 8, 8], after=[10, 10, 10, 10])  # +25 %, but 32 against 40 customers
    assert effect.by_chance(before_n=32, before_weeks=4, after_n=40, after_weeks=4) > effect.CHANCE
    assert effect.measure(action=action, today=TODAY).sentence == "About the same in the 4 weeks after: 8 → 10 a week."


def test_the_chance_of_a_large_fall_is_tiny():
    assert effect.by_chance(before_n=164, before_weeks=4, after_n=48, after_weeks=4) < 1e-10


def test_rates_are_written_the_way_each_language_writes_numbers(series, action):
    from django.utils import translation

    series(before=[6, 6, 6, 6], after=[6, 6, 5, 6])  # 5.75 a week after
    with translation.override("es"):
        sentence = effect.measure(action=action, today=TODAY).sentence
    assert "6 → 5,8" in sentence and "5.8" not in sentence
