"""The manager's dashboard: each worker's open and overdue items and oldest clock, what
nobody has, and reassigning from there (through services.assign, with its checks)."""

from __future__ import annotations

import html
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback import dispatch
from feedback.models import Event, EventKind, Item
from portal.models import Membership, User
from tests.conftest import client_for, make_staff, submit

pytestmark = pytest.mark.django_db

TEAM = "/staff/team/"
# Monday 1 March 2027: an idea's acknowledgement is due on Wednesday 3 March.
SENT = "2027-03-01 10:00Z"
LATER = "2027-03-08 10:00Z"  # Monday: three working days past it


def routed(author: User, **extra: object) -> Item:
    item = submit(author, **extra).item
    dispatch.route_item(item.pk)
    item.refresh_from_db()
    return item


def assigned(item: Item, to: User | None) -> Item:
    Item.objects.filter(pk=item.pk).update(assignee=to)
    item.refresh_from_db()
    return item


def table_rows(page: str, service: str) -> dict[str, list[str]]:
    """The "Who has what" table of one service: each worker's cells, by name."""
    caption = f"Who has what in {service}"
    found = re.search(rf"{re.escape(caption)}</caption>(.*?)</table>", page, re.S)
    assert found, f"no table for {service}"
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S)[1:]:
        cells = [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


@pytest.fixture
def team(caseworker: User, manager: User, care_leaver: User) -> dict[str, object]:
    """Casey has two (one overdue, one made later), Lee one, and nobody has two."""
    lee = make_staff("lee", "leaving-care")
    with time_machine.travel(SENT, tick=False):
        old = assigned(routed(care_leaver), caseworker)
        lees = assigned(routed(care_leaver, kind="compliment"), lee)
        nobody = [routed(care_leaver), routed(care_leaver, kind="compliment")]
    with time_machine.travel("2027-03-05 10:00Z", tick=False):
        recent = assigned(routed(care_leaver), caseworker)  # due Tuesday 9 March
    return {"lee": lee, "old": old, "lees": lees, "nobody": nobody, "recent": recent}


@pytest.mark.travel(LATER)
def test_a_manager_sees_each_workers_open_and_overdue_items_and_oldest_clock(
    manager: User, team: dict[str, object]
) -> None:
    page = client_for(manager).get(TEAM).content.decode()
    rows = table_rows(page, "Leaving Care Team")
    assert rows["Casey"] == ["2", "1", "overdue by 3 working days (was due Wed 3 Mar)"]
    assert rows["Lee"] == ["1", "1", "overdue by 3 working days (was due Wed 3 Mar)"]
    assert rows["Morgan"] == ["0", "0", "None"]
    assert rows["Nobody"] == ["2", "2", "overdue by 3 working days (was due Wed 3 Mar)"]
    assert "5 open items." in page and "2 have nobody." in page
    # The items nobody has, each with a choice of the team's members to give it to.
    for item in team["nobody"]:  # type: ignore[attr-defined]
        assert f'action="/staff/team/items/{item.reference}/assign/"' in page
    # No young person's words on this page.
    assert "More help finding a flat" not in page


@pytest.mark.travel("2027-03-02 10:00Z")
def test_a_clock_still_running_says_when_it_is_due(manager: User, team: dict[str, object]) -> None:
    rows = table_rows(client_for(manager).get(TEAM).content.decode(), "Leaving Care Team")
    assert rows["Lee"] == ["1", "0", "due in 1 working day (Wed 3 Mar)"]


@pytest.mark.travel(LATER)
def test_the_manager_reassigns_an_item_to_another_worker_from_the_dashboard(
    manager: User, caseworker: User, team: dict[str, object]
) -> None:
    item: Item = team["nobody"][0]  # type: ignore[index]
    client = client_for(manager)
    response = client.post(
        f"/staff/team/items/{item.reference}/assign/", {"assignee": caseworker.pk}
    )
    assert response.status_code == 302 and response["Location"].startswith(TEAM)
    item.refresh_from_db()
    assert item.assignee == caseworker
    event = Event.objects.filter(item=item, kind=EventKind.ASSIGNED).get()
    assert event.actor == manager
    page = client.get(TEAM).content.decode()
    assert f"{item.reference} is now with Casey." in page
    assert table_rows(page, "Leaving Care Team")["Casey"][0] == "3"


@pytest.mark.travel(LATER)
def test_reassigning_to_someone_outside_the_service_is_refused_and_changes_nothing(
    manager: User, other_caseworker: User, team: dict[str, object]
) -> None:
    item: Item = team["old"]  # type: ignore[assignment]
    response = client_for(manager).post(
        f"/staff/team/items/{item.reference}/assign/", {"assignee": other_caseworker.pk}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#assign-{item.reference}"' in page
    assert "Choose someone in this item's service." in html.unescape(page)
    item.refresh_from_db()
    assert item.assignee is not None and item.assignee.username == "casey"
    assert not Event.objects.filter(item=item, kind=EventKind.ASSIGNED).exists()


@pytest.mark.travel(LATER)
def test_a_worker_who_left_the_team_still_shows_with_their_items(
    manager: User, caseworker: User, team: dict[str, object]
) -> None:
    Membership.objects.filter(user=team["lee"]).delete()
    rows = table_rows(client_for(manager).get(TEAM).content.decode(), "Leaving Care Team")
    assert rows["Lee not in this team"][0] == "1"


@pytest.mark.travel(LATER)
@pytest.mark.parametrize(
    "persona", ["caseworker", "other_caseworker", "advocate", "partner_worker", "care_leaver"]
)
def test_anyone_but_a_manager_gets_not_found(
    request: pytest.FixtureRequest, persona: str, team: dict[str, object]
) -> None:
    client = client_for(request.getfixturevalue(persona))
    item: Item = team["old"]  # type: ignore[assignment]
    assert client.get(TEAM).status_code == 404
    response = client.post(f"/staff/team/items/{item.reference}/assign/", {"assignee": ""})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.assignee is not None


@pytest.mark.travel(LATER)
def test_another_services_manager_neither_sees_nor_reassigns_this_teams_items(
    team: dict[str, object], reference_data: None
) -> None:
    fostering = make_staff("fran", "fostering", Membership.Role.MANAGER)
    client = client_for(fostering)
    page = client.get(TEAM).content.decode()
    assert "Leaving Care Team" not in page
    item: Item = team["old"]  # type: ignore[assignment]
    assert client.post(f"/staff/team/items/{item.reference}/assign/", {}).status_code == 404
    item.refresh_from_db()
    assert item.assignee is not None


@pytest.mark.travel(LATER)
def test_the_complaints_manager_sees_every_team(
    complaints_manager: User, duty_worker: User, team: dict[str, object]
) -> None:
    page = client_for(complaints_manager).get(TEAM).content.decode()
    assert table_rows(page, "Leaving Care Team")["Casey"][0] == "2"
    assert table_rows(page, "Safeguarding Duty Team")["Dana"] == ["0", "0", "None"]


@pytest.mark.travel(LATER)
def test_the_queries_do_not_grow_with_the_items(
    manager: User, care_leaver: User, team: dict[str, object]
) -> None:
    client = client_for(manager)
    client.get(TEAM)  # the session's first request sets it up

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(TEAM).status_code == 200
        return len(captured)

    # Each time a new list, so each time its read is put on record (a repeat is not).
    assigned(routed(care_leaver), team["lee"])  # type: ignore[arg-type]
    before = queries()
    for _ in range(6):
        assigned(routed(care_leaver), team["lee"])  # type: ignore[arg-type]
    assert queries() == before
