"""The public board can be kept by a CDN and a browser: Cache-Control, an ETag and a 304,
varying by language, and never a signed-in reader's (or a visitor's own) page kept."""

from __future__ import annotations

import pytest
from django.test import Client

from participation import services
from portal.models import Service
from tests.conftest import client_for
from tests.participation.conftest import theme_of

pytestmark = [pytest.mark.django_db, pytest.mark.travel("2026-11-20 12:00Z")]

BOARD = "/you-said-we-did/"


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",")}


def test_a_signed_out_reader_gets_a_page_anyone_may_keep_for_five_minutes(story):
    response = Client().get(BOARD)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"].startswith('"')
    assert not response.cookies  # nothing of this reader's in a shared copy


def test_the_same_page_asked_again_with_its_etag_is_a_304_with_no_body(story):
    client = Client()
    etag = client.get(BOARD)["ETag"]
    again = client.get(BOARD, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "public, max-age=300"
    assert {"cookie", "accept-language"} <= _vary(again)


def test_an_old_etag_gets_the_whole_page(story):
    response = Client().get(BOARD, headers={"if-none-match": '"not-this-one"'})
    assert response.status_code == 200
    assert "Buses to school are late" in response.content.decode()


def test_the_etag_changes_when_an_action_is_updated(story, participation_officer):
    client = Client()
    before = client.get(BOARD)["ETag"]
    services.update_action(
        action=story["action"], by=participation_officer, text="The bus company said yes"
    )
    after = client.get(BOARD, headers={"if-none-match": before})
    assert after.status_code == 200
    assert after["ETag"] != before
    assert "The bus company said yes" in after.content.decode()


def test_the_etag_changes_when_an_action_is_made_public(story, participation_officer):
    client = Client()
    before = client.get(BOARD)["ETag"]
    action = services.propose_action(
        you_said="More trips in the holidays",
        themes=[theme_of("activities")],
        by=participation_officer,
    )
    services.agree_action(
        action=action,
        by=participation_officer,
        service=Service.objects.get(slug="fostering"),
        we_will="Plan three trips",
        public=True,
    )
    after = client.get(BOARD, headers={"if-none-match": before})
    assert after.status_code == 200
    assert after["ETag"] != before
    assert "More trips in the holidays" in after.content.decode()


def test_a_welsh_page_is_never_served_to_an_english_reader_from_a_shared_cache(story):
    english = Client().get(BOARD, headers={"accept-language": "en-GB"})
    welsh = Client().get(BOARD, headers={"accept-language": "cy"})
    by_cookie = Client()
    by_cookie.cookies["django_language"] = "cy"
    chosen = by_cookie.get(BOARD)
    assert 'lang="cy"' in welsh.content.decode()
    assert 'lang="cy"' in chosen.content.decode()
    assert 'lang="en-gb"' in english.content.decode()
    assert welsh["ETag"] != english["ETag"]
    # A cache keys its copies on these: Accept-Language for the browser's languages,
    # Cookie for the language chosen on the page.
    for response in (english, welsh, chosen):
        assert {"cookie", "accept-language"} <= _vary(response)
    # A Welsh reader's ETag does not make an English page a 304.
    assert (
        Client()
        .get(BOARD, headers={"accept-language": "en-GB", "if-none-match": welsh["ETag"]})
        .status_code
        == 200
    )


def test_a_signed_in_reader_s_page_is_kept_by_nobody(story, young_person):
    response = client_for(young_person).get(BOARD)
    assert response.status_code == 200
    assert "My postcards" in response.content.decode()  # their own menu
    cache_control = {v.strip() for v in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control
    assert not response.has_header("ETag")


def test_a_visitor_with_a_draft_on_the_go_gets_a_page_of_their_own(story):
    visitor = Client()
    visitor.get("/postcards/new/")  # the form gives the session a draft owner
    response = visitor.get(BOARD)
    assert response.status_code == 200
    cache_control = {v.strip() for v in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert not response.has_header("ETag")


def test_other_pages_are_still_kept_by_nobody(story):
    assert Client().get("/postcards/new/")["Cache-Control"] == "no-store"


def test_a_visitor_with_a_message_waiting_gets_their_own_page_kept_by_nobody(story):
    """A flash message's cookie is cleared by the middleware after the view: the page that
    shows it (and the Set-Cookie that clears it) must never be a shared copy."""
    client = Client()
    client.cookies["messages"] = "a-message-for-this-visitor-only"
    response = client.get(BOARD)
    assert response.status_code == 200
    assert "public" not in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_the_language_cookie_alone_still_gets_the_shared_welsh_page(story):
    client = Client()
    client.cookies["django_language"] = "cy"
    response = client.get(BOARD)
    assert response["Cache-Control"] == "public, max-age=300"
    assert not response.cookies
