"""Celery beat's scheduler, recording each tick (at most every 30 s) for /healthz."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery.beat import PersistentScheduler

log = logging.getLogger(__name__)


class RecordingScheduler(PersistentScheduler):
    """The default scheduler, which also says it is alive (portal.heartbeats)."""

    _recorded = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        wait = float(super().tick(*args, **kwargs))
        if time.monotonic() - self._recorded >= 30:
            from portal import heartbeats  # Django is set up once beat runs

            try:
                heartbeats.record(heartbeats.BEAT)
                self._recorded = time.monotonic()
            except Exception as exc:  # the database away: /healthz says so too
                log.warning("beat could not record its tick: %s", type(exc).__name__)
        return min(wait, 30.0)
