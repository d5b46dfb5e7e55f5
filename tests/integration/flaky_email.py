"""An email backend that refuses the first sends, for a worker process to use.

A mock cannot reach into another process, so the worker is started with
TEST_EMAIL_BACKEND=tests.integration.flaky_email.FlakyEmailBackend. Attempts
and accepted messages are counted in the tests' Redis database, where the test
reads them.
"""

from __future__ import annotations

import json
import os
import smtplib
from collections.abc import Sequence

import redis
from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

ATTEMPTS_KEY = "flaky-email:attempts"
ACCEPTED_KEY = "flaky-email:accepted"


def failures_wanted() -> int:
    return int(os.environ.get("FLAKY_EMAIL_FAILURES", "2"))


class FlakyEmailBackend(BaseEmailBackend):
    """Raises SMTPServerDisconnected for the first FLAKY_EMAIL_FAILURES messages, then accepts."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        counter = redis.Redis.from_url(settings.REDIS_URL)
        accepted = 0
        try:
            for message in email_messages:
                if counter.incr(ATTEMPTS_KEY) <= failures_wanted():
                    raise smtplib.SMTPServerDisconnected("connection unexpectedly closed (test)")
                counter.rpush(
                    ACCEPTED_KEY, json.dumps({"to": message.to, "subject": message.subject})
                )
                accepted += 1
        finally:
            counter.close()
        return accepted
