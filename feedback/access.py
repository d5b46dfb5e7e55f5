"""The only ways a request gets an item. Not found and not allowed are the same 404."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from feedback.browser import tracked_references
from feedback.models import Channel, Event, EventKind, Item, ItemQuerySet, ReadPlace, SavedReply
from portal import permissions
from portal.limits import Limit, count_limits
from portal.models import (
    Service,
    ServiceQuerySet,
    User,
    code_hashes,
    normalise_code,
    normalise_reference,
)
from portal.proxy import client_ip

REFERENCE_RE = re.compile(r"[A-Z0-9]{3}-[A-Z0-9]{3}")


# --- Who may open which page ------------------------------------------------------
# Views ask these (through `require`), the API's permission classes ask the same,
# and templates get the answers through the context, never the user object.


def require(allowed: bool) -> None:
    """Not allowed is the same 404 as not found: a page gives no hint that it exists."""
    if not allowed:
        raise Http404


def can_send_online(user: User | AnonymousUser) -> bool:
    """Young people, and anyone without an account; staff enter paper postcards on their own page."""
    return not user.is_authenticated or user.young_person is not None


def is_young_person(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.young_person is not None


def is_staff_with_second_factor(request: HttpRequest) -> bool:
    """Staff whose sign-in included the second factor: the API's equivalent of staff_required
    (portal's rule, which the API docs page asks too)."""
    return permissions.is_staff_with_second_factor(request)


def is_council_staff(user: User | AnonymousUser) -> bool:
    """Staff of a council service: an advocate or a partner organisation's worker is
    staff too (the second factor and all), but opens only the items sent to them."""
    return user.is_authenticated and user.is_service_staff and not user.is_outside_staff


def is_council_staff_with_second_factor(request: HttpRequest) -> bool:
    return is_staff_with_second_factor(request) and is_council_staff(request.user)


def can_read_audit(user: User | AnonymousUser) -> bool:
    """Who opened an item is for the complaints manager, who looks into misuse."""
    return user.is_authenticated and user.is_complaints_manager


def can_read_annual_report(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_complaints_manager


def can_see_dashboard(user: User | AnonymousUser) -> bool:
    """The complaints manager, and the managers of the council's services (a partner
    organisation's manager opens the items sent to it, not the council's figures)."""
    return (
        is_council_staff(user)
        and user.is_authenticated
        and (user.is_complaints_manager or bool(user.managed_service_ids))
    )


def can_manage_team(user: User | AnonymousUser) -> bool:
    """The manager's dashboard (who has what, and reassigning it): the same people as the
    figures' dashboard, each for the services they manage (every one for the complaints
    manager). The menu asks this too."""
    return can_see_dashboard(user)


@dataclass(frozen=True)
class DashboardScope:
    items: ItemQuerySet
    services: ServiceQuerySet
    whole_council: bool  # every service, plus items not yet routed and complaints by stage


def dashboard_scope(user: User) -> DashboardScope:
    """What the dashboard counts: a manager's own services, or everything for the
    complaints manager. Anyone else gets the 404."""
    require(can_see_dashboard(user))
    if user.is_complaints_manager:
        return DashboardScope(items_for_staff(user), Service.objects.order_by("name"), True)
    managed = user.managed_service_ids
    return DashboardScope(
        items_for_staff(user).for_services(managed),
        Service.objects.filter(pk__in=managed).order_by("name"),
        False,
    )


def team_scope(user: User) -> DashboardScope:
    """The open items the manager's dashboard shows and lets them reassign, and the
    services whose workers it lists: as the figures' dashboard, and anyone else's 404."""
    require(can_manage_team(user))
    scope = dashboard_scope(user)
    services = scope.services.filter(active=True)
    items = items_worked_by(user).filter(service__in=services).open()
    return DashboardScope(items, services, scope.whole_council)


def item_for_team(user: User, reference: str) -> Item:
    """An item to reassign from the manager's dashboard: one of its open items, or a 404."""
    return one_item(team_scope(user).items.select_related("service", "assignee"), reference)


# --- Items ------------------------------------------------------------------------


def items_for_young_person(user: User) -> ItemQuerySet:
    """A signed-in young person's own items; anonymous ones are not linked to them."""
    return Item.objects.for_author(user)


def items_for_staff(user: User, on: ReadPlace = ReadPlace.LIST) -> ItemQuerySet:
    """The items this member of staff may read: their services' items and, for an
    advocate, the complaints whose young person asked for one. Every row fetched from
    here is on record as read by them, `on` the page or list that shows them
    (`ItemQuerySet.read_by`): the one place staff reads are audited, whatever the
    page, API or export."""
    if not user.is_authenticated:
        return Item.objects.none()
    if user.is_complaints_manager:
        return Item.objects.all().read_by(user, on)
    items = Item.objects.for_services(user.service_ids)
    if user.advocacy_service_ids:
        items = items | Item.objects.advocated()
    return items.read_by(user, on)


def items_with_words_for_staff(user: User, on: ReadPlace = ReadPlace.LIST) -> ItemQuerySet:
    """The items whose words this member of staff may read: today every item they may
    open (the item's page shows its words to whoever passes `item_for_staff`). The queue's
    first lines and its search by words ask this, so that a rule that hides some words
    from someone one day hides them from the queue and the search too."""
    return items_for_staff(user, on)


def items_worked_by(user: User, on: ReadPlace = ReadPlace.LIST) -> ItemQuerySet:
    """The items this member of staff may change (acknowledge, assign, resolve, move
    on, note): their own services' (every item, for the complaints manager). An
    advocate reads and answers the complaints sent to them, and changes nothing else."""
    if not user.is_authenticated:
        return Item.objects.none()
    if user.is_complaints_manager:
        return Item.objects.all().read_by(user, on)
    return Item.objects.for_services(user.service_ids).read_by(user, on)


def advocacy_for(user: User, item: Item) -> Service | None:
    """The advocacy service through which this person answers the item, when they reach
    it only as its young person's advocate (not as its own service's staff): their
    answer is the advocate's, and leaves the item's status, clock and assignee alone."""
    if user.is_complaints_manager or item.service_id in user.service_ids:
        return None
    if not (item.is_advocated and user.advocacy_service_ids):
        return None
    return Service.objects.filter(pk__in=user.advocacy_service_ids).order_by("name").first()


def items_shared_with_the_council(user: User, *, moderator: bool) -> ItemQuerySet:
    """Items whose author said the council may see their words (never a safeguarding
    item, never an anonymised one), for a moderator (participation decides who is one),
    each fetched row on record as read by them on the moderation page."""
    if not (user.is_authenticated and moderator):
        return Item.objects.none()
    return Item.objects.filter(
        consent_to_share=True, safeguarding=False, anonymised_at__isnull=True
    ).read_by(user, ReadPlace.MODERATION)


def items_for_tagging(user: User, *, moderator: bool) -> ItemQuerySet:
    """The items staff may tag or link to an action: their services' items, and the
    moderators' shared items; each fetched row on record as read by them."""
    if not user.is_authenticated or user.is_outside_staff:
        return Item.objects.none()  # themes and actions are the council's
    return Item.objects.filter(
        Q(pk__in=items_for_staff(user).values("pk"))
        | Q(pk__in=items_shared_with_the_council(user, moderator=moderator).values("pk"))
    ).read_by(user, ReadPlace.LINKING)


def young_people_for_paper(staff: User) -> QuerySet[User]:
    """The young people a member of staff may enter a named or confidential paper postcard
    for, by name: those a service of theirs works with (linked to it, or with an item of
    theirs routed to it); any, for the complaints manager."""
    people = User.objects.filter(young_person_profile__isnull=False, is_active=True)
    if not staff.is_complaints_manager:
        services = staff.service_ids
        linked = User.objects.filter(
            Q(young_person_profile__services__in=services) | Q(items__service_id__in=services)
        )
        people = people.filter(pk__in=linked.values("pk"))
    return people.order_by("display_name", "first_name", "username")


def young_person_for_paper(staff: User, username: str) -> User | None:
    """One of `young_people_for_paper`, by username. None both for a stranger's username
    and for one they do not work with, so the form says the same in either case and
    reveals no usernames."""
    return young_people_for_paper(staff).filter(username__iexact=username.strip()).first()


def _check_reference(reference: str) -> None:
    # Anything but a reference's own characters is not found: no odd bytes reach the database.
    if not REFERENCE_RE.fullmatch(reference):
        raise Http404


def item_for_staff(user: User, reference: str) -> Item:
    """An item to read, and to answer."""
    return one_item(
        items_for_staff(user).select_related("topic", "service", "assignee", "author"),
        reference,
    )


def item_to_work_on(user: User, reference: str) -> Item:
    """An item to change: an advocate gets the same 404 as for anyone else's."""
    return one_item(
        items_worked_by(user).select_related("topic", "service", "assignee", "author"),
        reference,
    )


def one_item(items: ItemQuerySet, reference: str) -> Item:
    """One item from a staff gate's items, its read on record as this item's page."""
    _check_reference(reference)
    try:
        return items.read_on(ReadPlace.ITEM).get(reference=reference)
    except Item.DoesNotExist:
        raise Http404 from None


def item_entered_by(user: User, reference: str) -> Item:
    """A paper postcard this member of staff typed in, wherever it went since (the duty
    team, say): she may read what she entered and who has it now, on record as a read,
    but nothing the team that has it wrote."""
    _check_reference(reference)
    if not user.is_authenticated:
        raise Http404
    try:
        return (
            Item.objects.filter(entered_by=user, channel=Channel.PAPER)
            .read_by(user, ReadPlace.ITEM)
            .select_related("topic", "service", "assignee")
            .get(reference=reference)
        )
    except Item.DoesNotExist:
        raise Http404 from None


def move_made_by(user: User, reference: str) -> Event:
    """The last time this member of staff moved this item to another service: for the page
    that tells them where it went once it is out of their reach. It names the reference
    and the service, nothing the item says, so nothing is read."""
    _check_reference(reference)
    if not user.is_authenticated:
        raise Http404
    event = (
        Event.objects.filter(item__reference=reference, kind=EventKind.REROUTED, actor=user)
        .order_by("-created_at", "-id")
        .first()
    )
    if event is None:
        raise Http404
    return event


# --- Saved replies ----------------------------------------------------------------------


def can_manage_saved_replies(user: User | AnonymousUser) -> bool:
    """A service's manager keeps its saved replies; the complaints manager keeps everyone's
    (and those offered to every service). The staff menu asks this too."""
    return (
        is_council_staff(user)
        and user.is_authenticated
        and (user.is_complaints_manager or bool(user.managed_service_ids))
    )


def saved_replies_managed_by(user: User) -> QuerySet[SavedReply]:
    require(can_manage_saved_replies(user))
    replies = SavedReply.objects.select_related("service")
    if user.is_complaints_manager:
        return replies.all()
    return replies.filter(service_id__in=user.managed_service_ids)


def saved_reply_for_manager(user: User, pk: int) -> SavedReply:
    try:
        return saved_replies_managed_by(user).get(pk=pk)
    except SavedReply.DoesNotExist:
        raise Http404 from None


def item_for_young_person(request: HttpRequest, reference: str) -> Item:
    """The item if the signed-in author owns it, or if this session proved its tracking code."""
    _check_reference(reference)
    items = Item.objects.select_related("topic", "service")
    try:
        if reference in tracked_references(request):
            return items.get(reference=reference, identity="anonymous")
        if request.user.is_authenticated:
            return items.get(
                pk__in=items_for_young_person(request.user).values("pk"), reference=reference
            )
    except Item.DoesNotExist:
        pass
    raise Http404


def item_for_tracking(reference: str, code: str) -> Item | None:
    """Both must match; a wrong code and an unknown reference are indistinguishable."""
    reference = normalise_reference(reference)
    item = Item.objects.filter(reference=reference, identity="anonymous").first()
    keyed, legacy = code_hashes(f"{reference}:{normalise_code(code)}")
    # Compare even when there is no item, so timing does not tell one case from the other.
    stored = item.tracking_code_hash if item else "0" * 64
    matches_keyed = hmac.compare_digest(stored, keyed)
    matches_legacy = hmac.compare_digest(stored, legacy)
    if item is None or not (matches_keyed or matches_legacy):
        return None
    if matches_legacy:  # stored before codes were keyed: keep the keyed hash from now on
        Item.objects.filter(pk=item.pk).update(tracking_code_hash=keyed)
    return item


# --- Floods ---------------------------------------------------------------------------


def sent_while_flooding(request: HttpRequest) -> bool:
    """Whether this postcard is one of a flood, and so held for a person to check.

    Limits stop floods, not people, and never discard anything (the caller saves
    the postcard whatever this says). Counted per browser session and per account
    at SUBMISSION_RATE; per address only at the far higher SUBMISSION_ADDRESS_RATE,
    since a children's home or a college shares one address, and never against
    the first postcard of a session or account. All in one round trip to Redis.
    """
    if not request.session.session_key:
        request.session.save()  # a session of its own to count against
    rate = settings.SUBMISSION_RATE
    mine = [Limit("submit-session", request.session.session_key or "", rate)]
    if request.user.is_authenticated:
        mine.append(Limit("submit-user", str(request.user.pk), rate))
    address = Limit("submit-address", client_ip(request), settings.SUBMISSION_ADDRESS_RATE)
    *mine_used, address_used = count_limits(*mine, address)
    if any(usage.over for usage in mine_used):
        return True
    first_of_mine = all(usage.count <= 1 for usage in mine_used)
    return address_used.over and not first_of_mine
