"""The offline draft on a phone: what a young person types on the postcard form stays on the
phone until they send it (a reload or a closed tab does not lose it); sending, Exit this
page and signing out delete it; nothing leaves the phone but the form's own POST; the form
works without the script."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, Request, expect

from feedback.forms import MAX_WORDS
from feedback.models import Item
from portal.models import User
from tests.browser.conftest import PHONE, choose, serve_neutral_site, sign_in

pytestmark = pytest.mark.browser

WORDS = "The wifi at my placement goes off at nine and I need it for homework."
NOTE = "What you type is kept on this phone until you send it"


def start_postcard(page: Page) -> None:
    page.goto("/postcards/new/")
    choose(page, "What do you want to send?", "Idea")
    choose(page, "What is it about?", "School and learning")
    page.get_by_label("Tell us about it").fill(WORDS)
    choose(page, "Who can see that it is from you?", "Named")


def kept_on_the_phone(page: Page) -> int:
    """How many things this site keeps in the browser's storage on the device."""
    return int(page.evaluate("() => localStorage.length + sessionStorage.length"))


def test_the_words_come_back_after_a_reload_and_after_the_tab_is_closed(
    new_context: Callable[..., BrowserContext], young_person: User
) -> None:
    phone = new_context(viewport=PHONE)
    page = phone.new_page()
    sent_words: list[str] = []

    def watch(request: Request) -> None:
        if WORDS.replace(" ", "+") in (request.post_data or "") or WORDS in request.url:
            sent_words.append(f"{request.method} {request.url}")

    phone.on("request", watch)
    sign_in(page, "jade")
    start_postcard(page)
    expect(page.get_by_text(NOTE)).to_be_visible()

    page.reload()
    expect(page.get_by_label("Tell us about it")).to_have_value(WORDS)

    page.close()  # the tab is closed, say by a lost signal and a restart
    page = phone.new_page()
    page.goto("/postcards/new/")
    expect(page.get_by_label("Tell us about it")).to_have_value(WORDS)
    expect(
        page.get_by_role("group", name="What do you want to send?").get_by_label("Idea")
    ).to_be_checked()
    # The character count starts from the restored words, not from an empty box.
    left = f"{MAX_WORDS - len(WORDS):,}"
    expect(page.locator(".govuk-character-count__status")).to_have_text(
        f"You have {left} characters left"
    )
    assert sent_words == [], f"the words went to the server before Check: {sent_words}"

    # The complaint form is a different form: the postcard's draft does not fill it in.
    page.goto("/complaints/new/")
    expect(page.get_by_label("Tell us about it")).to_have_value("")


def test_sending_the_postcard_deletes_the_draft(page: Page, young_person: User) -> None:
    sign_in(page, "jade")
    start_postcard(page)
    page.get_by_role("button", name="Check what I wrote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what you wrote")
    assert kept_on_the_phone(page) == 1, "the draft is kept until the postcard is sent"

    page.get_by_role("button", name="Send my postcard").click()
    expect(page.get_by_role("heading", name="Your postcard has been sent")).to_be_visible()
    assert kept_on_the_phone(page) == 0
    assert Item.objects.get(author=young_person).words == WORDS

    page.goto("/postcards/new/")
    expect(page.get_by_label("Tell us about it")).to_have_value("")


def test_change_something_keeps_the_changed_answers_as_the_draft(
    page: Page, young_person: User
) -> None:
    sign_in(page, "jade")
    start_postcard(page)
    page.get_by_role("button", name="Check what I wrote").click()
    page.get_by_role("button", name="Change something").click()
    page.get_by_label("Tell us about it").fill(WORDS + " Thanks.")
    page.goto("/postcards/new/")
    expect(page.get_by_label("Tell us about it")).to_have_value(WORDS + " Thanks.")


def test_exit_this_page_deletes_the_draft(page: Page, young_person: User) -> None:
    serve_neutral_site(page, body="weather")
    sign_in(page, "jade")
    start_postcard(page)
    page.get_by_role("button", name="Emergency Exit this page").click()
    page.wait_for_url("https://www.bbc.co.uk/**")

    page.goto("/postcards/new/")
    assert kept_on_the_phone(page) == 0
    expect(page.get_by_label("Tell us about it")).to_have_value("")


def test_signing_out_deletes_the_draft(page: Page, young_person: User) -> None:
    sign_in(page, "jade")
    start_postcard(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert kept_on_the_phone(page) == 0


def test_without_the_script_the_form_works_and_promises_nothing(
    no_js_page: Page, young_person: User
) -> None:
    page = no_js_page
    sign_in(page, "jade")
    page.goto("/postcards/new/")
    expect(page.get_by_text(NOTE)).to_be_hidden()
    choose(page, "What do you want to send?", "Idea")
    choose(page, "What is it about?", "School and learning")
    page.get_by_label("Tell us about it").fill(WORDS)
    choose(page, "Who can see that it is from you?", "Named")
    page.get_by_role("button", name="Check what I wrote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what you wrote")
