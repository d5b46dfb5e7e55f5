"""/healthz, for monitors: what answers, what has gone quiet, what waits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.models import Item
from portal.beat import RecordingScheduler
from portal.celery import app
from portal.models import Heartbeat
from portal.tasks import heartbeat
from tests.conftest import client_for, submit


@pytest.fixture
def alive(beat_and_workers_alive, settings):
    """Beat and the workers alive; a broker that answers."""
    settings.CELERY_BROKER_URL = "memory://"


def test_healthz_reports_database_broker_beat_and_each_queue(alive):
    response = client_for(None).get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("database", "broker", "mail", "beat")} == {
        "database": "ok",
        "broker": "ok",
        "mail": "ok",
        "beat": "ok",
    }
    assert [body[f"queue {q}"] for q in ("urgent", "default", "notifications")] == ["ok"] * 3
    assert body["waiting"] == {
        "oldest_unrouted_seconds": None,
        "oldest_unsent_message_seconds": None,
        "oldest_unacknowledged_urgent_seconds": None,
    }
    assert set(body["channels"]) == {"email", "sms"}


def test_a_stopped_beat_turns_healthz_red_after_two_minutes(alive):
    Heartbeat.objects.filter(name="beat").update(at=timezone.now() - timedelta(seconds=90))
    assert client_for(None).get("/healthz").status_code == 200
    Heartbeat.objects.filter(name="beat").update(at=timezone.now() - timedelta(seconds=180))
    response = client_for(None).get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"] == "silent for 180 s"


def test_a_queue_with_no_live_worker_turns_healthz_red(alive):
    Heartbeat.objects.filter(name="queue:urgent").delete()
    response = client_for(None).get("/healthz")
    assert response.status_code == 503
    assert response.json()["queue urgent"] == "never seen"


def test_an_item_stuck_unrouted_turns_healthz_red_and_says_how_long(alive, care_leaver):
    item = submit(care_leaver).item
    assert client_for(None).get("/healthz").status_code == 200  # just sent: being routed
    Item.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    response = client_for(None).get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["waiting"]["oldest_unrouted_seconds"] >= 180
    assert body["routing"].startswith("an item has waited")
    assert item.reference not in response.content.decode()  # ages only, no item


def test_the_heartbeat_task_and_beat_s_tick_are_recorded(db, tmp_path):
    heartbeat("queue:default")
    beat = RecordingScheduler(app=app, schedule_filename=str(tmp_path / "schedule"))
    beat.tick()
    assert set(Heartbeat.objects.values_list("name", flat=True)) == {"queue:default", "beat"}
    beat.close()


def test_beat_sends_a_heartbeat_to_every_queue_every_30_seconds():
    sent = {
        entry["options"]["queue"]: entry["schedule"]
        for name, entry in app.conf.beat_schedule.items()
        if name.startswith("heartbeat-")
    }
    assert sent == {"urgent": 30.0, "default": 30.0, "notifications": 30.0}


def test_the_probes_answer_whatever_host_the_container_asks_by(alive, settings):
    settings.ALLOWED_HOSTS = ["voice.council.example"]
    client = client_for(None)
    probe = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert probe.status_code == 200
    assert "no-store" in probe["Cache-Control"]  # a monitor never reads a cached answer
    assert "no-store" in client.get("/healthz/live")["Cache-Control"]
    assert client.get("/healthz/live", HTTP_HOST="127.0.0.1:8000").json() == {
        "web": "ok",
        "database": "ok",
    }
    assert client.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400  # everything else


def test_healthz_is_503_when_the_broker_is_unreachable(alive, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client_for(None).get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["broker"].startswith("down")


def test_healthz_is_503_when_mail_would_only_go_to_the_console(alive, settings):
    settings.MAIL_GOES_NOWHERE = True
    response = client_for(None).get("/healthz")
    assert response.status_code == 503
    assert response.json()["mail"].startswith("not configured")


def test_mail_goes_nowhere_only_outside_the_demo_without_a_mail_server():
    import os
    import subprocess
    import sys
    from pathlib import Path

    def flag(**env: str) -> str:
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PORTAL_", "EMAIL_", "DEBUG", "CELERY_"))
        }
        return subprocess.run(
            [sys.executable, "-c",
             "import django; from django.conf import settings; django.setup();"
             " print(settings.MAIL_GOES_NOWHERE)"],
            cwd=Path(__file__).resolve().parents[2],
            env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", "SECRET_KEY": "k" * 50, **env},
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout.strip()  # fmt: skip

    assert flag() == "True"
    assert flag(EMAIL_HOST="smtp.council.example") == "False"
    assert flag(PORTAL_EMBEDDED="1") == "False"
