"""Whether each message channel can send, read from the settings alone: the start-up
check (portal/checks.py) and /healthz ask the same question here."""

from __future__ import annotations

import re

from django.conf import settings

# "name-{service id}-{secret}", two UUIDs: the shape NotificationsAPIClient slices.
NOTIFY_KEY = re.compile(
    r".+-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"
)
CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"


def _notify_key_missing() -> list[str]:
    if not settings.NOTIFY_API_KEY:
        return ["NOTIFY_API_KEY"]
    if not NOTIFY_KEY.fullmatch(settings.NOTIFY_API_KEY):
        return ["NOTIFY_API_KEY (a whole GOV.UK Notify API key)"]
    return []


def email_missing() -> list[str]:
    """What email lacks to send, by the setting to fix: empty when it can send."""
    if settings.EMAIL_TRANSPORT == "notify":
        template = [] if settings.NOTIFY_TEMPLATE_EMAIL else ["NOTIFY_TEMPLATE_EMAIL"]
        return _notify_key_missing() + template
    return ["EMAIL_HOST"] if settings.EMAIL_BACKEND == CONSOLE_EMAIL else []


def texts_missing() -> list[str]:
    """What text messages lack to send through Notify: empty when they can."""
    templates = [
        f"the Notify template id for templates/texts/{name}.txt"
        for name, template_id in settings.NOTIFY_TEXT_TEMPLATES.items()
        if not template_id and name not in settings.NOTIFY_TEXT_TEMPLATES_OPTIONAL
    ]
    return _notify_key_missing() + templates


def texts_configured() -> bool:
    return not texts_missing()
