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
NOTE = "What you type is kept on this phone for one day, or until you send it"


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


def the_session_ends(phone: BrowserContext) -> None:
    """The session cookie goes, as when the browser is closed or the session runs out,
    without Sign out or Exit (which delete the draft themselves)."""
    phone.clear_cookies()


def test_someone_else_signing_in_deletes_the_draft(
    new_context: Callable[..., BrowserContext], young_person: User, care_leaver: User
) -> None:
    phone = new_context()
    page = phone.new_page()
    sign_in(page, "jade")
    start_postcard(page)
    assert kept_on_the_phone(page) == 1
    the_session_ends(phone)

    sign_in(page, "sam")  # the page after sign-in is Sam's: Jade's draft goes at once
    page.wait_for_load_state()
    assert kept_on_the_phone(page) == 0
    page.goto("/postcards/new/")
    expect(page.get_by_label("Tell us about it")).to_have_value("")


def test_the_same_person_signing_in_again_gets_their_draft_back(
    new_context: Callable[..., BrowserContext], young_person: User
) -> None:
    phone = new_context()
    page = phone.new_page()
    sign_in(page, "jade")
    start_postcard(page)
    the_session_ends(phone)

    page.goto("/")  # a visitor's page, whose owner is nobody yet: it keeps the draft
    assert kept_on_the_phone(page) == 1
    sign_in(page, "jade")
    page.goto("/postcards/new/")
    expect(page.get_by_label("Tell us about it")).to_have_value(WORDS)


def test_a_visitors_draft_is_not_shown_to_the_next_visitor(
    new_context: Callable[..., BrowserContext], reference_data: None
) -> None:
    phone = new_context()
    page = phone.new_page()
    page.goto("/postcards/new/")
    page.get_by_label("Tell us about it").fill(WORDS)
    page.reload()
    expect(page.get_by_label("Tell us about it")).to_have_value(WORDS)
    the_session_ends(phone)

    page.goto("/postcards/new/")  # a new browser session: someone else
    expect(page.get_by_label("Tell us about it")).to_have_value("")
    assert WORDS not in page.evaluate("() => JSON.stringify(localStorage)")


@pytest.mark.parametrize(("hours", "kept"), [(23, True), (25, False)])
def test_a_draft_is_gone_a_day_after_it_was_last_changed(
    page: Page, young_person: User, hours: int, kept: bool
) -> None:
    sign_in(page, "jade")
    start_postcard(page)
    # The draft as it would be had it been saved `hours` ago.
    page.evaluate(
        """(hours) => {
            const draft = JSON.parse(localStorage.getItem("yourvoice-draft"));
            draft.savedAt -= hours * 60 * 60 * 1000;
            localStorage.setItem("yourvoice-draft", JSON.stringify(draft));
        }""",
        hours,
    )
    page.goto("/postcards/")  # any page of the site
    assert kept_on_the_phone(page) == (1 if kept else 0)
    page.goto("/postcards/new/")
    expect(page.get_by_label("Tell us about it")).to_have_value(WORDS if kept else "")


def test_a_draft_kept_by_an_older_version_without_an_owner_is_deleted(
    page: Page, young_person: User
) -> None:
    sign_in(page, "jade")
    page.goto("/postcards/")
    page.evaluate(
        """(words) => localStorage.setItem("yourvoice-draft",
            JSON.stringify(["/postcards/new/", [["words", words]]]))""",
        WORDS,
    )
    page.goto("/postcards/new/")
    assert kept_on_the_phone(page) == 0
    expect(page.get_by_label("Tell us about it")).to_have_value("")
