"""Start-up checks of feedback's own (run by `manage.py migrate` and `check --deploy` before
the web server starts)."""

from __future__ import annotations

from typing import Any

from django.core import checks


def read_record(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from feedback.models import ItemQuerySet

    if ItemQuerySet.read_record_holds():
        return []
    return [
        checks.Error(
            "Staff reads of young people's words would not be recorded on this Django version.",
            hint="feedback.models.ItemQuerySet leans on QuerySet._clone and _fetch_all: "
            "adapt it to this version before starting the portal.",
            id="feedback.E001",
        )
    ]
