"""A child at risk, acknowledged: the worker who acknowledged it owns it, shown to the whole
duty team, and owes a decision on the response within one working day of receipt (Working
Together to Safeguard Children 2023); a missed decision escalates as a missed acknowledgement
does. The young person reads that a named team is looking after it, never the decision."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from feedback import dispatch, services
from feedback.models import Clock, ClockState, Event, Item, Notification, SafeguardingDecision
from portal.models import Membership
from portal.refusals import Refused
from tests.conftest import client_for, make_staff, submit

pytestmark = [pytest.mark.django_db, pytest.mark.travel("2026-12-04 15:30 +00:00")]  # a Friday

RISK = "a man at the home hits me and i dont feel safe"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def urgent(care_leaver) -> Item:
    item = submit(care_leaver, kind="worry", words=RISK).item
    dispatch.route_item(item.pk)
    item.refresh_from_db()
    return item


@pytest.fixture
def duty_manager(reference_data):
    return make_staff("dee", "duty", Membership.Role.MANAGER)


@pytest.fixture
def second_duty_worker(reference_data):
    return make_staff("eli", "duty")


def staff_page(user, item) -> str:
    return (
        client_for(user).get(reverse("feedback:staff_item", args=[item.reference])).content.decode()
    )


def test_acknowledging_takes_it_and_the_whole_duty_team_sees_who_has_it(
    urgent, duty_worker, second_duty_worker
):
    response = client_for(duty_worker).post(
        reverse("feedback:staff_acknowledge", args=[urgent.reference]), follow=True
    )
    urgent.refresh_from_db()
    assert urgent.assignee == duty_worker
    assert Event.objects.filter(item=urgent, kind="assigned").count() == 1
    assert "it is yours" in response.content.decode()
    assert "Assigned to Dana" in staff_page(second_duty_worker, urgent)
    queue = client_for(second_duty_worker).get("/staff/").content.decode()
    assert "Dana" in queue


def test_the_decision_is_due_by_the_end_of_the_next_working_day(urgent, duty_worker):
    services.acknowledge(item=urgent, by=duty_worker)
    urgent.refresh_from_db()
    # Received Friday afternoon: due by the end of Monday 7 December, not a 10-day reply clock.
    assert urgent.clock == Clock.DECISION
    assert urgent.due_on.isoformat() == "2026-12-07"
    assert urgent.due_at == datetime(2026, 12, 8, tzinfo=LONDON)
    page = staff_page(duty_worker, urgent)
    assert "Record the safeguarding decision" in page
    assert "decision due in" in page and "Mon 7 Dec" in page


def test_the_owner_records_a_decision_from_the_duty_team_s_list_then_the_reply_clock_runs(
    urgent, duty_worker
):
    services.acknowledge(item=urgent, by=duty_worker)
    client = client_for(duty_worker)
    response = client.post(
        reverse("feedback:staff_decide", args=[urgent.reference]),
        {"decision": "strategy", "note": "Strategy discussion with police at 4pm"},
    )
    assert response.status_code == 302
    urgent.refresh_from_db()
    assert urgent.decision == SafeguardingDecision.STRATEGY and urgent.decided_at is not None
    assert urgent.clock == Clock.REPLY and urgent.due_at is None
    event = Event.objects.get(item=urgent, kind="decision")
    assert event.visibility == "staff" and event.data == {"decision": "strategy", "on_time": True}
    assert event.body == "Strategy discussion with police at 4pm"
    page = staff_page(duty_worker, urgent)
    assert "Strategy discussion or section 47 enquiry" in page


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"note": "x"}, "Choose what was decided."),
        ({"decision": "no_further_action", "note": " "}, "Say why no further action is needed."),
        ({"decision": "police", "note": ""}, "Write a note of what was decided and by whom."),
    ],
)
def test_a_decision_needs_a_choice_and_a_note_said_beside_the_field(
    urgent, duty_worker, answers, error
):
    services.acknowledge(item=urgent, by=duty_worker)
    response = client_for(duty_worker).post(
        reverse("feedback:staff_decide", args=[urgent.reference]), answers
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    urgent.refresh_from_db()
    assert not urgent.decision and urgent.clock == Clock.DECISION


def test_only_the_owner_or_a_duty_manager_records_the_decision(
    urgent, duty_worker, second_duty_worker, duty_manager
):
    services.acknowledge(item=urgent, by=duty_worker)
    with pytest.raises(Refused, match="Only Dana, who has this"):
        services.record_decision(
            item=urgent, by=second_duty_worker, decision="early_help", note="Early help offered"
        )
    services.record_decision(
        item=urgent, by=duty_manager, decision="early_help", note="Early help offered"
    )
    urgent.refresh_from_db()
    assert urgent.decision == "early_help" and urgent.assignee == duty_worker


def test_a_decision_waits_for_acknowledgement_and_is_made_once(urgent, duty_worker):
    with pytest.raises(Refused, match="Acknowledge it first"):
        services.record_decision(item=urgent, by=duty_worker, decision="police", note="Rang 101")
    services.acknowledge(item=urgent, by=duty_worker)
    services.record_decision(item=urgent, by=duty_worker, decision="police", note="Rang 101")
    with pytest.raises(Refused, match="already been recorded"):
        services.record_decision(item=urgent, by=duty_worker, decision="nfa", note="x")


def test_a_missed_decision_escalates_to_the_duty_manager_then_the_complaints_manager_once(
    urgent, duty_worker, duty_manager, complaints_manager
):
    services.acknowledge(item=urgent, by=duty_worker)
    urgent.refresh_from_db()
    assert dispatch.check_urgent_clocks(urgent.due_at - timedelta(minutes=1)) == {
        "manager": 0,
        "complaints_manager": 0,
    }
    late = urgent.due_at + timedelta(minutes=1)
    assert dispatch.check_urgent_clocks(late) == {"manager": 1, "complaints_manager": 0}
    assert dispatch.check_urgent_clocks(late) == {"manager": 0, "complaints_manager": 0}
    later = urgent.due_at + timedelta(minutes=61)
    assert dispatch.check_urgent_clocks(later) == {"manager": 0, "complaints_manager": 1}
    urgent.refresh_from_db()
    assert urgent.clock_state == ClockState.ESCALATED_COMPLAINTS
    emails = Notification.objects.filter(template="urgent-escalation").order_by("pk")
    assert list(emails.values_list("recipient__username", flat=True)) == ["dee", "chris"]
    first = emails[0]
    assert "no decision recorded" in first.subject
    assert "Monday 7 December" in first.body and "Dana has it" in first.body
    assert RISK not in first.subject + first.body
    # The ordinary daily check leaves the decision clock to the minute check.
    assert dispatch.check_clocks(urgent.due_on + timedelta(days=3))["escalated_manager"] == 0


def test_a_decision_in_time_means_no_escalation(urgent, duty_worker, duty_manager):
    services.acknowledge(item=urgent, by=duty_worker)
    services.record_decision(
        item=urgent, by=duty_worker, decision="own_social_worker", note="Told her SW"
    )
    urgent.refresh_from_db()
    assert dispatch.check_urgent_clocks(datetime(2026, 12, 9, tzinfo=LONDON)) == {
        "manager": 0,
        "complaints_manager": 0,
    }


def test_the_young_person_reads_that_a_named_team_looks_after_it_never_the_decision(
    urgent, care_leaver, duty_worker
):
    client = client_for(care_leaver)
    page = client.get(reverse("feedback:item", args=[urgent.reference])).content.decode()
    assert "It is with the Safeguarding Duty Team. Someone there will read it very soon." in page
    services.acknowledge(item=urgent, by=duty_worker)
    services.record_decision(
        item=urgent, by=duty_worker, decision="strategy", note="Strategy meeting booked"
    )
    page = client.get(reverse("feedback:item", args=[urgent.reference])).content.decode()
    assert "The Safeguarding Duty Team is looking after what you said." in page
    assert "0800 1111" in page  # how to reach someone now
    assert "Strategy" not in page and "section 47" not in page and "decision" not in page.lower()


def test_the_dashboard_shows_children_at_risk_by_time_to_acknowledge_and_to_decision(
    care_leaver, duty_worker, duty_manager, manager
):
    first = submit(care_leaver, kind="worry", words=RISK).item
    second = submit(care_leaver, kind="worry", words=RISK + " at night").item
    for item in (first, second):
        dispatch.route_item(item.pk)
    with time_machine.travel("2026-12-04 15:50 +00:00", tick=False):  # 20 minutes on
        services.acknowledge(item=first, by=duty_worker)
    with time_machine.travel("2026-12-04 19:30 +00:00", tick=False):  # 4 hours on
        services.record_decision(
            item=first, by=duty_worker, decision="referral", note="Referred to MASH"
        )
    page = client_for(duty_manager).get("/staff/dashboard/").content.decode()
    assert "2 items read as a child at risk in this period." in page
    assert "Waiting now: 1 to acknowledge, 0 for a decision." in page
    assert "<td>1</td>\n    <td>1 (100%)</td>\n    <td>20 min</td>" in page
    assert "<td>1</td>\n    <td>1 (100%)</td>\n    <td>4 h</td>" in page
    # A manager of another service sees no such section.
    other = client_for(manager).get("/staff/dashboard/").content.decode()
    assert "Children at risk" not in other


# --- Nothing but a recorded decision settles it (found by review) ------------------------


@pytest.mark.parametrize("mark_responded", [True, False])
def test_a_reply_before_the_decision_leaves_the_decision_clock_running(
    urgent, duty_worker, duty_manager, mark_responded
):
    services.acknowledge(item=urgent, by=duty_worker)
    services.staff_reply(
        item=urgent,
        by=duty_worker,
        text="We are looking after this",
        mark_responded=mark_responded,
    )
    urgent.refresh_from_db()
    assert urgent.clock == Clock.DECISION and urgent.awaits_decision
    assert "Record the safeguarding decision" in staff_page(duty_worker, urgent)
    late = urgent.due_at + timedelta(minutes=1)
    assert dispatch.check_urgent_clocks(late) == {"manager": 1, "complaints_manager": 0}


def test_a_reply_or_a_status_before_acknowledging_takes_it_onto_the_decision_clock(
    care_leaver, duty_worker
):
    replied = submit(care_leaver, kind="worry", words=RISK).item
    moved = submit(care_leaver, kind="worry", words=RISK + " again").item
    for item in (replied, moved):
        dispatch.route_item(item.pk)
    services.staff_reply(item=replied, by=duty_worker, text="We are here for you")
    services.set_status(item=moved, by=duty_worker, status="in_progress")
    for item in (replied, moved):
        item.refresh_from_db()
        assert item.clock == Clock.DECISION, item.status
        assert item.assignee == duty_worker and item.first_response_at is not None


def test_an_answer_waits_for_the_decision(urgent, duty_worker):
    services.acknowledge(item=urgent, by=duty_worker)
    with pytest.raises(Refused, match="Record the safeguarding decision first"):
        services.resolve(item=urgent, by=duty_worker, outcome="", text="All sorted")
    services.record_decision(item=urgent, by=duty_worker, decision="early_help", note="Offered")
    services.resolve(item=urgent, by=duty_worker, outcome="", text="All sorted")
    urgent.refresh_from_db()
    assert urgent.status == "responded"


def test_it_cannot_leave_the_duty_team_before_the_decision(urgent, duty_worker):
    from portal.models import Service

    services.acknowledge(item=urgent, by=duty_worker)
    leaving_care = Service.objects.get(slug="leaving-care")
    with pytest.raises(Refused, match="Record the safeguarding decision first"):
        services.reroute(item=urgent, by=duty_worker, service=leaving_care, reason="Theirs")
    services.record_decision(
        item=urgent, by=duty_worker, decision="own_social_worker", note="Her PA knows"
    )
    services.reroute(item=urgent, by=duty_worker, service=leaving_care, reason="Theirs")
    urgent.refresh_from_db()
    assert urgent.service == leaving_care
