"""Small-number protection for the council's figures. Pure: no Django.

The scheme: every figure shown is rounded to the nearest multiple of the
threshold (5), and a count from 1 to 4 is shown as "fewer than 5" instead.

Why nothing hidden can be worked out: every number anyone can read on a page
or in a CSV is a multiple of the threshold (0, 5, 10, ...). Any sum or
difference of such numbers (a total minus its shown parts, a row against a
column, one filter or period against another) is a multiple of the threshold
too, so it can never come out as 1, 2, 3 or 4. Rounding also means a shown
figure is not the exact count, so two views cannot be subtracted to find one
person. Totals are rounded from the true total, not added up from rounded parts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shown:
    """One figure as the council sees it: a rounded number, or hidden."""

    value: int | None  # None when hidden

    @property
    def hidden(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return "" if self.value is None else str(self.value)


def protect(count: int, threshold: int) -> Shown:
    """Hide 1 to threshold-1; round anything else to the nearest multiple of the threshold.

    Halves round up, so a count at or above the threshold never rounds to below it.
    """
    if count < 0:
        raise ValueError("a count cannot be negative")
    if threshold <= 1:
        return Shown(count)
    if 0 < count < threshold:
        return Shown(None)
    return Shown((count + threshold // 2) // threshold * threshold)


def protect_all(counts: list[int], threshold: int) -> list[Shown]:
    return [protect(count, threshold) for count in counts]
