"""/metrics, for Prometheus: the portal's gauges from real data, in the text format,
with nothing of a young person in it, and a 404 for anyone not allowed to scrape."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import redis
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from feedback import dispatch, services
from feedback.models import Item, Notification, Status
from portal.celery import app
from portal.models import Heartbeat
from tests.conftest import client_for, submit
from tests.integration.conftest import redis_url_for_tests

pytestmark = pytest.mark.django_db

NOW = "2026-11-18 10:00Z"  # a Wednesday, no holiday near
WORDS = "Marmalade trampoline secret 7193482605 please help"
TOKEN = "scrape-token-0123456789abcdef"
OUTSIDE = "203.0.113.9"  # an address not in METRICS_ALLOWED_IPS


def scrape(**extra: str) -> dict[str, dict[tuple, float]]:
    response = Client().get("/metrics", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content.decode())


@contextmanager
def broker(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The Celery app's broker for the block (Celery reads CELERY_BROKER_URL first)."""
    previous = app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    app.conf.broker_url = url
    try:
        yield
    finally:
        monkeypatch.undo()
        app.conf.broker_url = previous


def samples(text: str) -> dict[str, dict[tuple, float]]:
    """Every sample of the exposition, parsed by prometheus_client's own parser."""
    found: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


@pytest.mark.travel(NOW)
def test_the_gauges_show_what_the_database_holds(
    care_leaver, young_person, caseworker, beat_and_workers_alive
):
    now = timezone.now()
    # An idea, routed, its acknowledgement four days overdue (due last Friday).
    late = submit(young_person, topic="school", words=WORDS).item
    dispatch.route_item(late.pk)
    Item.objects.filter(pk=late.pk).update(
        due_on=now.date() - timedelta(days=5), due_at=None, clock="acknowledge"
    )
    # A worry, sent after routing ran, unrouted for ten minutes.
    waiting = submit(care_leaver, kind="worry", words=WORDS).item
    Item.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(minutes=10))
    # A child at risk nobody has acknowledged for 20 minutes.
    urgent = submit(young_person, kind="worry", words="he hits me and I am not safe").item
    Item.objects.filter(pk=urgent.pk).update(
        safeguarding=True, status=Status.ROUTED, created_at=now - timedelta(minutes=20)
    )
    # A closed one is not counted as open.
    closed = submit(care_leaver, kind="compliment", words=WORDS).item
    Item.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    Heartbeat.objects.filter(name="beat").update(at=now - timedelta(seconds=45))
    Heartbeat.objects.filter(name="queue:notifications").delete()
    Notification.objects.all().delete()
    Notification.objects.create(key="a", channel="email", template="t", state="pending")
    Notification.objects.create(key="b", channel="email", template="t", state="failed")
    Notification.objects.create(key="c", channel="sms", template="t", state="failed")
    Notification.objects.create(
        key="d", channel="sms", template="t", state="sent", sent_at=now - timedelta(hours=2)
    )

    got = scrape()

    assert got["portal_beat_last_tick_age_seconds"][()] == 45
    ages = {labels[0][1]: v for labels, v in got["portal_queue_heartbeat_age_seconds"].items()}
    assert ages == {"urgent": 0, "default": 0, "notifications": float("inf")}
    assert got["portal_oldest_unrouted_item_age_seconds"][()] == 600
    assert got["portal_oldest_unacknowledged_urgent_item_age_seconds"][()] == 1200
    # Due Friday the 13th: overdue since Saturday 00:00 in London, four days and ten hours.
    assert got["portal_oldest_overdue_item_seconds"][()] == (4 * 24 + 10) * 3600
    assert got["portal_open_items"] == {
        (("kind", "worry"), ("status", "submitted")): 1,
        (("kind", "idea"), ("status", "routed")): 1,
        (("kind", "worry"), ("status", "routed")): 1,
    }
    assert got["portal_items_sent_last_day"] == {
        (("kind", "worry"),): 2,
        (("kind", "idea"),): 1,
        (("kind", "compliment"),): 1,
    }
    assert got["portal_notifications"] == {
        (("channel", "email"), ("state", "failed")): 1,
        (("channel", "email"), ("state", "pending")): 1,
        (("channel", "sms"), ("state", "failed")): 1,
    }
    assert got["portal_notifications_sent_last_day"] == {(("channel", "sms"),): 1}
    # django-prometheus's own figures come with them.
    assert "django_http_requests_before_middlewares_total" in got


@pytest.mark.travel(NOW)
def test_nothing_of_a_young_person_appears_in_the_metrics(care_leaver, caseworker):
    sent = submit(care_leaver, words=WORDS, identity="confidential")
    dispatch.route_item(sent.item.pk)
    services.staff_reply(item=Item.objects.get(pk=sent.item.pk), by=caseworker, text=WORDS)
    text = Client().get("/metrics").content.decode()
    assert "portal_open_items" in text
    secrets = [
        WORDS,
        "7193482605",
        care_leaver.username,
        care_leaver.email,
        care_leaver.display_name,
    ]
    secrets += [sent.item.reference, caseworker.username]
    if sent.tracking_code:
        secrets += [sent.tracking_code, sent.tracking_code.replace("-", "")]
    assert [s for s in secrets if s in text] == []


def test_from_another_address_without_the_token_it_is_not_found(caseworker, settings):
    settings.METRICS_TOKEN = TOKEN
    client = client_for(None)
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 404
    wrong = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 404
    assert b"portal_" not in wrong.content
    # Through a proxy, even from an allowed address: the token is needed.
    forwarded = client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert forwarded.status_code == 404
    # A member of staff signed in is no scraper either.
    assert client_for(caseworker).get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 404


def test_the_token_or_an_allowed_address_lets_a_scrape_in(db, settings):
    settings.METRICS_TOKEN = TOKEN
    by_token = Client().get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert by_token.status_code == 200
    assert "no-store" in by_token["Cache-Control"] or "max-age=0" in by_token["Cache-Control"]
    assert "portal_beat_last_tick_age_seconds" in by_token.content.decode()
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    assert Client().get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_without_a_token_set_no_bearer_gets_in(db, settings):
    settings.METRICS_TOKEN = ""
    response = Client().get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


def test_it_answers_whatever_host_the_scraper_asks_by(db, settings):
    settings.ALLOWED_HOSTS = ["voice.council.example"]
    response = Client().get("/metrics", HTTP_HOST="web:8000")
    assert response.status_code == 200
    assert "portal_beat_last_tick_age_seconds" in response.content.decode()


def test_queue_depths_are_read_from_a_redis_broker(db, settings, monkeypatch):
    if not settings.REDIS_URL:
        # As the integration tests: CI (PORTAL_REQUIRE_SERVICES=1) fails rather than skips.
        why = "needs REDIS_URL: the queue depths are read from a Redis broker"
        if settings.PORTAL_REQUIRE_SERVICES:
            pytest.fail(why)
        pytest.skip(why)
    # The integration tests' own Redis database: never a developer's queued tasks.
    url = redis_url_for_tests()
    client = redis.Redis.from_url(url)
    keys = ["urgent", "default", "default\x06\x169", "notifications", "unacked"]
    client.delete(*keys)
    try:
        with broker(url, monkeypatch):
            client.lpush("urgent", "m1", "m2")
            client.lpush("default", "m3")
            client.lpush("default\x06\x169", "m4")  # kombu's list for priority 9
            client.hset("unacked", "tag", "m5")
            got = scrape()
    finally:
        client.delete(*keys)
    depths = {labels[0][1]: v for labels, v in got["portal_queue_depth"].items()}
    assert depths == {"urgent": 2, "default": 2, "notifications": 0}
    assert got["portal_broker_unacked_tasks"][()] == 1
    assert got["portal_broker_up"][()] == 1


def test_no_queue_depths_without_a_redis_broker(db, monkeypatch):
    with broker("memory://", monkeypatch):
        got = scrape()
    assert "portal_queue_depth" not in got
    assert "portal_broker_up" not in got


def test_a_broker_that_does_not_answer_is_said_and_the_rest_still_shows(db, monkeypatch):
    with broker("redis://127.0.0.1:1/0", monkeypatch):
        got = scrape()
    assert got["portal_broker_up"][()] == 0
    assert "portal_queue_depth" not in got
    assert "portal_oldest_unrouted_item_age_seconds" in got
