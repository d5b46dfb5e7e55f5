"""The queue's search box: by reference, by the young person's name or username, and by
words, within what the worker may open, and never kept in a log."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from feedback import dispatch, services
from feedback.models import Item, ListRead, Status
from portal.log_filters import NoQueryStrings
from portal.models import Service, User, YoungPerson
from tests.conftest import client_for, make_young_person, submit

pytestmark = pytest.mark.django_db


def search(client: Client, term: str, **params: str):  # type: ignore[no-untyped-def]
    return client.get(reverse("feedback:queue"), {"q": term, **params})


def found(client: Client, term: str, **params: str) -> list[str]:
    response = search(client, term, **params)
    assert response.status_code == 200, response
    return [row.item.reference for row in response.context["rows"]]


@pytest.fixture
def two_items(care_leaver: User) -> tuple[Item, Item]:
    boiler = submit(care_leaver, words="The boiler in my flat is broken again").item
    money = submit(care_leaver, topic="money", words="My bus pass money is late again").item
    for item in (boiler, money):
        dispatch.route_item(item.pk)
        Item.objects.filter(pk=item.pk).update(service=Service.objects.get(slug="leaving-care"))
    return Item.objects.get(pk=boiler.pk), Item.objects.get(pk=money.pk)


def test_the_search_box_is_on_the_queue(caseworker: User, item: Item) -> None:
    page = client_for(caseworker).get("/staff/").content.decode()
    assert '<label class="govuk-label govuk-label--s" for="id_q">Search</label>' in page
    assert 'role="search"' in page


@pytest.mark.parametrize("typed", ["{ref}", "{lower}", "{bare}", "{spaced}", " {lower} "])
def test_a_reference_however_it_is_typed_opens_the_item(
    caseworker: User, two_items: tuple[Item, Item], typed: str
) -> None:
    item = two_items[0]
    ref = item.reference
    term = typed.format(
        ref=ref, lower=ref.lower(), bare=ref.replace("-", ""), spaced=ref.replace("-", " ")
    )
    response = search(client_for(caseworker), term)
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:staff_item", args=[ref])


def test_a_name_or_username_finds_their_items_but_never_an_anonymous_one(
    caseworker: User, care_leaver: User, two_items: tuple[Item, Item]
) -> None:
    secret = submit(None, identity="anonymous", audience="care_leaver", words="Nobody knows").item
    dispatch.route_item(secret.pk)
    refs = {item.reference for item in two_items}
    client = client_for(caseworker)
    assert set(found(client, "Sam")) == refs  # display name
    assert set(found(client, "SAM")) == refs  # any case
    User.objects.filter(pk=care_leaver.pk).update(
        display_name="", first_name="Samira", last_name="Jones"
    )
    assert set(found(client, "samira jones")) == refs  # full name
    assert secret.reference not in found(client, "sam")


def test_a_short_name_shared_by_many_young_people_still_finds_the_worker_s_own(
    caseworker: User, care_leaver: User, two_items: tuple[Item, Item]
) -> None:
    """Others across the council whose names hold "sam" come first in any order a
    database likes: none of them may push the worker's own young person out."""
    for n in range(250):
        make_young_person(f"asam{n:03d}")
    # Updated last, so a table scan (PostgreSQL's heap order) finds her after the others.
    User.objects.filter(pk=care_leaver.pk).update(last_name="Sample")
    YoungPerson.objects.filter(user=care_leaver).update(year_of_birth=2008)
    assert set(found(client_for(caseworker), "sam")) == {i.reference for i in two_items}


def test_words_find_an_item_and_a_single_match_opens_it(
    caseworker: User, two_items: tuple[Item, Item]
) -> None:
    boiler, money = two_items
    response = search(client_for(caseworker), "BOILER")
    assert response["Location"] == reverse("feedback:staff_item", args=[boiler.reference])
    assert set(found(client_for(caseworker), "AGAIN")) == {boiler.reference, money.reference}
    assert found(client_for(caseworker), "my") == []  # too short to search words by


def test_a_search_finds_answered_and_closed_items_too(
    caseworker: User, two_items: tuple[Item, Item]
) -> None:
    boiler, money = two_items
    services.staff_reply(item=boiler, by=caseworker, text="Fixed on Friday")
    Item.objects.filter(pk=money.pk).update(status=Status.CLOSED)
    assert set(found(client_for(caseworker), "sam")) == {boiler.reference, money.reference}
    # ...and keeps to a filter the worker adds (one match: it opens).
    response = search(client_for(caseworker), "sam", status="closed")
    assert response["Location"] == reverse("feedback:staff_item", args=[money.reference])


def test_a_search_stays_within_the_items_the_worker_may_open(
    caseworker: User, other_caseworker: User, young_person: User, item: Item
) -> None:
    school = submit(young_person, topic="school", words="My school trip was cancelled").item
    dispatch.route_item(school.pk)
    school.refresh_from_db()
    assert school.service and school.service.slug == "virtual-school"
    client = client_for(caseworker)
    for term in (school.reference, "school trip", "jade"):
        response = search(client, term)
        assert response.status_code == 200, term  # no redirect to an item she cannot open
        assert response.context["rows"] == []
        assert "Nothing you can open matches your search." in response.content.decode()
    assert search(client_for(other_caseworker), "school trip").status_code == 302


def test_an_advocate_finds_only_the_complaints_sent_to_them(
    advocate: User, care_leaver: User, item: Item
) -> None:
    complaint = submit(
        care_leaver, kind="complaint", words="Nobody answers my calls", advocate_requested=True
    ).item
    dispatch.route_item(complaint.pk)
    client = client_for(advocate)
    assert search(client, "answers my calls")["Location"].endswith(f"/{complaint.reference}/")
    assert found(client, "flat near college") == []  # the idea is not theirs to read
    assert found(client, item.reference) == []


def test_a_nul_or_a_long_search_is_a_clear_error_not_a_failure(
    caseworker: User, item: Item
) -> None:
    for term in ("boil\x00er", "x" * 101):
        response = search(client_for(caseworker), term)
        assert response.status_code == 200
        page = response.content.decode()
        assert "govuk-error-message" in page
        assert item.reference in page  # the queue as it was


def test_the_search_term_is_not_logged(
    caseworker: User, two_items: tuple[Item, Item], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        search(client_for(caseworker), "boiler in my")
        search(client_for(caseworker), "nothing matches this")
    assert "boiler" not in caplog.text and "nothing matches" not in caplog.text


def test_the_development_servers_request_lines_lose_their_query_strings() -> None:
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s',
        ('GET /staff/?q=boiler+in+my+flat HTTP/1.1', "200", "5120"), None,
    )  # fmt: skip
    assert NoQueryStrings().filter(record)
    assert record.getMessage() == '"GET /staff/?… HTTP/1.1" 200 5120'


def test_the_results_are_a_list_read_on_record_and_a_redirect_reads_nothing(
    caseworker: User, two_items: tuple[Item, Item], settings: object
) -> None:
    settings.LIST_READ_REPEAT_MINUTES = 0  # type: ignore[attr-defined]
    client = client_for(caseworker)
    before = ListRead.objects.count()
    search(client, "boiler")  # one match: straight to the item, whose page records the read
    assert ListRead.objects.count() == before
    found(client, "sam")
    assert ListRead.objects.count() == before + 1


def test_a_young_person_cannot_search(young_person: User, item: Item) -> None:
    make_young_person("zed")
    assert search(client_for(young_person), item.reference).status_code == 404


def test_words_are_searched_through_a_trigram_index_on_postgresql_only(
    caseworker: User, two_items: tuple[Item, Item]
) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":  # SQLite (make run): migrated without it
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'item_words_trgm'")
            assert cursor.fetchall() == []
            assert search(client_for(caseworker), "boiler").status_code == 302
            return
        cursor.execute("SET LOCAL enable_seqscan = off")  # two rows: make the index worth it
        cursor.execute(
            "EXPLAIN SELECT id FROM feedback_item WHERE UPPER(words) LIKE UPPER(%s)",
            ["%boiler%"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "item_words_trgm" in plan, plan
