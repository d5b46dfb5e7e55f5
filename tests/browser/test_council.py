"""At 390x844: a council member reads the dashboard and proposes an action from a theme;
a young person sees the action on their item; the public board renders; axe finds nothing.

In the browser suite, so it shares the session's one Chromium (a second Playwright in the
same run would start inside the first one's event loop)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from participation.models import Action, ActionStatus
from tests.browser.conftest import sign_in
from tests.participation import conftest as participation_fixtures

story = participation_fixtures.story
topic_themes = participation_fixtures.topic_themes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_council_member_reads_the_dashboard_and_proposes_an_action(
    page: Page, axe, story, council_member
) -> None:
    sign_in(page, "alex")
    page.goto("/council/")
    expect(page.get_by_role("heading", name="What young people are telling us")).to_be_visible()
    expect(page.get_by_role("img", name="Items by theme")).to_be_visible()
    axe(page, "the council dashboard")
    page.get_by_role("link", name="School and learning").first.click()
    page.get_by_label("What young people said").fill("Homework help is hard to find")
    page.get_by_role("button", name="Propose this action").click()
    expect(page.get_by_text("Action proposed.")).to_be_visible()
    axe(page, "the proposed action")
    proposed = Action.objects.get(status=ActionStatus.PROPOSED)
    assert proposed.you_said == "Homework help is hard to find"


def test_a_young_person_sees_the_action_on_their_item(page: Page, axe, story, young_person) -> None:
    sign_in(page, "jade")
    page.goto(f"/postcards/{story['jade_item'].reference}/")
    expect(page.get_by_role("heading", name="What changed because of this")).to_be_visible()
    expect(page.get_by_text("Talk to the bus company")).to_be_visible()
    axe(page, "the young person's item with its action")


def test_the_public_board_renders_for_a_signed_out_visitor(page: Page, axe, story) -> None:
    page.goto("/you-said-we-did/")
    expect(page.get_by_text("Buses to school are late")).to_be_visible()
    axe(page, "the public board")


def test_a_moderator_sees_what_could_identify_someone_highlighted(
    page: Page, axe, story, participation_officer
) -> None:
    sign_in(page, "pat", second_factor=True)
    page.goto(f"/council/moderation/{story['kai_item'].reference}/")
    expect(page.locator("mark.identifying")).to_have_count(0)  # "Kai" starts the sentence
    page.goto(f"/council/moderation/{story['jade_item'].reference}/")
    expect(page.locator("mark.identifying", has_text="Oakfield School")).to_contain_text("school")
    axe(page, "writing an excerpt with marks")


def test_a_young_person_stops_sharing_their_words(page: Page, axe, story, young_person) -> None:
    sign_in(page, "jade")
    page.goto(f"/postcards/{story['jade_item'].reference}/")
    page.get_by_text("Stop sharing my words").first.click()
    axe(page, "the young person's item with stop sharing open")
    page.get_by_role("button", name="Stop sharing my words").click()
    expect(page.get_by_text("Your words are not shared now.")).to_be_visible()
    story["jade_item"].refresh_from_db()
    assert story["jade_item"].consent_to_share is False
