"""The manager's dashboard: who in each team has which open items, what is overdue, the
most pressing clock, what nobody has; and reassigning an item from there.

Gated by `feedback.access.team_scope` (a service manager: the services they manage; the
complaints manager: every service). Reassigning calls `services.assign`, the one way an
item changes hands, with its checks (a member of the item's service, an item still open).
Three queries whatever the number of items: the services, their members, the open items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import access, services
from feedback.forms import AssignForm
from feedback.models import Item
from feedback.staff_views import clock_text
from portal.models import Membership, Service, User
from portal.permissions import SignedInRequest, staff_required
from portal.refusals import Refused


@dataclass(frozen=True)
class TeamItem:
    item: Item
    clock: str
    overdue: bool


@dataclass
class Worker:
    """One person's open items in one service (or nobody's, when `user` is None)."""

    user: User | None
    # Assigned items outlive a membership: someone who left the team still has them.
    in_service: bool = True
    items: list[TeamItem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.user.shown_name if self.user else _("Nobody")

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.items if row.overdue)

    @property
    def oldest(self) -> TeamItem | None:
        """The clock due soonest (or overdue longest): what to look at first."""
        running = [row for row in self.items if row.item.is_clock_running]
        return min(running, key=lambda row: _due(row.item), default=None)


@dataclass
class Team:
    service: Service
    members: list[User]
    workers: list[Worker]
    unassigned: Worker

    @property
    def open(self) -> int:
        return sum(len(worker.items) for worker in self.workers) + len(self.unassigned.items)


def _due(item: Item) -> tuple[object, float]:
    return item.due_on, item.due_at.timestamp() if item.due_at else math.inf


def teams_for(user: User, now: datetime) -> list[Team]:
    scope = access.team_scope(user)
    service_list = list(scope.services)
    members: dict[int, list[User]] = {service.pk: [] for service in service_list}
    for membership in (
        Membership.objects.filter(service__in=service_list, user__is_active=True)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    ):
        members[membership.service_id].append(membership.user)
    workers: dict[int, dict[int | None, Worker]] = {
        service.pk: {person.pk: Worker(person) for person in members[service.pk]}
        for service in service_list
    }
    items = scope.items.select_related("topic", "assignee").order_by("due_on", "created_at")
    for item in items:
        team = workers[item.service_id]  # type: ignore[index]  # open items in scope are routed
        if item.assignee_id not in team:
            team[item.assignee_id] = Worker(item.assignee, in_service=item.assignee is None)
        team[item.assignee_id].items.append(TeamItem(item, clock_text(item, now), item.is_overdue))
    teams = []
    for service in service_list:
        team = workers[service.pk]
        unassigned = team.pop(None, None) or Worker(None)
        if not team and not unassigned.items:
            continue  # a service with nobody in it and nothing open: nothing to manage
        teams.append(
            Team(
                service=service,
                members=members[service.pk],
                workers=sorted(team.values(), key=lambda w: (not w.in_service, w.name.lower())),
                unassigned=unassigned,
            )
        )
    return teams


def _page(
    request: SignedInRequest, *, status: int = 200, refused: dict | None = None
) -> HttpResponse:
    return render(
        request,
        "feedback/staff/team.html",
        {"teams": teams_for(request.user, timezone.now()), "refused": refused},
        status=status,
    )


@staff_required
def team(request: SignedInRequest) -> HttpResponse:
    return _page(request)


@staff_required
@require_POST
def assign(request: SignedInRequest, reference: str) -> HttpResponse:
    """Reassign one item from the dashboard; a refusal shows the dashboard again with the
    reason beside that item's choice."""
    item = access.item_for_team(request.user, reference)
    form = AssignForm(request.POST, service_id=item.service_id)
    if not form.is_valid():
        message = str(form.errors["assignee"][0])
        return _page(request, status=400, refused={"reference": item.reference, "message": message})
    assignee = form.cleaned_data["assignee"]
    try:
        services.assign(item=item, by=request.user, assignee=assignee)
    except Refused as refused:
        return _page(
            request, status=400, refused={"reference": item.reference, "message": refused.message}
        )
    if assignee is None:
        messages.success(request, _("%(reference)s is now unassigned.") % {"reference": reference})
    else:
        messages.success(
            request,
            _("%(reference)s is now with %(name)s.")
            % {"reference": reference, "name": assignee.shown_name},
        )
    return redirect(reverse("feedback:team") + f"#team-{item.service_id}")
