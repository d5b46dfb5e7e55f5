"""A paper postcard that triage sends to the duty team stays visible to the worker who
entered it: she is told where it went and why, and can read what she entered and who has
it now, but not the duty team's notes."""

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import dispatch, services
from feedback.models import Item, StaffView, Topic
from portal.models import Service
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

RISK = "she said a man at the home hits her and she doesnt feel safe"
DUTY_NOTE = "Spoke to police, strategy meeting at 3"


def paper_for(username: str) -> dict[str, object]:
    return {
        "kind": "compliment",
        "audience": "in_care",
        "topic": Topic.objects.get(slug="school").pk,
        "words": "My teacher is kind",
        "identity": "named",
        "sender": "young_person",
        "young_person": username,
        "contact_wanted": "no",
        "received_by": "handed",
        "written_on": timezone.localdate().isoformat(),
    }


@pytest.fixture
def entered(caseworker, young_person) -> Item:
    young_person.young_person.services.add(Service.objects.get(slug="leaving-care"))
    response = client_for(caseworker).post(
        reverse("feedback:paper_new"), {**paper_for("jade"), "kind": "worry", "words": RISK}
    )
    item = Item.objects.get()
    assert response["Location"] == reverse("feedback:paper_done", args=[item.reference])
    return item


def test_the_worker_is_told_it_went_to_the_duty_team_and_why(caseworker, young_person):
    young_person.young_person.services.add(Service.objects.get(slug="leaving-care"))
    client = client_for(caseworker)
    response = client.post(
        reverse("feedback:paper_new"),
        {**paper_for("jade"), "kind": "worry", "words": RISK + " again"},
        follow=True,
    )
    text = response.content.decode()
    assert (
        "It went to the Safeguarding Duty Team, now, because it reads as a child at risk." in text
    )
    # What she entered is one link away, on the page she may read.
    item = Item.objects.get()
    entered = client.get(reverse("feedback:staff_item", args=[item.reference]))
    assert RISK + " again" in entered.content.decode()


def test_she_reads_what_she_entered_and_who_has_it_but_not_the_duty_team_s_notes(
    caseworker, duty_worker, entered
):
    dispatch.route_item(entered.pk)
    entered.refresh_from_db()
    assert entered.service.is_duty_team
    services.acknowledge(item=entered, by=duty_worker)
    services.add_note(item=entered, by=duty_worker, text=DUTY_NOTE)
    before = StaffView.objects.filter(user=caseworker, item=entered).count()
    page = client_for(caseworker).get(reverse("feedback:staff_item", args=[entered.reference]))
    text = page.content.decode()
    assert page.status_code == 200
    assert RISK in text
    assert "Safeguarding Duty Team" in text and "Dana" in text  # where, and who has it
    assert DUTY_NOTE not in text
    assert "Record the safeguarding decision" not in text and "Acknowledge" not in text
    # Her read is on record like any other.
    assert StaffView.objects.filter(user=caseworker, item=entered).count() == before + 1


def test_nobody_else_outside_the_duty_team_can_read_it(other_caseworker, manager, entered):
    dispatch.route_item(entered.pk)
    for user in (other_caseworker, manager):
        url = reverse("feedback:staff_item", args=[entered.reference])
        assert client_for(user).get(url).status_code == 404


def test_a_postcard_with_no_risk_says_it_is_being_routed_then_where_it_went(
    caseworker, young_person
):
    young_person.young_person.services.add(Service.objects.get(slug="leaving-care"))
    client = client_for(caseworker)
    response = client.post(reverse("feedback:paper_new"), paper_for("jade"))
    item = Item.objects.get()
    assert response["Location"] == reverse("feedback:paper_done", args=[item.reference])
    # Routing runs in Celery: until it has, the page says so rather than guess.
    before = client.get(response["Location"]).content.decode()
    assert "It is being routed to the right team" in before
    assert "Enter another paper postcard" in before
    dispatch.route_item(item.pk)
    after = client.get(response["Location"]).content.decode()
    item.refresh_from_db()
    assert item.service is not None and not item.service.is_duty_team
    assert f"It went to the {item.service.name}." in after
    assert "being routed" not in after
