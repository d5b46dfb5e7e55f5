"""Sign-in and the second factor in a real browser: a new caseworker goes from their
invitation to the queue, on a phone and on a laptop; axe finds nothing and nothing
scrolls sideways on any sign-in or second-factor page.

Password prompts are counted on every page the journey stops at, and the test asserts
the whole list of pages the browser landed on, so none slips past. The rule: the password
is asked for once. Straight through from the invitation, that once is choosing it (new
password, typed twice on one page); the current password is never asked for again.
Someone who accepts the invitation and comes back later types their current password
exactly once, at sign-in, and is not asked to confirm it before setting up the app.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from playwright.sync_api import BrowserContext, Frame, Page, expect

from portal.models import Invitation, Membership, Service, User
from tests.browser.conftest import enter_password, enter_second_factor
from tests.browser.test_workspace import assert_fits

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
NEW_PASSWORD = "a long enough passphrase 42"


@dataclass
class Journey:
    """Every page the browser landed on, and which of them asked for a password."""

    page: Page
    axe: Callable[..., None]
    visited: list[str] = field(default_factory=list)
    password_pages: list[str] = field(default_factory=list)
    current_password_pages: list[str] = field(default_factory=list)

    def landed(self, frame: Frame) -> None:
        if frame == self.page.main_frame:
            self.visited.append(urlsplit(frame.url).path)

    def pages(self) -> list[str]:
        """The pages landed on, in order, each once (a refused form lands on itself)."""
        return list(dict.fromkeys(self.visited))

    def check(self, what: str) -> None:
        """The page as it is now: fits the window, passes axe, and is counted."""
        self.page.wait_for_load_state()
        path = urlsplit(self.page.url).path
        assert_fits(self.page, what)
        self.axe(self.page, what)
        passwords = self.page.locator("input[type=password]")
        if passwords.count():
            self.password_pages.append(path)
        if self.page.locator("input[autocomplete=current-password]").count():
            self.current_password_pages.append(path)


@pytest.fixture
def journey(
    new_context: Callable[..., BrowserContext], axe: Callable[..., None]
) -> Callable[[dict[str, int]], Journey]:
    """`journey(viewport)`: a new browser at that size, its pages counted."""

    def start(viewport: dict[str, int]) -> Journey:
        page = new_context(viewport=viewport).new_page()
        trip = Journey(page=page, axe=axe)
        page.on("framenavigated", trip.landed)
        return trip

    return start


@pytest.fixture
def invitation_link(manager: User) -> str:
    """A manager of the Leaving Care Team invites a new caseworker."""
    _invitation, token, _code = Invitation.issue(
        created_by=manager,
        kind=Invitation.Kind.STAFF,
        service=Service.objects.get(slug="leaving-care"),
        role=Membership.Role.CASEWORKER,
    )
    return f"/invite/{token}/"


def accept_invitation(trip: Journey, link: str) -> None:
    page = trip.page
    page.goto(link)
    page.wait_for_url("**/invite/accept/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make your account")
    trip.check("making the account")
    page.get_by_label("Choose a username").fill("robin")
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Make my account").click()


def set_up_the_app_and_reach_the_queue(trip: Journey) -> None:
    """From the setup page: a wrong code first (the error summary), then the right one,
    the recovery codes, and on to the queue."""
    page = trip.page
    # Not the sign-in page, nor "confirm it is you": straight to the setup.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    key = page.locator("#authenticator-key")
    expect(key).to_be_visible()
    trip.check("setting up the authenticator app")

    code = page.get_by_label("Code")
    assert code.get_attribute("inputmode") == "numeric"
    assert code.get_attribute("autocomplete") == "one-time-code"
    code.fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("That code did not work")
    trip.check("setting up the app, a wrong code")

    secret = key.inner_text().replace(" ", "")
    page.get_by_label("Code").fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    trip.check("the recovery codes")
    page.get_by_role("link", name="Continue to your queue").click()

    # The code typed at setup was the second factor: no signing in again.
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")
    trip.check("the queue, after first-time setup")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_first_time_setup_from_invitation_to_queue_asks_for_the_password_once(
    journey: Callable[[dict[str, int]], Journey],
    invitation_link: str,
    viewport: dict[str, int],
) -> None:
    trip = journey(viewport)
    accept_invitation(trip, invitation_link)
    set_up_the_app_and_reach_the_queue(trip)

    # Every page on the way (each one checked above), and nothing else: no sign-in page,
    # no "confirm it is you".
    assert trip.pages() == [
        "/invite/accept/",
        "/accounts/2fa/totp/activate/",
        "/accounts/2fa/recovery-codes/",
        "/staff/",
    ]
    # One password prompt: choosing it. Never the current password.
    assert trip.password_pages == ["/invite/accept/"], trip.visited
    assert trip.current_password_pages == [], trip.visited
    assert "/accounts/login/" not in trip.visited, trip.visited
    assert "/accounts/reauthenticate/" not in trip.visited, trip.visited
    assert trip.visited[-1] == "/staff/"


def test_coming_back_later_to_set_up_types_the_current_password_once(
    journey: Callable[[dict[str, int]], Journey], invitation_link: str
) -> None:
    trip = journey(PHONE)
    page = trip.page
    accept_invitation(trip, invitation_link)
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    page.get_by_role("button", name="Sign out").click()  # called away before setting up
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)

    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    trip.check("the sign-in page")
    page.get_by_label("Username or email").fill("robin")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    set_up_the_app_and_reach_the_queue(trip)

    assert trip.pages() == [
        "/invite/accept/",
        "/accounts/2fa/totp/activate/",
        "/",
        "/accounts/login/",
        "/accounts/2fa/recovery-codes/",
        "/staff/",
    ]
    # The current password: typed once, to sign in. Not again before setting up the app.
    assert trip.current_password_pages == ["/accounts/login/"], trip.visited


def age_the_sign_in(page: Page, *, minutes: int) -> None:
    """Move this browser's sign-in back in time, as if it had been open a while."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    store[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": record["at"] - minutes * 60}
        for record in store[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    store.save()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_every_sign_in_and_second_factor_page_passes_axe_and_fits(
    journey: Callable[[dict[str, int]], Journey],
    caseworker: User,
    viewport: dict[str, int],
) -> None:
    recovery_codes = RecoveryCodes.activate(caseworker).get_unused_codes()
    trip = journey(viewport)
    page = trip.page

    page.goto("/accounts/password/reset/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    expect(page.get_by_text("Ask your worker or the participation team")).to_be_visible()
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("alert")).to_be_visible()  # no address given: the summary
    trip.check("resetting a password, nothing entered")
    page.get_by_label("Email address").fill("casey@council.example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    trip.check("the reset email is on its way")

    enter_password(page, "casey")
    page.wait_for_url("**/accounts/2fa/authenticate/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enter the code from your authenticator app"
    )
    expect(page.get_by_text("A recovery code also works")).to_be_visible()
    trip.check("the code at sign-in")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That code did not work")
    trip.check("the code at sign-in, a wrong code")
    enter_second_factor(page)
    page.wait_for_url("**/staff/")

    page.goto("/accounts/2fa/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your authenticator app")
    trip.check("the authenticator app page")

    # Making new recovery codes long after signing in: confirm it is you first.
    age_the_sign_in(page, minutes=15)
    page.get_by_role("link", name="Make new codes").click()
    page.wait_for_url("**/accounts/reauthenticate/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    trip.check("confirming it is you with the password")
    page.get_by_role("link", name="Use a code from your authenticator app instead").click()
    page.wait_for_url("**/accounts/2fa/reauthenticate/**")
    trip.check("confirming it is you with a code")
    page.get_by_label("Code from your authenticator app").fill(recovery_codes[0])
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url("**/accounts/2fa/recovery-codes/generate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make new recovery codes")
    trip.check("making new recovery codes")
    page.get_by_role("button", name="Make new codes").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Continue to your queue").click()
    page.wait_for_url("**/staff/")

    page.goto("/accounts/password/change/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_role("alert")).to_be_visible()
    trip.check("changing the password, nothing entered")
