"""Every change to an item happens here: in a transaction, writing a timeline event.

Views, the API and Celery tasks all call these functions; none changes an item itself.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback import clocks, notifications
from feedback.event_data import (
    AssignedData,
    ChangeData,
    DecisionData,
    ExtendedData,
    Keyed,
    NoteData,
    ReadData,
    ReplyData,
    ReroutedData,
    ResolvedData,
    ServiceData,
    StageData,
    StatusData,
    WithdrawnData,
)
from feedback.models import (
    Clock,
    ClockState,
    Event,
    EventKind,
    Item,
    Outcome,
    Priority,
    SafeguardingDecision,
    StaffView,
    Status,
)
from portal.models import Service, User
from portal.refusals import Refused

log = logging.getLogger(__name__)


# --- The young person's actions -------------------------------------------------


def _refuse_if_finished(item: Item) -> None:
    if item.status == Status.WITHDRAWN:
        raise Refused(_("This has been withdrawn, so it cannot be changed."))
    if item.status == Status.CLOSED:
        raise Refused(_("This is closed, so it cannot be changed."))


def _refuse_if_done(item: Item, key: str) -> None:
    """A form sent twice (a double click) acts once: its key is on the first event.

    Checked under the item's row lock, so a second request waits for the first
    to commit and then finds its event.
    """
    if key and item.events.filter(data__key=key).exists():
        raise Refused(_("That was already done."))


def _refuse_if_unrouted(item: Item) -> Service:
    """The service the item is with; refused if it is with none yet."""
    if item.service is None:
        raise Refused(_("This has not reached a service yet. Move it to a service first."))
    return item.service


def _locked(item: Item) -> Item:
    return (
        Item.objects.select_for_update(of=("self",))
        .select_related("service", "topic")
        .get(pk=item.pk)
    )


def _as_young_person(item: Item, by: User | None) -> User | None:
    """Who to record as the actor: nobody, on an item whose sender chose to be anonymous."""
    return None if item.is_anonymous else by


def young_person_reply(*, item: Item, by: User | None, text: str, key: str = "") -> Event:
    with transaction.atomic():
        item = _locked(item)
        _refuse_if_finished(item)
        _refuse_if_done(item, key)
        event = Event.record(
            item,
            EventKind.YOUNG_PERSON_REPLY,
            actor=_as_young_person(item, by),
            body=text,
            data=Keyed(key=key),
        )
        notifications.young_person_replied(item, event)
    return event


def withdraw(*, item: Item, by: User | None) -> Item:
    """The young person stops it. A child at risk's item stays with the duty team,
    with the request on its timeline: their safety is checked all the same."""
    with transaction.atomic():
        item = _locked(item)
        _refuse_if_finished(item)
        if item.safeguarding:
            if item.withdrawal_requested:
                raise Refused(_("You have already asked to withdraw this."))
            item.withdraw_requested_at = timezone.now()
            item.save(update_fields=["withdraw_requested_at", "updated_at"])
            Event.record(
                item,
                EventKind.WITHDRAWN,
                actor=_as_young_person(item, by),
                data=WithdrawnData(kept_open=True),
            )
            notifications.status_changed_for_staff(item, "withdrawn")
            return item
        item.status = Status.WITHDRAWN
        item.closed_at = timezone.now()
        if item.is_complaint:
            item.outcome = Outcome.WITHDRAWN
        item.stop_clock()
        item.save()
        Event.record(item, EventKind.WITHDRAWN, actor=_as_young_person(item, by))
        notifications.status_changed_for_staff(item, "withdrawn")
    return item


def stop_sharing(*, item: Item, by: User | None) -> Item:
    """The young person takes back their consent: from now on no quote from it is shown
    anywhere (participation reads consent_to_share on every quote it shows)."""
    with transaction.atomic():
        item = _locked(item)
        if not item.consent_to_share:
            raise Refused(_("Your words are not being shared."))
        item.consent_to_share = False
        item.save(update_fields=["consent_to_share", "updated_at"])
        Event.record(item, EventKind.STOPPED_SHARING, actor=_as_young_person(item, by))
    return item


def answer_sorted(*, item: Item, by: User | None, sorted_: bool) -> Item:
    """The young person's answer to "Did this sort it?" once staff have responded."""
    with transaction.atomic():
        item = _locked(item)
        if item.status == Status.CLOSED:
            raise Refused(_("You have already said this is sorted. It is closed."))
        if not item.awaits_sorted_answer:
            raise Refused(_("You can answer this once the team has replied."))
        if sorted_:
            item.status = Status.CLOSED
            item.closed_at = timezone.now()
            item.close_days = item.working_days_since_receipt()
            item.stop_clock()
            Event.record(item, EventKind.SORTED, actor=_as_young_person(item, by))
        else:
            item.status = Status.REOPENED
            item.restart_reply_clock(timezone.localdate())
            Event.record(item, EventKind.NOT_SORTED, actor=_as_young_person(item, by))
        item.save()
        notifications.status_changed_for_staff(item, "sorted" if sorted_ else "not_sorted")
    return item


def request_next_stage(*, item: Item, by: User | None, from_stage: int | None) -> Item:
    """A young person not satisfied with a complaint's answer asks for the next stage.

    Only once the stage has been answered; `from_stage` is the stage their page
    showed, so a double tap moves the complaint on once, not twice.
    """
    answered = item.stage_answered
    if not item.is_complaint or (item.stage or 1) >= 3 or not answered:
        raise Refused(_("This cannot go to another stage now."))
    return move_stage(
        item=item,
        by=_as_young_person(item, by),
        reason="",
        from_stage=from_stage,
        requested_by_young_person=True,
    )


# --- Staff actions ---------------------------------------------------------------


def acknowledge(*, item: Item, by: User) -> Item:
    with transaction.atomic():
        item = _locked(item)
        _refuse_if_finished(item)
        service = _refuse_if_unrouted(item)
        if not item.awaits_acknowledgement:
            raise Refused(_("This has already been acknowledged."))
        item.status = Status.ACKNOWLEDGED
        # Judged against the acknowledgement deadline, before the next clock replaces it.
        item.record_first_response()
        # A child at risk: whoever acknowledges it owns it, and owes a decision within a
        # working day (Working Together to Safeguard Children 2023).
        taking = item.is_urgent_clock and item.assignee_id != by.pk and can_be_assigned(item, by)
        if taking:
            item.assignee = by
        if item.is_urgent_clock:
            item.start_decision_clock()
        else:
            item.start_clock_after_acknowledgement()
        item.save()
        Event.record(
            item,
            EventKind.ACKNOWLEDGED,
            actor=by,
            actor_label=service.name,
            data=ServiceData(in_a_sentence=service.in_a_sentence),
        )
        if taking:
            _record_assigned(item, by=by, assignee=by)
        notifications.young_person_update(item, "acknowledged")
    return item


def record_decision(*, item: Item, by: User, decision: str, note: str) -> Item:
    """The duty team's decision on a child at risk's concern: recorded by its owner (or a
    manager of the team, or any member while nobody owns it, who then does), staff only.
    The young person's answer clock then runs as it would have from acknowledgement."""
    with transaction.atomic():
        item = _locked(item)
        _refuse_if_finished(item)
        _refuse_if_unrouted(item)
        if not item.safeguarding:
            raise Refused(_("Only a safeguarding concern needs a decision."))
        if item.decision:
            raise Refused(_("The decision has already been recorded."))
        if item.awaits_acknowledgement:
            raise Refused(_("Acknowledge it first: that makes it yours."))
        if decision not in SafeguardingDecision.values:
            raise Refused(_("Choose what was decided."), field="decision")
        note = note.strip()
        if not note:
            message = (
                _("Say why no further action is needed.")
                if decision == SafeguardingDecision.NO_FURTHER_ACTION
                else _("Write a note of what was decided and by whom.")
            )
            raise Refused(message, field="note")
        owner_or_manager = item.assignee_id == by.pk or item.service_id in by.managed_service_ids
        if item.assignee_id is None and can_be_assigned(item, by):
            item.assignee = by
            _record_assigned(item, by=by, assignee=by)
        elif not owner_or_manager:
            raise Refused(
                _("Only %(name)s, who has this, or a manager of the team can record the decision.")
                % {"name": item.assignee.shown_name if item.assignee else _("its owner")}
            )
        now = timezone.now()
        on_time = item.due_at is None or now <= item.due_at
        item.decision = decision
        item.decided_at = now
        item.start_clock_after_acknowledgement()
        item.save()
        Event.record(
            item,
            EventKind.DECISION,
            actor=by,
            body=note,
            staff_only=True,
            data=DecisionData(decision=decision, on_time=on_time),
        )
    return item


def mark_read(*, item: Item, by: User) -> Item:
    """Someone on the team has read a postcard not in English: it leaves the "needs a
    read" list and its usual clock starts, from the day it was received. If it reads as
    a child at risk, they move it to the duty team (reroute)."""
    with transaction.atomic():
        item = _locked(item)
        _refuse_if_finished(item)
        service = _refuse_if_unrouted(item)
        if not item.needs_read:
            raise Refused(_("Someone has already read this."))
        item.needs_read = False
        if item.clock == Clock.NEEDS_READ:
            item.start_first_clock()
            if not item.awaits_acknowledgement:
                item.start_clock_after_acknowledgement()
        item.save()
        Event.record(
            item,
            EventKind.READ,
            actor=by,
            actor_label=service.name,
            staff_only=True,
            data=ReadData(language=item.language),
        )
    return item


def can_be_assigned(item: Item, user: User) -> bool:
    """Only a member of the item's service can have it: the one rule behind "Take it",
    assigning and the assignment a first reply makes."""
    return item.service_id is not None and item.service_id in user.service_ids


def assign(*, item: Item, by: User, assignee: User | None) -> Item:
    with transaction.atomic():
        item = _locked(item)
        _refuse_if_finished(item)
        _refuse_if_unrouted(item)
        if assignee is not None and not can_be_assigned(item, assignee):
            # Spoken to the person acting: about themselves when they tried to take it.
            if assignee.pk == by.pk:
                message = _("You are not a member of this service, so you cannot take it.")
            else:
                message = _("%(name)s is not a member of this service. Choose someone who is.") % {
                    "name": assignee.shown_name
                }
            raise Refused(message, field="assignee")
        item.assignee = assignee
        item.save(update_fields=["assignee", "updated_at"])
        _record_assigned(item, by=by, assignee=assignee)
    return item


def _record_assigned(item: Item, *, by: User, assignee: User | None) -> None:
    Event.record(
        item,
        EventKind.ASSIGNED,
        actor=by,
        staff_only=True,
        data=AssignedData(assignee=assignee.shown_name if assignee else ""),
    )


def _seen_at_risk(item: Item, by: User) -> None:
    """A child at risk acted on before anyone pressed Acknowledge (a reply, a status):
    seen all the same, so taken by whoever acted and on to the decision clock."""
    if item.clock != Clock.URGENT:
        return
    item.record_first_response()
    if item.assignee_id is None and can_be_assigned(item, by):
        item.assignee = by
        _record_assigned(item, by=by, assignee=by)
    item.start_decision_clock()


def staff_reply(
    *,
    item: Item,
    by: User,
    text: str,
    as_team: bool = False,
    change: str = "",
    change_description: str = "",
    mark_responded: bool = True,
    key: str = "",
    advocacy: Service | None = None,
) -> Event:
    """A reply the young person reads. With `advocacy` (feedback.access.advocacy_for),
    the advocate's: signed as their service, and the item's status, clock and
    assignee stay as the team that has it left them."""
    if advocacy is not None:
        return _advocate_reply(item=item, by=by, text=text, advocacy=advocacy, key=key)
    if change and not change_description.strip():
        raise Refused(_("Describe the change."), field="change_description")
    with transaction.atomic():
        item = _locked(item)
        _refuse_if_finished(item)
        service = _refuse_if_unrouted(item)
        _refuse_if_done(item, key)
        # Whoever answers an item nobody has taken has it from now on (the page says so),
        # if they are in its service; the complaints manager answering leaves it free.
        if item.assignee_id is None and can_be_assigned(item, by):
            item.assignee = by
            _record_assigned(item, by=by, assignee=by)
        label = service.name if as_team or not by.shown_name else by.shown_name
        event = Event.record(
            item,
            EventKind.STAFF_REPLY,
            actor=by,
            actor_label=label,
            body=text,
            data=ReplyData(
                as_team=as_team,
                change=change,
                change_description=change_description.strip(),
                key=key,
            ),
        )
        if change:
            Event.record(
                item,
                EventKind.CHANGE,
                actor=by,
                actor_label=service.name,
                body=change_description.strip(),
                data=ChangeData(change=change),
            )
        # A child at risk's decision clock runs on whatever the reply says.
        pending = item.decision_pending
        if pending:
            _seen_at_risk(item, by)
        item.record_first_response()
        if mark_responded and not item.is_complaint:
            item.status = Status.RESPONDED
            if not pending:
                item.stop_clock()
        elif item.status in (Status.ROUTED, Status.ACKNOWLEDGED, Status.REOPENED):
            item.status = Status.IN_PROGRESS
            if not pending:
                item.start_clock_after_acknowledgement()
        item.save()
        notifications.young_person_update(item, "reply", event=event)
    return event


def _advocate_reply(*, item: Item, by: User, text: str, advocacy: Service, key: str) -> Event:
    with transaction.atomic():
        item = _locked(item)
        _refuse_if_finished(item)
        _refuse_if_done(item, key)
        event = Event.record(
            item,
            EventKind.STAFF_REPLY,
            actor=by,
            actor_label=advocacy.name,
            body=text,
            data=ReplyData(as_team=True, change="", change_description="", key=key),
        )
        notifications.young_person_update(item, "reply", event=event)
    return event


def add_note(*, item: Item, by: User, text: str, key: str = "") -> Event:
    with transaction.atomic():
        item = _locked(item)
        _refuse_if_done(item, key)
        return Event.record(
            item, EventKind.NOTE, actor=by, staff_only=True, body=text, data=NoteData(key=key)
        )


# Acknowledging has its own action, which also starts the reply clock.
STAFF_STATUSES = (Status.IN_PROGRESS, Status.RESPONDED)


def set_status(*, item: Item, by: User, status: str) -> Item:
    if status not in STAFF_STATUSES:
        raise Refused(_("Choose a status."), field="status")
    with transaction.atomic():
        item = _locked(item)
        _refuse_if_finished(item)
        service = _refuse_if_unrouted(item)
        if item.status == status:
            raise Refused(_("It already has that status."))
        old = item.status
        item.status = status
        if item.decision_pending:
            _seen_at_risk(item, by)  # its decision clock runs on, whatever the status
        elif status == Status.RESPONDED:
            # Answered: the clock (a complaint's stage clock too) runs until the
            # response is sent, and stops now.
            item.record_first_response()
            item.stop_clock()
        elif item.clock == Clock.NONE:
            # Answered, and being worked on again: the reply clock runs from today.
            item.restart_reply_clock(timezone.localdate())
        else:
            item.start_clock_after_acknowledgement()
        item.save()
        Event.record(
            item,
            EventKind.STATUS,
            actor=by,
            actor_label=service.name,
            data=StatusData(old=old, new=status),
        )
        notifications.young_person_update(item, "status")
    return item


def resolve(*, item: Item, by: User, outcome: str, text: str, key: str = "") -> Item:
    """Staff give their answer: the young person is asked whether it sorted things."""
    with transaction.atomic():
        item = _locked(item)
        _refuse_if_finished(item)
        _refuse_if_done(item, key)
        service = _refuse_if_unrouted(item)
        # "Erased" is erasure's own outcome (feedback.privacy.erase), never staff's answer.
        if item.is_complaint and (outcome not in Outcome.values or outcome == Outcome.ERASED):
            raise Refused(_("Choose the outcome of the complaint."), field="outcome")
        if not text.strip():
            raise Refused(_("Write the answer to the young person."), field="text")
        if item.decision_pending:
            raise Refused(_("Record the safeguarding decision first."))
        item.outcome = outcome if item.is_complaint else ""
        item.needs_read = False  # answered: it has been read
        item.status = Status.RESPONDED
        # The deadline in force now, kept with the answer: the annual report
        # counts answers within the statutory timescale from these.
        due_on, extended = item.due_on, item.clock_extended
        item.record_first_response()
        item.stop_clock()
        item.save()
        event = Event.record(
            item,
            EventKind.RESOLVED,
            actor=by,
            actor_label=service.name,
            body=text,
            data=ResolvedData(
                outcome=item.outcome,
                stage=item.stage,
                due=due_on.isoformat() if due_on else "",
                on_time=timezone.localdate() <= due_on if due_on else None,
                extended=extended,
                key=key,
            ),
        )
        notifications.young_person_update(item, "resolved", event=event)
    return item


def extend_clock(*, item: Item, by: User, reason: str) -> Item:
    if not reason.strip():
        raise Refused(_("Give the reason for the extension."), field="reason")
    with transaction.atomic():
        item = _locked(item)
        _refuse_if_finished(item)
        service = _refuse_if_unrouted(item)
        started = item.clock_started_on
        if (
            not item.is_complaint
            or not item.stage
            or item.clock != Clock.for_stage(item.stage)
            or started is None
        ):
            raise Refused(_("Only a complaint's stage clock can be extended."))
        if item.clock_extended:
            raise Refused(_("This stage has already been extended once."))
        if not clocks.can_extend(item.stage):
            raise Refused(_("The law allows no extension at this stage."))
        old_due = item.due_on
        item.due_on = clocks.stage_due(item.stage, started, extended=True)
        item.clock_extended = True
        item.clock_state = ClockState.RUNNING
        item.save()
        Event.record(
            item,
            EventKind.EXTENDED,
            actor=by,
            actor_label=service.name,
            body=reason.strip(),
            data=ExtendedData(
                old_due=old_due.isoformat() if old_due else "",
                new_due=item.due_on.isoformat(),
                stage=item.stage,
            ),
        )
        notifications.young_person_update(item, "extended")
    return item


def move_stage(
    *,
    item: Item,
    by: User | None,
    reason: str,
    from_stage: int | None,
    requested_by_young_person: bool = False,
) -> Item:
    """Move a complaint on from `from_stage`, the stage the person acting was shown.

    Staff give a reason; a young person asking for the next stage need not.
    """
    if not requested_by_young_person and not reason.strip():
        raise Refused(_("Give the reason for moving it on."), field="reason")
    with transaction.atomic():
        item = _locked(item)
        if item.status == Status.WITHDRAWN:
            raise Refused(_("This has been withdrawn, so it cannot be changed."))
        service = _refuse_if_unrouted(item)
        if not item.is_complaint:
            raise Refused(_("Only complaints have stages."))
        if from_stage != item.stage:
            raise Refused(
                _("This complaint is already at stage %(stage)s.") % {"stage": item.stage}
            )
        if (item.stage or 1) >= 3:
            raise Refused(_("This complaint is already at stage 3."))
        item.stage = (item.stage or 1) + 1
        item.needs_read = False  # moved on by a person who has read it
        today = timezone.localdate()
        item.restart_reply_clock(today)
        item.status = Status.IN_PROGRESS
        item.outcome = ""
        item.closed_at = None
        item.save()
        Event.record(
            item,
            EventKind.STAGE,
            actor=by,
            actor_label="" if requested_by_young_person else service.name,
            body=reason.strip(),
            data=StageData(stage=item.stage, requested_by_young_person=requested_by_young_person),
        )
        notifications.young_person_update(item, "stage")
        notifications.stage_moved(item)
    return item


def reroute(*, item: Item, by: User, service: Service, reason: str) -> Item:
    if not reason.strip():
        raise Refused(_("Give the reason for moving it."), field="reason")
    with transaction.atomic():
        item = _locked(item)
        _refuse_if_finished(item)
        if service.pk == item.service_id:
            raise Refused(_("It is already with that service."))
        if not service.active:
            raise Refused(_("That service is not active."))
        if item.decision_pending and not service.is_duty_team:
            raise Refused(
                _(
                    "Record the safeguarding decision first (passing it to the young"
                    " person's own social worker is one)."
                ),
                field="service",
            )
        old = item.service
        item.service = service
        item.assignee = None
        if item.status == Status.SUBMITTED:
            # Routed by hand: the sweep must not route it again by the rules.
            item.status = Status.ROUTED
            item.routed_at = timezone.now()
            item.start_first_clock()
        if service.is_duty_team and not item.safeguarding and item.is_open:
            # A person read it as a child at risk (a postcard in another language, say):
            # from now it is one, on the duty team's clock of minutes, and texted to them.
            item.safeguarding = True
            item.priority = Priority.URGENT
            item.safeguarding_reasons = [*item.safeguarding_reasons, _("moved to the duty team")]
            item.needs_read = False
            item.status = Status.ROUTED
            item.start_urgent_clock(timezone.now())
        item.save()
        Event.record(
            item,
            EventKind.REROUTED,
            actor=by,
            actor_label=service.name,
            data=ReroutedData(
                service=service.name,
                service_id=service.pk,
                old_service=old.name if old else "",
                in_a_sentence=service.in_a_sentence,
            ),
        )
        Event.record(
            item,
            EventKind.NOTE,
            actor=by,
            staff_only=True,
            body=reason.strip(),
            data=NoteData(reroute=True),
        )
        notifications.item_arrived(item, rerouted=True)
    return item


def record_staff_view(*, item: Item, by: User) -> None:
    StaffView.objects.create(item=item, user=by)
