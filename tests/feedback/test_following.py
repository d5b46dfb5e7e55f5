"""A young person follows what they sent: My postcards, the item page, tracking, replies."""

import pytest

from feedback import dispatch, services
from feedback.models import Event, Item, Notification, Status
from tests.conftest import client_for, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_item(reference_data):
    result = submit(
        None, identity="anonymous", audience="in_care", topic="school", words="More art lessons"
    )
    dispatch.route_item(result.item.pk)
    return result


def test_my_postcards_lists_only_my_own(care_leaver, item, young_person):
    mine = client_for(care_leaver).get("/postcards/")
    theirs = client_for(young_person).get("/postcards/")
    assert [i.reference for i in mine.context["items"]] == [item.reference]
    assert item.reference in mine.content.decode()
    assert list(theirs.context["items"]) == []


def test_the_item_page_shows_where_it_went_and_when_the_next_step_is_due(care_leaver, item):
    page = client_for(care_leaver).get(f"/postcards/{item.reference}/").content.decode()
    assert "It went to the Leaving Care Team." in page
    assert "The team will tell you they have seen it by" in page
    assert item.due_on.strftime("%-d %B") in page


@pytest.mark.parametrize(
    "persona", ["other_young_person", "other_caseworker", "council_member", "caseworker"]
)
def test_only_the_author_sees_the_young_persons_item_page(request, item, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for url in (f"/postcards/{item.reference}/", f"/api/items/{item.reference}/"):
        assert client.get(url).status_code == 404, url
    for action in ("reply", "withdraw", "sorted", "next-stage"):
        assert (
            client.post(
                f"/postcards/{item.reference}/{action}/", {"text": "x", "answer": "yes"}
            ).status_code
            == 404
        )
    assert Item.objects.get(pk=item.pk).status == Status.ROUTED


def test_a_forged_reference_is_a_404(care_leaver, item):
    client = client_for(care_leaver)
    assert client.get("/postcards/ZZZ-ZZZ/").status_code == 404
    assert client.get("/postcards/<script>/").status_code == 404


def test_signed_out_visitors_cannot_open_items(item):
    assert client_for(None).get(f"/postcards/{item.reference}/").status_code == 404


def test_the_api_lists_only_my_own_items(care_leaver, item, young_person):
    assert [
        row["reference"] for row in client_for(care_leaver).get("/api/items/").json()["results"]
    ] == [item.reference]
    assert client_for(young_person).get("/api/items/").json()["results"] == []


def test_anonymous_tracking_with_the_right_pair_opens_the_item(anonymous_item):
    item, code = anonymous_item.item, anonymous_item.tracking_code
    client = client_for(None)
    response = client.post(
        "/track/", {"reference": item.reference.lower(), "code": code.replace("-", " ")}
    )
    assert response["Location"] == f"/postcards/{item.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert "More art lessons" in page


def test_a_wrong_code_and_an_unknown_reference_get_the_same_answer(anonymous_item):
    item = anonymous_item.item
    wrong_code = client_for(None).post(
        "/track/", {"reference": item.reference, "code": "AAAA-AAAA-AAAA"}
    )
    unknown_ref = client_for(None).post(
        "/track/", {"reference": "ZZZ-ZZZ", "code": anonymous_item.tracking_code}
    )
    assert wrong_code.status_code == unknown_ref.status_code == 404
    assert (
        wrong_code.context["form"].non_field_errors()
        == unknown_ref.context["form"].non_field_errors()
    )
    assert (
        "We could not find a postcard with that reference and code" in wrong_code.content.decode()
    )


def test_a_named_items_reference_cannot_be_tracked_without_an_account(care_leaver, item):
    response = client_for(None).post(
        "/track/", {"reference": item.reference, "code": "AAAA-AAAA-AAAA"}
    )
    assert response.status_code == 404


def test_guessing_tracking_codes_is_rate_limited(anonymous_item, settings):
    client = client_for(None)
    for _ in range(10):
        client.post(
            "/track/", {"reference": anonymous_item.item.reference, "code": "AAAA-AAAA-AAAA"}
        )
    response = client.post(
        "/track/",
        {"reference": anonymous_item.item.reference, "code": anonymous_item.tracking_code},
    )
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()


def test_the_young_person_replies_and_the_reply_is_on_the_timeline(care_leaver, item):
    client = client_for(care_leaver)
    response = client.post(f"/postcards/{item.reference}/reply/", {"text": "Any news?"})
    assert response.status_code == 302
    event = Event.objects.get(item=item, kind="young_person_reply")
    assert event.body == "Any news?" and event.actor == care_leaver
    assert "Any news?" in client.get(f"/postcards/{item.reference}/").content.decode()


def test_an_empty_reply_gets_a_message_and_saves_nothing(care_leaver, item):
    response = client_for(care_leaver).post(f"/postcards/{item.reference}/reply/", {"text": "  "})
    assert response.status_code == 400
    assert "Write your reply." in response.content.decode()
    assert not Event.objects.filter(item=item, kind="young_person_reply").exists()


def test_withdrawing_changes_the_status_and_writes_an_event(care_leaver, item):
    client = client_for(care_leaver)
    client.post(f"/postcards/{item.reference}/withdraw/")
    item.refresh_from_db()
    assert item.status == Status.WITHDRAWN
    assert Event.objects.filter(item=item, kind="withdrawn").count() == 1
    # Acting on it again is refused with a message, not a crash.
    response = client.post(f"/postcards/{item.reference}/reply/", {"text": "hello"}, follow=True)
    assert "This has been withdrawn" in response.content.decode()


def test_staff_notes_never_reach_the_young_person(care_leaver, caseworker, item):
    services.add_note(item=item, by=caseworker, text="Spoke to PA privately")
    page = client_for(care_leaver).get(f"/postcards/{item.reference}/").content.decode()
    assert "Spoke to PA privately" not in page


def test_did_this_sort_it_yes_closes_it(care_leaver, caseworker, item):
    services.staff_reply(item=item, by=caseworker, text="We have booked you a viewing")
    client = client_for(care_leaver)
    page = client.get(f"/postcards/{item.reference}/").content.decode()
    assert "We have booked you a viewing" in page and "Did this sort it?" in page
    client.post(f"/postcards/{item.reference}/sorted/", {"answer": "yes"})
    item.refresh_from_db()
    assert item.status == Status.CLOSED
    assert Event.objects.filter(item=item, kind="sorted").count() == 1


def test_did_this_sort_it_no_reopens_it_with_a_new_clock(care_leaver, caseworker, item):
    services.staff_reply(item=item, by=caseworker, text="Done")
    client_for(care_leaver).post(f"/postcards/{item.reference}/sorted/", {"answer": "no"})
    item.refresh_from_db()
    assert item.status == Status.REOPENED
    assert item.due_on is not None and item.clock == "reply"
    assert Event.objects.filter(item=item, kind="not_sorted").count() == 1


def test_a_complaint_not_sorted_can_go_to_the_next_stage(young_person, complaints_manager):
    result = submit(young_person, kind="complaint", topic="where-i-live")
    dispatch.route_item(result.item.pk)
    item = Item.objects.get(pk=result.item.pk)
    services.resolve(
        item=item, by=complaints_manager, outcome="not_upheld", text="We looked into it"
    )
    client = client_for(young_person)
    client.post(f"/postcards/{item.reference}/sorted/", {"answer": "no"})
    page = client.get(f"/postcards/{item.reference}/").content.decode()
    assert "Take your complaint further" in page
    client.post(f"/postcards/{item.reference}/next-stage/", {"from_stage": "1"})
    client.post(f"/postcards/{item.reference}/next-stage/", {"from_stage": "1"})  # a double tap
    item.refresh_from_db()
    assert item.stage == 2 and item.clock == "stage2"
    assert Event.objects.filter(item=item, kind="stage").count() == 1


def test_a_complaint_cannot_skip_to_the_next_stage_before_its_answer(young_person):
    result = submit(young_person, kind="complaint", topic="where-i-live")
    dispatch.route_item(result.item.pk)
    response = client_for(young_person).post(
        f"/postcards/{result.item.reference}/next-stage/", {"from_stage": "1"}, follow=True
    )
    assert "cannot go to another stage now" in response.content.decode()
    assert Item.objects.get(pk=result.item.pk).stage == 1


def test_an_anonymous_senders_actions_are_not_linked_to_their_account(young_person, caseworker):
    result = submit(young_person, identity="anonymous", topic="school")
    dispatch.route_item(result.item.pk)
    item = Item.objects.get(pk=result.item.pk)
    client = client_for(young_person)
    client.post("/track/", {"reference": item.reference, "code": result.tracking_code})
    client.post(f"/postcards/{item.reference}/reply/", {"text": "Any news?"})
    client.post(f"/postcards/{item.reference}/withdraw/")
    assert (
        Event.objects.filter(item=item, kind__in=["young_person_reply", "withdrawn"]).count() == 2
    )
    assert not Event.objects.filter(item=item, actor=young_person).exists()


def test_answering_before_staff_reply_is_refused(care_leaver, item):
    response = client_for(care_leaver).post(
        f"/postcards/{item.reference}/sorted/", {"answer": "yes"}, follow=True
    )
    assert "once the team has replied" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.ROUTED


def test_a_staff_reply_appears_in_the_young_persons_updates(care_leaver, caseworker, item):
    services.staff_reply(item=item, by=caseworker, text="Hello")
    client = client_for(care_leaver)
    assert client.get("/postcards/").context["unread_notifications"] == 1
    page = client.get("/notifications/").content.decode()
    assert item.reference in page
    assert Notification.objects.unread_in_portal(care_leaver).count() == 0


def test_a_reply_sent_twice_is_saved_once(care_leaver, item):
    client = client_for(care_leaver)
    key = client.get(f"/postcards/{item.reference}/").context["reply_form"]["key"].value()
    for _ in range(2):
        client.post(f"/postcards/{item.reference}/reply/", {"text": "Any news?", "key": key})
    assert Event.objects.filter(item=item, kind="young_person_reply").count() == 1


def test_did_this_sort_it_without_an_answer_asks_for_one(care_leaver, caseworker, item):
    services.staff_reply(item=item, by=caseworker, text="Done")
    response = client_for(care_leaver).post(
        f"/postcards/{item.reference}/sorted/", {"answer": "maybe"}, follow=True
    )
    assert "Choose yes or no." in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.RESPONDED


def test_the_timeline_names_services_as_they_read_in_a_sentence(young_person, caseworker):
    from feedback import dispatch
    from feedback.models import Item
    from tests.conftest import submit

    item = submit(young_person, kind="idea", topic="activities", words="More trips").item
    dispatch.route_item(item.pk)
    page = client_for(young_person).get(f"/postcards/{item.reference}/").content.decode()
    assert "It went to the Fostering team." in page
    assert "the Fostering." not in page
    risk = submit(young_person, kind="worry", words="my carer hits me and i dont feel safe").item
    dispatch.route_item(risk.pk)
    page = client_for(young_person).get(f"/postcards/{risk.reference}/").content.decode()
    assert "It went straight to the team that keeps children safe" in page
    assert Item.objects.get(pk=risk.pk).service.is_duty_team
