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
    # A deployment check (`manage.py check --deploy`, run by the compose file's migrate
    # step and in the README's production steps), as Django's own security checks are.
    checks.register(keys_set_on_their_own, checks.Tags.security, deploy=True)
    checks.register(cache_shared, deploy=True)


def keys_set_on_their_own(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production the keys that protect second factors and codes are set on their own,
    so SECRET_KEY can be rotated (SECRET_KEY_FALLBACKS) without locking anyone out."""
    if settings.PORTAL_EMBEDDED or not settings.KEYS_DERIVED:
        return []
    return [
        _problem(
            "Derived from SECRET_KEY: " + ", ".join(settings.KEYS_DERIVED) + ". Rotating"
            " SECRET_KEY would lock every member of staff out of their second factor and"
            " void every invitation and tracking code.",
            "Set each on its own (.env.example says how to make one), and keep it apart"
            " from the database backups.",
            "portal.E103",
        )
    ]


def cache_shared(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Outside the embedded demo (one process) every web process shares one cache: rate
    limits, allauth's sign-in counters and the session cache live there, and a cache of
    each process's own would let each of N processes (and each machine) count on its own."""
    backend = str(settings.CACHES["default"]["BACKEND"])
    if settings.PORTAL_EMBEDDED or not backend.endswith("LocMemCache"):
        return []
    return [
        _problem(
            "The cache is each process's own memory: every web process would count rate"
            " limits on its own.",
            "Set REDIS_URL to the Redis every web process shares.",
            "portal.E104",
        )
    ]


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
