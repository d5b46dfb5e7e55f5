"""A shared phone keeps nothing: after Exit this page, Back never brings a child's words
back (with the script and without it); the Exit button stays in view wherever the page is
scrolled; the offline draft belongs to one person and expires."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from feedback.models import Item
from portal.models import User
from tests.browser.conftest import choose, serve_neutral_site, sign_in

pytestmark = pytest.mark.browser

WORDS = "My foster carer reads my diary and I do not like it."


def write_and_check(page: Page) -> None:
    page.goto("/postcards/new/")
    choose(page, "What do you want to send?", "Worry")
    choose(page, "What is it about?", "School and learning")
    page.get_by_label("Tell us about it").fill(WORDS)
    choose(page, "Who can see that it is from you?", "Named")
    page.get_by_role("button", name="Check what I wrote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what you wrote")


def exit_this_page(page: Page) -> None:
    page.get_by_role("button", name="Emergency Exit this page").click()
    page.wait_for_url("https://www.bbc.co.uk/**")


def assert_no_words(page: Page, where: str) -> None:
    page.wait_for_load_state()
    assert WORDS not in page.content(), f"the words are in the page after {where}"
    for field in page.locator("textarea, input:not([type=hidden])").all():
        value = field.input_value()
        assert WORDS not in value, f"a field holds the words after {where}"
    for field in page.locator("input[type=hidden]").all():
        assert WORDS not in (field.get_attribute("value") or ""), where


def go_back(page: Page) -> None:
    """Back, as the phone's button does. Back to the check page (the answer to a POST,
    kept nowhere) gives Chromium's "Confirm form resubmission" page: no words there."""
    try:
        page.go_back()
    except PlaywrightError as error:
        if "ERR_CACHE_MISS" not in error.message:
            raise
        page.wait_for_url("chrome-error://**")


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_back_after_exit_never_shows_the_words(
    new_context: Callable[..., BrowserContext], young_person: User, javascript: bool
) -> None:
    page = new_context(java_script_enabled=javascript).new_page()
    serve_neutral_site(page, body="weather")
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    sign_in(page, "jade")
    write_and_check(page)
    exit_this_page(page)

    forms_seen = 0
    for back in ("one Back", "two Backs"):
        fetched.clear()
        go_back(page)
        assert_no_words(page, back)
        if page.url.endswith("/postcards/new/") and page.get_by_label("Tell us about it").count():
            forms_seen += 1
            # Asked of the server again (no-store), not shown from the back-forward cache,
            # and the server no longer knows who wrote it: signed out, the box is empty.
            assert page.url in fetched, f"{back} showed the form from the cache"
            expect(page.get_by_label("Tell us about it")).to_have_value("")
            expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert forms_seen == 1, "Back never reached the form: the test proved nothing"


def test_a_page_shown_again_from_the_back_forward_cache_is_emptied_and_fetched_again(
    page: Page, item: Item
) -> None:
    # Chromium keeps no no-store page in that cache (the test above); this is the guard
    # for a browser that would, with the event such a browser fires.
    sign_in(page, "sam")
    page.goto(f"/postcards/{item.reference}/")
    reply = page.get_by_label("Your reply")
    reply.fill(WORDS)
    with page.expect_navigation():
        page.evaluate(
            "() => window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))"
        )
    expect(page.get_by_label("Your reply")).to_have_value("")
    assert WORDS not in page.content()


@pytest.mark.parametrize("size", [(390, 844), (320, 640)], ids=["390x844", "320x640"])
def test_the_exit_button_stays_in_view_wherever_the_form_is_scrolled(
    new_context: Callable[..., BrowserContext], young_person: User, size: tuple[int, int]
) -> None:
    width, height = size
    page = new_context(viewport={"width": width, "height": height}).new_page()
    sign_in(page, "jade")
    page.goto("/postcards/new/")
    exit_button = page.get_by_role("button", name="Emergency Exit this page")
    check_button = page.get_by_role("button", name="Check what I wrote")
    for where in ("the words", "the bottom of the form", "the bottom of the page"):
        if where == "the words":
            page.get_by_label("Tell us about it").scroll_into_view_if_needed()
        elif where == "the bottom of the form":
            check_button.scroll_into_view_if_needed()
        else:
            page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        box = exit_button.bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (where, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (where, box)
    assert page.evaluate("() => window.scrollY") > height, "the form did not scroll"
    # Going back up the form with the keyboard, no field stops under the button.
    check_button.focus()
    exit_box = exit_button.bounding_box()
    assert exit_box is not None
    for _press in range(30):
        page.keyboard.press("Shift+Tab")
        focused = page.evaluate(
            "() => { const r = document.activeElement.getBoundingClientRect();"
            " return {name: document.activeElement.name || '', top: r.top}; }"
        )
        assert focused["top"] >= exit_box["y"] + exit_box["height"], focused
        if focused["name"] == "words":
            break
    else:
        raise AssertionError("Shift+Tab never reached the words")
