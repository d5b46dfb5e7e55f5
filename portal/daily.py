"""Daily jobs that neither skip nor repeat a day, however often beat restarts.

Beat keeps no schedule across a deployment (its file is not on a volume, and a new
container starts afresh), so "every 24 hours" is first due a day after each start: a
team that deploys daily would never run retention. Instead beat asks for each daily job
every few minutes (portal/celery.py), and the job runs when `due` says so: at or after
its time of day (Europe/London), once that day, as the database records. A restart
costs at most one interval's delay, never a day.
"""

from __future__ import annotations

from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.models import DailyRun


def due(job: str, at: time, now: datetime | None = None) -> bool:
    """Whether `job` should run now: it is `at` or later today and it has not run today."""
    local = timezone.localtime(now)
    if local.time() < at:
        return False
    return not DailyRun.objects.filter(job=job, day=local.date()).exists()


def ran(job: str, now: datetime | None = None) -> None:
    """Record today's run, once it has done its work (so a run that fails is tried again
    at the next ask). Two runs at once are harmless: every daily job is idempotent, and
    only one record is kept."""
    local = timezone.localtime(now)
    try:
        with transaction.atomic():
            DailyRun.objects.create(job=job, day=local.date(), ran_at=local)
    except IntegrityError:
        pass  # the other run recorded it
