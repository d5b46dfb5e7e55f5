"""docker-compose.yml: valid against the Compose Specification, migrations run once before
the portal starts, no default database password, and every long-running service watched,
its logs capped and its memory limited. Beat's healthcheck command answers as /healthz does."""

from __future__ import annotations

import re
import runpy
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal import heartbeats

ROOT = Path(__file__).resolve().parents[2]
VALIDATE = runpy.run_path(str(ROOT / ".ci" / "compose-validate"), run_name="compose_validate")
# One-off jobs: they run, finish and are gone, so there is nothing to watch. Caddy's image
# has no probe of the proxy's own (`caddy reverse-proxy` serves only the site).
NOT_WATCHED = {"migrate", "backup", "proxy"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return VALIDATE["load"]()


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def portal_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The services that run the portal's image, the one-off migrate apart."""
    return {
        name: service
        for name, service in services.items()
        if service.get("image") == "your-voice-portal" and name != "migrate"
    }


def test_the_file_follows_the_compose_specification(compose):
    assert VALIDATE["errors"](compose) == []


def test_the_validator_refuses_what_compose_would(compose):
    broken = {**compose, "services": {**compose["services"]}}
    broken["services"]["web"] = {**broken["services"]["web"], "mem_limt": "1g"}
    broken["services"]["beat"] = {
        **broken["services"]["beat"],
        "depends_on": {"migrate": {"condition": "service_finished"}},
    }
    found = VALIDATE["errors"](broken)
    assert any(line.startswith("services/web:") and "mem_limt" in line for line in found)
    assert any(line.startswith("services/beat/depends_on") for line in found)


def test_migrations_run_once_in_a_one_off_service_the_portal_waits_for(services):
    migrate = services["migrate"]
    assert migrate["command"] == "python manage.py migrate --noinput"
    assert migrate["restart"] == "no"
    waiting = portal_services(services)
    assert set(waiting) == {"web", "worker", "worker-urgent", "beat"}
    for name, service in waiting.items():
        assert service["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
        assert "migrate" not in str(service["command"]), f"{name} migrates on its own start"


def test_the_database_password_is_required_with_no_default():
    text = (ROOT / "docker-compose.yml").read_text()
    uses = re.findall(r"\$\{POSTGRES_PASSWORD[^}]*\}", text)
    assert uses, "the password is not read from the environment"
    assert all(use.startswith("${POSTGRES_PASSWORD:?") for use in uses), uses
    without = {k: v for k, v in VALIDATE["SAMPLES"].items() if k != "POSTGRES_PASSWORD"}
    with pytest.raises(ValueError, match="POSTGRES_PASSWORD is required"):
        VALIDATE["load"](env=without)
    with pytest.raises(ValueError, match="POSTGRES_PASSWORD is required"):
        VALIDATE["load"](env={**without, "POSTGRES_PASSWORD": ""})


def test_every_long_running_service_has_a_healthcheck(services):
    for name, service in services.items():
        if name not in NOT_WATCHED:
            assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert "/healthz/live" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["beat"]["healthcheck"]["test"] == ["CMD", "python", "manage.py", "beat_alive"]


@pytest.mark.parametrize("name", ["worker", "worker-urgent"])
def test_each_worker_is_pinged_by_the_node_name_it_runs_as(services, name):
    node = re.search(r"-n (\w+)@%h", services[name]["command"])
    assert node, f"{name} sets no node name"
    probe = " ".join(services[name]["healthcheck"]["test"])
    assert f"celery -A portal inspect ping -d {node[1]}@$HOSTNAME" in probe


def test_the_urgent_queue_keeps_a_worker_of_its_own(services):
    assert re.search(r"-Q urgent(\s|$)", services["worker-urgent"]["command"])


def test_beat_needs_no_schedule_file_volume(services):
    assert "--schedule" not in services["beat"]["command"]
    assert "volumes" not in services["beat"]


def test_every_service_caps_its_logs_and_memory(services):
    for name, service in services.items():
        assert service.get("logging") == {
            "driver": "json-file",
            "options": {"max-size": "10m", "max-file": "5"},
        }, name
        limit = service.get("mem_limit") or (
            service.get("deploy", {}).get("resources", {}).get("limits", {}).get("memory")
        )
        assert limit, f"{name} has no memory limit"


@pytest.mark.django_db
def test_beat_alive_answers_while_beat_ticks():
    heartbeats.record(heartbeats.BEAT, timezone.now() - timedelta(seconds=100))
    call_command("beat_alive")


@pytest.mark.django_db
def test_beat_alive_fails_once_beat_is_silent_for_two_minutes():
    heartbeats.record(heartbeats.BEAT, timezone.now() - timedelta(seconds=125))
    with pytest.raises(CommandError, match=r"beat is not ticking: silent for 12[56] s"):
        call_command("beat_alive")


@pytest.mark.django_db
def test_beat_alive_fails_when_beat_never_ran():
    with pytest.raises(CommandError, match="beat is not ticking: never seen"):
        call_command("beat_alive")
