"""The managers' dashboard and the annual complaints report: every figure, every gate.

Fixtures are built at known times and every expected number below is worked out
by hand, so a change in a definition shows up here as a changed number.
"""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from feedback import dispatch, reports, services, workdays
from feedback.models import Identity, Item, Kind, Status, Topic
from portal.models import Membership, Service, User
from tests.conftest import client_for, make_staff, submit

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = datetime(2026, 3, 18, 12, 0, tzinfo=LONDON)  # a Wednesday
_references = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=LONDON)


def make(
    service: str | None,
    kind: str,
    created: datetime,
    *,
    status: str = Status.ROUTED,
    first_response: datetime | None = None,
    on_time: bool | None = None,
    closed: datetime | None = None,
    due_on: date | None = None,
    escalated: bool = False,
    stage: int | None = None,
    extended: bool = False,
) -> Item:
    received = created.astimezone(LONDON).date()

    def days_to(when: datetime | None) -> int | None:
        # As services record them when they happen.
        return (
            workdays.working_days_between(received, when.astimezone(LONDON).date())
            if when
            else None
        )

    return Item.objects.create(
        reference=f"T{next(_references):05d}",
        first_response_days=days_to(first_response),
        close_days=days_to(closed) if status == Status.CLOSED else None,
        kind=kind,
        topic=Topic.objects.get(slug="housing"),
        words="Words that must never reach a report",
        identity=Identity.CONFIDENTIAL,
        status=status,
        service=Service.objects.get(slug=service) if service else None,
        created_at=created,
        first_response_at=first_response,
        first_response_on_time=on_time,
        closed_at=closed,
        due_on=due_on,
        escalated=escalated,
        stage=stage if stage else (1 if kind == Kind.COMPLAINT else None),
        clock_extended=extended,
    )


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def figures(reference_data, frozen) -> None:
    """Items across three services and none, with dates chosen to test each definition.

    The period is April 2025 to March 2026 (London months); today is 18 March 2026.
    """
    # Leaving Care Team.
    # April 2025, just: 23:30 UTC on 31 March is 00:30 on 1 April in London (BST).
    make(
        "leaving-care",
        Kind.COMPLIMENT,
        datetime(2025, 3, 31, 23, 30, tzinfo=UTC),
        status=Status.CLOSED,
        first_response=at(2025, 4, 1, 15),
        on_time=True,
        closed=at(2025, 4, 3),
    )  # 0 working days to respond, 2 to close
    # March 2025 in London, so before the period; open and overdue.
    make(
        "leaving-care",
        Kind.WORRY,
        at(2025, 3, 31),
        status=Status.IN_PROGRESS,
        due_on=date(2025, 4, 10),
    )
    # Sunday 1 June 2025 in London (23:30 UTC on 31 May).
    make(
        "leaving-care",
        Kind.IDEA,
        datetime(2025, 5, 31, 23, 30, tzinfo=UTC),
        status=Status.CLOSED,
        first_response=at(2025, 6, 3),
        on_time=True,
        closed=at(2025, 6, 10),
    )  # 2 working days to respond, 7 to close
    make(
        "leaving-care",
        Kind.COMPLIMENT,
        at(2026, 2, 2),
        status=Status.CLOSED,
        first_response=at(2026, 2, 3, 9),
        on_time=True,
        closed=at(2026, 2, 9, 15),
    )  # 1, 5
    make(
        "leaving-care", Kind.IDEA, at(2026, 2, 10), status=Status.WITHDRAWN, closed=at(2026, 2, 11)
    )  # withdrawn: not in the time to close
    make(
        "leaving-care",
        Kind.IDEA,
        at(2026, 3, 2, 9),
        status=Status.RESPONDED,
        first_response=at(2026, 3, 4, 10),
        on_time=True,
    )  # 2 working days
    make(
        "leaving-care",
        Kind.WORRY,
        at(2026, 3, 5, 10),
        status=Status.IN_PROGRESS,
        first_response=at(2026, 3, 16, 9),
        on_time=False,
        due_on=date(2026, 3, 17),
        escalated=True,
    )  # 7 working days; overdue
    make("leaving-care", Kind.COMPLAINT, at(2026, 3, 10, 11), due_on=date(2026, 3, 24))
    # Virtual School.
    make(
        "virtual-school",
        Kind.IDEA,
        at(2026, 3, 3, 9),
        status=Status.RESPONDED,
        first_response=at(2026, 3, 3, 16),
        on_time=True,
    )
    make(
        "virtual-school",
        Kind.COMPLAINT,
        at(2026, 1, 15),
        status=Status.IN_PROGRESS,
        stage=2,
        due_on=date(2026, 3, 1),
        extended=True,
        escalated=True,
    )
    # Complaints Team.
    make(
        "complaints",
        Kind.COMPLAINT,
        at(2026, 3, 11),
        status=Status.ACKNOWLEDGED,
        first_response=at(2026, 3, 12),
        on_time=True,
        due_on=date(2026, 3, 25),
    )
    make(
        "complaints",
        Kind.COMPLAINT,
        at(2025, 11, 20),
        status=Status.IN_PROGRESS,
        stage=3,
        due_on=date(2026, 3, 10),
        escalated=True,
    )
    make(
        "complaints",
        Kind.COMPLAINT,
        at(2026, 2, 2),
        status=Status.IN_PROGRESS,
        due_on=date(2026, 3, 16),
        extended=True,
    )
    # Over Christmas: 3 working days to respond (23, 24, 29 December), 8 to close
    # (and 30, 31 December, 2, 5, 6 January).
    make(
        "complaints",
        Kind.COMPLAINT,
        at(2025, 12, 22),
        status=Status.CLOSED,
        first_response=at(2025, 12, 29),
        on_time=True,
        closed=at(2026, 1, 6),
    )
    # Not routed yet.
    make(None, Kind.IDEA, at(2026, 3, 18, 8), status=Status.SUBMITTED)


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode())))


def cells(text: str) -> list[str]:
    """A CSV row's figures written compactly: space-separated, "-" for an empty cell."""
    return ["" if cell == "-" else cell for cell in text.split()]


HEADER = [
    "Service",
    "Month received",
    "Compliments",
    "Ideas",
    "Worries",
    "Complaints",
    "Received",
    "First responses",
    "First responses within target",
    "Within target (%)",
    "Open now",
    "Overdue now",
    "Median working days to first response",
    "Median working days to close",
    "Escalated",
]
MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + ["2026-01", "2026-02", "2026-03"]
# compliments ideas worries complaints received | first responses, within target, % |
# open now, overdue now | median working days to first response, to close | escalated
EMPTY = cells("0 0 0 0 0  0 0 -  0 0  - -  0")
LEAVING_CARE = {
    "2025-04": cells("1 0 0 0 1  1 1 100  0 0  0 2    0"),
    "2025-06": cells("0 1 0 0 1  1 1 100  0 0  2 7    0"),
    "2026-02": cells("1 1 0 0 2  1 1 100  0 0  1 5    0"),
    "2026-03": cells("0 1 1 1 3  2 1 50   3 1  4.5 -  1"),
}
LEAVING_CARE_TOTAL = cells("2 3 1 1 7  5 4 80  3 1  2 5  1")


def test_a_manager_sees_their_service_month_by_month(figures, manager):
    rows = read_csv(client_for(manager).get(reverse("feedback:dashboard_csv")))

    assert rows[0] == HEADER
    expected = [["Leaving Care Team", m, *LEAVING_CARE.get(m, EMPTY)] for m in MONTHS]
    expected.append(["Leaving Care Team", "Last 12 months", *LEAVING_CARE_TOTAL])
    assert rows[1:14] == expected
    # Open and overdue of any age include the worry from March 2025; no complaints stages.
    assert rows[14:] == [
        [],
        ["Service", "Open now, any age", "Overdue now, any age"],
        ["Leaving Care Team", "4", "2"],
    ]


def test_the_dashboard_page_shows_the_same_figures_for_the_managers_services_only(figures, manager):
    response = client_for(manager).get(reverse("feedback:dashboard"))
    page = response.content.decode()

    assert response.status_code == 200
    assert "Leaving Care Team: items by month received" in page
    assert "Virtual School" not in page and "Complaints Team" not in page
    assert "Open now: 4. Overdue now: 2." in page
    assert "1 of 2 (50%)" in page  # March 2026
    assert "4 of 5 (80%)" in page  # the last 12 months
    assert "<td>4.5</td>" in page
    assert "Apr 2025" in page and "Mar 2026" in page and "Mar 2025" not in page
    assert "Complaints procedure now" not in page
    assert "never reach" not in page  # no words
    assert not [ref for ref in Item.objects.values_list("reference", flat=True) if ref in page]


def test_the_dashboard_model_gives_the_same_figures(figures, manager):
    lc = Service.objects.get(slug="leaving-care")
    dashboard = reports.dashboard(Item.objects.for_services({lc.pk}), [lc])

    assert dashboard.today == date(2026, 3, 18)
    assert dashboard.months[0] == date(2025, 4, 1) and dashboard.months[-1] == date(2026, 3, 1)
    assert dashboard.overall is None
    (section,) = dashboard.services
    march = section.months[date(2026, 3, 1)]
    assert march.received == {"compliment": 0, "idea": 1, "worry": 1, "complaint": 1}
    assert (march.responded, march.on_time, march.on_time_percent) == (2, 1, 50)
    assert (march.median_to_first_response, march.median_to_close) == (4.5, None)
    assert sorted(section.total.to_first_response.elements()) == [0, 1, 2, 2, 7]
    assert sorted(section.total.to_close.elements()) == [2, 5, 7]


def test_services_fix_working_days_to_first_response_and_to_close_when_they_happen(
    care_leaver, caseworker
):
    # Received Friday 27 March 2026; answered Tuesday 7 April: 30, 31 March, 1 and 2
    # April, then Good Friday and Easter Monday are not working days, then the 7th.
    with time_machine.travel(at(2026, 3, 27), tick=False):
        item = submit(care_leaver).item
        dispatch.route_item(item.pk)
    with time_machine.travel(at(2026, 4, 7), tick=False):
        services.staff_reply(item=Item.objects.get(pk=item.pk), by=caseworker, text="Done")
    with time_machine.travel(at(2026, 4, 9), tick=False):
        services.answer_sorted(item=Item.objects.get(pk=item.pk), by=care_leaver, sorted_=True)
    item.refresh_from_db()
    assert (item.first_response_days, item.close_days) == (5, 7)


def test_a_manager_of_one_service_and_caseworker_in_another_sees_only_the_one(figures):
    user = make_staff("robin", "virtual-school", Membership.Role.MANAGER)
    Membership.objects.create(user=user, service=Service.objects.get(slug="leaving-care"))

    rows = read_csv(client_for(user).get(reverse("feedback:dashboard_csv")))

    assert {row[0] for row in rows[1:14]} == {"Virtual School"}
    assert rows[13] == [
        "Virtual School",
        "Last 12 months",
        *cells("0 1 0 1 2  1 1 100  2 1  0 -  1"),
    ]
    assert rows[16] == ["Virtual School", "2", "1"]


def test_the_complaints_manager_sees_every_service_the_unrouted_and_the_stages(
    figures, complaints_manager
):
    rows = read_csv(client_for(complaints_manager).get(reverse("feedback:dashboard_csv")))

    sections = list(dict.fromkeys(row[0] for row in rows[1:] if row and row[1] in MONTHS))
    assert sections == [
        "All services",
        *Service.objects.order_by("name").values_list("name", flat=True),
        "Not routed yet",
    ]
    totals = {row[0]: row[2:] for row in rows if len(row) == 15 and row[1] == "Last 12 months"}
    # 14 items in the period; first responses 8, 7 within target = 87.5%, rounded up;
    # days to first response 0,0,1,1,2,2,3,7 (median 1.5); to close 2,5,7,8 (median 6).
    assert totals["All services"] == cells("2 5 1 6 14  8 7 88  9 4  1.5 6  3")
    assert totals["Leaving Care Team"] == LEAVING_CARE_TOTAL
    assert totals["Complaints Team"] == cells("0 0 0 4 4  2 2 100  3 2  2 8  1")
    assert totals["Not routed yet"] == cells("0 1 0 0 1  0 0 -  1 0  - -  0")
    assert totals["Fostering"] == EMPTY

    any_age = rows[rows.index(["Service", "Open now, any age", "Overdue now, any age"]) + 1 :]
    any_age = {row[0]: row[1:] for row in itertools.takewhile(bool, any_age)}
    assert any_age["All services"] == ["10", "5"]
    assert any_age["Complaints Team"] == ["3", "2"]
    assert any_age["Not routed yet"] == ["1", "0"]
    assert rows[-4:] == [
        ["Complaint stage", "Open now", "Overdue now", "Extended"],
        ["1", "3", "1", "1"],
        ["2", "1", "1", "1"],
        ["3", "1", "1", "0"],
    ]
    page = client_for(complaints_manager).get(reverse("feedback:dashboard")).content.decode()
    assert "Complaints procedure now" in page and "Not routed yet" in page
    assert reverse("feedback:complaints_report") in page


def test_the_dashboard_costs_the_same_few_queries_however_many_items(
    figures, complaints_manager, django_assert_max_num_queries
):
    # Session, user, second factor, services, then one query per table (the closure
    # days may add one), and two for children at risk: 12 in all, for any number of
    # items. The first request also saves the new session, so it is left out.
    client = client_for(complaints_manager)
    client.get(reverse("feedback:dashboard"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("feedback:dashboard")).status_code == 200
    for n in range(60):
        make(
            ["leaving-care", "virtual-school", "complaints", None][n % 4],
            Kind.values[n % 4],
            at(2025, 4 + n % 9, 1 + n % 27),
            status=[Status.ROUTED, Status.CLOSED][n % 2],
            first_response=at(2025, 4 + n % 9, 28),
            on_time=bool(n % 3),
            closed=at(2026, 1, 1 + n % 28) if n % 2 else None,
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("feedback:dashboard")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("feedback:dashboard_csv")).status_code == 200


def test_a_service_name_cannot_become_a_spreadsheet_formula(figures, manager):
    Service.objects.filter(slug="leaving-care").update(name="=HYPERLINK(1)")

    rows = read_csv(client_for(manager).get(reverse("feedback:dashboard_csv")))

    assert rows[1][0] == "'=HYPERLINK(1)"


# --- The annual complaints report --------------------------------------------------


def travel(when: datetime):
    return time_machine.travel(when, tick=False)


def complain(when: datetime, author: User, topic: str, advocate: bool = False) -> Item:
    with travel(when):
        result = submit(
            author,
            kind=Kind.COMPLAINT,
            topic=topic,
            advocate_requested=advocate,
            words="My personal adviser did not call me back",
        )
        assert dispatch.route_item(result.item.pk)
    return Item.objects.get(pk=result.item.pk)


@pytest.fixture
def complaints_year(care_leaver, complaints_manager) -> dict[str, Item]:
    """Complaints worked through the real services, so events are what the app writes."""
    cm, yp = complaints_manager, care_leaver

    def do(when: datetime, action, item: Item, **kwargs) -> Item:
        with travel(when):
            action(item=item, **kwargs)
        return Item.objects.get(pk=item.pk)

    # Answered at stage 1 in time (due 20 January), then sorted.
    p1 = complain(at(2025, 1, 6, 10), yp, "treated", advocate=True)
    p1 = do(at(2025, 1, 15), services.resolve, p1, by=cm, outcome="upheld", text="Sorry.")
    p1 = do(at(2025, 1, 16), services.answer_sorted, p1, by=yp, sorted_=True)
    # Stage 1 extended (due 3 March) and answered in time; stage 2 answered late.
    p2 = complain(at(2025, 2, 3, 10), yp, "housing")
    p2 = do(at(2025, 2, 10), services.extend_clock, p2, by=cm, reason="Advocate needed")
    assert p2.due_on == date(2025, 3, 3)
    p2 = do(at(2025, 2, 25), services.resolve, p2, by=cm, outcome="partly_upheld", text="Part.")
    p2 = do(at(2025, 3, 3), services.request_next_stage, p2, by=yp, from_stage=1)
    assert p2.due_on == date(2025, 4, 7)  # 25 working days over Good Friday and Easter Monday
    p2 = do(at(2025, 4, 30), services.resolve, p2, by=cm, outcome="not_upheld", text="No.")
    # Moved to stage 2 with no stage 1 answer, extended there, still open.
    p3 = complain(at(2025, 6, 2, 10), yp, "housing", advocate=True)
    p3 = do(
        at(2025, 6, 20), services.move_stage, p3, by=cm, reason="Needs investigation", from_stage=1
    )
    p3 = do(at(2025, 7, 1), services.extend_clock, p3, by=cm, reason="Independent person away")
    # Withdrawn.
    p4 = complain(at(2025, 9, 1, 10), yp, "money")
    p4 = do(at(2025, 9, 5), services.withdraw, p4, by=yp)
    # Stage 1 answered late (due 15 October); not sorted, so the clock starts again
    # (due 17 November) and the second answer is in time; stage 2 moved on with no
    # answer; stage 3 (due 15 January, over Christmas) answered in time.
    p5 = complain(at(2025, 10, 1, 10), yp, "treated")
    assert p5.due_on == date(2025, 10, 15)
    p5 = do(at(2025, 10, 30), services.resolve, p5, by=cm, outcome="resolved_informally", text="A.")
    p5 = do(at(2025, 11, 3), services.answer_sorted, p5, by=yp, sorted_=False)
    assert p5.due_on == date(2025, 11, 17)
    p5 = do(at(2025, 11, 10), services.resolve, p5, by=cm, outcome="upheld", text="B.")
    p5 = do(at(2025, 11, 20), services.request_next_stage, p5, by=yp, from_stage=1)
    p5 = do(at(2025, 12, 1), services.move_stage, p5, by=cm, reason="Panel", from_stage=2)
    assert p5.due_on == date(2026, 1, 15)
    p5 = do(at(2026, 1, 5), services.resolve, p5, by=cm, outcome="upheld", text="C.")
    # Received at 23:30 on New Year's Eve (GMT): 2025. Open, untouched.
    p8 = complain(datetime(2025, 12, 31, 23, 30, tzinfo=UTC), yp, "other")
    # Not in 2025: the last minutes of 2024, January 2026, and an idea.
    complain(datetime(2024, 12, 31, 23, 30, tzinfo=UTC), yp, "treated")
    complain(at(2026, 1, 2), yp, "treated")
    with travel(at(2025, 5, 5)):
        submit(yp, kind=Kind.IDEA, topic="housing")
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "p8": p8}


def test_the_annual_report_counts_complaints_received_in_the_year(complaints_year):
    report = reports.complaints_report(Item.objects.all(), 2025)

    assert report.received == 6
    assert [s.reached for s in report.stages] == [3, 2, 1]
    assert {line.key: line.count for line in report.outcomes} == {
        "upheld": 2,
        "partly_upheld": 0,
        "not_upheld": 1,
        "resolved_informally": 0,
        "withdrawn": 1,
        "erased": 0,  # closed when the young person's data was erased (feedback.privacy)
        "still_open": 2,
    }
    topics = {line.key: line.count for line in report.topics}
    assert topics == dict.fromkeys(Topic.objects.values_list("slug", flat=True), 0) | {
        "treated": 2,
        "housing": 2,
        "money": 1,
        "other": 1,
    }
    answers = [
        (s.stage, s.answers, s.within, s.within_after_extension, s.late, s.extended)
        for s in report.stages
    ]
    assert answers == [(1, 4, 3, 1, 1, 1), (2, 1, 0, 0, 1, 1), (3, 1, 1, 0, 0, 0)]
    assert (report.advocacy_offered, report.advocacy_taken_up) == (6, 2)


def test_the_report_page_and_csv_show_the_figures_and_nothing_that_identifies_anyone(
    complaints_year, complaints_manager
):
    client = client_for(complaints_manager)
    response = client.get(reverse("feedback:complaints_report"), {"year": "2025"})
    page = response.content.decode()

    assert response.status_code == 200
    assert "Complaints report 2025" in page
    for item in complaints_year.values():
        assert item.reference not in page
    assert "did not call me back" not in page and "Jade" not in page and "Sam" not in page

    rows = read_csv(client.get(reverse("feedback:complaints_report_csv"), {"year": "2025"}))
    assert rows[0] == ["Section", "Measure", "Value"]
    assert ["Received", "Complaints received in 2025", "6"] in rows
    assert ["Highest stage reached", "Stage 2", "2"] in rows
    assert ["Topic", "How I was treated", "2"] in rows
    assert ["Topic", "School and learning", "0"] in rows
    assert ["Outcome", "Upheld", "2"] in rows
    assert ["Outcome", "Still open", "2"] in rows
    assert ["Answers at stage 1", "Within the timescale", "3"] in rows
    assert ["Answers at stage 1", "Within the timescale after an extension", "1"] in rows
    assert ["Answers at stage 2", "Late", "1"] in rows
    assert ["Answers at stage 2", "Extended", "1"] in rows
    assert ["Advocacy", "Offered", "6"] in rows
    assert ["Advocacy", "Taken up", "2"] in rows
    # Outcomes: five, "erased" (closed on erasure) and still open.
    assert len(rows) == 1 + 1 + 3 + Topic.objects.count() + 7 + 15 + 2
    csv_text = "\n".join(",".join(row) for row in rows)
    for item in complaints_year.values():
        assert item.reference not in csv_text


def test_the_report_for_another_year_counts_only_that_year(complaints_year):
    report = reports.complaints_report(Item.objects.all(), 2026)
    assert report.received == 1
    assert reports.complaints_report(Item.objects.all(), 2024).received == 1


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "20 25", "²⁰²⁵", "-2025", "2025.0"])
def test_a_bad_year_is_explained_with_a_400(complaints_manager, year):
    client = client_for(complaints_manager)
    response = client.get(reverse("feedback:complaints_report"), {"year": year})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a year from 2000 to 2100" in page
    assert "<title>Error:" in page
    csv_response = client.get(reverse("feedback:complaints_report_csv"), {"year": year})
    assert csv_response.status_code == 400


def test_with_no_year_the_report_is_for_this_year(complaints_manager, frozen):
    response = client_for(complaints_manager).get(reverse("feedback:complaints_report"))
    assert response.status_code == 200
    assert "Complaints report 2026" in response.content.decode()


# --- Who may see what ----------------------------------------------------------------

PAGES = ["dashboard", "dashboard_csv", "complaints_report", "complaints_report_csv"]


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("young_person", set()),
        ("council_member", set()),
        ("caseworker", set()),
        ("other_caseworker", set()),
        ("duty_worker", set()),
        ("manager", {"dashboard", "dashboard_csv"}),
        ("complaints_manager", set(PAGES)),
    ],
)
def test_each_persona_gets_only_their_pages(request, persona, allowed):
    client = client_for(request.getfixturevalue(persona))
    for page in PAGES:
        status = client.get(reverse(f"feedback:{page}")).status_code
        assert status == (200 if page in allowed else 404), (persona, page, status)


def test_signed_out_people_are_sent_to_sign_in(db):
    for page in PAGES:
        response = client_for(None).get(reverse(f"feedback:{page}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_staff_without_a_second_factor_are_sent_to_set_one_up(reference_data):
    user = make_staff("noel", "leaving-care", Membership.Role.MANAGER, mfa=False)
    for page in PAGES:
        response = client_for(user).get(reverse(f"feedback:{page}"))
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
