"""The executive programme dashboard: case and listening figures on a constructed year, and the
page for every role."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from insights import programme
from tests.conftest import ROLES
from tests.factories import ComplaintCaseFactory, ComplaintFactory, ListeningSessionFactory, UserFactory
from voc import periods
from voc.models import CaseGap, ComplaintCase, ListeningSession, User

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)  # a Friday: the last complete ISO week is 9 to 15 November
NOW = "2026-11-20 12:00:00+01:00"
MONTHS = periods.months_back(TODAY, programme.MONTHS)
VIEWERS = {"hq", "executive", "admin"}


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture(autouse=True)
def _commitments(settings):
    settings.VOC_LISTEN_EXECUTIVE_WEEKLY_MINUTES = 60
    settings.VOC_LISTEN_YEARLY_MINUTES = 480


@pytest.fixture
def board(executive) -> dict[str, User]:
    """Three executives: Ana (the cast's, Chief executive), Bo and Cy (Finance)."""
    User.objects.filter(pk=executive.pk).update(first_name="Ana", last_name="Serrano")
    executive.refresh_from_db()
    return {
        "ana": executive,
        "bo": UserFactory(
            username="bo", first_name="Bo", last_name="Lind", role=User.Role.EXECUTIVE, department="Finance"
        ),
        "cy": UserFactory(
            username="cy", first_name="Cy", last_name="Park", role=User.Role.EXECUTIVE, department="Finance"
        ),
    }


@pytest.fixture
def make_case(agent):
    """``make_case(executive, month, status, ack=…, learned=…, closed=…)``: ``ack`` is the delay of
    the acknowledgement after its deadline (negative: early; None: not acknowledged)."""

    def make(
        executive: User,
        month: date,
        status: str = ComplaintCase.Status.ASSIGNED,
        *,
        ack: timedelta | None = None,
        learned: str = "",
        closed: date | None = None,
    ) -> ComplaintCase:
        note = ComplaintFactory(
            agent=agent, text="You charged me twice for the same transfer", occurred_at=at(month) - timedelta(days=3)
        )
        deadline = at(month + timedelta(days=2), 17)
        return ComplaintCaseFactory(
            month=month,
            executive=executive,
            note=note,
            status=status,
            acknowledge_by=deadline,
            acknowledged_at=None if ack is None else deadline + ack,
            root_cause=ComplaintCase.RootCause.PROCESS if status == ComplaintCase.Status.RESOLVED else "",
            learned=learned,
            closed_at=at(closed) if closed else None,
        )

    return make


@pytest.fixture
def cases(board, make_case):
    """November: Ana resolved on time with a learning (with a phone number in it), Bo acknowledged
    late, Cy had no case. October: Ana handed back, Bo resolved without a learning, acknowledged at
    the deadline itself. January: Bo resolved with a learning, too old for the recent list.
    November 2025 lies outside the twelve months."""
    S = ComplaintCase.Status
    early, late = -timedelta(hours=3), timedelta(hours=1)
    make_case(
        board["ana"],
        date(2026, 11, 1),
        S.RESOLVED,
        ack=early,
        learned="The customer at +34 612 345 678 had called four times before anyone owned it.",
        closed=date(2026, 11, 10),
    )
    make_case(board["bo"], date(2026, 11, 1), S.CONTACTED, ack=late)
    CaseGap.objects.create(month=date(2026, 11, 1), executive=board["cy"], reason="No complaint left")
    make_case(board["ana"], date(2026, 10, 1), S.HANDED_BACK, ack=early, closed=date(2026, 10, 8))
    make_case(board["bo"], date(2026, 10, 1), S.RESOLVED, ack=timedelta(0), closed=date(2026, 10, 20))
    make_case(board["bo"], date(2026, 1, 1), S.RESOLVED, ack=early, learned="An old lesson.", closed=date(2026, 1, 20))
    make_case(board["ana"], date(2025, 11, 1), S.RESOLVED, ack=early, learned="Older still.", closed=date(2025, 11, 9))
    CaseGap.objects.create(month=date(2025, 11, 1), executive=board["cy"], reason="Outside the window")


@pytest.fixture
def sessions(board, hq, lead):
    """This year (pace by 20 November: 480 * 324 // 365 = 426 minutes):
    Ana 460 (60 in the last complete week) — on track; Bo 530 (30 last week) — behind on the week;
    Cy nothing — behind; Elena (hq, Marketing) 480 — on track; Marta (lead) 30, this week — behind.
    Plus 100 minutes in December 2025 (Elena), outside this year but inside the twelve months."""

    def listen(person: User, day: date, minutes: int) -> None:
        ListeningSessionFactory(person=person, day=day, minutes=minutes)

    listen(board["ana"], date(2026, 11, 10), 60)
    listen(board["ana"], date(2026, 3, 3), 400)
    listen(board["bo"], date(2026, 2, 4), 500)
    listen(board["bo"], date(2026, 11, 11), 30)
    listen(hq, date(2026, 6, 1), 480)
    listen(hq, date(2025, 12, 15), 100)
    listen(lead, date(2026, 11, 17), 30)


def by_month(rows) -> dict[date, object]:
    return {row.month: row for row in rows}


def test_case_figures_per_month_count_each_state_on_time_acknowledgements_learning_and_gaps(cases):
    rows = programme.case_months(months=MONTHS)
    assert [row.month for row in rows] == MONTHS
    months = by_month(rows)
    assert months[date(2026, 11, 1)] == programme.CaseMonth(
        month=date(2026, 11, 1),
        assigned=2,
        acknowledged_on_time=1,
        resolved=1,
        handed_back=0,
        learned=1,
        without_case=1,
    )
    # acknowledged exactly at the deadline counts as on time
    assert months[date(2026, 10, 1)] == programme.CaseMonth(
        month=date(2026, 10, 1), assigned=2, acknowledged_on_time=2, resolved=1, handed_back=1, learned=0
    )
    assert months[date(2026, 1, 1)] == programme.CaseMonth(
        month=date(2026, 1, 1), assigned=1, acknowledged_on_time=1, resolved=1, learned=1
    )
    assert months[date(2026, 6, 1)] == programme.CaseMonth(month=date(2026, 6, 1))
    # November 2025 is outside the window: nothing of it is counted anywhere
    assert sum(row.assigned for row in rows) == 5 and sum(row.without_case for row in rows) == 1


def test_an_unacknowledged_case_is_not_on_time(board, make_case):
    make_case(board["cy"], date(2026, 11, 1))
    row = by_month(programme.case_months(months=MONTHS))[date(2026, 11, 1)]
    assert (row.assigned, row.acknowledged_on_time) == (1, 0)


def test_recent_learnings_are_the_last_90_days_resolved_cases_redacted_with_name_and_month(cases, board):
    learnings = programme.recent_learnings(now=at(TODAY))
    assert learnings == [
        programme.Learning(
            text="The customer at [PHONE] had called four times before anyone owned it.",
            executive="Ana Serrano",
            month=date(2026, 11, 1),
            closed_at=at(date(2026, 11, 10)),
        )
    ]
    # seen on 1 February: January's and November 2025's are recent, November 2026's not yet closed
    assert [item.text for item in programme.recent_learnings(now=at(date(2026, 2, 1)))] == [
        "An old lesson.",
        "Older still.",
    ]


def test_the_pace_is_the_yearly_commitment_pro_rata_and_the_week_the_last_complete_one():
    period = programme.listening_period(TODAY)
    assert (period.week_start, period.week_last, period.year_start) == (
        date(2026, 11, 9),
        date(2026, 11, 15),
        date(2026, 1, 1),
    )
    assert (period.weekly, period.yearly, period.pace) == (60, 480, 426)
    assert programme.listening_period(date(2026, 1, 1)).pace == 1
    assert programme.listening_period(date(2026, 7, 2)).pace == 240
    assert programme.listening_period(date(2026, 12, 31)).pace == 480


def test_listening_per_person_lists_executives_first_then_everyone_who_listened(sessions, board, hq, lead, agent):
    people = list(programme.listening_people(period=programme.listening_period(TODAY)))
    assert [(p.username, p.week_minutes, p.year_minutes, p.on_track) for p in people] == [
        ("bo", 30, 530, False),  # a good year, but short of the hour last week
        ("ana", 60, 460, True),
        ("cy", 0, 0, False),
        (hq.username, 0, 480, True),  # not an executive: the weekly commitment does not apply
        (lead.username, 0, 30, False),  # listened this week, which is not complete yet
    ]
    assert agent.pk not in {p.pk for p in people}


def test_an_inactive_person_leaves_the_listening_tables(sessions, hq):
    User.objects.filter(pk=hq.pk).update(is_active=False)
    period = programme.listening_period(TODAY)
    assert hq.pk not in {p.pk for p in programme.listening_people(period=period)}
    assert "Marketing" not in {d.department for d in programme.listening_by_department(period=period)}


def test_listening_by_department_sums_this_years_minutes_and_counts_people_on_track(sessions, cast):
    rows = programme.listening_by_department(period=programme.listening_period(TODAY))
    assert rows == [
        programme.DepartmentListening(department="Finance", people=2, listeners=1, minutes=530, on_track=0),
        programme.DepartmentListening(department="Marketing", people=1, listeners=1, minutes=480, on_track=1),
        programme.DepartmentListening(department="Chief executive", people=1, listeners=1, minutes=460, on_track=1),
        # the agent, the lead and the admin have no department; they come last
        programme.DepartmentListening(department="", people=3, listeners=1, minutes=30, on_track=0),
    ]
    assert rows[1].share_on_track == 1.0 and rows[0].share_on_track == 0.0


def test_listening_totals_and_the_monthly_trend(sessions, cast):
    totals = programme.listening_totals(period=programme.listening_period(TODAY))
    assert totals == programme.ListeningTotals(minutes=1500, people=4, executives=3, executives_on_track=1)
    months = by_month(programme.listening_months(months=MONTHS))
    assert [(m.minutes, m.people) for m in (months[date(2025, 12, 1)], months[date(2026, 11, 1)])] == [
        (100, 1),
        (120, 3),
    ]
    assert [months[date(2026, m, 1)].minutes for m in range(2, 7)] == [500, 400, 0, 0, 480]


@pytest.mark.parametrize("role", ROLES)
def test_the_dashboard_opens_for_head_office_executives_and_admins_only(client_for, role):
    response = client_for(role).get("/programme/")
    assert response.status_code == (200 if role in VIEWERS else 403)


@pytest.mark.parametrize("role", sorted(VIEWERS))
def test_the_dashboard_shows_the_figures(client_for, cases, sessions, board, role, time_machine):
    time_machine.move_to(NOW, tick=False)
    html = client_for(role).get("/programme/").content.decode()
    assert (
        '<tr id="cases-2026-11"><th scope="row">November 2026</th>'
        "<td>2</td><td>1</td><td>1</td><td>0</td><td>1</td><td>1</td></tr>"
    ) in html
    assert (
        '<tr id="cases-2026-10"><th scope="row">October 2026</th>'
        "<td>2</td><td>2</td><td>1</td><td>1</td><td>0</td><td>0</td></tr>"
    ) in html
    assert "This year: 1500 minutes of listening by 4 people. Executives on track: 1 of 3." in html
    assert "The customer at [PHONE] had called four times" in html and "612 345 678" not in html
    assert "Ana Serrano · November 2026" in html and "An old lesson." not in html
    bo = board["bo"]
    assert f'<tr id="person-{bo.pk}"><th scope="row">Bo Lind</th>' in html
    assert "<td>30 / 60</td><td>530 / 480</td>" in html
    assert html.count("<svg") >= 2  # cases and listening charts
    assert '<tr><th scope="row">Finance</th><td>2</td><td>1</td><td>530</td><td>0 (0 %)</td></tr>' in html


def test_the_dashboard_pages_people_by_fifty_with_bounded_queries(
    client_for, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(NOW, tick=False)
    people = [UserFactory.build(username=f"listener{i:02}", role=User.Role.HQ, department="Product") for i in range(60)]
    User.objects.bulk_create(people)
    ListeningSession.objects.bulk_create(
        ListeningSession(person=person, day=TODAY - timedelta(days=1), minutes=30 + i)
        for i, person in enumerate(User.objects.filter(username__startswith="listener").order_by("username"))
    )
    client = client_for("hq")
    with django_assert_max_num_queries(12):
        html = client.get("/programme/").content.decode()
    assert html.count('<tr id="person-') == 50 and "Page 1 of 2" in html
    second = client.get("/programme/?page=2").content.decode()
    assert second.count('<tr id="person-') == 11  # the cast's executive and sixty listeners


def test_the_dashboard_covers_twelve_whole_months_ending_with_this_one():
    assert len(MONTHS) == 12 and MONTHS[0] == date(2025, 12, 1) and MONTHS[-1] == date(2026, 11, 1)
