"""The roll-up gives the same figures as counting live; the dashboard shows finished months."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from participation import figures, rollup, services
from participation.models import MonthlyCount, RolledUpMonth
from tests.participation.conftest import make_items

pytestmark = pytest.mark.django_db
NOW = "2026-11-20 12:00Z"
TODAY = date(2026, 11, 20)


@pytest.fixture
def items():
    return make_items(
        [{"topic": "housing", "kind": "worry", "mood": 2, "created_at": date(2026, 10, 5)}] * 8
        + [
            {
                "topic": "school",
                "kind": "idea",
                "audience": "care_leaver",
                "created_at": date(2025, 12, 31),
            }
        ]
        * 6
        + [{"topic": "money", "kind": "idea", "created_at": date(2026, 11, 2)}] * 7
    )


def _all_views() -> dict:
    return {
        (p, a): figures.figures(period=p, audience=a, today=TODAY)
        for p in figures.PERIODS
        for a in figures.AUDIENCES
    }


def test_rolled_up_figures_equal_live_ones(items, caseworker):
    theme = services.propose_theme(name="Pocket money", by=caseworker, agreed=True)
    for item in items[:6]:
        services.tag_item(item=item, theme=theme, by=caseworker)
    live = _all_views()
    with time_machine.travel(NOW, tick=False):
        assert rollup.refresh() == 47
    assert RolledUpMonth.objects.count() == 47
    assert MonthlyCount.objects.exists()
    assert not RolledUpMonth.objects.filter(month=date(2026, 11, 1)).exists()
    assert _all_views() == live


def test_this_month_shows_when_it_ends_and_older_tags_after_the_next_refresh(items, caseworker):
    # The 7 November ideas: not while November is open (a figure never moves while a
    # month is open), then counted live until the roll-up stores November.
    def november() -> list[int | None]:
        result = figures.figures(period="3", today=date(2026, 12, 1))
        return [c.value for c in result.table("months").rows[-1].cells]

    assert [r.label for r in figures.figures(period="3", today=TODAY).table("months").rows] == [
        "Aug 2026",
        "Sep 2026",
        "Oct 2026",
    ]
    assert november() == [0, 5, 0, 0, 5]
    with time_machine.travel("2026-12-01 09:00Z", tick=False):
        rollup.refresh()
    assert RolledUpMonth.objects.filter(month=date(2026, 11, 1)).exists()
    assert november() == [0, 5, 0, 0, 5]
    with time_machine.travel(NOW, tick=False):
        rollup.refresh()
    theme = services.propose_theme(name="Pocket money", by=caseworker, agreed=True)
    for item in items[:8]:  # October: rolled up
        services.tag_item(item=item, theme=theme, by=caseworker)
    row = lambda: next(  # noqa: E731
        r
        for r in figures.figures(period="3", today=TODAY).table("themes").rows
        if r.label == "Pocket money"
    )
    assert row().total.value == 0
    with time_machine.travel(NOW, tick=False):
        rollup.refresh()
    assert row().total.value == 10
