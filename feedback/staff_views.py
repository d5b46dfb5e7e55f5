"""Staff pages: the queue, an item's page and one view per action, the view audit.
(Paper postcards are feedback.paper_views.)"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.forms import Form
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from feedback import access, services
from feedback.filters import QueuePageFilter, search, waiting_on_young_person, with_last_word
from feedback.forms import (
    AssignForm,
    DecisionForm,
    NoteForm,
    QueueSearchForm,
    ReasonForm,
    RerouteForm,
    ResolveForm,
    StaffReplyForm,
    StageForm,
    StatusForm,
)
from feedback.models import (
    Item,
    Kind,
    Priority,
    ReadPlace,
    StaffView,
    Status,
    Topic,
    overdue_at,
)
from feedback.workdays import working_days_between
from portal.middleware import STAFF_LAST_ACTIVE, idle_seconds_left
from portal.models import User
from portal.permissions import SignedInRequest, staff_required
from portal.refusals import Refused

QUEUE_PAGE_SIZE = 25
PREVIEW_CHARS = 80
# The saved filters on the queue's tabs: each person's own view of the open items. An
# answered item waits on the young person in its own list, out of the others, until they
# reply or its clock says otherwise (feedback.filters.waiting_on_young_person).
TABS = (
    ("all", gettext_lazy("All open"), ""),
    ("waiting", gettext_lazy("Waiting on the young person"), "status=waiting"),
    ("mine", gettext_lazy("My open items"), "assigned=me"),
    ("unassigned", gettext_lazy("Unassigned in my team"), "assigned=nobody"),
    ("overdue", gettext_lazy("Overdue"), "overdue=1"),
    ("needs_read", gettext_lazy("Needs a read"), "needs_read=1"),
)


def clock_text(item: Item, now: datetime) -> str:
    """The deadline in words: working days and the date for most clocks, hours and
    minutes for a child at risk's ("due in 3 working days (Wed 2 Dec)")."""
    if not item.is_clock_running or item.due_on is None:
        return _("No clock running")
    if item.due_at is not None:
        minutes = int((item.due_at - now).total_seconds() // 60)
        at = date_format(timezone.localtime(item.due_at), "H:i")
        left = {"hours": abs(minutes) // 60, "minutes": abs(minutes) % 60, "at": at}
        if item.awaits_decision:
            left["day"] = date_format(item.due_on, "D j M")
            if minutes >= 0:
                return (
                    _("decision due in %(hours)d h %(minutes)d min (by the end of %(day)s)") % left
                )
            return _("decision overdue by %(hours)d h %(minutes)d min (was due %(day)s)") % left
        if minutes >= 0:
            return _("due in %(hours)d h %(minutes)d min (at %(at)s)") % left
        return _("overdue by %(hours)d h %(minutes)d min (was due at %(at)s)") % left
    today = timezone.localdate(now)
    due = item.due_on
    day = date_format(due, "D j M")
    if due == today:
        return _("due today (%(day)s)") % {"day": day}
    if due > today:
        n = working_days_between(today, due)
        return ngettext(
            "due in %(n)d working day (%(day)s)", "due in %(n)d working days (%(day)s)", n
        ) % {"n": n, "day": day}
    n = working_days_between(due, today)
    return ngettext(
        "overdue by %(n)d working day (was due %(day)s)",
        "overdue by %(n)d working days (was due %(day)s)",
        n,
    ) % {"n": n, "day": day}


def preview(words: str) -> str:
    """The first line of what the young person wrote, cut to about 80 characters."""
    first_line = next((line.strip() for line in words.splitlines() if line.strip()), "")
    return Truncator(first_line).chars(PREVIEW_CHARS)


def sender_name(item: Item) -> str:
    """The young person's name where their choice allows it (named or confidential)."""
    if item.is_anonymous or item.author is None:
        return ""
    return item.author.shown_name


@dataclass(frozen=True)
class QueueRow:
    item: Item
    preview: str
    name: str
    clock: str
    overdue: bool
    urgent: bool
    language: str  # named when it is not in English


def _row(item: Item, now: datetime) -> QueueRow:
    return QueueRow(
        item=item,
        preview=preview(item.words),
        name=sender_name(item),
        clock=clock_text(item, now),
        overdue=item.is_overdue,
        urgent=item.priority == "urgent",
        language=item.language_name,
    )


def _tab_counts(user: User, now: datetime) -> dict[str, int]:
    """Every tab's count in one query."""
    waiting = waiting_on_young_person(now)
    active = ~waiting
    return with_last_word(access.items_for_staff(user).open()).aggregate(
        all=Count("pk", filter=active),
        waiting=Count("pk", filter=waiting),
        mine=Count("pk", filter=active & Q(assignee=user)),
        unassigned=Count("pk", filter=active & Q(assignee__isnull=True)),
        overdue=Count("pk", filter=active & overdue_at(now)),
        needs_read=Count("pk", filter=active & Q(needs_read=True)),
    )


def _tabs(user: User, params: dict[str, str], now: datetime) -> list[dict[str, object]]:
    counts = _tab_counts(user, now)
    chosen = {k: v for k, v in params.items() if v and k not in ("page", "sort")}
    tabs = []
    for key, label, query in TABS:
        wanted = dict(part.split("=") for part in query.split("&") if part)
        tabs.append(
            {
                "label": label,
                "query": query,
                "count": counts[key],
                "current": chosen == wanted or (not query and chosen == {"status": "open"}),
            }
        )
    return tabs


@staff_required
def queue(request: SignedInRequest) -> HttpResponse:
    params = request.GET.copy()
    items = access.items_for_staff(request.user, ReadPlace.QUEUE).select_related(
        "topic", "service", "assignee", "author"
    )
    # The search is a GET, like the filters beside it: Back from an item comes back to the
    # results, and a search can be kept as a link. What the URL carries is what the worker
    # typed (a reference, a name, their own words for what they look for), never words
    # read from the database: results link to items by reference only. No log keeps it:
    # gunicorn writes no access log (portal/gunicorn_conf.py), the development server's
    # has it cut (portal.log_filters), the portal logs each request by its view name and
    # takes the request off Django's own records (portal.log_filters.NoRequestDetails;
    # tests/feedback/test_search.py, tests/portal/test_logs.py), and the Referrer-Policy
    # (same-origin) sends it nowhere else.
    search_form = QueueSearchForm(params)
    term = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    if term:
        # Within what this worker may open; words only where they may read them.
        items = search(items, term, words_from=access.items_with_words_for_staff(request.user))
        params.setdefault("status", "all")  # a search finds answered and closed items too
    status = params.get("status", "open")
    # The filters and order are the API queue's too: one definition, in feedback.filters.
    items = QueuePageFilter(params, queryset=items, request=request).qs
    if term and "page" not in params:
        # Reading references only: no row's words are fetched, so nothing is on record yet.
        found = list(items.values_list("reference", flat=True)[:2])
        if len(found) == 1:
            return redirect("feedback:staff_item", reference=found[0])
    page = Paginator(items, QUEUE_PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    now = timezone.now()
    asked = request.GET
    filtered = any(value for key, value in asked.items() if key not in ("page", "sort", "q"))
    return render(
        request,
        "feedback/staff/queue.html",
        {
            "search_form": search_form,
            "searched": term,
            "page": page,
            "rows": [_row(item, now) for item in page],
            "tabs": _tabs(request.user, request.GET.dict(), now),
            "filtered": filtered,
            "today": timezone.localdate(),
            "statuses": Status.choices,
            "kinds": Kind.choices,
            "topics": Topic.objects.all(),
            "filters": params,
            "status_filter": status,
            "query": query.urlencode(),
            "idle_seconds_left": idle_seconds_left(request),
        },
    )


def _item_context(request: SignedInRequest, item: Item, **forms: Form) -> dict[str, object]:
    user = request.user
    advocacy = access.advocacy_for(user, item)
    defaults: dict[str, Form] = {
        "reply_form": StaffReplyForm(
            status=item.status, advocate=advocacy is not None, service_id=item.service_id
        ),
        "note_form": NoteForm(),
        "decision_form": DecisionForm(),
        "resolve_form": ResolveForm(),
        "status_form": StatusForm(),
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
    may_have_it = item.is_open and services.can_be_assigned(item, user)
    return {
        "item": item,
        "events": list(item.events.select_related("actor").order_by("created_at", "id")),
        "today": timezone.localdate(),
        "clock": clock_text(item, timezone.now()),
        "show_identity": not item.is_anonymous and item.author_id is not None,
        "staff_view": True,
        "assigned_to_me": item.assignee_id == user.pk,
        # The service decides who may have an item; the page offers only what it allows.
        "can_take": may_have_it and item.assignee_id != user.pk,
        "reply_assigns_me": may_have_it and item.assignee_id is None,
        "can_read_audit": access.can_read_audit(request.user),
        # An advocate answers as the advocacy service, and changes nothing else.
        "advocacy": advocacy,
        "out_of_hours_phone": settings.DUTY_OUT_OF_HOURS_PHONE,
        # A child at risk: Acknowledge and the duty phone in a bar that stays in view.
        "urgent_actions": advocacy is None and item.is_open and item.priority == Priority.URGENT,
        "idle_seconds_left": idle_seconds_left(request),
        **defaults,
    }


def _item_page(
    request: SignedInRequest, item: Item, status: int = 200, **forms: Form
) -> HttpResponse:
    context = _item_context(request, item, **forms)
    return render(request, "feedback/staff/item.html", context, status=status)


@staff_required
def item(request: SignedInRequest, reference: str) -> HttpResponse:
    try:
        obj = access.item_for_staff(request.user, reference)  # the read is on record
    except Http404:
        # Not in her services: a paper postcard she typed in is still hers to read.
        entered = access.item_entered_by(request.user, reference)
        return render(request, "feedback/staff/entered.html", {"item": entered})
    return _item_page(request, obj)


# --- One view per action: gate, form, service, back to the item ------------------------


def _done(request: SignedInRequest, item: Item, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("feedback:staff_item", reference=item.reference)


def _refused(request: SignedInRequest, item: Item, refused: Refused, **forms: Form) -> HttpResponse:
    """The service's own words: beside the answer it names, on the page again with a 400;
    otherwise (the item's state) as a message on the item's page."""
    for name, form in forms.items():
        if refused.field in form.fields:
            form.add_error(refused.field, str(refused))
            return _item_page(request, item, status=400, **{name: form})
    messages.error(request, str(refused))
    return redirect("feedback:staff_item", reference=item.reference)


@staff_required
@require_POST
def acknowledge(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_to_work_on(request.user, reference)
    try:
        item = services.acknowledge(item=item, by=request.user)
    except Refused as refused:
        return _refused(request, item, refused)
    if item.awaits_decision and item.due_on is not None:
        message = _("Acknowledged: it is yours. Record the decision by the end of %(day)s.") % {
            "day": date_format(item.due_on, "l j F")
        }
    else:
        message = _("Acknowledged. The young person can see it has been seen.")
    return _done(request, item, message)


@staff_required
@require_POST
def decide(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_to_work_on(request.user, reference)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, status=400, decision_form=form)
    try:
        services.record_decision(
            item=item,
            by=request.user,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except Refused as refused:
        return _refused(request, item, refused, decision_form=form)
    return _done(request, item, _("Decision recorded. The young person's answer clock now runs."))


@staff_required
@require_POST
def mark_read(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_to_work_on(request.user, reference)
    try:
        services.mark_read(item=item, by=request.user)
    except Refused as refused:
        return _refused(request, item, refused)
    return _done(request, item, _("Marked as read. Its usual clock has started."))


@staff_required
@require_POST
def take(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_to_work_on(request.user, reference)
    try:
        services.assign(item=item, by=request.user, assignee=request.user)
    except Refused as refused:
        return _refused(request, item, refused)
    return _done(request, item, _("It is assigned to you."))


@staff_required
@require_POST
def assign(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_to_work_on(request.user, reference)
    form = AssignForm(request.POST, service_id=item.service_id)
    if not form.is_valid():
        return _item_page(request, item, status=400, assign_form=form)
    try:
        services.assign(item=item, by=request.user, assignee=form.cleaned_data["assignee"])
    except Refused as refused:
        return _refused(request, item, refused, assign_form=form)
    return _done(request, item, _("Assignment saved."))


@staff_required
@require_POST
def set_status(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_to_work_on(request.user, reference)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, status=400, status_form=form)
    try:
        services.set_status(item=item, by=request.user, status=form.cleaned_data["status"])
    except Refused as refused:
        return _refused(request, item, refused, status_form=form)
    return _done(request, item, _("Status changed."))


@staff_required
@require_POST
def reply(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_for_staff(request.user, reference)
    advocacy = access.advocacy_for(request.user, item)
    form = StaffReplyForm(
        request.POST,
        status=item.status,
        advocate=advocacy is not None,
        service_id=item.service_id,
    )
    if "use_saved_reply" in request.POST:
        # "Use": never sends. The page again, the saved reply in the box to read first.
        filled = form.filled_from_saved_reply()
        return _item_page(request, item, status=400 if filled.errors else 200, reply_form=filled)
    if not form.is_valid():
        return _item_page(request, item, status=400, reply_form=form)
    data = form.cleaned_data
    try:
        services.staff_reply(
            item=item,
            by=request.user,
            text=data["text"],
            as_team=data.get("as_team", False),
            change=data.get("change", ""),
            change_description=data.get("change_description", ""),
            key=data["key"],
            advocacy=advocacy,
        )
    except Refused as refused:
        return _refused(request, item, refused, reply_form=form)
    if item.assignee_id is None and services.can_be_assigned(item, request.user):
        return _done(request, item, _("Reply sent to the young person. It is now assigned to you."))
    return _done(request, item, _("Reply sent to the young person."))


@staff_required
@require_POST
def note(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_to_work_on(request.user, reference)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, status=400, note_form=form)
    try:
        services.add_note(
            item=item, by=request.user, text=form.cleaned_data["text"], key=form.cleaned_data["key"]
        )
    except Refused as refused:
        return _refused(request, item, refused, note_form=form)
    return _done(request, item, _("Note added. The young person cannot see it."))


@staff_required
@require_POST
def resolve(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_to_work_on(request.user, reference)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, status=400, resolve_form=form)
    data = form.cleaned_data
    try:
        services.resolve(
            item=item, by=request.user, outcome=data["outcome"], text=data["text"], key=data["key"]
        )
    except Refused as refused:
        return _refused(request, item, refused, resolve_form=form)
    return _done(request, item, _("Resolved. The young person is asked if it sorted things."))


@staff_required
@require_POST
def extend(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_to_work_on(request.user, reference)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, status=400, extend_form=form)
    try:
        services.extend_clock(item=item, by=request.user, reason=form.cleaned_data["reason"])
    except Refused as refused:
        return _refused(request, item, refused, extend_form=form)
    return _done(request, item, _("Clock extended. The young person has been told."))


@staff_required
@require_POST
def stage(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_to_work_on(request.user, reference)
    form = StageForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, status=400, stage_form=form)
    data = form.cleaned_data
    try:
        services.move_stage(
            item=item, by=request.user, reason=data["reason"], from_stage=data["from_stage"]
        )
    except Refused as refused:
        return _refused(request, item, refused, stage_form=form)
    return _done(request, item, _("The complaint moved to the next stage."))


@staff_required
@require_POST
def reroute(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_to_work_on(request.user, reference)
    form = RerouteForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, status=400, reroute_form=form)
    data = form.cleaned_data
    try:
        services.reroute(item=item, by=request.user, service=data["service"], reason=data["reason"])
    except Refused as refused:
        return _refused(request, item, refused, reroute_form=form)
    if not access.items_for_staff(request.user).filter(pk=item.pk).exists():
        # Out of this person's reach now: a page that says where it went, not a queue
        # with the item quietly gone from it.
        return redirect("feedback:staff_moved", reference=item.reference)
    messages.success(request, _("Sent to %(service)s.") % {"service": data["service"].name})
    return redirect("feedback:staff_item", reference=item.reference)


@staff_required
def moved(request: SignedInRequest, reference: str) -> HttpResponse:
    """Where an item this worker moved went, once they can no longer open it."""
    event = access.move_made_by(request.user, reference)
    return render(
        request,
        "feedback/staff/moved.html",
        {
            "reference": reference,
            "service": event.data.get("service", ""),
            "moved_at": event.created_at,
            "still_visible": access.items_for_staff(request.user)
            .filter(reference=reference)
            .exists(),
        },
    )


@staff_required
def audit(request: SignedInRequest, reference: str) -> HttpResponse:
    access.require(access.can_read_audit(request.user))
    obj = access.item_for_staff(request.user, reference)
    views = StaffView.objects.filter(item=obj).select_related("user")[:500]
    return render(request, "feedback/staff/audit.html", {"item": obj, "views": views})


# --- The idle sign-out, seen from the page ------------------------------------------------


@staff_required
def session_left(request: SignedInRequest) -> JsonResponse:
    """How long before the idle sign-out, for the page's warning. The page asks in the
    background (X-Queue-Refresh), so asking is not being at work and restarts nothing."""
    return JsonResponse({"seconds_left": idle_seconds_left(request)})


@staff_required
@require_POST
def stay_signed_in(request: SignedInRequest) -> JsonResponse:
    """The warning's "Stay signed in": a person pressed it, so the idle clock starts again
    (the middleware skips writing within a minute of the last time; this always writes)."""
    request.session[STAFF_LAST_ACTIVE] = time.time()
    return JsonResponse({"seconds_left": idle_seconds_left(request)})
