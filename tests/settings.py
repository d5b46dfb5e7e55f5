"""Test settings: the real settings, with test-only switches set before they are read."""

import os

os.environ.setdefault("PORTAL_EMBEDDED", "1")
os.environ.setdefault("PORTAL_TESTING", "1")
os.environ.setdefault("PORTAL_FAST_PASSWORD_HASHER", "1")
if not os.environ.get("REDIS_URL"):
    # Unit tests never need a broker; tasks sent on commit go nowhere.
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")

from portal.settings import *  # noqa: F403

EMAIL_BACKEND = os.environ.get(
    "TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
