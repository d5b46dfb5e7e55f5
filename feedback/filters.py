"""The staff queue's filters and order: one definition for the queue page and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import F, OrderBy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from feedback.models import ItemQuerySet, Kind, Status

SORTS = {
    "due": ("due_on", "created_at"),
    "-due": ("-due_on", "-created_at"),
    "oldest": ("created_at",),
    "newest": ("-created_at",),
}
ASSIGNED = [("me", _("Me")), ("nobody", _("Nobody"))]
STATUSES = [("open", _("Open")), ("all", _("All")), *Status.choices]
SORT_CHOICES = [(key, key) for key in SORTS]


def _any_of(choices: list[tuple[str, Any]]) -> dict[str, Any]:
    """The schema of a choice: one of its values, or empty for any (as the page's form
    sends an untouched select)."""
    return {"type": "string", "enum": ["", *(value for value, _label in choices)]}


# Free text the filter's form takes: anything but a NUL, which it refuses.
TEXT = {"type": "string", "pattern": r"^[^\x00]*$"}


def _nulls_last(name: str) -> OrderBy:
    field = name.lstrip("-")
    return F(field).desc(nulls_last=True) if name.startswith("-") else F(field).asc(nulls_last=True)


class QueueFilter(django_filters.FilterSet):
    """What the queue's query string asks for. A value it does not know is ignored, as
    the page always has done, rather than refused."""

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
            items = items.open()
        # Items with no clock go last when sorting by due date; a child at risk not
        # yet acknowledged comes first, whatever the sort.
        first, *rest = SORTS.get(cleaned.get("sort") or "due", SORTS["due"])
        return items.urgent_first(_nulls_last(first), *rest, "id")

    def filter_status(self, items: ItemQuerySet, name: str, value: str) -> ItemQuerySet:
        if value == "open":
            return items.open()
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
