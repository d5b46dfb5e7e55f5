"""Browser tests: Debian's headless Chromium against the live server, checked with axe-core.

They need /usr/bin/chromium and node_modules/axe-core (`make browser-deps`). Without them
the tests are skipped, unless PORTAL_REQUIRE_SERVICES=1 says a missing piece is a failure.
"""

from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import Callable, Iterator
from functools import cache as memoise
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    WebError,
    sync_playwright,
)

from tests.conftest import PASSWORD, TOTP_SECRET

# Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls
# from a thread with a running loop. The tests only touch the database between browser
# steps, never concurrently with them.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Fail fast: a missing element should not cost the default 30 seconds.
TIMEOUT_MS = 10_000


def _missing_prerequisites() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM}")
    if not AXE_JS.exists():
        missing.append(f"axe-core at {AXE_JS.relative_to(ROOT)}")
    return missing


@pytest.fixture(scope="session", autouse=True)
def _browser_prerequisites() -> None:
    """Skip (or, when services are required, fail) before any database or server is set up."""
    missing = _missing_prerequisites()
    if not missing:
        return
    reason = "browser tests need " + " and ".join(missing) + "; run `make browser-deps`"
    if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1":
        pytest.fail(f"PORTAL_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(_browser_prerequisites: None) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate limits and used TOTP codes live in the cache the live server shares with us."""
    cache.clear()


class BrowserProblems:
    """Script errors and Content-Security-Policy refusals seen while a test ran."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def watch(self, context: BrowserContext) -> None:
        context.on("weberror", self._error)
        context.on("console", self._console)

    def _error(self, error: WebError) -> None:
        self.seen.append(f"script error: {error.error}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.seen.append(f"CSP: {message.text}")


@pytest.fixture
def new_context(browser: Browser, live_server: Any) -> Iterator[Callable[..., BrowserContext]]:
    """Make a browser context (a separate person on their own phone); closed after the test.

    A phone-sized window by default; pass Playwright's context options to change it.
    """
    contexts: list[BrowserContext] = []
    problems = BrowserProblems()

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", PHONE)
        options.setdefault("base_url", live_server.url)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        problems.watch(context)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not problems.seen, "the browser reported problems:\n" + "\n".join(problems.seen)


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


@pytest.fixture
def no_js_page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context(java_script_enabled=False).new_page()


@memoise
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def check_accessibility(page: Page, what: str = "") -> None:
    """Run axe-core on the page as it is now; fail listing every WCAG 2.2 A/AA violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's CSP does not block it
        # (and stays on, to catch an inline script the templates should not have).
        page.evaluate(_axe_source())
    violations = page.evaluate(
        """async (tags) => {
            const results = await window.axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")),
            }));
        }""",
        AXE_TAGS,
    )
    if violations:
        lines = [f"axe found {len(violations)} violation(s) on {what or page.url} ({page.url}):"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            lines.extend(f"    {target}" for target in v["targets"])
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def axe() -> Callable[..., None]:
    """`axe(page)` or `axe(page, "what the page is")`: fail on any accessibility violation."""
    return check_accessibility


def totp_code() -> str:
    """The staff personas' current authenticator code, as their phone app would show it."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(TOTP_SECRET, counter))


def enter_password(page: Page, login: str) -> None:
    """The sign-in page: username or email, and the personas' password."""
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def enter_second_factor(page: Page) -> None:
    """allauth's authenticator page, with the code the staff persona's app shows now."""
    page.wait_for_url("**/accounts/2fa/authenticate/")
    for _attempt in range(2):
        page.get_by_label("Code").fill(totp_code())
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile(r"^sign in$", re.IGNORECASE)).click()
        if "/accounts/2fa/" not in page.url:
            return
        # The 30-second window turned over between reading the code and sending it.
    raise AssertionError(f"the second factor was refused; still on {page.url}")


def sign_in(page: Page, login: str, *, second_factor: bool = False) -> None:
    """Sign in through the real pages, as the persona would on their phone."""
    enter_password(page, login)
    if second_factor:
        enter_second_factor(page)
    else:
        page.wait_for_url(lambda url: "/accounts/login/" not in url)


def choose(page: Page, question: str, answer: str) -> None:
    """Tick the answer to a question; a topic's label may go on with its description."""
    label = re.compile(rf"^{re.escape(answer)}(?::|$)")
    page.get_by_role("group", name=question).get_by_label(label).check()


NEUTRAL_SITE_PATTERN = "https://www.bbc.co.uk/*"


def serve_neutral_site(page: Page, body: str) -> None:
    """Answer requests to the neutral site (the network is closed) with `body`.

    Not `page.route`: Playwright never calls route handlers for the target of a redirect,
    and /exit/ leaves with a 302. Chromium's own request interception does see it.
    """
    cdp = page.context.new_cdp_session(page)

    def fulfill(event: dict[str, Any]) -> None:
        cdp.send(
            "Fetch.fulfillRequest",
            {
                "requestId": event["requestId"],
                "responseCode": 200,
                "responseHeaders": [{"name": "Content-Type", "value": "text/plain"}],
                "body": base64.b64encode(body.encode()).decode(),
            },
        )

    cdp.on("Fetch.requestPaused", fulfill)
    cdp.send("Fetch.enable", {"patterns": [{"urlPattern": NEUTRAL_SITE_PATTERN}]})
