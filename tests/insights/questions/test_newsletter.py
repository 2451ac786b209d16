from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone, translation

from insights.questions import services
from newsletter.facts import Week, questions
from newsletter.month import Month
from newsletter.pack import asked
from tests.insights.questions.conftest import direction

pytestmark = pytest.mark.django_db

WEEK = date(2026, 11, 23)  # a Monday


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def asked_question(make_question, note_at):
    """Asked 12 times in the four weeks to WEEK's Sunday, 5 of them in WEEK; once before."""
    question = make_question(
        "Will you launch an app that integrates banking?", direction(0), text_es="¿Lanzaréis una app con la banca?"
    )
    days = [WEEK + timedelta(days=i % 5) for i in range(5)] + [WEEK - timedelta(days=3 + i) for i in range(7)]
    days.append(WEEK - timedelta(days=40))
    made = [
        note_at(f"Customer wants to know if there will be a banking app, call {i}", direction(0), occurred_at=at(d))
        for i, d in enumerate(days)
    ]
    services.match_notes(note_ids=[n.pk for n in made])
    return question


def test_the_newsletter_counts_a_question_in_its_own_words_in_each_language(asked_question):
    (draft,) = questions(Week(WEEK))
    assert (draft.number, draft.data["week"]) == (12, 5)
    sentences = draft.sentences()
    assert sentences["en"] == (
        "Did you know… 12 customers asked “Will you launch an app that integrates banking” in the last four weeks? "
        "5 of them this week."
    )
    assert "¿Lanzaréis una app con la banca" not in sentences["es"]  # no doubled question marks
    assert "Lanzaréis una app con la banca" in sentences["es"]
    assert draft.quote is not None


def test_a_question_asked_fewer_times_than_the_threshold_is_not_published(make_question, note_at):
    question = make_question("Do you open on Sundays?", direction(3))
    made = [
        note_at(f"Asked whether branches open on Sundays {i}", direction(3), occurred_at=at(WEEK)) for i in range(2)
    ]
    services.match_notes(note_ids=[n.pk for n in made])
    assert list(questions(Week(WEEK))) == []
    assert question.matches.count() == 2


def test_the_monthly_pack_lists_the_questions_with_the_month_before(asked_question):
    with translation.override("en"):
        section = asked(Month(date(2026, 11, 1)))
    assert section is not None
    (item,) = section.data["rows"]
    assert (item["row"].count, item["row"].previous, item["row"].previous_hidden) == (12, None, True)
    assert item["example"].startswith("Customer wants to know")
