"""Notifications are sent once, failures are counted, and nothing carries the words."""

import logging
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from feedback import delivery, dispatch, services
from feedback.models import Notification
from feedback.sms import LogBackend
from tests.conftest import submit

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    calls = 0

    def send_messages(self, messages):
        RefusingBackend.calls += 1
        raise smtplib.SMTPServerDisconnected("refused")


@pytest.fixture
def email(care_leaver):
    item = submit(care_leaver).item
    dispatch.route_item(item.pk)
    return Notification.objects.filter(item=item, channel="email").first()


def test_a_notification_is_sent_once(email):
    assert delivery.deliver(email.pk) == "sent"
    assert delivery.deliver(email.pk) == "skipped"
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.state == "sent" and email.attempts == 1 and email.sent_at


def test_a_refusing_mail_server_is_retried_and_counted(email, settings):
    settings.EMAIL_BACKEND = "tests.feedback.test_delivery.RefusingBackend"
    with pytest.raises(delivery.TransientFailure):
        delivery.deliver(email.pk)
    email.refresh_from_db()
    assert (
        email.state == "pending"
        and email.attempts == 1
        and email.last_error == "SMTPServerDisconnected"
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Too soon: a retry or sweep arriving before the backoff has passed does nothing.
    assert delivery.deliver(email.pk) == "skipped"
    with time_machine.travel(email.next_attempt_at, tick=False):
        assert delivery.deliver(email.pk) == "sent"
    email.refresh_from_db()
    assert email.attempts == 2 and email.last_error == ""
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_a_notification_is_marked_failed(email, settings):
    settings.EMAIL_BACKEND = "tests.feedback.test_delivery.RefusingBackend"
    Notification.objects.filter(pk=email.pk).update(attempts=delivery.MAX_ATTEMPTS - 1)
    assert delivery.deliver(email.pk) == "failed"
    email.refresh_from_db()
    assert email.state == "failed"
    assert delivery.deliver(email.pk) == "skipped"


def test_the_same_news_is_never_queued_twice(care_leaver):
    item = submit(care_leaver).item
    dispatch.route_item(item.pk)
    from feedback import notifications

    before = Notification.objects.count()
    item.refresh_from_db()
    notifications.item_arrived(item)
    assert Notification.objects.count() == before


def test_a_young_person_who_chose_texts_gets_one_without_their_words(
    care_leaver, caseworker, caplog
):
    item = submit(
        care_leaver,
        words="private words",
        contact_wanted=True,
        contact_method="text",
        contact_detail="07700 900123",
    ).item
    dispatch.route_item(item.pk)
    item.refresh_from_db()
    services.staff_reply(item=item, by=caseworker, text="We will call you tomorrow")
    text = Notification.objects.get(item=item, channel="sms")
    assert text.address == "07700 900123"
    assert "private words" not in text.body and "call you tomorrow" not in text.body
    with caplog.at_level(logging.INFO):
        assert delivery.deliver(text.pk) == "sent"
    assert "07700" not in caplog.text and text.body not in caplog.text


def test_the_log_backend_never_writes_the_body_or_the_number(caplog):
    with caplog.at_level(logging.INFO):
        LogBackend().send("07700900123", "a secret message")
    assert "secret" not in caplog.text and "07700900" not in caplog.text


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ValueError("not a passing fault")


def test_an_error_that_is_not_passing_marks_the_notification_failed(email, settings):
    settings.EMAIL_BACKEND = "tests.feedback.test_delivery.BrokenBackend"
    assert delivery.deliver(email.pk) == "failed"
    email.refresh_from_db()
    assert email.state == "failed" and email.last_error == "ValueError"


def test_each_item_in_a_batch_gets_its_own_email(care_leaver, caseworker):
    items = [submit(care_leaver, words=f"Idea {n}").item for n in range(30)]
    dispatch.route_item(items[0].pk)
    for item in items:
        for message in Notification.objects.filter(item=item):
            assert item.reference in message.subject and item.reference in message.body


def test_a_refused_send_waits_its_backoff_before_the_sweep_tries_again(email, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.EMAIL_BACKEND = "tests.feedback.test_delivery.RefusingBackend"
    with pytest.raises(delivery.TransientFailure) as refused:
        delivery.deliver(email.pk)
    assert refused.value.retry_in == settings.NOTIFICATION_RETRY_SECONDS
    email.refresh_from_db()
    assert email.next_attempt_at > timezone.now()
    later = timezone.now() + timedelta(minutes=10)
    assert delivery.stale_pending(later) == []
    Notification.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert delivery.stale_pending(later) == [email.pk]


def test_backoff_doubles_up_to_an_hour(settings):
    settings.NOTIFICATION_RETRY_SECONDS = 60
    assert [delivery.backoff_seconds(n) for n in (1, 2, 3, 7, 9)] == [60, 120, 240, 3600, 3600]


class OneSessionBackend(BaseEmailBackend):
    """Counts the sessions opened; refuses the addresses in `refuse` once each; while
    sending to `steal_after`, another worker takes the next row (`steal`)."""

    opened = 0
    refuse: set[str] = set()
    steal_after = ""
    steal = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = False

    def open(self):
        if self.session:
            return False
        OneSessionBackend.opened += 1
        self.session = True
        return True

    def close(self):
        self.session = False

    def send_messages(self, messages):
        assert self.session, "sent without the batch's session"
        (message,) = messages
        (address,) = message.to
        if address in OneSessionBackend.refuse:
            OneSessionBackend.refuse.discard(address)
            raise smtplib.SMTPServerDisconnected("refused")
        if address == OneSessionBackend.steal_after:
            Notification.objects.filter(pk=OneSessionBackend.steal).update(
                state="sending", attempts=1
            )
        mail.outbox.append(message)
        return 1


@pytest.fixture
def batch(care_leaver, caseworker, settings):
    """Three items' emails to the team's inbox and its caseworker: six rows."""
    settings.EMAIL_BACKEND = "tests.feedback.test_delivery.OneSessionBackend"
    OneSessionBackend.opened, OneSessionBackend.refuse = 0, set()
    OneSessionBackend.steal_after, OneSessionBackend.steal = "", 0
    items = [submit(care_leaver, words=f"Idea {n}").item for n in range(3)]
    dispatch.route_item(items[0].pk)
    ids = list(
        Notification.objects.filter(item__in=items, channel="email")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert len(ids) == 6
    return ids


def test_a_batch_is_read_at_once_and_sent_in_one_mail_session(batch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        delivered = delivery.deliver_all(batch)
    assert delivered.outcomes == {"sent": 6} and delivered.refused == []
    assert OneSessionBackend.opened == 1 and len(mail.outbox) == 6
    kinds = [q["sql"].split()[0] for q in queries.captured_queries]
    # One read for the batch; a claim and a mark for each row.
    assert kinds == ["SELECT"] + ["UPDATE"] * 12
    assert set(Notification.objects.filter(pk__in=batch).values_list("state", flat=True)) == {
        "sent"
    }
    assert delivery.deliver_all(batch).outcomes == {"skipped": 6}


def test_a_refused_email_in_a_batch_waits_while_the_others_are_sent(batch):
    rows = list(Notification.objects.filter(pk__in=batch).order_by("pk"))
    # The first email to the caseworker is refused once: not the batch's first email.
    refused = next(row for row in rows if row.address != rows[0].address)
    OneSessionBackend.refuse = {refused.address}
    delivered = delivery.deliver_all(batch)
    assert delivered.outcomes == {"sent": 5, "refused": 1}
    assert delivered.refused == [refused.pk]
    assert delivered.retry_in == delivery.backoff_seconds(1)
    # The refused session is not reused: the rest of the batch opened a new one.
    assert OneSessionBackend.opened == 2 and len(mail.outbox) == 5
    refused.refresh_from_db()
    assert (refused.state, refused.attempts, refused.last_error) == (
        "pending",
        1,
        "SMTPServerDisconnected",
    )
    assert refused.next_attempt_at is not None


def test_a_row_another_worker_claimed_after_the_read_is_not_sent_twice(batch):
    first, taken = Notification.objects.filter(pk__in=batch[:2]).order_by("pk")
    OneSessionBackend.steal_after, OneSessionBackend.steal = first.address, taken.pk
    delivered = delivery.deliver_all(batch)
    assert delivered.outcomes == {"sent": 5, "skipped": 1}
    assert taken.pk not in {n.pk for n in Notification.objects.filter(state="sent")}
    assert len(mail.outbox) == 5
    taken.refresh_from_db()
    assert (taken.state, taken.attempts) == ("sending", 1)
