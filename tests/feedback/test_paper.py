"""The paper postcard form speaks to the worker: who it is from first (a young person her
service works with, chosen by name, or someone who gave no name), the words, how it
reached her and when it was written, then the young person's choices. The confirmation
says where it went."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feedback import dispatch
from feedback.models import Event, EventKind, Identity, Item, ReceivedBy, Topic
from portal.models import Service
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.travel("2026-12-06 11:00Z")]
TODAY = "2026-12-06"


def paper(**answers: object) -> dict[str, object]:
    return {
        "sender": "young_person",
        "young_person": "jade",
        "identity": "named",
        "words": "Can we have a homework club",
        "received_by": "post",
        "written_on": "2026-12-02",
        "kind": "idea",
        "topic": Topic.objects.get(slug="school").pk,
        "contact_wanted": "no",
        **answers,
    }


@pytest.fixture
def jade_works_with_leaving_care(young_person):
    young_person.young_person.services.add(Service.objects.get(slug="leaving-care"))
    return young_person


def test_the_form_asks_who_it_is_from_first_then_the_words_how_and_when(caseworker):
    text = client_for(caseworker).get(reverse("feedback:paper_new")).content.decode()
    order = [
        "Who is it from?",
        "Their words, exactly as written",
        "How did it reach you?",
        "When did they write it?",
        "What is it?",
        "Topic",
        "How they feel",
        "Do they want us to get in touch?",
    ]
    positions = [text.index(label) for label in order]
    assert positions == sorted(positions)
    for choice in ("Handed over", "By post", "A phone call", "Someone who gave no name"):
        assert choice in text
    assert f'value="{TODAY}"' in text and f'max="{TODAY}"' in text and 'min="2025-12-06"' in text


def test_the_names_offered_are_the_young_people_her_service_works_with(
    caseworker, jade_works_with_leaving_care, care_leaver, item, other_young_person
):
    """Jade is linked to the Leaving Care Team; Sam has an item routed to it; Kai neither."""
    text = client_for(caseworker).get(reverse("feedback:paper_new")).content.decode()
    assert '<option value="jade">Jade (jade)</option>' in text
    assert '<option value="sam">Sam (sam)</option>' in text
    assert "kai" not in text.lower()
    # And Sam, chosen by name, is accepted through the item's link alone.
    response = client_for(caseworker).post(
        reverse("feedback:paper_new"), paper(young_person="sam", topic=item.topic_id)
    )
    assert response.status_code == 302
    assert Item.objects.get(channel="paper").author == care_leaver


def test_a_young_person_she_does_not_work_with_is_refused_in_the_same_words(
    caseworker, other_young_person
):
    client = client_for(caseworker)
    for username in ("kai", "nobody-at-all"):
        response = client.post(reverse("feedback:paper_new"), paper(young_person=username))
        assert "Choose a young person your service works with." in response.content.decode()
    assert not Item.objects.exists()


def test_it_keeps_how_it_came_and_when_it_was_written_and_shows_them_on_the_timeline(
    caseworker, jade_works_with_leaving_care, complaints_manager
):
    response = client_for(caseworker).post(reverse("feedback:paper_new"), paper())
    item = Item.objects.get()
    assert response["Location"] == reverse("feedback:paper_done", args=[item.reference])
    assert item.author == jade_works_with_leaving_care and item.identity == Identity.NAMED
    assert item.received_by == ReceivedBy.POST and item.written_on.isoformat() == "2026-12-02"
    assert item.audience == "in_care"  # from her profile: the form does not ask
    submitted = Event.objects.get(item=item, kind=EventKind.SUBMITTED)
    assert submitted.data["received_by"] == "post"
    dispatch.route_item(item.pk)
    page = client_for(complaints_manager).get(reverse("feedback:staff_item", args=[item.reference]))
    assert "It came by post. Written on 2 December 2026." in page.content.decode()


@pytest.mark.parametrize(
    ("written_on", "message"),
    [
        ("2026-12-07", "The date they wrote it cannot be in the future."),
        ("2025-12-05", "Enter a date in the last year."),
        ("", "Enter the date they wrote it."),
        ("yesterday", "Enter the date they wrote it, like 6/12/2026."),
    ],
)
def test_the_date_it_was_written_is_in_the_last_year(
    caseworker, jade_works_with_leaving_care, written_on, message
):
    response = client_for(caseworker).post(
        reverse("feedback:paper_new"), paper(written_on=written_on)
    )
    text = response.content.decode()
    assert response.status_code == 200 and message in text
    assert "Can we have a homework club" in text  # nothing typed is lost
    assert not Item.objects.exists()


def test_a_year_ago_today_is_accepted(caseworker, jade_works_with_leaving_care):
    response = client_for(caseworker).post(
        reverse("feedback:paper_new"), paper(written_on="2025-12-06")
    )
    assert response.status_code == 302


def test_how_it_reached_her_and_who_it_is_from_must_be_answered(caseworker):
    answers = paper(received_by="")
    del answers["sender"], answers["identity"]
    text = client_for(caseworker).post(reverse("feedback:paper_new"), answers).content.decode()
    assert "Say who it is from." in text and "Say how it reached you." in text
    assert not Item.objects.exists()


def test_someone_who_gave_no_name_gets_a_tracking_code_on_the_confirmation(caseworker):
    answers = paper(sender="anonymous", young_person="", audience="care_leaver")
    del answers["identity"]
    response = client_for(caseworker).post(reverse("feedback:paper_new"), answers, follow=True)
    item = Item.objects.get()
    assert item.identity == Identity.ANONYMOUS and item.author is None
    assert item.audience == "care_leaver"
    text = response.content.decode()
    assert "Write its tracking code on the reply slip:" in text
    assert "Paper postcard saved" in text and item.reference in text


def test_someone_who_gave_no_name_must_say_in_care_or_care_leaver(caseworker):
    answers = paper(sender="anonymous", young_person="")
    text = client_for(caseworker).post(reverse("feedback:paper_new"), answers).content.decode()
    assert "Say if they are in care or a care leaver." in text
    assert not Item.objects.exists()


def test_the_confirmation_is_hers_alone(
    caseworker, other_caseworker, manager, young_person, advocate, partner_worker,
    jade_works_with_leaving_care,
):  # fmt: skip
    client_for(caseworker).post(reverse("feedback:paper_new"), paper())
    url = reverse("feedback:paper_done", args=[Item.objects.get().reference])
    assert client_for(caseworker).get(url).status_code == 200
    for user in (other_caseworker, manager, young_person, advocate, partner_worker):
        assert client_for(user).get(url).status_code == 404, user.username
    for user in (young_person, advocate, partner_worker):
        assert client_for(user).get(reverse("feedback:paper_new")).status_code == 404


def test_anonymising_it_takes_how_it_came_and_when_it_was_written_too(
    caseworker, jade_works_with_leaving_care
):
    client_for(caseworker).post(reverse("feedback:paper_new"), paper())
    item = Item.objects.get()
    dispatch.anonymise_item(item.pk)
    item.refresh_from_db()
    assert (item.received_by, item.written_on, item.words) == ("", None, "")
    submitted = Event.objects.get(item=item, kind=EventKind.SUBMITTED)
    assert not {"received_by", "written_on", "in_a_sentence"} & submitted.data.keys()
