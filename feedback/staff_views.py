"""Staff pages: the queue, an item's page and its actions, paper postcards, the view audit."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import access, services
from feedback.forms import (
    AssignForm,
    NoteForm,
    PaperSubmissionForm,
    ReasonForm,
    RerouteForm,
    ResolveForm,
    StaffReplyForm,
)
from feedback.models import Channel, Kind, StaffView, Status, Topic
from portal.permissions import staff_required

QUEUE_PAGE_SIZE = 25
SORTS = {
    "due": ("due_on", "created_at"),
    "-due": ("-due_on", "-created_at"),
    "oldest": ("created_at",),
    "newest": ("-created_at",),
}


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    params = request.GET
    items = access.items_for_staff(request.user).select_related("topic", "service", "assignee")
    status = params.get("status", "open")
    if status == "open":
        items = items.open()
    elif status in Status.values:
        items = items.filter(status=status)
    if params.get("kind") in Kind.values:
        items = items.filter(kind=params["kind"])
    if params.get("topic", "").isdigit():
        items = items.filter(topic_id=int(params["topic"]))
    if params.get("overdue"):
        items = items.overdue()
    if params.get("urgent"):
        items = items.filter(priority="urgent")
    if params.get("assigned") == "me":
        items = items.filter(assignee=request.user)
    elif params.get("assigned") == "nobody":
        items = items.filter(assignee__isnull=True)
    sort = params.get("sort", "due")
    order = SORTS.get(sort, SORTS["due"])
    # Items with no clock go last when sorting by due date.
    first, *rest = order
    field = first.lstrip("-")
    expression = (
        F(field).desc(nulls_last=True) if first.startswith("-") else F(field).asc(nulls_last=True)
    )
    items = items.order_by(expression, *rest, "id")
    page = Paginator(items, QUEUE_PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/staff/queue.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "statuses": Status.choices,
            "kinds": Kind.choices,
            "topics": Topic.objects.all(),
            "filters": params,
            "status_filter": status,
            "query": query.urlencode(),
        },
    )


def _item_context(request: HttpRequest, item, **forms: object) -> dict[str, object]:
    defaults = {
        "reply_form": StaffReplyForm(status=item.status),
        "note_form": NoteForm(),
        "resolve_form": ResolveForm(is_complaint=item.is_complaint),
        "extend_form": ReasonForm(),
        "stage_form": ReasonForm(),
        "reroute_form": RerouteForm(),
        "assign_form": AssignForm(
            service_id=item.service_id, initial={"assignee": item.assignee_id}
        ),
    }
    defaults.update(forms)
    return {
        "item": item,
        "events": list(item.events.select_related("actor").order_by("created_at", "id")),
        "today": timezone.localdate(),
        "show_identity": not item.is_anonymous and item.author_id is not None,
        "staff_statuses": [(s.value, s.label) for s in services.STAFF_STATUSES],
        **defaults,
    }


@staff_required
def item(request: HttpRequest, reference: str) -> HttpResponse:
    obj = access.item_for_staff(request.user, reference)
    services.record_staff_view(item=obj, by=request.user)
    return render(request, "feedback/staff/item.html", _item_context(request, obj))


ACTIONS = {
    "acknowledge",
    "take",
    "assign",
    "reply",
    "note",
    "status",
    "resolve",
    "extend",
    "stage",
    "reroute",
}


@staff_required
@require_POST
def act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    obj = access.item_for_staff(request.user, reference)
    if action not in ACTIONS:
        raise Http404
    user = request.user
    form_errors: dict[str, object] = {}
    try:
        if action == "acknowledge":
            services.acknowledge(item=obj, by=user)
            messages.success(request, _("Acknowledged. The young person can see it has been seen."))
        elif action == "take":
            services.assign(item=obj, by=user, assignee=user)
            messages.success(request, _("It is assigned to you."))
        elif action == "assign":
            form = AssignForm(request.POST, service_id=obj.service_id)
            if form.is_valid():
                services.assign(item=obj, by=user, assignee=form.cleaned_data["assignee"])
                messages.success(request, _("Assignment saved."))
            else:
                form_errors["assign_form"] = form
        elif action == "reply":
            form = StaffReplyForm(request.POST, status=obj.status)
            if form.is_valid():
                data = form.cleaned_data
                services.staff_reply(
                    item=obj,
                    by=user,
                    text=data["text"],
                    as_team=data["as_team"],
                    change=data["change"],
                    change_description=data["change_description"],
                )
                messages.success(request, _("Reply sent to the young person."))
            else:
                form_errors["reply_form"] = form
        elif action == "note":
            form = NoteForm(request.POST)
            if form.is_valid():
                services.add_note(item=obj, by=user, text=form.cleaned_data["text"])
                messages.success(request, _("Note added. The young person cannot see it."))
            else:
                form_errors["note_form"] = form
        elif action == "status":
            services.set_status(item=obj, by=user, status=request.POST.get("status", ""))
            messages.success(request, _("Status changed."))
        elif action == "resolve":
            form = ResolveForm(request.POST, is_complaint=obj.is_complaint)
            if form.is_valid():
                services.resolve(
                    item=obj,
                    by=user,
                    outcome=form.cleaned_data["outcome"],
                    text=form.cleaned_data["text"],
                )
                messages.success(
                    request, _("Resolved. The young person is asked if it sorted things.")
                )
            else:
                form_errors["resolve_form"] = form
        elif action == "extend":
            form = ReasonForm(request.POST)
            if form.is_valid():
                services.extend_clock(item=obj, by=user, reason=form.cleaned_data["reason"])
                messages.success(request, _("Clock extended. The young person has been told."))
            else:
                form_errors["extend_form"] = form
        elif action == "stage":
            form = ReasonForm(request.POST)
            if form.is_valid():
                services.move_stage(item=obj, by=user, reason=form.cleaned_data["reason"])
                messages.success(request, _("The complaint moved to the next stage."))
            else:
                form_errors["stage_form"] = form
        elif action == "reroute":
            form = RerouteForm(request.POST)
            if form.is_valid():
                services.reroute(
                    item=obj,
                    by=user,
                    service=form.cleaned_data["service"],
                    reason=form.cleaned_data["reason"],
                )
                messages.success(
                    request, _("Moved to %(service)s.") % {"service": form.cleaned_data["service"]}
                )
                if not (
                    user.is_complaints_manager
                    or form.cleaned_data["service"].pk in user.service_ids
                ):
                    return redirect("feedback:queue")
            else:
                form_errors["reroute_form"] = form
    except services.ActionRefused as refused:
        messages.error(request, str(refused))
    if form_errors:
        obj.refresh_from_db()
        return render(
            request,
            "feedback/staff/item.html",
            _item_context(request, obj, **form_errors),
            status=400,
        )
    return redirect("feedback:staff_item", reference=obj.reference)


@staff_required
def audit(request: HttpRequest, reference: str) -> HttpResponse:
    if not request.user.is_complaints_manager:
        raise Http404
    obj = access.item_for_staff(request.user, reference)
    views = StaffView.objects.filter(item=obj).select_related("user")[:500]
    return render(request, "feedback/staff/audit.html", {"item": obj, "views": views})


@staff_required
def paper_new(request: HttpRequest) -> HttpResponse:
    form = PaperSubmissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key = uuid.UUID(request.POST.get("submission_key", ""))
        except ValueError:
            key = uuid.uuid4()
        result = services.submit_item(
            kind=data["kind"],
            topic=data["topic"],
            words=data["words"],
            identity=data["identity"],
            author=form.author,
            audience=form.chosen_audience,
            submission_key=key,
            mood=data["mood"],
            consent_to_share=data["consent_to_share"],
            contact_wanted=data["contact_wanted"],
            contact_method=data["contact_method"],
            contact_detail=data["contact_detail"],
            advocate_requested=data["advocate_requested"],
            channel=Channel.PAPER,
            entered_by=request.user,
        )
        messages.success(
            request,
            _("Paper postcard %(reference)s saved.") % {"reference": result.item.reference}
            + (
                " "
                + _("Write its tracking code on the reply slip: %(code)s")
                % {"code": result.tracking_code}
                if result.tracking_code
                else ""
            ),
        )
        return redirect("feedback:paper_new")
    return render(
        request, "feedback/staff/paper_new.html", {"form": form, "submission_key": uuid.uuid4()}
    )
