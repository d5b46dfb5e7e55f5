"""Month arithmetic, with no Django: the one place the calendar's months are counted.

Reports, the council's figures and an action's review date all count in months;
each used to carry its own copy of these, and the copies had begun to differ.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def previous_month(day: date) -> date:
    """The first day of the month before `day`'s."""
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def month_starts(last: date, count: int) -> list[date]:
    """The first days of `count` months ending with `last`'s month, oldest first."""
    if count < 1:
        return []
    months = [month_start(last)]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months[::-1]


def months_after(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has at least 28 days")


def midnight(day: date, tz: tzinfo) -> datetime:
    """The instant `day` starts in `tz` (London, for every figure the portal counts)."""
    return datetime(day.year, day.month, day.day, tzinfo=tz)
