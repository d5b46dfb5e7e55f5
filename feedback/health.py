"""What is waiting, for /healthz: the oldest unrouted item, the oldest message not yet
sent, the oldest child at risk nobody has acknowledged. Ages only: no words, no names."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min
from django.utils import timezone

from feedback.models import Item, Notification, Status


def _age(oldest: datetime | None, now: datetime) -> int | None:
    return None if oldest is None else max(0, int((now - oldest).total_seconds()))


def waiting(now: datetime | None = None) -> dict[str, int | None]:
    """Seconds since each oldest waiting thing arrived (None when nothing waits)."""
    now = now or timezone.now()
    unrouted = Item.objects.unrouted().aggregate(at=Min("created_at"))["at"]
    unsent = Notification.objects.filter(
        state__in=[Notification.State.PENDING, Notification.State.SENDING]
    ).aggregate(at=Min("created_at"))["at"]
    unacknowledged = Item.objects.filter(
        safeguarding=True, status__in=[Status.SUBMITTED, Status.ROUTED]
    ).aggregate(at=Min("created_at"))["at"]
    return {
        "oldest_unrouted_seconds": _age(unrouted, now),
        "oldest_unsent_message_seconds": _age(unsent, now),
        "oldest_unacknowledged_urgent_seconds": _age(unacknowledged, now),
    }
