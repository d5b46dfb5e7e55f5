"""Small numbers stay hidden: nothing shown, and nothing worked out from what is shown,
is from 1 to the threshold minus one."""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from datetime import date, timedelta

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.models import Item
from feedback.months import month_starts
from participation import figures, rollup
from participation.models import ItemTheme, Meeting, MeetingKind, Theme
from participation.suppression import protect
from tests.conftest import client_for
from tests.participation.conftest import make_items

THRESHOLD = 5
TODAY = date(2026, 11, 15)
TOPICS = ["housing", "money", "health", "school", "where-i-live"]


def test_it_hides_counts_from_one_to_four_and_rounds_the_rest_to_fives():
    shown = [protect(n, 5).value for n in range(0, 14)]
    assert shown == [0, None, None, None, None, 5, 5, 5, 10, 10, 10, 10, 10, 15]


def test_a_shown_figure_is_never_below_the_threshold_nor_far_from_the_truth():
    for threshold in (2, 3, 5, 10):
        for n in range(0, 200):
            value = protect(n, threshold).value
            if value is None:
                assert 0 < n < threshold
            else:
                assert value % threshold == 0
                assert value == 0 or value >= threshold
                assert abs(value - n) <= threshold // 2


class Broken(Exception):
    """Raised to roll back one hypothesis example's rows."""


def _views(
    client: Client, meetings: list[Meeting] = ()
) -> dict[tuple[str, str], dict[tuple[str, str, str], int | None]]:
    """Every view a council member can ask for (the dashboard for each period and group,
    and the board packs, whose period ends at their meeting), read from its CSV."""
    urls = {
        (period, audience): f"/council/figures.csv?period={period}&who={audience}"
        for period, audience in itertools.product(figures.PERIODS, figures.AUDIENCES)
    }
    urls.update({(f"pack {m.pk}", ""): f"/council/meetings/{m.pk}/pack.csv" for m in meetings})
    views = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        cells: dict[tuple[str, str, str], int | None] = {}
        table, header = "", []
        for row in rows:
            if row == ["Actions"]:
                break  # the board pack's list of actions: no counts
            if not row:
                table, header = "", []
            elif len(row) == 1:
                table = row[0]
            elif not table:
                if row[0] == "All items":
                    cells["", "total", ""] = _value(row[1])
            elif not header:
                header = row
            else:
                for column, text in zip(header[1:], row[1:], strict=True):
                    cells[table, row[0], column] = _value(text)
        views[name] = cells
    return views


def _value(text: str) -> int | None:
    if text.startswith("fewer than"):
        return None
    return int(text)


def _derived(views: dict) -> list[tuple[str, int]]:
    """What a reader can work out: each figure, each total less its shown parts (rows and
    columns), and the difference of the same figure between every pair of views."""
    out: list[tuple[str, int]] = []
    for name, cells in views.items():
        out += [(f"{name} {key}", v) for key, v in cells.items() if v is not None]
        rows: dict[tuple[str, str], list] = {}
        columns: dict[tuple[str, str], list] = {}
        for (table, row, column), value in cells.items():
            rows.setdefault((table, row), []).append((column, value))
            columns.setdefault((table, column), []).append((row, value))
        for (table, row), parts in rows.items():
            total = dict(parts).get("All")
            if total is not None:
                shown = [v for c, v in parts if c != "All" and v is not None]
                out.append((f"{name} row {table}/{row}", total - sum(shown)))
        grand = cells.get(("", "total", ""))
        if grand is not None:
            for (table, column), parts in columns.items():
                if table in ("Items by month", "Items by kind", "Items by mood") and column in (
                    "All",
                    "Items",
                ):
                    shown = [v for _r, v in parts if v is not None]
                    out.append((f"{name} column {table}/{column}", grand - sum(shown)))
            # One kind's column over the months against the kinds table.
            kinds = {r: v for (t, r, c), v in cells.items() if t == "Items by kind"}
            for kind, total in kinds.items():
                months = [
                    v
                    for (t, _r, c), v in cells.items()
                    if t == "Items by month" and c == kind and v is not None
                ]
                if total is not None:
                    out.append((f"{name} {kind} over months", total - sum(months)))
    for (a, cells_a), (b, cells_b) in itertools.combinations(views.items(), 2):
        for key in cells_a.keys() & cells_b.keys():
            if cells_a[key] is not None and cells_b[key] is not None:
                out.append((f"{a} vs {b} {key}", cells_a[key] - cells_b[key]))
    return out


item_strategy = st.fixed_dictionaries(
    {
        "days_ago": st.integers(min_value=0, max_value=800),
        "topic": st.sampled_from(TOPICS),
        "kind": st.sampled_from(["compliment", "idea", "worry", "complaint"]),
        "mood": st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
        "audience": st.sampled_from(["in_care", "care_leaver", ""]),
        "tag": st.one_of(st.none(), st.sampled_from([*TOPICS, "own"])),
    }
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(item_strategy, min_size=0, max_size=60))
def test_no_shown_or_derivable_council_figure_is_between_one_and_four(
    specs: list[dict], council_member
) -> None:
    client = client_for(council_member)
    try:
        with time_machine.travel(f"{TODAY.isoformat()} 12:00Z", tick=False), transaction.atomic():
            own = Theme.objects.create(name="Pocket money", state="agreed")
            items = make_items(
                [
                    {
                        "created_at": TODAY - timedelta(days=s["days_ago"]),
                        "topic": s["topic"],
                        "kind": s["kind"],
                        "mood": s["mood"],
                        "audience": s["audience"],
                    }
                    for s in specs
                ]
            )
            ItemTheme.objects.bulk_create(
                ItemTheme(
                    item=item,
                    theme=own if s["tag"] == "own" else Theme.objects.get(topic__slug=s["tag"]),
                )
                for item, s in zip(items, specs, strict=True)
                if s["tag"] is not None
            )
            meetings = [
                Meeting.objects.create(
                    kind=MeetingKind.CORPORATE_PARENTING,
                    title="Board",
                    date=TODAY - timedelta(days=days),
                    period_months=months,
                )
                for days, months in ((0, 12), (45, 3), (200, 6))
            ]
            views = _views(client, meetings)
            for name, value in _derived(views):
                assert not 0 < abs(value) < THRESHOLD, name
            _check_figures_are_near_the_truth(views, specs)
            # The roll-up Celery beat keeps gives the very same pages.
            rollup.refresh(today=TODAY)
            assert _views(client, meetings) == views
            raise Broken
    except Broken:
        pass
    assert not Item.objects.filter(reference__startswith="Z").exists()


def _check_figures_are_near_the_truth(views: dict, specs: list[dict]) -> None:
    """The protection is not an empty page: shown totals are within 2 of the true count."""
    for (period, audience), cells in views.items():
        if period.startswith("pack"):
            continue
        first = month_starts(TODAY, figures.PERIODS[period][0])[0]
        true = Counter(
            s["kind"]
            for s in specs
            if TODAY - timedelta(days=s["days_ago"]) >= first
            and (not audience or s["audience"] == audience)
        )
        total = sum(true.values())
        shown = cells["", "total", ""]
        if shown is None:
            assert 0 < total < THRESHOLD
        else:
            assert abs(shown - total) <= THRESHOLD // 2
