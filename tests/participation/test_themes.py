"""Themes: every topic is one; the council proposes more, staff agree, tag and merge."""

from __future__ import annotations

import pytest

from feedback.models import Topic
from participation import services
from participation.models import ItemTheme, Theme, ThemeState
from tests.conftest import client_for
from tests.participation.conftest import theme_of

pytestmark = pytest.mark.django_db


def test_every_topic_is_an_agreed_theme_to_start_with():
    assert Theme.objects.agreed().count() == Topic.objects.count()
    assert theme_of("housing").name == "Leaving care: housing"


def test_a_council_member_proposes_a_theme_and_an_officer_agrees_it(
    council_member, participation_officer
):
    response = client_for(council_member).post("/council/themes/", {"name": "Placement moves"})
    assert response.status_code == 302
    theme = Theme.objects.get(name="Placement moves")
    assert theme.state == ThemeState.PROPOSED
    response = client_for(participation_officer).post(f"/council/themes/{theme.pk}/agree/")
    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.state == ThemeState.AGREED


def test_a_council_member_cannot_agree_a_theme(council_member):
    theme = services.propose_theme(name="Pocket money", by=council_member)
    assert client_for(council_member).post(f"/council/themes/{theme.pk}/agree/").status_code == 404
    theme.refresh_from_db()
    assert theme.state == ThemeState.PROPOSED


def test_a_theme_name_in_use_is_refused_beside_the_field(council_member):
    response = client_for(council_member).post(
        "/council/themes/", {"name": "leaving care:  HOUSING"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is already a theme called that. Use it instead." in page
    assert 'id="id_name-error"' in page
    assert Theme.objects.filter(name__iexact="leaving care: housing").count() == 1


def test_staff_tag_an_item_from_its_page_and_the_tag_records_who_and_when(item, caseworker):
    client = client_for(caseworker)
    page = client.get(f"/staff/items/{item.reference}/").content.decode()
    assert 'action="/council/items/' in page
    theme = services.propose_theme(name="Pocket money", by=caseworker, agreed=True)
    response = client.post(f"/council/items/{item.reference}/themes/", {"theme": theme.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/items/{item.reference}/"
    tag = ItemTheme.objects.get(item=item)
    assert tag.theme == theme and tag.tagged_by == caseworker and tag.tagged_at
    assert "Pocket money" in client.get(f"/staff/items/{item.reference}/").content.decode()
    client.post(f"/council/items/{item.reference}/themes/{theme.pk}/remove/")
    assert not ItemTheme.objects.filter(item=item).exists()


def test_staff_of_another_service_cannot_tag_the_item(item, other_caseworker):
    response = client_for(other_caseworker).post(
        f"/council/items/{item.reference}/themes/", {"theme": theme_of("money").pk}
    )
    assert response.status_code == 404
    assert not ItemTheme.objects.exists()


def test_merging_moves_the_tags_and_keeps_the_history(item, participation_officer, caseworker):
    pocket = services.propose_theme(name="Pocket money", by=caseworker, agreed=True)
    allowance = services.propose_theme(name="Allowance", by=caseworker, agreed=True)
    services.tag_item(item=item, theme=pocket, by=caseworker)
    response = client_for(participation_officer).post(
        f"/council/themes/{pocket.pk}/merge/", {"into": allowance.pk}
    )
    assert response.status_code == 302
    pocket.refresh_from_db()
    assert pocket.merged_into == allowance and pocket.merged_at
    tag = ItemTheme.objects.get(item=item)
    assert tag.theme == allowance and tag.moved_from == pocket
    assert tag.tagged_by == caseworker
    assert pocket not in Theme.objects.live()
    page = client_for(participation_officer).get("/council/").content.decode()
    assert "Allowance" in page and "Pocket money" not in page


def test_an_officer_tags_a_shared_item_from_the_moderation_queue(story, participation_officer):
    kai = story["kai_item"]
    response = client_for(participation_officer).post(
        f"/council/items/{kai.reference}/themes/",
        {"theme": theme_of("money").pk, "back": "moderation"},
    )
    assert response["Location"] == "/council/moderation/"
    assert ItemTheme.objects.get(item=kai).tagged_by == participation_officer
    # Sam did not agree to share: not in Pat's reach.
    sam = story["sam_item"]
    refused = client_for(participation_officer).post(
        f"/council/items/{sam.reference}/themes/", {"theme": theme_of("money").pk}
    )
    assert refused.status_code == 404
