"""Working-day arithmetic for statutory complaint and postcard clocks.

A working day is any day that is not a Saturday, Sunday, Christmas Day, Good
Friday or a bank holiday in England and Wales (Children Act 1989
Representations Procedure (England) Regulations 2006, reg. 2), nor one of the
council's own closure days.
"""

from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.easter import easter

_ONE_DAY = timedelta(days=1)


def _no_closures() -> frozenset[date]:
    return frozenset()


_closure_provider: Callable[[], frozenset[date]] = _no_closures


def set_closure_provider(provider: Callable[[], frozenset[date]]) -> None:
    """Register the source of local closure dates (the app reads an admin table)."""
    global _closure_provider
    _closure_provider = provider


@lru_cache(maxsize=64)
def _statutory_holidays(year: int) -> frozenset[date]:
    # "ENG" rather than "WLS" or Scotland: the regulations apply in England, and
    # England and Wales share one list of bank holidays under the Banking and
    # Financial Dealings Act 1971. observed=True (the default) gives the
    # substitute days, which are bank holidays by proclamation; the library also
    # carries one-off days such as 2022-09-19 and 2023-05-08.
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=year)
    # Christmas Day and Good Friday are common-law holidays, not bank holidays
    # under the 1971 Act, so the regulations name them separately; keep them
    # even if the library ever stops listing them.
    good_friday = easter(year) - timedelta(days=2)
    return frozenset(bank_holidays) | {date(year, 12, 25), good_friday}


def warm_up(today: date) -> None:
    """Build this year's and next year's bank holidays now (the holidays library takes a
    fifth of a second), not in the first request that needs a due date."""
    for year in (today.year, today.year + 1):
        _statutory_holidays(year)


def _is_working(d: date, closures: frozenset[date]) -> bool:
    return d.weekday() < 5 and d not in _statutory_holidays(d.year) and d not in closures


def is_working_day(d: date) -> bool:
    return _is_working(d, _closure_provider())


def add_working_days(start: date, n: int) -> date:
    """Return the n-th working day after start.

    Day 1 is the first working day after start, so a Friday plus one is the
    Monday. n == 0 returns start if it is a working day, else the next one.
    """
    if n < 0:
        raise ValueError(f"n must be zero or more, got {n}")
    closures = _closure_provider()
    d = start
    if n == 0:
        while not _is_working(d, closures):
            d += _ONE_DAY
        return d
    while n:
        d += _ONE_DAY
        if _is_working(d, closures):
            n -= 1
    return d


def working_days_between(start: date, end: date) -> int:
    """Count working days d with start < d <= end (0 if end is not after start)."""
    closures = _closure_provider()
    count = 0
    d = start + _ONE_DAY
    while d <= end:
        if _is_working(d, closures):
            count += 1
        d += _ONE_DAY
    return count
