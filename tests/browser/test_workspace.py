"""The staff workspace at four screen sizes, as a caseworker, a manager and the complaints
manager, with an empty queue and with a full one: nothing scrolls sideways, every column's
content is on screen, and axe finds nothing on the queue, an item, the dashboard or the report.

One signed-in browser per persona; the window is resized rather than signing in again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib import import_module

import pytest
from django.conf import settings
from playwright.sync_api import BrowserContext, Page, expect

from feedback import dispatch
from feedback.models import Item
from portal.middleware import STAFF_LAST_ACTIVE
from portal.models import Service, User
from tests.browser.conftest import sign_in
from tests.conftest import submit

pytestmark = pytest.mark.browser

VIEWPORTS = [
    {"width": 1280, "height": 800},
    {"width": 768, "height": 1024},
    {"width": 390, "height": 844},
    {"width": 320, "height": 640},
]
FACTS = ["Kind", "Topic", "Waiting", "Due", "Status", "Assigned", "Service"]
# A card on a phone shows who, kind, the first line, the clock and the owner; these on a tap.
CARD_FACTS = ["Topic", "Waiting", "Status", "Service"]
LOGINS = {"caseworker": "casey", "manager": "morgan", "complaints_manager": "chris"}

# Every cell (or card fact) that is shown: inside the window, and not cut off.
CLIPPED_CELLS = """(selector) => {
    const width = document.documentElement.clientWidth;
    const cut = [];
    for (const el of document.querySelectorAll(selector)) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;  // in the layout not shown
        if (box.left < -0.5 || box.right > width + 0.5 || el.scrollWidth > el.clientWidth + 1) {
            cut.push(`${el.tagName} "${el.textContent.trim().slice(0, 40)}" ${box.left}-${box.right}`);
        }
    }
    return cut;
}"""


def fill_the_queue(care_leaver: User) -> list[Item]:
    """Sixty items in the Leaving Care Team, from every identity tier, a few children at
    risk, some complaints, and words long enough to wrap."""
    items = []
    for n in range(60):
        identity = ("named", "confidential", "anonymous")[n % 3]
        kind = ("idea", "worry", "complaint", "compliment")[n % 4]
        words = (
            "i want to die"
            if n % 20 == 0
            else f"Postcard {n}: "
            + "Thecouncilshouldfixthewifiinthehostel" * (n % 3)
            + " the bus pass takes too long to arrive and I miss college some days"
        )
        author = None if identity == "anonymous" else care_leaver
        item = submit(author, kind=kind, words=words, identity=identity).item
        dispatch.route_item(item.pk)
        items.append(item)
    # The children at risk went to the duty team; hand them on, clocks running, so every
    # persona's queue has one to put first.
    Item.objects.filter(pk__in=[item.pk for item in items]).update(
        service=Service.objects.get(slug="leaving-care")
    )
    return [Item.objects.get(pk=item.pk) for item in items]


def assert_fits(page: Page, what: str) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width == width, f"{what} at {width} px scrolls sideways ({scroll_width} px)"


def check_queue(page: Page, axe: Callable[..., None], *, empty: bool, what: str) -> None:
    page.goto("/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")
    width = page.viewport_size["width"] if page.viewport_size else 0
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        label = f"{what}, {viewport['width']} px"
        assert_fits(page, label)
        if empty:
            expect(page.get_by_text("There are no open items in your services")).to_be_visible()
        else:
            wide = viewport["width"] >= 1024
            table = page.locator(".queue-table")
            cards = page.locator(".queue-cards")
            (expect(table) if wide else expect(cards)).to_be_visible()
            (expect(cards) if wide else expect(table)).to_be_hidden()
            if wide:
                headers = table.locator("thead th").all_inner_texts()
                assert all(fact in headers for fact in ["Reference", *FACTS]), headers
            else:
                first = cards.locator(".queue-card").first
                assert first.locator("dt").all_text_contents() == CARD_FACTS
            cut = page.evaluate(
                CLIPPED_CELLS, ".queue-table th, .queue-table td, .queue-card, .queue-card dd"
            )
            assert not cut, f"{label}: content cut off: {cut[:5]}"
            # A child at risk not yet acknowledged is the first thing on the list.
            first_row = table.locator("tbody tr").first if wide else cards.locator("li").first
            expect(first_row.get_by_text("Urgent", exact=True)).to_be_visible()
        axe(page, label)
    page.set_viewport_size({"width": width, "height": 800})


def check_page(page: Page, axe: Callable[..., None], path: str, what: str) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        label = f"{what}, {viewport['width']} px"
        assert_fits(page, label)
        axe(page, label)


def check_item(page: Page, axe: Callable[..., None] | None, item: Item, what: str) -> None:
    """The conversation first, the actions beside it or below; `axe=None` checks the
    layout only (the same page's markup has been through axe already)."""
    page.goto(f"/staff/items/{item.reference}/")
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        label = f"{what}, {viewport['width']} px"
        assert_fits(page, label)
        conversation = page.locator(".conversation").bounding_box()
        actions = page.locator(".item-actions").bounding_box()
        assert conversation and actions
        if viewport["width"] >= 1024:
            assert actions["x"] > conversation["x"] + conversation["width"] - 1, label
        else:
            assert actions["y"] >= conversation["y"] + conversation["height"] - 1, label
        expect(page.get_by_label("Your reply")).to_be_visible()  # open without a click
        if axe is not None:
            axe(page, label)


@pytest.fixture
def signed_in(
    new_context: Callable[..., BrowserContext],
) -> Callable[[str], Page]:
    def open_as(login: str) -> Page:
        page = new_context(viewport=VIEWPORTS[0]).new_page()
        sign_in(page, login, second_factor=True)
        return page

    return open_as


def test_the_workspace_fits_every_screen_and_passes_axe_empty_and_full(
    signed_in: Callable[[str], Page],
    axe: Callable[..., None],
    caseworker: User,
    manager: User,
    complaints_manager: User,
    care_leaver: User,
) -> None:
    pages = {persona: signed_in(login) for persona, login in LOGINS.items()}
    for persona, page in pages.items():
        check_queue(page, axe, empty=True, what=f"the {persona}'s empty queue")

    items = fill_the_queue(care_leaver)
    urgent = next(item for item in items if item.safeguarding)
    long_words = next(item for item in items if "Thecouncil" in item.words)
    for persona, page in pages.items():
        check_queue(page, axe, empty=False, what=f"the {persona}'s queue of 60")
        page.goto("/staff/?page=3")
        assert_fits(page, "the last page of the queue")
        check_item(page, axe, urgent, f"an urgent item, as the {persona}")
        check_item(page, None, long_words, f"an item with long words, as the {persona}")
        if persona != "caseworker":
            check_page(page, axe, "/staff/dashboard/", f"the {persona}'s dashboard")
        if persona == "complaints_manager":
            check_page(page, axe, "/staff/reports/complaints/", "the annual complaints report")


def test_a_caseworker_answers_from_the_keyboard_and_the_queue_keeps_itself_fresh(
    signed_in: Callable[[str], Page],
    axe: Callable[..., None],
    caseworker: User,
    care_leaver: User,
) -> None:
    first = submit(care_leaver, words="The hostel wifi is down again").item
    dispatch.route_item(first.pk)
    page = signed_in("casey")
    expect(page.get_by_role("link", name=first.reference)).to_be_visible()
    expect(page.get_by_role("link", name="My open items 0 items")).to_be_visible()

    # A new item arrives; the tab comes back into view and the list catches up.
    second = submit(care_leaver, words="Can I have a bus pass").item
    dispatch.route_item(second.pk)
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.get_by_role("link", name=second.reference)).to_be_visible()
    expect(page.get_by_text("Updated at")).to_be_visible()

    page.get_by_role("link", name=first.reference).click()
    expect(page.get_by_text("Keyboard shortcuts: press ? to see them.")).to_be_visible()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    axe(page, "the keyboard shortcuts")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.keyboard.press("r")
    expect(page.get_by_label("Your reply")).to_be_focused()
    page.keyboard.type("We have asked the hostel to fix it today.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("It is now assigned to you.")).to_be_visible()
    expect(page.get_by_text("Assigned to you", exact=True)).to_be_visible()
    first.refresh_from_db()
    assert first.assignee == caseworker
    page.keyboard.press("q")
    page.wait_for_url("**/staff/")
    # Answered: it waits on the young person, in its own list.
    expect(page.get_by_role("link", name="My open items 0 items")).to_be_visible()
    expect(page.get_by_role("link", name="Waiting on the young person 1 item")).to_be_visible()

    # Half an hour away from the desk: the next page says why they were signed out.
    leave_idle(page, minutes=31)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have been signed out")
    axe(page, "signed out after being idle")
    expect(page.get_by_role("alert")).to_contain_text("Urgent items may be waiting.")
    page.get_by_role("alert").get_by_role("link", name="Sign in").click()
    page.wait_for_url("**/accounts/login/?next=/staff/")


def leave_idle(page: Page, *, minutes: int) -> None:
    """Move this browser's session's last activity back, as if nobody had touched it."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    store[STAFF_LAST_ACTIVE] = time.time() - minutes * 60
    store.save()
