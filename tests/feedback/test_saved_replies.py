"""Saved replies: choosing one fills the reply box, to be read before it is sent; each
service's manager keeps their service's, the complaints manager everyone's."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from feedback.models import Event, EventKind, Item, SavedReply, Status
from portal.models import AuditEntry, AuditKind, Service, User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def reply(client: Client, item: Item, **data: object):  # type: ignore[no-untyped-def]
    return client.post(reverse("feedback:staff_reply", args=[item.reference]), data)


def replies_sent(item: Item) -> int:
    return Event.objects.filter(item=item, kind=EventKind.STAFF_REPLY).count()


def reply_box(page: str) -> str:
    start = page.index('name="text"')
    return page[page.index(">", start) + 1 : page.index("</textarea>", start)]


@pytest.fixture
def thank_you(reference_data: None) -> SavedReply:
    return SavedReply.objects.get(status=Status.ROUTED)


def test_using_a_saved_reply_fills_the_box_and_sends_nothing(
    caseworker: User, item: Item, thank_you: SavedReply
) -> None:
    response = reply(
        client_for(caseworker), item, saved_reply=thank_you.pk, text="", use_saved_reply="1"
    )
    assert response.status_code == 200
    assert reply_box(response.content.decode()).strip() == thank_you.text
    assert replies_sent(item) == 0


def test_using_a_saved_reply_keeps_what_the_worker_had_written(
    caseworker: User, item: Item, thank_you: SavedReply
) -> None:
    response = reply(
        client_for(caseworker),
        item,
        saved_reply=thank_you.pk,
        text="Hi Sam,",
        as_team="on",
        key="3f1c1d9e-0000-4000-8000-000000000001",
        use_saved_reply="1",
    )
    page = response.content.decode()
    assert reply_box(page).strip() == f"Hi Sam,\n\n{thank_you.text}"
    assert 'value="3f1c1d9e-0000-4000-8000-000000000001"' in page  # still sends once
    as_team = re.search(r'<input[^>]*id="id_reply_as_team"[^>]*>', page)
    assert as_team and "checked" in as_team.group(0)  # the worker's choices stay too
    assert replies_sent(item) == 0


def test_a_saved_reply_is_never_sent_unseen(
    caseworker: User, item: Item, thank_you: SavedReply
) -> None:
    response = reply(client_for(caseworker), item, saved_reply=thank_you.pk, text="")
    assert response.status_code == 400
    assert "Write your reply, or choose a saved reply and press Use." in response.content.decode()
    assert replies_sent(item) == 0


def test_use_with_nothing_chosen_says_so(caseworker: User, item: Item) -> None:
    response = reply(client_for(caseworker), item, saved_reply="", text="", use_saved_reply="1")
    assert response.status_code == 400
    assert "Choose a saved reply, then press Use." in response.content.decode()
    assert replies_sent(item) == 0


def test_the_edited_reply_is_what_is_sent(
    caseworker: User, care_leaver: User, item: Item, thank_you: SavedReply
) -> None:
    text = thank_you.text.replace("soon", "by Friday")
    response = reply(client_for(caseworker), item, saved_reply=thank_you.pk, text=text)
    assert response.status_code == 302
    assert Event.objects.get(item=item, kind=EventKind.STAFF_REPLY).body == text


def test_the_api_still_sends_a_saved_reply_it_names(
    caseworker: User, item: Item, thank_you: SavedReply
) -> None:
    response = client_for(caseworker).post(
        reverse("api_v1:reply", args=[item.reference]),
        {"saved_reply": thank_you.pk, "text": ""},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert Event.objects.get(item=item, kind=EventKind.STAFF_REPLY).body == thank_you.text


def test_the_item_offers_its_services_saved_replies_and_everyones(
    caseworker: User, item: Item, thank_you: SavedReply
) -> None:
    leaving_care = Service.objects.get(slug="leaving-care")
    ours = SavedReply.objects.create(service=leaving_care, title="Housing list", text="On it")
    theirs = SavedReply.objects.create(
        service=Service.objects.get(slug="fostering"), title="Foster carers", text="Hello"
    )
    later = SavedReply.objects.get(status=Status.ACKNOWLEDGED)
    page = client_for(caseworker).get(reverse("feedback:staff_item", args=[item.reference]))
    text = page.content.decode()
    assert thank_you.title in text and ours.title in text
    assert theirs.title not in text and later.title not in text
    assert f'data-text="{ours.text}"' in text  # for the script to fill the box in place


# --- Managing them ------------------------------------------------------------------------


def test_a_manager_adds_a_saved_reply_for_their_service(manager: User) -> None:
    client = client_for(manager)
    leaving_care = Service.objects.get(slug="leaving-care")
    response = client.post(
        reverse("feedback:saved_reply_new"),
        {"title": "Flat viewing", "text": "We booked a viewing.", "status": "", "order": 1,
         "service": leaving_care.pk, "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    made = SavedReply.objects.get(title="Flat viewing")
    assert made.service == leaving_care and made.status == ""
    assert AuditEntry.objects.filter(
        kind=AuditKind.CONFIGURATION, detail=f"added savedreply {made.pk}"
    ).exists()
    page = client.get(reverse("feedback:saved_replies")).content.decode()
    assert "Flat viewing" in page
    assert "Thank you, we have it" not in page  # the complaints manager's, for everyone


def test_a_manager_cannot_add_one_for_another_service_or_for_everyone(manager: User) -> None:
    client = client_for(manager)
    for service in (str(Service.objects.get(slug="fostering").pk), ""):
        response = client.post(
            reverse("feedback:saved_reply_new"),
            {"title": "Sneaky", "text": "Hello", "status": "", "order": 1, "service": service},
        )
        assert response.status_code == 400
        assert "govuk-error-summary" in response.content.decode()
    assert not SavedReply.objects.filter(title="Sneaky").exists()


def test_a_manager_changes_and_deletes_their_own(manager: User) -> None:
    ours = SavedReply.objects.create(
        service=Service.objects.get(slug="leaving-care"), title="Old", text="Old words"
    )
    client = client_for(manager)
    url = reverse("feedback:saved_reply_edit", args=[ours.pk])
    assert "Old words" in client.get(url).content.decode()
    response = client.post(
        url,
        {"title": "New", "text": "New words", "status": Status.ROUTED, "order": 2,
         "service": ours.service_id},
    )  # fmt: skip
    assert response.status_code == 302
    ours.refresh_from_db()
    assert (ours.title, ours.text, ours.active) == ("New", "New words", False)
    delete = reverse("feedback:saved_reply_delete", args=[ours.pk])
    assert "Delete “New”?" in client.get(delete).content.decode()
    assert SavedReply.objects.filter(pk=ours.pk).exists()  # asking is not deleting
    assert client.post(delete).status_code == 302
    assert not SavedReply.objects.filter(pk=ours.pk).exists()


def test_the_complaints_manager_keeps_everyones(complaints_manager: User) -> None:
    fostering = SavedReply.objects.create(
        service=Service.objects.get(slug="fostering"), title="Foster carers", text="Hello"
    )
    client = client_for(complaints_manager)
    page = client.get(reverse("feedback:saved_replies")).content.decode()
    assert "Foster carers" in page and "Thank you, we have it" in page
    response = client.post(
        reverse("feedback:saved_reply_new"),
        {"title": "For all", "text": "Hello everyone", "status": "", "order": 0, "service": ""},
    )
    assert response.status_code == 302
    assert SavedReply.objects.get(title="For all").service is None
    edit = reverse("feedback:saved_reply_edit", args=[fostering.pk])
    assert client.get(edit).status_code == 200


@pytest.mark.parametrize(
    "persona",
    ["caseworker", "other_caseworker", "young_person", "advocate", "partner_worker", "manager"],
)
def test_everyone_else_gets_a_404_on_every_page(
    request: pytest.FixtureRequest, reference_data: None, persona: str
) -> None:
    fostering = SavedReply.objects.create(
        service=Service.objects.get(slug="fostering"), title="Foster carers", text="Hello"
    )
    everyone = SavedReply.objects.get(status=Status.ROUTED)
    client = client_for(request.getfixturevalue(persona))
    urls = [
        reverse("feedback:saved_reply_edit", args=[fostering.pk]),
        reverse("feedback:saved_reply_delete", args=[fostering.pk]),
        reverse("feedback:saved_reply_edit", args=[everyone.pk]),
        reverse("feedback:saved_reply_delete", args=[everyone.pk]),
    ]
    if persona != "manager":  # the manager has a list and a form of their own
        urls += [reverse("feedback:saved_replies"), reverse("feedback:saved_reply_new")]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "x", "text": "y"}).status_code == 404, url
    assert SavedReply.objects.filter(pk=fostering.pk, title="Foster carers").exists()


def test_a_visitor_is_sent_to_sign_in(reference_data: None) -> None:
    response = Client().get(reverse("feedback:saved_replies"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
