"""Emails go out from the worker: a refusing mail server is retried, and nothing is sent twice."""

from __future__ import annotations

import json

import pytest
import redis

from feedback import tasks
from feedback.models import Notification
from portal.models import User
from tests.conftest import submit
from tests.integration.conftest import Workers, wait_for, wait_until_idle
from tests.integration.flaky_email import ACCEPTED_KEY, ATTEMPTS_KEY

pytestmark = pytest.mark.django_db(transaction=True)

REFUSALS = 2


def test_a_refusing_mail_server_is_retried_until_the_email_is_sent_once(
    care_leaver: User, workers: Workers, redis_db: redis.Redis
) -> None:
    worker = workers.start(
        env={
            "TEST_EMAIL_BACKEND": "tests.integration.flaky_email.FlakyEmailBackend",
            "FLAKY_EMAIL_FAILURES": str(REFUSALS),
            "NOTIFICATION_RETRY_SECONDS": "2",
        }
    )
    item = submit(care_leaver).item

    # The only email routing sends here: the Leaving Care Team's inbox (no staff yet).
    # Retries back off 2 s, then 4 s: this waits about 6 seconds.
    notification = wait_for(
        lambda: Notification.objects.filter(item=item, state=Notification.State.SENT).first(),
        timeout=45,
        what="the arrival email to be sent after the refusals",
        describe=lambda: (
            f"{list(Notification.objects.values('state', 'attempts'))}\n{worker.log()}"
        ),
    )
    assert notification.channel == Notification.Channel.EMAIL
    assert notification.address == "leaving-care@council.example.org"
    assert notification.attempts == REFUSALS + 1
    assert notification.last_error == ""
    assert notification.sent_at is not None

    # Asked to send it again (a duplicate message, or the sweep): nothing goes out.
    tasks.send_notifications.delay([notification.pk])
    tasks.sweep_notifications.delay()
    wait_until_idle(redis_db, describe=worker.log)

    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert notification.attempts == REFUSALS + 1
    assert int(redis_db.get(ATTEMPTS_KEY)) == REFUSALS + 1
    accepted = [json.loads(raw) for raw in redis_db.lrange(ACCEPTED_KEY, 0, -1)]
    assert accepted == [{"to": [notification.address], "subject": notification.subject}]
    assert Notification.objects.count() == 1
