"""Who is told what, and how. Rows are written in the caller's transaction and sent after it.

A message carries a reference, kind, topic, due date and a link: never a young
person's words or name. Each has a key, so the same news is never queued twice.
A text carries only a reference and a link (templates/texts/). Staff who take the
daily digest get ordinary news (DIGESTED) in one email a day; urgent news always
comes at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from feedback import outbox
from feedback.models import Clock, Event, Item, Notification
from feedback.transports import render_text
from portal.models import Membership, Service, User

# Ordinary news, which a person who takes the daily digest gets in it.
DIGESTED = {"item-arrived", "reminder"}


def _context(item: Item, **extra: object) -> dict[str, object]:
    return {
        "reference": item.reference,
        "kind": item.get_kind_display(),
        "topic": item.topic.name,
        "due_on": item.due_on,
        "stage": item.stage,
        "service": item.service.name if item.service else "",
        "urgent": item.safeguarding,
        "same_day": item.needs_read,  # a postcard not in English, read within hours
        "site_url": settings.SITE_URL,
        **extra,
    }


class Batch:
    """The messages one piece of news causes: rendered once per template, written in
    one INSERT, and handed to one task after the caller's transaction commits."""

    def __init__(self, item: Item | None = None) -> None:
        self.item = item
        self.rows: list[Notification] = []
        # By template and context object; the context is kept with its text, so
        # its id cannot be reused by another context while the batch lives.
        self._rendered: dict[tuple[str, int], tuple[dict, str, str]] = {}

    def add(
        self,
        *,
        key: str,
        item: Item | None = None,
        template: str,
        channel: str,
        context: dict[str, object],
        recipient: User | None = None,
        address: str = "",
        personalisation: dict[str, str] | None = None,
        state: str = Notification.State.PENDING,
    ) -> None:
        """A text is its template in templates/texts/ filled with `personalisation`;
        anything else renders templates/emails/ with `context`."""
        if channel == Notification.Channel.SMS:
            personalisation = personalisation or {}
            subject, body = "", render_text(template, personalisation)
        else:
            subject, body = self._render(template, context)
        in_portal = channel == Notification.Channel.PORTAL
        self.rows.append(
            Notification(
                key=key[:200],
                channel=channel,
                recipient=recipient,
                address=address,
                item=item or self.item,
                template=template,
                subject=subject,
                body=body,
                personalisation=personalisation or {},
                # A portal notification is delivered by being written.
                state=Notification.State.SENT if in_portal else state,
                sent_at=timezone.now() if in_portal else None,
            )
        )

    def _render(self, template: str, context: dict[str, object]) -> tuple[str, str]:
        cache_key = (template, id(context))
        if cache_key not in self._rendered:
            self._rendered[cache_key] = (
                context,
                render_to_string(f"emails/{template}-subject.txt", context).strip()[:200],
                render_to_string(f"emails/{template}-body.txt", context),
            )
        _context_kept, subject, body = self._rendered[cache_key]
        return subject, body

    def email_staff(
        self,
        users: Iterable[User],
        template: str,
        key: str,
        context: dict,
        item: Item | None = None,
    ) -> None:
        """Each person by email: at once, or in their daily digest if they take one and
        the news is ordinary (never an urgent item, nor one to read the same day)."""
        urgent = bool(context.get("urgent") or context.get("same_day"))
        for user in users:
            if user.email:
                digested = user.daily_digest and template in DIGESTED and not urgent
                self.add(
                    key=f"{key}:user:{user.pk}",
                    item=item,
                    template=template,
                    channel=Notification.Channel.EMAIL,
                    recipient=user,
                    address=user.email,
                    context=context,
                    state=Notification.State.DIGEST if digested else Notification.State.PENDING,
                )

    def text_staff(
        self,
        users: Iterable[User],
        template: str,
        key: str,
        personalisation: dict[str, str],
        item: Item | None = None,
    ) -> None:
        """Each person with a mobile number by text, when text alerts are on."""
        if not settings.TEXT_ALERTS:
            return
        for user in users:
            if user.phone:
                self.add(
                    key=f"{key}:text:user:{user.pk}",
                    item=item,
                    template=template,
                    channel=Notification.Channel.SMS,
                    recipient=user,
                    address=user.phone,
                    context={},
                    personalisation=personalisation,
                )

    def queue(self) -> None:
        if not self.rows:
            return
        # A key already used means the news was queued before: once only.
        Notification.objects.bulk_create(self.rows, ignore_conflicts=True)
        to_send = [row.key for row in self.rows if row.channel != Notification.Channel.PORTAL]
        if not to_send:
            return
        ids = list(
            Notification.objects.filter(key__in=to_send, state=Notification.State.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if ids:
            outbox.send_on_commit(outbox.SEND_NOTIFICATIONS, ids)


def site_link(name: str, *args: object) -> str:
    """The absolute link a message carries, e.g. site_link("feedback:item", reference).

    Reversed in the URLconf of the app that owns the name (feedback:item in feedback.urls,
    which the site mounts at its root: a test holds the two equal), so a Celery worker
    that sends mail loads that app's views, not the whole site's: the API, its schema and
    the sign-in pages cost every worker process 14 MB.
    """
    app, _colon, view = name.partition(":")
    return settings.SITE_URL + reverse(view, args=args, urlconf=f"{app}.urls")


def _staff_link(item: Item) -> str:
    return site_link("feedback:staff_item", item.reference)


def _email_staff(
    item: Item, users: Iterable[User], template: str, key: str, **extra: object
) -> None:
    batch = Batch(item)
    batch.email_staff(users, template, key, _context(item, link=_staff_link(item), **extra))
    batch.queue()


def _text(item: Item, link: str) -> dict[str, str]:
    """What a text is filled with: the item's reference and a link, nothing else."""
    return {"reference": item.reference, "link": link}


def _service_members(item: Item, role: str | None = None) -> list[User]:
    memberships = Membership.objects.filter(service=item.routed_service, user__is_active=True)
    if role:
        memberships = memberships.filter(role=role)
    return [m.user for m in memberships.select_related("user")]


def _complaints_managers() -> list[User]:
    return list(User.objects.filter(is_complaints_manager=True, is_active=True))


def items_arrived(items: list[Item], *, rerouted: bool = False) -> None:
    """Each item's service inbox and members hear of it (and advocacy, if asked for)."""
    if not items:
        return
    service_ids = {item.routed_service.pk for item in items}
    members: dict[int, list[User]] = {service_id: [] for service_id in service_ids}
    for membership in Membership.objects.filter(
        service_id__in=service_ids, user__is_active=True
    ).select_related("user"):
        members[membership.service_id].append(membership.user)
    advocacy = (
        list(Service.objects.active().filter(provides_advocacy=True).exclude(inbox_email=""))
        if any(item.advocate_requested for item in items) and not rerouted
        else []
    )
    batch = Batch()
    for item in items:
        key = f"arrived:{item.pk}:{item.service_id}"
        template = "item-urgent" if item.safeguarding else "item-arrived"
        context = _context(item, link=_staff_link(item), rerouted=rerouted)
        service = item.routed_service
        if service.inbox_email:
            batch.add(
                key=f"{key}:inbox",
                item=item,
                template=template,
                channel=Notification.Channel.EMAIL,
                address=service.inbox_email,
                context=context,
            )
        batch.email_staff(members[service.pk], template, key, context, item=item)
        if item.safeguarding and service.is_duty_team:
            batch.text_staff(
                members[service.pk],
                "item-urgent",
                key,
                _text(item, _staff_link(item)),
                item=item,
            )
        if item.advocate_requested:
            for advocates in advocacy:
                batch.add(
                    key=f"advocate:{item.pk}:{advocates.pk}",
                    item=item,
                    template="advocate-requested",
                    channel=Notification.Channel.EMAIL,
                    address=advocates.inbox_email,
                    context=context,
                )
    batch.queue()


def item_arrived(item: Item, *, rerouted: bool = False) -> None:
    items_arrived([item], rerouted=rerouted)


def routing_alert(item: Item) -> None:
    _email_staff(item, _complaints_managers(), "routing-alert", f"routing-alert:{item.pk}")


def _finished(item: Item) -> bool:
    """Closed, withdrawn or erased: no reminder or escalation is about it any more."""
    return not item.is_open or item.anonymised_at is not None


def reminder(item: Item) -> None:
    if _finished(item):
        return
    key = f"reminder:{item.pk}:{item.clock}:{item.due_on}"
    context = _context(item, link=_staff_link(item))
    batch = Batch(item)
    batch.email_staff(
        [item.assignee] if item.assignee else _service_members(item), "reminder", key, context
    )
    if not item.assignee and item.routed_service.inbox_email:
        batch.add(
            key=f"{key}:inbox",
            template="reminder",
            channel=Notification.Channel.EMAIL,
            address=item.routed_service.inbox_email,
            context=context,
        )
    batch.queue()


def escalation(item: Item, level: str) -> None:
    if _finished(item):
        return
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


def urgent_escalation(item: Item, level: str) -> None:
    """A child at risk not acknowledged in time, or with no decision in time: the duty
    team's managers first (or the complaints managers where the team has none), then the
    complaints managers."""
    users = _service_members(item, Membership.Role.MANAGER) if level == "manager" else []
    users = users or _complaints_managers()
    key = f"urgent-escalation:{level}:{item.pk}:{item.due_at and item.due_at.isoformat()}"
    link = _staff_link(item)
    batch = Batch(item)
    batch.email_staff(
        users,
        "urgent-escalation",
        key,
        _context(
            item,
            link=link,
            level=level,
            decision=item.clock == Clock.DECISION,
            owner=item.assignee.shown_name if item.assignee else "",
            due_at=timezone.localtime(item.due_at) if item.due_at else None,
            out_of_hours_phone=settings.DUTY_OUT_OF_HOURS_PHONE,
        ),
    )
    batch.text_staff(users, "urgent-escalation", key, _text(item, link))
    batch.queue()


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
    batch = Batch(item)
    tell_young_person(batch, item, what=what, key=f"young-person:{what}:{item.pk}:{stamp}")
    batch.queue()


def tell_young_person(batch: Batch, item: Item, *, what: str, key: str) -> None:
    """The messages that tell an item's young person there is news (`what`) about it: in
    the portal if it is theirs by name, and by the email or text they chose. No words and
    no names: a reference and a link. `key` makes each piece of news once only.

    The one way either app tells a young person (participation, when an action that
    answers their item moves): add to the caller's batch, queued in one insert."""
    with translation.override(item.reply_language or settings.LANGUAGE_CODE):
        _tell_young_person(batch, item, what=what, key=key)


def text_template(name: str, language: str) -> str:
    """A text's Notify template in the young person's language where one is set up
    (NOTIFY_TEMPLATE_TEXT_UPDATE_CY, say), else the English one."""
    own = f"{name}-{language}"
    return own if language and settings.NOTIFY_TEXT_TEMPLATES.get(own) else name


def _tell_young_person(batch: Batch, item: Item, *, what: str, key: str) -> None:
    link = site_link("feedback:item", item.reference)
    context = _context(item, link=link, what=what)
    if item.author_id and not item.is_anonymous:
        batch.add(
            key=f"{key}:portal",
            item=item,
            template="update",
            channel=Notification.Channel.PORTAL,
            recipient=item.author,
            context=context,
        )
    channel = {"email": Notification.Channel.EMAIL, "text": Notification.Channel.SMS}.get(
        item.contact_method
    )
    if item.contact_wanted and item.contact_detail and channel:
        batch.add(
            key=f"{key}:{channel}",
            item=item,
            template=(
                text_template("update", item.reply_language)
                if channel == Notification.Channel.SMS
                else "update"
            ),
            channel=channel,
            recipient=item.author,
            address=item.contact_detail,
            context=context,
            personalisation=_text(item, link),
        )


def daily_digests(now: datetime | None = None) -> int:
    """Each person who takes the daily digest gets one email listing the news that waited
    for it (what happened, the reference and a link), and that news is marked sent in it.

    A person's waiting rows are claimed (SKIP LOCKED) in the transaction that writes
    their digest, so two runs never put the same news in two digests. Returns how
    many digests were queued.
    """
    now = now or timezone.now()
    waiting = Notification.objects.filter(state=Notification.State.DIGEST)
    count = 0
    for user in User.objects.filter(pk__in=waiting.values("recipient_id")).order_by("pk"):
        with transaction.atomic():
            rows = list(
                waiting.filter(recipient=user, item__isnull=False)
                .select_for_update(of=("self",), skip_locked=True)
                .select_related("item")
                .order_by("created_at", "pk")
            )
            if not rows:
                continue
            entries = [
                {
                    "reminder": row.template == "reminder",
                    "reference": row.item.reference,
                    "due_on": row.item.due_on,
                    "link": _staff_link(row.item),
                }
                for row in rows
                if row.item is not None
            ]
            batch = Batch()
            batch.add(
                key=f"digest:{user.pk}:{rows[0].pk}",
                template="digest",
                channel=Notification.Channel.EMAIL,
                recipient=user,
                address=user.email,
                context={"entries": entries, "day": timezone.localdate(now)},
            )
            # Sent in the digest: no sent_at of their own, so /healthz counts the
            # digest's own sending, not these.
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
                state=Notification.State.SENT, last_error=""
            )
            batch.queue()
            count += 1
    return count
