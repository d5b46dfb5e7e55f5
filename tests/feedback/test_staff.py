"""Staff work their service's queue: every page gated, every action one event."""

import pytest
from django.urls import reverse

from feedback import dispatch, services
from feedback.models import Event, Item, StaffView, Status
from portal.models import Service
from portal.refusals import Refused
from tests.conftest import client_for, submit

pytestmark = pytest.mark.django_db

PERSONAS = [
    "young_person",
    "other_young_person",
    "caseworker",
    "other_caseworker",
    "manager",
    "complaints_manager",
    "council_member",
    None,
]
ACTIONS = [
    "acknowledge",
    "take",
    "assign",
    "reply",
    "note",
    "status",
    "resolve",
    "extend",
    "stage",
    "reroute",
]


def expected(persona: str | None, kind: str) -> int:
    """What each persona gets: 200 in the item's service (or for the complaints manager)."""
    if persona is None:
        return 302  # to sign in
    if kind == "queue":
        return (
            200
            if persona in {"caseworker", "other_caseworker", "manager", "complaints_manager"}
            else 404
        )
    if kind == "audit":
        return 200 if persona == "complaints_manager" else 404
    return 200 if persona in {"caseworker", "manager", "complaints_manager"} else 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix_for_every_staff_page(request, item, persona):
    user = request.getfixturevalue(persona) if persona else None
    client = client_for(user)
    pages = {
        "queue": reverse("feedback:queue"),
        "item": reverse("feedback:staff_item", args=[item.reference]),
        "audit": reverse("feedback:staff_audit", args=[item.reference]),
        "api_item": f"/api/staff/items/{item.reference}/",
    }
    for kind, url in pages.items():
        status = client.get(url).status_code
        want = expected(persona, "item" if kind == "api_item" else kind)
        if kind == "api_item" and persona is None:
            want = 403  # the API answers rather than redirecting
        assert status == want, (persona, url, status)
    queue_api = client.get("/api/staff/items/")
    if expected(persona, "queue") == 200:
        refs = [row["reference"] for row in queue_api.json()["results"]]
        assert (item.reference in refs) == (expected(persona, "item") == 200)
        assert (
            item.reference in client.get(pages["queue"]).content.decode()
            or expected(persona, "item") != 200
        )
    else:
        assert queue_api.status_code in (403, 404)


@pytest.mark.parametrize("persona", ["young_person", "other_caseworker", "council_member", None])
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_url_is_closed_to_the_wrong_persona(request, item, persona, action):
    user = request.getfixturevalue(persona) if persona else None
    response = client_for(user).post(
        reverse(f"feedback:staff_{action}", args=[item.reference]),
        {"text": "x", "reason": "x", "status": "in_progress", "outcome": "upheld"},
    )
    assert response.status_code in (404, 302)
    if persona is None:
        assert "/accounts/login/" in response["Location"]
    assert not Event.objects.filter(item=item).exclude(kind__in=["submitted", "routed"]).exists()


def test_the_queue_shows_only_my_services_items(caseworker, other_caseworker, item, young_person):
    school = submit(young_person, topic="school").item
    dispatch.route_item(school.pk)
    mine = client_for(caseworker).get("/staff/").content.decode()
    theirs = client_for(other_caseworker).get("/staff/").content.decode()
    assert item.reference in mine and school.reference not in mine
    assert school.reference in theirs and item.reference not in theirs


def test_the_complaints_manager_sees_everything(complaints_manager, item, young_person):
    school = submit(young_person, topic="school").item
    dispatch.route_item(school.pk)
    page = client_for(complaints_manager).get("/staff/").content.decode()
    assert item.reference in page and school.reference in page


@pytest.fixture
def many_items(care_leaver, caseworker):
    """Six items in the Leaving Care Team with different kinds, states and dates."""
    from datetime import date, timedelta

    refs = {}
    for name, kind, topic in [
        ("idea", "idea", "housing"),
        ("worry", "worry", "money"),
        ("complaint", "complaint", "housing"),
        ("compliment", "compliment", "work"),
        ("urgent", "worry", "housing"),
        ("closed", "idea", "money"),
    ]:
        words = "i want to die" if name == "urgent" else f"About {name}"
        item = submit(care_leaver, kind=kind, topic=topic, words=words).item
        dispatch.route_item(item.pk)
        Item.objects.filter(pk=item.pk).update(service=Service.objects.get(slug="leaving-care"))
        refs[name] = Item.objects.get(pk=item.pk)
    today = date.today()
    Item.objects.filter(pk=refs["worry"].pk).update(due_on=today - timedelta(days=3))
    Item.objects.filter(pk=refs["idea"].pk).update(
        due_on=today + timedelta(days=5), assignee=caseworker
    )
    Item.objects.filter(pk=refs["closed"].pk).update(status=Status.CLOSED)
    return refs


def queue_refs(client, **params) -> list[str]:
    response = client.get("/staff/", params)
    assert response.status_code == 200
    return [item.reference for item in response.context["page"]]


def test_queue_filters(caseworker, many_items):
    client = client_for(caseworker)
    refs = {name: item.reference for name, item in many_items.items()}
    assert set(queue_refs(client)) == set(refs.values()) - {refs["closed"]}
    assert queue_refs(client, status="closed") == [refs["closed"]]
    assert queue_refs(client, kind="complaint") == [refs["complaint"]]
    assert queue_refs(client, overdue="1") == [refs["worry"]]
    assert queue_refs(client, urgent="1") == [refs["urgent"]]
    assert queue_refs(client, assigned="me") == [refs["idea"]]
    assert refs["idea"] not in queue_refs(client, assigned="nobody")
    housing = many_items["idea"].topic_id
    assert set(queue_refs(client, topic=housing)) == {
        refs["idea"],
        refs["complaint"],
        refs["urgent"],
    }


def test_queue_sorts_by_due_date_by_default_after_children_at_risk(caseworker, many_items):
    refs = queue_refs(client_for(caseworker))
    assert refs[0] == many_items["urgent"].reference  # a child at risk, not yet acknowledged
    dues = [Item.objects.get(reference=r).due_on for r in refs[1:]]
    present = [d for d in dues if d is not None]
    assert present == sorted(present)
    assert refs[1] == many_items["worry"].reference  # then the overdue one
    assert "Overdue" in client_for(caseworker).get("/staff/").content.decode()


def test_the_queue_uses_a_fixed_number_of_queries(
    caseworker, care_leaver, django_assert_num_queries, settings
):
    settings.LIST_READ_REPEAT_MINUTES = 0  # both loads put their list on record
    client = client_for(caseworker)
    for _ in range(3):
        dispatch.route_item(submit(care_leaver).item.pk)
    client.get("/staff/")  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/staff/")
    for _ in range(20):
        dispatch.route_item(submit(care_leaver).item.pk)
    with CaptureQueriesContext(connection) as many:
        client.get("/staff/")
    assert len(many) == len(few)
    assert len(few) <= 12


def test_opening_an_item_is_recorded_and_only_the_complaints_manager_reads_the_record(
    item, caseworker, complaints_manager
):
    client_for(caseworker).get(reverse("feedback:staff_item", args=[item.reference]))
    assert StaffView.objects.filter(item=item, user=caseworker).count() == 1
    page = client_for(complaints_manager).get(
        reverse("feedback:staff_audit", args=[item.reference])
    )
    assert caseworker.username in page.content.decode()


def test_the_staff_page_shows_identity_only_when_the_tier_allows(caseworker, care_leaver):
    confidential = submit(care_leaver, identity="confidential").item
    anonymous = submit(None, identity="anonymous", audience="care_leaver").item
    for item in (confidential, anonymous):
        dispatch.route_item(item.pk)
    client = client_for(caseworker)
    page = client.get(
        reverse("feedback:staff_item", args=[confidential.reference])
    ).content.decode()
    assert "Sam" in page
    page = client.get(reverse("feedback:staff_item", args=[anonymous.reference])).content.decode()
    assert "Sam" not in page and "Anonymous" in page


def act(client, item, action, **data):
    return client.post(reverse(f"feedback:staff_{action}", args=[item.reference]), data)


def young_person_sees(user, item) -> str:
    return client_for(user).get(f"/postcards/{item.reference}/").content.decode()


def new_events(item, before: int) -> list[Event]:
    return list(Event.objects.filter(item=item).order_by("id"))[before:]


def test_acknowledge_shows_the_young_person_it_was_seen(caseworker, care_leaver, item):
    before = item.events.count()
    act(client_for(caseworker), item, "acknowledge")
    assert [e.kind for e in new_events(item, before)] == ["acknowledged"]
    assert "has seen it" in young_person_sees(care_leaver, item)
    item.refresh_from_db()
    assert item.status == Status.ACKNOWLEDGED and item.clock == "reply"


def test_a_reply_as_the_team_hides_the_caseworkers_name(caseworker, care_leaver, item):
    before = item.events.count()
    act(client_for(caseworker), item, "reply", text="We are on it", as_team="on")
    # Nobody had it: answering it assigns it to Casey (staff only) as it goes.
    assert [e.kind for e in new_events(item, before)] == ["assigned", "staff_reply"]
    page = young_person_sees(care_leaver, item)
    assert "We are on it" in page and "Leaving Care Team replied" in page and "Casey" not in page


def test_a_note_writes_one_event_the_young_person_never_sees(caseworker, care_leaver, item):
    before = item.events.count()
    act(client_for(caseworker), item, "note", text="Called the PA")
    assert [(e.kind, e.visibility) for e in new_events(item, before)] == [("note", "staff")]
    assert "Called the PA" not in young_person_sees(care_leaver, item)


def test_a_change_needs_describing(caseworker, item):
    response = act(client_for(caseworker), item, "reply", text="Thanks", change="planned")
    assert response.status_code == 400
    assert "Describe the change." in response.content.decode()
    act(
        client_for(caseworker),
        item,
        "reply",
        text="Thanks",
        change="made",
        change_description="New kettle",
    )
    assert Event.objects.filter(item=item, kind="change", body="New kettle").count() == 1


def test_a_complaint_cannot_be_resolved_without_an_outcome(complaints_manager, young_person):
    complaint = submit(young_person, kind="complaint", topic="where-i-live").item
    dispatch.route_item(complaint.pk)
    complaint.refresh_from_db()
    response = act(client_for(complaints_manager), complaint, "resolve", text="Sorted")
    assert response.status_code == 400
    assert "Choose the outcome of the complaint." in response.content.decode()
    act(client_for(complaints_manager), complaint, "resolve", text="We agree", outcome="upheld")
    complaint.refresh_from_db()
    assert complaint.status == Status.RESPONDED and complaint.outcome == "upheld"
    assert "We agree" in young_person_sees(young_person, complaint)


def test_rerouting_needs_a_reason_and_moves_the_item(caseworker, care_leaver, item):
    health = Service.objects.get(slug="lac-health")
    response = act(client_for(caseworker), item, "reroute", service=health.pk, reason="")
    assert response.status_code == 400
    act(
        client_for(caseworker),
        item,
        "reroute",
        service=health.pk,
        reason="It is about a health visit",
    )
    item.refresh_from_db()
    assert item.service == health
    assert "passed to the health team for children in care" in young_person_sees(care_leaver, item)
    assert "health visit" not in young_person_sees(care_leaver, item)
    assert (
        client_for(caseworker)
        .get(reverse("feedback:staff_item", args=[item.reference]))
        .status_code
        == 404
    )


def test_extending_a_postcards_clock_is_refused_with_a_message(caseworker, item):
    client = client_for(caseworker)
    response = act(client, item, "extend", reason="Busy")
    assert "Only a complaint" in client.get(response["Location"]).content.decode()
    assert not Event.objects.filter(item=item, kind="extended").exists()


def test_a_double_click_acts_once(caseworker, item):
    client = client_for(caseworker)
    act(client, item, "acknowledge")
    act(client, item, "acknowledge")
    assert Event.objects.filter(item=item, kind="acknowledged").count() == 1


def test_actions_on_a_closed_item_are_refused_with_a_message(caseworker, care_leaver, item):
    services.withdraw(item=item, by=care_leaver)
    client = client_for(caseworker)
    response = client.post(
        reverse("feedback:staff_reply", args=[item.reference]),
        {"text": "Hello"},
        follow=True,
    )
    assert "This has been withdrawn" in response.content.decode()
    assert not Event.objects.filter(item=item, kind="staff_reply").exists()


def test_assigning_to_someone_outside_the_service_is_refused(caseworker, other_caseworker, item):
    response = act(client_for(caseworker), item, "assign", assignee=other_caseworker.pk)
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.assignee is None


def paper_for(username: str, identity: str = "named") -> dict[str, object]:
    from django.utils import timezone

    from feedback.models import Topic

    return {
        "kind": "compliment",
        "audience": "in_care",
        "topic": Topic.objects.get(slug="school").pk,
        "words": "My teacher is kind",
        "identity": identity,
        "sender": "young_person",
        "young_person": username,
        "contact_wanted": "no",
        "received_by": "handed",
        "written_on": timezone.localdate().isoformat(),
    }


def test_staff_enter_a_paper_postcard_for_a_young_person_their_service_works_with(
    caseworker, young_person, complaints_manager
):
    young_person.young_person.services.add(Service.objects.get(slug="leaving-care"))
    response = client_for(caseworker).post(reverse("feedback:paper_new"), paper_for("jade"))
    assert response.status_code == 302
    paper = Item.objects.get()
    assert (
        paper.channel == "paper" and paper.entered_by == caseworker and paper.author == young_person
    )
    # The young person reads who typed it in, never "You sent it".
    page = client_for(young_person).get(reverse("feedback:item", args=[paper.reference]))
    text = page.content.decode()
    assert "The Leaving Care Team entered it from your paper postcard." in text
    assert "You sent it." not in text
    dispatch.route_item(paper.pk)
    staff_page = client_for(complaints_manager).get(
        reverse("feedback:staff_item", args=[paper.reference])
    )
    assert f"{caseworker} entered it from a paper postcard." in staff_page.content.decode()


def test_a_paper_postcard_in_the_name_of_a_young_person_another_service_works_with_is_refused(
    caseworker, young_person
):
    young_person.young_person.services.add(Service.objects.get(slug="virtual-school"))
    unlinked = client_for(caseworker).post(reverse("feedback:paper_new"), paper_for("jade"))
    unknown = client_for(caseworker).post(reverse("feedback:paper_new"), paper_for("nobody-x"))
    assert unlinked.status_code == unknown.status_code == 200
    message = "Choose a young person your service works with."
    # The same words either way: the form does not say which usernames exist.
    assert message in unlinked.content.decode() and message in unknown.content.decode()
    assert not Item.objects.exists()


def test_the_complaints_manager_may_enter_a_paper_postcard_for_any_young_person(
    complaints_manager, young_person
):
    response = client_for(complaints_manager).post(
        reverse("feedback:paper_new"), paper_for("jade", identity="confidential")
    )
    assert response.status_code == 302
    assert Item.objects.get().author == young_person


def test_a_saved_reply_for_the_items_status_is_offered(caseworker, care_leaver, item):
    # Choosing one fills the reply box: tests/feedback/test_saved_replies.py.
    from feedback.models import SavedReply

    saved = SavedReply.objects.get(status="routed")
    other = SavedReply.objects.get(status="acknowledged")
    client = client_for(caseworker)
    page = client.get(reverse("feedback:staff_item", args=[item.reference])).content.decode()
    assert saved.title in page and other.title not in page


def test_a_reply_needs_words_or_a_saved_reply(caseworker, item):
    response = act(client_for(caseworker), item, "reply", text="  ")
    assert response.status_code == 400
    assert "choose a saved reply" in response.content.decode()


STAFF_PAGES = {
    # page: the personas who get 200; every other signed-in persona gets 404.
    "/staff/paper/new/": {"caseworker", "other_caseworker", "manager", "complaints_manager"},
    "/staff/invitations/new/": {"caseworker", "other_caseworker", "manager", "complaints_manager"},
    "/staff/dashboard/": {"manager", "complaints_manager"},
    "/staff/dashboard.csv": {"manager", "complaints_manager"},
    "/staff/reports/complaints/?year=2026": {"complaints_manager"},
    "/staff/reports/complaints.csv?year=2026": {"complaints_manager"},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", list(STAFF_PAGES))
def test_access_matrix_for_the_other_staff_pages(request, item, persona, url):
    user = request.getfixturevalue(persona) if persona else None
    response = client_for(user).get(url)
    if persona is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == (200 if persona in STAFF_PAGES[url] else 404), persona


def test_a_double_click_on_next_stage_moves_a_complaint_on_once(complaints_manager, young_person):
    complaint = submit(young_person, kind="complaint", topic="where-i-live").item
    dispatch.route_item(complaint.pk)
    complaint.refresh_from_db()
    client = client_for(complaints_manager)
    act(client, complaint, "stage", reason="Asked for", from_stage=1)
    response = act(client, complaint, "stage", reason="Asked for", from_stage=1)
    assert "already at stage 2" in client.get(response["Location"]).content.decode()
    complaint.refresh_from_db()
    assert complaint.stage == 2
    assert Event.objects.filter(item=complaint, kind="stage").count() == 1


def test_an_unrouted_item_is_routed_by_hand_and_the_sweep_leaves_it(
    complaints_manager, care_leaver
):
    from datetime import timedelta

    from django.utils import timezone

    waiting = submit(care_leaver).item
    health = Service.objects.get(slug="lac-health")
    act(client_for(complaints_manager), waiting, "reroute", service=health.pk, reason="Broker down")
    waiting.refresh_from_db()
    assert waiting.status == Status.ROUTED and waiting.service == health and waiting.due_on
    assert dispatch.items_to_sweep(timezone.now() + timedelta(minutes=1)) == ([], [])


def test_staff_actions_on_an_unrouted_item_are_refused_with_a_message(
    complaints_manager, care_leaver
):
    waiting = submit(care_leaver).item
    client = client_for(complaints_manager)
    for action, data in [
        ("acknowledge", {}),
        ("status", {"status": "in_progress"}),
        ("resolve", {"text": "Done"}),
    ]:
        response = act(client, waiting, action, **data)
        assert "has not reached a service yet" in client.get(response["Location"]).content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Status.SUBMITTED


def test_working_on_an_answered_postcard_again_restarts_its_clock(caseworker, item):
    services.staff_reply(item=item, by=caseworker, text="Done")
    item.refresh_from_db()
    assert item.due_on is None
    act(client_for(caseworker), item, "status", status="in_progress")
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS and item.clock == "reply" and item.due_on


@pytest.mark.parametrize("topic", ["²", "99999999999999999999999", "abc", "-1"])
def test_odd_queue_filters_are_ignored_not_errors(caseworker, item, topic):
    response = client_for(caseworker).get("/staff/", {"topic": topic, "page": "abc"})
    assert response.status_code == 200
    assert item.reference in response.content.decode()


@pytest.mark.parametrize("reference", ["%00", "ABC%00DEF", "x" * 50, "abc-def"])
def test_odd_references_are_not_found(caseworker, care_leaver, reference):
    assert client_for(caseworker).get(f"/staff/items/{reference}/").status_code == 404
    assert client_for(care_leaver).get(f"/postcards/{reference}/").status_code == 404


def test_staff_read_the_timeline_in_the_third_person(caseworker, care_leaver, item):
    services.young_person_reply(item=item, by=care_leaver, text="Hello?")
    page = (
        client_for(caseworker)
        .get(reverse("feedback:staff_item", args=[item.reference]))
        .content.decode()
    )
    assert "The young person sent it." in page and "The young person replied:" in page
    assert "You sent it." not in page


def test_a_confidential_item_warns_staff_not_to_share_who_sent_it(caseworker, care_leaver):
    confidential = submit(care_leaver, identity="confidential").item
    dispatch.route_item(confidential.pk)
    page = client_for(caseworker).get(reverse("feedback:staff_item", args=[confidential.reference]))
    assert "Do not share who sent it outside your team" in page.content.decode()


@pytest.mark.parametrize(
    ("action", "data", "kind"),
    [
        ("reply", {"text": "On it"}, "staff_reply"),
        ("note", {"text": "Called"}, "note"),
        ("resolve", {"text": "Sorted"}, "resolved"),
    ],
)
def test_a_form_sent_twice_acts_once(caseworker, item, action, data, kind):
    client = client_for(caseworker)
    page = client.get(reverse("feedback:staff_item", args=[item.reference]))
    key = page.context[f"{action}_form"]["key"].value()
    act(client, item, action, key=key, **data)
    act(client, item, action, key=key, **data)
    assert Event.objects.filter(item=item, kind=kind).count() == 1


@pytest.mark.parametrize(
    ("persona", "links"),
    [
        ("caseworker", set()),
        ("manager", {"dashboard"}),
        ("complaints_manager", {"dashboard", "complaints_report", "audit"}),
    ],
)
def test_pages_link_only_to_the_pages_the_gate_opens(request, item, persona, links):
    client = client_for(request.getfixturevalue(persona))
    page = client.get(reverse("feedback:staff_item", args=[item.reference])).content.decode()
    urls = {
        "dashboard": reverse("feedback:dashboard"),
        "complaints_report": reverse("feedback:complaints_report"),
        "audit": reverse("feedback:staff_audit", args=[item.reference]),
    }
    assert {name for name, url in urls.items() if f'href="{url}"' in page} == links


# --- The workspace: the queue a duty shift runs from, and an item's page ----------------


def item_page(client, item) -> str:
    return client.get(reverse("feedback:staff_item", args=[item.reference])).content.decode()


def test_replying_to_an_unassigned_item_assigns_it_to_me_and_the_page_says_so(caseworker, item):
    client = client_for(caseworker)
    assert "When you reply, it is assigned to you." in item_page(client, item)
    response = act(client, item, "reply", text="We are looking into it")
    assert "It is now assigned to you." in client.get(response["Location"]).content.decode()
    item.refresh_from_db()
    assert item.assignee == caseworker
    assigned = Event.objects.get(item=item, kind="assigned")
    assert assigned.visibility == "staff" and assigned.data["assignee"] == "Casey"
    assert "Assigned to you" in item_page(client, item)


def test_replying_leaves_someone_elses_item_with_them(caseworker, manager, item):
    services.assign(item=item, by=manager, assignee=manager)
    act(client_for(caseworker), item, "reply", text="Covering for Morgan")
    item.refresh_from_db()
    assert item.assignee == manager
    assert Event.objects.filter(item=item, kind="assigned").count() == 1


def test_the_complaints_manager_replying_leaves_the_item_free_for_the_team(
    complaints_manager, item
):
    client = client_for(complaints_manager)
    assert "When you reply, it is assigned to you." not in item_page(client, item)
    act(client, item, "reply", text="Checking in")
    item.refresh_from_db()
    assert item.assignee is None


@pytest.mark.parametrize(
    ("persona", "offered"),
    [("caseworker", True), ("manager", True), ("complaints_manager", False)],
)
def test_take_it_is_offered_only_to_someone_who_can_take_it(request, item, persona, offered):
    page = item_page(client_for(request.getfixturevalue(persona)), item)
    assert (">Take it</button>" in page) == offered


def test_take_it_is_not_offered_on_my_own_item_or_a_closed_one(caseworker, care_leaver, item):
    client = client_for(caseworker)
    act(client, item, "take")
    assert ">Take it</button>" not in item_page(client, item)
    services.withdraw(item=item, by=care_leaver)
    assert ">Take it</button>" not in item_page(client, item)


def test_refusals_speak_to_the_person_reading_them(
    complaints_manager, caseworker, other_caseworker, item
):
    client = client_for(complaints_manager)
    response = act(client, item, "take")
    page = client.get(response["Location"]).content.decode()
    assert "You are not a member of this service" in page and "They are" not in page
    response = act(client_for(caseworker), item, "assign", assignee=other_caseworker.pk)
    assert response.status_code == 400
    # The form offers only the service's members, so the form itself refuses first.
    assert "Choose someone in this item&#x27;s service." in response.content.decode()
    with pytest.raises(Refused, match="Vic is not a member of this service"):
        services.assign(item=item, by=caseworker, assignee=other_caseworker)


@pytest.mark.parametrize("sort", ["due", "-due", "oldest", "newest", "nonsense"])
def test_children_at_risk_not_yet_acknowledged_come_first_under_every_sort(
    caseworker, many_items, sort
):
    client = client_for(caseworker)
    assert queue_refs(client, sort=sort)[0] == many_items["urgent"].reference
    services.acknowledge(item=many_items["urgent"], by=caseworker)
    # Acknowledged, it stays first while its decision is awaited...
    assert queue_refs(client, sort=sort)[0] == many_items["urgent"].reference
    services.record_decision(
        item=many_items["urgent"], by=caseworker, decision="early_help", note="Early help"
    )
    if sort not in ("oldest", "newest"):
        return  # ...then takes its place by its reply clock
    refs = queue_refs(client, sort=sort)
    created = [Item.objects.get(reference=r).created_at for r in refs]
    assert created == sorted(created, reverse=sort == "newest")


def test_the_queue_shows_the_first_line_and_the_name_only_where_the_tier_allows(
    caseworker, care_leaver
):
    long_line = "My flat needs a new kettle and " + "the fridge makes a loud noise " * 4
    named = submit(care_leaver, identity="named", words=long_line + "\nSecond line").item
    confidential = submit(care_leaver, identity="confidential", words="Quiet worry").item
    anonymous = submit(None, identity="anonymous", audience="care_leaver", words="Secret").item
    for item in (named, confidential, anonymous):
        dispatch.route_item(item.pk)
    response = client_for(caseworker).get("/staff/")
    rows = {row.item.reference: row for row in response.context["rows"]}
    assert rows[named.reference].preview.startswith("My flat needs a new kettle")
    assert (
        len(rows[named.reference].preview) <= 80
        and "Second line" not in rows[named.reference].preview
    )
    assert rows[named.reference].name == rows[confidential.reference].name == "Sam"
    assert rows[anonymous.reference].name == "" and rows[anonymous.reference].preview == "Secret"
    page = response.content.decode()
    assert "From Sam" in page and "Second line" not in page


def test_the_queue_query_count_is_fixed_with_previews_shown(caseworker, care_leaver, settings):
    settings.LIST_READ_REPEAT_MINUTES = 0  # both loads put their list on record
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(caseworker)
    for identity in ("named", "confidential", "anonymous"):
        item = submit(care_leaver if identity != "anonymous" else None, identity=identity).item
        dispatch.route_item(item.pk)
    client.get("/staff/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert "From Casey" not in client.get("/staff/").content.decode()
    for n in range(40):
        identity = ("named", "confidential", "anonymous")[n % 3]
        item = submit(care_leaver if identity != "anonymous" else None, identity=identity).item
        dispatch.route_item(item.pk)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/staff/").content.decode()
    assert "From Sam" in page and "More help finding a flat" in page
    assert len(many) == len(few) <= 12


def test_the_tabs_count_my_open_unassigned_and_overdue_items_in_one_query(caseworker, many_items):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from feedback.staff_views import _tab_counts

    assert caseworker.service_ids  # the gate's own query, made once a request anyway
    with CaptureQueriesContext(connection) as queries:
        counts = _tab_counts(caseworker, timezone_now())
    assert len(queries) == 1
    assert counts == {
        "all": 5,
        "waiting": 0,
        "mine": 1,
        "unassigned": 4,
        "overdue": 1,
        "needs_read": 0,
    }
    page = client_for(caseworker).get("/staff/", {"assigned": "me"}).content.decode()
    assert 'href="/staff/?assigned=me" aria-current="page">My open items' in page


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def test_an_empty_queue_says_so_in_words(caseworker, reference_data):
    page = client_for(caseworker).get("/staff/").content.decode()
    assert "There are no open items in your services right now." in page
    assert "<table" not in page


def test_a_filter_that_matches_nothing_says_so_and_offers_the_way_back(caseworker, item):
    page = client_for(caseworker).get("/staff/", {"kind": "complaint"}).content.decode()
    assert "No items match these filters." in page and "Show all open items" in page


def test_clocks_read_in_working_days_with_the_date(caseworker, care_leaver):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    import time_machine

    friday = datetime(2026, 11, 27, 10, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(friday, tick=False):
        item = submit(care_leaver).item
        dispatch.route_item(item.pk)
        Item.objects.filter(pk=item.pk).update(due_on=date(2026, 12, 2))
        client = client_for(caseworker)
        assert "due in 3 working days (Wed 2 Dec)" in item_page(client, item)
        assert "due in 3 working days (Wed 2 Dec)" in client.get("/staff/").content.decode()
        Item.objects.filter(pk=item.pk).update(due_on=date(2026, 11, 25))
        assert "overdue by 2 working days (was due Wed 25 Nov)" in item_page(client, item)


def test_a_child_at_risks_clock_reads_in_hours_and_minutes(caseworker, duty_worker, care_leaver):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    import time_machine

    sent = datetime(2026, 11, 27, 13, 0, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(sent, tick=False):
        urgent = submit(care_leaver, words="i want to die").item
        dispatch.route_item(urgent.pk)
        urgent.refresh_from_db()
    with time_machine.travel(sent + timedelta(minutes=18), tick=False):
        page = client_for(duty_worker).get("/staff/").content.decode()
        assert "due in 0 h 42 min (at 14:00)" in page
    with time_machine.travel(sent + timedelta(minutes=75), tick=False):
        page = item_page(client_for(duty_worker), urgent)
        assert "overdue by 0 h 15 min (was due at 14:00)" in page


# --- Staff sessions end when idle; young people's do not --------------------------------


def test_a_staff_session_ends_after_30_minutes_idle_with_a_page_saying_why(caseworker, item):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = client_for(caseworker)
        assert client.get("/staff/").status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get("/staff/").status_code == 200  # still at work: the clock restarts
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("feedback:staff_item", args=[item.reference])).status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get("/staff/")
        page = response.content.decode()
        assert "You have been signed out" in page and "30 minutes" in page
        assert item.words not in page
        again = client.get("/staff/")
        assert again.status_code == 302 and "/accounts/login/" in again["Location"]


def test_the_queues_own_refresh_does_not_keep_a_staff_session_alive(caseworker):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = client_for(caseworker)
        client.get("/staff/")
        for _ in range(3):
            traveller.shift(timedelta(minutes=10))
            refreshed = client.get("/staff/", headers={"X-Queue-Refresh": "1"})
            assert "Queue" in refreshed.content.decode()
        traveller.shift(timedelta(minutes=10))
        refreshed = client.get("/staff/", headers={"X-Queue-Refresh": "1"})
        assert "You have been signed out" in refreshed.content.decode()


def test_a_young_person_keeps_their_session_however_long_they_are_idle(care_leaver, item):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = client_for(care_leaver)
        assert client.get(f"/postcards/{item.reference}/").status_code == 200
        traveller.shift(timedelta(hours=2))
        response = client.get(f"/postcards/{item.reference}/")
        assert response.status_code == 200 and item.words in response.content.decode()


def test_a_reply_sent_after_the_idle_limit_is_not_sent(caseworker, item):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = client_for(caseworker)
        client.get(reverse("feedback:staff_item", args=[item.reference]))
        traveller.shift(timedelta(minutes=45))
        response = act(client, item, "reply", text="Sorry for the wait")
        page = response.content.decode()
        assert "You have been signed out" in page and "not saved" in page
        assert 'href="/accounts/login/"' in page  # not back to an address that takes a POST
    assert not Event.objects.filter(item=item, kind="staff_reply").exists()
