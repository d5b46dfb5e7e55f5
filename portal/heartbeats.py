"""Heartbeats: whether beat ticks and each queue has a live worker, for /healthz.

Beat records its own tick (portal.beat.RecordingScheduler), and every 30 seconds sends a
heartbeat task to each queue (portal/celery.py), which the queue's worker records when
it runs it. A safeguarding clock is only as good as the beat and workers behind it, so
/healthz turns 503 when either has been silent for two minutes.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from portal.celery import QUEUES
from portal.models import Heartbeat

BEAT = "beat"
EVERY_SECONDS = 30.0
STALE_SECONDS = 120


def queue_name(queue: str) -> str:
    return f"queue:{queue}"


def record(name: str, now: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now or timezone.now()})


def silences(now: datetime | None = None) -> dict[str, str]:
    """Beat and each queue: "ok", or what is wrong in words (for /healthz)."""
    now = now or timezone.now()
    seen = dict(Heartbeat.objects.values_list("name", "at"))
    out = {}
    for label, name in [(BEAT, BEAT)] + [(f"queue {q}", queue_name(q)) for q in QUEUES]:
        at = seen.get(name)
        if at is None:
            out[label] = "never seen"
        elif (age := (now - at).total_seconds()) > STALE_SECONDS:
            out[label] = f"silent for {age:.0f} s"
        else:
            out[label] = "ok"
    return out
