"""Figures for managers and the complaints manager: the dashboard and the annual complaints report.

Counts are database aggregates, one grouped query per table, so a page costs the
same few queries whether a service holds ten items or a hundred thousand.
Working days to a first response and to close are fixed on the item when they
happen (feedback.services), and an answer's deadline is kept on its "resolved"
event, so nothing here needs the calendar: the database groups items by those
numbers and Python finds the median of a few hundred (days, how many) rows.
Nothing here reads words, names, references or authors. Dates are London dates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from feedback.models import (
    IS_OPEN,
    Clock,
    Event,
    EventKind,
    ItemQuerySet,
    Kind,
    Outcome,
    Status,
    Topic,
    overdue_at,
)
from feedback.months import midnight, month_starts, next_month
from portal.models import Service

MONTHS = 12
STAGES = (1, 2, 3)
KINDS = tuple(Kind.values)  # Kind.values builds a new list at each use
# Column order for "received by kind", on the page and in the CSV.
KIND_COLUMNS: tuple[tuple[str, Promise], ...] = (
    (Kind.COMPLIMENT, _("Compliments")),
    (Kind.IDEA, _("Ideas")),
    (Kind.WORRY, _("Worries")),
    (Kind.COMPLAINT, _("Complaints")),
)
NOT_ROUTED = _("Not routed yet")
ALL_SERVICES = _("All services")


def _tz() -> tzinfo:
    return timezone.get_default_timezone()  # Europe/London (settings.TIME_ZONE)


def local_midnight(day: date) -> datetime:
    return midnight(day, _tz())


def percent(part: int, whole: int) -> int | None:
    """Whole-number percentage, halves rounded up; None when there is nothing to divide."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


def weighted_median(counts: Counter[int]) -> float | None:
    """The median of values given as {value: how many}; the mean of the middle two if even."""
    total = sum(counts.values())
    if not total:
        return None
    low_index, high_index = (total - 1) // 2, total // 2
    seen = 0
    low: int | None = None
    for value in sorted(counts):
        seen += counts[value]
        if low is None and seen > low_index:
            low = value
        if seen > high_index and low is not None:
            return (low + value) / 2
    raise AssertionError("unreachable: the counts add up to total")


# --- The dashboard -----------------------------------------------------------------


@dataclass
class Figures:
    """Items received in one month (or, with month None, in the whole period)."""

    month: date | None
    received: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    responded: int = 0  # items with a first response
    on_time: int = 0  # ... of which first_response_on_time
    open: int = 0  # still open now
    overdue: int = 0  # still open now and past their due date
    escalated: int = 0
    to_first_response: Counter[int] = field(default_factory=Counter)  # working days: items
    to_close: Counter[int] = field(default_factory=Counter)

    @property
    def by_kind(self) -> list[int]:
        return [self.received[kind] for kind, _label in KIND_COLUMNS]

    @property
    def total(self) -> int:
        return sum(self.received.values())

    @property
    def on_time_percent(self) -> int | None:
        return percent(self.on_time, self.responded)

    @property
    def median_to_first_response(self) -> float | None:
        return weighted_median(self.to_first_response)

    @property
    def median_to_close(self) -> float | None:
        return weighted_median(self.to_close)

    def add(self, other: Figures) -> None:
        for kind, count in other.received.items():
            self.received[kind] += count
        self.responded += other.responded
        self.on_time += other.on_time
        self.open += other.open
        self.overdue += other.overdue
        self.escalated += other.escalated
        self.to_first_response.update(other.to_first_response)
        self.to_close.update(other.to_close)


@dataclass
class ServiceFigures:
    """One service's months; open_now and overdue_now count open items of any age."""

    service_id: int | None
    name: str
    months: dict[date, Figures]
    open_now: int = 0
    overdue_now: int = 0

    @property
    def rows(self) -> list[Figures]:
        return list(self.months.values())

    @property
    def total(self) -> Figures:
        total = Figures(month=None)
        for figures in self.months.values():
            total.add(figures)
        return total

    def add(self, other: ServiceFigures) -> None:
        for month, figures in other.months.items():
            self.months[month].add(figures)
        self.open_now += other.open_now
        self.overdue_now += other.overdue_now


@dataclass(frozen=True)
class StageNow:
    """Open complaints at one stage of the statutory procedure, as of today."""

    stage: int
    open: int
    overdue: int
    extended: int


@dataclass(frozen=True)
class AtRisk:
    """Children at risk received in the dashboard's period: how fast the duty team
    acknowledged them (a clock of minutes) and decided the response (one working day)."""

    received: int
    acknowledged: int
    acknowledged_in_time: int
    minutes_to_acknowledge: float | None  # median
    decided: int
    decided_in_time: int
    hours_to_decision: float | None  # median, from receipt
    awaiting_acknowledgement: int  # now, of any age
    awaiting_decision: int

    @property
    def acknowledged_in_time_percent(self) -> int | None:
        return percent(self.acknowledged_in_time, self.acknowledged)

    @property
    def decided_in_time_percent(self) -> int | None:
        return percent(self.decided_in_time, self.decided)


def children_at_risk(items: ItemQuerySet, since: datetime) -> AtRisk:
    """One row per child at risk received since `since` (a few a week, so their times are
    read and the medians found here), and one count of those waiting now: two queries."""
    decided_in_time = Event.objects.filter(
        item=OuterRef("pk"), kind=EventKind.DECISION, data__on_time=True
    )
    rows = list(
        items.filter(safeguarding=True, created_at__gte=since)
        .order_by()
        .annotate(decided_in_time=Exists(decided_in_time))
        .values_list(
            "created_at",
            "first_response_at",
            "first_response_on_time",
            "decided_at",
            "decided_in_time",
        )
    )
    to_acknowledge = Counter(
        int((seen - sent).total_seconds() // 60) for sent, seen, *_rest in rows if seen
    )
    to_decision = Counter(
        round((decided - sent).total_seconds() / 3600)
        for sent, _seen, _on_time, decided, _in_time in rows
        if decided
    )
    waiting = items.open().aggregate(
        acknowledge=Count("pk", filter=Q(clock=Clock.URGENT)),
        decide=Count("pk", filter=Q(clock=Clock.DECISION)),
    )
    return AtRisk(
        received=len(rows),
        acknowledged=to_acknowledge.total(),
        acknowledged_in_time=sum(1 for _s, seen, on_time, *_rest in rows if seen and on_time),
        minutes_to_acknowledge=weighted_median(to_acknowledge),
        decided=to_decision.total(),
        decided_in_time=sum(1 for *_rest, in_time in rows if in_time),
        hours_to_decision=weighted_median(to_decision),
        awaiting_acknowledgement=waiting["acknowledge"],
        awaiting_decision=waiting["decide"],
    )


@dataclass
class Dashboard:
    today: date
    months: list[date]
    services: list[ServiceFigures]
    overall: ServiceFigures | None = None
    stages: list[StageNow] | None = None
    at_risk: AtRisk | None = None

    @property
    def sections(self) -> list[ServiceFigures]:
        return ([self.overall] if self.overall else []) + self.services


def dashboard(
    items: ItemQuerySet,
    services: Iterable[Service],
    *,
    today: date | None = None,
    include_unrouted: bool = False,
    include_stages: bool = False,
    include_at_risk: bool = False,
) -> Dashboard:
    """Figures by service and by the month items were received, for the last 12 months.

    `items` is the caller's gate (already limited to what the user may see);
    `services` are the sections to show, in order. Definitions, per month received:

    - received: items created that month (Europe/London), by kind;
    - first responses within target: items with first_response_on_time, out of
      items with a first response (acknowledgement, reply or answer) at all;
    - open now / overdue now: still in an open status today / and due before today;
    - median working days to first response: between the received date and the
      first response date; to close: the same to closed_at, for items the young
      person said were sorted (status closed). Withdrawn items are left out:
      their time measures the young person's choice, not the service's work;
    - escalated: items escalated past a deadline at least once.
    """
    today = today or timezone.localdate()
    as_of = _as_of(today)
    months = month_starts(today, MONTHS)
    sections: dict[int | None, ServiceFigures] = {
        service.pk: ServiceFigures(service.pk, service.name, {m: Figures(m) for m in months})
        for service in services
    }
    if include_unrouted:
        sections[None] = ServiceFigures(None, str(NOT_ROUTED), {m: Figures(m) for m in months})
    in_period = items.filter(
        created_at__gte=local_midnight(months[0]),
        created_at__lt=local_midnight(next_month(months[-1])),
    ).order_by()
    if not include_unrouted:
        in_period = in_period.filter(service__isnull=False)
    month_of = _month_of(months)
    _add_monthly_counts(sections, months, in_period, month_of, as_of)
    _add_days_to_close(sections, months, in_period, month_of)
    _add_open_now(sections, items, as_of)

    ordered = list(sections.values())
    overall = None
    if len(ordered) > 1:
        overall = ServiceFigures(None, str(ALL_SERVICES), {m: Figures(m) for m in months})
        for section in ordered:
            overall.add(section)
    return Dashboard(
        today=today,
        months=months,
        services=ordered,
        overall=overall,
        stages=complaint_stages_now(items, today) if include_stages else None,
        at_risk=children_at_risk(items, local_midnight(months[0])) if include_at_risk else None,
    )


def _as_of(today: date) -> datetime:
    """The moment "now" means for a dashboard of `today`: now, or that day's start."""
    return timezone.now() if today == timezone.localdate() else local_midnight(today)


def _month_of(months: list[date]) -> Case:
    """Which month an item arrived in, by comparing the stored instant with each
    month's London midnight: cheaper than converting every row to London time."""
    return Case(
        *(
            When(created_at__gte=local_midnight(month), then=Value(index))
            for index, month in reversed(list(enumerate(months)))
        ),
        output_field=IntegerField(),
    )


def _add_monthly_counts(
    sections: dict[int | None, ServiceFigures],
    months: list[date],
    in_period: ItemQuerySet,
    month_of: Case,
    as_of: datetime,
) -> None:
    """One pass for the counts and the spread of days to a first response: grouped
    by (service, month, working days), a few hundred rows however many items."""
    monthly = (
        in_period.annotate(month=month_of)
        .values_list("service_id", "month", "first_response_days")
        .annotate(
            **{f"kind_{kind}": Count("pk", filter=Q(kind=kind)) for kind in KINDS},
            on_time=Count("pk", filter=Q(first_response_on_time=True)),
            still_open=Count("pk", filter=IS_OPEN),
            overdue=Count("pk", filter=overdue_at(as_of)),
            escalated=Count("pk", filter=Q(escalated=True)),
        )
    )
    for service_id, month, days, *counts in monthly:
        section = sections.get(service_id)
        if section is None:
            continue
        figures = section.months[months[month]]
        by_kind, (on_time, still_open, overdue, escalated) = counts[:-4], counts[-4:]
        received = 0
        for kind, count in zip(KINDS, by_kind, strict=True):
            figures.received[kind] += count
            received += count
        figures.open += still_open
        figures.overdue += overdue
        figures.escalated += escalated
        if days is not None:  # NULL days: no first response yet
            figures.responded += received
            figures.on_time += on_time
            figures.to_first_response[days] += received


def _add_days_to_close(
    sections: dict[int | None, ServiceFigures],
    months: list[date],
    in_period: ItemQuerySet,
    month_of: Case,
) -> None:
    closed = (
        in_period.filter(status=Status.CLOSED, close_days__isnull=False)
        .annotate(month=month_of)
        .values_list("service_id", "month", "close_days")
        .annotate(n=Count("pk"))
    )
    for service_id, month, days, count in closed:
        section = sections.get(service_id)
        if section is not None:
            section.months[months[month]].to_close[days] += count


def _add_open_now(
    sections: dict[int | None, ServiceFigures], items: ItemQuerySet, as_of: datetime
) -> None:
    """Open and overdue items of any age, by service."""
    now = (
        items.open()
        .order_by()
        .values("service_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_at(as_of)))
    )
    for row in now:
        section = sections.get(row["service_id"])
        if section is not None:
            section.open_now = row["open"]
            section.overdue_now = row["overdue"]


def complaint_stages_now(items: ItemQuerySet, today: date) -> list[StageNow]:
    """Open complaints at each stage; overdue (due before today); extended (clock_extended)."""
    rows = (
        items.open()
        .filter(kind=Kind.COMPLAINT)
        .order_by()
        .annotate(at_stage=Coalesce("stage", 1))
        .values("at_stage")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=overdue_at(_as_of(today))),
            extended=Count("pk", filter=Q(clock_extended=True)),
        )
    )
    found = {row["at_stage"]: row for row in rows}
    return [
        StageNow(
            stage=stage,
            open=found.get(stage, {}).get("open", 0),
            overdue=found.get(stage, {}).get("overdue", 0),
            extended=found.get(stage, {}).get("extended", 0),
        )
        for stage in STAGES
    ]


# --- The annual complaints report --------------------------------------------------


@dataclass
class StageAnswers:
    """Answers given at one stage of the procedure, for complaints received in the year."""

    stage: int
    reached: int = 0  # complaints whose highest stage is this one
    answers: int = 0
    within: int = 0  # answered by the deadline in force, extended or not
    within_after_extension: int = 0  # ... of which the deadline had been extended
    late: int = 0
    extended: int = 0  # extensions recorded at this stage


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    count: int


@dataclass
class ComplaintsReport:
    year: int
    received: int
    stages: list[StageAnswers]
    topics: list[Line]
    outcomes: list[Line]
    advocacy_offered: int
    advocacy_taken_up: int

    @property
    def answers(self) -> StageAnswers:
        total = StageAnswers(stage=0)
        for stage in self.stages:
            for name in ("reached", "answers", "within", "within_after_extension", "late"):
                setattr(total, name, getattr(total, name) + getattr(stage, name))
            total.extended += stage.extended
        return total


STILL_OPEN = "still_open"
NO_OUTCOME = "no_outcome"


def complaints_report(items: ItemQuerySet, year: int) -> ComplaintsReport:
    """The annual report: complaints received in `year` (Europe/London), wherever they are now.

    Definitions:

    - stage reached: the complaint's stage now (stages only go up), so the three
      counts add up to the complaints received;
    - outcome: the outcome recorded for the latest stage answered; "still open"
      is an open complaint with no outcome yet; "closed with no outcome recorded"
      catches a finished complaint with none, so the lines add up to the total;
    - advocacy offered: every complaint (the complaint form offers an advocate);
      taken up: the young person asked for one;
    - an answer at a stage is a "resolved" event (staff giving their answer with
      an outcome). It is within the timescale if its London date was on or before
      the deadline in force then, which services.resolve records with it. A stage
      left for the next one without an answer counts in neither column;
    - extended: "extended" events, counted at the stage they happened in.

    Events of any date count, so a complaint received in December and answered in
    January counts in the year it was received.
    """
    complaints = items.filter(
        kind=Kind.COMPLAINT,
        created_at__gte=local_midnight(date(year, 1, 1)),
        created_at__lt=local_midnight(date(year + 1, 1, 1)),
    ).order_by()
    is_open = IS_OPEN
    totals = complaints.aggregate(
        received=Count("pk"),
        stage_1=Count("pk", filter=Q(stage=1) | Q(stage__isnull=True)),
        stage_2=Count("pk", filter=Q(stage=2)),
        stage_3=Count("pk", filter=Q(stage=3)),
        advocate=Count("pk", filter=Q(advocate_requested=True)),
        still_open=Count("pk", filter=Q(outcome="") & is_open),
        no_outcome=Count("pk", filter=Q(outcome="") & ~is_open),
        **{f"outcome_{value}": Count("pk", filter=Q(outcome=value)) for value in Outcome.values},
    )
    stages = _stage_answers(complaints)
    for stage in STAGES:
        stages[stage].reached = totals[f"stage_{stage}"]

    by_topic = dict(complaints.values_list("topic_id").annotate(n=Count("pk")))
    topics = [
        Line(topic.slug, topic.name, by_topic.get(topic.pk, 0))
        for topic in Topic.objects.order_by("order", "name")
        if topic.active or by_topic.get(topic.pk)
    ]
    outcomes = [
        Line(value, str(label), totals[f"outcome_{value}"]) for value, label in Outcome.choices
    ]
    outcomes.append(Line(STILL_OPEN, str(_("Still open")), totals["still_open"]))
    if totals["no_outcome"]:
        outcomes.append(
            Line(NO_OUTCOME, str(_("Closed with no outcome recorded")), totals["no_outcome"])
        )
    return ComplaintsReport(
        year=year,
        received=totals["received"],
        stages=[stages[stage] for stage in STAGES],
        topics=topics,
        outcomes=outcomes,
        advocacy_offered=totals["received"],
        advocacy_taken_up=totals["advocate"],
    )


def _stage_answers(complaints: ItemQuerySet) -> dict[int, StageAnswers]:
    """Answers and extensions at each stage, from what their events recorded."""
    stats = {stage: StageAnswers(stage) for stage in STAGES}
    events = Event.objects.filter(
        item__in=complaints.values("pk"), kind__in=[EventKind.RESOLVED, EventKind.EXTENDED]
    ).values_list("kind", "data")
    for kind, data in events.iterator(chunk_size=2000):
        stage = data.get("stage") if isinstance(data, dict) else None
        if stage not in STAGES:
            continue
        if kind == EventKind.EXTENDED:
            stats[stage].extended += 1
        elif data.get("on_time") is True:
            stats[stage].answers += 1
            stats[stage].within += 1
            stats[stage].within_after_extension += bool(data.get("extended"))
        elif data.get("on_time") is False:
            stats[stage].answers += 1
            stats[stage].late += 1
    return stats
