"""Tagging an item and linking it to actions, from the staff item page (or moderation)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation import access, services
from participation.forms import ItemActionForm, ItemStartActionForm, TagForm
from portal.permissions import SignedInRequest
from portal.refusals import Refused


def _back(request: HttpRequest, reference: str) -> str:
    if request.POST.get("back") == "moderation":
        return reverse("participation:moderation")
    return reverse("feedback:staff_item", args=[reference])


@access.actions_required
@require_POST
def item_tag(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_for_tagging(request.user, reference)
    form = TagForm(request.POST)
    if form.is_valid():
        services.tag_item(item=item, theme=form.cleaned_data["theme"], by=request.user)
        messages.success(request, _("Theme added to the item."))
    else:
        messages.error(request, str(form.errors["theme"][0]))
    return redirect(_back(request, item.reference))


@access.actions_required
@require_POST
def item_untag(request: SignedInRequest, reference: str, theme_pk: str) -> HttpResponse:
    item = access.item_for_tagging(request.user, reference)
    theme = access.theme_for_tagging(theme_pk)
    services.untag_item(item=item, theme=theme, by=request.user)
    messages.success(request, _("Theme taken off the item."))
    return redirect(_back(request, item.reference))


@access.actions_required
@require_POST
def item_link_action(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_for_tagging(request.user, reference)
    form = ItemActionForm(request.POST)
    action = access.action_for(request.user, form.data.get("action", ""))
    if not access.may_update(request.user, action):
        raise Http404
    services.link_items(action=action, items=[item], by=request.user)
    messages.success(
        request, _("Item linked to the action. The young person will hear when it moves.")
    )
    return redirect(_back(request, item.reference))


@access.actions_required
@require_POST
def item_start_action(request: SignedInRequest, reference: str) -> HttpResponse:
    """From a staff reply saying a change is planned or made: a proposed action answering it."""
    item = access.item_for_tagging(request.user, reference)
    form = ItemStartActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(form.errors["you_said"][0]))
        return redirect(_back(request, item.reference))
    theme = access.topic_theme(item)
    try:
        action = services.propose_action(
            you_said=form.cleaned_data["you_said"],
            by=request.user,
            themes=[theme] if theme is not None else [],
            service=item.service,
        )
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect(_back(request, item.reference))
    services.link_items(action=action, items=[item], by=request.user)
    messages.success(request, _("Action started. Staff with the permission will agree it."))
    return redirect("participation:action", pk=action.pk)
