"""At 390x844: a council member reads the dashboard and proposes an action from a theme;
a young person sees the action on their item; the public board renders; axe finds nothing.

Reuses the browser suite's fixtures and helpers (skipped without Chromium and axe-core)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from participation.models import Action, ActionStatus

# Importing the browser suite allows Django's ORM beside Playwright's event loop for the
# whole session. When this module is what imported it, keep that to this module (its
# own browser, below), so later tests (the deployment check) see the environment as it was.
_ALREADY_ALLOWED = "DJANGO_ALLOW_ASYNC_UNSAFE" in os.environ
from tests.browser import conftest as browser_suite  # noqa: E402

if not _ALREADY_ALLOWED:
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

_browser_prerequisites = browser_suite._browser_prerequisites
new_context = browser_suite.new_context
page = browser_suite.page
axe = browser_suite.axe
sign_in = browser_suite.sign_in


@pytest.fixture(scope="module")
def browser(_browser_prerequisites: None) -> Iterator[Browser]:
    """This module's Chromium: closed, and the ORM guard back on, when the module ends."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(browser_suite.CHROMIUM),
                headless=True,
                args=browser_suite.CHROMIUM_ARGS,
            )
            yield chromium
            chromium.close()


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
