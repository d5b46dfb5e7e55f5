"""The young person's pages with GOV.UK Frontend, on two phone widths: axe on every page and
error state, the error summary, the character count, conditional reveals with and without
JavaScript, and Exit this page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from feedback.models import Item
from portal.models import User
from tests.browser.conftest import choose, serve_neutral_site, sign_in

pytestmark = pytest.mark.browser

PHONES = [{"width": 390, "height": 844}, {"width": 320, "height": 640}]
PRIVATE = "Something private about my placement"


@pytest.mark.parametrize("phone", PHONES, ids=["390", "320"])
def test_every_young_persons_page_and_error_state_passes_axe(
    new_context: Callable[..., BrowserContext],
    axe: Callable[..., None],
    item: Item,
    phone: dict[str, int],
) -> None:
    visitor = new_context(viewport=phone).new_page()
    for path, what in [("/", "home"), ("/accounts/login/", "sign in"), ("/track/", "track")]:
        visitor.goto(path)
        axe(visitor, what)
    visitor.get_by_role("button", name="Check", exact=True).click()
    expect(visitor).to_have_title(re.compile(r"^Error: "))
    axe(visitor, "track with errors")
    visitor.goto("/postcards/new/")
    axe(visitor, "the anonymous form")
    visitor.goto("/accounts/login/")
    visitor.get_by_role("button", name="Sign in", exact=True).click()
    expect(visitor).to_have_title(re.compile(r"^Error: "))
    axe(visitor, "sign in with errors")

    sam = new_context(viewport=phone).new_page()
    sign_in(sam, "sam")
    axe(sam, "my postcards")
    sam.goto(f"/postcards/{item.reference}/")
    axe(sam, "the item page")
    sam.get_by_role("button", name="Send my reply").click()
    expect(sam).to_have_title(re.compile(r"^Error: "))
    axe(sam, "the item page with an error")
    sam.goto("/notifications/")
    axe(sam, "updates")
    sam.goto("/complaints/new/")
    axe(sam, "the complaint form")
    sam.get_by_role("button", name="Check what I wrote").click()
    expect(sam).to_have_title(re.compile(r"^Error: "))
    axe(sam, "the complaint form with errors")
    choose(sam, "What is it about?", "Leaving care: housing")
    sam.get_by_label("Tell us about it").fill("The flat is cold and nobody fixed it.")
    choose(sam, "Who can see that it is from you?", "Named")
    sam.get_by_label("Yes, I would like an advocate").check()
    sam.get_by_role("button", name="Check what I wrote").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Check what you wrote")
    axe(sam, "check your answers")
    sam.get_by_role("button", name="Send my complaint").click()
    expect(sam.get_by_role("heading", name="Your complaint has been sent")).to_be_visible()
    expect(sam.locator("main")).to_contain_text(
        "They will get in touch with you within 2 working days."
    )
    axe(sam, "the confirmation")


def test_every_error_summary_link_moves_focus_to_its_field(page: Page, young_person: User) -> None:
    sign_in(page, "jade")
    page.goto("/postcards/new/")
    page.get_by_role("button", name="Check what I wrote").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    links = summary.locator("a")
    assert links.count() >= 3
    for index in range(links.count()):
        link = links.nth(index)
        target = link.get_attribute("href").lstrip("#")
        link.click()
        assert page.evaluate("() => document.activeElement.id") == target
        page.evaluate("() => window.scrollTo(0, 0)")


def test_the_character_count_lets_a_long_paste_through_and_says_by_how_much(
    page: Page, young_person: User
) -> None:
    sign_in(page, "jade")
    page.goto("/postcards/new/")
    words = page.get_by_label("Tell us about it")
    words.fill("x" * 6000)
    assert len(words.input_value()) == 6000
    expect(page.locator(".govuk-character-count__status")).to_have_text(
        "You have 1,000 characters too many"
    )
    choose(page, "What do you want to send?", "Idea")
    choose(page, "What is it about?", "School and learning")
    page.get_by_role("button", name="Check what I wrote").click()
    expect(page.get_by_role("alert")).to_contain_text("That is too long.")
    assert len(page.get_by_label("Tell us about it").input_value()) == 6000  # nothing lost


def test_conditional_reveals_follow_the_choice_with_javascript(
    page: Page, young_person: User
) -> None:
    sign_in(page, "jade")
    page.goto("/postcards/new/")
    advocate = page.get_by_label("Yes, I would like an advocate")
    method = page.get_by_role("group", name="How should we get in touch?")
    expect(advocate).to_be_hidden()
    expect(method).to_be_hidden()
    choose(page, "What do you want to send?", "Complaint")
    expect(advocate).to_be_visible()
    choose(page, "What do you want to send?", "Idea")
    expect(advocate).to_be_hidden()
    choose(page, "Do you want someone to get in touch with you?", "Yes")
    expect(method).to_be_visible()
    expect(page.get_by_label("Your phone number or email")).to_be_visible()


def test_a_complaint_with_an_advocate_can_be_sent_without_javascript(
    no_js_page: Page, young_person: User
) -> None:
    sign_in(no_js_page, "jade")
    no_js_page.goto("/postcards/new/")
    advocate = no_js_page.get_by_label("Yes, I would like an advocate")
    expect(advocate).to_be_visible()  # nothing is hidden without the script
    choose(no_js_page, "What do you want to send?", "Complaint")
    choose(no_js_page, "What is it about?", "School and learning")
    no_js_page.get_by_label("Tell us about it").fill("Nobody helps me with my homework.")
    choose(no_js_page, "Who can see that it is from you?", "Named")
    advocate.check()
    choose(no_js_page, "Do you want someone to get in touch with you?", "Yes")
    choose(no_js_page, "How should we get in touch?", "In this app")
    no_js_page.get_by_role("button", name="Check what I wrote").click()
    expect(no_js_page.get_by_role("heading", level=1)).to_have_text("Check what you wrote")
    no_js_page.get_by_role("button", name="Send my complaint").click()
    expect(no_js_page.get_by_role("heading", name="Your complaint has been sent")).to_be_visible()
    item = Item.objects.get(author=young_person)
    assert item.advocate_requested and item.contact_wanted


@pytest.mark.parametrize("how", ["button", "shift"])
def test_exit_this_page_ends_the_session_and_back_shows_no_words(
    page: Page, young_person: User, how: str
) -> None:
    serve_neutral_site(page, body="weather")
    sign_in(page, "jade")
    page.goto("/postcards/new/")
    page.get_by_label("Tell us about it").fill(PRIVATE)
    if how == "button":
        page.get_by_role("button", name="Emergency Exit this page").click()
    else:
        page.locator("h1").click()
        for _press in range(3):
            page.keyboard.press("Shift")
    page.wait_for_url("https://www.bbc.co.uk/**")
    expect(page.locator("body")).to_have_text("weather")

    page.go_back()
    page.wait_for_load_state()
    assert PRIVATE not in page.content()
    for field in page.locator("textarea").all():
        assert PRIVATE not in field.input_value()
    page.goto("/postcards/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/postcards/$"))
