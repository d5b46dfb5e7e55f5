"""The staff queue's filters and order: one definition for the queue page and the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import django_filters
from django.db.models import F, OrderBy, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from feedback.models import MINUTE_CLOCKS, Event, EventKind, ItemQuerySet, Kind, Status
from portal.models import User, normalise_reference

SORTS = {
    "due": ("due_on", "created_at"),
    "-due": ("-due_on", "-created_at"),
    "oldest": ("created_at",),
    "newest": ("-created_at",),
}
ASSIGNED = [("me", _("Me")), ("nobody", _("Nobody"))]
STATUSES = [
    ("open", _("Open")),
    ("waiting", _("Waiting on the young person")),
    ("all", _("All")),
    *Status.choices,
]
SORT_CHOICES = [(key, key) for key in SORTS]


def _any_of(choices: list[tuple[str, Any]]) -> dict[str, Any]:
    """The schema of a choice: one of its values, or empty for any (as the page's form
    sends an untouched select)."""
    return {"type": "string", "enum": ["", *(value for value, _label in choices)]}


# Free text the filter's form takes: anything but a NUL, which it refuses.
TEXT = {"type": "string", "pattern": r"^[^\x00]*$"}


# --- Waiting on the young person ------------------------------------------------------
# Who spoke last, of the events that are the conversation: staff answering (a reply, the
# answer that resolves it, or marking it answered) or the young person replying.
CONVERSATION = (
    EventKind.STAFF_REPLY,
    EventKind.RESOLVED,
    EventKind.STATUS,
    EventKind.YOUNG_PERSON_REPLY,
)


def with_last_word(items: ItemQuerySet) -> ItemQuerySet:
    """The kind of each item's last conversation event, as `last_word` ("" if none).
    One subquery per item, on the timeline's index (item, created_at)."""
    last = (
        Event.objects.filter(item=OuterRef("pk"), kind__in=CONVERSATION)
        .order_by("-created_at", "-id")
        .values("kind")[:1]
    )
    return items.alias(last_word=Coalesce(Subquery(last), Value("")))


def waiting_on_young_person(now: datetime) -> Q:
    """Answered (status "Answered"), the last word the team's, and no clock saying
    otherwise: a clock running in minutes (a child at risk, a same-day read) always keeps
    it in the open list, and a clock due today or overdue brings it back there. The
    young person replying, saying it is not sorted (status "Opened again") or it being
    worked on again ends the wait. Needs `with_last_word` on the queryset."""
    today = timezone.localdate(now)
    clock_quiet = Q(due_on__isnull=True) | (Q(due_on__gt=today) & ~Q(clock__in=MINUTE_CLOCKS))
    return Q(status=Status.RESPONDED) & ~Q(last_word=EventKind.YOUNG_PERSON_REPLY) & clock_quiet


# --- Search ----------------------------------------------------------------------------
SEARCH_MAX_CHARS = 100
# Fewer characters of words match nearly everything (and a trigram index needs three).
SEARCH_MIN_WORD_CHARS = 3


def search(items: ItemQuerySet, query: str, *, words_from: ItemQuerySet | None) -> ItemQuerySet:
    """The items matching what a worker typed: a reference, exactly, in any case, with or
    without its dash or spaces ("k7m 4qp"); a young person's name or username (an
    anonymous item has no author, so never by name); or, only among `words_from` (the
    items whose words this worker may read, feedback.access), words of what they wrote.

    Each part is one index on PostgreSQL: the reference's unique index, the author's
    (the people matched, as a subquery), and the words' trigram index (migration 0019)."""
    query = query.replace("\x00", "").strip()[:SEARCH_MAX_CHARS]
    if not query:
        return items.none()
    match = Q(reference=normalise_reference(query))
    people = (
        User.objects.filter(young_person_profile__isnull=False)
        .alias(full_name=Concat("first_name", Value(" "), "last_name"))
        .filter(
            Q(username__icontains=query)
            | Q(display_name__icontains=query)
            | Q(full_name__icontains=query)
        )
        .values("pk")
    )
    # A subquery, not the first few people found: a short name ("sam") matches many young
    # people across the council, and the worker's own must never be cut off unseen.
    match |= Q(author_id__in=people)
    if words_from is not None and len(query) >= SEARCH_MIN_WORD_CHARS:
        match |= Q(pk__in=words_from.filter(words__icontains=query).values("pk"))
    return items.filter(match)


def _nulls_last(name: str) -> OrderBy:
    field = name.lstrip("-")
    return F(field).desc(nulls_last=True) if name.startswith("-") else F(field).asc(nulls_last=True)


class QueueFilter(django_filters.FilterSet):
    """What the queue's query string asks for. A value it does not know is ignored, as
    the page always has done, rather than refused."""

    # The page keeps the items waiting on the young person in their own list
    # (status=waiting) and out of its open ones (QueuePageFilter); the API's "open" is
    # every open item, as it always was, and it may ask for status=waiting too.
    waiting_apart = False

    status = extend_schema_field(_any_of(STATUSES))(
        django_filters.ChoiceFilter(
            choices=STATUSES,
            method="filter_status",
            help_text=_("open (the default), all, or one status"),
        )
    )
    kind = extend_schema_field(_any_of(Kind.choices))(
        django_filters.ChoiceFilter(choices=Kind.choices)
    )
    topic = extend_schema_field(TEXT)(
        django_filters.CharFilter(method="filter_topic", help_text=_("A topic's id"))
    )
    overdue = extend_schema_field(TEXT)(
        django_filters.CharFilter(method="filter_overdue", help_text=_("Any value: overdue only"))
    )
    urgent = extend_schema_field(TEXT)(
        django_filters.CharFilter(method="filter_urgent", help_text=_("Any value: urgent only"))
    )
    needs_read = extend_schema_field(TEXT)(
        django_filters.CharFilter(
            method="filter_needs_read",
            help_text=_("Any value: only postcards not in English that need a read"),
        )
    )
    assigned = extend_schema_field(_any_of(ASSIGNED))(
        django_filters.ChoiceFilter(choices=ASSIGNED, method="filter_assigned")
    )
    sort = extend_schema_field(_any_of(SORT_CHOICES))(
        django_filters.ChoiceFilter(
            choices=SORT_CHOICES,
            method="filter_sort",
            help_text=_("Urgent items not yet acknowledged come first, whatever the sort."),
        )
    )

    def filter_queryset(self, queryset: Any) -> ItemQuerySet:
        items: ItemQuerySet = super().filter_queryset(queryset)
        cleaned = self.form.cleaned_data
        if "status" not in self.data:  # the open items unless asked; "all" or unknown: all
            items = self._open(items)
        # Items with no clock go last when sorting by due date; a child at risk not
        # yet acknowledged comes first, whatever the sort.
        first, *rest = SORTS.get(cleaned.get("sort") or "due", SORTS["due"])
        return items.urgent_first(_nulls_last(first), *rest, "id")

    def _open(self, items: ItemQuerySet) -> ItemQuerySet:
        if not self.waiting_apart:
            return items.open()
        return with_last_word(items.open()).exclude(waiting_on_young_person(timezone.now()))

    def filter_status(self, items: ItemQuerySet, name: str, value: str) -> ItemQuerySet:
        if value == "open":
            return self._open(items)
        if value == "waiting":
            return with_last_word(items.open()).filter(waiting_on_young_person(timezone.now()))
        if value == "all":
            return items
        return items.filter(status=value)

    def filter_topic(self, items: ItemQuerySet, name: str, value: str) -> ItemQuerySet:
        if value.isascii() and value.isdigit() and len(value) < 10:
            return items.filter(topic_id=int(value))
        return items

    def filter_overdue(self, items: ItemQuerySet, name: str, value: str) -> ItemQuerySet:
        return items.overdue()

    def filter_urgent(self, items: ItemQuerySet, name: str, value: str) -> ItemQuerySet:
        return items.filter(priority="urgent")

    def filter_needs_read(self, items: ItemQuerySet, name: str, value: str) -> ItemQuerySet:
        return items.needs_read()

    def filter_assigned(self, items: ItemQuerySet, name: str, value: str) -> ItemQuerySet:
        if value == "me":
            return items.filter(assignee=self.request.user)
        return items.filter(assignee__isnull=True)

    def filter_sort(self, items: ItemQuerySet, name: str, value: str) -> ItemQuerySet:
        return items  # the order is set last, in filter_queryset


class QueuePageFilter(QueueFilter):
    """The queue page's: "open" leaves out what waits on the young person."""

    waiting_apart = True
