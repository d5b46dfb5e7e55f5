"""Who reaches which participation page. Not allowed and not found are the same 404."""

from __future__ import annotations

import re

import pytest

from participation.models import Meeting
from tests.conftest import client_for
from tests.participation.conftest import JADE_WORDS, KAI_WORDS, theme_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def board_meeting(participation_officer) -> Meeting:
    from datetime import date

    from participation import services

    return services.create_meeting(
        kind="corporate_parenting",
        title="Corporate Parenting Board",
        on=date(2027, 6, 1),
        by=participation_officer,
    )


def council_urls(story: dict, meeting: Meeting) -> list[str]:
    action = story["action"]
    urls = [
        "/council/",
        "/council/themes/",
        f"/council/themes/{theme_of('school').pk}/",
        "/council/actions/",
        f"/council/actions/{action.pk}/",
        "/council/meetings/",
        f"/council/meetings/{meeting.pk}/",
        f"/council/meetings/{meeting.pk}/pack/",
        f"/council/meetings/{meeting.pk}/pack.csv",
    ]
    for period in ("3", "6", "12", "24"):
        for who in ("", "in_care", "care_leaver"):
            urls.append(f"/council/?period={period}&who={who}")
            urls.append(f"/council/figures.csv?period={period}&who={who}")
    return urls


def test_a_council_member_walking_every_page_sees_no_name_username_or_words(
    story, board_meeting, council_member, young_person, other_young_person, care_leaver
):
    client = client_for(council_member)
    seen = []
    for url in [
        *council_urls(story, board_meeting),
        "/you-said-we-did/",
        "/postcards/",
        "/notifications/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        seen.append(response.content.decode())
    page = "\n".join(seen)
    for person in (young_person, other_young_person, care_leaver):
        for name in (person.username, person.display_name, person.email):
            assert not re.search(rf"\b{re.escape(name)}\b", page, re.IGNORECASE), name
    for words in (JADE_WORDS, KAI_WORDS, story["sam_item"].words, "Oakfield"):
        assert words not in page
    assert "My bus to school is always late" in page  # the approved excerpt
    for item in (story["jade_item"], story["kai_item"], story["sam_item"]):
        assert item.reference not in page


@pytest.mark.parametrize("persona", ["young_person", "caseworker", "duty_worker"])
def test_the_dashboard_themes_and_meetings_are_not_found_for_others(
    request, story, board_meeting, persona
):
    client = client_for(request.getfixturevalue(persona))
    for url in council_urls(story, board_meeting):
        if "/actions/" in url and persona != "young_person":
            continue  # their services' actions: below
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("persona", ["young_person", "other_caseworker"])
def test_actions_are_not_found_outside_their_service(request, story, persona):
    client = client_for(request.getfixturevalue(persona))
    action = story["action"]
    assert client.get(f"/council/actions/{action.pk}/").status_code == 404
    assert client.get("/council/actions/99999/").status_code == 404
    listing = client.get("/council/actions/")
    if persona == "young_person":
        assert listing.status_code == 404
    else:
        assert "Buses to school are late" not in listing.content.decode()


def test_the_action_s_own_service_sees_it_but_not_the_council_figures(story, caseworker):
    client = client_for(caseworker)
    assert client.get(f"/council/actions/{story['action'].pk}/").status_code == 200
    assert client.get("/council/").status_code == 404


@pytest.mark.parametrize(
    "persona", ["council_member", "young_person", "caseworker", "manager", "other_caseworker"]
)
def test_the_moderation_queue_is_for_participation_officers_and_the_complaints_manager(
    request, story, persona
):
    client = client_for(request.getfixturevalue(persona))
    jade = story["jade_item"].reference
    assert client.get("/council/moderation/").status_code == 404
    assert client.get(f"/council/moderation/{jade}/").status_code == 404
    assert client.post(f"/council/moderation/{jade}/", {"text": "x"}).status_code == 404
    assert client.post(f"/council/excerpts/{story['excerpt'].pk}/withdraw/").status_code == 404


@pytest.mark.parametrize("persona", ["participation_officer", "complaints_manager"])
def test_moderators_open_the_queue(request, story, persona):
    response = client_for(request.getfixturevalue(persona)).get("/council/moderation/")
    assert response.status_code == 200
    assert KAI_WORDS in response.content.decode()  # consented, no excerpt yet
    assert story["sam_item"].words not in response.content.decode()  # no consent


def test_a_council_member_gets_404_on_staff_and_other_young_people_s_item_pages(
    story, council_member
):
    client = client_for(council_member)
    for item in (story["jade_item"], story["sam_item"]):
        assert client.get(f"/staff/items/{item.reference}/").status_code == 404
        assert client.get(f"/postcards/{item.reference}/").status_code == 404
        assert (
            client.post(
                f"/council/items/{item.reference}/themes/", {"theme": theme_of("school").pk}
            ).status_code
            == 404
        )
    assert client.get("/staff/").status_code == 404


def test_a_participation_officer_without_the_second_factor_is_sent_to_sign_in(
    participation_officer,
):
    client = client_for(participation_officer, second_factor=False)
    response = client.get("/council/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_participation_officer_reaches_no_staff_item_page(story, participation_officer):
    client = client_for(participation_officer)
    assert client.get("/staff/").status_code == 404
    assert client.get(f"/staff/items/{story['sam_item'].reference}/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in_from_council_pages():
    from django.test import Client

    response = Client().get("/council/")
    assert response.status_code == 302


def test_only_moderators_plan_meetings(council_member):
    response = client_for(council_member).post(
        "/council/meetings/", {"kind": "council", "title": "x", "date": "2027-01-01"}
    )
    assert response.status_code == 404
    assert not Meeting.objects.exists()


def _posts(story: dict, meeting: Meeting, persona: str = "") -> list[tuple[str, dict]]:
    action, theme = story["action"], theme_of("school")
    question = "1"
    # Council members add to a meeting's agenda (tests/participation/test_meetings.py).
    agenda = (
        []
        if persona == "council_member"
        else [(f"/council/meetings/{meeting.pk}/agenda/", {"title": "x"})]
    )
    return [
        *agenda,
        (f"/council/actions/{action.pk}/decline/", {"reason": "x"}),
        (f"/council/themes/{theme.pk}/agree/", {}),
        (f"/council/themes/{theme.pk}/merge/", {"into": theme_of("money").pk}),
        (f"/council/actions/{action.pk}/agree/", {"we_will": "x"}),
        (f"/council/actions/{action.pk}/update/", {"text": "x", "status": "done", "we_did": "x"}),
        (f"/council/actions/{action.pk}/link/", {"references": story["kai_item"].reference}),
        (f"/council/meetings/{meeting.pk}/minutes/", {"minutes": "x"}),
        (f"/council/meetings/{meeting.pk}/questions/", {"question": "x"}),
        (f"/council/meetings/{meeting.pk}/questions/{question}/action/", {}),
        (f"/council/excerpts/{story['excerpt'].pk}/withdraw/", {}),
        (f"/council/items/{story['sam_item'].reference}/action/", {"action": action.pk}),
        (f"/council/items/{story['sam_item'].reference}/action/new/", {"you_said": "x"}),
        (f"/council/items/{story['sam_item'].reference}/themes/", {"theme": theme.pk}),
    ]


@pytest.mark.parametrize("persona", ["council_member", "young_person", "other_caseworker"])
def test_every_change_is_not_found_for_the_wrong_persona(request, story, board_meeting, persona):
    from participation.models import ActionUpdate, AgendaItem, Excerpt, ItemTheme

    client = client_for(request.getfixturevalue(persona))
    updates = ActionUpdate.objects.count()
    for url, data in _posts(story, board_meeting, persona):
        assert client.post(url, data).status_code == 404, url
    assert ActionUpdate.objects.count() == updates
    assert not AgendaItem.objects.exists()
    assert not ItemTheme.objects.exists()
    assert Excerpt.objects.approved().count() == 1
    assert story["action"].items.count() == 3


@pytest.mark.parametrize(
    "persona",
    [
        "young_person",
        "council_member",
        "caseworker",
        "participation_officer",
        "complaints_manager",
        "advocate",
        "partner_worker",
    ],
)
def test_every_link_in_each_person_s_menu_opens(request, persona):
    # A participation officer in no service was shown a young person's menu (my
    # postcards, send one, updates): three links to "Page not found".
    client = client_for(request.getfixturevalue(persona))
    start = "/council/" if persona == "participation_officer" else "/"
    page = client.get(start, follow=True).content.decode()
    menu = re.search(r'<nav class="app-nav".*?</nav>', page, re.S)
    assert menu
    links = re.findall(r'href="([^"#]+)"', menu.group(0))
    assert links
    for link in links:
        assert client.get(link, follow=True).status_code == 200, (persona, link)
    if persona == "participation_officer":
        assert "/my/" not in menu.group(0) and "Send a postcard" not in menu.group(0)
