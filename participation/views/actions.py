""" "You Said, We Did" actions: the list, proposing, an action's page, agreeing, updating
and linking items."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation import access, services
from participation.forms import (
    ActionUpdateForm,
    AgreeActionForm,
    DeclineActionForm,
    LinkItemsForm,
    ProposeActionForm,
)
from participation.models import Action, ActionStatus
from participation.suppression import protect
from portal.permissions import SignedInRequest
from portal.refusals import Refused


@access.actions_required
def actions(request: SignedInRequest) -> HttpResponse:
    rows = access.actions_for(request.user).with_updates()
    context = {"actions": rows, "may_propose": access.is_council_viewer(request.user)}
    return render(request, "participation/actions.html", context)


@access.council_required
def my_proposals(request: SignedInRequest) -> HttpResponse:
    rows = access.proposals_of(request.user).with_updates()
    return render(request, "participation/my_proposals.html", {"actions": rows})


@access.council_required
@require_POST
def action_propose(request: SignedInRequest) -> HttpResponse:
    form = ProposeActionForm(request.POST)
    if form.is_valid():
        try:
            action = services.propose_action(
                you_said=form.cleaned_data["you_said"],
                we_will=form.cleaned_data["we_will"],
                themes=form.cleaned_data["themes"],
                by=request.user,
            )
        except Refused as refused:
            refused.add_to(form)
        else:
            messages.success(request, _("Action proposed. Staff will look at it."))
            return redirect("participation:action", pk=action.pk)
    return render(request, "participation/action_propose.html", {"form": form}, status=400)


def _action_page(
    request: SignedInRequest, action: Action, *, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    user = request.user
    may_update = access.may_update(user, action)
    context: dict[str, object] = {
        "action": action,
        "updates": action.updates.select_related("meeting"),
        # A small exact count could point at the few who raised it: protected like the
        # council's figures (fewer than 5 hidden, the rest rounded to fives).
        "item_count": protect(action.items.count(), settings.COUNCIL_SUPPRESSION_THRESHOLD),
        "threshold": settings.COUNCIL_SUPPRESSION_THRESHOLD,
        "may_agree": access.may_agree(user, action) and action.status == ActionStatus.PROPOSED,
        "may_update": may_update and action.status != ActionStatus.PROPOSED,
        "may_link": may_update and access.is_staff(user),
        "agree_form": AgreeActionForm(
            initial={"service": action.service_id, "we_will": action.we_will},
            services=access.services_to_agree_for(user),
        ),
        "decline_form": DeclineActionForm(),
        "update_form": ActionUpdateForm(),
        "link_form": LinkItemsForm(),
        **forms_,
    }
    return render(request, "participation/action.html", context, status=status)


@access.actions_required
def action(request: SignedInRequest, pk: str) -> HttpResponse:
    return _action_page(request, access.action_for(request.user, pk))


@access.actions_required
@require_POST
def action_agree(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.action_for(request.user, pk)
    if not access.may_agree(request.user, obj):
        raise Http404
    form = AgreeActionForm(request.POST, services=access.services_to_agree_for(request.user))
    if form.is_valid():
        try:
            services.agree_action(action=obj, by=request.user, **form.cleaned_data)
        except Refused as refused:
            refused.add_to(form)
        else:
            if obj.items.exists():
                messages.success(request, _("Action agreed. The young people it answers are told."))
            else:
                messages.success(request, _("Action agreed."))
            return redirect("participation:action", pk=obj.pk)
    return _action_page(request, obj, status=400, agree_form=form)


@access.actions_required
@require_POST
def action_decline(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.action_for(request.user, pk)
    if not access.may_agree(request.user, obj):
        raise Http404
    form = DeclineActionForm(request.POST)
    if form.is_valid():
        try:
            services.decline_action(action=obj, by=request.user, **form.cleaned_data)
        except Refused as refused:
            refused.add_to(form)
        else:
            messages.success(request, _("Proposal declined. The person who proposed it is told."))
            return redirect("participation:action", pk=obj.pk)
    return _action_page(request, obj, status=400, decline_form=form)


@access.actions_required
@require_POST
def action_update(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.action_for(request.user, pk)
    if not access.may_update(request.user, obj):
        raise Http404
    meeting = None
    if request.POST.get("meeting"):
        meeting = access.meeting_for(request.user, request.POST["meeting"])
    form = ActionUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.update_action(
                action=obj, by=request.user, meeting=meeting, **form.cleaned_data
            )
        except Refused as refused:
            refused.add_to(form)
        else:
            messages.success(request, _("Update saved."))
            if meeting is not None:
                return redirect("participation:meeting", pk=meeting.pk)
            return redirect("participation:action", pk=obj.pk)
    return _action_page(request, obj, status=400, update_form=form)


@access.actions_required
@require_POST
def action_link(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.action_for(request.user, pk)
    if not (access.may_update(request.user, obj) and access.is_staff(request.user)):
        raise Http404
    form = LinkItemsForm(request.POST)
    if form.is_valid():
        references = form.cleaned_data["references"]
        found = list(access.items_for_tagging(request.user).filter(reference__in=references))
        if len(found) == len(references):
            services.link_items(action=obj, items=found, by=request.user)
            messages.success(request, _("Items linked."))
            return redirect("participation:action", pk=obj.pk)
        form.add_error("references", _("Some references were not found. Check them and try again."))
    return _action_page(request, obj, status=400, link_form=form)
