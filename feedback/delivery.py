"""Sending a queued notification by email or text message: once, with failures counted."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Q
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
PENDING = Notification.State.PENDING


class TransientFailure(Exception):
    def __init__(self, reason: str, retry_in: int) -> None:
        super().__init__(reason)
        self.retry_in = retry_in


def deliver(notification_id: int) -> str:
    """Send one notification (see deliver_all): "sent", "skipped" or "failed"; a refused
    send raises TransientFailure, with the row back in pending."""
    delivered = deliver_all([notification_id])
    if delivered.refused:
        raise TransientFailure(delivered.reason, delivered.retry_in)
    return next(iter(delivered.outcomes))


@dataclass
class Delivered:
    """What became of a batch: outcomes counted, and the ids refused for now, to be
    tried again in `retry_in` seconds."""

    outcomes: dict[str, int] = field(default_factory=dict)
    refused: list[int] = field(default_factory=list)
    retry_in: int = 0
    reason: str = ""

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def deliver_all(notification_ids: list[int]) -> Delivered:
    """Claim each row (pending -> sending), send it, and mark it sent, in order.

    One query reads the batch's rows and one mail connection sends its emails;
    each row is still claimed and marked on its own, so a crash leaves at most
    the one being sent in "sending", never resent by the sweep: a message is
    never sent twice. The claim holds only if the row is as it was read (still
    pending, due, the same attempts), so a row another worker took is skipped.

    A refused send goes back to pending with its attempt counted and a time
    before which nobody (a late retry, the sweep) may try again; after the last
    attempt it is marked failed, visible in admin.
    """
    delivered = Delivered()
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    rows = Notification.objects.filter(due, pk__in=notification_ids, state=PENDING).only(
        "channel", "address", "subject", "body", "attempts"
    )
    pending = {row.pk: row for row in rows}
    mail = get_connection()
    try:
        for notification_id in notification_ids:
            notification = pending.pop(notification_id, None)
            claimed = notification is not None and (
                Notification.objects.filter(
                    due, pk=notification_id, state=PENDING, attempts=notification.attempts
                ).update(state=Notification.State.SENDING, attempts=notification.attempts + 1)
            )
            if not notification or not claimed:
                delivered.count("skipped")
                continue
            notification.attempts += 1
            try:
                delivered.count(_send(notification, mail))
            except TransientFailure as failure:
                _close(mail)  # not reused: the next email opens a new session
                delivered.count("refused")
                delivered.refused.append(notification_id)
                delivered.retry_in = max(delivered.retry_in, failure.retry_in)
                delivered.reason = str(failure)
    finally:
        _close(mail)
    return delivered


def _close(mail: BaseEmailBackend) -> None:
    try:
        mail.close()
    except TRANSIENT_ERRORS as exc:  # what was sent is marked already
        log.warning("closing the mail connection failed: %s", type(exc).__name__)


def _send(notification: Notification, mail: BaseEmailBackend) -> str:
    """Send a claimed notification and mark what became of it."""
    try:
        if notification.channel == Notification.Channel.EMAIL:
            mail.open()  # once a batch: the backend keeps an open session for the next
            EmailMessage(
                subject=notification.subject,
                body=notification.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[notification.address],
                connection=mail,
            ).send()
        elif notification.channel == Notification.Channel.SMS:
            import_string(settings.SMS_BACKEND)().send(notification.address, notification.body)
    except TRANSIENT_ERRORS as exc:
        final = notification.attempts >= MAX_ATTEMPTS
        retry_in = backoff_seconds(notification.attempts)
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.FAILED if final else PENDING,
            last_error=type(exc).__name__,
            next_attempt_at=None if final else timezone.now() + timedelta(seconds=retry_in),
        )
        log.warning(
            "notification %s attempt %s failed: %s",
            notification.pk,
            notification.attempts,
            type(exc).__name__,
        )
        if final:
            log.error("notification %s failed after %s attempts", notification.pk, MAX_ATTEMPTS)
            return "failed"
        raise TransientFailure(type(exc).__name__, retry_in) from exc
    except Exception as exc:
        # Not a passing fault (a bad address, a broken backend): retrying will not
        # help. Mark it failed, where admin shows it, rather than leave it "sending".
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.FAILED, last_error=type(exc).__name__
        )
        log.exception("notification %s failed for good", notification.pk)
        return "failed"
    Notification.objects.filter(pk=notification.pk).update(
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
