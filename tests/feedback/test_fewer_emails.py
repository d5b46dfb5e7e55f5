"""Ordinary notifications stop crying wolf: no "due soon" in an item's first working
day, and staff may take one email a day instead of one an item (never for urgent items)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from feedback import delivery, dispatch, notifications
from feedback.models import Item, Notification
from feedback.notifications import site_link
from tests.conftest import submit

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def arrive(author, when: datetime, **extra) -> Item:
    with time_machine.travel(when, tick=False):
        item = submit(author, **extra).item
        dispatch.route_item(item.pk)
    item.refresh_from_db()
    return item


def reminded(when: datetime) -> int:
    with time_machine.travel(when, tick=False):
        return dispatch.check_clocks()["reminded"]


def deliver_pending() -> None:
    delivery.deliver_all(
        list(Notification.objects.filter(state="pending").values_list("pk", flat=True))
    )


# --- No "due soon" in an item's first working day ------------------------------------


def test_no_due_soon_on_the_day_an_item_arrives(care_leaver, caseworker):
    item = arrive(care_leaver, at(date(2026, 11, 2), 9))  # Monday; due Wednesday
    assert item.due_on == date(2026, 11, 4)
    assert reminded(at(date(2026, 11, 2), 17)) == 0
    assert not Notification.objects.filter(template="reminder").exists()
    assert reminded(at(date(2026, 11, 3), 9)) == 1  # its second working day
    assert Notification.objects.filter(template="reminder", recipient=caseworker).exists()


def test_an_item_from_the_weekend_is_not_due_soon_on_monday(care_leaver, caseworker):
    item = arrive(care_leaver, at(date(2026, 11, 7), 20))  # Saturday; due Tuesday
    assert item.due_on == date(2026, 11, 10)
    assert reminded(at(date(2026, 11, 8))) == 0  # Sunday
    assert reminded(at(date(2026, 11, 9), 16)) == 0  # Monday, its first working day
    assert reminded(at(date(2026, 11, 10), 8)) == 1


def test_an_item_from_friday_is_due_soon_on_monday(care_leaver, caseworker):
    arrive(care_leaver, at(date(2026, 11, 6), 16))  # Friday; due Tuesday
    assert reminded(at(date(2026, 11, 6), 17)) == 0
    assert reminded(at(date(2026, 11, 9), 9)) == 1


# --- The daily digest ---------------------------------------------------------------------


@pytest.fixture
def casey_takes_the_digest(caseworker):
    caseworker.daily_digest = True
    caseworker.save()
    return caseworker


def test_a_person_who_takes_the_digest_gets_one_email_a_day(
    care_leaver, casey_takes_the_digest, manager
):
    casey = casey_takes_the_digest
    first = arrive(care_leaver, at(date(2026, 11, 2), 9))
    second = arrive(care_leaver, at(date(2026, 11, 2), 11), topic="money")
    assert second.service == first.service
    assert reminded(at(date(2026, 11, 3), 9)) == 2  # both due soon: in the digest too
    deliver_pending()
    # Morgan, who does not take it, was told of each at once; Casey of none yet.
    assert [m.to for m in mail.outbox].count([manager.email]) == 4
    assert [casey.email] not in [m.to for m in mail.outbox]
    mail.outbox.clear()

    with time_machine.travel(at(date(2026, 11, 4), 8), tick=False):
        assert notifications.daily_digests() == 1
        assert notifications.daily_digests() == 0  # once
    deliver_pending()
    [digest] = mail.outbox
    assert digest.to == [casey.email]
    assert digest.subject == "Your daily digest: 4 items"
    for item in (first, second):
        assert site_link("feedback:staff_item", item.reference) in digest.body
    assert f"New: {first.reference}" in digest.body
    assert f"Due soon (4 November): {first.reference}" in digest.body
    assert f"Due soon (4 November): {second.reference}" in digest.body
    assert "flat near college" not in digest.body  # references and links, no words
    assert set(
        Notification.objects.filter(recipient=casey)
        .exclude(template="digest")
        .values_list("state", flat=True)
    ) == {"sent"}


def test_urgent_items_are_never_kept_for_the_digest(care_leaver, duty_worker):
    duty_worker.daily_digest = True
    duty_worker.save()
    arrive(
        care_leaver, at(date(2026, 11, 2)), kind="worry", words="he hits me and i dont feel safe"
    )
    deliver_pending()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "dana@council.example.org",
        "duty@council.example.org",  # the team's inbox
    ]
    assert notifications.daily_digests() == 0


def test_nothing_waiting_means_no_digest(care_leaver, casey_takes_the_digest):
    assert notifications.daily_digests() == 0
    assert not Notification.objects.filter(template="digest").exists()
