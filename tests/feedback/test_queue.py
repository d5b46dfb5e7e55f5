"""The caseworker's queue: what waits on the young person has its own list, and a move
to another service ends on a page that says where it went."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from feedback import dispatch, services
from feedback.models import Clock, Item, Status
from portal.models import Service, User
from tests.conftest import client_for, submit

pytestmark = [pytest.mark.django_db, pytest.mark.travel("2026-11-18 10:00Z")]  # a Wednesday


def listed(user: User, **params: str) -> list[str]:
    response = client_for(user).get("/staff/", params)
    assert response.status_code == 200
    return [row.item.reference for row in response.context["rows"]]


def tab_counts(user: User) -> dict[str, int]:
    response = client_for(user).get("/staff/")
    return {str(tab["label"]): int(tab["count"]) for tab in response.context["tabs"]}


def test_an_answered_postcard_waits_on_the_young_person_until_they_reply(
    caseworker: User, care_leaver: User, item: Item
) -> None:
    other = submit(care_leaver, words="The boiler is broken").item
    dispatch.route_item(other.pk)
    services.staff_reply(item=item, by=caseworker, text="We have asked housing for a flat.")

    assert listed(caseworker) == [other.reference]
    assert listed(caseworker, status="waiting") == [item.reference]
    counts = tab_counts(caseworker)
    assert counts["All open"] == 1 and counts["Waiting on the young person"] == 1
    # My open items leaves it out too: it is with the young person now.
    assert item.reference not in listed(caseworker, assigned="me")
    page = client_for(caseworker).get("/staff/", {"status": "waiting"}).content.decode()
    assert 'href="/staff/?status=waiting" aria-current="page">Waiting on the young person' in page

    services.young_person_reply(item=item, by=care_leaver, text="Thank you, which area?")
    assert set(listed(caseworker)) == {item.reference, other.reference}
    assert listed(caseworker, status="waiting") == []
    assert tab_counts(caseworker)["Waiting on the young person"] == 0


def test_an_answer_the_young_person_says_did_not_sort_it_is_open_again(
    caseworker: User, care_leaver: User, item: Item
) -> None:
    services.resolve(item=item, by=caseworker, outcome="", text="A flat is booked for you.")
    assert listed(caseworker) == [] and listed(caseworker, status="waiting") == [item.reference]
    services.answer_sorted(item=item, by=care_leaver, sorted_=False)
    assert listed(caseworker) == [item.reference]


@pytest.mark.parametrize(
    ("due", "clock", "waits"),
    [
        (date(2026, 11, 25), Clock.REPLY, True),  # due next week: it waits
        (date(2026, 11, 18), Clock.REPLY, False),  # due today: back in the open list
        (date(2026, 11, 16), Clock.REPLY, False),  # overdue
        (date(2026, 11, 19), Clock.DECISION, False),  # a child at risk's clock: never waits
    ],
)
def test_the_clock_brings_a_waiting_item_back_when_it_is_due(
    caseworker: User, item: Item, due: date, clock: str, waits: bool
) -> None:
    services.staff_reply(item=item, by=caseworker, text="We are on it.")
    Item.objects.filter(pk=item.pk).update(clock=clock, due_on=due)
    assert (item.reference in listed(caseworker, status="waiting")) is waits
    assert (item.reference in listed(caseworker)) is not waits
    counts = tab_counts(caseworker)
    assert counts["Waiting on the young person"] == int(waits)
    assert counts["All open"] == int(not waits)


def test_a_complaint_being_worked_on_is_not_waiting(caseworker: User, care_leaver: User) -> None:
    complaint = submit(care_leaver, kind="complaint", words="Nobody calls me back").item
    dispatch.route_item(complaint.pk)
    Item.objects.filter(pk=complaint.pk).update(service=Service.objects.get(slug="leaving-care"))
    complaint.refresh_from_db()
    services.staff_reply(item=complaint, by=caseworker, text="Can you tell me when you called?")
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    assert listed(caseworker) == [complaint.reference]


def test_the_other_filters_still_work_inside_each_list(
    caseworker: User, care_leaver: User, item: Item
) -> None:
    complaint = submit(care_leaver, kind="complaint", words="Nobody calls me back").item
    dispatch.route_item(complaint.pk)
    Item.objects.filter(pk=complaint.pk).update(service=Service.objects.get(slug="leaving-care"))
    services.staff_reply(item=item, by=caseworker, text="Done.")
    assert listed(caseworker, status="waiting", kind="idea") == [item.reference]
    assert listed(caseworker, status="waiting", kind="complaint") == []
    assert listed(caseworker, status="open", kind="complaint") == [complaint.reference]
    assert listed(caseworker, status="responded") == [item.reference]  # "Answered": all of them
    assert set(listed(caseworker, status="all")) == {item.reference, complaint.reference}


def test_the_api_queue_keeps_every_open_item_and_can_ask_for_the_waiting_ones(
    caseworker: User, item: Item
) -> None:
    services.staff_reply(item=item, by=caseworker, text="Done.")
    client = client_for(caseworker)
    every = client.get(reverse("api_v1:queue")).json()
    waiting = client.get(reverse("api_v1:queue"), {"status": "waiting"}).json()

    def refs(answer: dict[str, object] | list[dict[str, object]]) -> list[object]:
        rows = answer["results"] if isinstance(answer, dict) else answer
        assert isinstance(rows, list)
        return [row["reference"] for row in rows]

    assert refs(every) == [item.reference] and refs(waiting) == [item.reference]


def test_the_tab_counts_stay_one_query(caseworker: User, item: Item) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from feedback.staff_views import _tab_counts

    services.staff_reply(item=item, by=caseworker, text="Done.")
    assert caseworker.service_ids
    with CaptureQueriesContext(connection) as queries:
        counts = _tab_counts(caseworker, timezone.now())
    assert len(queries) == 1
    assert counts["waiting"] == 1 and counts["all"] == 0 and counts["mine"] == 0


# --- Moving an item to another service ------------------------------------------------------


def reroute(user: User, item: Item, slug: str):  # type: ignore[no-untyped-def]
    service = Service.objects.get(slug=slug)
    return client_for(user).post(
        reverse("feedback:staff_reroute", args=[item.reference]),
        {"service": service.pk, "reason": "It is about a foster placement"},
        follow=True,
    )


def test_moving_an_item_out_of_my_reach_ends_on_a_page_saying_where_it_went(
    caseworker: User, item: Item
) -> None:
    response = reroute(caseworker, item, "fostering")
    assert response.redirect_chain[-1][0] == reverse("feedback:staff_moved", args=[item.reference])
    page = response.content.decode()
    assert "Sent to Fostering. You can no longer see it." in page
    assert item.words not in page  # only where it went, nothing of what it says
    # It stays true on a reload, and for nobody else.
    again = client_for(caseworker).get(reverse("feedback:staff_moved", args=[item.reference]))
    assert "Sent to Fostering." in again.content.decode()


def test_moving_an_item_i_can_still_see_shows_it_with_a_banner(
    complaints_manager: User, item: Item
) -> None:
    response = reroute(complaints_manager, item, "fostering")
    assert response.redirect_chain[-1][0] == reverse("feedback:staff_item", args=[item.reference])
    assert "Sent to Fostering." in response.content.decode()
    assert "You can no longer see it" not in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["manager", "other_caseworker", "young_person", "complaints_manager"]
)
def test_the_moved_page_is_only_for_the_person_who_moved_it(
    request: pytest.FixtureRequest, caseworker: User, item: Item, persona: str
) -> None:
    reroute(caseworker, item, "fostering")
    user = request.getfixturevalue(persona)
    url = reverse("feedback:staff_moved", args=[item.reference])
    assert client_for(user).get(url).status_code == 404
    # Nor for the caseworker, for an item she never moved.
    other = submit(None, identity="anonymous", audience="care_leaver").item
    dispatch.route_item(other.pk)
    url = reverse("feedback:staff_moved", args=[other.reference])
    assert client_for(caseworker).get(url).status_code == 404
