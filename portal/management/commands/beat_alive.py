"""`manage.py beat_alive`: beat's container healthcheck (docker-compose.yml).

Exits 0 while beat has recorded a tick in the last 2 minutes (portal.heartbeats, the
same limit /healthz uses), 1 otherwise, saying how long it has been silent.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal import heartbeats


class Command(BaseCommand):
    help = "Exit 0 if Celery beat has ticked in the last 2 minutes, else 1 (a healthcheck)."
    # A healthcheck every minute: the system checks (which import every view) are not its job.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        state = heartbeats.silences()[heartbeats.BEAT]
        if state != "ok":
            raise CommandError(f"beat is not ticking: {state}", returncode=1)
        self.stdout.write("beat: ok")
