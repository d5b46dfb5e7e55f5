"""Meetings: the list (and making one), a meeting's page, its agenda, minutes, takeover
questions, and a finding becoming an action."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation import access, services
from participation.forms import (
    ActionUpdateForm,
    AgendaItemForm,
    MeetingForm,
    MinutesForm,
    TakeoverQuestionForm,
)
from participation.models import Meeting, TakeoverQuestion
from portal.permissions import SignedInRequest
from portal.refusals import Refused


def _meetings_page(request: SignedInRequest, form: MeetingForm, status: int = 200) -> HttpResponse:
    context = {
        "meetings": access.meetings_for(request.user)[:100],
        "form": form,
        "may_moderate": access.is_moderator(request.user),
    }
    return render(request, "participation/meetings.html", context, status=status)


@access.council_required
def meetings(request: SignedInRequest) -> HttpResponse:
    """The list, and (moderators) a new meeting."""
    if request.method != "POST":
        return _meetings_page(request, MeetingForm())
    if not access.is_moderator(request.user):
        raise Http404
    form = MeetingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.create_meeting(
                kind=data["kind"],
                title=data["title"],
                on=data["date"],
                attendees=data["attendees"],
                period_months=data["period_months"],
                invitees=data["invitees"],
                by=request.user,
            )
        except Refused as refused:
            refused.add_to(form)
        else:
            return redirect("participation:meeting", pk=meeting.pk)
    return _meetings_page(request, form, status=400)


def _meeting_page(
    request: SignedInRequest, meeting: Meeting, *, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    context: dict[str, object] = {
        "meeting": meeting,
        "for_review": meeting.actions_for_review().with_updates(),
        "agenda_items": meeting.agenda_items.all(),
        "questions": meeting.questions.select_related("service", "action"),
        # The action's service names an agreed decision (ActionUpdate.shown_text).
        "decisions": meeting.decisions.select_related("action__service"),
        "may_moderate": access.is_moderator(request.user),
        "may_add_to_agenda": access.is_council_viewer(request.user),
        "agenda_form": AgendaItemForm(),
        "minutes_form": MinutesForm(
            initial={"minutes": meeting.minutes, "attendees": meeting.attendees},
            happened=meeting.has_happened,
        ),
        "question_form": TakeoverQuestionForm(),
        "update_form": ActionUpdateForm(),
        **forms_,
    }
    return render(request, "participation/meeting.html", context, status=status)


@access.actions_required
def meeting(request: SignedInRequest, pk: str) -> HttpResponse:
    return _meeting_page(request, access.meeting_for(request.user, pk))


@access.council_required  # council members add items to the agenda too
@require_POST
def meeting_agenda(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.meeting_for(request.user, pk)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            services.add_agenda_item(meeting=obj, title=form.cleaned_data["title"], by=request.user)
        except Refused as refused:
            refused.add_to(form)
        else:
            return redirect("participation:meeting", pk=obj.pk)
    return _meeting_page(request, obj, status=400, agenda_form=form)


@access.moderator_required
@require_POST
def meeting_minutes(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.meeting_for(request.user, pk)
    form = MinutesForm(request.POST, happened=obj.has_happened)
    if not form.is_valid():
        return _meeting_page(request, obj, status=400, minutes_form=form)
    services.record_minutes(
        meeting=obj,
        by=request.user,
        minutes=form.cleaned_data["minutes"],
        attendees=form.cleaned_data.get("attendees", obj.attendees),
    )
    messages.success(request, _("Minutes saved."))
    return redirect("participation:meeting", pk=obj.pk)


@access.moderator_required
@require_POST
def meeting_question(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.meeting_for(request.user, pk)
    form = TakeoverQuestionForm(request.POST)
    if form.is_valid():
        try:
            services.add_takeover_question(meeting=obj, by=request.user, **form.cleaned_data)
        except Refused as refused:
            refused.add_to(form)
        else:
            return redirect("participation:meeting", pk=obj.pk)
    return _meeting_page(request, obj, status=400, question_form=form)


@access.moderator_required
@require_POST
def question_to_action(request: SignedInRequest, pk: str, question_pk: str) -> HttpResponse:
    obj = access.meeting_for(request.user, pk)
    try:
        question = obj.questions.get(pk=access.pk_of(question_pk))
    except TakeoverQuestion.DoesNotExist:
        raise Http404 from None
    try:
        action = services.finding_to_action(question=question, by=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect("participation:meeting", pk=obj.pk)
    messages.success(request, _("The finding is now a proposed action."))
    return redirect("participation:action", pk=action.pk)
