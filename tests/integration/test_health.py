"""/healthz tells a load balancer whether the database and the broker answer."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from tests.integration.conftest import DEAD_BROKER_URL

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_is_ok_with_real_postgres_and_redis(
    client: Client, beat_and_workers_alive: None
) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("database", "broker", "mail")} == {
        "database": "ok",
        "broker": "ok",
        "mail": "ok",
    }
    assert set(body["channels"]) == {"email", "sms"}


def test_healthz_is_unavailable_when_the_broker_cannot_be_reached(
    client: Client, settings: Settings
) -> None:
    settings.CELERY_BROKER_URL = DEAD_BROKER_URL
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("down: ")
