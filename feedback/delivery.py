"""Sending a queued notification by email or text message: once, with failures counted."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from feedback.models import Notification

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


class TransientFailure(Exception):
    pass


def deliver(notification_id: int) -> str:
    """Claim the row (pending -> sending), send, and mark it sent.

    A refused send goes back to pending with its attempt counted and is
    retried; after the last attempt it is marked failed, visible in admin.
    A crash between the send and the mark leaves it "sending": never resent
    by the sweep, so a message is never sent twice.
    """
    claimed = Notification.objects.filter(
        pk=notification_id, state=Notification.State.PENDING
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
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.State.FAILED if final else Notification.State.PENDING,
            last_error=type(exc).__name__,
        )
        log.warning(
            "notification %s attempt %s failed: %s",
            notification_id,
            notification.attempts,
            type(exc).__name__,
        )
        if final:
            return "failed"
        raise TransientFailure(type(exc).__name__) from exc
    except Exception as exc:
        # Not a passing fault (a bad address, a broken backend): retrying will not
        # help. Mark it failed, where admin shows it, rather than leave it "sending".
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.State.FAILED, last_error=type(exc).__name__
        )
        log.exception("notification %s failed for good", notification_id)
        return "failed"
    Notification.objects.filter(pk=notification_id).update(
        state=Notification.State.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def stale_pending(older_than: datetime) -> list[int]:
    """Pending rows whose task was lost (broker down when they were queued)."""
    return list(
        Notification.objects.filter(
            state=Notification.State.PENDING, created_at__lt=older_than
        ).values_list("pk", flat=True)[:500]
    )
