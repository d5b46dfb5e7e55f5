"""What feedback's templates show of participation, without feedback importing it."""

from __future__ import annotations

from django import template

from feedback.models import EventKind, Item
from participation import access
from participation.models import Action, Theme
from portal.models import User

register = template.Library()


def _answering(item_ids: object) -> list[Action]:
    return list(Action.objects.answering_items(item_ids).with_updates().order_by("-updated_at"))


@register.inclusion_tag("participation/_item_actions.html")
def item_actions(item: Item) -> dict[str, object]:
    """The actions an item's words fed into: on the young person's (or tracked) item page."""
    return {"actions": _answering([item.pk])}


@register.inclusion_tag("participation/_home.html", takes_context=True)
def participation_home(context: template.Context) -> dict[str, object]:
    user = context.get("user")
    actions: list[Action] = []
    if user is not None and user.is_authenticated and user.young_person is not None:
        actions = _answering(Item.objects.for_author(user).values("pk"))
    return {
        "user": user,
        "actions": actions,
        "council_viewer": bool(user is not None and access.is_council_viewer(user)),
    }


@register.simple_tag
def item_theme_box(item: Item, user: User) -> dict[str, object]:
    """For the staff item page: the item's themes, and whether this person may change them."""
    may_tag = access.items_for_tagging(user).filter(pk=item.pk).exists()
    linkable = (
        [
            a
            for a in access.actions_for(user).order_by("-created_at")[:50]
            if access.may_update(user, a)
        ]
        if may_tag
        else []
    )
    return {
        "tags": list(item.theme_tags.select_related("theme")),
        "themes": list(Theme.objects.agreed()) if may_tag else [],
        "may_tag": may_tag,
        "actions": linkable,
        "linked": list(item.actions.all()) if may_tag else [],
        # A reply said a change is planned or made: offer to link it or start an action.
        "change_replied": may_tag and item.events.filter(kind=EventKind.CHANGE).exists(),
    }
