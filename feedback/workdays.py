"""Working-day arithmetic for statutory complaint and postcard clocks.

A working day is any day that is not a Saturday, Sunday, Christmas Day, Good
Friday or a bank holiday in England and Wales (Children Act 1989
Representations Procedure (England) Regulations 2006, reg. 2), nor one of the
council's own closure days.

The bank holidays come from the `holidays` library. Its answer for the years a
clock can reach is kept in `bank_holidays.json` beside this module (written by
`make bank-holidays`, checked against the library by a test), so a web worker
reads 200 dates instead of loading the library's 330 modules (13 MB in every
worker); a year outside the table asks the library itself.
"""

import json
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from dateutil.easter import easter

_ONE_DAY = timedelta(days=1)
TABLE = Path(__file__).with_name("bank_holidays.json")
# The years the table covers: from the oldest item a report may still count to
# well past any clock a young person's item can start.
TABLE_YEARS = range(2018, 2046)


def _no_closures() -> frozenset[date]:
    return frozenset()


_closure_provider: Callable[[], frozenset[date]] = _no_closures


def set_closure_provider(provider: Callable[[], frozenset[date]]) -> None:
    """Register the source of local closure dates (the app reads an admin table)."""
    global _closure_provider
    _closure_provider = provider


def library_bank_holidays(year: int) -> frozenset[date]:
    """England and Wales's bank holidays in `year`, as the holidays library says."""
    import holidays  # only here: see the module's docstring

    # "ENG" rather than "WLS" or Scotland: the regulations apply in England, and
    # England and Wales share one list of bank holidays under the Banking and
    # Financial Dealings Act 1971. observed=True (the default) gives the
    # substitute days, which are bank holidays by proclamation; the library also
    # carries one-off days such as 2022-09-19 and 2023-05-08.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


@lru_cache(maxsize=1)
def _table() -> dict[int, frozenset[date]]:
    by_year: dict[int, set[date]] = {year: set() for year in TABLE_YEARS}
    for text in json.loads(TABLE.read_text())["dates"]:
        day = date.fromisoformat(text)
        by_year.setdefault(day.year, set()).add(day)
    return {year: frozenset(days) for year, days in by_year.items()}


def write_table() -> None:
    """Write the library's bank holidays for TABLE_YEARS to the table (make bank-holidays)."""
    import holidays

    days = sorted(d for year in TABLE_YEARS for d in library_bank_holidays(year))
    TABLE.write_text(
        json.dumps(
            {
                "source": f"holidays {holidays.__version__}: GB, subdivision ENG",
                "years": [TABLE_YEARS.start, TABLE_YEARS.stop - 1],
                "dates": [d.isoformat() for d in days],
            },
            indent=1,
        )
        + "\n"
    )


@lru_cache(maxsize=64)
def _statutory_holidays(year: int) -> frozenset[date]:
    bank_holidays = _table()[year] if year in TABLE_YEARS else library_bank_holidays(year)
    # Christmas Day and Good Friday are common-law holidays, not bank holidays
    # under the 1971 Act, so the regulations name them separately; keep them
    # even if the library ever stops listing them.
    good_friday = easter(year) - timedelta(days=2)
    return bank_holidays | {date(year, 12, 25), good_friday}


def warm_up(today: date) -> None:
    """Build this year's and next year's bank holidays now, not in the first request
    that needs a due date."""
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


def previous_working_day(d: date) -> date:
    """The last working day before d."""
    closures = _closure_provider()
    d -= _ONE_DAY
    while not _is_working(d, closures):
        d -= _ONE_DAY
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
