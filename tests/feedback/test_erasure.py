"""Erasure on request asks first, saying what will happen; closes what is still open with
an outcome; and leaves no clock running and no email to send about an erased person's
items (a "Due soon" once went out four minutes after an erasure)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from feedback import delivery, dispatch, notifications, services
from feedback.models import Event, EventKind, Item, Notification, Outcome, Status
from tests.conftest import client_for, submit

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 11, 2, 9, tzinfo=LONDON)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


@pytest.fixture
def open_item(young_person, caseworker) -> Item:
    """Jade's idea, routed on a Monday to the Leaving Care Team, its clock running."""
    with time_machine.travel(MONDAY, tick=False):
        item = submit(young_person, words="A quiet room to study in", topic="school").item
        dispatch.route_item(item.pk)
    item.refresh_from_db()
    assert item.is_open and item.due_on is not None
    return item


@pytest.fixture
def closed_item(young_person, caseworker) -> Item:
    with time_machine.travel(MONDAY, tick=False):
        item = submit(young_person, words="Thanks for the trip", kind="compliment").item
        dispatch.route_item(item.pk)
        Item.objects.filter(pk=item.pk).update(status=Status.CLOSED, closed_at=MONDAY)
    return Item.objects.get(pk=item.pk)


def erase(client, username: str = "jade", **kwargs):
    return client.post(
        reverse("feedback:person_erase", args=[username]), {"reason": "Her request"}, **kwargs
    )


def test_the_confirmation_page_says_what_will_happen_before_anything_is_erased(
    open_item, closed_item, complaints_manager, young_person
):
    with time_machine.travel(MONDAY + timedelta(hours=2), tick=False):
        page = client_for(complaints_manager).get(reverse("feedback:person_erase", args=["jade"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Their 2 postcards and complaints lose their words and their link to them." in text
    assert "1 is still open." in text and open_item.reference in text
    assert closed_item.reference not in text  # only the open ones are listed
    assert "closed: the young person's data was erased" in text
    assert "This cannot be undone." in text
    assert "Kept, with nothing that names them" in text
    # Asking changed nothing.
    assert Item.objects.get(pk=open_item.pk).is_open
    assert young_person.__class__.objects.get(pk=young_person.pk).username == "jade"


def test_open_items_are_closed_with_an_outcome_and_the_message_appears_once(
    open_item, complaints_manager
):
    with time_machine.travel(MONDAY + timedelta(hours=2), tick=False):
        response = erase(client_for(complaints_manager), follow=True)
    text = response.content.decode()
    assert text.count("Erased. 1 item keeps only its figures.") == 1
    item = Item.objects.get(pk=open_item.pk)
    assert item.status == Status.CLOSED and item.outcome == Outcome.ERASED
    assert item.due_on is None and item.due_at is None and item.closed_at is not None
    assert Event.objects.filter(item=item, kind=EventKind.ERASED).count() == 1


def test_after_erasure_no_sweep_sends_an_email_or_moves_a_clock(
    open_item, complaints_manager, caseworker
):
    # Something was waiting to go about the item when she asked to be erased.
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        notifications.status_changed_for_staff(Item.objects.get(pk=open_item.pk), "withdrawn")
    waiting = list(Notification.objects.filter(item=open_item, state=Notification.State.PENDING))
    assert waiting
    with time_machine.travel(MONDAY + timedelta(hours=2), tick=False):
        assert erase(client_for(complaints_manager)).status_code == 302
    for row in Notification.objects.filter(pk__in=[n.pk for n in waiting]):
        assert row.state == Notification.State.FAILED and row.last_error.startswith("cancelled")
    before_rows = Notification.objects.count()
    before_events = Event.objects.count()
    item_before = Item.objects.get(pk=open_item.pk)
    mail.outbox.clear()
    # Four minutes on, the next day (when "due soon" would go) and a fortnight on.
    for when in (
        MONDAY + timedelta(hours=2, minutes=4),
        at(date(2026, 11, 3), 9),
        at(date(2026, 11, 16), 9),
    ):
        with time_machine.travel(when, tick=False):
            assert sum(dispatch.check_clocks().values()) == 0
            assert sum(dispatch.check_urgent_clocks().values()) == 0
            notifications.daily_digests()
            delivery.deliver_all(
                list(Notification.objects.filter(state="pending").values_list("pk", flat=True))
            )
    assert mail.outbox == []
    assert Notification.objects.count() == before_rows
    assert Event.objects.count() == before_events
    item = Item.objects.get(pk=open_item.pk)
    assert (item.clock, item.due_on, item.due_at, item.clock_state) == (
        item_before.clock,
        item_before.due_on,
        item_before.due_at,
        item_before.clock_state,
    )


def test_without_erasure_the_same_sweep_would_have_reminded(open_item, caseworker):
    """The test above proves something: the item's clock did run to a reminder."""
    with time_machine.travel(at(date(2026, 11, 3), 9), tick=False):
        assert dispatch.check_clocks()["reminded"] == 1


def test_a_reminder_or_escalation_for_a_closed_item_is_not_sent(open_item, caseworker):
    item = Item.objects.get(pk=open_item.pk)
    item.status = Status.CLOSED
    notifications.reminder(item)
    notifications.escalation(item, "manager")
    assert not Notification.objects.filter(template__in=["reminder", "escalation"]).exists()


def test_erasure_is_still_refused_while_a_safeguarding_concern_is_open(
    young_person, complaints_manager
):
    with time_machine.travel(MONDAY, tick=False):
        risk = submit(young_person, kind="worry", words="my carer hits me and i dont feel safe")
        dispatch.route_item(risk.item.pk)
        client = client_for(complaints_manager)
        page = client.get(reverse("feedback:person_erase", args=["jade"])).content.decode()
        refused = erase(client)
    assert "1 of their items is an open safeguarding concern" in page
    assert refused.status_code == 400
    assert Item.objects.get(pk=risk.item.pk).is_open


def test_only_the_complaints_manager_reaches_the_erasure_page(
    open_item, caseworker, manager, young_person, other_young_person
):
    for user in (caseworker, manager, young_person, other_young_person):
        client = client_for(user)
        assert client.get(reverse("feedback:person_erase", args=["jade"])).status_code == 404
        assert erase(client).status_code == 404
    assert Item.objects.get(pk=open_item.pk).is_open


def test_staff_cannot_close_a_complaint_as_erased(care_leaver, caseworker):
    from portal.refusals import Refused

    complaint = submit(care_leaver, kind="complaint", words="Nobody called me back").item
    dispatch.route_item(complaint.pk)
    with pytest.raises(Refused, match="Choose the outcome of the complaint"):
        services.resolve(
            item=Item.objects.get(pk=complaint.pk),
            by=caseworker,
            outcome=Outcome.ERASED,
            text="Closed",
        )
    assert Item.objects.get(pk=complaint.pk).is_open
