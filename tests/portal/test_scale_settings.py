"""Past one machine: every web process shares one cache, and the broker may be a Redis
watched by Sentinel."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings

from portal.checks import cache_shared
from tests.portal.test_settings import ROOT, start_up

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": "redis://r/0"}}


def test_a_cache_of_each_process_s_own_stops_a_deployment():
    with override_settings(PORTAL_EMBEDDED=False, CACHES=LOCMEM, DEBUG=False):
        problems = cache_shared()
    assert [p.id for p in problems] == ["portal.E104"]
    assert "REDIS_URL" in (problems[0].hint or "")


@pytest.mark.parametrize(
    ("embedded", "caches"), [(True, LOCMEM), (False, REDIS)], ids=["demo", "redis"]
)
def test_a_shared_cache_or_the_one_process_demo_passes(embedded, caches):
    with override_settings(PORTAL_EMBEDDED=embedded, CACHES=caches):
        assert cache_shared() == []


PRINT_OPTIONS = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps(settings.CELERY_BROKER_TRANSPORT_OPTIONS))"
)


def _options(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRINT_OPTIONS],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_sentinel_broker_asks_for_the_named_master_and_keeps_the_queue_order():
    result = _options(
        PORTAL_EMBEDDED="1",
        CELERY_BROKER_URL="sentinel://s1:26379/0;sentinel://s2:26379/0",
        CELERY_SENTINEL_MASTER="portal-redis",
    )
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options["master_name"] == "portal-redis"
    assert options["queue_order_strategy"] == "priority"


def test_a_sentinel_broker_without_its_master_s_name_stops_start_up():
    result = start_up(PORTAL_EMBEDDED="1", CELERY_BROKER_URL="sentinel://s1:26379/0")
    assert result.returncode != 0
    assert "CELERY_SENTINEL_MASTER" in result.stderr.splitlines()[-1]
