"""Every response that carries a young person's words to staff puts the read on record,
whatever the path: the queue's previews, the item page, a refused action that shows the
page again, the API list and detail. One place records them: the staff gate's queryset."""

import pytest
from django.urls import reverse

from feedback import access, dispatch
from feedback.models import Item, StaffView
from tests.conftest import client_for, submit

pytestmark = pytest.mark.django_db


def reads(user, item=None) -> int:
    rows = StaffView.objects.filter(user=user)
    return rows.filter(item=item).count() if item is not None else rows.count()


def test_the_queue_with_previews_records_each_item_it_shows(caseworker, care_leaver, item):
    second = submit(care_leaver).item
    dispatch.route_item(second.pk)
    page = client_for(caseworker).get(reverse("feedback:queue"))
    assert page.status_code == 200
    assert item.reference in page.content.decode()
    assert reads(caseworker, item) == 1
    assert reads(caseworker, second) == 1


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
    assert reads(caseworker, item) == 1
    assert client.get(f"/api/v1/staff/items/{item.reference}/").status_code == 200
    assert reads(caseworker, item) == 2


def test_counts_and_aggregates_show_no_words_and_record_nothing(caseworker, item):
    staff_items = access.items_for_staff(caseworker)
    assert staff_items.count() == 1
    assert staff_items.filter(pk=item.pk).exists()
    assert list(staff_items.values_list("reference", flat=True)) == [item.reference]
    assert reads(caseworker) == 0


def test_rows_fetched_however_they_are_sliced_or_streamed_are_on_record(caseworker, item):
    staff_items = access.items_for_staff(caseworker).filter(status=item.status)
    assert [row.pk for row in staff_items[:5]] == [item.pk]
    assert [row.pk for row in staff_items.iterator()] == [item.pk]
    assert reads(caseworker, item) == 2


def test_someone_elses_items_are_not_fetched_so_not_recorded(other_caseworker, item):
    page = client_for(other_caseworker).get(reverse("feedback:staff_item", args=[item.reference]))
    assert page.status_code == 404
    assert not StaffView.objects.exists()
    assert Item.objects.count() == 1
