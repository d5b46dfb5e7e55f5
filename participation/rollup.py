"""The roll-up behind the council's figures: finished months counted once, not per request.

Celery beat refreshes it every ten minutes (participation.tasks.refresh_rollup,
portal/celery.py): each finished month of twice the longest period the dashboard
offers (a period is shown beside the months before it) is recounted and marked rolled
up. The dashboard shows finished months only; what can be stale, for up to ten
minutes, is a theme tag added to or taken off an item, or what happened to it since.
A month not rolled up yet is counted live, so the figures are never missing a month.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from feedback.months import month_starts
from participation.figures import PERIODS, grouped
from participation.models import MonthlyCount, RolledUpMonth


def refresh(*, today: date | None = None) -> int:
    """Recount every finished month the dashboard can show. Returns how many months."""
    today = today or timezone.localdate()
    # Twice the longest period: each view is shown beside the months before it.
    longest = 2 * max(months for months, _label in PERIODS.values())
    months = month_starts(today, longest)[:-1]  # the current month is never shown
    cells = grouped(months)
    with transaction.atomic():
        MonthlyCount.objects.filter(month__in=months).delete()
        MonthlyCount.objects.bulk_create(
            MonthlyCount(
                month=months[index],
                audience=audience,
                topic_id=topic_id,
                kind=kind,
                mood=mood,
                themes=themes,
                answered=answered,
                said=said,
                changed=changed,
                n=n,
            )
            for (index, audience, topic_id, kind, mood, themes, answered, said, changed), n in cells
        )
        now = timezone.now()
        for month in months:
            RolledUpMonth.objects.update_or_create(month=month, defaults={"refreshed_at": now})
    return len(months)
