"""Staff pages: the queue, an item's page and its actions, paper postcards, the view audit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
    StageForm,
)
from feedback.models import Channel, Item, Kind, StaffView, Status, Topic
from portal.models import User
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
    topic = params.get("topic", "")
    if topic.isascii() and topic.isdigit() and len(topic) < 10:
        items = items.filter(topic_id=int(topic))
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
    # A child at risk not yet acknowledged comes first, whatever the sort.
    items = items.urgent_first(expression, *rest, "id")
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
        "stage_form": StageForm(initial={"from_stage": item.stage}),
        "reroute_form": RerouteForm(),
        "assign_form": AssignForm(
            service_id=item.service_id, initial={"assignee": item.assignee_id}
        ),
    }
    defaults.update(forms)
    for name, form in defaults.items():
        # Several forms on one page share field names: give each its own ids.
        form.auto_id = f"id_{name.removesuffix('_form')}_%s"
    return {
        "item": item,
        "events": list(item.events.select_related("actor").order_by("created_at", "id")),
        "today": timezone.localdate(),
        "show_identity": not item.is_anonymous and item.author_id is not None,
        "staff_view": True,
        "staff_statuses": [(s.value, s.label) for s in services.STAFF_STATUSES],
        "out_of_hours_phone": settings.DUTY_OUT_OF_HOURS_PHONE,
        **defaults,
    }


@staff_required
def item(request: HttpRequest, reference: str) -> HttpResponse:
    obj = access.item_for_staff(request.user, reference)
    services.record_staff_view(item=obj, by=request.user)
    return render(request, "feedback/staff/item.html", _item_context(request, obj))


@dataclass(frozen=True)
class Action:
    """One staff action: the form it reads (if any), the service it calls, what staff are told."""

    run: Callable[[Item, User, dict], object]
    done: str
    form: Callable[[Item, object], forms.Form] | None = None
    form_key: str = ""


ACTIONS: dict[str, Action] = {
    "acknowledge": Action(
        lambda item, user, data: services.acknowledge(item=item, by=user),
        gettext_lazy("Acknowledged. The young person can see it has been seen."),
    ),
    "take": Action(
        lambda item, user, data: services.assign(item=item, by=user, assignee=user),
        gettext_lazy("It is assigned to you."),
    ),
    "status": Action(
        lambda item, user, data: services.set_status(item=item, by=user, status=data["status"]),
        gettext_lazy("Status changed."),
    ),
    "assign": Action(
        lambda item, user, data: services.assign(item=item, by=user, assignee=data["assignee"]),
        gettext_lazy("Assignment saved."),
        lambda item, post: AssignForm(post, service_id=item.service_id),
        "assign_form",
    ),
    "reply": Action(
        lambda item, user, data: services.staff_reply(
            item=item,
            by=user,
            text=data["text"],
            as_team=data["as_team"],
            change=data["change"],
            change_description=data["change_description"],
            key=data["key"],
        ),
        gettext_lazy("Reply sent to the young person."),
        lambda item, post: StaffReplyForm(post, status=item.status),
        "reply_form",
    ),
    "note": Action(
        lambda item, user, data: services.add_note(
            item=item, by=user, text=data["text"], key=data["key"]
        ),
        gettext_lazy("Note added. The young person cannot see it."),
        lambda item, post: NoteForm(post),
        "note_form",
    ),
    "resolve": Action(
        lambda item, user, data: services.resolve(
            item=item, by=user, outcome=data["outcome"], text=data["text"], key=data["key"]
        ),
        gettext_lazy("Resolved. The young person is asked if it sorted things."),
        lambda item, post: ResolveForm(post, is_complaint=item.is_complaint),
        "resolve_form",
    ),
    "extend": Action(
        lambda item, user, data: services.extend_clock(item=item, by=user, reason=data["reason"]),
        gettext_lazy("Clock extended. The young person has been told."),
        lambda item, post: ReasonForm(post),
        "extend_form",
    ),
    "stage": Action(
        lambda item, user, data: services.move_stage(
            item=item, by=user, reason=data["reason"], from_stage=data["from_stage"]
        ),
        gettext_lazy("The complaint moved to the next stage."),
        lambda item, post: StageForm(post),
        "stage_form",
    ),
    "reroute": Action(
        lambda item, user, data: services.reroute(
            item=item, by=user, service=data["service"], reason=data["reason"]
        ),
        gettext_lazy("Moved to another service."),
        lambda item, post: RerouteForm(post),
        "reroute_form",
    ),
}


@staff_required
@require_POST
def act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    obj = access.item_for_staff(request.user, reference)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    data: dict = {"status": request.POST.get("status", "")}
    if spec.form is not None:
        form = spec.form(obj, request.POST)
        if not form.is_valid():
            context = _item_context(request, obj, **{spec.form_key: form})
            return render(request, "feedback/staff/item.html", context, status=400)
        data = form.cleaned_data
    try:
        spec.run(obj, request.user, data)
    except services.ActionRefused as refused:
        messages.error(request, str(refused))
        return redirect("feedback:staff_item", reference=obj.reference)
    messages.success(request, str(spec.done))
    if not access.items_for_staff(request.user).filter(pk=obj.pk).exists():
        return redirect("feedback:queue")  # moved out of reach, e.g. re-routed elsewhere
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
        try:
            key = uuid.UUID(request.POST.get("submission_key", ""))
        except ValueError:
            key = uuid.uuid4()
        result = services.submit_item(
            **form.item_fields(),
            author=form.author,
            submission_key=key,
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
