"""Getting every item to the right people on time, as Celery runs it: routing new
items, the sweeps that catch what was missed, reminders and escalations, and
retention. Like feedback.services, every change is in a transaction and writes
the item's timeline (Event.record), and items move their own clocks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from feedback import languages, notifications
from feedback.event_data import ClockData, EscalatedData, HeldData, RoutedData
from feedback.models import (
    MINUTE_CLOCKS,
    Clock,
    ClockState,
    Event,
    EventKind,
    Identity,
    Item,
    ItemQuerySet,
    Kind,
    Notification,
    Route,
    Status,
    Visibility,
)
from feedback.routing import choose_route
from feedback.workdays import add_working_days, previous_working_day, working_days_between
from portal.models import Service

log = logging.getLogger(__name__)


ROUTING_BATCH = 50
_ROUTED_FIELDS = [
    "status", "service", "route", "routed_at", "clock", "clock_started_on", "due_on",
    "due_at", "clock_extended", "clock_state", "updated_at", "language", "needs_read",
]  # fmt: skip


@dataclass(frozen=True)
class _Rules:
    routes: list[Route]
    duty: Service | None
    triage: Service | None

    @classmethod
    def load(cls) -> _Rules:
        teams = list(Service.objects.active().filter(Q(is_duty_team=True) | Q(is_triage=True)))
        return cls(
            # With their services: the chosen route's service is then no extra query.
            routes=list(Route.objects.active().select_related("service").order_by("order", "id")),
            duty=next((s for s in teams if s.is_duty_team), None),
            triage=next((s for s in teams if s.is_triage), None),
        )

    def destination(self, item: Item) -> tuple[Service | None, Route | None]:
        """Safeguarding bypasses the routes; anything unmatched goes to triage."""
        if item.safeguarding and self.duty:
            return self.duty, None
        if item.held or item.needs_read:
            return self.triage, None  # a person checks (or reads) it before it goes on
        route = choose_route(
            self.routes, kind=item.kind, topic_id=item.topic_id, audience=item.audience
        )
        return (route.service, route) if route else (self.triage, None)


def route_item(item_id: int, *, batch: int = ROUTING_BATCH) -> bool:
    """Route this item, and up to `batch - 1` others still waiting, each exactly once.

    Returns whether this call routed `item_id` (False if it was routed already).
    The item is locked, waiting if another worker holds it; the others are taken
    with SKIP LOCKED, so two workers never route the same item nor wait on each
    other. A backlog drains in a few transactions, and the others' own tasks then
    find them routed for the price of one small query.
    """
    if not Item.objects.filter(pk=item_id, status=Status.SUBMITTED).exists():
        return False
    rules = _Rules.load()
    waiting = Item.objects.filter(status=Status.SUBMITTED).select_related("topic")
    with transaction.atomic():
        items = list(waiting.select_for_update(of=("self",)).filter(pk=item_id))
        if not items:
            return False  # another worker routed it while we waited for the lock
        if batch > 1:
            items += (
                waiting.select_for_update(of=("self",), skip_locked=True)
                .exclude(pk=item_id)
                .order_by("-safeguarding", "created_at")[: batch - 1]
            )
        now = timezone.now()
        routed: list[Item] = []
        for item in items:
            _name_language(item)
            service, route = rules.destination(item)
            if service is None:
                log.error("no active triage service: item %s left unrouted", item.pk)
                continue
            item.status, item.service, item.route, item.routed_at = (
                Status.ROUTED,
                service,
                route,
                now,
            )
            item.start_first_clock()
            item.updated_at = now  # update() skips auto_now
            routed.append(item)
        _save_routed(routed)
        Event.objects.bulk_create(
            Event(
                item=item,
                kind=EventKind.SAFEGUARDING
                if item.safeguarding and item.routed_service.is_duty_team
                else EventKind.ROUTED,
                actor_label=item.routed_service.name,
                visibility=Visibility.YOUNG_PERSON,
                data=RoutedData(
                    service=item.routed_service.name,
                    service_id=item.routed_service.pk,
                    reasons=item.safeguarding_reasons,
                    in_a_sentence=item.routed_service.in_a_sentence,
                ),
                created_at=now,
            )
            for item in routed
        )
        Event.objects.bulk_create(
            Event(
                item=item,
                kind=EventKind.HELD,
                visibility=Visibility.STAFF,
                data=HeldData(service_id=item.service_id),
                created_at=now,
            )
            for item in routed
            if item.held and not item.safeguarding
        )
        notifications.items_arrived(routed)
    return any(item.pk == item_id for item in routed)


def _name_language(item: Item) -> None:
    """A postcard not in English is named and read today by triage, unless its words
    read as risk: the duty team has it then, with its language named.

    Here, not in the request: the detector's models (18 MB, built when a postcard first
    gets past the English guard; feedback.languages) live in the routing worker only.
    Risk words in any language flag at submission."""
    item.language = languages.detect(item.words)
    item.needs_read = bool(item.language) and not item.safeguarding


def _save_routed(items: list[Item]) -> None:
    """Write the routed fields: one UPDATE for each set of items that take the same values.

    A batch has a handful of such sets (the same service, clock and due day), and
    a plain UPDATE per set costs a fiftieth of Django's bulk_update, whose CASE
    for every field and item took a millisecond an item to build.
    """
    columns = {field.name: field.attname for field in Item._meta.concrete_fields}
    attnames = [columns[name] for name in _ROUTED_FIELDS]
    alike: dict[tuple[object, ...], list[int]] = {}
    for item in items:
        alike.setdefault(tuple(getattr(item, name) for name in attnames), []).append(item.pk)
    for values, pks in alike.items():
        Item.objects.filter(pk__in=pks).update(**dict(zip(attnames, values, strict=True)))


def items_to_sweep(older_than: datetime) -> tuple[list[int], list[int]]:
    """Unrouted items older than `older_than`: (safeguarding ones, the rest).

    Safeguarding items first, each to be routed alone on the urgent queue; then
    one item in every ROUTING_BATCH of the rest, oldest first, since each
    routing task takes that many waiting items with it.
    """
    waiting = list(
        Item.objects.unrouted()
        .filter(created_at__lt=older_than)
        .order_by("-safeguarding", "created_at")
        .values_list("pk", "safeguarding")[: 10 * ROUTING_BATCH]
    )
    urgent = [pk for pk, safeguarding in waiting if safeguarding]
    rest = [pk for pk, safeguarding in waiting if not safeguarding]
    return urgent, rest[::ROUTING_BATCH]


def alert_unrouted(older_than: datetime) -> int:
    """Tell the complaints manager, once per item, of anything unrouted for too long."""
    count = 0
    for item in Item.objects.unrouted().filter(created_at__lt=older_than, routing_alerted=False):
        with transaction.atomic():
            if not Item.objects.filter(pk=item.pk, routing_alerted=False).update(
                routing_alerted=True, updated_at=timezone.now()
            ):
                continue
            Event.record(item, EventKind.ROUTING_ALERT, staff_only=True)
            notifications.routing_alert(item)
            count += 1
    return count


# --- Clocks: reminders and escalations --------------------------------------------


def _claim(item: Item, to_state: ClockState) -> bool:
    """Move this item's clock on to `to_state` if it is still the clock, deadline and
    state we read: the one conditional claim every reminder and escalation shares, so
    two beat runs or two workers never both send the same one."""
    escalating = to_state >= ClockState.ESCALATED_MANAGER
    claimed = Item.objects.filter(
        pk=item.pk,
        clock=item.clock,
        due_on=item.due_on,
        due_at=item.due_at,
        clock_state=item.clock_state,
    ).update(
        clock_state=to_state, escalated=item.escalated or escalating, updated_at=timezone.now()
    )
    if claimed:
        item.clock_state = to_state
    return bool(claimed)


def _due(item: Item) -> str:
    deadline = item.due_at or item.due_on
    return deadline.isoformat() if deadline else ""


def _remind(item: Item) -> None:
    data = ClockData(due=_due(item), clock=item.clock)
    Event.record(item, EventKind.REMINDER, staff_only=True, data=data)
    notifications.reminder(item)


def _escalate(item: Item, level: str) -> None:
    data = EscalatedData(due=_due(item), clock=item.clock, to=level)
    Event.record(item, EventKind.ESCALATED, staff_only=True, data=data)
    if item.clock in (Clock.URGENT, Clock.DECISION):  # a child at risk
        notifications.urgent_escalation(item, level)
    else:
        notifications.escalation(item, level)


def _step(items: ItemQuerySet, to_state: ClockState, act: Callable[[Item], None]) -> int:
    """Claim and act on each item, each in its own transaction; how many were done."""
    done = 0
    for item in items.select_related("service", "topic", "assignee"):
        with transaction.atomic():
            if _claim(item, to_state):
                act(item)
                done += 1
    return done


def check_clocks(today: date | None = None) -> dict[str, int]:
    """Clocks counted in working days: remind before the deadline, escalate to the
    service manager after it, and to the complaints manager when well past it."""
    today = today or timezone.localdate()
    remind_by = add_working_days(today, settings.REMIND_DAYS_BEFORE)
    # No "due soon" in an item's first working day (the day it came, or the next working
    # day if it came on a day off): its service heard of it only just now. Those are the
    # items that came after the last working day before today.
    first_day_from = timezone.make_aware(
        datetime.combine(previous_working_day(today) + timedelta(days=1), time.min)
    )
    # An erased item is closed with its clock stopped; an anonymised one is skipped even
    # so: nobody is reminded about a person who asked to be forgotten.
    running = (
        Item.objects.clock_running()
        .filter(anonymised_at__isnull=True)
        .exclude(clock__in=MINUTE_CLOCKS)
    )
    late = running.filter(due_on__lt=today)
    very_late = [
        item.pk
        for item in late.filter(clock_state=ClockState.ESCALATED_MANAGER).only("due_on")
        if item.due_on is not None
        and working_days_between(item.due_on, today)
        > settings.ESCALATE_TO_COMPLAINTS_MANAGER_AFTER_DAYS
    ]
    return {
        "reminded": _step(
            running.filter(
                clock_state=ClockState.RUNNING,
                due_on__range=(today, remind_by),
                created_at__lt=first_day_from,
            ),
            ClockState.REMINDED,
            _remind,
        ),
        "escalated_manager": _step(
            late.filter(clock_state__lt=ClockState.ESCALATED_MANAGER),
            ClockState.ESCALATED_MANAGER,
            lambda item: _escalate(item, "manager"),
        ),
        "escalated_complaints": _step(
            late.filter(pk__in=very_late),
            ClockState.ESCALATED_COMPLAINTS,
            lambda item: _escalate(item, "complaints_manager"),
        ),
    }


def check_urgent_clocks(now: datetime | None = None) -> dict[str, int]:
    """A child at risk not acknowledged in time or acknowledged with no decision in time,
    or a postcard not in English not read in time, any day, any hour: the service's
    managers hear at once, the complaints managers URGENT_ESCALATE_COMPLAINTS_AFTER_MINUTES
    later."""
    now = now or timezone.now()
    late = Item.objects.clock_running().filter(
        clock__in=MINUTE_CLOCKS, due_at__lt=now, anonymised_at__isnull=True
    )
    later = now - timedelta(minutes=settings.URGENT_ESCALATE_COMPLAINTS_AFTER_MINUTES)
    return {
        "manager": _step(
            late.filter(clock_state__lt=ClockState.ESCALATED_MANAGER),
            ClockState.ESCALATED_MANAGER,
            lambda item: _escalate(item, "manager"),
        ),
        "complaints_manager": _step(
            late.filter(clock_state=ClockState.ESCALATED_MANAGER, due_at__lt=later),
            ClockState.ESCALATED_COMPLAINTS,
            lambda item: _escalate(item, "complaints_manager"),
        ),
    }


def anonymise_expired(now: datetime | None = None) -> int:
    """After the retention period of its kind, a closed item loses its words and its link
    to a person; every figure (dashboard, council, annual report) stays the same."""
    now = now or timezone.now()
    expired_by_kind = Q()
    for kind in Kind.values:
        days = settings.RETENTION_DAYS_BY_KIND.get(kind, settings.RETENTION_DAYS)
        expired_by_kind |= Q(kind=kind, closed_at__lt=now - timedelta(days=days))
    expired = Item.objects.filter(
        expired_by_kind,
        status__in=[Status.CLOSED, Status.WITHDRAWN],
        anonymised_at__isnull=True,
    )
    count = 0
    for item_id in expired.values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            anonymise_item(item_id)
            count += 1
    return count


# What a paper postcard's "sent" event says of it (feedback.submission): gone with the rest.
PAPER_DETAILS = frozenset({"received_by", "written_on", "in_a_sentence"})


def anonymise_item(item_id: int) -> None:
    """The item loses its words and its link to a person; its figures stay. Used by
    retention and by erasure on request (feedback.privacy)."""
    now = timezone.now()
    Item.objects.filter(pk=item_id).update(
        words="",
        author=None,
        identity=Identity.ANONYMOUS,
        contact_wanted=False,
        contact_method="",
        contact_detail="",
        # Mood stays: with kind, topic and month it identifies nobody, and
        # the council's figures for a past period must not change.
        safeguarding_reasons=[],
        entered_by=None,
        # How a paper postcard came and the day it was written: the young person's, not
        # the figures'.
        received_by="",
        written_on=None,
        anonymised_at=now,
        updated_at=now,
    )
    # Events keep their kind, date and figures (the audit of what happened,
    # for the annual report) but lose who and any words, including the
    # description of a change, which replies carry in their data.
    events = Event.objects.filter(item_id=item_id)
    events.update(body="", actor=None)
    events.filter(kind__in=[EventKind.STAFF_REPLY, EventKind.CHANGE]).update(data={})
    for event in events.filter(kind=EventKind.SUBMITTED):
        if isinstance(event.data, dict) and PAPER_DETAILS & event.data.keys():
            event.data = {k: v for k, v in event.data.items() if k not in PAPER_DETAILS}
            event.save(update_fields=["data"])
    Notification.objects.filter(item_id=item_id).update(
        recipient=None, address="", subject="", body=""
    )
