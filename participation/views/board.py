"""The public "You Said, We Did" board: no sign-in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from participation.models import Action, ActionStatus, Theme
from portal.models import Service


def _number(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def board(request: HttpRequest) -> HttpResponse:
    """Public actions: what young people said and what services did."""
    rows = Action.objects.public()
    params = request.GET
    if (theme := _number(params.get("theme", ""))) is not None:
        rows = rows.filter(themes__pk=theme)
    if (service := _number(params.get("service", ""))) is not None:
        rows = rows.filter(service_id=service)
    if params.get("status") in ActionStatus.values:
        rows = rows.filter(status=params["status"])
    rows = rows.distinct().with_updates().order_by("-updated_at")[:100]
    return render(
        request,
        "participation/board.html",
        {
            "actions": rows,
            "themes": Theme.objects.filter(actions__in=Action.objects.public()).distinct(),
            "services": Service.objects.filter(actions__in=Action.objects.public()).distinct(),
            "statuses": [(s.value, s.label) for s in ActionStatus if s != ActionStatus.PROPOSED],
            "filters": params,
        },
    )
