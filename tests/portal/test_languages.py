"""A young person's own language (issue 24): the choice, lang and dir, and a pseudo-locale
walk of every young person's page that finds any string not marked for translation."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from feedback import services
from feedback.models import Item, Topic
from portal.models import User
from portal.translation import stored_text
from tests.conftest import client_for

# The walk's access matrix and the objects it names: its pages are the ones walked here.
from tests.participation.conftest import story, theme_of, topic_themes  # noqa: F401
from tests.pseudo_locale import OPEN, pseudo, unmarked, use_pseudo_locale
from tests.test_url_walk import ANON, MATRIX, PERSONAS, url_for, world  # noqa: F401

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_tag(client: Client, path: str) -> str:
    body = client.get(path).content.decode()
    found = re.search(r"<html[^>]*>", body)
    assert found, f"{path} has no <html>"
    return found.group(0)


def test_a_page_is_in_british_english_left_to_right_unless_another_language_is_chosen(
    client: Client,
) -> None:
    assert 'lang="en-gb" dir="ltr"' in html_tag(client, "/track/")


@pytest.mark.parametrize(("code", "direction"), [("cy", "ltr"), ("ar", "rtl")])
def test_the_language_cookie_sets_lang_and_direction(
    client: Client, code: str, direction: str
) -> None:
    client.cookies[COOKIE] = code
    assert f'lang="{code}" dir="{direction}"' in html_tag(client, "/track/")


def test_choosing_a_language_is_remembered_for_this_browser(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/track/"})
    assert response.status_code == 302
    assert response["Location"] == "/track/"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "ar"
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]
    assert 'dir="rtl"' in html_tag(client, "/track/")


def test_the_language_choice_is_on_young_peoples_pages_not_staff_pages(
    care_leaver: User, caseworker: User
) -> None:
    choice = 'action="/i18n/setlang/"'
    assert choice in Client().get("/track/").content.decode()
    assert choice in client_for(care_leaver).get("/postcards/").content.decode()
    staff = client_for(caseworker).get("/staff/")
    assert staff.status_code == 200
    assert choice not in staff.content.decode()
    # Each language is named in itself, marked with its own lang for screen readers.
    page = Client().get("/track/").content.decode()
    assert '<option value="cy" lang="cy">Cymraeg</option>' in page
    assert '<option value="ar" lang="ar">العربية</option>' in page


def test_topics_are_shown_in_the_readers_language(
    monkeypatch: pytest.MonkeyPatch, care_leaver: User
) -> None:
    use_pseudo_locale(monkeypatch)
    client = client_for(care_leaver)
    client.cookies[COOKIE] = "cy"
    page = client.get("/postcards/new/").content.decode()
    assert pseudo("Leaving care: housing") in page
    assert pseudo("Finding and keeping a place to live.") in page
    # Stored in English, whatever language it was chosen in.
    assert Topic.objects.get(slug="housing").name == "Leaving care: housing"


def test_a_young_persons_words_are_shown_with_their_own_direction(
    item: Item, care_leaver: User, caseworker: User
) -> None:
    services.young_person_reply(item=item, by=care_leaver, text="شكرا لكم")
    for client, path in [
        (client_for(care_leaver), f"/postcards/{item.reference}/"),
        (client_for(caseworker), f"/staff/items/{item.reference}/"),
    ]:
        page = client.get(path).content.decode()
        for words in (item.words, "شكرا لكم"):
            assert re.search(rf'dir="auto"[^>]*>\s*{re.escape(words)}', page), (path, words)
    # The queue's preview of the first words.
    queue = client_for(caseworker).get("/staff/").content.decode()
    assert re.search(rf'<span dir="auto">{re.escape(item.words[:20])}', queue)


def young_peoples_pages() -> list[tuple[str, str]]:
    """(URL name, persona) for each page of the walk a young person or a visitor reads:
    the author's where they may, else a visitor's, else a council member's."""
    pages = []
    for name, rule in sorted(MATRIX.items()):
        if rule.method != "get" or name.startswith("api") or name.endswith("_csv"):
            continue
        for persona in ("author", ANON, "council_member"):
            if rule.expected(persona) == 200:
                pages.append((name, persona))
                break
    # The signed-out pages the framework serves.
    return [*pages, ("account_login", ANON)]


# Data a page shows that is nobody's interface: the personas' names, and the titles staff
# gave the walk's meetings.
NAMES = frozenset(
    {"Sam", "Jade", "Kai", "Alex", "Casey", "Pat", "Morgan", "Board", "Takeover", "day"}
)


@pytest.mark.parametrize(("name", "persona"), young_peoples_pages())
def test_every_string_on_a_young_persons_page_is_marked_for_translation(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    world: dict[str, str],  # noqa: F811
    name: str,
    persona: str,
) -> None:
    use_pseudo_locale(monkeypatch)
    fixture = PERSONAS[persona]
    client = client_for(request.getfixturevalue(fixture) if fixture else None)
    client.cookies[COOKIE] = "cy"
    path = url_for(name, world) if name != "account_login" else "/accounts/login/"
    response = client.get(path)
    assert response.status_code == 200
    if not response["Content-Type"].startswith("text/html"):
        return
    page = response.content.decode()
    assert OPEN in page
    assert not unmarked(page, NAMES), f"{path}: words not marked for translation"


def test_the_check_reports_an_unmarked_word() -> None:
    page = f"<html><body><p>{pseudo('Send')}</p><p>Oops</p><script>x()</script></body></html>"
    assert unmarked(page) == ["Oops"]
    assert unmarked(f'<p>{pseudo("Say " + pseudo("it"))} <q dir="auto">mine</q> K7M-4QP</p>') == []


@pytest.mark.parametrize("path", ["/postcards/new/", "/complaints/new/", "/track/"])
def test_every_error_message_a_young_person_meets_is_marked_for_translation(
    monkeypatch: pytest.MonkeyPatch, care_leaver: User, path: str
) -> None:
    use_pseudo_locale(monkeypatch)
    client = client_for(care_leaver) if path != "/track/" else Client()
    client.cookies[COOKIE] = "cy"
    response = client.post(path, {"step": "check"})
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert not unmarked(page, NAMES), f"{path} with errors: words not marked for translation"


def test_a_name_typed_in_by_hand_is_shown_exactly_as_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_pseudo_locale(monkeypatch)
    with translation.override("cy"):
        assert stored_text("Where I live") == pseudo("Where I live")
    with translation.override("en-gb"):
        # gettext would make the carriage return a newline; a CSV export quotes on it.
        assert stored_text("\r=HYPERLINK(1)") == "\r=HYPERLINK(1)"
        assert stored_text("Where I live") == "Where I live"


def test_checking_and_sending_a_postcard_is_all_marked_for_translation(
    monkeypatch: pytest.MonkeyPatch, care_leaver: User
) -> None:
    use_pseudo_locale(monkeypatch)
    client = client_for(care_leaver)
    client.cookies[COOKIE] = "cy"
    answers = {
        "kind": "idea",
        "topic": str(Topic.objects.get(slug="housing").pk),
        "words": "Mwy o help i ddod o hyd i fflat",
        "identity": "named",
        "mood": "",
    }
    check = client.post("/postcards/new/", {**answers, "step": "check"})
    assert check.status_code == 200, check.content.decode()[:2000]
    page = check.content.decode()
    assert "Mwy o help" in page
    assert not unmarked(page, NAMES), "check what you wrote: words not marked for translation"
    key = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert key
    sent = client.post(
        "/postcards/new/", {**answers, "step": "send", "submission_key": key.group(1)}, follow=True
    )
    assert sent.status_code == 200
    assert sent.redirect_chain and "/postcards/sent/" in sent.redirect_chain[-1][0]
    assert not unmarked(sent.content.decode(), NAMES), "sent: words not marked for translation"
