"""The council's dashboard: counts by theme, kind, mood and month, charts drawn on the server."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine

from participation import figures, services
from participation.models import ItemTheme, MeetingKind, Theme, ThemeState
from portal.models import AuditEntry, AuditKind
from tests.conftest import client_for
from tests.participation.conftest import make_items, theme_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_cells_down")]
NOW = "2026-11-20 12:00Z"


@pytest.fixture
def items():
    specs = (
        [
            {
                "topic": "housing",
                "kind": "worry",
                "mood": 2,
                "audience": "care_leaver",
                "created_at": date(2026, 10, 5),
            }
        ]
        * 8
        + [
            {
                "topic": "school",
                "kind": "idea",
                "mood": 4,
                "audience": "in_care",
                "created_at": date(2026, 9, 9),
            }
        ]
        * 6
        + [
            {
                "topic": "money",
                "kind": "complaint",
                "audience": "care_leaver",
                "created_at": date(2026, 4, 1),
            }
        ]
        * 2
        + [
            {
                "topic": "school",
                "kind": "idea",
                "audience": "in_care",
                "created_at": date(2024, 1, 1),
            }
        ]
        * 9
    )
    return make_items(specs)


def _row(result: figures.Figures, table: str, label: str) -> list[int | None]:
    row = next(r for r in result.table(table).rows if r.label == label)
    return [cell.value for cell in row.cells]


def test_figures_count_by_theme_kind_mood_and_month_and_hide_small_numbers(items):
    with time_machine.travel(NOW, tick=False):
        result = figures.figures(period="12")
    # Columns: compliment, idea, worry, complaint, all.
    assert _row(result, "themes", "Leaving care: housing") == [0, 0, 10, 0, 10]
    assert _row(result, "themes", "School and learning") == [0, 5, 0, 0, 5]
    assert _row(result, "themes", "Leaving care: money") == [0, 0, 0, None, None]
    assert _row(result, "months", "Oct 2026") == [0, 0, 10, 0, 10]
    assert _row(result, "moods", "Unhappy") == [10]
    assert _row(result, "moods", "No mood given") == [None]
    assert result.total.value == 15  # 16 items


def test_care_leavers_only(items):
    with time_machine.travel(NOW, tick=False):
        result = figures.figures(period="12", audience="care_leaver")
    assert _row(result, "themes", "School and learning") == [0, 0, 0, 0, 0]
    assert result.total.value == 10


def test_a_tag_counts_an_item_under_a_theme_once(items, caseworker):
    pocket = services.propose_theme(name="Pocket money", by=caseworker, agreed=True)
    for item in items[:8]:  # housing worries
        services.tag_item(item=item, theme=pocket, by=caseworker)
        # Tagged with its own topic's theme as well: still counted once there.
        services.tag_item(item=item, theme=theme_of("housing"), by=caseworker)
    assert ItemTheme.objects.count() == 16
    with time_machine.travel(NOW, tick=False):
        result = figures.figures(period="12")
    assert _row(result, "themes", "Pocket money") == [0, 0, 10, 0, 10]
    assert _row(result, "themes", "Leaving care: housing") == [0, 0, 10, 0, 10]


def test_the_page_draws_each_chart_as_svg_with_a_title_and_the_same_figures_in_a_table(
    items, council_member, django_assert_max_num_queries
):
    client = client_for(council_member)
    # The months and the months before (for the change): roll-up and live cells, each
    # three queries whatever the number of items; the actions ended in each.
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(20):
        response = client.get("/council/?period=12")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") == 6
    assert page.count("<table>") == 6
    for title in (
        "Items by theme",
        "Items by month",
        "Items by kind",
        "Items by mood",
        "What happened",
        "You Said, We Did actions",
    ):
        assert '<title id="chart-' in page and title in page
    assert "style=" not in page
    assert "<style" not in page
    assert "fewer than 5" in page
    assert "rounded to the nearest 5" in page
    # The bar for housing is drawn at the rounded figure, shown beside it.
    assert re.search(r'<text x="[\d.]+" y="\d+" font-size="13" fill="#0b0c0c">10</text>', page)


def test_the_csv_has_the_same_figures_as_the_page(items, council_member):
    client = client_for(council_member)
    with time_machine.travel(NOW, tick=False):
        body = client.get("/council/figures.csv?period=12&who=care_leaver").content.decode()
    assert "Leaving care: housing,0,0,10,0,10" in body
    assert "Leaving care: money,0,0,0,fewer than 5,fewer than 5" in body
    assert "Who,Care leavers" in body


def test_odd_filters_fall_back_to_the_defaults(items, council_member):
    client = client_for(council_member)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/council/?period=999&who=%00")
    assert response.status_code == 200
    assert 'value="12" selected' in response.content.decode()


def test_the_query_count_does_not_grow_with_items(council_member, django_assert_max_num_queries):
    made = make_items([{"topic": "housing", "created_at": date(2026, 10, 1)}] * 300)
    own = Theme.objects.create(name="Pocket money", state=ThemeState.AGREED)
    ItemTheme.objects.bulk_create(ItemTheme(item=item, theme=own) for item in made[:100])
    client = client_for(council_member)
    with django_assert_max_num_queries(20):
        assert client.get("/council/").status_code == 200


def test_a_theme_name_cannot_run_as_a_spreadsheet_formula(council_member, caseworker):
    services.propose_theme(name="=HYPERLINK(1)", by=caseworker, agreed=True)
    body = client_for(council_member).get("/council/figures.csv").content.decode()
    assert "'=HYPERLINK(1)" in body
    assert "\n=HYPERLINK" not in body


@pytest.mark.parametrize("start", ["\t", "\r", "+", "-", "@"])
def test_a_theme_name_led_by_a_tab_or_a_sign_cannot_run_as_a_formula(council_member, start):
    # Straight into the table: the services trim names, an import or the admin may not.
    Theme.objects.create(name=f"{start}=HYPERLINK(1)", state=ThemeState.AGREED)
    body = client_for(council_member).get("/council/figures.csv").content.decode()
    assert f"'{start}=HYPERLINK(1)" in body


@pytest.mark.travel(NOW)
def test_every_council_export_is_on_record_with_who_took_it(council_member, participation_officer):
    meeting = services.create_meeting(
        kind=MeetingKind.CORPORATE_PARENTING,
        title="Corporate Parenting Board",
        on=date(2026, 11, 20),
        by=participation_officer,
    )
    client = client_for(council_member)
    assert client.get("/council/figures.csv?period=6").status_code == 200
    assert client.get(f"/council/meetings/{meeting.pk}/pack.csv").status_code == 200
    entries = AuditEntry.objects.named().filter(kind=AuditKind.EXPORT).order_by("pk")
    # A council member is a young person: on record by id, never shown by name.
    assert [(e.user_id, e.who_shown, e.detail) for e in entries] == [
        (council_member.pk, f"#{council_member.pk}", "council-2026-05-2026-10-all.csv"),
        (council_member.pk, f"#{council_member.pk}", "board-pack-2026-11-20.csv"),
    ]


def test_what_happened_shows_answers_sorted_changes_and_the_months_before(
    council_member, participation_officer, manager
):
    # October: 8 answered on time, 6 late, 2 of the on-time said it sorted it. The months
    # before: 13 answered on time.
    make_items(
        [{"topic": "school", "created_at": date(2026, 10, 2), "first_response_on_time": True}] * 8
        + [{"topic": "school", "created_at": date(2026, 10, 3), "first_response_on_time": False}]
        * 6
        + [{"topic": "money", "created_at": date(2025, 8, 3), "first_response_on_time": True}] * 13
    )
    action = services.propose_action(
        you_said="Buses are late", themes=[theme_of("school")], by=participation_officer
    )
    services.agree_action(
        action=action,
        by=participation_officer,
        service=manager.memberships.first().service,
        lead=manager,
        we_will="Talk to the bus company",
    )
    with time_machine.travel("2026-10-20 12:00Z", tick=False):
        services.update_action(
            action=action, by=manager, text="New timetable", status="done", we_did="Earlier bus"
        )
    client = client_for(council_member)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/council/?period=12").content.decode()
        body = client.get("/council/figures.csv?period=12").content.decode()
    assert "Answered on time,10,15" in body
    assert "Answered late,5,0" in body
    assert "Done,1,0" in body
    assert (
        "About 10 of 15 answered items were answered on time; down 5 on the months before." in page
    )
    assert "Actions done: 1; found not possible: 0; done up 1 on the months before." in page
    assert "The busiest month was Oct 2026 (about 15 items)." in page
