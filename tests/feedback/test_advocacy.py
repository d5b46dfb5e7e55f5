"""Advocates and partner organisations' workers: each opens exactly the items sent to
them, answers there, and sees nothing else of the council's (issue 24)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feedback import dispatch
from feedback.models import Item, Notification, Status
from portal.models import User
from tests.conftest import client_for, make_staff, submit

pytestmark = pytest.mark.django_db


def routed(author: User, **answers: object) -> Item:
    item = submit(author, **answers).item
    dispatch.route_item(item.pk)
    item.refresh_from_db()
    return item


@pytest.fixture
def advocated(young_person: User) -> Item:
    """Jade's complaint about where she lives; she asked for an advocate."""
    return routed(
        young_person,
        kind="complaint",
        topic="where-i-live",
        words="My carer reads my messages and I want it to stop",
        advocate_requested=True,
    )


@pytest.fixture
def not_advocated(other_young_person: User) -> Item:
    """Kai's complaint: no advocate asked for."""
    return routed(
        other_young_person,
        kind="complaint",
        topic="where-i-live",
        words="Nobody came to fix the heating in my room",
    )


@pytest.fixture
def health_item(young_person: User) -> Item:
    """Jade's worry about her health, routed to the LAC Health Team (a partner)."""
    return routed(
        young_person, kind="worry", topic="health", words="I have waited ages for the dentist"
    )


def staff_page(client, item: Item, action: str = "") -> int:
    name = f"feedback:staff_{action}" if action else "feedback:staff_item"
    if action:
        return client.post(reverse(name, args=[item.reference]), {"text": "x"}).status_code
    return client.get(reverse(name, args=[item.reference])).status_code


def api_item(client, item: Item) -> int:
    return client.get(f"/api/v1/staff/items/{item.reference}/").status_code


def queue_references(client) -> tuple[str, set[str]]:
    page = client.get(reverse("feedback:queue")).content.decode()
    listed = client.get("/api/v1/staff/items/").json()["results"]
    return page, {row["reference"] for row in listed}


def test_an_advocate_opens_the_complaint_sent_to_them_and_no_other_item(
    advocate, advocated, not_advocated, health_item, item
):
    assert advocated.service.slug == "complaints"  # it is the complaints team's to answer
    client = client_for(advocate)
    page = client.get(reverse("feedback:staff_item", args=[advocated.reference]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "My carer reads my messages" in text
    # Their page offers the answer, as the advocacy service, and none of the team's actions.
    assert "The young person sees your reply as from the Advocacy Service." in text
    for action in ("acknowledge", "resolve", "reroute", "note", "stage", "extend", "assign"):
        assert reverse(f"feedback:staff_{action}", args=[advocated.reference]) not in text
    assert "Reply as the team" not in text and "Start from a saved reply" not in text
    assert api_item(client, advocated) == 200
    for other in (not_advocated, health_item, item):
        assert staff_page(client, other) == 404, other
        assert api_item(client, other) == 404, other
    queue, listed = queue_references(client)
    assert advocated.reference in queue and listed == {advocated.reference}
    for other in (not_advocated, health_item, item):
        assert other.reference not in queue


def test_an_advocate_answers_as_the_advocacy_service_and_the_young_person_is_told(
    advocate, young_person, advocated
):
    before = advocated.status, advocated.due_on, advocated.assignee_id
    response = client_for(advocate).post(
        reverse("feedback:staff_reply", args=[advocated.reference]),
        {"text": "Hello Jade, I am Ash, your advocate. I can help you say what you want."},
    )
    assert response.status_code == 302
    seen = client_for(young_person).get(f"/postcards/{advocated.reference}/").content.decode()
    assert "Advocacy Service replied:" in seen
    assert "I am Ash, your advocate" in seen
    assert Notification.objects.filter(
        item=advocated, recipient=young_person, channel=Notification.Channel.PORTAL
    ).exists()
    # The complaints team still has it: its status, clock and assignee are theirs.
    advocated.refresh_from_db()
    assert (advocated.status, advocated.due_on, advocated.assignee_id) == before


def test_an_advocate_answers_through_the_api_too(advocate, young_person, advocated):
    response = client_for(advocate).post(
        f"/api/v1/staff/items/{advocated.reference}/reply/",
        {"text": "I will call you after school on Tuesday."},
        content_type="application/json",
    )
    assert response.status_code == 200
    seen = client_for(young_person).get(f"/postcards/{advocated.reference}/").content.decode()
    assert "Advocacy Service replied:" in seen and "after school on Tuesday" in seen


@pytest.mark.parametrize(
    "action", ["acknowledge", "take", "note", "resolve", "status", "extend", "stage", "reroute"]
)
def test_an_advocate_changes_nothing_else_on_the_complaint(advocate, advocated, action):
    events = advocated.events.count()
    client = client_for(advocate)
    assert staff_page(client, advocated, action) == 404
    api = client.post(
        f"/api/v1/staff/items/{advocated.reference}/{action}/",
        {"text": "x", "reason": "x", "status": "in_progress"},
        content_type="application/json",
    )
    assert api.status_code == 404
    assert advocated.events.count() == events


def test_a_partner_worker_opens_exactly_the_items_routed_to_their_service(
    partner_worker, health_item, advocated, item
):
    assert health_item.service.slug == "lac-health"
    client = client_for(partner_worker)
    assert staff_page(client, health_item) == 200
    assert api_item(client, health_item) == 200
    for other in (advocated, item):
        assert staff_page(client, other) == 404
        assert api_item(client, other) == 404
    queue, listed = queue_references(client)
    assert listed == {health_item.reference}
    assert advocated.reference not in queue and item.reference not in queue
    # Their service's item is theirs to work on, as for any team.
    assert staff_page(client, health_item, "acknowledge") == 302
    health_item.refresh_from_db()
    assert health_item.status == Status.ACKNOWLEDGED


@pytest.mark.parametrize("persona", ["advocate", "partner_worker"])
def test_advocates_and_partners_see_nothing_else_of_the_council_s(request, persona, manager):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for url in [
        reverse("feedback:paper_new"),
        reverse("invitation_new"),
        reverse("feedback:dashboard"),
        reverse("feedback:complaints_report"),
        reverse("feedback:people"),
        reverse("participation:actions"),
        reverse("participation:council"),
        "/api/v1/council/actions/",
    ]:
        assert client.get(url).status_code == 404, url
    paper = client.post("/api/v1/staff/paper/", {}, content_type="application/json")
    assert paper.status_code == 404


def test_a_partner_service_s_manager_has_no_dashboard(reference_data):
    nurse_manager = make_staff("nia", "lac-health", role="manager")
    assert client_for(nurse_manager).get(reverse("feedback:dashboard")).status_code == 404


@pytest.mark.parametrize("persona", ["advocate", "partner_worker"])
def test_advocates_and_partners_sign_in_with_a_second_factor(request, persona, advocated):
    user = request.getfixturevalue(persona)
    response = client_for(user, second_factor=False).get(reverse("feedback:queue"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    without = make_staff(f"{user.username}2", user.memberships.get().service.slug, mfa=False)
    response = client_for(without).get(reverse("feedback:queue"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    api = client_for(user, second_factor=False).get(f"/api/v1/staff/items/{advocated.reference}/")
    assert api.status_code == 404


def test_the_young_person_sees_where_their_complaint_went_and_who_is_helping(
    young_person, advocated
):
    page = client_for(young_person).get(f"/postcards/{advocated.reference}/").content.decode()
    assert "Your complaint is with the complaints team." in page
    assert "An advocate from the advocacy service is helping you." in page


def test_without_an_advocate_the_page_names_only_the_team(other_young_person, not_advocated):
    page = client_for(other_young_person).get(f"/postcards/{not_advocated.reference}/")
    text = page.content.decode()
    assert "Your complaint is with the complaints team." in text
    assert "is helping you" not in text
