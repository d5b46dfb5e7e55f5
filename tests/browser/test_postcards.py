"""Postcards on a phone: send one, the team answers, say it is sorted; quick exit; tracking codes."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from feedback import dispatch
from feedback.models import Item, Status
from portal.models import User
from tests.browser.conftest import choose, serve_neutral_site, sign_in

pytestmark = pytest.mark.browser

WORDS = "Can someone help me find a flat near college? The list is very long."
REPLY = "Thank you Sam. Your personal adviser will call you on Friday about two flats."


def fill_postcard(page: Page, *, topic: str, words: str = WORDS) -> None:
    choose(page, "What do you want to send?", "Idea")
    choose(page, "What is it about?", topic)
    page.get_by_label("Tell us about it").fill(words)


def send_checked_postcard(page: Page) -> str:
    """From the check page: send, and read the reference off the confirmation."""
    page.get_by_role("button", name="Send my postcard").click()
    expect(page.get_by_role("heading", name="Your postcard has been sent")).to_be_visible()
    return page.locator(".govuk-panel .app-code").first.inner_text()


def test_a_care_leaver_sends_a_postcard_the_team_answers_and_it_is_sorted(
    new_context: Callable[..., BrowserContext],
    axe: Callable[..., None],
    care_leaver: User,
    caseworker: User,
) -> None:
    sam = new_context().new_page()
    sign_in(sam, "sam")
    sam.get_by_role("link", name="Send a postcard").first.click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Send a postcard")
    axe(sam, "the postcard form")

    sam.get_by_role("button", name="Check what I wrote").click()
    expect(sam.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(sam.get_by_role("alert")).to_contain_text("Tell us what happened, or what you think.")
    axe(sam, "the postcard form with errors")

    fill_postcard(sam, topic="Leaving care: housing")
    choose(sam, "Who can see that it is from you?", "Named")
    sam.get_by_role("button", name="Check what I wrote").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Check what you wrote")
    expect(sam.locator(".govuk-summary-list")).to_contain_text(WORDS)
    axe(sam, "the check page")

    reference = send_checked_postcard(sam)
    axe(sam, "the confirmation")
    item = Item.objects.get(reference=reference)
    assert item.author == care_leaver
    assert item.words == WORDS
    dispatch.route_item(item.pk)  # what the Celery worker does after the commit

    sam.get_by_role("link", name="My postcards", exact=True).click()
    expect(sam.get_by_role("link", name="Idea: Leaving care: housing")).to_be_visible()
    axe(sam, "My postcards")
    sam.get_by_role("link", name="Idea: Leaving care: housing").click()
    expect(sam.locator(".app-item-facts")).to_contain_text(reference)
    expect(sam.locator(".app-item-facts")).to_contain_text("With the team")
    axe(sam, "the young person's item page")

    casey = new_context().new_page()
    sign_in(casey, "casey", second_factor=True)
    expect(casey).to_have_url(re.compile(r"/staff/$"))
    expect(casey.get_by_role("link", name=reference)).to_be_visible()
    axe(casey, "the staff queue")
    casey.get_by_role("link", name=reference).click()
    expect(casey.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(casey.locator("blockquote.words").first).to_have_text(WORDS)
    axe(casey, "the staff item page")
    reply_form = casey.get_by_role("region", name="Reply to the young person")
    reply_form.get_by_label("Your reply").fill(REPLY)
    reply_form.get_by_role("button", name="Send reply").click()
    expect(casey.get_by_role("status", name="Done")).to_contain_text("Reply sent to the young person.")

    sam.reload()
    expect(sam.locator(".timeline")).to_contain_text(REPLY)
    expect(sam.locator(".app-item-facts")).to_contain_text("Answered")
    axe(sam, "the item page with an answer")
    sorted_panel = sam.get_by_role("region", name="Did this sort it?")
    sorted_panel.get_by_role("button", name="Yes, it is sorted").click()
    expect(sam.locator(".app-item-facts")).to_contain_text("Sorted and closed")
    expect(sam.get_by_role("status", name="Done")).to_contain_text("Thank you. It is now closed.")
    axe(sam, "the closed item page")
    item.refresh_from_db()
    assert item.status == Status.CLOSED


def test_a_young_person_sends_a_postcard_without_javascript(
    no_js_page: Page, young_person: User
) -> None:
    sign_in(no_js_page, "jade")
    no_js_page.goto("/postcards/new/")
    fill_postcard(no_js_page, topic="School and learning")
    choose(no_js_page, "Who can see that it is from you?", "Confidential")
    no_js_page.get_by_role("button", name="Check what I wrote").click()
    expect(no_js_page.get_by_role("heading", level=1)).to_have_text("Check what you wrote")

    reference = send_checked_postcard(no_js_page)

    item = Item.objects.get(reference=reference)
    assert item.author == young_person
    assert item.words == WORDS
    assert item.identity == "confidential"
    no_js_page.get_by_role("link", name="See it in My postcards").click()
    expect(no_js_page.locator(".app-item-facts")).to_contain_text(reference)


def test_pressing_shift_three_times_leaves_and_signs_out(page: Page, young_person: User) -> None:
    serve_neutral_site(page, body="weather")
    sign_in(page, "jade")
    page.goto("/postcards/new/")
    page.get_by_label("Tell us about it").fill("Something private")

    for _press in range(3):
        page.keyboard.press("Shift")

    page.wait_for_url("https://www.bbc.co.uk/**")
    expect(page.locator("body")).to_have_text("weather")
    page.goto("/postcards/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/postcards/$"))


def test_typing_capital_letters_does_not_leave_the_page(page: Page, young_person: User) -> None:
    serve_neutral_site(page, body="weather")
    sign_in(page, "jade")
    page.goto("/postcards/new/")
    words = page.get_by_label("Tell us about it")
    words.click()
    for letter in "IAMOK":  # Shift pressed five times within a second, between other keys
        page.keyboard.press(f"Shift+{letter}")

    expect(words).to_have_value("IAMOK")
    page.goto("/postcards/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My postcards")


def test_a_signed_out_visitor_sends_an_anonymous_postcard_and_tracks_it(
    page: Page, axe: Callable[..., None], reference_data: None
) -> None:
    page.goto("/")
    page.get_by_role("link", name="Send a postcard without signing in").click()
    axe(page, "the anonymous postcard form")
    choose(page, "Are you in care or a care leaver?", "Care leaver")
    fill_postcard(page, topic="Leaving care: money")
    page.get_by_role("button", name="Check what I wrote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what you wrote")

    reference = send_checked_postcard(page)
    codes = page.locator(".govuk-panel .app-code")
    expect(codes).to_have_count(2)
    tracking_code = codes.nth(1).inner_text()
    axe(page, "the anonymous confirmation")
    item = Item.objects.get(reference=reference)
    assert item.author is None
    assert item.identity == "anonymous"

    page.get_by_role("link", name="Check for an answer").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check for an answer")
    axe(page, "the tracking page")
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Tracking code").fill(tracking_code)
    page.get_by_role("button", name="Check", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Idea: Leaving care: money")
    expect(page.locator(".app-item-facts")).to_contain_text(reference)
    expect(page.locator("blockquote.words").first).to_have_text(WORDS)
    axe(page, "the tracked item page")


def test_a_wrong_tracking_code_shows_an_accessible_error(
    page: Page, axe: Callable[..., None], reference_data: None
) -> None:
    page.goto("/track/")
    page.get_by_label("Reference").fill("K7M-4QP")
    page.get_by_label("Tracking code").fill("ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("We could not find a postcard")
    axe(page, "the tracking page with an error")


def test_each_staff_action_box_has_its_own_label(
    page: Page, axe: Callable[..., None], item: Item, caseworker: User
) -> None:
    sign_in(page, "casey", second_factor=True)
    page.goto(f"/staff/items/{item.reference}/")
    for summary in ("Internal note", "Resolve"):
        page.locator("summary", has_text=summary).click()
    note = page.locator("form[action$='/note/']")
    resolve = page.locator("form[action$='/resolve/']")
    expect(note.locator("textarea")).to_be_visible()
    # A label belongs to the first element with its id, as the browser sees it.
    assert note.get_by_label("Internal note (staff only)").count() == 1
    assert resolve.get_by_label("The answer to the young person").count() == 1
    axe(page, "the staff item page with every action open")


def test_new_words_sent_under_a_used_form_are_asked_about_and_sent_as_a_new_postcard(
    page: Page, axe: Callable[..., None], young_person: User
) -> None:
    sign_in(page, "jade")
    page.goto("/postcards/new/")
    fill_postcard(page, topic="School and learning")
    choose(page, "Who can see that it is from you?", "Named")
    page.get_by_role("button", name="Check what I wrote").click()
    used_key = page.locator("input[name=submission_key]").get_attribute("value")
    first = send_checked_postcard(page)

    # The same form again with new words, as a page kept in a browser's history sends it.
    page.goto("/postcards/new/")
    fill_postcard(page, topic="School and learning", words=WORDS + " And a map.")
    choose(page, "Who can see that it is from you?", "Named")
    page.get_by_role("button", name="Check what I wrote").click()
    page.locator("input[name=submission_key]").evaluate(
        "(el, key) => { el.value = key; }", used_key
    )
    page.get_by_role("button", name="Send my postcard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You already sent this postcard")
    expect(page.get_by_text("Send these words as a new one?")).to_be_visible()
    axe(page, "the send again question")
    assert list(Item.objects.values_list("words", flat=True)) == [WORDS]

    page.get_by_role("button", name="Yes, send as a new one").click()
    expect(page.get_by_role("heading", name="Your postcard has been sent")).to_be_visible()
    second = page.locator(".govuk-panel .app-code").first.inner_text()
    assert second != first
    assert Item.objects.get(reference=second).words == WORDS + " And a map."
