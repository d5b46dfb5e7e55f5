"""Working-day arithmetic. Expected dates are checked by hand against the
gov.uk bank holiday list for England and Wales, not taken from the library."""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback import workdays
from feedback.workdays import (
    add_working_days,
    is_working_day,
    set_closure_provider,
    working_days_between,
)


@pytest.fixture(autouse=True)
def no_closures() -> Iterator[None]:
    """Pure tests: no local closures, and put back whatever provider the app had registered."""
    import feedback.workdays as workdays

    registered = workdays._closure_provider
    set_closure_provider(lambda: frozenset())
    yield
    set_closure_provider(registered)


def weekdays_off(year: int) -> set[date]:
    days = (date(year, 1, 1) + timedelta(days=i) for i in range(366))
    return {d for d in days if d.year == year and d.weekday() < 5 and not is_working_day(d)}


# --- The calendar -----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "weekday", "why"),
    [
        (date(2025, 4, 18), "Fri", "Good Friday 2025"),
        (date(2025, 4, 21), "Mon", "Easter Monday 2025"),
        (date(2025, 8, 25), "Mon", "summer bank holiday 2025"),
        (date(2025, 12, 25), "Thu", "Christmas Day 2025"),
        (date(2025, 12, 26), "Fri", "Boxing Day 2025"),
        (date(2026, 1, 1), "Thu", "New Year's Day 2026"),
        (date(2026, 4, 3), "Fri", "Good Friday 2026"),
        (date(2026, 4, 6), "Mon", "Easter Monday 2026"),
        (date(2026, 8, 31), "Mon", "summer bank holiday 2026"),
        (date(2026, 12, 25), "Fri", "Christmas Day 2026"),
        (date(2026, 12, 28), "Mon", "Boxing Day 2026 substitute"),
        (date(2027, 1, 1), "Fri", "New Year's Day 2027"),
        (date(2027, 3, 26), "Fri", "Good Friday 2027"),
        (date(2027, 3, 29), "Mon", "Easter Monday 2027"),
        (date(2027, 8, 30), "Mon", "summer bank holiday 2027"),
        (date(2027, 12, 27), "Mon", "Christmas Day 2027 substitute"),
        (date(2027, 12, 28), "Tue", "Boxing Day 2027 substitute"),
        (date(2028, 1, 3), "Mon", "New Year's Day 2028 substitute"),
        (date(2022, 9, 19), "Mon", "state funeral of Queen Elizabeth II"),
        (date(2023, 5, 8), "Mon", "coronation of King Charles III"),
        (date(2022, 6, 2), "Thu", "spring bank holiday moved for the Platinum Jubilee"),
        (date(2022, 6, 3), "Fri", "Platinum Jubilee"),
    ],
)
def test_bank_holidays_and_substitute_days_are_not_working_days(
    day: date, weekday: str, why: str
) -> None:
    assert day.strftime("%a") == weekday, why
    assert not is_working_day(day), why


def test_good_friday_2026_is_not_a_working_day() -> None:
    assert not is_working_day(date(2026, 4, 3))


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 2),  # Maundy Thursday
        date(2026, 4, 7),  # Tuesday after Easter Monday
        date(2026, 5, 26),  # Tuesday after the spring bank holiday
        date(2026, 12, 24),  # Christmas Eve is not a holiday
        date(2026, 12, 29),
        date(2026, 12, 31),  # New Year's Eve is not a holiday
        date(2027, 12, 29),
        date(2028, 1, 4),
    ],
)
def test_ordinary_weekdays_next_to_holidays_are_working_days(day: date) -> None:
    assert is_working_day(day)


@pytest.mark.parametrize("day", [date(2026, 1, 10), date(2026, 1, 11)])
def test_saturday_and_sunday_are_not_working_days(day: date) -> None:
    assert not is_working_day(day)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2025, {(1, 1), (4, 18), (4, 21), (5, 5), (5, 26), (8, 25), (12, 25), (12, 26)}),
        (2026, {(1, 1), (4, 3), (4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28)}),
        (2027, {(1, 1), (3, 26), (3, 29), (5, 3), (5, 31), (8, 30), (12, 27), (12, 28)}),
    ],
)
def test_the_only_weekdays_off_in_a_year_are_its_eight_bank_holidays(
    year: int, expected: set[tuple[int, int]]
) -> None:
    assert weekdays_off(year) == {date(year, m, d) for m, d in expected}


def test_christmas_and_good_friday_stay_off_even_if_the_library_drops_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workdays, "_table", lambda: {2026: frozenset()})
    monkeypatch.setattr(workdays, "library_bank_holidays", lambda year: frozenset())
    workdays._statutory_holidays.cache_clear()
    try:
        assert not is_working_day(date(2026, 12, 25))
        assert not is_working_day(date(2026, 4, 3))
        assert is_working_day(date(2026, 4, 6))  # Easter Monday is only a bank holiday
        assert not is_working_day(date(2050, 12, 25))  # outside the table too
    finally:
        workdays._statutory_holidays.cache_clear()


def test_the_table_of_bank_holidays_is_what_the_library_says_for_every_year_it_covers() -> None:
    # Fails after upgrading the library if it learned of a new bank holiday (a one-off
    # proclaimed day): run `make bank-holidays` and commit the table.
    table = workdays._table()
    assert set(table) == set(workdays.TABLE_YEARS)
    for year in workdays.TABLE_YEARS:
        assert table[year] == workdays.library_bank_holidays(year), year
    assert date(2022, 9, 19) in table[2022]  # the State Funeral, a one-off day


def test_a_year_outside_the_table_asks_the_library() -> None:
    year = workdays.TABLE_YEARS.stop + 4
    workdays._statutory_holidays.cache_clear()
    try:
        assert workdays._statutory_holidays(year) >= workdays.library_bank_holidays(year)
        assert workdays.library_bank_holidays(year)  # the library knows that year
    finally:
        workdays._statutory_holidays.cache_clear()


def test_a_web_worker_reads_the_table_and_never_loads_the_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from datetime import date; from feedback import workdays; "
        "workdays.warm_up(date(2026, 11, 30)); "
        "assert workdays.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29); "
        "print('holidays' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"


# --- Adding working days ----------------------------------------------------


def test_friday_plus_one_working_day_is_monday() -> None:
    assert add_working_days(date(2026, 1, 16), 1) == date(2026, 1, 19)


def test_ten_working_days_from_just_before_christmas_2026_skip_the_holidays() -> None:
    # Thu 24 Dec, Tue 29, Wed 30, Thu 31, Mon 4 Jan .. Fri 8, Mon 11 Jan.
    assert add_working_days(date(2026, 12, 23), 10) == date(2027, 1, 11)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2025, 4, 17), 1, date(2025, 4, 22)),  # over Easter 2025
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # over Easter 2026
        (date(2026, 4, 2), 5, date(2026, 4, 13)),
        (date(2027, 3, 25), 1, date(2027, 3, 30)),  # over Easter 2027
        (date(2025, 8, 22), 1, date(2025, 8, 26)),  # over the summer bank holidays
        (date(2026, 8, 28), 1, date(2026, 9, 1)),
        (date(2027, 8, 27), 1, date(2027, 8, 31)),
        (date(2025, 12, 24), 1, date(2025, 12, 29)),  # over Christmas 2025
        (date(2025, 12, 24), 4, date(2026, 1, 2)),  # and New Year's Day 2026
        (date(2027, 12, 24), 1, date(2027, 12, 29)),  # over Christmas 2027
        (date(2027, 12, 24), 4, date(2028, 1, 4)),  # and the New Year 2028 substitute
        (date(2026, 12, 7), 20, date(2027, 1, 7)),  # stage 1 extended to 20 days
    ],
)
def test_adding_working_days_skips_weekends_and_holidays(
    start: date, n: int, expected: date
) -> None:
    assert add_working_days(start, n) == expected


def test_counting_starts_after_a_weekend_start() -> None:
    assert add_working_days(date(2026, 1, 10), 1) == date(2026, 1, 12)


def test_counting_starts_after_a_holiday_start() -> None:
    assert add_working_days(date(2026, 4, 3), 1) == date(2026, 4, 7)


def test_zero_days_from_a_working_day_is_that_day() -> None:
    assert add_working_days(date(2026, 1, 14), 0) == date(2026, 1, 14)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 1, 10), date(2026, 1, 12)),  # Saturday
        (date(2026, 4, 3), date(2026, 4, 7)),  # Good Friday
        (date(2026, 12, 25), date(2026, 12, 29)),  # Christmas Day
    ],
)
def test_zero_days_from_a_day_off_is_the_next_working_day(start: date, expected: date) -> None:
    assert add_working_days(start, 0) == expected


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 14), -1)


# --- Counting working days --------------------------------------------------


def test_working_days_between_counts_days_after_start_up_to_end() -> None:
    assert working_days_between(date(2026, 12, 23), date(2027, 1, 11)) == 10


def test_working_days_between_includes_end_but_not_start() -> None:
    assert working_days_between(date(2026, 1, 14), date(2026, 1, 15)) == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2026, 1, 14), date(2026, 1, 14)), (date(2026, 1, 15), date(2026, 1, 14))],
)
def test_working_days_between_is_zero_when_end_is_not_after_start(start: date, end: date) -> None:
    assert working_days_between(start, end) == 0


# --- Local closures ---------------------------------------------------------


def test_a_local_closure_day_is_not_a_working_day() -> None:
    set_closure_provider(lambda: frozenset({date(2026, 12, 24)}))
    assert not is_working_day(date(2026, 12, 24))
    assert is_working_day(date(2026, 12, 23))


def test_adding_working_days_skips_local_closures() -> None:
    set_closure_provider(lambda: frozenset({date(2026, 12, 24)}))
    assert add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 29)
    assert add_working_days(date(2026, 12, 23), 10) == date(2027, 1, 12)


def test_counting_working_days_skips_local_closures() -> None:
    set_closure_provider(lambda: frozenset({date(2026, 12, 24), date(2026, 12, 31)}))
    assert working_days_between(date(2026, 12, 23), date(2027, 1, 11)) == 8


def test_the_default_has_no_local_closures() -> None:
    assert is_working_day(date(2026, 12, 24))


def test_the_closure_provider_is_asked_once_per_call() -> None:
    calls = []

    def provider() -> frozenset[date]:
        calls.append(1)
        return frozenset()

    set_closure_provider(provider)
    add_working_days(date(2026, 1, 1), 65)
    working_days_between(date(2026, 1, 1), date(2026, 6, 1))
    is_working_day(date(2026, 1, 1))
    assert len(calls) == 3


# --- Properties -------------------------------------------------------------

starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
counts = st.integers(min_value=1, max_value=80)


@given(start=starts, n=counts)
def test_the_result_is_a_later_working_day(start: date, n: int) -> None:
    result = add_working_days(start, n)
    assert result > start
    assert is_working_day(result)


@given(start=starts, n=counts)
def test_one_more_working_day_is_always_later(start: date, n: int) -> None:
    assert add_working_days(start, n + 1) > add_working_days(start, n)


@given(start=starts, n=counts)
def test_counting_back_gives_the_number_of_days_added(start: date, n: int) -> None:
    assert working_days_between(start, add_working_days(start, n)) == n


@given(start=starts)
def test_zero_days_gives_the_first_working_day_on_or_after_start(start: date) -> None:
    result = add_working_days(start, 0)
    assert result >= start
    assert is_working_day(result)
    assert working_days_between(start, result) == (0 if result == start else 1)
