"""Excerpts: only from consenting items, approved by staff with names taken out."""

from __future__ import annotations

import pytest

from participation.models import Excerpt
from tests.conftest import client_for, submit
from tests.participation.conftest import theme_of

pytestmark = pytest.mark.django_db


def test_an_officer_approves_a_redacted_excerpt_and_the_council_reads_only_that(
    young_person, participation_officer, council_member
):
    item = submit(
        young_person,
        topic="school",
        words="I'm Jade, my school Oakfield never helps",
        consent_to_share=True,
    ).item
    client = client_for(participation_officer)
    assert client.get(f"/council/moderation/{item.reference}/").status_code == 200
    response = client.post(
        f"/council/moderation/{item.reference}/",
        {"text": "My school never helps", "theme": theme_of("school").pk},
    )
    assert response.status_code == 302
    excerpt = Excerpt.objects.get()
    assert excerpt.approved_by == participation_officer and excerpt.approved_at
    page = client_for(council_member).get("/council/").content.decode()
    assert "My school never helps" in page
    assert "Oakfield" not in page


def test_an_item_without_consent_cannot_give_an_excerpt(
    item, participation_officer, complaints_manager
):
    from participation import services
    from portal.refusals import Refused

    # Not in the queue, so its page is not found ...
    client = client_for(participation_officer)
    assert client.get(f"/council/moderation/{item.reference}/").status_code == 404
    # ... and the rule holds whoever asks.
    with pytest.raises(Refused):
        services.approve_excerpt(item=item, text="Flats", by=complaints_manager)
    assert not Excerpt.objects.exists()


def test_an_excerpt_still_naming_the_young_person_is_refused(young_person, participation_officer):
    item = submit(young_person, topic="school", consent_to_share=True).item
    response = client_for(participation_officer).post(
        f"/council/moderation/{item.reference}/", {"text": "jade says school is hard"}
    )
    assert response.status_code == 400
    assert "Take out the young person&#x27;s name before approving." in response.content.decode()
    assert not Excerpt.objects.exists()


def test_a_withdrawn_excerpt_disappears_from_the_council_s_pages(
    story, participation_officer, council_member
):
    client = client_for(participation_officer)
    client.post(f"/council/excerpts/{story['excerpt'].pk}/withdraw/")
    page = client_for(council_member).get("/council/").content.decode()
    assert "My bus to school is always late" not in page


def test_the_queue_leaves_out_items_already_excerpted(story, participation_officer):
    page = client_for(participation_officer).get("/council/moderation/").content.decode()
    assert story["kai_item"].reference in page
    assert f"/council/moderation/{story['jade_item'].reference}/" not in page


def test_a_safeguarding_item_is_never_offered_for_quoting(young_person, participation_officer):
    item = submit(young_person, topic="school", consent_to_share=True).item
    type(item).objects.filter(pk=item.pk).update(safeguarding=True)
    client = client_for(participation_officer)
    assert item.reference not in client.get("/council/moderation/").content.decode()
    assert client.get(f"/council/moderation/{item.reference}/").status_code == 404
