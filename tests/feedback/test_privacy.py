"""Subject access and erasure: a young person's own data, nobody else's, and erasure that
leaves no name, words or contact detail while every figure stays the same."""

import json

import pytest
from django.urls import reverse

from feedback import dispatch, reports, services
from feedback.models import Item, Notification
from portal import audit
from portal.models import AuditEntry, AuditKind, Service, User
from tests.conftest import client_for, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def jades_items(young_person, other_young_person, caseworker):
    mine = submit(young_person, words="My own words about my flat", topic="school").item
    dispatch.route_item(mine.pk)
    theirs = submit(other_young_person, words="Kai's private words", topic="school").item
    dispatch.route_item(theirs.pk)
    services.add_note(item=Item.objects.get(pk=mine.pk), by=caseworker, text="Called her carer")
    return mine, theirs


def test_the_export_holds_their_items_and_nothing_of_anyone_elses(
    jades_items, complaints_manager, young_person
):
    mine, _theirs = jades_items
    client = client_for(complaints_manager)
    page = client.get(reverse("feedback:person_data", args=["jade"])).content.decode()
    data = json.loads(client.get(reverse("feedback:person_data_json", args=["jade"])).content)
    for text in (page, json.dumps(data)):
        assert "My own words about my flat" in text and "Called her carer" in text
        assert "Kai" not in text and "kai" not in text
    assert [item["reference"] for item in data["items"]] == [mine.reference]
    assert data["profile"]["email"] == young_person.email


def test_only_the_complaints_manager_reaches_the_privacy_pages(
    jades_items, caseworker, manager, young_person
):
    for user in (caseworker, manager, young_person):
        client = client_for(user)
        for url in (
            reverse("feedback:people"),
            reverse("feedback:person_data", args=["jade"]),
            reverse("feedback:person_data_json", args=["jade"]),
        ):
            assert client.get(url).status_code == 404, (user.username, url)
        assert (
            client.post(
                reverse("feedback:person_erase", args=["jade"]), {"reason": "x"}
            ).status_code
            == 404
        )


def test_erasure_leaves_no_name_words_or_contact_and_keeps_the_figures(
    jades_items, complaints_manager, young_person
):
    mine, theirs = jades_items
    Notification.objects.create(
        key="n1", channel="email", recipient=young_person, address="jade@example.org",
        template="update", subject="s", body="b",
    )  # fmt: skip
    audit.record(AuditKind.SIGN_IN, user=young_person)
    services_ = Service.objects.all()
    before = reports.dashboard(Item.objects.all(), services_)
    response = client_for(complaints_manager).post(
        reverse("feedback:person_erase", args=["jade"]), {"reason": "Her request of 28 November"}
    )
    assert response.status_code == 302
    after = reports.dashboard(Item.objects.all(), services_)
    # What was received, and when, stays; her open item is now closed (erasure closes it).
    received = [
        {month: figures.received for month, figures in s.months.items()} for s in before.services
    ]
    assert received == [
        {month: figures.received for month, figures in s.months.items()} for s in after.services
    ]
    assert (
        sum(f.open for s in after.services for f in s.months.values())
        == sum(f.open for s in before.services for f in s.months.values()) - 1
    )

    person = User.objects.get(pk=young_person.pk)
    assert person.username.startswith("erased-") and not person.is_active
    assert person.email == "" and person.display_name == "" and not person.has_usable_password()
    mine.refresh_from_db()
    assert mine.words == "" and mine.author is None
    assert Item.objects.get(pk=theirs.pk).words == "Kai's private words"
    assert not Notification.objects.filter(address="jade@example.org").exists()
    entry = AuditEntry.objects.get(detail__startswith="erased young person")
    assert "Her request of 28 November" in entry.detail
    assert entry.user_id == complaints_manager.pk
    # Their own entries stay, by id alone: nothing in the log names them.
    rows = AuditEntry.objects.filter(user_id=person.pk).values_list()
    assert rows and not [row for row in rows if any("jade" in str(value) for value in row)]


def test_erasure_needs_a_reason_and_waits_for_an_open_safeguarding_concern(
    young_person, complaints_manager
):
    risk = submit(young_person, kind="worry", words="my carer hits me and i dont feel safe").item
    dispatch.route_item(risk.pk)
    client = client_for(complaints_manager)
    empty = client.post(reverse("feedback:person_erase", args=["jade"]), {"reason": ""})
    assert empty.status_code == 400 and "Give the reason for the erasure." in empty.content.decode()
    refused = client.post(reverse("feedback:person_erase", args=["jade"]), {"reason": "asked"})
    assert refused.status_code == 400 and "safeguarding" in refused.content.decode()
    assert User.objects.get(pk=young_person.pk).username == "jade"


def test_erasure_withdraws_the_council_quotes_taken_from_their_words(
    young_person, complaints_manager, participation_officer
):
    from participation import services as participation
    from participation.models import Excerpt

    item = submit(young_person, words="The bus to college is too dear", consent_to_share=True).item
    dispatch.route_item(item.pk)
    participation.approve_excerpt(
        item=Item.objects.get(pk=item.pk), text="The bus is too dear", by=participation_officer
    )
    client_for(complaints_manager).post(
        reverse("feedback:person_erase", args=["jade"]), {"reason": "Her request"}
    )
    excerpt = Excerpt.objects.get(item=item)
    assert excerpt.text == "" and excerpt.withdrawn_at is not None
    assert not Excerpt.objects.approved().exists()


def test_the_complaints_manager_links_a_young_person_to_the_services_that_work_with_them(
    complaints_manager, young_person, caseworker
):
    fostering, leaving = Service.objects.filter(slug__in=["fostering", "leaving-care"])
    url = reverse("feedback:person_services", args=[young_person.username])
    assert client_for(caseworker).post(url, {"services": [fostering.pk]}).status_code == 404
    response = client_for(complaints_manager).post(url, {"services": [fostering.pk, leaving.pk]})
    assert response.status_code == 302
    assert set(young_person.young_person.services.all()) == {fostering, leaving}
    assert AuditEntry.objects.filter(kind="configuration").exists()
    page = client_for(complaints_manager).get(
        reverse("feedback:person_data", args=[young_person.username])
    )
    assert (
        "checked" in page.content.decode()
        and "Services that work with them" in page.content.decode()
    )
