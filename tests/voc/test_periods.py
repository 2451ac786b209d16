"""The one calendar every app counts by: ISO weeks, months, working days, the listening pace."""

from datetime import date, datetime

import pytest

from voc import periods
from voc.errors import DomainError


def test_a_week_starts_on_monday_whatever_the_day():
    assert periods.week_start(date(2026, 11, 23)) == date(2026, 11, 23)  # a Monday
    assert periods.week_start(date(2026, 11, 29)) == date(2026, 11, 23)  # the Sunday after


def test_the_week_that_holds_new_year_starts_in_the_old_year():
    assert periods.week_start(date(2027, 1, 1)) == date(2026, 12, 28)
    assert periods.week_label(date(2026, 12, 28)) == "2026-W53"  # 2026 has 53 ISO weeks
    assert periods.week_label(date(2024, 12, 30)) == "2025-W01"  # week 1 of 2025 starts in 2024


def test_the_last_complete_week_is_never_the_current_one():
    assert periods.last_complete_week(date(2026, 11, 23)) == date(2026, 11, 16)
    assert periods.last_complete_week(date(2026, 11, 29)) == date(2026, 11, 16)
    assert periods.last_complete_week(date(2027, 1, 4)) == date(2026, 12, 28)


def test_weeks_back_are_consecutive_mondays_oldest_first():
    assert periods.weeks_back(date(2026, 11, 26), 3) == [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]
    assert periods.weeks_back(date(2027, 1, 6), 2) == [date(2026, 12, 28), date(2027, 1, 4)]


@pytest.mark.parametrize(
    ("label", "monday"),
    [("2026-W47", date(2026, 11, 16)), ("2026-W53", date(2026, 12, 28)), (" 2025-W01 ", date(2024, 12, 30))],
)
def test_a_week_label_reads_back_as_its_monday(label, monday):
    assert periods.parse_week(label) == monday
    assert periods.week_label(monday) == label.strip()


@pytest.mark.parametrize("label", ["2025-W53", "2026-W00", "2026-W54", "2026-47", "W47", "", "2026-w47x"])
def test_a_bad_week_label_is_a_clear_error_on_the_week(label):
    with pytest.raises(DomainError) as caught:
        periods.parse_week(label)
    assert caught.value.field == "week"
    assert "2026-W47" in caught.value.message


def test_months_step_over_year_ends_and_short_months():
    assert periods.month_start(date(2026, 2, 28)) == date(2026, 2, 1)
    assert periods.next_month(date(2026, 12, 31)) == date(2027, 1, 1)
    assert periods.next_month(date(2026, 1, 31)) == date(2026, 2, 1)
    assert periods.previous_month(date(2026, 1, 15)) == date(2025, 12, 1)
    assert periods.previous_month(date(2024, 3, 1)) == date(2024, 2, 1)


def test_months_back_end_with_todays_month_oldest_first():
    assert periods.months_back(date(2026, 1, 15), 3) == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]
    assert len(periods.months_back(date(2026, 1, 15), 12)) == 12


def test_a_month_label_reads_back_as_its_first_day():
    assert periods.parse_month("2026-11") == date(2026, 11, 1)
    assert periods.month_label(date(2026, 11, 1)) == "2026-11"


@pytest.mark.parametrize("label", ["2026-13", "2026-00", "2026-1", "26-11", "November", ""])
def test_a_bad_month_label_is_a_clear_error_on_the_month(label):
    with pytest.raises(DomainError) as caught:
        periods.parse_month(label)
    assert caught.value.field == "month"
    assert "2026-11" in caught.value.message


def test_working_days_skip_the_weekend_and_keep_the_time():
    friday = datetime(2026, 11, 27, 16, 30)
    assert periods.add_working_days(friday, 1) == datetime(2026, 11, 30, 16, 30)
    assert periods.add_working_days(friday, 5) == datetime(2026, 12, 4, 16, 30)
    assert periods.add_working_days(datetime(2026, 11, 28, 9, 0), 1) == datetime(2026, 11, 30, 9, 0)  # from a Saturday
    assert periods.add_working_days(friday, 0) == friday


def test_the_first_working_day_of_a_month_that_starts_at_a_weekend():
    assert periods.first_working_day(date(2026, 11, 17)) == date(2026, 11, 2)  # 1 Nov 2026 is a Sunday
    assert periods.first_working_day(date(2026, 8, 3)) == date(2026, 8, 3)  # 1 Aug is a Saturday
    assert periods.is_first_working_day(date(2026, 11, 2))
    assert not periods.is_first_working_day(date(2026, 11, 1))
    assert not periods.is_first_working_day(date(2026, 11, 3))
    assert periods.is_first_working_day(date(2026, 12, 1))


def test_a_year_before_a_leap_day_is_the_28th_of_february():
    assert periods.year_before(date(2028, 2, 29)) == date(2027, 2, 28)
    assert periods.year_before(date(2026, 11, 23)) == date(2025, 11, 23)


def test_the_pace_is_the_share_of_the_year_gone_including_today():
    assert periods.expected_by(date(2026, 1, 1), yearly=480) == 1  # 480 // 365
    assert periods.expected_by(date(2026, 7, 2), yearly=365) == 183
    assert periods.expected_by(date(2028, 2, 29), yearly=366) == 60  # a leap year
    assert periods.expected_by(date(2026, 12, 31), yearly=480) == 480


def test_percentages_cap_at_100_and_a_zero_target_is_met():
    assert periods.percent(30, 60) == 50
    assert periods.percent(90, 60) == 100
    assert periods.percent(0, 0) == 100
    assert periods.percent(1, 3) == 33
