from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import fake_notify

TEXT_TEMPLATES = {
    "item-urgent": "7c1b3a52-0d4e-4f4e-9a56-5f8f9a0b1c01",
    "urgent-escalation": "7c1b3a52-0d4e-4f4e-9a56-5f8f9a0b1c02",
    "update": "7c1b3a52-0d4e-4f4e-9a56-5f8f9a0b1c03",
    "update-cy": "7c1b3a52-0d4e-4f4e-9a56-5f8f9a0b1c04",
    "update-ar": "7c1b3a52-0d4e-4f4e-9a56-5f8f9a0b1c05",
}
EMAIL_TEMPLATE = "7c1b3a52-0d4e-4f4e-9a56-5f8f9a0b1c00"


@pytest.fixture
def notify(settings) -> Iterator[fake_notify.FakeNotify]:
    """A fake GOV.UK Notify on a free local port, with the portal set to text through it."""
    fake, server = fake_notify.start()
    settings.NOTIFY_API_KEY = fake_notify.API_KEY
    settings.NOTIFY_BASE_URL = fake.url
    settings.NOTIFY_TEXT_TEMPLATES = TEXT_TEMPLATES
    settings.NOTIFY_TEMPLATE_EMAIL = EMAIL_TEMPLATE
    settings.TEXT_ALERTS = True
    yield fake
    server.shutdown()
    server.server_close()
