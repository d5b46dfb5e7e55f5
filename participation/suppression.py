"""Small-number protection for the council's figures. Pure: no Django.

The method is small cell adjustment with additive totals, as the Australian Bureau of
Statistics protects its census tables:

1. The cells are the finest counts kept: items of one finished month, audience, topic,
   kind, mood and set of theme tags (participation.figures.count_items).
2. A cell of 0 stays 0. A cell from 1 to 4 becomes 0 or 5 at random, 5 with chance n/5,
   so it is right on average (`adjust`). The draw is keyed on the cell and its count
   (participation.figures.draw), so the same cell always shows the same figure: asking
   again, on another page or another day, tells nothing new. A cell of 5 or more is
   rounded to the nearest 5.
3. Every figure published is a sum of adjusted cells: each table cell, every row, column
   and grand total, each audience and everyone, every period, on every page, CSV, API
   and board pack. A sum of 0 over cells that hold items shows as "fewer than 5".

Why no count from 1 to 4 can be worked out: whatever is added up or taken away, a reader
can learn at most each cell's adjusted figure, because every published figure is a sum
of them and of nothing else. An adjusted 0 may be anything from 0 to 4, an adjusted 5
anything from 1 to 7; no cell is tied to any other by something published, so no sum,
difference or bound narrows them (tests/participation/test_suppression.py proves it with
a linear program over every published figure). Totals made from the true counts were
the leak this replaces: a total of 10 over two hidden cells pinned both to 4.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shown:
    """One figure as the council sees it: a number, or hidden ("fewer than 5")."""

    value: int | None  # None when hidden

    @property
    def hidden(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return "" if self.value is None else str(self.value)


def adjust(count: int, draw: float, threshold: int) -> int:
    """A cell's published figure: 0 stays 0; 1 to threshold-1 become 0 or the threshold,
    the threshold with chance count/threshold (`draw` is uniform in [0, 1)); the rest are
    rounded to the nearest multiple of the threshold, halves up."""
    if count < 0:
        raise ValueError("a count cannot be negative")
    if threshold <= 1:
        return count
    if count < threshold:
        return threshold if count and draw * threshold < count else 0
    return (count + threshold // 2) // threshold * threshold


def shown(adjusted: int, true: int) -> Shown:
    """A sum of adjusted cells as it is shown: hidden when it is 0 but the cells hold items."""
    return Shown(None) if adjusted == 0 and true > 0 else Shown(adjusted)


def protect(count: int, threshold: int) -> Shown:
    """One count published on its own (not part of any table): hidden from 1 to
    threshold-1, otherwise rounded to the nearest multiple of the threshold."""
    if count < 0:
        raise ValueError("a count cannot be negative")
    if threshold <= 1:
        return Shown(count)
    if 0 < count < threshold:
        return Shown(None)
    return Shown((count + threshold // 2) // threshold * threshold)
