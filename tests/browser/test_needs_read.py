"""A postcard in Arabic, as the complaints team reads it: first in their queue with its
language named, an item page that passes axe (the words marked as Arabic, right to
left), and "I have read it" taking it off the read list."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from feedback import dispatch
from feedback.models import Item
from portal.models import User
from tests.browser.conftest import sign_in
from tests.conftest import make_staff, submit

pytestmark = pytest.mark.browser

ARABIC = "أريد المزيد من مصروف الجيب من فضلكم"


def _sent(author: User, **answers: object) -> Item:
    item = submit(author, **answers).item
    dispatch.route_item(item.pk)
    return Item.objects.get(pk=item.pk)


def test_the_complaints_team_reads_a_postcard_in_arabic_first(
    new_context: Callable[..., BrowserContext], axe: Callable[..., None], care_leaver: User
) -> None:
    make_staff("tess", "complaints")
    english = _sent(care_leaver, kind="complaint", words="My room is cold and nobody fixes it")
    arabic = _sent(care_leaver, words=ARABIC)
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(page, "tess", second_factor=True)

    page.goto("/staff/")
    first = page.locator(".queue-table tbody tr").first
    expect(first).to_contain_text(arabic.reference)
    expect(first.get_by_text("Needs a read: Arabic")).to_be_visible()
    expect(page.locator(".queue-table")).to_contain_text(english.reference)
    axe(page, "the queue with a postcard in Arabic")

    first.get_by_role("link", name=arabic.reference).click()
    expect(page.locator("#needs-read")).to_contain_text("written in Arabic")
    expect(page.locator("blockquote.first-words")).to_have_attribute("lang", "ar")
    axe(page, "a postcard in Arabic")

    page.get_by_role("button", name="I have read it").click()
    expect(page.get_by_text("Marked as read.")).to_be_visible()
    expect(page.locator("#needs-read")).to_have_count(0)
    page.goto("/staff/")
    expect(page.get_by_text("Needs a read: Arabic")).to_have_count(0)
