"""The Corporate Parenting Board's pack: the dashboard's figures at the meeting's date,
every agreed action with its latest update, and approved quotes; as a page and CSV."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from participation import access, figures
from participation.models import Action, ActionStatus, ActionUpdate, Excerpt, Meeting
from participation.views.dashboard import charts, quotes
from portal.exports import csv_download
from portal.permissions import SignedInRequest


def _pack(meeting: Meeting) -> tuple[figures.Figures, list[Action], list[Excerpt]]:
    if not meeting.is_board:
        raise Http404
    period = str(meeting.period_months) if str(meeting.period_months) in figures.PERIODS else "12"
    result = figures.figures(period=period, today=meeting.date)
    rows = list(
        Action.objects.exclude(status=ActionStatus.PROPOSED)
        .with_updates()
        .order_by("status", "-updated_at")
    )
    return result, rows, quotes(result, limit=10, until=meeting.date)


@access.council_required
def board_pack(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.meeting_for(request.user, pk)
    result, rows, found = _pack(obj)
    return render(
        request,
        "participation/board_pack.html",
        {
            "meeting": obj,
            "figures": result,
            "actions": rows,
            "quotes": found,
            "charts": charts(result),
        },
    )


def _action_row(action: Action) -> list[str]:
    latest = action.latest_update()
    return [
        action.you_said,
        action.service.name if action.service else "",
        action.get_status_display(),
        str(action.progress),
        action.review_on.isoformat() if action.review_on else "",
        _latest_words(latest),
    ]


def _latest_words(latest: ActionUpdate | None) -> str:
    if latest is None:
        return ""
    if latest.is_step_back:
        return f"{_('Step back')}: {latest.step_back_reason}. {latest.text}"
    return latest.text


@access.council_required
def board_pack_csv(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.meeting_for(request.user, pk)
    result, rows, found = _pack(obj)
    header = [
        _("Action"),
        _("Service"),
        _("Status"),
        _("Progress (%)"),
        _("Review date"),
        _("Latest update"),
    ]
    lines = [
        *figures.csv_rows(result),
        [],
        [_("Actions")],
        header,
        *(_action_row(action) for action in rows),
        [],
        [_("What young people said (approved excerpts)")],
        *([quote.text] for quote in found),
    ]
    return csv_download(request, f"board-pack-{obj.date.isoformat()}.csv", lines)
