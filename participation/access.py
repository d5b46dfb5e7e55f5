"""Who may do what in participation, and the only ways a request gets its objects.

One place decides. Not found and not allowed are the same 404.

- council viewers (the dashboard, themes, actions, meetings): council members,
  the complaints manager and participation officers;
- moderators (tag items, approve excerpts, agree themes and any action, run
  meetings): participation officers and the complaints manager;
- a service's managers agree and update its actions; an action's lead updates it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse

from feedback import access as feedback_access
from feedback.models import Item, ItemQuerySet
from participation.models import (
    Action,
    ActionQuerySet,
    Excerpt,
    ExcerptQuerySet,
    Meeting,
    MeetingQuerySet,
    Theme,
)
from portal.models import Service, ServiceQuerySet, User
from portal.permissions import second_factor_gate

View = Callable[..., HttpResponse]


# --- Roles --------------------------------------------------------------------------


def is_moderator(user: User) -> bool:
    return bool(
        user.is_authenticated and (user.is_participation_officer or user.is_complaints_manager)
    )


def is_council_viewer(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_council_member or is_moderator(user)))


def is_staff(user: User) -> bool:
    """The council's staff of any kind: they sign in with a second factor. An advocate or
    a partner organisation's worker (User.is_outside_staff) opens only the items sent to
    them: themes, actions and meetings are the council's, not theirs."""
    council_staff = user.is_authenticated and user.is_service_staff and not user.is_outside_staff
    return bool(council_staff or is_moderator(user))


def may_agree(user: User, action: Action) -> bool:
    return is_moderator(user) or (
        action.service_id is not None and action.service_id in user.managed_service_ids
    )


def may_update(user: User, action: Action) -> bool:
    return may_agree(user, action) or (user.is_authenticated and action.lead_id == user.pk)


# --- Page gates -----------------------------------------------------------------------


def _gate(allowed: Callable[[User], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(user):
                raise Http404
            if is_staff(user) and (refused := second_factor_gate(request)) is not None:
                return refused
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


council_required = _gate(is_council_viewer)
moderator_required = _gate(is_moderator)
# Actions and meetings: the council, and staff who agree or update actions.
actions_required = _gate(lambda user: is_council_viewer(user) or is_staff(user))


# --- Objects ----------------------------------------------------------------------------


def actions_for(user: User) -> ActionQuerySet:
    """Council viewers see every action; other staff their services' and those they lead."""
    if is_council_viewer(user):
        return Action.objects.all()
    if is_staff(user):
        return Action.objects.filter(Q(service_id__in=user.service_ids) | Q(lead=user))
    return Action.objects.none()


def proposals_of(user: User) -> ActionQuerySet:
    """The actions this person proposed, newest first."""
    return Action.objects.filter(proposed_by=user)


def pk_of(raw: object) -> int:
    text = str(raw)
    if not (text.isascii() and text.isdigit() and len(text) < 10):
        raise Http404
    return int(text)


def action_for(user: User, pk: object) -> Action:
    try:
        return actions_for(user).select_related("service", "lead").get(pk=pk_of(pk))
    except Action.DoesNotExist:
        raise Http404 from None


def meetings_for(user: User) -> MeetingQuerySet:
    """Council viewers (the council, the participation officer, the complaints manager)
    see every meeting; other staff the ones they are invited to."""
    if is_council_viewer(user):
        return Meeting.objects.all()
    if is_staff(user):
        return Meeting.objects.filter(invitees=user)
    return Meeting.objects.none()


def meeting_for(user: User, pk: object) -> Meeting:
    """A meeting for council viewers and the staff invited, and for the lead of an action
    it reviews (reminded of it with a link to this page). Any other staff: not found."""
    meeting = meetings_for(user).filter(pk=pk_of(pk)).first()
    if meeting is None and is_staff(user):
        meeting = Meeting.objects.filter(pk=pk_of(pk)).first()
        if meeting is not None and not meeting.actions_for_review().filter(lead=user).exists():
            meeting = None
    if meeting is None:
        raise Http404
    return meeting


def theme_for(user: User, pk: object) -> Theme:
    if not is_council_viewer(user):
        raise Http404
    try:
        return Theme.objects.live().get(pk=pk_of(pk))
    except Theme.DoesNotExist:
        raise Http404 from None


def items_for_moderation(user: User) -> ItemQuerySet:
    """Items whose author said the council may see their words, for moderators only;
    each read is on record (feedback.access).

    Never a safeguarding item: words that read as a child at risk are not quoted."""
    return feedback_access.items_shared_with_the_council(user, moderator=is_moderator(user))


def items_for_tagging(user: User) -> ItemQuerySet:
    """Staff tag the items they can open: their services' items, and moderators' queue."""
    if not is_staff(user):
        return Item.objects.none()
    return feedback_access.items_for_tagging(user, moderator=is_moderator(user))


def item_for_tagging(user: User, reference: str) -> Item:
    return feedback_access.one_item(items_for_tagging(user).select_related("topic"), reference)


def item_for_moderation(user: User, reference: str) -> Item:
    return feedback_access.one_item(items_for_moderation(user).select_related("topic"), reference)


def theme_for_tagging(pk: object) -> Theme:
    """Any theme an item may carry (the item's own gate decides who may tag)."""
    try:
        return Theme.objects.get(pk=pk_of(pk))
    except Theme.DoesNotExist:
        raise Http404 from None


def excerpt_for(user: User, pk: object) -> Excerpt:
    if not is_moderator(user):
        raise Http404
    try:
        return Excerpt.objects.live().filter(approved_by__isnull=False).get(pk=pk_of(pk))
    except Excerpt.DoesNotExist:
        raise Http404 from None


def excerpts_awaiting_second(user: User) -> ExcerptQuerySet:
    if not is_moderator(user):
        return Excerpt.objects.none()
    return Excerpt.objects.awaiting_second()


def excerpt_awaiting_second(user: User, pk: object) -> Excerpt:
    try:
        return excerpts_awaiting_second(user).get(pk=pk_of(pk))
    except Excerpt.DoesNotExist:
        raise Http404 from None


def services_to_agree_for(user: User) -> ServiceQuerySet:
    """The services whose actions this person may agree: all for moderators, else those they manage."""
    if is_moderator(user):
        return Service.objects.active()
    return Service.objects.active().filter(pk__in=user.managed_service_ids)


def topic_theme(item: Item) -> Theme | None:
    """The theme an item's topic became (after any merges)."""
    theme = Theme.objects.filter(topic_id=item.topic_id).first()
    return theme.final() if theme is not None else None
