"""The picture postcard on a small phone: big faces and pictures to tap, each question read
aloud by the browser's own speech on request, no sideways scroll, and nothing lost without
JavaScript (there are then no read-aloud buttons)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from feedback.models import Identity, Item, Kind, Mood
from portal.models import User
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 320, "height": 640}
PHONE = {"width": 390, "height": 844}
LINK = "For younger children: tell us with pictures"
SENTENCE = "I want to go to football on Saturdays"

# The browser's speech, stood in for: what the page asks it to say is kept to be read back.
FAKE_SPEECH = """
window.spoken = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
Object.defineProperty(window, "speechSynthesis", {
  configurable: true,
  value: { speak: function (u) { window.spoken.push(u.text); }, cancel: function () {} },
});
"""


def pick(page: Page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def read_aloud(page: Page, question: str) -> Locator:
    return page.get_by_role("group", name=question).get_by_role("button", name="Read it to me")


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def targets_are_big(page: Page) -> None:
    """Every face, picture and button is at least 44 by 44 CSS pixels."""
    sizes = page.evaluate(
        """() => [...document.querySelectorAll(
            "main .app-picture__input, main .app-read-aloud, main button[type=submit]"
        )].map((e) => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"""
    )
    assert len(sizes) == 5 + 6 + 3 + 1
    assert all(width >= 44 and height >= 44 for width, height in sizes), sizes


@pytest.mark.parametrize("viewport", [SMALL_PHONE, PHONE], ids=["320x640", "390x844"])
def test_a_child_sends_a_picture_postcard_and_can_have_each_question_read_aloud(
    new_context: Callable[..., BrowserContext],
    axe: Callable[..., None],
    reference_data: None,
    viewport: dict[str, int],
) -> None:
    context = new_context(viewport=viewport)
    context.add_init_script(FAKE_SPEECH)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name=LINK).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us with pictures")
    page.wait_for_load_state("load")  # the page's stylesheet with it, before measuring
    no_sideways_scroll(page)
    targets_are_big(page)
    axe(page, "the picture postcard")

    expect(page.get_by_role("button", name="Read it to me")).to_have_count(3)
    read_aloud(page, "How do you feel?").click()
    read_aloud(page, "What is it about?").click()
    page.get_by_role("button", name="Read it to me").nth(2).click()
    spoken = page.evaluate("() => window.spoken")
    assert spoken[0].startswith("How do you feel?")
    assert "Very unhappy." in spoken[0] and "Very happy." in spoken[0]
    assert spoken[1].startswith("What is it about?") and "My home." in spoken[1]
    assert spoken[2] == (
        "Do you want to say more? (you can skip this). "
        "A few words are enough. You can use any language and emoji."
    )

    page.get_by_role("button", name="Send my postcard").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Choose a face to show how you feel.")
    no_sideways_scroll(page)
    axe(page, "the picture postcard with errors")

    pick(page, "How do you feel?", "Happy")
    pick(page, "What is it about?", "Something else")
    page.get_by_label("Do you want to say more? (you can skip this)").fill(SENTENCE)
    page.get_by_role("button", name="Send my postcard").click()
    expect(page.get_by_role("heading", name="Your postcard has been sent")).to_be_visible()
    expect(page.get_by_text("Your tracking code is")).to_be_visible()
    axe(page, "the confirmation")

    item = Item.objects.get()
    assert (item.kind, item.mood, item.topic.slug) == (Kind.COMPLIMENT, Mood.HAPPY, "other")
    assert item.words == SENTENCE and item.identity == Identity.ANONYMOUS


def test_without_javascript_a_signed_in_child_sends_one_and_sees_no_read_aloud_buttons(
    new_context: Callable[..., BrowserContext],
    young_person: User,
) -> None:
    page = new_context(viewport=SMALL_PHONE, java_script_enabled=False).new_page()
    sign_in(page, "jade")
    page.get_by_role("link", name=LINK).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us with pictures")
    expect(page.get_by_role("button", name="Read it to me")).to_have_count(0)
    page.wait_for_load_state("load")
    no_sideways_scroll(page)

    pick(page, "How do you feel?", "Very unhappy")
    pick(page, "What is it about?", "School")
    page.get_by_role("button", name="Send my postcard").click()
    expect(page.get_by_role("heading", name="Your postcard has been sent")).to_be_visible()
    page.get_by_role("link", name="See it in My postcards").click()
    expect(page.get_by_text("I feel: Very unhappy. It is about: School.")).to_be_visible()

    item = Item.objects.get()
    assert item.author == young_person and item.identity == Identity.CONFIDENTIAL
    assert item.words == "I feel: Very unhappy. It is about: School."
