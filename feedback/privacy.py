"""A young person's data rights: what the council holds about them (subject access),
and erasure on request, keeping only anonymous figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from feedback import dispatch
from feedback.models import (
    Event,
    EventKind,
    Item,
    ItemQuerySet,
    Notification,
    NotificationQuerySet,
    Outcome,
    ReadPlace,
    StaffView,
    Status,
)
from portal import audit
from portal.models import AuditEntry, AuditKind, User, YoungPerson

# What other apps hold of an item's words, cleared on erasure (participation's quotes,
# say). They register here, so feedback needs no import of them.
_erasure_steps: list[Callable[[list[int]], None]] = []


class ErasureRefused(Exception):
    """The message says why; nothing was changed."""


def on_erasure(step: Callable[[list[int]], None]) -> None:
    if step not in _erasure_steps:
        _erasure_steps.append(step)


def young_person_for_staff(username: str) -> User | None:
    return (
        User.objects.filter(username__iexact=username, young_person_profile__isnull=False)
        .select_related("young_person_profile")
        .first()
    )


def held_items(person: User, *, read_by: User) -> list[Item]:
    """A young person's own items, oldest first, for a subject access answer (the JSON
    here, the readable page in feedback.subject_access): `read_by` is on record as
    reading their words."""
    return list(
        Item.objects.filter(author=person)
        .read_by(read_by, ReadPlace.SUBJECT_ACCESS)
        .select_related("topic", "service")
        .order_by("created_at")
    )


def subject_access(person: User, *, read_by: User) -> dict[str, Any]:
    """Everything held about one young person, in plain data: profile, items with their
    whole timeline (staff notes too), notifications, who opened their items, and the
    audit entries about them. No other young person is named: only their own items
    are included, and staff appear by name as the people who worked on them.

    The answer carries their words, so the member of staff it is made for (`read_by`)
    is on record as reading them, as on any list; the answer names that read too."""
    profile: YoungPerson | None = person.young_person
    items = held_items(person, read_by=read_by)
    events = Event.objects.filter(item__in=items).select_related("actor").order_by("created_at")
    timeline: dict[int, list[dict[str, Any]]] = {item.pk: [] for item in items}
    for event in events:
        timeline[event.item_id].append(
            {
                "when": event.created_at.isoformat(),
                "what": event.get_kind_display(),
                "who": _staff_name(event.actor) or event.actor_label,
                "staff_only": event.visibility == "staff",
                "words": event.body,
            }
        )
    return {
        "made": timezone.now().isoformat(),
        "profile": {
            "username": person.username,
            "name": person.display_name,
            "email": person.email,
            "phone": person.phone,
            "in_care_or_care_leaver": profile.get_audience_display() if profile else "",
            "year_of_birth": profile.year_of_birth if profile else None,
            "council_member": bool(profile and profile.council_member),
            "contact_preference": profile.get_contact_preference_display() if profile else "",
            "services_that_work_with_them": (
                sorted(profile.services.values_list("name", flat=True)) if profile else []
            ),
            "account_made": person.date_joined.isoformat(),
            "last_sign_in": person.last_login.isoformat() if person.last_login else None,
        },
        "items": [
            {
                "reference": item.reference,
                "sent": item.created_at.isoformat(),
                "kind": item.get_kind_display(),
                "topic": item.topic.name,
                "words": item.words,
                "mood": item.get_mood_display() if item.mood else "",
                "who_can_see_it_is_from_you": item.get_identity_display(),
                "shared_with_the_council": item.consent_to_share,
                "contact": item.get_contact_method_display() if item.contact_wanted else "",
                "contact_detail": item.contact_detail,
                "service": item.service.name if item.service else "",
                "status": item.get_status_display(),
                "complaint_stage": item.stage,
                "timeline": timeline[item.pk],
            }
            for item in items
        ],
        "notifications": [
            {"when": n.created_at.isoformat(), "how": n.get_channel_display(), "about": n.subject}
            for n in Notification.objects.filter(recipient=person).order_by("created_at")
        ],
        "opened_by_staff": [
            {
                "when": v.viewed_at.isoformat(),
                "item": v.item.reference,
                "who": v.user.username,
                # An item's own page, or a list (the queue, the API) that showed its words.
                "where": str(v.list_read.get_on_display() if v.list_read else ReadPlace.ITEM.label),
            }
            for v in StaffView.objects.filter(item__in=items)
            .select_related("item", "user", "list_read")
            .order_by("viewed_at", "pk")
        ],
        "audit": [
            {"when": e.created_at.isoformat(), "what": e.get_kind_display(), "address": e.address}
            for e in AuditEntry.objects.filter(user_id=person.pk).order_by("created_at")
        ],
    }


def _staff_name(user: User | None) -> str:
    # Only staff are named on a timeline; a young person's own actions read as theirs.
    return user.shown_name if user is not None and user.young_person is None else ""


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing a young person will do, shown before the complaints manager confirms."""

    items: int
    open_items: list[Item]
    open_safeguarding: int
    messages_waiting: int

    @property
    def refused(self) -> bool:
        return self.open_safeguarding > 0


def erasure_plan(person: User) -> ErasurePlan:
    items = Item.objects.filter(author=person)
    open_items = list(items.open().select_related("topic", "service").order_by("created_at"))
    return ErasurePlan(
        items=items.count(),
        open_items=open_items,
        open_safeguarding=sum(1 for item in open_items if item.safeguarding),
        messages_waiting=_waiting(items, person).count(),
    )


def _waiting(items: ItemQuerySet, person: User) -> NotificationQuerySet:
    """Messages about their items, or to them, not yet sent (nor waiting for a digest)."""
    return Notification.objects.filter(
        Q(item__in=items) | Q(recipient=person),
        state__in=[Notification.State.PENDING, Notification.State.DIGEST],
    )


def erase(*, person: User, by: User, reason: str) -> int:
    """Erase a young person on request: their items lose their words and their link to
    them (as retention does, so every figure stays the same), their account loses its
    name and contact details and can no longer sign in. Returns how many items.

    An item still open is closed first, with the outcome "erased", so no clock runs on
    and no reminder or escalation is sent about it; messages about their items not yet
    sent are cancelled. Refused while a safeguarding concern of theirs is open."""
    if not reason.strip():
        raise ErasureRefused("Give the reason for the erasure.")
    items = Item.objects.filter(author=person)
    if items.open().filter(safeguarding=True).exists():
        raise ErasureRefused(
            "One of their items is an open safeguarding concern. The duty team must close it first."
        )
    with transaction.atomic():
        now = timezone.now()
        for item in items.open().select_for_update():
            item.status = Status.CLOSED
            item.closed_at = now
            item.outcome = Outcome.ERASED
            item.needs_read = False
            item.stop_clock()
            item.save()
            Event.record(item, EventKind.ERASED, staff_only=True)
        # Not sent, and never will be: the sender skips rows that are not pending.
        _waiting(items, person).update(
            state=Notification.State.FAILED, last_error="cancelled: erased on request"
        )
        item_ids = list(items.values_list("pk", flat=True))
        for item_id in item_ids:
            dispatch.anonymise_item(item_id)
        for step in _erasure_steps:
            step(item_ids)
        Notification.objects.filter(recipient=person).update(
            recipient=None, address="", subject="", body=""
        )
        YoungPerson.objects.filter(user=person).update(year_of_birth=None, council_member=False)
        person.username = f"erased-{person.pk}"
        person.display_name = ""
        person.first_name = person.last_name = ""
        person.email = ""
        person.phone = ""
        person.is_active = False
        person.set_unusable_password()
        person.save()
        EmailAddress.objects.filter(user=person).delete()
        Authenticator.objects.filter(user=person).delete()
        audit.record(
            AuditKind.CONFIGURATION,
            user=by,
            detail=f"erased young person #{person.pk}: {reason.strip()}"[:200],
        )
    return len(item_ids)
