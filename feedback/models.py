"""Postcards and complaints, their timelines, routes, clocks and notifications."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection, models
from django.db.models import Case, F, Q, Value, When
from django.db.models.expressions import OrderBy
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from feedback import clocks, languages
from feedback.event_data import EventData
from feedback.workdays import working_days_between
from portal.models import Audience, ContactMethod, Service, User
from portal.translation import stored_text


class TopicAudience(models.TextChoices):
    BOTH = "both", _("Children in care and care leavers")
    IN_CARE = Audience.IN_CARE.value, Audience.IN_CARE.label
    CARE_LEAVER = Audience.CARE_LEAVER.value, Audience.CARE_LEAVER.label


class TopicQuerySet(models.QuerySet["Topic"]):
    def active(self) -> TopicQuerySet:
        return self.filter(active=True)

    def for_audience(self, audience: str | None) -> TopicQuerySet:
        if not audience:
            return self
        return self.filter(audience__in=[TopicAudience.BOTH, audience])


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("short name"), unique=True)
    description = models.CharField(_("one-line description"), max_length=200)
    audience = models.CharField(
        _("for"), max_length=20, choices=TopicAudience, default=TopicAudience.BOTH
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the reader's language. The seed's names are in the catalogues
        (feedback/seed.py marks them); a topic a manager adds is shown as typed."""
        return stored_text(self.name)

    @property
    def display_description(self) -> str:
        return stored_text(self.description)

    def suits(self, audience: str | None) -> bool:
        return not audience or self.audience in (TopicAudience.BOTH, audience)


# A postcard names its topic by id: checked against this process's copy of the active
# topics, not with a query per postcard. The copy is re-read after a minute, when an id
# is not in it (a new topic), and at once in this process when a topic is saved; so
# another process may still accept a topic switched off in the last minute.
_TOPICS_TTL = 60.0
_active_topics: tuple[float, dict[int, Topic]] = (0.0, {})


def active_topic(pk: int) -> Topic | None:
    global _active_topics
    loaded_at, topics = _active_topics
    if pk not in topics or time.monotonic() - loaded_at > _TOPICS_TTL:
        topics = {topic.pk: topic for topic in Topic.objects.active()}
        _active_topics = (time.monotonic(), topics)
    return topics.get(pk)


def forget_active_topics(**kwargs: object) -> None:
    global _active_topics
    _active_topics = (0.0, {})


class Kind(models.TextChoices):
    COMPLIMENT = "compliment", _("Compliment")
    IDEA = "idea", _("Idea")
    WORRY = "worry", _("Worry")
    COMPLAINT = "complaint", _("Complaint")


class Identity(models.TextChoices):
    NAMED = "named", _("Named")
    CONFIDENTIAL = "confidential", _("Confidential")
    ANONYMOUS = "anonymous", _("Anonymous")


class Mood(models.IntegerChoices):
    VERY_UNHAPPY = 1, _("Very unhappy")
    UNHAPPY = 2, _("Unhappy")
    OK = 3, _("OK")
    HAPPY = 4, _("Happy")
    VERY_HAPPY = 5, _("Very happy")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Sent")
    ROUTED = "routed", _("With the team")
    ACKNOWLEDGED = "acknowledged", _("Seen by the team")
    IN_PROGRESS = "in_progress", _("Being worked on")
    RESPONDED = "responded", _("Answered")
    CLOSED = "closed", _("Sorted and closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REOPENED = "reopened", _("Opened again")


OPEN_STATUSES = (
    Status.SUBMITTED,
    Status.ROUTED,
    Status.ACKNOWLEDGED,
    Status.IN_PROGRESS,
    Status.RESPONDED,
    Status.REOPENED,
)
# The one definition of each rule, used by the querysets, the index, the reports and
# the items' own properties. An answered item's clock has stopped (services stop it).
IS_OPEN = Q(status__in=OPEN_STATUSES)
CLOCK_RUNNING = IS_OPEN & Q(due_on__isnull=False)


def overdue_at(now: datetime) -> Q:
    """A running clock past its deadline: the day for working-day clocks, the minute
    for a child at risk's."""
    return CLOCK_RUNNING & (
        Q(due_at__isnull=True, due_on__lt=timezone.localdate(now)) | Q(due_at__lt=now)
    )


class Priority(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper postcard")


class ReceivedBy(models.TextChoices):
    """How a paper postcard reached the worker who typed it in."""

    HANDED = "handed", _("Handed over")
    POST = "post", _("By post")
    PHONE = "phone", _("A phone call")


class Clock(models.TextChoices):
    NONE = "", _("No clock")
    # A child at risk: acknowledged within hours, any day (URGENT_ACKNOWLEDGE_MINUTES).
    URGENT = "urgent", _("Acknowledge now (child at risk)")
    # Acknowledged: the owner decides the response within a working day (Working Together 2023).
    DECISION = "decision", _("Safeguarding decision")
    # Not in English: read the same day, in hours (NEEDS_READ_HOURS), then the usual clock.
    NEEDS_READ = "read", _("Read today (not in English)")
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    REPLY = "reply", _("Reply")
    STAGE1 = "stage1", _("Stage 1 response")
    STAGE2 = "stage2", _("Stage 2 investigation")
    STAGE3 = "stage3", _("Stage 3 review panel")

    @classmethod
    def for_stage(cls, stage: int) -> Clock:
        return cls(f"stage{stage}")


# Clocks whose deadline is a moment (due_at), checked every minute, any day: a child at
# risk's acknowledgement and decision, and a postcard not in English's same-day read.
MINUTE_CLOCKS = (Clock.URGENT, Clock.DECISION, Clock.NEEDS_READ)


class SafeguardingDecision(models.TextChoices):
    """What a duty team decides to do about a concern: the short list it uses."""

    STRATEGY = "strategy", _("Strategy discussion or section 47 enquiry")
    REFERRAL = "referral", _("Referral to the children's social work team or MASH")
    POLICE = "police", _("Police informed")
    EARLY_HELP = "early_help", _("Early help")
    NO_FURTHER_ACTION = "no_further_action", _("No further action")
    OWN_SOCIAL_WORKER = "own_social_worker", _("Passed to the young person's own social worker")


class ClockState(models.IntegerChoices):
    RUNNING = 0, _("Running")
    REMINDED = 1, _("Reminder sent")
    ESCALATED_MANAGER = 2, _("Escalated to the service manager")
    ESCALATED_COMPLAINTS = 3, _("Escalated to the complaints manager")


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")
    RESOLVED_INFORMALLY = "resolved_informally", _("Resolved informally")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # Erasure on request closes what was still open: never chosen by staff.
    ERASED = "erased", _("Closed: the young person's data was erased")


class ReadPlace(models.TextChoices):
    """Where a member of staff was shown items' words: one item's page, or a list."""

    ITEM = "item", _("an item's page")
    LIST = "list", _("a list")
    QUEUE = "queue", _("the queue")
    API = "api", _("the API")
    MODERATION = "moderation", _("the moderation page")
    LINKING = "linking", _("linking items to an action")
    SUBJECT_ACCESS = "subject_access", _("a subject access answer")


class ItemQuerySet(models.QuerySet["Item"]):
    # Who these rows are being read by, and where: set by `read_by`, kept through every
    # filter, slice and page, so a read is on record however the rows reach a response.
    _read_by: User | None = None
    _read_on: str = ReadPlace.LIST

    def read_by(self, user: User, on: ReadPlace = ReadPlace.LIST) -> ItemQuerySet:
        """These items, each fetched row put on record (`StaffView`) as read by `user`.

        The staff gates (`feedback.access`) return every staff list and item through
        here, so a page, an API list or detail, a CSV or a refused action that
        re-renders words cannot forget to record the read. On an item's page each fetch
        is one `StaffView`; anywhere else the fetch is a list, one `ListRead` naming its
        items (`ListRead.objects.record`). Counting, `exists()` and aggregates fetch no
        rows (and show no words), so they record nothing."""
        clone = self.all()
        clone._read_by = user
        clone._read_on = on
        return clone

    def read_on(self, on: ReadPlace) -> ItemQuerySet:
        """The same reader, shown these rows somewhere else: an item's page, not a list."""
        clone = self.all()
        clone._read_on = on
        return clone

    def _clone(self) -> ItemQuerySet:
        clone: ItemQuerySet = super()._clone()  # type: ignore[misc]  # Django's, not in the stubs
        clone._read_by = self._read_by
        clone._read_on = self._read_on
        return clone

    def _fetch_all(self) -> None:
        fetching = self._result_cache is None
        super()._fetch_all()
        reader = self._read_by
        if (
            fetching
            and reader is not None
            and self._result_cache
            and issubclass(self._iterable_class, ModelIterable)
        ):
            if self._read_on == ReadPlace.ITEM:
                StaffView.objects.bulk_create(
                    [StaffView(item=row, user=reader) for row in self._result_cache]
                )
            else:
                ListRead.objects.record(user=reader, on=self._read_on, items=self._result_cache)

    @classmethod
    def read_record_holds(cls) -> bool:
        """The read record's assumption about Django's private queryset internals, checked
        at start-up with no database (feedback.checks): a queryset's copies go through
        `_clone`, and fetching fills `_result_cache` through `_fetch_all`. There is no plain
        path that records every read as surely, so where this fails the portal refuses to
        start rather than show a child's words unrecorded."""
        reader = User(pk=0)
        probe = Item.objects.none().read_by(reader).filter(pk=1).order_by("pk")[:1]
        if probe._read_by is not reader or not hasattr(probe, "_result_cache"):
            return False
        list(probe)  # an empty result: no query is sent
        return probe._result_cache == []

    def iterator(self, chunk_size: int | None = None) -> Iterator[Item]:
        if self._read_by is not None:
            # Streaming would bypass the record: read-recorded rows are fetched whole.
            yield from self.all()
            return
        yield from super().iterator(chunk_size)

    def open(self) -> ItemQuerySet:
        return self.filter(IS_OPEN)

    def clock_running(self) -> ItemQuerySet:
        return self.filter(CLOCK_RUNNING)

    def for_author(self, user: User) -> ItemQuerySet:
        return self.filter(author=user).exclude(identity=Identity.ANONYMOUS)

    def for_services(self, service_ids: frozenset[int] | set[int]) -> ItemQuerySet:
        return self.filter(service_id__in=service_ids)

    def advocated(self) -> ItemQuerySet:
        """Complaints whose young person asked for an advocate: sent to the advocacy service."""
        return self.filter(kind=Kind.COMPLAINT, advocate_requested=True)

    def unrouted(self) -> ItemQuerySet:
        return self.filter(status=Status.SUBMITTED)

    def overdue(self, now: datetime | None = None) -> ItemQuerySet:
        """Open, and past the deadline: a day for working-day clocks, a minute for urgent ones."""
        return self.filter(overdue_at(now or timezone.now()))

    def needs_read(self) -> ItemQuerySet:
        """Open, and in a language the team must read today before anything else."""
        return self.open().filter(needs_read=True)

    def urgent_first(self, *then: str | OrderBy) -> ItemQuerySet:
        """Children at risk not yet acknowledged before everything, then those awaiting
        the duty team's decision, then postcards not in English not yet read, each soonest
        due first; then the order asked for."""
        return self.alias(
            waiting_urgently=Case(
                When(clock=Clock.URGENT, then=Value(0)),
                When(clock=Clock.DECISION, then=Value(1)),
                When(IS_OPEN & Q(needs_read=True), then=Value(2)),
                default=Value(3),
            )
        ).order_by("waiting_urgently", F("due_at").asc(nulls_last=True), *then)


class Sent(Protocol):
    """What Item's rules about a kind and an identity read: an Item, or what stands for one
    (JustSent)."""

    @property
    def kind(self) -> str: ...

    @property
    def identity(self) -> str: ...


class Item(models.Model):
    """One postcard or complaint from a young person."""

    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    tracking_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    submission_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, verbose_name=_("topic"))
    words = models.TextField(_("what they said"), max_length=5000)
    mood = models.PositiveSmallIntegerField(_("mood"), choices=Mood, null=True, blank=True)
    identity = models.CharField(_("who can see who sent it"), max_length=20, choices=Identity)
    # Kept to route by audience even when the item is anonymous; no other detail is kept.
    audience = models.CharField(_("audience"), max_length=20, choices=Audience, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("young person"),
    )
    consent_to_share = models.BooleanField(_("words may be shared with the council"), default=False)
    contact_wanted = models.BooleanField(_("wants to be contacted"), default=False)
    contact_method = models.CharField(
        _("contact by"), max_length=10, choices=ContactMethod, blank=True
    )
    contact_detail = models.CharField(_("contact detail"), max_length=254, blank=True)
    advocate_requested = models.BooleanField(_("wants an advocate"), default=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel, default=Channel.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    # A paper postcard: how it reached the worker, and the day the young person wrote it.
    received_by = models.CharField(
        _("how it reached us"), max_length=10, choices=ReceivedBy, blank=True
    )
    written_on = models.DateField(_("written on"), null=True, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.SUBMITTED)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority, default=Priority.ROUTINE
    )
    safeguarding = models.BooleanField(_("safeguarding concern"), default=False)
    safeguarding_reasons = models.JSONField(_("what matched"), default=list, blank=True)
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("service"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_items",
        verbose_name=_("assigned to"),
    )
    route = models.ForeignKey(
        "Route", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    routed_at = models.DateTimeField(_("routed"), null=True, blank=True)
    routing_alerted = models.BooleanField(default=False)
    # Sent while over a flood limit: routed to triage for a person to check, never
    # discarded. A child at risk is never held.
    held = models.BooleanField(_("held: sent while over the sending limit"), default=False)
    # Named by the routing worker (feedback.languages): "" for English or too short to tell.
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    # The language the portal was in when it was sent (settings.LANGUAGES; "" for
    # English): the young person's news about it, by email and text, comes in it.
    reply_language = models.CharField(_("language for news"), max_length=8, blank=True, default="")
    # Not in English: the triage team reads it today ("I have read it" clears this).
    # A child at risk goes to the duty team instead, with its language named.
    needs_read = models.BooleanField(_("needs a read today"), default=False)

    stage = models.PositiveSmallIntegerField(_("complaint stage"), null=True, blank=True)
    clock = models.CharField(_("clock"), max_length=20, choices=Clock, blank=True, default="")
    clock_started_on = models.DateField(_("clock started"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    # Only for clocks counted in minutes (a child at risk); due_on is then its day.
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    clock_extended = models.BooleanField(_("extended"), default=False)
    clock_state = models.PositiveSmallIntegerField(choices=ClockState, default=ClockState.RUNNING)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_on_time = models.BooleanField(null=True)
    # Working days from receipt, fixed when they happen, so reports need no calendar.
    first_response_days = models.PositiveSmallIntegerField(null=True, blank=True)
    close_days = models.PositiveSmallIntegerField(null=True, blank=True)
    escalated = models.BooleanField(default=False)
    # A child at risk: what the duty team decided, and when (staff only).
    decision = models.CharField(
        _("safeguarding decision"), max_length=30, choices=SafeguardingDecision, blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    withdraw_requested_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["service", "status", "due_on"], name="item_queue"),
            models.Index(fields=["status", "created_at"], name="item_status_created"),
            models.Index(
                fields=["due_on"],
                name="item_open_due",
                condition=CLOCK_RUNNING,
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(identity="anonymous") | Q(author__isnull=True),
                name="anonymous_items_have_no_author",
            ),
            models.CheckConstraint(
                condition=Q(stage__isnull=True) | Q(stage__gte=1, stage__lte=3),
                name="stage_is_1_to_3",
            ),
        ]
        verbose_name = _("item")
        verbose_name_plural = _("items")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_complaint(self: Sent) -> bool:
        return self.kind == Kind.COMPLAINT

    @property
    def is_advocated(self) -> bool:
        """A complaint whose young person asked for an advocate (`ItemQuerySet.advocated`)."""
        return self.is_complaint and self.advocate_requested

    @functools.cached_property
    def advocacy_service(self) -> Service | None:
        """The service whose advocates help with it (they open it: feedback.access)."""
        if not self.is_advocated:
            return None
        return Service.objects.active().filter(provides_advocacy=True).order_by("name").first()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_anonymous(self: Sent) -> bool:
        return self.identity == Identity.ANONYMOUS

    @property
    def is_confidential(self) -> bool:
        return self.identity == Identity.CONFIDENTIAL

    @property
    def language_name(self) -> str:
        """The language for staff ("Arabic"), or "" for English."""
        return gettext(languages.name(self.language)) if self.language else ""

    # --- Clocks: each item starts, moves and stops its own. -------------------

    def start_clock(
        self, clock: str, started_on: date, due_on: date | None, due_at: datetime | None = None
    ) -> None:
        self.clock = clock
        self.clock_started_on = started_on
        self.due_on = due_on
        self.due_at = due_at
        self.clock_extended = False
        self.clock_state = ClockState.RUNNING

    def stop_clock(self) -> None:
        self.clock = Clock.NONE
        self.due_on = None
        self.due_at = None
        self.clock_state = ClockState.RUNNING

    def start_first_clock(self) -> None:
        """On arrival at a service: a child at risk's clock runs in minutes, any day;
        a postcard not in English waits hours for its read; a complaint's stage 1 and
        a postcard's acknowledgement run in working days."""
        received_on = timezone.localdate(self.created_at)
        if self.safeguarding:
            self.start_urgent_clock(self.created_at)
        elif self.needs_read:
            due_at = self.created_at + timedelta(hours=settings.NEEDS_READ_HOURS)
            self.start_clock(Clock.NEEDS_READ, received_on, timezone.localdate(due_at), due_at)
        elif self.is_complaint:
            self.start_clock(Clock.STAGE1, received_on, clocks.stage_due(1, received_on))
        else:
            self.start_clock(
                Clock.ACKNOWLEDGE,
                received_on,
                clocks.postcard_due(received_on, settings.POSTCARD_ACKNOWLEDGE_DAYS),
            )

    def start_decision_clock(self) -> None:
        """A child at risk, acknowledged: the decision is due by the end of the working day
        SAFEGUARDING_DECISION_WORKING_DAYS after the day it came in (a Saturday's by the end of
        Monday's), escalated to the minute as the acknowledgement was."""
        received_on = timezone.localdate(self.created_at)
        due_on = clocks.postcard_due(received_on, settings.SAFEGUARDING_DECISION_WORKING_DAYS)
        next_day = due_on + timedelta(days=1)
        local = timezone.get_default_timezone()  # midnight in London is never skipped or doubled
        due_at = datetime(next_day.year, next_day.month, next_day.day, tzinfo=local)
        self.start_clock(Clock.DECISION, received_on, due_on, due_at)

    @property
    def decision_pending(self) -> bool:
        """A child at risk with no decision yet, on its acknowledgement or decision clock:
        a reply, a status or an answer does not settle what the duty team decides."""
        return (
            self.safeguarding and not self.decision and self.clock in (Clock.URGENT, Clock.DECISION)
        )

    def start_urgent_clock(self, now: datetime) -> None:
        """A child at risk: acknowledged within URGENT_ACKNOWLEDGE_MINUTES of `now` (its
        arrival, or the moment a person moved it to the duty team), any day."""
        due_at = now + timedelta(minutes=settings.URGENT_ACKNOWLEDGE_MINUTES)
        self.start_clock(Clock.URGENT, timezone.localdate(now), timezone.localdate(due_at), due_at)

    @property
    def awaits_decision(self) -> bool:
        return self.is_open and self.clock == Clock.DECISION

    def start_clock_after_acknowledgement(self) -> None:
        """Once seen (a child at risk's, once decided), the answer's clock runs from the
        day the item was received."""
        if self.clock not in (Clock.ACKNOWLEDGE, Clock.URGENT, Clock.DECISION):
            return
        received_on = timezone.localdate(self.created_at)
        if self.is_complaint:
            stage = self.stage or 1
            self.start_clock(
                Clock.for_stage(stage), received_on, clocks.stage_due(stage, received_on)
            )
        else:
            self.start_clock(
                Clock.REPLY,
                received_on,
                clocks.postcard_due(received_on, settings.POSTCARD_REPLY_DAYS),
            )

    def restart_reply_clock(self, today: date) -> None:
        """A complaint's stage clock, or a postcard's reply clock, from today."""
        if self.is_complaint:
            stage = self.stage or 1
            self.start_clock(Clock.for_stage(stage), today, clocks.stage_due(stage, today))
        else:
            self.start_clock(
                Clock.REPLY, today, clocks.postcard_due(today, settings.POSTCARD_REPLY_DAYS)
            )

    def record_first_response(self) -> None:
        """The first answer, judged against the deadline in force when it was given."""
        if self.first_response_at is not None:
            return
        now = timezone.now()
        self.first_response_at = now
        if self.due_at is not None:
            self.first_response_on_time = now <= self.due_at
        else:
            self.first_response_on_time = self.due_on is None or timezone.localdate() <= self.due_on
        self.first_response_days = self.working_days_since_receipt()

    def working_days_since_receipt(self) -> int:
        return working_days_between(timezone.localdate(self.created_at), timezone.localdate())

    @property
    def routed_service(self) -> Service:
        """The service of an item known to be routed (a programming error otherwise)."""
        if self.service is None:
            raise ValueError(f"item {self.pk} has not reached a service")
        return self.service

    @property
    def is_overdue(self) -> bool:
        """The same rule as ItemQuerySet.overdue, for one item in hand."""
        if not self.is_clock_running:
            return False
        if self.due_at is not None:
            return self.due_at < timezone.now()
        return self.due_on is not None and self.due_on < timezone.localdate()

    @property
    def is_clock_running(self) -> bool:
        """The same rule as CLOCK_RUNNING."""
        return self.is_open and self.due_on is not None

    # --- Where it stands: what the pages offer and the services allow -------------

    @property
    def awaits_acknowledgement(self) -> bool:
        return self.status in (Status.ROUTED, Status.REOPENED)

    @property
    def awaits_sorted_answer(self) -> bool:
        """Answered: the young person is asked "Did this sort it?"."""
        return self.status == Status.RESPONDED

    @property
    def stage_answered(self) -> bool:
        return self.status in (Status.RESPONDED, Status.REOPENED)

    @property
    def offers_next_stage(self) -> bool:
        """Said not sorted: a complaint below stage 3 can go on to the next stage."""
        return self.is_complaint and self.status == Status.REOPENED and (self.stage or 1) < 3

    @property
    def next_deadline_is_acknowledgement(self) -> bool:
        return self.clock == Clock.ACKNOWLEDGE

    @property
    def is_urgent_clock(self) -> bool:
        return self.clock == Clock.URGENT

    @property
    def withdrawal_requested(self) -> bool:
        """A child at risk asked to withdraw: the duty team still sees it through."""
        return self.withdraw_requested_at is not None


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Sent")
    ROUTED = "routed", _("Sent to a team")
    SAFEGUARDING = "safeguarding", _("Sent to the duty team")
    ACKNOWLEDGED = "acknowledged", _("Seen by the team")
    ASSIGNED = "assigned", _("Assigned")
    STAFF_REPLY = "staff_reply", _("Reply from the team")
    YOUNG_PERSON_REPLY = "young_person_reply", _("Your reply")
    NOTE = "note", _("Internal note")
    STATUS = "status", _("Status changed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SORTED = "sorted", _("Said it was sorted")
    NOT_SORTED = "not_sorted", _("Said it was not sorted")
    EXTENDED = "extended", _("More time needed")
    STAGE = "stage", _("Complaint moved to the next stage")
    REROUTED = "rerouted", _("Moved to another team")
    REMINDER = "reminder", _("Reminder")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CHANGE = "change", _("Change planned or made")
    ROUTING_ALERT = "routing_alert", _("Not routed in time")
    HELD = "held", _("Held: sent while over the sending limit")
    DECISION = "decision", _("Safeguarding decision")
    READ = "read", _("Read by the team")
    STOPPED_SHARING = "stopped_sharing", _("Stopped sharing the words")
    ERASED = "erased", _("Closed: the young person's data was erased")


class Visibility(models.TextChoices):
    YOUNG_PERSON = "young_person", _("Young person and staff")
    STAFF = "staff", _("Staff only")


class EventQuerySet(models.QuerySet["Event"]):
    def for_young_person(self) -> EventQuerySet:
        return self.filter(visibility=Visibility.YOUNG_PERSON)


@dataclasses.dataclass(frozen=True, slots=True)
class JustSent:
    """What the confirmation page shows of an item: no topic, no service, none of the words."""

    reference: str
    kind: str
    identity: str
    safeguarding: bool
    held: bool
    advocate_requested: bool

    # Item's own rules, which read only `kind` and `identity`.
    is_complaint = Item.is_complaint
    is_anonymous = Item.is_anonymous

    @classmethod
    def find(cls, reference: str) -> JustSent | None:
        """One row by reference, with the ORM's SQL compiled once per process: building the
        query cost twice what the database took to answer it, on every confirmation page
        (0.65 ms to 0.20, `.venv/bin/python -m bench.inprocess`, bench/README.md). Where the
        compiled query does not take the reference as its one parameter, as it does on
        Django 5.2, the plain ORM query (tests run both)."""
        sql = _just_sent_sql()
        row: Any
        if sql is None:
            row = _just_sent_rows().filter(reference=reference).first()
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, [reference])
                row = cursor.fetchone()
        return cls(*row) if row else None


def _just_sent_rows() -> models.QuerySet[Item, tuple[Any, ...]]:
    return Item.objects.values_list(*(field.name for field in dataclasses.fields(JustSent)))


@functools.cache
def _just_sent_sql() -> str | None:
    """The confirmation's query, compiled once; None if its one parameter is not the reference."""
    marker = "just-sent-reference"
    sql, params = _just_sent_rows().filter(reference=marker)[:1].query.sql_with_params()
    return sql if tuple(params) == (marker,) else None


class Event(models.Model):
    """One entry in an item's timeline. Append-only: the audit record and the tracker."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the young person sees as the author, e.g. the team's name for a reply "as the team".
    actor_label = models.CharField(max_length=120, blank=True)
    visibility = models.CharField(max_length=20, choices=Visibility)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["item", "created_at"], name="event_timeline")]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind}"

    @property
    def service_in_a_sentence(self) -> str:
        """How the timeline names the service mid-sentence ("the Fostering team"), as it
        was named when the event happened."""
        named = self.data.get("in_a_sentence") if isinstance(self.data, dict) else None
        # The seed's names are in the catalogues (feedback/seed.py): in the reader's language.
        return stored_text(str(named)) if named else f"the {self.actor_label}"

    @property
    def paper_written_on(self) -> date | None:
        """A paper postcard's day of writing, as its SUBMITTED event keeps it."""
        value = self.data.get("written_on") if isinstance(self.data, dict) else None
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    @classmethod
    def record(
        cls,
        item: Item,
        kind: str,
        *,
        actor: User | AnonymousUser | None = None,
        staff_only: bool = False,
        body: str = "",
        actor_label: str = "",
        data: EventData | None = None,
    ) -> Event:
        """Append one entry to the item's timeline: the only way events are written."""
        return cls.objects.create(
            item=item,
            kind=kind,
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_label=actor_label,
            visibility=Visibility.STAFF if staff_only else Visibility.YOUNG_PERSON,
            body=body,
            data=data or {},
        )


class RouteQuerySet(models.QuerySet["Route"]):
    def active(self) -> RouteQuerySet:
        return self.filter(active=True, service__active=True)


class Route(models.Model):
    """Items of this kind and topic, from this audience, go to this service. First match wins."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind, blank=True)
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("topic")
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience, blank=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, verbose_name=_("service"))
    order = models.PositiveIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    objects = RouteQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("route")
        verbose_name_plural = _("routes")

    def __str__(self) -> str:
        return f"{self.order}: {self.kind or 'any'}/{self.topic or 'any'}/{self.audience or 'any'} -> {self.service}"


class SavedReplyQuerySet(models.QuerySet["SavedReply"]):
    def offered_for(self, *, status: str, service_id: int | None) -> SavedReplyQuerySet:
        """What a worker may start a reply from: active, for this status (or any), and
        for the item's service (or every service)."""
        return self.filter(
            Q(status=status) | Q(status=""),
            Q(service__isnull=True) | Q(service_id=service_id),
            active=True,
        )


class SavedReply(models.Model):
    """A reply staff can start from, offered on items with the given status (any, if
    blank) in the given service (every service, if none: the complaints manager's).
    Choosing one fills the reply box; the worker reads it and sends it themselves."""

    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_replies",
        verbose_name=_("service"),
    )
    status = models.CharField(
        _("offered when the status is"), max_length=20, choices=Status, blank=True
    )
    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"), max_length=5000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = SavedReplyQuerySet.as_manager()

    class Meta:
        ordering = ["status", "order", "title"]
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")

    def __str__(self) -> str:
        return self.title


class LocalClosure(models.Model):
    """A day the council is closed that is not a bank holiday: not a working day."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("reason"), max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = _("local closure day")
        verbose_name_plural = _("local closure days")

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread_in_portal(self, user: User) -> NotificationQuerySet:
        return self.filter(
            recipient=user, channel=Notification.Channel.PORTAL, read_at__isnull=True
        )


class Notification(models.Model):
    """One message to one recipient on one channel, sent at most once (by its key)."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("In the portal")
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # For a person who takes the daily digest: sent in it, not on its own.
        DIGEST = "digest", _("Waiting for the daily digest")

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=10, choices=Channel)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    address = models.CharField(max_length=254, blank=True)
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    template = models.CharField(max_length=60)
    # Never a young person's words: a reference, a kind, a topic, a date and a link.
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # What a GOV.UK Notify template is filled with (templates/texts/): a reference and a link.
    personalisation = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # After a refused send: not before this. The sweep honours it too.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    # The last refused or failed attempt: /healthz counts a channel's failures from it.
    failed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="notification_state"),
            # /healthz, called every few seconds: a channel's last success and recent failures.
            models.Index(fields=["channel", "sent_at"], name="notification_channel_sent"),
            models.Index(fields=["channel", "failed_at"], name="notification_channel_failed"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.key


class ListReadManager(models.Manager["ListRead"]):
    def record(self, *, user: User, on: str, items: list[Item]) -> ListRead | None:
        """One entry naming the items a list showed, with a `StaffView` per item (so an
        item's own audit page and a subject access answer still name every reader).

        The queue refreshes every 30 seconds: the same list shown again to the same
        person within LIST_READ_REPEAT_MINUTES is not recorded again. The cache holds
        only when it was last recorded (one round trip for a refresh); the database is the
        record. A cache that is down says "not seen" (portal.cache), so a read is recorded
        rather than lost."""
        ids = sorted({item.pk for item in items})
        shown = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()
        key = f"list-read:{user.pk}:{on}:{shown}"
        repeat = settings.LIST_READ_REPEAT_MINUTES * 60
        now = timezone.now()
        # The time of the last record, not the key's lifetime alone, decides: the app's
        # clock is the record's clock (and the one tests freeze).
        last = cache.get(key)
        if repeat and isinstance(last, float) and 0 <= now.timestamp() - last < repeat:
            return None
        read = self.create(user=user, on=on, item_count=len(ids), at=now)
        if repeat:
            cache.set(key, now.timestamp(), repeat)
        StaffView.objects.bulk_create(
            [StaffView(item_id=pk, user=user, viewed_at=read.at, list_read=read) for pk in ids]
        )
        return read


class ListRead(models.Model):
    """A list of items whose words a member of staff was shown at once (the queue, an API
    page, the moderation page): one entry in the audit log. Each item shown has its
    `StaffView` pointing here. Written by the app, never edited."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    on = models.CharField(max_length=20, choices=ReadPlace)
    item_count = models.PositiveIntegerField()

    objects = ListReadManager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("staff read of a list of items")
        verbose_name_plural = _("staff reads of lists of items")

    def __str__(self) -> str:
        return (
            f"{self.user_id} read {self.item_count} items on {self.on} at {self.at:%Y-%m-%d %H:%M}"
        )


class StaffView(models.Model):
    """Who read which item's words, and when: on its own page, or on a list (`list_read`).
    Written by the app, never edited."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="staff_views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now)
    list_read = models.ForeignKey(
        ListRead, on_delete=models.PROTECT, null=True, blank=True, related_name="views"
    )

    class Meta:
        ordering = ["-viewed_at"]
        verbose_name = _("staff view of an item")
        verbose_name_plural = _("staff views of items")

    def __str__(self) -> str:
        return f"{self.user_id} viewed {self.item_id} at {self.viewed_at:%Y-%m-%d %H:%M}"


class SubjectAccessRelease(models.Model):
    """A subject access answer the complaints manager released to a young person: the
    parts withheld (by key: `staff:<user id>`, `event:<id>`, `words:<item id>`), how many
    of each kind, by whom and when. The released page applies these to what is held, and
    withholds whatever was not there to review."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(default=timezone.now)
    withheld = models.JSONField(default=list)
    # Every part offered for withholding when it was released: a part that appears later
    # (a note, a member of staff who opened an item since) was never reviewed, and the
    # released page withholds it (subject_access.withheld_now).
    offered = models.JSONField(default=list)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-released_at", "-pk"]
        verbose_name = _("subject access release")
        verbose_name_plural = _("subject access releases")

    def __str__(self) -> str:
        return f"release #{self.pk}"
