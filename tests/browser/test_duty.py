"""The duty worker's screen never looks alive when it is not.

A queue left open is signed out after STAFF_IDLE_MINUTES and says so, full width and in the
tab's title; two minutes before, a warning offers "Stay signed in"; what was typed on an
item's page is back after signing in again on the same page; a new child at risk on an open
queue is marked new, counted in the title and offered as a browser notification.
(On a phone, the first screen: test_duty_phone.py.)

The session's last activity is moved back on the server (`leave_idle`) and the page's
clock with Playwright's fake clock, so no test waits for the real half hour.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib import import_module

import pytest
from django.conf import settings
from django.core.cache import cache
from playwright.sync_api import BrowserContext, Page, expect

from feedback import dispatch
from feedback.models import Item
from portal.middleware import STAFF_LAST_ACTIVE
from portal.models import User
from tests.browser.conftest import enter_second_factor, sign_in
from tests.conftest import PASSWORD, submit

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
SMALL_PHONE = {"width": 320, "height": 640}
PHONE = {"width": 390, "height": 844}
RISK = "i want to die"
DASH = "\N{EN DASH}"  # between the page and the site in a title

# Records the notifications the page shows, and lets the test say what the worker allowed.
FAKE_NOTIFICATIONS = """
window.__notifications = [];
window.__permission = %r;
window.Notification = function (title, options) {
  window.__notifications.push({title: title, body: (options || {}).body || ""});
};
Object.defineProperty(window.Notification, "permission", {get: () => window.__permission});
window.Notification.requestPermission = () => {
  window.__permission = "granted";
  return Promise.resolve("granted");
};
"""


def urgent_item(author: User, words: str = RISK) -> Item:
    item = submit(author, kind="worry", words=words).item
    dispatch.route_item(item.pk)
    item.refresh_from_db()
    assert item.priority == "urgent" and item.service.slug == "duty"
    return item


def leave_idle(page: Page, *, minutes: float) -> None:
    """Move this browser's session's last activity back, as if nobody had touched it."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    store[STAFF_LAST_ACTIVE] = time.time() - minutes * 60
    store.save()


def last_active(page: Page) -> float:
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    return float(store[STAFF_LAST_ACTIVE])


def refresh_queue(page: Page) -> None:
    """What the 30-second timer does, now."""
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")


def sign_in_on_this_page(page: Page, login: str) -> None:
    """The sign-in page the Sign in link led to, keeping its ?next=.

    The first sign-in's code may still be the app's code: a person would wait for the next
    one; the test forgets that it was used (what replay refusal does is tested elsewhere)."""
    cache.clear()
    page.get_by_label("Username or email").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    enter_second_factor(page)


@pytest.fixture
def duty_page(new_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    def open_as(*, viewport: dict[str, int] = LAPTOP, permission: str = "") -> Page:
        context = new_context(viewport=viewport)
        if permission:
            context.add_init_script(FAKE_NOTIFICATIONS % permission)
        page = context.new_page()
        sign_in(page, "dana", second_factor=True)
        return page

    return open_as


def test_a_signed_out_queue_says_so_full_width_and_in_the_title(
    duty_page: Callable[..., Page],
    axe: Callable[..., None],
    duty_worker: User,
    care_leaver: User,
) -> None:
    first = urgent_item(care_leaver)
    page = duty_page()
    page.goto("/staff/?sort=oldest")
    expect(page.get_by_role("link", name=first.reference).first).to_be_visible()

    leave_idle(page, minutes=31)
    refresh_queue(page)
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("You have been signed out")
    expect(banner).to_contain_text("Urgent items may be waiting.")
    expect(page).to_have_title(f"Signed out {DASH} Your Voice")
    # Nothing of the queue is left on the screen of a laptop left open.
    expect(page.get_by_text(first.reference)).to_have_count(0)
    box = banner.bounding_box()
    assert box and box["x"] <= 1 and box["width"] >= LAPTOP["width"] - 20, box
    axe(page, "the queue, signed out")

    # A child at risk writes while nobody is signed in; signing in shows it at once.
    second = urgent_item(care_leaver, words="he hits me when i get home")
    sign_in_link = page.get_by_role("link", name="Sign in")
    assert sign_in_link.get_attribute("href") == "/accounts/login/?next=/staff/%3Fsort%3Doldest"
    sign_in_link.click()
    sign_in_on_this_page(page, "dana")
    page.wait_for_url("**/staff/?sort=oldest")
    expect(page.get_by_role("link", name=second.reference).first).to_be_visible()


def test_the_queue_is_signed_out_on_its_own_when_the_time_is_up(
    duty_page: Callable[..., Page], duty_worker: User, care_leaver: User
) -> None:
    """The page's own clock: no refresh needed, as in a tab the browser has put to sleep."""
    urgent_item(care_leaver)
    page = duty_page()
    page.clock.install()
    page.goto("/staff/")
    leave_idle(page, minutes=31)
    page.clock.fast_forward("30:05")
    expect(page.get_by_role("alert")).to_contain_text("You have been signed out")
    expect(page).to_have_title(f"Signed out {DASH} Your Voice")


def test_a_warning_comes_two_minutes_before_and_stay_signed_in_keeps_the_session(
    duty_page: Callable[..., Page],
    axe: Callable[..., None],
    duty_worker: User,
    care_leaver: User,
) -> None:
    item = urgent_item(care_leaver)
    page = duty_page()
    page.clock.install()
    page.goto(f"/staff/items/{item.reference}/")
    warning = page.get_by_role("alert").filter(has_text="You will be signed out in 2 minutes")
    expect(warning).to_be_hidden()

    leave_idle(page, minutes=28.5)
    page.clock.fast_forward("28:05")
    expect(warning).to_be_visible()
    axe(page, "the warning before signing out")
    before = last_active(page)
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    assert last_active(page) > before + 25 * 60

    # Half an hour on the page's clock from the first page, but not from "Stay signed in".
    page.clock.fast_forward("03:00")
    expect(page.get_by_role("heading", level=1)).to_contain_text(item.reference)
    expect(page).not_to_have_title(f"Signed out {DASH} Your Voice")


def test_what_was_typed_is_back_after_signing_in_again_on_the_same_page(
    duty_page: Callable[..., Page],
    axe: Callable[..., None],
    duty_worker: User,
    care_leaver: User,
) -> None:
    item = urgent_item(care_leaver)
    page = duty_page()
    page.clock.install()
    page.goto(f"/staff/items/{item.reference}/")
    page.get_by_label("Your reply").fill("We are coming to see you today.")
    page.get_by_text("Internal note", exact=True).click()
    page.get_by_label("Internal note (staff only)").fill("Called the school, no answer yet.")

    leave_idle(page, minutes=31)
    page.clock.fast_forward("30:05")
    expect(page.get_by_role("alert")).to_contain_text("You have been signed out")
    expect(page.get_by_text(item.words)).to_have_count(0)
    expect(page.get_by_label("Your reply")).to_have_count(0)
    axe(page, "an item's page, signed out")

    page.get_by_role("link", name="Sign in").click()
    sign_in_on_this_page(page, "dana")
    page.wait_for_url(f"**/staff/items/{item.reference}/")
    expect(page.get_by_label("Your reply")).to_have_value("We are coming to see you today.")
    expect(page.get_by_label("Internal note (staff only)")).to_have_value(
        "Called the school, no answer yet."
    )
    expect(page.get_by_text("What you typed before you were signed out is back.")).to_be_visible()
    # Put back once: the next visit starts empty.
    assert page.evaluate("() => sessionStorage.length") == 0
    page.reload()
    expect(page.get_by_label("Your reply")).to_have_value("")


def test_another_worker_signing_in_on_the_same_tab_does_not_get_what_was_typed(
    duty_page: Callable[..., Page], duty_worker: User, care_leaver: User
) -> None:
    item = urgent_item(care_leaver)
    page = duty_page()
    path = f"/staff/items/{item.reference}/"
    page.goto(path)
    page.evaluate(
        """(key) => sessionStorage.setItem(key, JSON.stringify(
            {user: "someone else", fields: {id_reply_text: "Their words, not mine"}}))""",
        f"staff-draft:{path}",
    )
    page.reload()
    expect(page.get_by_label("Your reply")).to_have_value("")
    assert page.evaluate("() => sessionStorage.length") == 0


def test_a_new_urgent_item_on_the_open_queue_is_marked_new_counted_and_notified(
    duty_page: Callable[..., Page],
    axe: Callable[..., None],
    duty_worker: User,
    care_leaver: User,
) -> None:
    old = urgent_item(care_leaver)
    page = duty_page(permission="default")
    page.goto("/staff/")
    expect(page).to_have_title(f"Queue {DASH} Your Voice")
    page.get_by_role("button", name="Tell me about new urgent items").click()
    expect(page.get_by_role("button", name="Tell me about new urgent items")).to_be_hidden()

    new = urgent_item(care_leaver, words="he hits me when i get home")
    refresh_queue(page)
    row = page.locator(f'.queue-table tr[data-ref="{new.reference}"]')
    expect(row.get_by_text("New", exact=True)).to_be_visible()
    expect(page.locator(f'.queue-table tr[data-ref="{old.reference}"]')).not_to_contain_text("New")
    expect(page).to_have_title(f"(1 new urgent) Queue {DASH} Your Voice")
    expect(page.get_by_role("status")).to_contain_text("1 new urgent")
    notes = page.evaluate("() => window.__notifications")
    assert notes == [{"title": "New urgent item", "body": new.reference}]
    axe(page, "the queue with a new urgent item")

    # Counted once: the next refresh neither counts nor notifies it again.
    page.evaluate("() => { document.getElementById('queue-refreshed').textContent = ''; }")
    refresh_queue(page)
    expect(page.get_by_text("Updated at")).to_be_visible()
    expect(page).to_have_title(f"(1 new urgent) Queue {DASH} Your Voice")
    assert len(page.evaluate("() => window.__notifications")) == 1
