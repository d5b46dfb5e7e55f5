"""The demo shows the council's half: figures (some hidden), actions, a review meeting, Pat."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from feedback import demo
from feedback.codes import stored_submission_key
from feedback.models import Item
from participation import figures
from participation.models import Action, ActionStatus, Meeting, MeetingKind
from participation.seed import SPREAD
from portal.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_the_council_something_to_see_and_is_safe_to_run_again(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    assert Item.objects.count() == sum(SPREAD.values()) + len(demo.ITEMS)
    actions = list(Action.objects.all())
    assert len(actions) == 2
    assert {a.status for a in actions} == {ActionStatus.PROPOSED, ActionStatus.IN_PROGRESS}
    assert [a.public for a in actions if a.status == ActionStatus.IN_PROGRESS] == [True]
    review = Meeting.objects.get(kind=MeetingKind.REVIEW)
    assert list(review.actions_for_review()) == [
        a for a in actions if a.status == ActionStatus.IN_PROGRESS
    ]
    pat = User.objects.get(username="pat")
    assert pat.is_participation_officer
    cells = [
        cell for row in figures.figures(period="12").table("themes").rows for cell in row.cells
    ]
    assert any(cell.hidden for cell in cells)
    assert any(cell.value and cell.value >= 10 for cell in cells)
    assert "pat" in capsys.readouterr().out
    alex = User.objects.get(username="alex")
    page = client_for(alex).get("/council/").content.decode()
    assert "Jade" not in page and "Sam" not in page


def test_seed_demo_refuses_outside_the_demo_unless_told(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    settings.PORTAL_EMBEDDED = False
    with pytest.raises(CommandError, match="public"):
        call_command("seed_demo")
    assert not User.objects.exists()
    call_command("seed_demo", "--i-know-this-is-not-production")
    assert User.objects.filter(username="chris", is_complaints_manager=True).exists()


def test_seed_demo_never_changes_an_account_that_exists(db):
    from allauth.mfa.models import Authenticator

    from feedback.seed import seed_reference_data

    seed_reference_data()
    chris = User.objects.create_user("chris", password="the real one", email="c@council.example")
    call_command("seed_demo")
    chris.refresh_from_db()
    assert chris.check_password("the real one")
    assert not chris.is_complaints_manager
    assert not Authenticator.objects.filter(user=chris).exists()
    assert not chris.memberships.exists()


def test_the_demo_queues_are_full_and_every_routed_service_has_staff(db):
    from feedback.models import Clock, Event, Route
    from portal.models import Membership, Service

    call_command("seed_demo")
    live = Item.objects.filter(submission_key__in=[
        stored_submission_key(demo.uuid.uuid5(demo.DEMO_ITEMS, str(n)))
        for n in range(len(demo.ITEMS))
    ])  # fmt: skip
    assert live.count() == len(demo.ITEMS) == 12
    assert live.filter(clock=Clock.URGENT, service__is_duty_team=True).count() == 1
    assert any(item.is_overdue and item.is_complaint for item in live)
    assert Event.objects.filter(item__in=live, kind="change", data__change="planned").exists()
    assert len({item.service_id for item in live}) >= 6
    assert len({item.status for item in live}) >= 5
    routed_to = set(Route.objects.values_list("service_id", flat=True))
    routed_to |= set(Service.objects.filter(is_duty_team=True).values_list("pk", flat=True))
    staffed = set(Membership.objects.values_list("service_id", flat=True))
    assert routed_to <= staffed
    assert Service.objects.get(slug="fostering").memberships.exists()


@pytest.mark.travel("2026-11-20 12:00Z")
def test_seeded_meetings_fall_on_weekdays_and_say_nobody_came_yet():
    call_command("seed_demo")
    meetings = list(Meeting.objects.all())
    assert meetings
    for meeting in meetings:
        assert meeting.date.weekday() < 5
        assert not meeting.attendees


def test_the_demo_advocate_and_partner_nurse_each_open_only_the_items_sent_to_them(capsys):
    from allauth.mfa.models import Authenticator

    call_command("seed_demo")
    out = capsys.readouterr().out
    for username in ("ash", "nell"):
        assert username in out
        assert Authenticator.objects.filter(user__username=username).exists()
    ash, nell = User.objects.get(username="ash"), User.objects.get(username="nell")
    asked = Item.objects.get(advocate_requested=True)
    assert (asked.author.username, asked.topic.slug) == ("sam", "housing")
    listed = client_for(ash).get("/api/v1/staff/items/").json()["results"]
    assert [row["reference"] for row in listed] == [asked.reference]
    health = {i.reference for i in Item.objects.filter(service__slug="lac-health")}
    listed = client_for(nell).get("/api/v1/staff/items/?status=").json()["results"]
    assert health and {row["reference"] for row in listed} == health
