"""Quotes nobody can recognise, and withdrawn consent takes them off every page at once."""

from __future__ import annotations

from datetime import date

import pytest

from feedback.models import Event, EventKind, Item
from participation import marks, services
from participation.models import Excerpt, MeetingKind
from tests.conftest import client_for, submit
from tests.participation.conftest import theme_of

pytestmark = pytest.mark.django_db

TEACHER = "Mr Hughes at Oakfield School shouts at me"
QUOTE = "My bus to school is always late"


def _kinds(text: str) -> dict[str, str]:
    return {text[m.start : m.end]: m.kind for m in marks.find(text)}


def test_a_teacher_s_name_and_a_school_are_marked():
    assert _kinds(TEACHER) == {"Hughes": "name", "Oakfield School": "school"}


def test_phone_numbers_emails_and_dates_are_marked():
    text = "Ring me on 07700 900123 or write to jo.b@example.com, I was born 3 May 2010"
    assert _kinds(text) == {
        "07700 900123": "phone",
        "jo.b@example.com": "email",
        "3 May 2010": "date",
    }


def test_homes_roads_and_the_portal_s_services_are_marked():
    text = "I moved from Elm House on Mill Road and the leaving care team never rang"
    found = {
        text[m.start : m.end]: m.kind
        for m in marks.find(text, known=[("Leaving Care Team", "service")])
    }
    assert found == {
        "Elm House": "home",
        "Mill Road": "place",
        "leaving care team": "service",
    }


def test_plain_words_carry_no_marks():
    assert marks.find("My bus to school is always late. I want more trips") == []


def _shared(young_person) -> Item:
    return submit(young_person, topic="school", words=TEACHER, consent_to_share=True).item


def test_the_moderation_page_highlights_what_could_identify_someone(
    young_person, participation_officer
):
    item = _shared(young_person)
    page = client_for(participation_officer).get(f"/council/moderation/{item.reference}/")
    html = page.content.decode()
    assert (
        '<mark class="identifying">Oakfield School<small class="mark-label"> (school)</small></mark>'
        in html
    )
    assert (
        '<mark class="identifying">Hughes<small class="mark-label"> (name)</small></mark>' in html
    )


def test_a_teacher_and_a_school_left_in_block_a_single_approval(
    young_person, participation_officer, council_member
):
    item = _shared(young_person)
    response = client_for(participation_officer).post(
        f"/council/moderation/{item.reference}/",
        {"text": "Mr Hughes at Oakfield School shouts", "theme": theme_of("school").pk},
    )
    assert response.status_code == 302
    excerpt = Excerpt.objects.get()
    assert excerpt.approved_by == participation_officer and excerpt.approved_at is None
    assert not Excerpt.objects.approved().exists()
    assert "Hughes" not in client_for(council_member).get("/council/").content.decode()
    waiting = client_for(participation_officer).get("/council/moderation/").content.decode()
    assert "Waiting for a second moderator" in waiting
    assert "You approved it first. Another moderator must approve it." in waiting


def test_a_redacted_excerpt_is_approved_by_one_moderator(
    young_person, participation_officer, council_member
):
    item = _shared(young_person)
    client_for(participation_officer).post(
        f"/council/moderation/{item.reference}/",
        {"text": "My teacher shouts at me", "theme": theme_of("school").pk},
    )
    excerpt = Excerpt.objects.get()
    assert excerpt.approved_at is not None and excerpt.second_approved_by is None
    assert "My teacher shouts at me" in client_for(council_member).get("/council/").content.decode()


def test_a_second_moderator_passes_an_excerpt_with_marks(
    young_person, participation_officer, complaints_manager, council_member
):
    item = _shared(young_person)
    excerpt = services.approve_excerpt(
        item=item, text="Mr Hughes shouts", theme=theme_of("school"), by=participation_officer
    )
    response = client_for(complaints_manager).post(f"/council/excerpts/{excerpt.pk}/approve/")
    assert response.status_code == 302
    excerpt.refresh_from_db()
    assert excerpt.second_approved_by == complaints_manager and excerpt.approved_at is not None
    assert "Mr Hughes shouts" in client_for(council_member).get("/council/").content.decode()


def test_the_same_moderator_twice_does_not_pass_it(
    young_person, participation_officer, council_member
):
    item = _shared(young_person)
    excerpt = services.approve_excerpt(item=item, text="Mr Hughes shouts", by=participation_officer)
    client = client_for(participation_officer)
    response = client.post(f"/council/excerpts/{excerpt.pk}/approve/", follow=True)
    assert "Another moderator must approve it. You approved it first." in (
        response.content.decode()
    )
    excerpt.refresh_from_db()
    assert excerpt.approved_at is None and excerpt.second_approved_by is None
    assert not Excerpt.objects.approved().exists()


def test_only_a_moderator_finds_an_excerpt_waiting_for_approval(
    young_person, participation_officer, council_member, manager
):
    item = _shared(young_person)
    excerpt = services.approve_excerpt(item=item, text="Mr Hughes shouts", by=participation_officer)
    for user in (council_member, manager, young_person):
        response = client_for(user).post(f"/council/excerpts/{excerpt.pk}/approve/")
        assert response.status_code == 404
    excerpt.refresh_from_db()
    assert excerpt.approved_at is None


def _pages(client, meeting_pk: int) -> list[str]:
    """The council's theme page, the board pack and the dashboard."""
    return [
        client.get(f"/council/themes/{theme_of('school').pk}/").content.decode(),
        client.get(f"/council/meetings/{meeting_pk}/pack/").content.decode(),
        client.get("/council/").content.decode(),
    ]


@pytest.fixture
def board(participation_officer):
    return services.create_meeting(
        kind=MeetingKind.CORPORATE_PARENTING,
        title="Corporate Parenting Board",
        on=date(2026, 11, 20),
        by=participation_officer,
    )


@pytest.mark.travel("2026-11-20 12:00Z")
def test_stopping_sharing_takes_the_quote_off_every_page_at_once(
    story, board, young_person, council_member
):
    council = client_for(council_member)
    assert all(QUOTE in page for page in _pages(council, board.pk))
    item = story["jade_item"]
    page = client_for(young_person).get(f"/postcards/{item.reference}/").content.decode()
    assert "Stop sharing my words" in page
    response = client_for(young_person).post(f"/postcards/{item.reference}/stop-sharing/")
    assert response.status_code in (200, 302)
    item.refresh_from_db()
    assert item.consent_to_share is False
    assert Event.objects.filter(item=item, kind=EventKind.STOPPED_SHARING).count() == 1
    assert not any(QUOTE in page for page in _pages(council, board.pk))
    after = client_for(young_person).get(f"/postcards/{item.reference}/").content.decode()
    assert "You stopped sharing your words. The council cannot read them now." in after
    assert "Stop sharing my words" not in after


@pytest.mark.travel("2026-11-20 12:00Z")
def test_withdrawing_the_postcard_takes_the_quote_off_every_page_at_once(
    story, board, young_person, council_member
):
    council = client_for(council_member)
    assert all(QUOTE in page for page in _pages(council, board.pk))
    item = story["jade_item"]
    client_for(young_person).post(f"/postcards/{item.reference}/withdraw/")
    item.refresh_from_db()
    assert item.status == "withdrawn"
    assert not any(QUOTE in page for page in _pages(council, board.pk))


def test_another_young_person_cannot_stop_sharing_someone_else_s_words(story, other_young_person):
    item = story["jade_item"]
    response = client_for(other_young_person).post(f"/postcards/{item.reference}/stop-sharing/")
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.consent_to_share is True


def test_words_no_longer_shared_cannot_be_quoted(story, participation_officer):
    from feedback import services as feedback_services
    from portal.refusals import Refused

    item = story["jade_item"]
    feedback_services.stop_sharing(item=item, by=item.author)
    with pytest.raises(Refused):
        services.approve_excerpt(item=item, text="Buses are late", by=participation_officer)
