"""GOV.UK Notify as a transport for email and text messages, and the wording of texts.

Notify keeps each template; templates/texts/<name>.txt keeps a copy of a text's
wording with Notify's ((placeholders)), filled from the row's personalisation: a
reference and a link, never a young person's words. What Notify answers is sorted
into "try again later" and "this message will never go" (its client raises HTTPError
with the status; a connection that fails comes as a 503).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import HTTPError

log = logging.getLogger(__name__)

TEXTS = Path(settings.BASE_DIR) / "templates" / "texts"
PLACEHOLDER = re.compile(r"\(\(([a-z_]+)\)\)")


class TransientSendError(Exception):
    """Notify is busy (429), down (5xx), or could not be reached: try again later."""


class PermanentSendError(Exception):
    """Notify refused this message (400: say, a number that is not a mobile): it will
    never go, however often it is tried."""


def text_wording(name: str) -> str:
    return (TEXTS / f"{name}.txt").read_text().strip()


def placeholders(name: str) -> set[str]:
    return set(PLACEHOLDER.findall(text_wording(name)))


def render_text(name: str, personalisation: dict[str, str]) -> str:
    """The text as Notify will send it, for the row's body (and the log backend)."""
    return PLACEHOLDER.sub(lambda m: personalisation[m.group(1)], text_wording(name))


class Notify:
    """One Notify client for a batch (the client keeps a connection; it is not
    thread-safe, and a batch runs in one thread)."""

    def __init__(self) -> None:
        self._client: NotificationsAPIClient | None = None

    @property
    def client(self) -> NotificationsAPIClient:
        if self._client is None:
            self._client = NotificationsAPIClient(
                settings.NOTIFY_API_KEY,
                base_url=settings.NOTIFY_BASE_URL,
                timeout=settings.NOTIFY_TIMEOUT,
            )
        return self._client

    def send_email(self, *, address: str, subject: str, body: str, reference: str) -> None:
        self._send(
            self.client.send_email_notification,
            email_address=address,
            template_id=settings.NOTIFY_TEMPLATE_EMAIL,
            personalisation={"subject": subject, "body": body},
            reference=reference,
        )

    def send_text(
        self, *, number: str, template: str, personalisation: dict[str, str], reference: str
    ) -> None:
        self._send(
            self.client.send_sms_notification,
            phone_number=number,
            template_id=settings.NOTIFY_TEXT_TEMPLATES[template],
            personalisation=personalisation,
            reference=reference,
        )

    def _send(self, method: Callable[..., object], **kwargs: object) -> None:
        try:
            method(**kwargs)
        except HTTPError as exc:
            raise _sorted(exc) from exc


def _sorted(exc: HTTPError) -> Exception:
    status = exc.status_code
    if status == 429 or status >= 500:
        return TransientSendError(f"Notify {status}")
    if status == 403:
        # Our key, not the message: refused or revoked. Kept for the retries (about
        # four hours) while someone fixes the key, rather than lost at once.
        log.error("GOV.UK Notify refused the API key (403): check NOTIFY_API_KEY")
        return TransientSendError("Notify 403: key refused")
    return PermanentSendError(f"Notify {status}: {_first_message(exc)}"[:200])


def _first_message(exc: HTTPError) -> str:
    """Notify's own words for the refusal ("phone_number Not a UK mobile number"):
    about the request's fields, never their values."""
    message = exc.message
    if isinstance(message, list) and message:
        first = message[0]
        return str(first.get("message", "")) if isinstance(first, dict) else str(first)
    return str(message)
