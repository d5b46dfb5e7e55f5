"""A member of staff sets their mobile and the daily digest; the page passes axe."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from portal.models import User
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_staff_set_their_mobile_and_the_digest_and_the_page_passes_axe(
    page: Page, axe: Callable[..., None], caseworker: User
) -> None:
    sign_in(page, "casey", second_factor=True)
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1, name="Your settings")).to_be_visible()
    axe(page, "the staff settings page")
    page.get_by_label("Mobile number").fill("020 7946 0000")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("It starts with 07").first).to_be_visible()
    axe(page, "the staff settings page with an error")
    page.get_by_label("Mobile number").fill("07400 123456")
    page.get_by_label("One email a day").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    caseworker.refresh_from_db()
    assert (caseworker.phone, caseworker.daily_digest) == ("+447400123456", True)
