"""Sending a queued notification by email or text message: once, with failures counted."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from feedback.models import Notification

log = logging.getLogger(__name__)
# With backoff doubling from NOTIFICATION_RETRY_SECONDS (a minute) up to an hour,
# ten attempts span about four hours: an outage of the mail server loses nothing.
MAX_ATTEMPTS = 10


def backoff_seconds(attempts: int) -> int:
    return min(settings.NOTIFICATION_RETRY_SECONDS * 2 ** max(attempts - 1, 0), 3600)


TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


class TransientFailure(Exception):
    def __init__(self, reason: str, retry_in: int) -> None:
        super().__init__(reason)
        self.retry_in = retry_in


def deliver(notification_id: int) -> str:
    """Claim the row (pending -> sending), send, and mark it sent.

    A refused send goes back to pending with its attempt counted and a time
    before which nobody (a late retry, the sweep) may try again; after the last
    attempt it is marked failed, visible in admin.
    A crash between the send and the mark leaves it "sending": never resent
    by the sweep, so a message is never sent twice.
    """
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    claimed = Notification.objects.filter(
        due, pk=notification_id, state=Notification.State.PENDING
    ).update(state=Notification.State.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    notification = Notification.objects.get(pk=notification_id)
    try:
        if notification.channel == Notification.Channel.EMAIL:
            EmailMessage(
                subject=notification.subject,
                body=notification.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[notification.address],
            ).send()
        elif notification.channel == Notification.Channel.SMS:
            import_string(settings.SMS_BACKEND)().send(notification.address, notification.body)
    except TRANSIENT_ERRORS as exc:
        final = notification.attempts >= MAX_ATTEMPTS
        retry_in = backoff_seconds(notification.attempts)
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.State.FAILED if final else Notification.State.PENDING,
            last_error=type(exc).__name__,
            next_attempt_at=None if final else timezone.now() + timedelta(seconds=retry_in),
        )
        log.warning(
            "notification %s attempt %s failed: %s",
            notification_id,
            notification.attempts,
            type(exc).__name__,
        )
        if final:
            log.error("notification %s failed after %s attempts", notification_id, MAX_ATTEMPTS)
            return "failed"
        raise TransientFailure(type(exc).__name__, retry_in) from exc
    except Exception as exc:
        # Not a passing fault (a bad address, a broken backend): retrying will not
        # help. Mark it failed, where admin shows it, rather than leave it "sending".
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.State.FAILED, last_error=type(exc).__name__
        )
        log.exception("notification %s failed for good", notification_id)
        return "failed"
    Notification.objects.filter(pk=notification_id).update(
        state=Notification.State.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None
    )
    return "sent"


def stale_pending(older_than: datetime) -> list[int]:
    """Pending rows whose task was lost (broker down when they were queued, or a
    retry that never came back), each only once its backoff has passed."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True, created_at__lt=older_than) | Q(next_attempt_at__lte=now)
    return list(
        Notification.objects.filter(due, state=Notification.State.PENDING)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
