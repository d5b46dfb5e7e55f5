"""Every response that carries a young person's words to staff puts the read on record,
whatever the path: the queue's previews, the item page, a refused action that shows the
page again, the API list and detail, the moderation and excerpt pages. One place records
them: the staff gates' querysets (feedback/access.py). A list is one entry naming the items
it showed; the same list shown again within a few minutes is not recorded again."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback import access, dispatch
from feedback.models import Item, ListRead, ReadPlace, StaffView
from feedback.privacy import subject_access
from tests.conftest import client_for, submit

# Participation's story: items shared with the council, for the moderation pages.
from tests.participation.conftest import story, topic_themes  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def kai(request: pytest.FixtureRequest) -> Item:
    """Kai's postcard, shared with the council: on the moderation page."""
    return request.getfixturevalue("story")["kai_item"]


NOW = "2026-11-20 12:00Z"


def reads(user, item=None) -> int:
    rows = StaffView.objects.filter(user=user)
    return rows.filter(item=item).count() if item is not None else rows.count()


def list_reads(user) -> list[tuple[str, set[str]]]:
    return [
        (read.on, {view.item.reference for view in read.views.all()})
        for read in ListRead.objects.filter(user=user).order_by("at", "pk")
    ]


@pytest.mark.travel(NOW)
def test_the_queue_is_one_entry_naming_each_item_it_shows(caseworker, care_leaver, item):
    second = submit(care_leaver).item
    dispatch.route_item(second.pk)
    page = client_for(caseworker).get(reverse("feedback:queue"))
    assert page.status_code == 200
    assert item.reference in page.content.decode()
    assert list_reads(caseworker) == [(ReadPlace.QUEUE, {item.reference, second.reference})]
    # Each item's own record still names the reader, through the list.
    assert reads(caseworker, item) == 1
    assert reads(caseworker, second) == 1


@pytest.mark.travel(NOW)
def test_an_unchanged_refresh_is_not_recorded_again_for_a_few_minutes(
    caseworker, care_leaver, item, settings
):
    settings.LIST_READ_REPEAT_MINUTES = 5
    client = client_for(caseworker)
    queue = reverse("feedback:queue")
    client.get(queue)
    with time_machine.travel(timezone.now() + timedelta(minutes=4, seconds=30)):
        client.get(queue)  # the 30-second refresh: the same items
        assert len(list_reads(caseworker)) == 1
        second = submit(care_leaver).item
        dispatch.route_item(second.pk)
        client.get(queue)  # a new item: a different list
        assert len(list_reads(caseworker)) == 2
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        client.get(queue)  # the same list, but minutes later
    assert len(list_reads(caseworker)) == 3
    assert reads(caseworker, item) == 3


def test_someone_else_seeing_the_same_list_is_their_own_entry(caseworker, manager, item):
    client_for(caseworker).get(reverse("feedback:queue"))
    client_for(manager).get(reverse("feedback:queue"))
    assert list_reads(caseworker) == [(ReadPlace.QUEUE, {item.reference})]
    assert list_reads(manager) == [(ReadPlace.QUEUE, {item.reference})]


def test_an_item_page_is_one_entry_each_time_it_is_opened(caseworker, item):
    client = client_for(caseworker)
    for _ in range(2):
        page = client.get(reverse("feedback:staff_item", args=[item.reference]))
        assert item.words in page.content.decode()
    assert reads(caseworker, item) == 2
    assert not ListRead.objects.exists()


def test_a_refused_action_that_shows_the_words_again_is_on_record(caseworker, item):
    page = client_for(caseworker).post(
        reverse("feedback:staff_reply", args=[item.reference]), {"body": ""}
    )
    assert page.status_code == 400
    assert item.words in page.content.decode()
    assert reads(caseworker, item) == 1


def test_the_api_list_and_detail_are_on_record(caseworker, item):
    client = client_for(caseworker)
    assert client.get("/api/v1/staff/items/").status_code == 200
    assert list_reads(caseworker) == [(ReadPlace.API, {item.reference})]
    assert client.get(f"/api/v1/staff/items/{item.reference}/").status_code == 200
    assert reads(caseworker, item) == 2


def test_counts_and_aggregates_show_no_words_and_record_nothing(caseworker, item):
    staff_items = access.items_for_staff(caseworker)
    assert staff_items.count() == 1
    assert staff_items.filter(pk=item.pk).exists()
    assert list(staff_items.values_list("reference", flat=True)) == [item.reference]
    assert reads(caseworker) == 0


def test_rows_fetched_however_they_are_sliced_or_streamed_are_on_record(caseworker, item, settings):
    settings.LIST_READ_REPEAT_MINUTES = 0  # every fetch, so both ways show here
    staff_items = access.items_for_staff(caseworker).filter(status=item.status)
    assert [row.pk for row in staff_items[:5]] == [item.pk]
    assert [row.pk for row in staff_items.iterator()] == [item.pk]
    assert reads(caseworker, item) == 2


def test_someone_elses_items_are_not_fetched_so_not_recorded(other_caseworker, item):
    page = client_for(other_caseworker).get(reverse("feedback:staff_item", args=[item.reference]))
    assert page.status_code == 404
    assert not StaffView.objects.exists()
    assert Item.objects.count() == 1


def test_the_moderation_page_records_the_words_it_shows(participation_officer, kai):
    page = client_for(participation_officer).get(reverse("participation:moderation"))
    assert kai.words in page.content.decode()
    [(on, shown)] = list_reads(participation_officer)
    assert on == ReadPlace.MODERATION and kai.reference in shown
    assert reads(participation_officer, kai) == 1


def test_the_excerpt_page_records_a_read_of_its_item(participation_officer, kai):
    url = reverse("participation:excerpt_new", args=[kai.reference])
    page = client_for(participation_officer).get(url)
    assert kai.words in page.content.decode()
    assert reads(participation_officer, kai) == 1
    assert not ListRead.objects.exists()


def test_the_moderation_pages_are_no_way_round_for_other_staff(caseworker, kai):
    client = client_for(caseworker)
    assert client.get(reverse("participation:moderation")).status_code == 404
    assert client.get(reverse("participation:excerpt_new", args=[kai.reference])).status_code == 404
    assert not StaffView.objects.filter(user=caseworker).exists()


@pytest.mark.travel(NOW)
def test_the_subject_access_answer_names_a_reader_who_saw_the_words_on_a_list(
    caseworker, care_leaver, item, complaints_manager
):
    client_for(caseworker).get(reverse("feedback:queue"))
    client_for(caseworker).get(reverse("feedback:staff_item", args=[item.reference]))
    opened = subject_access(care_leaver, read_by=complaints_manager)["opened_by_staff"]
    assert [(row["item"], row["who"], row["where"]) for row in opened] == [
        (item.reference, "casey", "the queue"),
        (item.reference, "casey", "an item's page"),
        # Making the answer shows the words too: on record as well.
        (item.reference, "chris", "a subject access answer"),
    ]
    assert opened[0]["when"] == timezone.now().isoformat()


def test_an_unchanged_refresh_costs_less_than_the_first_load(caseworker, item):
    client = client_for(caseworker)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("feedback:queue"))
    with CaptureQueriesContext(connection) as refresh:
        client.get(reverse("feedback:queue"))
    # The first load writes the list and its items' views; a refresh writes nothing.
    assert [q["sql"] for q in first if q["sql"].startswith("INSERT")] != []
    assert [q["sql"] for q in refresh if q["sql"].startswith("INSERT")] == []
    assert len(refresh) < len(first)


def test_the_read_record_s_assumption_about_django_holds_here_and_is_checked_at_start_up(
    monkeypatch,
):
    from django.core import checks

    from feedback.checks import read_record
    from feedback.models import ItemQuerySet

    assert ItemQuerySet.read_record_holds()
    assert [m.id for m in checks.run_checks() if m.id == "feedback.E001"] == []
    # A Django whose copies skip _clone would drop the reader: the portal refuses to start.
    monkeypatch.setattr(ItemQuerySet, "_clone", lambda self: super(ItemQuerySet, self)._clone())
    assert not ItemQuerySet.read_record_holds()
    assert [m.id for m in read_record()] == ["feedback.E001"]
