"""What this browser has proved or just sent: signed, short-lived cookies on the device.

Never in the session table beside a user's id. Each cookie is bound to a random token
in the session that sign-in and sign-out replace, so it dies with them. The gates in
feedback.access read `tracked_references`; the pages write these after a tracking
code is proved or a postcard is sent.
"""

from __future__ import annotations

import json
import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from feedback.models import Item

TRACKED_COOKIE = "tracked"
JUST_SENT_COOKIE = "just_sent"
TRACKED_SECONDS = 30 * 60
JUST_SENT_SECONDS = 10 * 60
BROWSER_TOKEN = "browser_token"  # noqa: S105 - the name of a session key, not a secret


def _browser_token(request: HttpRequest) -> str:
    token = request.session.get(BROWSER_TOKEN)
    if not token:
        token = request.session[BROWSER_TOKEN] = secrets.token_urlsafe(16)
    return str(token)


def forget_browser(request: HttpRequest) -> None:
    """At sign-in and sign-out: every tracked or just-sent cookie stops counting."""
    request.session.pop(BROWSER_TOKEN, None)


def _read(request: HttpRequest, name: str, max_age: int) -> dict[str, str]:
    token = request.session.get(BROWSER_TOKEN)
    if not token:
        return {}
    try:
        value = request.get_signed_cookie(name, salt=f"{name}:{token}", max_age=max_age)
    except (KeyError, signing.BadSignature):
        return {}
    try:
        data = json.loads(value or "")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write(
    request: HttpRequest, response: HttpResponse, name: str, data: dict[str, str], max_age: int
) -> None:
    response.set_signed_cookie(
        name,
        json.dumps(data),
        salt=f"{name}:{_browser_token(request)}",
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def tracked_references(request: HttpRequest) -> list[str]:
    return list(_read(request, TRACKED_COOKIE, TRACKED_SECONDS))


def remember_tracked(request: HttpRequest, response: HttpResponse, item: Item) -> None:
    tracked = _read(request, TRACKED_COOKIE, TRACKED_SECONDS)
    tracked[item.reference] = ""
    _write(request, response, TRACKED_COOKIE, dict(list(tracked.items())[-5:]), TRACKED_SECONDS)


def just_sent(request: HttpRequest) -> dict[str, str]:
    """Reference to the submission key whose tracking code is still to be shown ("" once shown)."""
    return _read(request, JUST_SENT_COOKIE, JUST_SENT_SECONDS)


def remember_sent(
    request: HttpRequest, response: HttpResponse, reference: str, submission_key: str
) -> None:
    sent = just_sent(request)
    sent[reference] = submission_key
    _write(request, response, JUST_SENT_COOKIE, dict(list(sent.items())[-5:]), JUST_SENT_SECONDS)
