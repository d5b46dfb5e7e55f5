"""The subject access answer the complaints manager sends: readable labels and dates in
words, no field names or Python lists; a redaction step whose choices leave the chosen
parts out of the released page; the release recorded, and in the audit, by whom."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from feedback import dispatch, services
from feedback.models import Event, EventKind, Item, SubjectAccessRelease
from portal.models import AuditEntry, AuditKind, Service
from tests.conftest import client_for, submit

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
SENT = datetime(2026, 12, 2, 10, tzinfo=LONDON)
NOTE = "Called her carer about the flat"
REPLY = "We have asked the housing officer to visit you"


@pytest.fixture
def jades_item(young_person, caseworker, other_caseworker, other_young_person) -> Item:
    """Jade's item, worked by her own Leaving Care worker (Casey), with a staff-only note by
    someone from another service (who was asked to help) and a reply to her."""
    young_person.young_person.services.add(Service.objects.get(slug="leaving-care"))
    with time_machine.travel(SENT, tick=False):
        item = submit(young_person, words="My flat is cold", topic="housing").item
        dispatch.route_item(item.pk)
        item = Item.objects.get(pk=item.pk)
        services.staff_reply(item=item, by=caseworker, text=REPLY)
        services.add_note(item=Item.objects.get(pk=item.pk), by=other_caseworker, text=NOTE)
        kai = submit(other_young_person, words="Kai's own worry").item
        dispatch.route_item(kai.pk)
    return Item.objects.get(pk=item.pk)


def page(user, name: str, *args: object, **kwargs):
    return client_for(user).get(reverse(f"feedback:{name}", args=args), **kwargs)


def test_the_page_reads_in_words_with_no_field_names_or_lists(jades_item, complaints_manager):
    with time_machine.travel(SENT, tick=False):
        text = page(complaints_manager, "person_data", "jade").content.decode()
    assert "2 December 2026" in text  # dates in words
    assert "In care or a care leaver" in text and "Services that work with them" in text
    assert "Leaving Care Team" in text
    for raw in ("created_at", "in_care_or_care_leaver", "services_that_work_with_them",
                "who_can_see_it_is_from_you", "staff_only", "2026-12-02", "['", "True", "None<"):  # fmt: skip
        assert raw not in text, raw
    assert "Kai" not in text


def test_the_redaction_step_offers_each_part_with_the_defaults(
    jades_item, complaints_manager, caseworker, other_caseworker
):
    text = page(complaints_manager, "person_data", "jade").content.decode()
    note = Event.objects.get(item=jades_item, kind=EventKind.NOTE)

    # A staff-only note, ticked; another service's worker's name, ticked; her own worker's not.
    def box(value: str) -> str:
        return text.split(f'value="{value}"')[1].split(">")[0]

    assert "checked" in box(f"event:{note.pk}")
    assert "checked" in box(f"staff:{other_caseworker.pk}")
    assert "checked" not in box(f"staff:{caseworker.pk}")
    assert "one of their own workers" in text and "other staff" in text


def test_release_leaves_the_chosen_parts_out_and_is_recorded(
    jades_item, complaints_manager, caseworker, other_caseworker
):
    note = Event.objects.get(item=jades_item, kind=EventKind.NOTE)
    reply = Event.objects.get(item=jades_item, kind=EventKind.STAFF_REPLY)
    client = client_for(complaints_manager)
    chosen = [f"event:{note.pk}", f"staff:{other_caseworker.pk}", f"event:{reply.pk}"]
    response = client.post(
        reverse("feedback:person_release", args=["jade"]), {"withhold": [*chosen, "staff:99999"]}
    )
    released = SubjectAccessRelease.objects.get()
    assert response["Location"] == reverse("feedback:person_released", args=["jade", released.pk])
    # Only parts that were offered are kept; how many of each kind, by whom.
    assert released.withheld == sorted(chosen) and released.released_by == complaints_manager
    assert released.counts == {"staff_name": 1, "staff_only": 1, "words": 1}
    entry = AuditEntry.objects.get(kind=AuditKind.EXPORT, detail__contains="released")
    assert entry.user_id == complaints_manager.pk
    assert "1 staff_name, 1 staff_only, 1 words" in entry.detail

    text = client.get(response["Location"]).content.decode()
    assert NOTE not in text and REPLY not in text and "Withheld." in text
    assert other_caseworker.shown_name not in text.split("The record of this release")[0]
    assert caseworker.shown_name in text  # her own worker stays named
    assert "My flat is cold" in text and "2 December 2026" in text
    assert 'href="/static/css/print.css"' in text
    # The JSON for the record keeps everything.
    data = json.loads(client.get(reverse("feedback:person_data_json", args=["jade"])).content)
    assert NOTE in json.dumps(data) and REPLY in json.dumps(data)


def test_a_release_with_nothing_withheld_shows_it_all(jades_item, complaints_manager):
    client = client_for(complaints_manager)
    location = client.post(reverse("feedback:person_release", args=["jade"]), {})["Location"]
    text = client.get(location).content.decode()
    assert NOTE in text and REPLY in text and "Withheld." not in text


def test_a_part_added_after_the_release_was_never_reviewed_and_is_withheld(
    jades_item, complaints_manager, other_caseworker
):
    client = client_for(complaints_manager)
    location = client.post(reverse("feedback:person_release", args=["jade"]), {})["Location"]
    later = "A later note nobody reviewed for release"
    services.add_note(item=Item.objects.get(pk=jades_item.pk), by=other_caseworker, text=later)
    text = client.get(location).content.decode()
    assert later not in text and "Withheld." in text
    assert NOTE in text and REPLY in text  # what was reviewed is released as it was


def test_every_page_is_the_complaints_manager_s_alone(
    jades_item, complaints_manager, caseworker, manager, young_person, other_young_person
):
    location = client_for(complaints_manager).post(
        reverse("feedback:person_release", args=["jade"]), {}
    )["Location"]
    released = SubjectAccessRelease.objects.get()
    for user in (caseworker, manager, young_person, other_young_person):
        client = client_for(user)
        assert client.get(location).status_code == 404
        assert client.get(reverse("feedback:person_data", args=["jade"])).status_code == 404
        assert client.post(reverse("feedback:person_release", args=["jade"]), {}).status_code == 404
    assert SubjectAccessRelease.objects.count() == 1
    # A release is found only under its own young person.
    other = reverse("feedback:person_released", args=["kai", released.pk])
    assert client_for(complaints_manager).get(other).status_code == 404
