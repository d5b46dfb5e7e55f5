"""Errors to Sentry, with nothing of a young person in them.

Called from settings when SENTRY_DSN is set. Sentry's own defaults already leave out
cookies, the signed-in person and request bodies when told to (send_default_pii off,
max_request_body_size "never"); `scrub` then keeps only what a developer needs to find
the fault: the exception's type and where it was raised, the page's URL pattern and method,
a few plain headers, an opaque user id and the request id. Gone: local variables,
the exception's message (a database error quotes the row it refused), query strings,
cookies, form data, log messages' arguments and anything logged as extra.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.types import Event, Hint

from portal import request_id

# The request headers an event keeps: none names a person or carries a secret.
KEEP_HEADERS = frozenset({"Content-Type", "Content-Length", "Accept", "User-Agent", "X-Request-Id"})
KEEP_REQUEST = ("url", "method")
REMOVED = "[removed]"


def init(dsn: str, **options: Any) -> None:
    """Start reporting to `dsn`; `options` (a transport, say) are for tests."""
    sentry_sdk.init(
        dsn=dsn,
        # send_default_pii stays at its default, off (no cookies, user or client address):
        # sentry-sdk 2.76 deprecates setting it, and a test holds it off.
        max_request_body_size="never",
        include_local_variables=False,
        # Errors only: no performance traces (each would carry URLs and queries).
        traces_sample_rate=0.0,
        # Only the integrations named below and Sentry's defaults: no Redis one, say,
        # whose breadcrumbs name the keys (a session's key is its cookie's value).
        auto_enabling_integrations=False,
        before_send=scrub,
        before_breadcrumb=scrub_breadcrumb,
        integrations=[
            # Events are named by the URL pattern, never the path (see _route_url).
            DjangoIntegration(transaction_style="url"),
            CeleryIntegration(),
            LoggingIntegration(),
        ],
        **options,
    )


def scrub(event: Event, hint: Hint | None = None) -> Event:
    """What leaves for Sentry: see the module's docstring."""
    _scrub(cast("dict[str, Any]", event))
    return event


def _values(part: Any) -> list[dict[str, Any]]:
    """The list under a part's "values" (exceptions, threads, breadcrumbs)."""
    values = part.get("values") if isinstance(part, dict) else None
    return [value for value in values or [] if isinstance(value, dict)]


def _scrub(event: dict[str, Any]) -> None:
    request = event.get("request")
    if isinstance(request, dict):
        kept = {key: request[key] for key in KEEP_REQUEST if key in request}
        if isinstance(kept.get("url"), str):
            kept["url"] = _route_url(kept["url"], event.get("transaction"))
        headers = request.get("headers")
        if isinstance(headers, dict):
            wanted = {name.lower() for name in KEEP_HEADERS}
            kept["headers"] = {k: v for k, v in headers.items() if k.lower() in wanted}
        event["request"] = kept
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": str(user["id"])} if user.get("id") is not None else {}
    for exception in _values(event.get("exception")):
        if exception.get("value"):
            exception["value"] = REMOVED
        _drop_frame_variables(exception.get("stacktrace"))
    for thread in _values(event.get("threads")):
        _drop_frame_variables(thread.get("stacktrace"))
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        # The template stays ("could not send %s for %s"); what filled it goes.
        event["logentry"] = {"message": logentry.get("message", "")}
        event.pop("message", None)
    event.pop("extra", None)
    for crumb in _values(event.get("breadcrumbs")):
        _scrub_crumb(crumb)
    if request_id.current() != request_id.NONE:
        event.setdefault("tags", {})["request_id"] = request_id.current()


def _route_url(url: str, transaction: object) -> str:
    """The page's address as its URL pattern ("/staff/people/{username}/"), the Django
    integration's transaction name: a path itself can name a young person or hold an
    invitation token or a password reset key. Without a pattern, the site alone."""
    parts = urlsplit(url)
    route = transaction if isinstance(transaction, str) and transaction.startswith("/") else "/"
    return urlunsplit((parts.scheme, parts.netloc, route, "", ""))


def scrub_breadcrumb(crumb: dict[str, Any], hint: Hint | None = None) -> dict[str, Any]:
    """A log message's template, never its arguments; no data on any breadcrumb."""
    record = (hint or {}).get("log_record")
    if record is not None:
        crumb["message"] = str(record.msg)
    _scrub_crumb(crumb)
    return crumb


# Breadcrumbs whose message is a template: a log record's (set above) or an SQL
# statement's, whose values are sent apart as parameters (and dropped with the data).
TEMPLATE_CRUMBS = frozenset({"log", "query"})


def _scrub_crumb(crumb: dict[str, Any]) -> None:
    crumb.pop("data", None)
    if crumb.get("type") not in TEMPLATE_CRUMBS and crumb.get("category") != "query":
        crumb.pop("message", None)


def _drop_frame_variables(stacktrace: Any) -> None:
    if isinstance(stacktrace, dict):
        for frame in stacktrace.get("frames") or []:
            frame.pop("vars", None)
