"""Clocks in working days: reminders before, escalations after, each once."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from feedback import dispatch, services
from feedback.models import ClockState, Event, Item, Notification
from portal.refusals import Refused
from tests.conftest import submit

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


@pytest.fixture
def complaint(young_person, caseworker, manager, complaints_manager):
    """A complaint received on Monday 2 November 2026, routed to the Leaving Care Team."""
    with time_machine.travel(at(date(2026, 11, 2)), tick=False):
        item = submit(young_person, kind="complaint", topic="where-i-live").item
        dispatch.route_item(item.pk)
    item = Item.objects.get(pk=item.pk)
    # Hand it to the Leaving Care Team so its caseworker and manager are in play.
    from portal.models import Service

    Item.objects.filter(pk=item.pk).update(service=Service.objects.get(slug="leaving-care"))
    item.refresh_from_db()
    return item


def run_clocks(day: date) -> dict[str, int]:
    with time_machine.travel(at(day), tick=False):
        return dispatch.check_clocks()


def test_a_stage_1_complaint_is_due_10_working_days_after_receipt(complaint):
    assert complaint.clock == "stage1"
    assert complaint.due_on == date(2026, 11, 16)


def test_a_postcard_must_be_acknowledged_in_2_working_days(care_leaver):
    with time_machine.travel(at(date(2026, 12, 24)), tick=False):  # Thursday before Christmas
        item = submit(care_leaver).item
        dispatch.route_item(item.pk)
    item.refresh_from_db()
    # Fri 25 Dec and Mon 28 Dec (Boxing Day substitute) are not working days:
    # day 1 is Tuesday 29th, day 2 Wednesday 30th.
    assert item.due_on == date(2026, 12, 30)


def test_the_assignee_is_reminded_once_before_the_deadline(complaint, caseworker):
    services.assign(item=complaint, by=caseworker, assignee=caseworker)
    assert run_clocks(date(2026, 11, 10))["reminded"] == 0  # 4 working days before
    assert run_clocks(date(2026, 11, 12))["reminded"] == 1  # 2 working days before
    assert run_clocks(date(2026, 11, 13))["reminded"] == 0
    complaint.refresh_from_db()
    assert complaint.clock_state == ClockState.REMINDED
    assert Event.objects.filter(item=complaint, kind="reminder", visibility="staff").count() == 1
    reminders = Notification.objects.filter(item=complaint, template="reminder")
    assert [n.recipient for n in reminders] == [caseworker]


def test_a_late_item_is_escalated_to_the_manager_once(complaint, manager):
    assert run_clocks(date(2026, 11, 17))["escalated_manager"] == 1
    assert run_clocks(date(2026, 11, 18))["escalated_manager"] == 0
    complaint.refresh_from_db()
    assert complaint.clock_state == ClockState.ESCALATED_MANAGER and complaint.escalated
    escalations = Notification.objects.filter(item=complaint, template="escalation")
    assert [n.recipient for n in escalations] == [manager]
    assert Event.objects.filter(item=complaint, kind="escalated").count() == 1


def test_a_very_late_item_goes_to_the_complaints_manager_once(
    complaint, manager, complaints_manager
):
    run_clocks(date(2026, 11, 17))
    # 5 working days late is not yet "more than 5".
    assert run_clocks(date(2026, 11, 23))["escalated_complaints"] == 0
    assert run_clocks(date(2026, 11, 24))["escalated_complaints"] == 1
    assert run_clocks(date(2026, 11, 25))["escalated_complaints"] == 0
    complaint.refresh_from_db()
    assert complaint.clock_state == ClockState.ESCALATED_COMPLAINTS
    to_cm = Notification.objects.filter(
        item=complaint, template="escalation", recipient=complaints_manager
    )
    assert to_cm.count() == 1
    assert Event.objects.filter(item=complaint, kind="escalated").count() == 2


def test_an_extension_moves_the_due_date_and_tells_the_young_person(
    complaint, caseworker, young_person
):
    services.extend_clock(item=complaint, by=caseworker, reason="We need to speak to the carers")
    complaint.refresh_from_db()
    assert complaint.due_on == date(2026, 11, 30)  # 20 working days after 2 November
    assert complaint.clock_extended
    assert Notification.objects.filter(
        recipient=young_person, channel="portal", template="update"
    ).exists()
    with pytest.raises(Refused):
        services.extend_clock(item=complaint, by=caseworker, reason="Again")


def test_an_extension_restarts_the_reminders_for_the_new_date(complaint, caseworker):
    run_clocks(date(2026, 11, 17))
    services.extend_clock(item=complaint, by=caseworker, reason="Complex")
    complaint.refresh_from_db()
    assert complaint.clock_state == ClockState.RUNNING
    assert run_clocks(date(2026, 11, 26))["reminded"] == 1


def test_moving_to_stage_2_starts_a_25_working_day_clock(complaint, caseworker):
    with time_machine.travel(at(date(2026, 11, 20)), tick=False):
        services.move_stage(
            item=complaint, by=caseworker, reason="Young person asked", from_stage=1
        )
    complaint.refresh_from_db()
    assert complaint.stage == 2
    assert complaint.due_on == date(2026, 12, 29)  # 25 working days, skipping Christmas


def test_stage_3_cannot_be_extended(complaint, caseworker):
    services.move_stage(item=complaint, by=caseworker, reason="x", from_stage=1)
    services.move_stage(item=complaint, by=caseworker, reason="y", from_stage=2)
    with pytest.raises(Refused, match="no extension"):
        services.extend_clock(item=complaint, by=caseworker, reason="z")


def test_reminder_and_escalation_emails_carry_no_words(
    complaint, caseworker, manager, complaints_manager
):
    Item.objects.filter(pk=complaint.pk).update(words="secret words about my carer Bob")
    run_clocks(date(2026, 11, 12))
    run_clocks(date(2026, 11, 17))
    run_clocks(date(2026, 11, 24))
    emails = Notification.objects.filter(item=complaint, channel="email")
    assert emails.count() >= 3
    for mail in emails:
        assert "secret" not in mail.body and "Bob" not in mail.body and "carer" not in mail.subject


def test_a_late_acknowledgement_is_not_counted_on_time(care_leaver, caseworker):
    with time_machine.travel(at(date(2026, 11, 2)), tick=False):
        item = submit(care_leaver).item
        dispatch.route_item(item.pk)
    with time_machine.travel(at(date(2026, 11, 10)), tick=False):  # due the 4th
        services.acknowledge(item=Item.objects.get(pk=item.pk), by=caseworker)
    item.refresh_from_db()
    assert item.first_response_on_time is False
    assert item.clock == "reply" and item.due_on == date(2026, 11, 16)


def test_marking_in_progress_does_not_push_back_an_overdue_postcard(care_leaver, caseworker):
    with time_machine.travel(at(date(2026, 11, 2)), tick=False):
        item = submit(care_leaver).item
        dispatch.route_item(item.pk)
    with time_machine.travel(at(date(2026, 11, 10)), tick=False):
        services.set_status(item=Item.objects.get(pk=item.pk), by=caseworker, status="in_progress")
    item.refresh_from_db()
    assert item.due_on == date(2026, 11, 16)  # 10 working days from receipt, not from today


def test_a_complaint_marked_answered_is_late_nowhere_once_its_response_is_sent(
    complaint, caseworker, manager
):
    """The law's clock runs until the response is sent. Before one rule owned "clock
    running", an answered complaint kept its stage clock: overdue in the queue and on
    the dashboard, while check_clocks never reminded or escalated it."""
    from feedback import reports
    from portal.models import Service
    from tests.conftest import client_for

    with time_machine.travel(at(date(2026, 11, 10)), tick=False):
        services.set_status(item=complaint, by=caseworker, status="responded")
    complaint.refresh_from_db()
    assert complaint.due_on is None and not complaint.is_clock_running

    late_day = date(2026, 11, 30)  # two weeks past the stage 1 deadline
    with time_machine.travel(at(late_day), tick=False):
        queue = client_for(caseworker).get("/staff/", {"overdue": "1", "status": "all"})
        assert complaint.pk not in [item.pk for item in queue.context["page"]]
        assert not Item.objects.get(pk=complaint.pk).is_overdue
        lc = Service.objects.get(slug="leaving-care")
        dashboard = reports.dashboard(Item.objects.for_services({lc.pk}), [lc])
        assert dashboard.services[0].overdue_now == 0
        assert dispatch.check_clocks() == {
            "reminded": 0,
            "escalated_manager": 0,
            "escalated_complaints": 0,
        }


def test_queue_dashboard_and_check_clocks_agree_on_a_late_complaint(complaint, manager):
    from feedback import reports
    from portal.models import Service
    from tests.conftest import client_for

    late_day = date(2026, 11, 17)  # the day after the stage 1 deadline
    with time_machine.travel(at(late_day), tick=False):
        queue = client_for(manager).get("/staff/", {"overdue": "1"})
        assert complaint.pk in [item.pk for item in queue.context["page"]]
        lc = Service.objects.get(slug="leaving-care")
        dashboard = reports.dashboard(Item.objects.for_services({lc.pk}), [lc])
        assert dashboard.services[0].overdue_now == 1
        assert dispatch.check_clocks()["escalated_manager"] == 1
