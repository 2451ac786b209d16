"""The executive programme's facts: complaints executives closed (with what one learned) and
everyone's listening, on a constructed week; small counts are never published."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import translation

from newsletter import facts, services
from newsletter.models import Issue
from tests.factories import ComplaintCaseFactory, ComplaintFactory, ListeningSessionFactory, UserFactory
from tests.newsletter.conftest import TODAY, WEEK, at
from voc.models import ComplaintCase, User

pytestmark = pytest.mark.django_db
S = ComplaintCase.Status


@pytest.fixture
def board(executive) -> list[User]:
    return [
        executive,
        UserFactory(username="bo", first_name="Bo", last_name="Lind", role=User.Role.EXECUTIVE),
        UserFactory(username="cy", first_name="Cy", last_name="Park", role=User.Role.EXECUTIVE),
        UserFactory(username="di", first_name="Di", last_name="Ross", role=User.Role.EXECUTIVE),
        UserFactory(username="ed", first_name="Ed", last_name="Shaw", role=User.Role.EXECUTIVE),
    ]


@pytest.fixture
def close_case(agent):
    """``close_case(executive, day, status, learned=…)``: a case of ``day``'s month (unless
    ``month`` says otherwise) closed at ``hour`` on ``day``."""

    def make(
        executive: User,
        day: date,
        status: str = S.RESOLVED,
        *,
        learned: str = "",
        hour: int = 10,
        month: date | None = None,
    ):
        note = ComplaintFactory(
            agent=agent, text="Nobody told me my transfer was stopped", occurred_at=at(WEEK - timedelta(days=20))
        )
        return ComplaintCaseFactory(
            month=month or day.replace(day=1),
            executive=executive,
            note=note,
            status=status,
            acknowledge_by=at(WEEK - timedelta(days=10)),
            acknowledged_at=at(WEEK - timedelta(days=11)),
            root_cause=ComplaintCase.RootCause.COMMUNICATION if status == S.RESOLVED else "",
            learned=learned,
            closed_at=at(day, hour),
        )

    return make


def drafts(generator, week_start: date = WEEK) -> list[facts.FactDraft]:
    return list(generator(facts.Week(week_start)))


def test_the_learned_fact_counts_the_weeks_resolved_cases_and_quotes_the_latest_learning(board, close_case):
    ana, bo, cy, di, ed = board
    close_case(ana, WEEK + timedelta(days=1), learned="Our letters never say why.")
    # learnings are stored redacted (see voc.programme.cases.services.resolve_case)
    close_case(bo, WEEK + timedelta(days=3), learned="Customers wait a week for an answer at [EMAIL].")
    close_case(cy, WEEK + timedelta(days=4))  # resolved, nothing written down
    close_case(di, WEEK + timedelta(days=2), S.HANDED_BACK)
    close_case(ed, WEEK - timedelta(days=1), learned="The Sunday before is another week.", month=date(2026, 10, 1))
    close_case(ed, WEEK + timedelta(days=7), learned="So does the Monday after.", hour=0)

    issue, _created = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    fact = issue.facts.get(key="learned")
    assert (fact.number, fact.base) == (3, 4)  # three resolved out of four closed
    assert fact.sentence_en == (
        "Did you know… our executives personally closed 3 customer complaints this week? "
        "One of them learned: “Customers wait a week for an answer at [EMAIL].”"
    )
    assert "Bo Lind" not in fact.sentence_en and "Bo Lind" not in fact.sentence_es
    assert fact.quote == "" and fact.quote_note is None
    assert fact.data["executive"] == "Bo Lind" and fact.data["executive_id"] == bo.pk
    assert fact.data["with_learning"] == 2
    assert fact.data["learned"] == "Customers wait a week for an answer at [EMAIL]."


def test_the_learned_fact_needs_enough_resolved_cases_and_at_least_one_learning(board, close_case):
    ana, bo, cy, di, _ed = board
    close_case(ana, WEEK + timedelta(days=1), learned="Our letters never say why.")
    close_case(bo, WEEK + timedelta(days=2), learned="Refunds that take ten days feel like a refusal.")
    close_case(cy, WEEK + timedelta(days=2), S.HANDED_BACK)  # closed, but not resolved
    assert drafts(facts.learned) == []  # two resolved: below the threshold of three

    close_case(di, WEEK + timedelta(days=3))
    assert [d.number for d in drafts(facts.learned)] == [3]


def test_the_learned_fact_is_skipped_when_nobody_wrote_what_they_learned(board, close_case):
    for executive in board[:4]:
        close_case(executive, WEEK + timedelta(days=2))
    assert drafts(facts.learned) == []


def test_a_single_resolved_case_reads_in_the_singular_when_the_threshold_allows_it(board, close_case, settings):
    settings.VOC_PUBLISH_THRESHOLD = 1
    close_case(board[1], WEEK + timedelta(days=2), learned="A refund that takes ten days feels like a refusal.")
    (draft,) = drafts(facts.learned)
    with translation.override("en"):
        assert draft.sentence() == (
            "Did you know… one of our executives personally closed 1 customer complaint this week, "
            "and learned: “A refund that takes ten days feels like a refusal.”"
        )


def test_a_long_learning_is_shortened_to_keep_the_sentence_storable(board, close_case):
    for i, executive in enumerate(board[:3]):
        close_case(executive, WEEK + timedelta(days=1), learned="word " * 300, hour=9 + i)
    (draft,) = drafts(facts.learned)
    assert len(draft.data["learned"]) == facts.LEARNED_LENGTH and draft.data["learned"].endswith("…")
    assert all(len(sentence) <= 500 for sentence in draft.sentences().values())


@pytest.fixture
def listeners(board, hq, lead) -> dict[str, User]:
    gone = UserFactory(username="gone", role=User.Role.HQ, is_active=False)
    return {"ana": board[0], "bo": board[1], "elena": hq, "marta": lead, "gone": gone}


def listen(person: User, day: date, minutes: int) -> None:
    ListeningSessionFactory(person=person, day=day, minutes=minutes)


def test_the_listening_fact_counts_people_and_hours_of_the_week(listeners, cast):
    listen(listeners["ana"], WEEK, 60)
    listen(listeners["ana"], WEEK + timedelta(days=3), 30)
    listen(listeners["bo"], WEEK + timedelta(days=6), 60)  # Sunday: still this week
    listen(listeners["elena"], WEEK + timedelta(days=2), 90)
    listen(listeners["marta"], WEEK + timedelta(days=4), 30)
    listen(listeners["gone"], WEEK + timedelta(days=1), 60)  # has left since; listened all the same
    listen(listeners["elena"], WEEK - timedelta(days=1), 300)  # the Sunday before
    listen(listeners["marta"], WEEK + timedelta(days=7), 300)  # the Monday after

    issue, _created = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    fact = issue.facts.get(key="listening")
    assert fact.number == 5
    # everyone who could have listened: the cast, Bo, Cy, Di, Ed (all active) and the one who left
    assert fact.base == User.objects.filter(is_active=True).count() + 1 == 10
    assert fact.sentence_en == "Did you know… 5 of us spent 5.5 hours listening to customer calls this week?"
    assert fact.data == {"minutes": 330, "hours": 5.5, "sessions": 6, "executives": 2}
    assert fact.quote == ""


def test_whole_hours_read_without_a_decimal(listeners):
    for person in ("ana", "bo", "elena"):
        listen(listeners[person], WEEK + timedelta(days=1), 60)
    (draft,) = drafts(facts.listening)
    with translation.override("en"):
        assert draft.sentence() == "Did you know… 3 of us spent 3 hours listening to customer calls this week?"


def test_the_listening_fact_is_suppressed_below_the_threshold_however_long_they_listened(listeners):
    listen(listeners["ana"], WEEK + timedelta(days=1), 600)
    listen(listeners["ana"], WEEK + timedelta(days=2), 600)
    listen(listeners["bo"], WEEK + timedelta(days=3), 600)
    assert drafts(facts.listening) == []
    issue, _created = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    assert issue.status == Issue.Status.SKIPPED and not issue.facts.filter(key="listening").exists()
