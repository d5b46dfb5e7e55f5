"""Their own language in a browser (issue 24): no young person's page scrolls sideways on a
320 px phone when every string is 40 percent longer (the pseudo-locale), and Arabic lays
the page out right to left, mirrored, with axe finding nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import BrowserContext, Page, expect

from feedback.models import Item
from portal.models import User
from tests.conftest import client_for

# The walk's pages and the objects they name.
from tests.participation.conftest import story, theme_of, topic_themes  # noqa: F401
from tests.portal.test_languages import young_peoples_pages
from tests.pseudo_locale import PSEUDO_LANGUAGE, use_pseudo_locale
from tests.test_url_walk import PERSONAS, url_for, world  # noqa: F401

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1024, "height": 768}


def cookies_for(user: User | None, language: str, url: str) -> list[dict[str, Any]]:
    """The language cookie, and a signed-in session for `user` (as client_for makes it)."""
    cookies: list[dict[str, Any]] = [
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": url}
    ]
    if user is not None:
        session = client_for(user).cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": url})
    return cookies


def person_in(
    new_context: Callable[..., BrowserContext],
    url: str,
    user: User | None,
    language: str,
    viewport: dict[str, int],
) -> Page:
    context = new_context(viewport=viewport)
    context.add_cookies(cookies_for(user, language, url))  # type: ignore[arg-type]
    return context.new_page()


WIDER_THAN_THE_SCREEN = """() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return null;
    const wide = [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1)
        .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
    return `${root.scrollWidth}px wide: ${wide.slice(0, 5).join(", ")}`;
}"""


def test_no_young_persons_page_scrolls_sideways_at_320_px_with_longer_words(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    new_context: Callable[..., BrowserContext],
    live_server: Any,
    world: dict[str, str],  # noqa: F811
) -> None:
    use_pseudo_locale(monkeypatch)
    pages: dict[str, Page] = {}
    wide = []
    for name, persona in young_peoples_pages():
        if persona not in pages:
            fixture = PERSONAS[persona]
            user = request.getfixturevalue(fixture) if fixture else None
            pages[persona] = person_in(new_context, live_server.url, user, PSEUDO_LANGUAGE, NARROW)
        page = pages[persona]
        path = url_for(name, world) if name != "account_login" else "/accounts/login/"
        response = page.goto(path)
        assert response is not None and response.ok, path
        if "html" not in (response.headers.get("content-type") or ""):
            continue
        assert page.locator("html").get_attribute("lang") == PSEUDO_LANGUAGE
        expect(page.locator("main")).to_contain_text("⟦")
        if problem := page.evaluate(WIDER_THAN_THE_SCREEN):
            wide.append(f"{path}: {problem}")
    assert not wide, "pages that scroll sideways at 320 px:\n" + "\n".join(wide)


def test_arabic_mirrors_the_postcard_form_an_item_and_the_board(
    new_context: Callable[..., BrowserContext],
    axe: Callable[..., None],
    live_server: Any,
    item: Item,
    care_leaver: User,
    story: dict[str, object],  # noqa: F811
) -> None:
    page = person_in(new_context, live_server.url, care_leaver, "ar", PHONE)
    for path in ["/postcards/new/", f"/postcards/{item.reference}/", "/you-said-we-did/"]:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        axe(page, f"{path} in Arabic")

    page.goto("/postcards/new/")
    # A radio's ring is on the right, its words to the left of it.
    radio = page.locator(".govuk-radios__item").first
    ring = radio.locator("input").bounding_box()
    words = radio.locator("label").bounding_box()
    assert ring and words
    assert ring["x"] > words["x"], "the radio should be right of its label"
    # The drawn ring (the label's ::before, placed from the item's right edge) is over the
    # input, not left behind at the far left.
    drawn = radio.evaluate(
        """(item) => {
            const ring = getComputedStyle(item.querySelector("label"), "::before");
            const right = item.getBoundingClientRect().right - parseFloat(ring.right);
            return {right, left: right - parseFloat(ring.width)};
        }"""
    )
    assert ring["x"] - 1 <= drawn["left"] and drawn["right"] <= ring["x"] + ring["width"] + 1
    # The character count reads right to left under the box it counts.
    page.locator("textarea").first.fill("مرحبا")
    count = page.locator(".govuk-character-count__status")
    expect(count).to_be_visible()
    assert count.evaluate("(e) => getComputedStyle(e).direction") == "rtl"
    box = page.locator("textarea").first.bounding_box()
    status = count.bounding_box()
    assert box and status
    assert abs((box["x"] + box["width"]) - (status["x"] + status["width"])) < 2

    # The young person's words keep their own direction inside the mirrored page.
    page.goto(f"/postcards/{item.reference}/")
    expect(page.locator(".app-words").first).to_have_attribute("dir", "auto")

    # On the board the progress bars fill from the right.
    page.goto("/you-said-we-did/")
    progress = page.locator("progress").first
    expect(progress).to_be_visible()
    assert progress.evaluate("(e) => getComputedStyle(e).direction") == "rtl"


def test_exit_this_page_sits_on_the_left_in_arabic_and_the_right_in_english(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    for language, side in [("ar", "left"), ("en-gb", "right")]:
        page = person_in(new_context, live_server.url, None, language, LAPTOP)
        page.goto("/track/")
        button = page.locator("#exit-this-page").bounding_box()
        container = page.locator("main").bounding_box()
        assert button and container
        if side == "left":
            assert abs(button["x"] - container["x"]) < 2, (language, button, container)
        else:
            right = container["x"] + container["width"]
            assert abs(button["x"] + button["width"] - right) < 2, (language, button, container)


def test_the_councils_charts_are_mirrored_in_arabic(
    new_context: Callable[..., BrowserContext],
    axe: Callable[..., None],
    live_server: Any,
    council_member: User,
    story: dict[str, object],  # noqa: F811
) -> None:
    page = person_in(new_context, live_server.url, council_member, "ar", PHONE)
    page.goto("/council/")
    chart = page.locator(".chart svg").first
    expect(chart).to_be_visible()
    frame = chart.bounding_box()
    assert frame
    # Every label and figure is inside the chart, none cut off at the left edge.
    for text in chart.locator("text").all():
        box = text.bounding_box()
        assert box and box["x"] >= frame["x"] - 1, text.text_content()
    # The bars grow from the right edge.
    bar = chart.locator("rect.bar").first.bounding_box()
    assert bar and abs(bar["x"] + bar["width"] - (frame["x"] + frame["width"])) < 2
    axe(page, "the council's figures in Arabic")
