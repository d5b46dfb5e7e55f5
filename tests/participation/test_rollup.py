"""The roll-up gives the same figures as counting live; the current month is always live."""

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
        assert rollup.refresh() == 23
    assert RolledUpMonth.objects.count() == 23
    assert MonthlyCount.objects.exists()
    assert not RolledUpMonth.objects.filter(month=date(2026, 11, 1)).exists()
    assert _all_views() == live


def test_new_items_this_month_show_at_once_and_older_tags_after_the_next_refresh(items, caseworker):
    with time_machine.travel(NOW, tick=False):
        rollup.refresh()
    make_items(
        [{"topic": "money", "kind": "idea", "created_at": date(2026, 11, 3)}] * 3, prefix="Y"
    )
    result = figures.figures(period="3", today=TODAY)
    assert [c.value for c in result.table("months").rows[-1].cells] == [0, 10, 0, 0, 10]
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
