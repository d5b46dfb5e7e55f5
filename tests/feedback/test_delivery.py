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
    """A mail server that counts the sessions opened. It refuses a row's email (address
    and subject) in `refuse` as many times as given, ends a session after `limit` messages (the client finds
    out when it next sends), and calls `while_sending[address, subject]` as it sends that email."""

    opened = 0
    down = False
    refuse: dict[tuple[str, str], int] = {}
    limit = 0
    while_sending: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = False
        self.sent = 0

    def open(self):
        if self.session:
            return False
        OneSessionBackend.opened += 1
        if OneSessionBackend.down:
            raise ConnectionRefusedError("connection refused")
        self.session, self.sent = True, 0
        return True

    def close(self):
        self.session = False

    def send_messages(self, messages):
        assert self.session, "sent without the batch's session"
        (message,) = messages
        (address,) = message.to
        if OneSessionBackend.limit and self.sent >= OneSessionBackend.limit:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        if OneSessionBackend.refuse.get((address, message.subject)):
            OneSessionBackend.refuse[address, message.subject] -= 1
            raise smtplib.SMTPServerDisconnected("refused")
        if (address, message.subject) in OneSessionBackend.while_sending:
            OneSessionBackend.while_sending.pop((address, message.subject))()
        mail.outbox.append(message)
        self.sent += 1
        return 1


@pytest.fixture
def batch(care_leaver, caseworker, settings):
    """Three items' emails to the team's inbox and its caseworker: six rows."""
    settings.EMAIL_BACKEND = "tests.feedback.test_delivery.OneSessionBackend"
    OneSessionBackend.opened, OneSessionBackend.limit, OneSessionBackend.down = 0, 0, False
    OneSessionBackend.refuse, OneSessionBackend.while_sending = {}, {}
    items = [submit(care_leaver, words=f"Idea {n}").item for n in range(3)]
    dispatch.route_item(items[0].pk)
    rows = list(Notification.objects.filter(item__in=items, channel="email").order_by("pk"))
    assert len(rows) == 6 and len({row.address for row in rows}) == 2
    return rows


def ids(rows):
    return [row.pk for row in rows]


def states(rows):
    return list(
        Notification.objects.filter(pk__in=ids(rows))
        .order_by("pk")
        .values_list("state", "attempts")
    )


def test_a_batch_is_read_at_once_and_sent_in_one_mail_session(batch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        delivered = delivery.deliver_all(ids(batch))
    assert delivered.outcomes == {"sent": 6} and delivered.refused == []
    assert OneSessionBackend.opened == 1 and len(mail.outbox) == 6
    kinds = [q["sql"].split()[0] for q in queries.captured_queries]
    # One read for the batch, a claim for each row, one mark for those sent.
    assert kinds == ["SELECT"] + ["UPDATE"] * 7
    assert states(batch) == [("sent", 1)] * 6
    assert delivery.deliver_all(ids(batch)).outcomes == {"skipped": 6}


def test_a_refused_email_in_a_batch_waits_while_the_others_are_sent(batch):
    # The first email to the caseworker (not the batch's first email) is refused on the
    # kept session and again on a new one: one attempt is counted.
    refused = next(row for row in batch if row.address != batch[0].address)
    OneSessionBackend.refuse = {(refused.address, refused.subject): 2}
    delivered = delivery.deliver_all(ids(batch))
    assert delivered.outcomes == {"sent": 5, "refused": 1}
    assert delivered.refused == [refused.pk]
    assert delivered.retry_in == delivery.backoff_seconds(1)
    assert OneSessionBackend.opened == 3 and len(mail.outbox) == 5
    refused.refresh_from_db()
    assert (refused.state, refused.attempts, refused.last_error) == (
        "pending",
        1,
        "SMTPServerDisconnected",
    )
    assert refused.next_attempt_at is not None


def test_a_last_attempt_refused_in_a_batch_fails_and_the_next_email_gets_a_new_session(batch):
    last = batch[2]
    Notification.objects.filter(pk=last.pk).update(attempts=delivery.MAX_ATTEMPTS - 1)
    OneSessionBackend.refuse = {(last.address, last.subject): 2}
    delivered = delivery.deliver_all(ids(batch))
    assert delivered.outcomes == {"sent": 5, "failed": 1} and delivered.refused == []
    assert OneSessionBackend.opened == 3 and len(mail.outbox) == 5
    assert states(batch)[2] == ("failed", delivery.MAX_ATTEMPTS)
    assert states(batch)[3:] == [("sent", 1)] * 3


def test_a_session_the_server_ended_is_replaced_without_counting_an_attempt(batch):
    OneSessionBackend.limit = 2
    delivered = delivery.deliver_all(ids(batch))
    assert delivered.outcomes == {"sent": 6}
    assert OneSessionBackend.opened == 3 and len(mail.outbox) == 6
    assert states(batch) == [("sent", 1)] * 6


def test_an_email_erased_after_the_batch_was_read_is_not_sent(batch):
    erased = batch[-1].item_id
    OneSessionBackend.while_sending = {
        (batch[0].address, batch[0].subject): lambda: dispatch.anonymise_item(erased)
    }
    delivered = delivery.deliver_all(ids(batch))
    assert delivered.outcomes == {"sent": 4, "skipped": 2}
    assert len(mail.outbox) == 4 and "" not in {m.to[0] for m in mail.outbox}
    assert [s for row, s in zip(batch, states(batch), strict=True) if row.item_id == erased] == [
        ("pending", 0)
    ] * 2


def test_when_the_mail_server_cannot_be_reached_the_batch_waits_without_trying_each(batch):
    OneSessionBackend.down = True
    delivered = delivery.deliver_all(ids(batch))
    # One try to connect, not six timeouts; one attempt counted, the rest untouched.
    assert OneSessionBackend.opened == 1 and mail.outbox == []
    assert delivered.outcomes == {"refused": 6} and delivered.refused == ids(batch)
    assert delivered.retry_in == delivery.backoff_seconds(1)
    assert states(batch) == [("pending", 1)] + [("pending", 0)] * 5
    OneSessionBackend.down = False
    # The retry: the first waits out its backoff; the others go now.
    assert delivery.deliver_all(delivered.refused).outcomes == {"skipped": 1, "sent": 5}
    assert len(mail.outbox) == 5


def test_a_batch_stopped_midway_marks_what_it_sent_and_leaves_the_rest_pending(batch):
    class Stopped(BaseException):  # as a worker's shutdown would be, not a send's failure
        pass

    def stop():
        raise Stopped

    third = batch[2]
    OneSessionBackend.while_sending = {(third.address, third.subject): stop}
    with pytest.raises(Stopped):
        delivery.deliver_all(ids(batch))
    # The first two went and are marked sent; the third was being sent, so it stays
    # "sending" and is never sent again; the rest wait, pending, for the sweep.
    assert states(batch) == [("sent", 1)] * 2 + [("sending", 1)] + [("pending", 0)] * 3
    assert len(mail.outbox) == 2
