"""Meetings: the agenda lists actions due for review; takeover findings become actions;
the board pack's figures are the dashboard's; leads are reminded once before a review."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import time_machine

from feedback.models import Notification
from participation import access, services
from participation.models import Action, ActionStatus, Meeting, MeetingKind
from portal.models import Service
from portal.refusals import Refused
from tests.conftest import client_for
from tests.participation.conftest import make_items

pytestmark = pytest.mark.django_db


def test_the_review_meeting_agenda_lists_the_actions_due_for_review(
    story, participation_officer, council_member
):
    action = story["action"]
    assert action.review_on is not None
    early = services.create_meeting(
        kind=MeetingKind.REVIEW, title="Too early", on=date(2026, 1, 1), by=participation_officer
    )
    review = services.create_meeting(
        kind=MeetingKind.REVIEW,
        title="Six-month review",
        on=action.review_on,
        by=participation_officer,
    )
    services.add_agenda_item(meeting=review, title="Takeover day plans", by=participation_officer)
    client = client_for(council_member)
    page = client.get(f"/council/meetings/{review.pk}/").content.decode()
    assert "Buses to school are late" in page
    assert "Takeover day plans" in page
    assert (
        "Buses to school are late"
        not in client.get(f"/council/meetings/{early.pk}/").content.decode()
    )


def test_a_decision_at_a_meeting_is_recorded_as_an_action_update(story, participation_officer):
    action = story["action"]
    meeting = services.create_meeting(
        kind=MeetingKind.REVIEW, title="Review", on=action.review_on, by=participation_officer
    )
    response = client_for(participation_officer).post(
        f"/council/actions/{action.pk}/update/",
        {"text": "Council agreed it is on track", "status": "in_progress", "meeting": meeting.pk},
    )
    assert response.status_code == 302
    update = action.updates.first()
    assert update.meeting == meeting and update.status == ActionStatus.IN_PROGRESS


def test_a_takeover_finding_becomes_a_proposed_action(participation_officer):
    meeting = services.create_meeting(
        kind=MeetingKind.TAKEOVER,
        title="Takeover day",
        on=date(2026, 11, 2),
        by=participation_officer,
    )
    client = client_for(participation_officer)
    response = client.post(
        f"/council/meetings/{meeting.pk}/questions/",
        {
            "service": Service.objects.get(slug="virtual-school").pk,
            "question": "How do you help with homework?",
            "finding": "Nobody knew who to ask about tutoring",
        },
    )
    assert response.status_code == 302
    question = meeting.questions.get()
    response = client.post(f"/council/meetings/{meeting.pk}/questions/{question.pk}/action/")
    action = Action.objects.get()
    assert response["Location"] == f"/council/actions/{action.pk}/"
    assert action.status == ActionStatus.PROPOSED
    assert action.you_said == "Nobody knew who to ask about tutoring"
    assert action.service.slug == "virtual-school"
    assert action.from_meeting == meeting
    # Twice is still one action.
    client.post(f"/council/meetings/{meeting.pk}/questions/{question.pk}/action/")
    assert Action.objects.count() == 1


def test_questions_are_only_for_takeover_days(participation_officer):
    meeting = services.create_meeting(
        kind=MeetingKind.COUNCIL, title="Council", on=date(2026, 11, 2), by=participation_officer
    )
    with pytest.raises(Refused):
        services.add_takeover_question(
            meeting=meeting,
            service=Service.objects.get(slug="fostering"),
            question="q",
            finding="",
            by=participation_officer,
        )


def _csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


@pytest.mark.travel("2026-11-20 12:00Z")
@pytest.mark.usefixtures("small_cells_down")
def test_the_board_pack_figures_equal_the_dashboard_s(story, participation_officer, council_member):
    make_items(
        [
            {"topic": "housing", "kind": "worry", "created_at": date(2026, 10, d)}
            for d in range(1, 13)
        ]
        + [{"topic": "money", "kind": "idea", "created_at": date(2026, 9, 3)}] * 3
    )
    meeting = services.create_meeting(
        kind=MeetingKind.CORPORATE_PARENTING,
        title="Corporate Parenting Board",
        on=date(2026, 11, 20),
        by=participation_officer,
    )
    client = client_for(council_member)
    dashboard = _csv_cells(client.get("/council/figures.csv?period=12").content)
    pack = _csv_cells(client.get(f"/council/meetings/{meeting.pk}/pack.csv").content)
    page = client.get(f"/council/meetings/{meeting.pk}/pack/").content.decode()
    assert pack[: len(dashboard)] == dashboard
    # Finished months only: October's twelve worries, not Sam's idea of this month.
    assert ["Leaving care: housing", "0", "0", "10", "0", "10"] in pack
    assert "Buses to school are late" in page
    assert "My bus to school is always late" in page
    assert "fewer than 5" in page  # money: 3 ideas


def test_the_board_pack_is_only_for_corporate_parenting_board_meetings(
    participation_officer, council_member
):
    meeting = services.create_meeting(
        kind=MeetingKind.COUNCIL, title="Council", on=date(2026, 11, 2), by=participation_officer
    )
    assert (
        client_for(council_member).get(f"/council/meetings/{meeting.pk}/pack/").status_code == 404
    )


def test_leads_are_reminded_once_before_the_review_meeting(story, participation_officer, manager):
    action = story["action"]
    services.create_meeting(
        kind=MeetingKind.REVIEW, title="Review", on=action.review_on, by=participation_officer
    )
    # Ten working days before: too early.
    assert services.remind_leads(today=date.fromordinal(action.review_on.toordinal() - 14)) == 0
    day_before = date.fromordinal(action.review_on.toordinal() - 1)
    assert services.remind_leads(today=day_before) == 1
    assert services.remind_leads(today=day_before) == 0
    reminder = Notification.objects.get(key__startswith="review-reminder:")
    assert reminder.recipient == manager
    assert "due for review" in reminder.subject


def test_an_action_lead_opens_the_review_meeting_they_are_reminded_of(
    story, participation_officer, manager, other_caseworker
):
    meeting = services.create_meeting(
        kind=MeetingKind.REVIEW,
        title="Review",
        on=story["action"].review_on,
        by=participation_officer,
    )
    page = client_for(manager).get(f"/council/meetings/{meeting.pk}/")
    assert page.status_code == 200
    assert "Buses to school are late" in page.content.decode()
    assert "Record a decision" not in page.content.decode()  # moderators record decisions
    assert client_for(manager).get("/council/meetings/").status_code == 404


# --- Who opens a meeting: the council, the participation officer, the staff invited ---


def test_staff_open_a_meeting_only_when_invited(
    participation_officer, caseworker, other_caseworker
):
    response = client_for(participation_officer).post(
        "/council/meetings/",
        {
            "kind": MeetingKind.COUNCIL,
            "title": "Council with the Leaving Care Team",
            "date": "2027-03-01",
            "period_months": "12",
            "invitees": [caseworker.pk],
        },
    )
    meeting = Meeting.objects.get(title="Council with the Leaving Care Team")
    assert response["Location"] == f"/council/meetings/{meeting.pk}/"
    assert list(meeting.invitees.all()) == [caseworker]

    page = client_for(caseworker).get(f"/council/meetings/{meeting.pk}/")
    assert page.status_code == 200
    assert "Council with the Leaving Care Team" in page.content.decode()
    assert client_for(other_caseworker).get(f"/council/meetings/{meeting.pk}/").status_code == 404
    for path in ("agenda", "minutes", "questions"):
        assert (
            client_for(other_caseworker)
            .post(f"/council/meetings/{meeting.pk}/{path}/", {"title": "x"})
            .status_code
            == 404
        )
    # The list is the council's: neither of them gets it.
    assert client_for(caseworker).get("/council/meetings/").status_code == 404
    assert client_for(other_caseworker).get("/council/meetings/").status_code == 404


def test_the_meeting_form_offers_staff_to_invite_never_young_people(
    participation_officer, caseworker, young_person
):
    page = client_for(participation_officer).get("/council/meetings/").content.decode()
    assert 'name="invitees"' in page and "Casey" in page
    assert "Jade" not in page


def test_meetings_for_lists_every_meeting_for_the_council_and_invited_ones_for_staff(
    participation_officer, council_member, caseworker, other_caseworker
):
    invited = services.create_meeting(
        kind=MeetingKind.COUNCIL,
        title="Invited",
        on=date(2027, 3, 1),
        by=participation_officer,
        invitees=[caseworker],
    )
    services.create_meeting(
        kind=MeetingKind.COUNCIL, title="Not invited", on=date(2027, 3, 2), by=participation_officer
    )
    assert {m.title for m in access.meetings_for(council_member)} == {"Invited", "Not invited"}
    assert {m.title for m in access.meetings_for(participation_officer)} == {
        "Invited",
        "Not invited",
    }
    assert list(access.meetings_for(caseworker)) == [invited]
    assert list(access.meetings_for(other_caseworker)) == []


def test_a_council_member_adds_an_item_to_the_agenda(council_member, participation_officer):
    meeting = services.create_meeting(
        kind="council", title="Council", on=date(2027, 3, 1), by=participation_officer
    )
    client = client_for(council_member)
    assert "Add to agenda" in client.get(f"/council/meetings/{meeting.pk}/").content.decode()
    response = client.post(f"/council/meetings/{meeting.pk}/agenda/", {"title": "Pocket money"})
    assert response.status_code == 302
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Pocket money"]


@pytest.mark.travel("2026-11-20 12:00Z")
def test_a_takeover_action_is_reviewed_six_months_after_the_takeover_day(participation_officer):
    takeover = services.create_meeting(
        kind=MeetingKind.TAKEOVER,
        title="Takeover day",
        on=date(2026, 11, 2),
        by=participation_officer,
    )
    question = services.add_takeover_question(
        meeting=takeover,
        service=Service.objects.get(slug="virtual-school"),
        question="How do you help with homework?",
        finding="Nobody knew who to ask about tutoring",
        by=participation_officer,
    )
    found = services.finding_to_action(question=question, by=participation_officer)
    other = services.finding_to_action(
        question=services.add_takeover_question(
            meeting=takeover,
            service=Service.objects.get(slug="leaving-care"),
            question="Who helps with flats?",
            finding="Flats are far from college",
            by=participation_officer,
        ),
        by=participation_officer,
    )
    review = services.create_meeting(
        kind=MeetingKind.REVIEW, title="Review", on=date(2027, 5, 3), by=participation_officer
    )
    # Both are on the review's agenda, the one not yet agreed too.
    assert set(review.actions_for_review()) == {found, other}
    agreed = services.agree_action(
        action=found,
        by=participation_officer,
        service=Service.objects.get(slug="virtual-school"),
        we_will="Name a tutoring contact",
    )
    assert agreed.review_on == date(2027, 5, 2)
    page = client_for(participation_officer).get(f"/council/meetings/{review.pk}/")
    assert "Nobody knew who to ask" in page.content.decode()
    # The one not agreed yet is decided on its own page, not by a progress note.
    assert "Not agreed yet: agree or decline it on its page." in page.content.decode()


@pytest.mark.travel("2026-11-20 12:00Z")
def test_who_came_shows_only_once_the_meeting_has_happened(participation_officer):
    meeting = services.create_meeting(
        kind=MeetingKind.COUNCIL,
        title="Council",
        on=date(2026, 11, 27),
        attendees="4 council members",
        by=participation_officer,
    )
    client = client_for(participation_officer)
    assert "Who came" not in client.get(f"/council/meetings/{meeting.pk}/").content.decode()
    with time_machine.travel("2026-11-28 12:00Z"):
        page = client_for(participation_officer).get(f"/council/meetings/{meeting.pk}/")
        page = page.content.decode()
    assert "Who came" in page and "4 council members" in page
