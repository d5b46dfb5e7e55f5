"""An action's life: proposed by the council, agreed by staff, progress posted, done;
the young people whose items it answers are told once per change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from feedback import access
from feedback.models import Notification
from participation import services
from participation.models import Action, ActionStatus, ActionUpdate
from portal.models import Service
from tests.conftest import client_for, submit
from tests.participation.conftest import JADE_WORDS, make_items, theme_of

pytestmark = pytest.mark.django_db


def _action_notifications(action: Action) -> list[Notification]:
    return list(Notification.objects.filter(key__startswith=f"action:{action.pk}:"))


def test_a_council_member_proposes_an_action_from_a_theme(council_member):
    theme = theme_of("housing")
    response = client_for(council_member).post(
        "/council/actions/new/",
        {"you_said": "Flats are too far from college", "themes": [theme.pk]},
    )
    action = Action.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/council/actions/{action.pk}/"
    assert action.status == ActionStatus.PROPOSED
    assert list(action.themes.all()) == [theme]
    assert action.proposed_by == council_member


def test_a_proposal_without_words_saves_nothing_and_says_why(council_member):
    response = client_for(council_member).post("/council/actions/new/", {"you_said": ""})
    assert response.status_code == 400
    assert not Action.objects.exists()
    page = response.content.decode()
    assert "Say what young people said." in page
    assert "This field is required" not in page


def _propose(by) -> Action:
    from participation import services

    return services.propose_action(you_said="Flats are too far", themes=[], by=by)


def test_staff_with_the_permission_agree_and_the_review_is_six_months_on(
    participation_officer, story
):
    action = _propose(participation_officer)
    action.items.add(story["jade_item"])
    client = client_for(participation_officer)
    with time_machine.travel("2026-11-20 12:00Z", tick=False):
        response = client.post(
            f"/council/actions/{action.pk}/agree/",
            {
                "service": Service.objects.get(slug="leaving-care").pk,
                "we_will": "Find flats near colleges",
                "public": "on",
            },
        )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.AGREED
    assert action.review_on == date(2027, 5, 20)
    assert action.progress == 10
    assert action.public


def test_a_manager_agrees_actions_for_their_own_service_only(manager, participation_officer):
    from participation import services

    own = services.propose_action(
        you_said="x", by=participation_officer, service=Service.objects.get(slug="leaving-care")
    )
    other = services.propose_action(
        you_said="y", by=participation_officer, service=Service.objects.get(slug="fostering")
    )
    client = client_for(manager)
    data = {"service": Service.objects.get(slug="leaving-care").pk, "we_will": "Do it"}
    assert client.post(f"/council/actions/{own.pk}/agree/", data).status_code == 302
    assert client.post(f"/council/actions/{other.pk}/agree/", data).status_code == 404
    other.refresh_from_db()
    assert other.status == ActionStatus.PROPOSED


def test_a_council_member_cannot_agree(council_member, participation_officer):
    action = _propose(participation_officer)
    response = client_for(council_member).post(
        f"/council/actions/{action.pk}/agree/",
        {"service": Service.objects.get(slug="leaving-care").pk, "we_will": "x"},
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("review_on", "2020-01-01", "The review date cannot be in the past."),
        ("progress", "150", "Progress is a number from 0 to 100."),
        ("progress", "-1", "Progress is a number from 0 to 100."),
    ],
)
def test_bad_input_when_agreeing_shows_beside_the_field_and_saves_nothing(
    participation_officer, field, value, message
):
    action = _propose(participation_officer)
    data = {
        "service": Service.objects.get(slug="leaving-care").pk,
        "we_will": "Do it",
        field: value,
    }
    response = client_for(participation_officer).post(f"/council/actions/{action.pk}/agree/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'id="id_{field}-error"' in page
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED
    assert not ActionUpdate.objects.exists()


def test_done_needs_what_was_done_and_not_possible_needs_a_reason(story, manager):
    action = story["action"]
    client = client_for(manager)
    url = f"/council/actions/{action.pk}/update/"
    response = client.post(url, {"text": "All sorted", "status": "done"})
    assert response.status_code == 400
    assert "Say what was done before marking it done." in response.content.decode()
    response = client.post(url, {"text": "Cannot", "status": "not_possible"})
    assert response.status_code == 400
    assert "Say why it is not possible." in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.AGREED
    assert action.updates.count() == 1  # only the agreement


def test_the_action_life_tells_linked_young_people_once_per_change(
    story, manager, young_person, other_young_person, care_leaver
):
    action = story["action"]
    client = client_for(manager)
    url = f"/council/actions/{action.pk}/update/"
    # Agreed (in the story): each named author heard once in the portal.
    agreed = _action_notifications(action)
    assert sorted(n.recipient.username for n in agreed) == ["jade", "kai", "sam"]

    # A progress note without a change of status is news too, told as an update.
    client.post(url, {"text": "Met the bus company", "progress": "20"})
    assert len(_action_notifications(action)) == 6
    told = _told_of(action.updates.first())
    assert len(told) == 3
    assert {n.subject.split(" (")[0] for n in told} == {"There is an update on what is being done"}

    client.post(url, {"text": "New timetable drafted", "status": "in_progress"})
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert action.progress == 50
    assert len(_action_notifications(action)) == 9

    client.post(
        url, {"text": "Buses now on time", "status": "done", "we_did": "Changed the timetable"}
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.progress == 100
    notes = _action_notifications(action)
    assert len(notes) == 12
    for person in (young_person, other_young_person, care_leaver):
        assert sum(n.recipient_id == person.pk for n in notes) == 4
    # Running the same change again is not new news.
    from participation.services import _tell_young_people

    _tell_young_people(action, action.updates.first())
    assert len(_action_notifications(action)) == 12


def _told_of(update: ActionUpdate) -> list[Notification]:
    return list(
        Notification.objects.filter(key__startswith=f"action:{update.action_id}:{update.pk}:")
    )


def _being_done_60(action: Action, by) -> None:
    services.update_action(
        action=action, by=by, text="Started", status=ActionStatus.IN_PROGRESS, progress=60
    )


def test_a_decision_that_chooses_nothing_leaves_status_and_progress_alone(
    story, manager, participation_officer
):
    action = story["action"]
    _being_done_60(action, manager)
    meeting = services.create_meeting(
        kind="review", title="Review", on=timezone.localdate(), by=participation_officer
    )
    response = client_for(participation_officer).post(
        f"/council/actions/{action.pk}/update/",
        {"meeting": meeting.pk, "text": "Still going well", "status": "", "progress": ""},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.progress) == (ActionStatus.IN_PROGRESS, 60)
    decision = action.updates.first()
    assert (decision.status, decision.progress, decision.step_back_reason) == (
        ActionStatus.IN_PROGRESS,
        60,
        "",
    )


def test_the_decision_form_starts_at_no_change(story, participation_officer):
    action = story["action"]
    page = client_for(participation_officer).get(f"/council/actions/{action.pk}/").content.decode()
    assert '<option value="" selected>No change</option>' in page


def test_a_step_back_needs_a_reason_beside_the_field_and_saves_nothing(story, manager):
    action = story["action"]
    _being_done_60(action, manager)
    before = len(_action_notifications(action))
    client = client_for(manager)
    url = f"/council/actions/{action.pk}/update/"
    for step in ({"status": "agreed"}, {"progress": "30"}):
        response = client.post(url, {"text": "Bus firm pulled out", **step})
        assert response.status_code == 400
        assert "This goes back from where it was. Say why." in response.content.decode()
    action.refresh_from_db()
    assert (action.status, action.progress) == (ActionStatus.IN_PROGRESS, 60)
    assert len(_action_notifications(action)) == before


def test_a_step_back_with_a_reason_shows_as_such_and_is_not_good_news(story, manager):
    action = story["action"]
    _being_done_60(action, manager)
    before = len(_action_notifications(action))
    response = client_for(manager).post(
        f"/council/actions/{action.pk}/update/",
        {"text": "Starting again", "status": "agreed", "step_back_reason": "The bus firm left"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    # The progress stays as it was unless someone chose another figure.
    assert (action.status, action.progress) == (ActionStatus.AGREED, 60)
    board = Client().get("/you-said-we-did/").content.decode()
    assert "Step back" in board and "The bus firm left" in board
    told = _told_of(action.updates.first())
    assert len(_action_notifications(action)) == before + 3
    assert {n.subject.split(" (")[0] for n in told} == {"A plan about what you said has changed"}
    assert all("A plan about what you told us has changed" in n.body for n in told)
    assert all("bus firm" not in n.body for n in told)  # the reason stays on the page


def test_notification_emails_carry_no_words_and_no_names(story, manager, young_person):
    item = story["jade_item"]
    item.contact_wanted, item.contact_method, item.contact_detail = (
        True,
        "email",
        "jade@example.org",
    )
    item.save()
    client_for(manager).post(
        f"/council/actions/{story['action'].pk}/update/",
        {"text": "Jade's bus is fixed at Oakfield", "status": "in_progress"},
    )
    emails = Notification.objects.filter(
        key__startswith=f"action:{story['action'].pk}:", channel="email"
    )
    assert emails.count() == 1
    email = emails.get()
    for text in (email.subject, email.body):
        assert JADE_WORDS not in text
        assert "Oakfield" not in text
        assert "Jade" not in text
        assert item.reference in text


def test_a_young_person_sees_the_action_on_their_item_and_home(story, young_person):
    client = client_for(young_person)
    page = client.get(f"/postcards/{story['jade_item'].reference}/").content.decode()
    assert "What changed because of this" in page
    assert "Talk to the bus company" in page
    assert "Agreed: Leaving Care Team will do this." in page


def test_an_anonymous_sender_sees_the_action_on_their_tracked_item(story, participation_officer):
    result = submit(None, identity="anonymous", topic="school", words="Buses are late again")
    story["action"].items.add(result.item)
    client = Client()
    response = client.post(
        "/track/", {"reference": result.item.reference, "code": result.tracking_code}
    )
    assert response.status_code == 302
    page = client.get(f"/postcards/{result.item.reference}/").content.decode()
    assert "Talk to the bus company" in page
    assert access.item_for_tracking(result.item.reference, result.tracking_code) is not None


def test_a_proposed_action_is_not_shown_to_young_people(young_person, participation_officer):
    item = submit(young_person, topic="school").item
    action = _propose(participation_officer)
    action.items.add(item)
    page = client_for(young_person).get(f"/postcards/{item.reference}/").content.decode()
    assert "Flats are too far" not in page


def test_staff_link_an_item_to_an_action_from_the_item_page(story, manager, caseworker):
    item = story["sam_item"]
    story["action"].items.remove(item)
    # A caseworker who neither leads nor manages the action cannot link to it.
    refused = client_for(caseworker).post(
        f"/council/items/{item.reference}/action/", {"action": story["action"].pk}
    )
    assert refused.status_code == 404
    assert not story["action"].items.filter(pk=item.pk).exists()
    client = client_for(manager)
    page = client.get(f"/staff/items/{item.reference}/").content.decode()
    assert "Link to a You Said, We Did action" in page
    response = client.post(
        f"/council/items/{item.reference}/action/", {"action": story["action"].pk}
    )
    assert response.status_code == 302
    assert story["action"].items.filter(pk=item.pk).exists()


def test_the_review_date_default_follows_the_agreement_day(participation_officer):
    from participation import services

    action = _propose(participation_officer)
    with time_machine.travel("2026-08-31 12:00Z", tick=False):
        services.agree_action(
            action=action,
            by=participation_officer,
            service=Service.objects.get(slug="fostering"),
            we_will="x",
        )
    action.refresh_from_db()
    assert action.review_on == date(2027, 2, 28)
    assert action.agreed_at <= timezone.now() + timedelta(seconds=1)


def test_a_reply_saying_a_change_is_planned_offers_to_start_an_action(item, caseworker):
    client = client_for(caseworker)
    client.post(
        f"/staff/items/{item.reference}/reply/",
        {
            "text": "We will ask the housing team",
            "change": "planned",
            "change_description": "Flats list shared with colleges",
            "key": "k1",
        },
    )
    page = client.get(f"/staff/items/{item.reference}/").content.decode()
    assert "Your reply said a change is planned or made." in page
    response = client.post(
        f"/council/items/{item.reference}/action/new/",
        {"you_said": "Flats are far from college"},
    )
    action = Action.objects.get()
    assert response["Location"] == f"/council/actions/{action.pk}/"
    assert action.status == ActionStatus.PROPOSED
    assert list(action.items.all()) == [item]
    assert list(action.themes.all()) == [theme_of("housing")]
    assert action.service == item.service


def test_another_service_cannot_start_an_action_from_the_item(item, other_caseworker):
    response = client_for(other_caseworker).post(
        f"/council/items/{item.reference}/action/new/", {"you_said": "x"}
    )
    assert response.status_code == 404
    assert not Action.objects.exists()


def test_a_young_person_who_chose_texts_hears_by_text_with_the_reference_and_a_link(story, manager):
    item = story["jade_item"]
    item.contact_wanted, item.contact_method, item.contact_detail = True, "text", "07700900123"
    item.save()
    response = client_for(manager).post(
        f"/council/actions/{story['action'].pk}/update/",
        {"text": "Jade's bus is fixed at Oakfield", "status": "in_progress"},
    )
    assert response.status_code == 302
    text = Notification.objects.get(
        key__startswith=f"action:{story['action'].pk}:", channel=Notification.Channel.SMS
    )
    assert text.address == "07700900123"
    assert item.reference in text.body
    assert f"/postcards/{item.reference}/" in text.body
    assert "Oakfield" not in text.body


def test_actions_with_their_updates_show_the_latest_without_another_query(
    story, manager, django_assert_num_queries
):
    services.update_action(action=story["action"], by=manager, text="Met the bus company")
    school = theme_of("school").name
    actions = list(Action.objects.with_updates())
    with django_assert_num_queries(0):
        assert [a.latest_update().text for a in actions] == ["Met the bus company"]
        assert [a.service.name for a in actions] == ["Leaving Care Team"]
        assert [[t.name for t in a.themes.all()] for a in actions] == [[school]]


def test_a_young_person_is_told_when_their_item_is_linked_even_if_not_shared(
    participation_officer, item, young_person
):
    # Sam's item did not agree to share its words; Sam still hears something is being done.
    action = _propose(participation_officer)
    services.agree_action(
        action=action,
        by=participation_officer,
        service=Service.objects.get(slug="leaving-care"),
        we_will="Find flats near colleges",
    )
    services.link_items(action=action, items=[item], by=participation_officer)
    told = list(Notification.objects.filter(key__startswith=f"action-linked:{action.pk}:"))
    assert [n.recipient_id for n in told] == [item.author_id]
    assert told[0].subject.startswith("Something is being done about what you said")
    assert item.reference in told[0].subject
    # Linking again is not new news.
    services.link_items(action=action, items=[item], by=participation_officer)
    assert Notification.objects.filter(key__startswith=f"action-linked:{action.pk}:").count() == 1


def test_agreeing_says_young_people_are_told_only_when_some_are(participation_officer):
    action = _propose(participation_officer)
    response = client_for(participation_officer).post(
        f"/council/actions/{action.pk}/agree/",
        {"service": Service.objects.get(slug="leaving-care").pk, "we_will": "Find flats"},
        follow=True,
    )
    page = response.content.decode()
    assert "Action agreed." in page
    assert "The young people it answers are told" not in page


def test_a_proposal_can_be_declined_with_a_reason_and_the_proposer_is_told(
    council_member, participation_officer
):
    action = _propose(council_member)
    client = client_for(participation_officer)
    url = f"/council/actions/{action.pk}/decline/"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Say why it is not possible." in response.content.decode()
    response = client.post(url, {"reason": "The flats belong to another council"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_POSSIBLE
    assert action.not_possible_reason == "The flats belong to another council"
    told = Notification.objects.get(recipient=council_member, key__startswith="proposal:")
    assert told.channel == Notification.Channel.PORTAL
    assert told.subject == f"A decision on your proposal (action {action.pk}): Not possible"
    assert "Flats are too far" not in told.body


def test_the_proposer_is_told_of_every_decision_on_their_proposal(
    council_member, participation_officer
):
    action = _propose(council_member)
    services.agree_action(
        action=action,
        by=participation_officer,
        service=Service.objects.get(slug="leaving-care"),
        we_will="Find flats",
    )
    services.update_action(action=action, by=participation_officer, text="Met the landlord")
    subjects = sorted(
        Notification.objects.filter(recipient=council_member).values_list("subject", flat=True)
    )
    assert subjects == [f"A decision on your proposal (action {action.pk}): Agreed"] * 2


def test_a_council_member_sees_their_own_proposals_with_the_latest_decision(
    council_member, participation_officer
):
    mine = _propose(council_member)
    services.decline_action(action=mine, by=participation_officer, reason="Not ours to change")
    services.propose_action(you_said="Someone else's idea", by=participation_officer)
    page = client_for(council_member).get("/council/actions/mine/").content.decode()
    assert "Flats are too far" in page
    assert "Not ours to change" in page
    assert "Someone else&#x27;s idea" not in page and "Someone else's idea" not in page


def test_how_many_items_an_action_answers_is_protected_like_the_figures(story, council_member):
    # Jade's, Kai's and Sam's: three, a small exact count that could point at them.
    action = story["action"]
    client = client_for(council_member)
    page = client.get(f"/council/actions/{action.pk}/").content.decode()
    assert "<dt>Items it answers</dt><dd>fewer than 5</dd>" in page
    action.items.add(*make_items([{"topic": "school"}] * 4))  # seven: rounded to fives
    page = client.get(f"/council/actions/{action.pk}/").content.decode()
    assert "<dt>Items it answers</dt><dd>5</dd>" in page


def test_agreeing_on_a_welsh_page_keeps_the_record_in_english_and_each_reader_their_language(
    participation_officer, council_member
):
    """The portal's own words on an action's timeline are stored in the site's language
    (whoever agreed it, in whatever language) and shown in each reader's."""
    action = _propose(participation_officer)
    staff = client_for(participation_officer)
    staff.cookies["django_language"] = "cy"
    response = staff.post(
        f"/council/actions/{action.pk}/agree/",
        {"service": Service.objects.get(slug="leaving-care").pk, "we_will": "Find flats"},
    )
    assert response.status_code == 302
    update = ActionUpdate.objects.get(action=action)
    assert update.text == "Agreed: Leaving Care Team will do this."

    english = client_for(council_member).get(f"/council/actions/{action.pk}/").content.decode()
    assert "Agreed: Leaving Care Team will do this." in english
    welsh_reader = client_for(council_member)
    welsh_reader.cookies["django_language"] = "cy"
    welsh = welsh_reader.get(f"/council/actions/{action.pk}/").content.decode()
    assert "Wedi&#x27;i gytuno: bydd Tîm Gadael Gofal yn gwneud hyn." in welsh
    assert "Agreed: Leaving Care Team" not in welsh


def test_a_person_s_own_update_that_reads_like_the_portal_s_is_shown_as_written(
    participation_officer, manager
):
    action = _propose(participation_officer)
    services.agree_action(
        action=action,
        service=Service.objects.get(slug="leaving-care"),
        we_will="Find flats",
        by=participation_officer,
    )
    update = ActionUpdate.objects.get(action=action)
    update.text = "Agreed: Leaving Care Team will do this, and more."
    assert update.shown_text == "Agreed: Leaving Care Team will do this, and more."
