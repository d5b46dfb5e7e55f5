"""The front door on a phone: the home and sign-in pages are accessible, and sign-in needs no script."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from portal.models import User
from tests.browser.conftest import enter_password, enter_second_factor, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Tell us what you think"),
        ("/accounts/login/", "Sign in"),
        ("/invite/", "Use your invitation"),
    ],
)
def test_the_front_door_pages_pass_axe_on_a_phone(
    page: Page, axe: Callable[..., None], db: None, path: str, heading: str
) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    axe(page)


def test_the_sign_in_page_with_an_error_passes_axe(
    page: Page, axe: Callable[..., None], young_person: User
) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("jade")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("not correct")
    axe(page, "sign-in with a wrong password")


def test_the_invitation_code_page_with_an_error_passes_axe(
    page: Page, axe: Callable[..., None], db: None
) -> None:
    page.goto("/invite/")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    axe(page, "invitation code with an error")


def test_the_second_factor_page_passes_axe_and_lets_staff_in(
    page: Page, axe: Callable[..., None], caseworker: User
) -> None:
    enter_password(page, "casey")
    page.wait_for_url("**/accounts/2fa/authenticate/")
    axe(page, "the second-factor page")
    enter_second_factor(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")
    assert page.url.endswith("/staff/")


@pytest.mark.parametrize("login", ["jade", "jade@example.org"])
def test_a_young_person_signs_in_without_javascript(
    no_js_page: Page, young_person: User, login: str
) -> None:
    sign_in(no_js_page, login)
    assert no_js_page.url.endswith("/postcards/")
    expect(no_js_page.get_by_role("heading", level=1)).to_have_text("My postcards")
