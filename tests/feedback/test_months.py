"""Month arithmetic has one owner (feedback.months): reports, the council's figures and
an action's review date all count months with it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from feedback import months


def test_the_last_months_run_back_across_a_new_year():
    assert months.month_starts(date(2025, 2, 17), 4) == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]
    assert months.month_starts(date(2025, 2, 17), 0) == []


def test_a_review_six_months_after_the_last_of_august_falls_on_the_last_of_february():
    assert months.months_after(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert months.months_after(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert months.months_after(date(2025, 7, 15), 6) == date(2026, 1, 15)


def test_midnight_in_london_is_an_hour_before_utc_midnight_in_summer():
    london = ZoneInfo("Europe/London")
    assert months.midnight(date(2025, 7, 1), london) == datetime(
        2025, 6, 30, 23, tzinfo=ZoneInfo("UTC")
    )


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(9998, 11, 30)))
def test_next_and_previous_month_undo_each_other(day: date):
    start = months.month_start(day)
    assert months.previous_month(months.next_month(day)) == start
    assert months.next_month(months.previous_month(day)) == start
    assert months.month_starts(day, 2) == [months.previous_month(day), start]
