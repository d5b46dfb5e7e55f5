"""The complaints manager's subject access and erasure pages on a phone: each fits 320 px
and passes axe; the released answer leaves out what was withheld and prints without the
staff links; erasure asks first and says it is done once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from feedback import dispatch, services
from feedback.models import Item
from portal.models import Service, User
from tests.browser.conftest import sign_in
from tests.conftest import submit

pytestmark = pytest.mark.browser

PHONES = [{"width": 390, "height": 844}, {"width": 320, "height": 640}]
NOTE = "Spoke to her foster carer about the heating"


def assert_fits(page: Page, what: str) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width == width, f"{what} at {width} px scrolls sideways ({scroll_width} px)"


def on_phones(page: Page, axe: Callable[..., None], what: str) -> None:
    for viewport in PHONES:
        page.set_viewport_size(viewport)
        assert_fits(page, what)
        axe(page, f"{what} at {viewport['width']} px")


@pytest.fixture
def jades_item(young_person: User, caseworker: User, other_caseworker: User) -> Item:
    young_person.young_person.services.add(Service.objects.get(slug="leaving-care"))
    item = submit(young_person, words="My flat is cold all the time", topic="housing").item
    dispatch.route_item(item.pk)
    services.add_note(item=Item.objects.get(pk=item.pk), by=other_caseworker, text=NOTE)
    return Item.objects.get(pk=item.pk)


def test_the_complaints_manager_reviews_withholds_and_releases_an_answer(
    page: Page, axe: Callable[..., None], complaints_manager: User, jades_item: Item
) -> None:
    sign_in(page, "chris", second_factor=True)
    page.goto("/staff/people/jade/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What we hold about jade")
    on_phones(page, axe, "what we hold, before release")
    staff_only = page.get_by_role("group", name="Staff-only entries")
    expect(staff_only.get_by_label("Internal note", exact=False)).to_be_checked()
    page.get_by_role("button", name="Release").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What we hold about you")
    expect(page.get_by_text("My flat is cold all the time")).to_be_visible()
    expect(page.get_by_text(NOTE)).to_have_count(0)
    expect(page.get_by_text("Withheld.").first).to_be_visible()
    on_phones(page, axe, "the released answer")
    page.emulate_media(media="print")
    expect(page.get_by_text("The record of this release (not sent)")).to_be_hidden()
    expect(page.get_by_role("link", name="Back to what we hold")).to_be_hidden()
    expect(page.get_by_text("My flat is cold all the time")).to_be_visible()


def test_erasure_asks_first_and_says_it_is_done_once(
    page: Page, axe: Callable[..., None], complaints_manager: User, jades_item: Item
) -> None:
    sign_in(page, "chris", second_factor=True)
    page.goto("/staff/people/jade/")
    page.get_by_role("link", name="Erase this young person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase jade?")
    expect(page.get_by_text(jades_item.reference)).to_be_visible()
    on_phones(page, axe, "the erasure confirmation")
    page.get_by_role("button", name="Erase").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the reason for the erasure.")
    on_phones(page, axe, "the erasure confirmation with an error")
    page.get_by_label("Why").fill("Her request of 6 December")
    page.get_by_role("button", name="Erase").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A young person's data")
    expect(page.get_by_text("Erased. 1 item keeps only its figures.")).to_have_count(1)
    assert not Item.objects.get(pk=jades_item.pk).is_open
