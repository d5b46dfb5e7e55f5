"""The duty worker on a phone: the first child at risk on the queue starts on the first screen
of a 320 x 640 phone, and on an urgent item's page at 390 x 844 Acknowledge and the duty
phone are in view without scrolling past the young person's words, and stay in view."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from playwright.sync_api import BrowserContext, Page, expect

from portal.models import User
from tests.browser.conftest import sign_in
from tests.browser.test_duty import RISK, urgent_item

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 320, "height": 640}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def duty_phone(new_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    def open_at(viewport: dict[str, int], login: str = "dana") -> Page:
        page = new_context(viewport=viewport).new_page()
        sign_in(page, login, second_factor=True)
        return page

    return open_at


def test_on_a_small_phone_the_first_urgent_card_starts_on_the_first_screen(
    duty_phone: Callable[..., Page],
    axe: Callable[..., None],
    duty_worker: User,
    complaints_manager: User,
    care_leaver: User,
) -> None:
    urgent = urgent_item(care_leaver)
    page = duty_phone(SMALL_PHONE)
    page.goto("/staff/")
    card = page.locator(f'.queue-card[data-ref="{urgent.reference}"]')
    # Who it is, what they wrote and when it is due, without scrolling.
    for part in (
        card.locator(".card-title"),
        card.locator(".card-words"),
        card.locator(".card-clock"),
    ):
        expect(part).to_be_in_viewport(ratio=1)
    axe(page, "the duty queue on a small phone")

    # The complaints manager's longer menu still leaves the card's start on the first screen.
    page = duty_phone(SMALL_PHONE, "chris")
    page.goto("/staff/")
    expect(
        page.locator(f'.queue-card[data-ref="{urgent.reference}"] .card-title')
    ).to_be_in_viewport(ratio=1)


def test_on_a_phone_an_urgent_items_actions_are_in_view_without_scrolling(
    duty_phone: Callable[..., Page],
    axe: Callable[..., None],
    duty_worker: User,
    care_leaver: User,
) -> None:
    long_words = (RISK + ". ") + "I do not know who to tell and it happens most nights. " * 12
    item = urgent_item(care_leaver, words=long_words)
    page = duty_phone(PHONE)
    page.goto(f"/staff/items/{item.reference}/")
    acknowledge = page.get_by_role("button", name="Acknowledge")
    call = page.get_by_role("link", name=f"Call the duty phone: {settings.DUTY_OUT_OF_HOURS_PHONE}")
    expect(acknowledge).to_be_in_viewport(ratio=1)
    expect(call).to_be_in_viewport(ratio=1)
    # And they stay in reach while the worker reads on.
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    expect(acknowledge).to_be_in_viewport(ratio=1)
    expect(call).to_be_in_viewport(ratio=1)
    axe(page, "an urgent item on a phone")
    acknowledge.click()
    expect(page.get_by_text("Acknowledged: it is yours.")).to_be_visible()
    # Acknowledged, the decision is owed: its link stays in the bar.
    expect(page.get_by_role("link", name="Record the decision")).to_be_in_viewport(ratio=1)
