"""A postcard not in English goes for a same-day read by the triage team, first in its
queue after children at risk, with its language named; "I have read it" clears it.
Risk words in any language go to the duty team instead, as English ones do."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from feedback import clocks, dispatch
from feedback.models import Clock, Event, EventKind, Item, Status
from portal.models import Membership, User
from tests.conftest import client_for, make_staff, submit

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 11, 2, 10, tzinfo=LONDON)
ARABIC = "أريد المزيد من مصروف الجيب من فضلكم"  # "I want more pocket money, please"
ALBANIAN_RISK = "Ai më rreh, kam frikë të shkoj në shtëpi"


@pytest.fixture
def reader(reference_data: None) -> User:
    """Staff in the complaints team, the triage service."""
    return make_staff("tess", "complaints")


def _sent(author: User, **answers: object) -> Item:
    result = submit(author, **answers)
    dispatch.route_item(result.item.pk)
    result.item.refresh_from_db()
    return result.item


def test_a_postcard_in_arabic_goes_to_triage_for_a_read_within_hours(care_leaver):
    with time_machine.travel(MONDAY, tick=False):
        item = _sent(care_leaver, words=ARABIC)  # a housing idea: routed to leaving care in English

    assert item.language == "ar" and item.language_name == "Arabic"
    assert item.needs_read and not item.safeguarding
    assert item.service.is_triage and item.status == Status.ROUTED
    assert item.clock == Clock.NEEDS_READ
    assert item.due_at == MONDAY + timedelta(hours=4)
    assert list(Item.objects.needs_read()) == [item]


def test_an_english_postcard_is_routed_as_before(care_leaver):
    with time_machine.travel(MONDAY, tick=False):
        item = _sent(care_leaver)

    assert item.language == "" and not item.needs_read
    assert item.service.slug == "leaving-care" and item.clock == Clock.ACKNOWLEDGE


def test_risk_words_in_another_language_go_to_the_duty_team_not_the_read_list(care_leaver):
    with time_machine.travel(MONDAY, tick=False):
        result = submit(care_leaver, kind="worry", words=ALBANIAN_RISK)
        assert result.item.safeguarding  # at submission: the young person sees help now
        dispatch.route_item(result.item.pk)
    item = Item.objects.get(pk=result.item.pk)

    assert item.service.is_duty_team and item.clock == Clock.URGENT
    assert item.safeguarding_reasons == ["abuse", "unsafe at home"]
    assert item.language == "sq" and not item.needs_read


def test_it_comes_first_in_the_triage_queue_with_its_language_and_hours_clock(
    care_leaver, young_person, reader
):
    with time_machine.travel(MONDAY - timedelta(days=3), tick=False):
        older = _sent(young_person, kind="complaint", words="My room is cold and nobody fixes it")
    with time_machine.travel(MONDAY, tick=False):
        arabic = _sent(care_leaver, words=ARABIC)
        page = client_for(reader).get("/staff/").content.decode()

    assert older.service == arabic.service
    assert page.index(arabic.reference) < page.index(older.reference)
    assert "Needs a read: Arabic" in page
    assert "due in 4 h 0 min (at 14:00)" in page


def test_the_needs_a_read_tab_lists_only_postcards_waiting_for_a_read(
    care_leaver, young_person, reader
):
    with time_machine.travel(MONDAY, tick=False):
        english = _sent(young_person, kind="complaint", words="My room is cold")
        arabic = _sent(care_leaver, words=ARABIC)
        page = client_for(reader).get("/staff/?needs_read=1").content.decode()

    assert arabic.reference in page and english.reference not in page
    assert "Needs a read" in page


def test_reading_it_clears_the_flag_and_starts_its_usual_clock(care_leaver, reader):
    with time_machine.travel(MONDAY, tick=False):
        item = _sent(care_leaver, words=ARABIC)
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        client = client_for(reader)
        before = client.get(f"/staff/items/{item.reference}/").content.decode()
        response = client.post(f"/staff/items/{item.reference}/read/")
        after = client.get(response["Location"]).content.decode()
        queue = client.get("/staff/").content.decode()
    item.refresh_from_db()

    assert "Needs a read today" in before and "I have read it" in before
    assert not item.needs_read and item.language == "ar"
    assert item.clock == Clock.ACKNOWLEDGE
    assert item.due_on == clocks.postcard_due(date(2026, 11, 2), 2)
    event = Event.objects.get(item=item, kind=EventKind.READ)
    assert event.actor == reader and event.visibility == "staff"
    assert event.data == {"language": "ar"}
    assert "Marked as read" in after and "I have read it" not in after
    assert "Arabic" in after  # still named in the item's facts
    assert "Needs a read: Arabic" not in queue and item.reference in queue


def test_reading_it_twice_is_refused_and_records_one_event(care_leaver, reader):
    with time_machine.travel(MONDAY, tick=False):
        item = _sent(care_leaver, words=ARABIC)
        client = client_for(reader)
        client.post(f"/staff/items/{item.reference}/read/")
        response = client.post(f"/staff/items/{item.reference}/read/", follow=True)

    assert "Someone has already read this." in response.content.decode()
    assert Event.objects.filter(item=item, kind=EventKind.READ).count() == 1


def test_an_acknowledged_postcard_read_afterwards_gets_its_reply_clock(care_leaver, reader):
    with time_machine.travel(MONDAY, tick=False):
        item = _sent(care_leaver, words=ARABIC)
        client = client_for(reader)
        client.post(f"/staff/items/{item.reference}/acknowledge/")
        client.post(f"/staff/items/{item.reference}/read/")
    item.refresh_from_db()

    assert item.status == Status.ACKNOWLEDGED and item.clock == Clock.REPLY


def test_staff_in_another_service_get_404_for_the_item_and_the_read_action(
    care_leaver, reader, other_caseworker
):
    with time_machine.travel(MONDAY, tick=False):
        item = _sent(care_leaver, words=ARABIC)
        client = client_for(other_caseworker)

        assert client.get(f"/staff/items/{item.reference}/").status_code == 404
        assert client.post(f"/staff/items/{item.reference}/read/").status_code == 404
        assert item.reference not in client.get("/staff/?needs_read=1").content.decode()
    item.refresh_from_db()
    assert item.needs_read


def test_a_young_person_gets_404_for_the_read_action(care_leaver, reader):
    with time_machine.travel(MONDAY, tick=False):
        item = _sent(care_leaver, words=ARABIC)

        response = client_for(care_leaver).post(f"/staff/items/{item.reference}/read/")

    assert response.status_code == 404


def test_a_read_not_done_in_time_goes_to_the_triage_teams_managers(care_leaver, reader):
    make_staff("tam", "complaints", Membership.Role.MANAGER)
    with time_machine.travel(MONDAY, tick=False):
        item = _sent(care_leaver, words=ARABIC)

    assert dispatch.check_clocks(date(2026, 11, 2))["reminded"] == 0  # counted in hours
    late = item.due_at + timedelta(minutes=1)
    assert dispatch.check_urgent_clocks(late) == {"manager": 1, "complaints_manager": 0}
    escalated = Event.objects.get(item=item, kind=EventKind.ESCALATED)
    assert escalated.data["to"] == "manager"


# --- Read by a person as a child at risk (found by review) -------------------------------


@pytest.fixture
def duty_member(reference_data: None) -> User:
    return make_staff("dana", "duty")


def test_moved_to_the_duty_team_it_becomes_a_child_at_risk_on_the_minute_clock(
    care_leaver, reader, duty_member, settings
):
    from django.core import mail

    from feedback import services
    from feedback.models import Notification
    from portal.models import Service

    settings.TEXT_ALERTS = True  # rows are queued; the Notify transport is tested on its own
    duty_member.phone = "+447400123456"
    duty_member.save()
    with time_machine.travel(MONDAY, tick=False):
        item = _sent(care_leaver, words=ARABIC)
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        services.reroute(
            item=item,
            by=reader,
            service=Service.objects.get(slug="duty"),
            reason="The interpreter says she is scared to go home",
        )
    item.refresh_from_db()
    assert item.safeguarding and item.priority == "urgent" and not item.needs_read
    assert item.clock == Clock.URGENT and item.status == Status.ROUTED
    assert item.due_at == MONDAY + timedelta(hours=1, minutes=settings.URGENT_ACKNOWLEDGE_MINUTES)
    arrivals = Notification.objects.filter(item=item, template="item-urgent")
    assert arrivals.filter(channel=Notification.Channel.EMAIL, recipient=duty_member).exists()
    assert arrivals.filter(channel=Notification.Channel.SMS, recipient=duty_member).exists()
    assert mail.outbox == [] or all(ARABIC not in m.body for m in mail.outbox)


def test_a_postcard_to_read_today_is_never_kept_for_the_daily_digest(care_leaver, reader):
    from feedback.models import Notification

    reader.daily_digest = True
    reader.save()
    with time_machine.travel(MONDAY, tick=False):
        item = _sent(care_leaver, words=ARABIC)
    arrival = Notification.objects.get(item=item, recipient=reader, template="item-arrived")
    assert arrival.state != "digest"


def test_an_answer_clears_the_read_flag(care_leaver, reader):
    from feedback import services

    with time_machine.travel(MONDAY, tick=False):
        item = _sent(care_leaver, words=ARABIC)
        services.resolve(item=item, by=reader, outcome="", text="Thank you")
    item.refresh_from_db()
    assert not item.needs_read and list(Item.objects.needs_read()) == []
