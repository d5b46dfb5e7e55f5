"""The managers' tools on a phone (390 x 844 and 320 x 640), checked with axe: the staff
menu's "More", the manager's dashboard and reassigning from it, API tokens made and
revoked, and the API docs. Nothing scrolls sideways."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from feedback import dispatch
from portal.models import ApiToken, User
from tests.browser.conftest import sign_in
from tests.conftest import submit

pytestmark = pytest.mark.browser

PHONES = [{"width": 390, "height": 844}, {"width": 320, "height": 640}]
IDS = ["390x844", "320x640"]


def no_sideways_scroll(page: Page) -> None:
    wide = page.evaluate(
        """() => {
            const root = document.documentElement;
            if (root.scrollWidth <= root.clientWidth) return null;
            const out = [...document.querySelectorAll("body *")].filter(
                (el) => el.getBoundingClientRect().right > root.clientWidth + 0.5
                    || el.scrollWidth > el.clientWidth + 1
            );
            return `${root.scrollWidth}px: ` + out.slice(-5).map(
                (el) => `${el.tagName}.${el.className} "${el.textContent.slice(0, 40)}"`
            ).join(", ");
        }"""
    )
    assert wide is None, f"{page.url} scrolls sideways, {wide}"


def open_more(page: Page) -> None:
    page.get_by_text("More", exact=True).click()


@pytest.mark.parametrize("phone", PHONES, ids=IDS)
def test_the_menus_more_holds_the_managers_tools_and_fits_the_phone(
    new_context: Callable[..., object],
    axe: Callable[..., None],
    complaints_manager: User,
    phone: dict,
) -> None:
    page: Page = new_context(viewport=phone).new_page()  # type: ignore[attr-defined]
    sign_in(page, "chris", second_factor=True)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Audit log")).to_be_hidden()
    open_more(page)
    for name in ("Audit log", "People's data", "API tokens", "API docs"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    no_sideways_scroll(page)
    axe(page, "the staff menu with More open")
    nav.get_by_role("link", name="Your teams").click()
    expect(page.get_by_role("heading", level=1, name="Your teams")).to_be_visible()


@pytest.mark.parametrize("phone", PHONES, ids=IDS)
def test_a_manager_reassigns_an_item_from_the_team_page(
    new_context: Callable[..., object],
    axe: Callable[..., None],
    manager: User,
    caseworker: User,
    care_leaver: User,
    phone: dict,
) -> None:
    item = submit(care_leaver).item
    dispatch.route_item(item.pk)
    page: Page = new_context(viewport=phone).new_page()  # type: ignore[attr-defined]
    sign_in(page, "morgan", second_factor=True)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your teams").click()
    expect(page.get_by_role("heading", level=1, name="Your teams")).to_be_visible()
    no_sideways_scroll(page)
    axe(page, "the manager's dashboard")
    page.get_by_label(f"Give {item.reference} to").select_option(label="Casey")
    page.get_by_role("button", name=f"Reassign {item.reference}").click()
    expect(page.get_by_text(f"{item.reference} is now with Casey.")).to_be_visible()
    item.refresh_from_db()
    assert item.assignee == caseworker
    page.get_by_text("Casey\u2019s open item (1)").click()
    no_sideways_scroll(page)
    axe(page, "the manager's dashboard after reassigning, a worker's items open")


@pytest.mark.parametrize("phone", PHONES, ids=IDS)
def test_staff_make_a_token_see_it_once_and_revoke_it(
    new_context: Callable[..., object], axe: Callable[..., None], caseworker: User, phone: dict
) -> None:
    page: Page = new_context(viewport=phone).new_page()  # type: ignore[attr-defined]
    sign_in(page, "casey", second_factor=True)
    open_more(page)
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1, name="API tokens")).to_be_visible()
    axe(page, "the API tokens page")
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_text("Say what the token is for.").first).to_be_visible()
    axe(page, "the API tokens page with an error")
    page.get_by_label("What is it for?").fill("Case system")
    page.get_by_role("button", name="Make token").click()
    raw = page.get_by_label("Your token").input_value()
    assert raw.startswith("yv_")
    no_sideways_scroll(page)
    axe(page, "the API tokens page showing a new token")
    page.get_by_role("link", name="Revoke Case system").click()
    expect(page.get_by_role("heading", level=1, name="Revoke “Case system”?")).to_be_visible()
    no_sideways_scroll(page)
    axe(page, "revoking a token")
    page.get_by_role("button", name="Revoke token").click()
    expect(page.get_by_text("Token revoked. Apps using it are now refused.")).to_be_visible()
    assert ApiToken.objects.get().revoked_at is not None


@pytest.mark.parametrize("phone", PHONES, ids=IDS)
def test_the_api_docs_pass_axe(
    new_context: Callable[..., object], axe: Callable[..., None], caseworker: User, phone: dict
) -> None:
    page: Page = new_context(viewport=phone).new_page()  # type: ignore[attr-defined]
    sign_in(page, "casey", second_factor=True)
    open_more(page)
    page.get_by_role("link", name="API docs").click()
    expect(page.get_by_role("heading", level=1, name="Your Voice portal API")).to_be_visible()
    expect(page.get_by_role("heading", name="StaffItemDetail")).to_be_attached()
    no_sideways_scroll(page)
    axe(page, "the API docs")
