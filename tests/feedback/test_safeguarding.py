"""Nothing a young person writes is discarded or slowed: flood limits hold, never drop,
and a child at risk runs on a clock of minutes, any day, with the duty team first."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback import clocks, dispatch, services
from feedback.models import Clock, ClockState, Event, Item, Notification, Status
from portal.models import Membership
from tests.conftest import client_for, make_staff, submit
from tests.feedback.test_submit import answers, send

pytestmark = pytest.mark.django_db

RISK = "a man at the home hits me and i dont feel safe"
SHARED_ADDRESS = "203.0.113.7"  # a children's home: everyone behind one address


def anonymous_from_shared_address() -> Client:
    return Client(REMOTE_ADDR=SHARED_ADDRESS)


def send_anonymously(client: Client, **overrides: str):
    return send(client, answers(identity="anonymous", audience="in_care", **overrides))


def route_all() -> None:
    for pk in Item.objects.filter(status=Status.SUBMITTED).values_list("pk", flat=True):
        dispatch.route_item(pk)


@pytest.mark.parametrize("nth", [11, 50, 200])
def test_a_disclosure_from_a_busy_shared_address_reaches_the_duty_team(
    reference_data, settings, nth
):
    # Lower than the default so the address is well past its limit by the nth.
    settings.SUBMISSION_ADDRESS_RATE = "10/h"
    for _ in range(nth - 1):
        client = anonymous_from_shared_address()
        send_anonymously(client)
        send_anonymously(client)  # each session sends two, so the address limit bites
    client = anonymous_from_shared_address()
    response, _key = send_anonymously(client, kind="worry", words=RISK)
    page = client.get(response["Location"]).content.decode()
    route_all()

    disclosure = Item.objects.get(words=RISK)
    assert Item.objects.count() == 2 * (nth - 1) + 1  # nothing lost
    assert disclosure.service.is_duty_team and disclosure.status == Status.ROUTED
    assert not disclosure.held
    assert Item.objects.filter(held=True).count() >= nth - 11  # the address limit did bite
    assert "Get help now" in page and "0800 1111" in page
    assert "2 working days" not in page


def test_the_first_postcard_of_a_session_is_never_held_at_a_busy_address(reference_data, settings):
    settings.SUBMISSION_ADDRESS_RATE = "3/h"
    for _ in range(5):
        client = anonymous_from_shared_address()
        send_anonymously(client)
    assert Item.objects.count() == 5
    assert not Item.objects.filter(held=True).exists()


def test_a_flood_from_one_session_is_held_for_a_person_to_check_not_lost(young_person, settings):
    settings.SUBMISSION_RATE = "2/h"
    client = client_for(young_person)
    for _ in range(2):
        send(client, answers())
    response, _key = send(client, answers(words="A third idea, sent quickly"))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "a person will check this one" in page

    route_all()
    held = Item.objects.get(words="A third idea, sent quickly")
    assert Item.objects.count() == 3
    assert held.held and held.service.is_triage and held.status == Status.ROUTED
    event = Event.objects.get(item=held, kind="held")
    assert event.visibility == "staff"
    assert Item.objects.filter(held=False).count() == 2


def test_a_young_person_over_the_limit_who_discloses_risk_is_routed_to_the_duty_team(
    young_person, settings
):
    settings.SUBMISSION_RATE = "1/h"
    client = client_for(young_person)
    send(client, answers())
    response, _key = send(client, answers(kind="worry", words=RISK))
    page = client.get(response["Location"]).content.decode()
    route_all()
    item = Item.objects.get(words=RISK)
    assert not item.held and item.service.is_duty_team
    assert "Get help now" in page


def test_a_double_tap_over_the_limit_is_still_one_postcard(young_person, settings):
    settings.SUBMISSION_RATE = "1/h"
    client = client_for(young_person)
    data = answers()
    check = client.post("/postcards/new/", {**data, "step": "check"})
    key = str(check.context["submission_key"])
    for _ in range(3):
        client.post("/postcards/new/", {**data, "step": "send", "submission_key": key})
    item = Item.objects.get()
    assert not item.held


# --- The clock of a child at risk ------------------------------------------------


@pytest.fixture
def urgent(care_leaver):
    item = submit(care_leaver, kind="worry", words=RISK).item
    dispatch.route_item(item.pk)
    item.refresh_from_db()
    return item


@pytest.fixture
def duty_manager(reference_data):
    return make_staff("dee", "duty", Membership.Role.MANAGER)


def test_a_child_at_risk_must_be_acknowledged_within_an_hour_any_day(care_leaver, settings):
    with time_machine.travel("2026-12-26 21:30 +00:00", tick=False):  # Boxing Day, night
        item = submit(care_leaver, kind="worry", words=RISK).item
        dispatch.route_item(item.pk)
        item.refresh_from_db()
        assert item.clock == Clock.URGENT
        assert item.due_at == timezone.now() + timedelta(minutes=60)
        assert not item.is_overdue


def test_the_ordinary_daily_check_neither_reminds_nor_escalates_an_urgent_item(urgent):
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        assert dispatch.check_clocks() == {
            "reminded": 0,
            "escalated_manager": 0,
            "escalated_complaints": 0,
        }
    assert not Event.objects.filter(item=urgent, kind="reminder").exists()


def test_a_missed_urgent_clock_goes_to_the_duty_manager_then_the_complaints_manager_once(
    urgent, duty_manager, complaints_manager
):
    assert dispatch.check_urgent_clocks() == {"manager": 0, "complaints_manager": 0}
    late = urgent.due_at + timedelta(minutes=1)
    assert dispatch.check_urgent_clocks(late) == {"manager": 1, "complaints_manager": 0}
    assert dispatch.check_urgent_clocks(late) == {"manager": 0, "complaints_manager": 0}
    later = urgent.due_at + timedelta(minutes=61)
    assert dispatch.check_urgent_clocks(later) == {"manager": 0, "complaints_manager": 1}
    assert dispatch.check_urgent_clocks(later) == {"manager": 0, "complaints_manager": 0}

    urgent.refresh_from_db()
    assert urgent.clock_state == ClockState.ESCALATED_COMPLAINTS and urgent.escalated
    assert list(
        Event.objects.filter(item=urgent, kind="escalated").values_list("data__to", flat=True)
    ) == ["manager", "complaints_manager"]
    emails = Notification.objects.filter(template="urgent-escalation")
    assert set(emails.values_list("recipient__username", flat=True)) == {"dee", "chris"}
    assert all(RISK not in n.body and "0300 123 9999" in n.body for n in emails)


def test_without_a_duty_manager_the_first_escalation_goes_to_the_complaints_manager(
    urgent, complaints_manager
):
    dispatch.check_urgent_clocks(urgent.due_at + timedelta(minutes=1))
    assert Notification.objects.filter(
        template="urgent-escalation", recipient=complaints_manager
    ).exists()


def test_acknowledging_an_urgent_item_stops_its_acknowledgement_clock(urgent, duty_worker):
    services.acknowledge(item=urgent, by=duty_worker)
    urgent.refresh_from_db()
    assert urgent.clock == Clock.DECISION  # the next clock: the decision's, not the reply's
    assert dispatch.check_urgent_clocks(timezone.now() + timedelta(hours=5)) == {
        "manager": 0,
        "complaints_manager": 0,
    }


def test_unacknowledged_urgent_items_come_first_whatever_the_sort(urgent, duty_worker):
    for words in ("An idea about the duty team", "Another idea"):
        item = submit(None, identity="anonymous", words=words).item
        dispatch.route_item(item.pk)
        Item.objects.filter(pk=item.pk).update(
            service=urgent.service, due_on=timezone.localdate() - timedelta(days=3)
        )
    client = client_for(duty_worker)
    for sort in ("due", "-due", "oldest", "newest"):
        page = client.get("/staff/", {"sort": sort})
        assert next(iter(page.context["page"])).pk == urgent.pk, sort
    page = client.get("/staff/").content.decode()
    assert timezone.localtime(urgent.due_at).strftime("%H:%M") in page


def test_the_young_person_is_told_one_consistent_thing_about_an_urgent_item(urgent, care_leaver):
    page = client_for(care_leaver).get(reverse("feedback:item", args=[urgent.reference]))
    text = page.content.decode()
    assert "Get help now" in text and "keep children safe" in text
    assert "working days" not in text
    assert "will tell you they have seen it by" not in text


def test_withdrawing_an_urgent_item_keeps_it_in_the_duty_queue(urgent, care_leaver, duty_worker):
    client = client_for(care_leaver)
    client.post(reverse("feedback:item_withdraw", args=[urgent.reference]))
    urgent.refresh_from_db()
    assert urgent.is_open and urgent.status == Status.ROUTED and urgent.withdrawal_requested
    assert urgent.clock == Clock.URGENT  # still on its clock
    page = client.get(reverse("feedback:item", args=[urgent.reference])).content.decode()
    assert "will still check that you are OK" in page
    queue = client_for(duty_worker).get("/staff/")
    assert urgent.pk in [i.pk for i in queue.context["page"]]
    staff_page = client_for(duty_worker).get(
        reverse("feedback:staff_item", args=[urgent.reference])
    )
    assert "asked to withdraw" in staff_page.content.decode()
    # Asking twice records it once.
    client.post(reverse("feedback:item_withdraw", args=[urgent.reference]))
    assert Event.objects.filter(item=urgent, kind="withdrawn").count() == 1


def test_an_urgent_escalation_email_names_the_out_of_hours_number_and_no_words(
    urgent, duty_manager
):
    dispatch.check_urgent_clocks(urgent.due_at + timedelta(minutes=1))
    note = Notification.objects.get(template="urgent-escalation")
    assert urgent.reference in note.subject
    assert RISK not in note.subject + note.body
    assert "0300 123 9999" in note.body
    assert not [m for m in mail.outbox if RISK in m.body]


def test_a_complaint_from_a_child_at_risk_gets_its_stage_clock_once_acknowledged(
    care_leaver, duty_worker
):
    item = submit(care_leaver, kind="complaint", words=RISK).item
    dispatch.route_item(item.pk)
    item.refresh_from_db()
    assert item.clock == Clock.URGENT
    services.acknowledge(item=item, by=duty_worker)
    services.record_decision(
        item=item, by=duty_worker, decision="referral", note="Referred to the MASH"
    )
    item.refresh_from_db()
    assert item.clock == Clock.STAGE1 and item.due_at is None
    assert item.due_on == clocks.stage_due(1, timezone.localdate(item.created_at))
