"""Notifications are sent once, failures are counted, and nothing carries the words."""

import logging
import smtplib

import pytest
import time_machine
from django.core import mail

from feedback import delivery, dispatch, services
from feedback.models import Notification
from feedback.sms import LogBackend
from tests.conftest import submit

pytestmark = pytest.mark.django_db


class RefusingBackend:
    calls = 0

    def __init__(self, *args, **kwargs):
        pass

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


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

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
