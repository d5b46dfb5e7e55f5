"""The audit log is readable: a list of items shown to staff is one row saying who read how
many items' words and where, naming them; the log is paged and filtered by person, item,
kind and dates."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from feedback import dispatch
from feedback.models import ListRead
from feedback.report_views import AUDIT_PAGE_SIZE
from portal.models import AuditEntry, AuditKind, User
from tests.conftest import client_for, submit

pytestmark = [pytest.mark.django_db, pytest.mark.travel("2026-11-20 12:00Z")]


def log(client, **filters: str):
    page = client.get(reverse("feedback:audit_log"), filters)
    assert page.status_code == 200
    return page


def test_a_queue_load_is_one_readable_row_naming_its_items(
    caseworker, care_leaver, item, complaints_manager
):
    second = submit(care_leaver).item
    dispatch.route_item(second.pk)
    queue = client_for(caseworker)
    for _refresh in range(3):
        queue.get(reverse("feedback:queue"))
    page = log(client_for(complaints_manager), kind="list_read")
    [row] = page.context["rows"]
    first, then = sorted([item.reference, second.reference])
    assert row.who == "casey"
    assert row.detail == f"Casey read the words of 2 items on the queue: {first}, {then}"
    assert row.detail in page.content.decode()


def test_filtering_by_item_finds_the_lists_that_showed_it(
    caseworker, care_leaver, item, complaints_manager
):
    client_for(caseworker).get(reverse("feedback:queue"))
    client_for(caseworker).get(reverse("feedback:staff_item", args=[item.reference]))
    rows = log(client_for(complaints_manager), item=item.reference).context["rows"]
    assert [(row.what, row.who) for row in rows] == [
        ("Opened an item", "casey"),
        ("Read a list of items", "casey"),
    ]
    other = submit(care_leaver).item  # never shown to anyone
    assert log(client_for(complaints_manager), item=other.reference).context["rows"] == []


def test_filtering_by_kind_and_person(caseworker, manager, item, complaints_manager):
    client_for(caseworker).get(reverse("feedback:staff_item", args=[item.reference]))
    client_for(manager).get(reverse("feedback:queue"))
    cm = client_for(complaints_manager)
    opened = log(cm, kind="item_read").context["rows"]
    assert [(row.what, row.who, row.item) for row in opened] == [
        ("Opened an item", "casey", item.reference)
    ]
    lists = log(cm, kind="list_read", person="morgan").context["rows"]
    assert [row.who for row in lists] == ["morgan"]
    assert log(cm, kind="list_read", person="casey").context["rows"] == []
    morgan = User.objects.get(username="morgan")
    AuditEntry.objects.create(kind=AuditKind.EXPORT, user_id=morgan.pk, detail="report.csv")
    exports = log(cm, kind=AuditKind.EXPORT).context["rows"]
    assert [(row.what, row.detail) for row in exports] == [("Export", "report.csv")]


def test_filtering_by_dates(caseworker, item, complaints_manager):
    client_for(caseworker).get(reverse("feedback:queue"))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        client_for(caseworker).get(reverse("feedback:queue"))
    cm = client_for(complaints_manager)
    assert len(log(cm, kind="list_read").context["rows"]) == 2
    today = log(cm, kind="list_read", since="2026-11-20", until="2026-11-20").context["rows"]
    assert [row.when for row in today] == [ListRead.objects.order_by("at").first().at]
    assert log(cm, kind="list_read", since="2026-11-23").context["rows"] == []


def test_the_log_is_paged_newest_first(caseworker, complaints_manager):
    start = timezone.now()
    AuditEntry.objects.bulk_create(
        AuditEntry(
            kind=AuditKind.SIGN_IN, user_id=caseworker.pk, created_at=start - timedelta(minutes=n)
        )
        for n in range(AUDIT_PAGE_SIZE + 5)
    )
    cm = client_for(complaints_manager)
    first = log(cm, person="casey")
    assert len(first.context["rows"]) == AUDIT_PAGE_SIZE
    assert first.context["rows"][0].when == start
    assert "Page 1 of 2" in first.content.decode()
    second = log(cm, person="casey", page="2")
    assert len(second.context["rows"]) == 5
    assert second.context["rows"][-1].when == start - timedelta(minutes=AUDIT_PAGE_SIZE + 4)
    assert 'href="?person=casey&amp;page=1"' in second.content.decode()


def test_a_page_of_the_log_costs_a_few_queries_however_many_lists(
    caseworker, care_leaver, item, complaints_manager, django_assert_max_num_queries, settings
):
    settings.LIST_READ_REPEAT_MINUTES = 0
    for _ in range(3):
        dispatch.route_item(submit(care_leaver).item.pk)
        client_for(caseworker).get(reverse("feedback:queue"))
    cm = client_for(complaints_manager)
    log(cm)  # the session and second factor settle
    with django_assert_max_num_queries(14):
        rows = log(cm, kind="list_read").context["rows"]
    assert len(rows) == 3
