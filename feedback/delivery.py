"""Sending a queued notification by email or text message: once, with failures counted."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from feedback.models import Notification
from feedback.transports import Notify, PermanentSendError, TransientSendError
from portal.channels import email_missing, texts_configured

log = logging.getLogger(__name__)
# With backoff doubling from NOTIFICATION_RETRY_SECONDS (a minute) up to an hour,
# ten attempts span about four hours: an outage of the mail server loses nothing.
MAX_ATTEMPTS = 10


def backoff_seconds(attempts: int) -> int:
    return min(settings.NOTIFICATION_RETRY_SECONDS * 2 ** max(attempts - 1, 0), 3600)


TRANSIENT_ERRORS = (
    smtplib.SMTPException,
    ConnectionError,
    TimeoutError,
    OSError,
    TransientSendError,
)
PENDING = Notification.State.PENDING
EMAIL = Notification.Channel.EMAIL
SMS = Notification.Channel.SMS


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
    """Claim each row (pending -> sending) and send it, in order; then mark those
    sent, all in one query.

    One query reads the batch's rows and one mail session sends its emails. Each
    row is claimed on its own as its turn comes, so a crash leaves in "sending"
    only the rows already sent (and the one being sent), never resent by the
    sweep: a message is never sent twice, and none is left unsent for good.

    A refused send goes back to pending with its attempt counted and a time
    before which nobody (a late retry, the sweep) may try again; after the last
    attempt it is marked failed, visible in admin. Once the mail server cannot
    be reached at all, the batch's other emails are not tried (each would wait
    out the connection's timeout): they stay pending, refused, for the retry.
    """
    delivered = Delivered()
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    rows = Notification.objects.filter(due, pk__in=notification_ids, state=PENDING).only(
        "key", "channel", "address", "template", "subject", "body", "personalisation", "attempts"
    )
    pending = {row.pk: row for row in rows}
    sent: list[int] = []
    notify = Notify()
    with MailSession() as mail, _marking_sent(sent):
        for notification_id in notification_ids:
            notification = pending.pop(notification_id, None)
            if notification and notification.channel == EMAIL and mail.unreachable:
                delivered.count("refused")
                delivered.refused.append(notification_id)
                continue
            if notification is None or not _claim(notification, due):
                delivered.count("skipped")
                continue
            try:
                outcome = _send(notification, mail, notify)
                delivered.count(outcome)
                if outcome == "sent":
                    sent.append(notification_id)
            except TransientFailure as failure:
                delivered.count("refused")
                delivered.refused.append(notification_id)
                delivered.retry_in = max(delivered.retry_in, failure.retry_in)
                delivered.reason = str(failure)
    return delivered


def _claim(notification: Notification, due: Q) -> bool:
    """Pending -> sending, with the attempt counted, only if the row is still as it was
    read (pending, due, the same attempts and address): a row another worker took is
    not claimed, nor one erased since (erasure blanks the address)."""
    claimed = Notification.objects.filter(
        due,
        pk=notification.pk,
        state=PENDING,
        attempts=notification.attempts,
        address=notification.address,
    ).update(state=Notification.State.SENDING, attempts=notification.attempts + 1)
    if claimed:
        notification.attempts += 1
    return bool(claimed)


@contextmanager
def _marking_sent(sent: list[int]) -> Iterator[None]:
    """Mark the rows in `sent` sent once the block ends, however it ends."""
    try:
        yield
    finally:
        if sent:
            Notification.objects.filter(pk__in=sent).update(
                state=Notification.State.SENT,
                sent_at=timezone.now(),
                last_error="",
                next_attempt_at=None,
            )


class MailSession:
    """One mail connection for a batch's emails (one SMTP session, not one an email),
    made when the first email needs it.

    After any failure the session is closed and the next email opens a new one. A
    server may end a session between emails (a limit of messages or of time), so an
    email that fails on a session kept from an earlier one is tried once more on a
    new session before the failure counts. A session that cannot be opened marks
    the server unreachable.
    """

    def __init__(self) -> None:
        self.backend: BaseEmailBackend | None = None
        self.unreachable = False

    def __enter__(self) -> MailSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        if self.backend is None:
            self.backend = get_connection()
        try:
            kept = self.backend.open() is False  # False: the session was open already
        except TRANSIENT_ERRORS:
            self.unreachable = True
            self.close()
            raise
        message.connection = self.backend
        try:
            message.send()
        except Exception:
            self.close()
            if not kept:
                raise
            self.send(message)

    def close(self) -> None:
        backend, self.backend = self.backend, None
        if backend is None:
            return
        try:
            backend.close()
        except Exception as exc:  # what was sent was sent; the next email opens anew
            log.warning("closing the mail connection failed: %s", type(exc).__name__)


def _transmit(notification: Notification, mail: MailSession, notify: Notify) -> None:
    """Hand the message to its transport: email by SMTP (Django's email backend) or
    GOV.UK Notify (EMAIL_TRANSPORT); texts by Notify when it has a key, else SMS_BACKEND."""
    if notification.channel == EMAIL and settings.EMAIL_TRANSPORT == "notify":
        notify.send_email(
            address=notification.address,
            subject=notification.subject,
            body=notification.body,
            reference=notification.key,
        )
    elif notification.channel == EMAIL:
        mail.send(
            EmailMessage(
                subject=notification.subject,
                body=notification.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[notification.address],
            )
        )
    elif notification.channel == SMS and settings.NOTIFY_API_KEY:
        notify.send_text(
            number=notification.address,
            template=notification.template,
            personalisation=notification.personalisation,
            reference=notification.key,
        )
    elif notification.channel == SMS:
        import_string(settings.SMS_BACKEND)().send(notification.address, notification.body)


def _reason(exc: Exception) -> str:
    """What admin and /healthz show: Notify's status and its words about the request,
    or an exception's type (an SMTP error's text can hold an address)."""
    if isinstance(exc, TransientSendError | PermanentSendError):
        return str(exc)[:200]
    return type(exc).__name__


def _send(notification: Notification, mail: MailSession, notify: Notify) -> str:
    """Send a claimed notification: "sent" (for the caller to mark), or "failed" or
    TransientFailure, marked here."""
    try:
        _transmit(notification, mail, notify)
    except TRANSIENT_ERRORS as exc:
        final = notification.attempts >= MAX_ATTEMPTS
        retry_in = backoff_seconds(notification.attempts)
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.FAILED if final else PENDING,
            last_error=_reason(exc),
            failed_at=now,
            next_attempt_at=None if final else now + timedelta(seconds=retry_in),
        )
        log.warning(
            "notification %s attempt %s failed: %s",
            notification.pk,
            notification.attempts,
            _reason(exc),
        )
        if final:
            log.error("notification %s failed after %s attempts", notification.pk, MAX_ATTEMPTS)
            return "failed"
        raise TransientFailure(_reason(exc), retry_in) from exc
    except Exception as exc:
        # Not a passing fault (a bad address or number, a broken backend): retrying
        # will not help. Mark it failed, where admin shows it, rather than leave it
        # "sending". The same news by its other channel is a row of its own, and goes.
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.FAILED, last_error=_reason(exc), failed_at=timezone.now()
        )
        log.exception("notification %s failed for good", notification.pk)
        return "failed"
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


def channel_health(now: datetime | None = None) -> dict[str, dict[str, object]]:
    """For /healthz, each channel that sends: whether it can (from the settings), when it
    last sent, and how many messages failed an attempt in the last hour. Two small
    indexed queries a channel (notification_channel_sent, notification_channel_failed)."""
    now = now or timezone.now()
    configured = {EMAIL: not email_missing(), SMS: texts_configured()}
    health: dict[str, dict[str, object]] = {}
    for channel, can_send in configured.items():
        rows = Notification.objects.filter(channel=channel)
        last_success = (
            rows.filter(sent_at__isnull=False)
            .order_by("-sent_at")
            .values_list("sent_at", flat=True)
            .first()
        )
        health[channel] = {
            "configured": can_send,
            "last_success": last_success.isoformat() if last_success else None,
            "failures_last_hour": rows.filter(failed_at__gte=now - timedelta(hours=1)).count(),
        }
    return health
