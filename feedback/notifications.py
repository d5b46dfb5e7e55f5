"""Who is told what, and how. Rows are written in the caller's transaction and sent after it.

A message carries a reference, kind, topic, due date and a link: never a young
person's words or name. Each has a key, so the same news is never queued twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from feedback.models import Event, Item, Notification
from portal.models import Membership, User


def _context(item: Item, **extra: object) -> dict[str, object]:
    return {
        "reference": item.reference,
        "kind": item.get_kind_display(),
        "topic": item.topic.name,
        "due_on": item.due_on,
        "stage": item.stage,
        "service": item.service.name if item.service else "",
        "urgent": item.safeguarding,
        "site_url": settings.SITE_URL,
        **extra,
    }


def _queue(
    *,
    key: str,
    template: str,
    item: Item | None,
    channel: str,
    recipient: User | None = None,
    address: str = "",
    context: dict[str, object],
) -> Notification | None:
    subject = render_to_string(f"emails/{template}-subject.txt", context).strip()
    body = render_to_string(f"emails/{template}-body.txt", context)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                key=key[:200],
                channel=channel,
                recipient=recipient,
                address=address,
                item=item,
                template=template,
                subject=subject[:200],
                body=body,
                state=Notification.State.SENT
                if channel == Notification.Channel.PORTAL
                else Notification.State.PENDING,
                sent_at=timezone.now() if channel == Notification.Channel.PORTAL else None,
            )
    except IntegrityError:
        return None  # already queued under this key: once only
    if channel != Notification.Channel.PORTAL:
        from feedback import tasks

        tasks.send_on_commit(tasks.send_notification, notification.pk)
    return notification


def _staff_link(item: Item) -> str:
    return settings.SITE_URL + reverse("feedback:staff_item", args=[item.reference])


def _email_staff(
    item: Item, users: Iterable[User], template: str, key: str, **extra: object
) -> None:
    context = _context(item, link=_staff_link(item), **extra)
    for user in users:
        if user.email:
            _queue(
                key=f"{key}:user:{user.pk}",
                template=template,
                item=item,
                channel=Notification.Channel.EMAIL,
                recipient=user,
                address=user.email,
                context=context,
            )


def _service_members(item: Item, role: str | None = None) -> list[User]:
    memberships = Membership.objects.filter(service_id=item.service_id, user__is_active=True)
    if role:
        memberships = memberships.filter(role=role)
    return [m.user for m in memberships.select_related("user")]


def _complaints_managers() -> list[User]:
    return list(User.objects.filter(is_complaints_manager=True, is_active=True))


def item_arrived(item: Item, *, rerouted: bool = False) -> None:
    key = f"arrived:{item.pk}:{item.service_id}"
    template = "item-urgent" if item.safeguarding else "item-arrived"
    context = _context(item, link=_staff_link(item), rerouted=rerouted)
    if item.service.inbox_email:
        _queue(
            key=f"{key}:inbox",
            template=template,
            item=item,
            channel=Notification.Channel.EMAIL,
            address=item.service.inbox_email,
            context=context,
        )
    _email_staff(item, _service_members(item), template, key, rerouted=rerouted)


def advocate_requested(item: Item) -> None:
    from portal.models import Service

    for service in Service.objects.filter(provides_advocacy=True, active=True):
        if service.inbox_email:
            _queue(
                key=f"advocate:{item.pk}:{service.pk}",
                template="advocate-requested",
                item=item,
                channel=Notification.Channel.EMAIL,
                address=service.inbox_email,
                context=_context(item, link=_staff_link(item)),
            )


def routing_alert(item: Item) -> None:
    _email_staff(item, _complaints_managers(), "routing-alert", f"routing-alert:{item.pk}")


def reminder(item: Item) -> None:
    users = [item.assignee] if item.assignee else _service_members(item)
    _email_staff(item, users, "reminder", f"reminder:{item.pk}:{item.clock}:{item.due_on}")
    if not item.assignee and item.service.inbox_email:
        _queue(
            key=f"reminder:{item.pk}:{item.clock}:{item.due_on}:inbox",
            template="reminder",
            item=item,
            channel=Notification.Channel.EMAIL,
            address=item.service.inbox_email,
            context=_context(item, link=_staff_link(item)),
        )


def escalation(item: Item, level: str) -> None:
    users = (
        _service_members(item, Membership.Role.MANAGER)
        if level == "manager"
        else _complaints_managers()
    )
    _email_staff(
        item,
        users,
        "escalation",
        f"escalation:{level}:{item.pk}:{item.clock}:{item.due_on}",
        level=level,
    )


def stage_moved(item: Item) -> None:
    _email_staff(item, _complaints_managers(), "stage-moved", f"stage:{item.pk}:{item.stage}")


def status_changed_for_staff(item: Item, what: str) -> None:
    if item.service_id is None:
        return
    users = [item.assignee] if item.assignee else _service_members(item)
    stamp = int(timezone.now().timestamp() * 1000)
    _email_staff(item, users, "young-person-update", f"yp:{what}:{item.pk}:{stamp}", what=what)


def young_person_replied(item: Item, event: Event) -> None:
    if item.service_id is None:
        return
    users = [item.assignee] if item.assignee else _service_members(item)
    _email_staff(item, users, "young-person-update", f"yp-reply:{event.pk}", what="reply")


def young_person_update(item: Item, what: str, event: Event | None = None) -> None:
    """Tell the young person something changed: in the portal, and by email or text if chosen."""
    stamp = event.pk if event else int(timezone.now().timestamp() * 1000)
    key = f"young-person:{what}:{item.pk}:{stamp}"
    link = settings.SITE_URL + reverse("feedback:item", args=[item.reference])
    context = _context(item, link=link, what=what)
    if item.author_id and not item.is_anonymous:
        _queue(
            key=f"{key}:portal",
            template="update",
            item=item,
            channel=Notification.Channel.PORTAL,
            recipient=item.author,
            context=context,
        )
    if item.contact_wanted and item.contact_detail:
        channel = {
            "email": Notification.Channel.EMAIL,
            "text": Notification.Channel.SMS,
        }.get(item.contact_method)
        if channel:
            _queue(
                key=f"{key}:{channel}",
                template="update",
                item=item,
                channel=channel,
                recipient=item.author,
                address=item.contact_detail,
                context=context,
            )
