"""Start-up checks (run by `manage.py migrate` before the web server starts, and by
`check --deploy`): a channel the portal offers but cannot send through stops the
release with DEBUG off, rather than losing alerts to a log line."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from portal.channels import email_missing, texts_missing


def register_all() -> None:
    checks.register(channels_can_send)


def _problem(text: str, hint: str, id: str) -> checks.CheckMessage:
    kind = checks.Warning if settings.DEBUG else checks.Error
    return kind(text, hint=hint, id=id)


def channels_can_send(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if settings.EMAIL_TRANSPORT == "notify" and (missing := email_missing()):
        problems.append(
            _problem(
                "Email goes through GOV.UK Notify (EMAIL_TRANSPORT=notify) but cannot be sent.",
                "Set " + ", ".join(missing) + ", or set EMAIL_TRANSPORT=smtp.",
                "portal.E101",
            )
        )
    # Texts go through Notify once it has a key (a young person may ask for texts), and
    # the duty team's text alerts need it.
    if (settings.TEXT_ALERTS or settings.NOTIFY_API_KEY) and (missing := texts_missing()):
        problems.append(
            _problem(
                "Text messages are offered (TEXT_ALERTS or NOTIFY_API_KEY) but cannot be sent.",
                "Set "
                + ", ".join(missing)
                + ", or set TEXT_ALERTS=0 and leave NOTIFY_API_KEY empty.",
                "portal.E102",
            )
        )
    return problems
