"""Sending a postcard or complaint: the one place an item is made, in a transaction,
writing its first timeline event and sending it to routing after commit.

The page, the API, staff entering a paper postcard and the demo data all call
submit_item; feedback.services holds every later change to an item.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from feedback import outbox, triage
from feedback.codes import stored_submission_key, tracking_code_for, tracking_hash
from feedback.event_data import SubmittedData
from feedback.models import Channel, Event, EventKind, Identity, Item, Kind, Priority, Topic
from portal import refusals
from portal.models import ContactMethod, Service, User, random_code
from portal.refusals import Refused


class Answers(TypedDict):
    """A young person's answers on the form, as submit_item takes them."""

    kind: str
    topic: Topic
    words: str
    identity: str
    audience: str
    mood: int | None
    consent_to_share: bool
    contact_wanted: bool
    contact_method: str
    contact_detail: str
    advocate_requested: bool


@dataclass(frozen=True)
class Submitted:
    item: Item
    tracking_code: str | None
    created: bool


class KeyReused(refusals.KeyReused):
    """The form's key already made an item with other answers (a young person went Back,
    changed the words and sent again). Nothing is saved: the caller asks, or sends the
    answers again under a new key. Never a silent drop."""

    def __init__(self, item: Item) -> None:
        super().__init__(
            _("This was already sent with other answers. Send it again to make a new one.")
        )
        self.item = item


# What a sender chose: a key sent again with all of these the same is the same item.
# (Priority, safeguarding and held follow from them, or from the moment it was sent.)
_CHOSEN = (
    "kind",
    "words",
    "mood",
    "identity",
    "audience",
    "consent_to_share",
    "advocate_requested",
    "contact_wanted",
    "contact_method",
    "contact_detail",
    "channel",
    "received_by",
    "written_on",
)
_CHOSEN_RECORDS = ("topic", "author", "entered_by")


def _page_language() -> str:
    """The language the portal is in for this request (LocaleMiddleware chooses it from
    the language choice or the phone's own): "" for the default, English."""
    code = translation.get_language() or ""
    offered = {language for language, _name in settings.LANGUAGES}
    return code if code in offered and code != settings.LANGUAGE_CODE else ""


def _same_answers(item: Item, fields: dict[str, Any]) -> bool:
    records = all(
        getattr(item, f"{name}_id") == (fields[name].pk if fields[name] else None)
        for name in _CHOSEN_RECORDS
    )
    return records and all(getattr(item, name) == fields[name] for name in _CHOSEN)


def _send_routing(item: Item) -> None:
    outbox.send_on_commit(
        outbox.ROUTE_URGENT_ITEM if item.safeguarding else outbox.ROUTE_ITEM, item.pk
    )


# --- Submission ------------------------------------------------------------------


def check_answers(*, identity: str, contact_wanted: bool, contact_method: str) -> None:
    """Refuse answers that cannot be kept as given. The forms show this message too."""
    # Anonymous means nobody can tell who sent it, so nobody can get in touch: the
    # answer is read with the tracking code instead. Never promise both.
    if identity == Identity.ANONYMOUS and contact_wanted:
        raise Refused(
            _(
                "If nobody knows it is you, nobody can get in touch. "
                "Choose No, or choose to let the team know it is you."
            ),
            field="contact_wanted",
        )


def submit_item(
    *,
    kind: str,
    topic: Topic,
    words: str,
    identity: str,
    author: User | None,
    audience: str,
    submission_key: uuid.UUID,
    mood: int | None = None,
    consent_to_share: bool = False,
    contact_wanted: bool = False,
    contact_method: str = "",
    contact_detail: str = "",
    advocate_requested: bool = False,
    channel: str = Channel.ONLINE,
    entered_by: User | None = None,
    received_by: str = "",
    written_on: date | None = None,
    held: bool = False,
) -> Submitted:
    """Save an item and hand it to routing once committed. The same key never makes two.

    The unique key is the check: a second insert with it fails and the first item
    is returned, so a double tap costs no extra query on the usual path. A key sent
    again with other answers raises KeyReused, and nothing is saved.

    `held` (sent while over a flood limit) sends it to triage for a person to
    check; a child at risk is never held, and nothing is ever discarded.
    Answers that check_answers refuses raise Refused, and nothing is saved.
    """
    check_answers(identity=identity, contact_wanted=contact_wanted, contact_method=contact_method)
    anonymous = identity == Identity.ANONYMOUS
    fields: dict[str, Any] = {
        "submission_key": stored_submission_key(submission_key),
        "kind": kind,
        "topic": topic,
        "words": words,
        "mood": mood,
        "identity": identity,
        "audience": audience,
        "author": None if anonymous else author,
        "consent_to_share": consent_to_share,
        # An advocate is offered for complaints only.
        "advocate_requested": advocate_requested and kind == Kind.COMPLAINT,
        "stage": 1 if kind == Kind.COMPLAINT else None,
        "channel": channel,
        "entered_by": entered_by,
        # A paper postcard: how it reached the worker, and the day it was written.
        "received_by": received_by,
        "written_on": written_on,
        **_contact_fields(contact_wanted, contact_method, contact_detail),
        **_triage_fields(words, held=held),
        "reply_language": _page_language(),
    }
    tracking_code = tracking_code_for(submission_key) if anonymous else None
    for _attempt in range(5):
        try:
            return Submitted(_insert_item(fields, tracking_code), tracking_code, created=True)
        except IntegrityError:
            existing = Item.objects.filter(
                submission_key=stored_submission_key(submission_key)
            ).first()
            if existing is not None:  # the same form sent again (a double tap, a replay)
                if not _same_answers(existing, fields):
                    raise KeyReused(existing) from None
                # No tracking code: it is shown once, to the send that made the item.
                return Submitted(existing, None, created=False)
            # Otherwise the reference collided: draw another.
    raise RuntimeError("could not allocate a unique reference")


def _contact_fields(wanted: bool, method: str, detail: str) -> dict[str, object]:
    """Contact details only if contact is wanted, and none to keep for a reply in the app."""
    if not wanted:
        return {"contact_wanted": False, "contact_method": "", "contact_detail": ""}
    kept = "" if method == ContactMethod.PORTAL else detail.strip()
    return {"contact_wanted": True, "contact_method": method, "contact_detail": kept}


def _triage_fields(words: str, *, held: bool) -> dict[str, object]:
    """A child at risk goes to the duty team at once, and is never held back."""
    assessment = triage.assess(words)
    return {
        "priority": Priority.URGENT if assessment.urgent else Priority.ROUTINE,
        "safeguarding": assessment.urgent,
        "safeguarding_reasons": assessment.reasons,
        "held": held and not assessment.urgent,
    }


def _insert_item(fields: dict[str, object], tracking_code: str | None) -> Item:
    """Insert under a fresh reference, record it sent, and route it once committed.

    Raises IntegrityError if the reference or the submission key is taken.
    """
    reference = f"{random_code(3)}-{random_code(3)}"
    with transaction.atomic():
        item = Item.objects.create(
            reference=reference,
            tracking_code_hash=tracking_hash(reference, tracking_code) if tracking_code else "",
            **fields,
        )
        data = SubmittedData(channel=item.channel)
        if item.entered_by is not None:
            data["in_a_sentence"] = _entering_team(item.entered_by, item.author)
            if item.received_by:
                data["received_by"] = item.received_by
            if item.written_on:
                data["written_on"] = item.written_on.isoformat()
        Event.record(
            item,
            EventKind.SUBMITTED,
            actor=item.entered_by or item.author,
            actor_label=str(item.entered_by) if item.entered_by is not None else "",
            data=data,
        )
        _send_routing(item)
    return item


def _entering_team(staff: User, author: User | None) -> str:
    """The team that typed in a paper postcard, as the young person's page names it:
    a service of theirs that works with the young person, else their first."""
    theirs = list(Service.objects.filter(pk__in=staff.service_ids).order_by("name"))
    profile = author.young_person if author is not None else None
    linked = set(profile.services.values_list("pk", flat=True)) if profile else set()
    service = next((s for s in theirs if s.pk in linked), theirs[0] if theirs else None)
    return service.in_a_sentence if service else str(_("the team"))
