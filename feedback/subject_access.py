"""The subject access answer a complaints manager sends a young person: what is held
about them in words (labels and dates a person reads, no field names), each part that
may be withheld offered with a default, and the release recorded (what was withheld,
how many of each kind, by whom) in the audit. The JSON for the record is
feedback.privacy.subject_access, unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from feedback.models import (
    Channel,
    Event,
    Item,
    Notification,
    ReadPlace,
    StaffView,
    SubjectAccessRelease,
    Visibility,
)
from feedback.privacy import held_items
from portal import audit
from portal.models import AuditEntry, AuditKind, Membership, User, YoungPerson

# The parts a complaints manager may withhold, by kind, as the page and the record name them.
STAFF_NAME, STAFF_ONLY, WORDS = "staff_name", "staff_only", "words"
WITHHELD_KINDS = {
    STAFF_NAME: _("names of staff"),
    STAFF_ONLY: _("staff-only entries"),
    WORDS: _("words that may be someone else's"),
}
A_MEMBER_OF_STAFF = _("A member of staff")


@dataclass(frozen=True)
class Candidate:
    """One part of the answer that may be withheld before it is released."""

    key: str
    kind: str
    label: str
    withhold: bool  # the default


def in_words(moment: datetime | None, *, time: bool = False) -> str:
    """A date as a person reads it: "6 December 2026" (with ", 14:05" if `time`)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return date_format(local, "j F Y, H:i" if time else "j F Y")


def _yes_no(value: bool) -> str:
    return str(_("Yes") if value else _("No"))


def _own_workers(person: User, items: list[Item]) -> set[int]:
    """Staff who work with them: members of the services linked to them, and whoever
    had one of their items."""
    profile = person.young_person
    services = set(profile.services.values_list("pk", flat=True)) if profile else set()
    services |= {item.service_id for item in items if item.service_id}
    workers = set(
        Membership.objects.filter(service_id__in=services).values_list("user_id", flat=True)
    )
    return workers | {item.assignee_id for item in items if item.assignee_id}


def readable_answer(person: User, *, read_by: User, withheld: Iterable[str] = ()) -> dict[str, Any]:
    """What is held about one young person, as the complaints manager sends it: labels
    in words, dates in words, and each part that may be withheld offered as a
    candidate. Parts in `withheld` are left out (a staff name reads "A member of
    staff"; words and staff-only entries read "Withheld")."""
    hidden = set(withheld)
    profile: YoungPerson | None = person.young_person
    items = held_items(person, read_by=read_by)
    own = _own_workers(person, items)
    staff: dict[int, str] = {}
    candidates: list[Candidate] = []

    def who(user: User | None, label: str = "") -> str:
        if user is None or user.young_person is not None:
            return label if user is None else ""
        staff.setdefault(user.pk, user.shown_name)
        return str(A_MEMBER_OF_STAFF) if f"staff:{user.pk}" in hidden else user.shown_name

    events = Event.objects.filter(item__in=items).select_related("actor").order_by("created_at")
    timeline: dict[int, list[dict[str, Any]]] = {item.pk: [] for item in items}
    for event in events:
        key = f"event:{event.pk}"
        staff_only = event.visibility == Visibility.STAFF
        what = event.get_kind_display()
        when = in_words(event.created_at, time=True)
        if staff_only:
            candidates.append(
                Candidate(key, STAFF_ONLY, f"{what}, {when}", withhold=bool(event.body))
            )
        elif event.body:
            candidates.append(Candidate(key, WORDS, f"{what}, {when}", withhold=False))
        timeline[event.item_id].append(
            {
                "when": when,
                "what": what,
                "who": who(event.actor, event.actor_label),
                "staff_only": staff_only,
                "words": "" if key in hidden else event.body,
                "withheld": key in hidden and (bool(event.body) or staff_only),
            }
        )
    answer_items = []
    for item in items:
        key = f"words:{item.pk}"
        candidates.append(
            Candidate(key, WORDS, str(_("Their words in %s") % item.reference), withhold=False)
        )
        facts = [
            (_("Sent"), in_words(item.created_at)),
            (_("What it is"), item.get_kind_display()),
            (_("About"), item.topic.name),
            (_("How they felt"), item.get_mood_display() if item.mood else str(_("Not said"))),
            (_("Who can see it is from them"), item.get_identity_display()),
            (_("Words shared with the Children in Care Council"), _yes_no(item.consent_to_share)),
            (
                _("How they want to hear back"),
                " ".join(filter(None, [item.get_contact_method_display(), item.contact_detail]))
                if item.contact_wanted
                else str(_("They did not ask to be contacted")),
            ),
            (_("With"), item.service.name if item.service else str(_("Not yet with a team"))),
            (_("Where it is up to"), item.get_status_display()),
        ]
        if item.stage:
            facts.append((_("Complaint stage"), str(_("Stage %s") % item.stage)))
        if item.channel == Channel.PAPER:
            facts.append((_("How it reached us"), _paper_route(item)))
        answer_items.append(
            {
                "reference": item.reference,
                "facts": [(str(label), value) for label, value in facts],
                "words": "" if key in hidden else item.words,
                "words_withheld": key in hidden,
                "timeline": timeline[item.pk],
            }
        )
    views = (
        StaffView.objects.filter(item__in=items)
        .select_related("item", "user", "list_read")
        .order_by("viewed_at", "pk")
    )
    opened = [
        {
            "when": in_words(view.viewed_at, time=True),
            "who": who(view.user),
            "item": view.item.reference,
            "where": str(
                view.list_read.get_on_display() if view.list_read else ReadPlace.ITEM.label
            ),
        }
        for view in views
    ]
    for pk, name in sorted(staff.items(), key=lambda pair: pair[1]):
        theirs = pk in own
        label = f"{name} ({_('one of their own workers') if theirs else _('other staff')})"
        candidates.insert(0, Candidate(f"staff:{pk}", STAFF_NAME, label, withhold=not theirs))
    profile_rows = [
        (_("Username"), person.username),
        (_("Name"), person.display_name),
        (_("Email"), person.email),
        (_("Phone"), person.phone),
        (_("In care or a care leaver"), profile.get_audience_display() if profile else ""),
        (
            _("Year of birth"),
            str(profile.year_of_birth) if profile and profile.year_of_birth else "",
        ),
        (
            _("Member of the Children in Care Council"),
            _yes_no(bool(profile and profile.council_member)),
        ),
        (
            _("How they like to hear from us"),
            profile.get_contact_preference_display() if profile else "",
        ),
        (
            _("Services that work with them"),
            ", ".join(sorted(profile.services.values_list("name", flat=True))) if profile else "",
        ),
        (_("Account made"), in_words(person.date_joined)),
        (_("Last signed in"), in_words(person.last_login) or str(_("Never"))),
    ]
    return {
        "made": in_words(timezone.now()),
        "profile": [(str(label), value or str(_("None held"))) for label, value in profile_rows],
        "items": answer_items,
        "notifications": [
            {
                "when": in_words(n.created_at, time=True),
                "how": n.get_channel_display(),
                "about": n.subject,
            }
            for n in Notification.objects.filter(recipient=person).order_by("created_at")
        ],
        "opened_by_staff": opened,
        "audit": [
            {"when": in_words(e.created_at, time=True), "what": e.get_kind_display()}
            for e in AuditEntry.objects.filter(user_id=person.pk).order_by("created_at")
        ],
        "candidates": candidates,
    }


def _paper_route(item: Item) -> str:
    route = item.get_received_by_display() if item.received_by else str(_("On paper"))
    if item.written_on:
        return str(_("%(route)s; written on %(date)s")) % {
            "route": route,
            "date": date_format(item.written_on, "j F Y"),
        }
    return route


def release(
    *, person: User, by: User, withheld: Iterable[str], offered: list[Candidate]
) -> SubjectAccessRelease:
    """Record an answer released to the young person: which parts were withheld (only
    parts that were offered), how many of each kind, and by whom."""
    keys = {candidate.key: candidate.kind for candidate in offered}
    chosen = sorted(key for key in set(withheld) if key in keys)
    counts = {kind: sum(1 for key in chosen if keys[key] == kind) for kind in WITHHELD_KINDS}
    with transaction.atomic():
        released = SubjectAccessRelease.objects.create(
            person=person, released_by=by, withheld=chosen, offered=sorted(keys), counts=counts
        )
        audit.record(
            AuditKind.EXPORT,
            user=by,
            detail=(
                f"subject access released #{person.pk} (release {released.pk}): withheld "
                + ", ".join(f"{counts[kind]} {kind}" for kind in WITHHELD_KINDS)
            ),
        )
    return released


def withheld_now(released: SubjectAccessRelease, candidates: Iterable[Candidate]) -> set[str]:
    """What the released page withholds: the parts withheld at release, and any part that
    could be withheld but was not there to review (a later note, a member of staff who
    opened an item since): only what the complaints manager saw is released as it was."""
    reviewed = set(released.offered)
    return set(released.withheld) | {c.key for c in candidates if c.key not in reviewed}
