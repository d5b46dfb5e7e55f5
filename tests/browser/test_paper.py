"""A caseworker enters a paper postcard on her phone: the form is a third of its old height
(4,148 px at 390 wide before), fits 320 px, passes axe, and the confirmation says where it
went."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from feedback.models import Item
from portal.models import Service, User
from tests.browser.conftest import choose, sign_in

pytestmark = pytest.mark.browser

PHONES = [{"width": 390, "height": 844}, {"width": 320, "height": 640}]


def height(page: Page) -> int:
    return int(page.evaluate("() => document.documentElement.scrollHeight"))


def assert_fits(page: Page, what: str) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width == width, f"{what} at {width} px scrolls sideways ({scroll_width} px)"


def test_a_caseworker_enters_a_paper_postcard_on_her_phone(
    page: Page, axe: Callable[..., None], caseworker: User, young_person: User
) -> None:
    young_person.young_person.services.add(Service.objects.get(slug="leaving-care"))
    sign_in(page, "casey", second_factor=True)
    page.goto("/staff/paper/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a paper postcard")
    page.set_viewport_size(PHONES[0])
    tall = height(page)
    assert tall <= 1500, f"the paper form is {tall} px tall at 390 px"
    for viewport in PHONES:
        page.set_viewport_size(viewport)
        assert_fits(page, "the paper form")
        axe(page, f"the paper form at {viewport['width']} px")

    # Who first: choosing "a young person" reveals the names.
    choose(page, "Who is it from?", "A young person we work with")
    page.get_by_label("Find them by name").select_option("jade")
    axe(page, "the paper form with a young person chosen")
    page.get_by_label("Their words, exactly as written").fill("Can we have a homework club")
    choose(page, "How did it reach you?", "By post")
    page.get_by_label("When did they write it?").fill(timezone.localdate().isoformat())
    choose(page, "What is it?", "Idea")
    page.get_by_label("Topic").select_option(label="School and learning")
    page.get_by_role("button", name="Save postcard").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Paper postcard saved")
    item = Item.objects.get()
    assert item.author == young_person and item.received_by == "post"
    expect(page.get_by_text(item.reference)).to_be_visible()
    expect(page.locator("#where")).to_contain_text("being routed")
    for viewport in PHONES:
        page.set_viewport_size(viewport)
        assert_fits(page, "the confirmation")
        axe(page, f"the confirmation at {viewport['width']} px")


def test_an_error_is_shown_beside_the_question_and_nothing_typed_is_lost(
    page: Page, axe: Callable[..., None], caseworker: User
) -> None:
    sign_in(page, "casey", second_factor=True)
    page.goto("/staff/paper/new/")
    page.get_by_label("Their words, exactly as written").fill("My social worker is great")
    page.get_by_role("button", name="Save postcard").click()
    expect(page.get_by_role("alert")).to_contain_text("Say who it is from.")
    expect(page.get_by_label("Their words, exactly as written")).to_have_value(
        "My social worker is great"
    )
    for viewport in PHONES:
        page.set_viewport_size(viewport)
        assert_fits(page, "the paper form with errors")
        axe(page, f"the paper form with errors at {viewport['width']} px")
    assert not Item.objects.exists()
