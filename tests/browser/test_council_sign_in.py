"""Staff sign in with the council's account in a real browser, through the fake OpenID
Connect server (tests/fake_oidc.py): the button on the sign-in page, the trip to the
council's server and back, and the refusal page; each fits a phone and passes axe."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.test_workspace import assert_fits
from tests.fake_oidc import FakeOIDC
from tests.portal.test_oidc import configure, person

pytestmark = pytest.mark.browser

VIEWPORTS = [{"width": 390, "height": 844}, {"width": 320, "height": 640}]


@pytest.fixture
def council(settings: Any) -> Iterator[FakeOIDC]:
    fake = FakeOIDC().start()
    configure(settings, fake)
    # As portal/settings.py does with OIDC_SERVER_URL: the button's form is redirected to
    # the council's server, which the browser holds to form-action.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(fake.url)
    settings.CONTENT_SECURITY_POLICY = policy
    yield fake
    fake.stop()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}px")
def test_a_caseworker_signs_in_with_the_council_button(
    new_context: Callable[..., BrowserContext],
    axe: Callable[..., None],
    council: FakeOIDC,
    caseworker: Any,
    viewport: dict[str, int],
) -> None:
    council.person = person("casey-sub", "casey@council.example.org", amr=["pwd", "mfa"])
    page = new_context(viewport=viewport).new_page()
    page.goto("/accounts/login/")
    button = page.get_by_role("button", name="Sign in with your council account")
    expect(button).to_be_visible()
    assert_fits(page, "sign-in page with the council button")
    axe(page, "sign-in page with the council button")
    button.click()
    page.wait_for_url("**/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}px")
def test_a_council_account_not_invited_is_told_to_ask_for_an_invitation(
    new_context: Callable[..., BrowserContext],
    axe: Callable[..., None],
    council: FakeOIDC,
    reference_data: None,
    viewport: dict[str, int],
) -> None:
    council.person = person("who-sub", "who@council.example.org", amr=["pwd", "mfa"])
    page = new_context(viewport=viewport).new_page()
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with your council account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your council account is not invited to this portal"
    )
    expect(page.get_by_text("Ask your manager for an invitation.")).to_be_visible()
    assert_fits(page, "refusal page")
    axe(page, "refusal page")
