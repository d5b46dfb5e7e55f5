"""The council's pages, the moderation queue, actions, meetings and the public board.

Each view: gate (participation.access), form, service, redirect.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation import access, figures, services
from participation.charts import horizontal
from participation.forms import (
    ActionUpdateForm,
    AgendaItemForm,
    AgreeActionForm,
    ExcerptForm,
    ItemActionForm,
    ItemStartActionForm,
    LinkItemsForm,
    MeetingForm,
    MergeForm,
    MinutesForm,
    ProposeActionForm,
    TagForm,
    TakeoverQuestionForm,
    ThemeForm,
)
from participation.models import (
    Action,
    ActionStatus,
    Excerpt,
    Meeting,
    TakeoverQuestion,
    Theme,
)
from portal.exports import csv_download
from portal.models import Service
from portal.permissions import SignedInRequest
from portal.refusals import Refused

MODERATION_PAGE = 30


def _run(form: forms.Form, change: Callable[[], object]) -> bool:
    """Call the service; a refusal goes beside its field (or at the top), and nothing is saved."""
    try:
        change()
    except Refused as refused:
        refused.add_to(form)
        return False
    return True


# --- The dashboard ----------------------------------------------------------------------


def _figures(request: HttpRequest, **fixed: str) -> figures.Figures:
    return figures.figures(
        period=fixed.get("period", request.GET.get("period", figures.DEFAULT_PERIOD)),
        audience=fixed.get("audience", request.GET.get("who", "")),
    )


def _charts(result: figures.Figures) -> list[dict[str, object]]:
    charts = []
    for table in result.tables:
        chart = horizontal([(row.label, row.total.value) for row in table.rows])
        charts.append({"table": table, "chart": chart})
    return charts


def _quotes(result: figures.Figures, limit: int = 6) -> list[Excerpt]:
    start, end = figures.period_bounds(result.months)
    quotes = Excerpt.objects.approved().received_between(start, end).select_related("theme")
    if result.audience:
        quotes = quotes.filter(item__audience=result.audience)
    return list(quotes[:limit])


@access.council_required
def council(request: SignedInRequest) -> HttpResponse:
    result = _figures(request)
    return render(
        request,
        "participation/council.html",
        {
            "figures": result,
            "charts": _charts(result),
            "quotes": _quotes(result),
            "periods": [(key, label) for key, (_n, label) in figures.PERIODS.items()],
            "audiences": list(figures.AUDIENCES.items()),
            "proposed_themes": Theme.objects.live().filter(state="proposed"),
            "may_moderate": access.is_moderator(request.user),
        },
    )


@access.council_required
def council_csv(request: SignedInRequest) -> HttpResponse:
    result = _figures(request)
    name = (
        f"council-{result.months[0]:%Y-%m}-{result.months[-1]:%Y-%m}-{result.audience or 'all'}.csv"
    )
    return csv_download(request, name, figures.csv_rows(result))


# --- Themes -----------------------------------------------------------------------------


@access.council_required
def themes(request: SignedInRequest) -> HttpResponse:
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        moderator = access.is_moderator(request.user)
        if _run(
            form,
            lambda: services.propose_theme(
                name=form.cleaned_data["name"], by=request.user, agreed=moderator
            ),
        ):
            messages.success(
                request,
                _("Theme added.") if moderator else _("Theme proposed. Staff will look at it."),
            )
            return redirect("participation:themes")
    return render(
        request,
        "participation/themes.html",
        {
            "form": form,
            "themes": Theme.objects.live().select_related("topic"),
            "may_moderate": access.is_moderator(request.user),
        },
        status=400 if form.errors else 200,
    )


@access.council_required
def theme(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.theme_for(request.user, pk)
    result = _figures(request)
    row = next((r for r in result.table("themes").rows if r.key == str(obj.pk)), None)
    form = ProposeActionForm(initial={"themes": [obj.pk]})
    return render(
        request,
        "participation/theme.html",
        {
            "theme": obj,
            "figures": result,
            "row": row,
            "columns": result.table("themes").columns,
            "quotes": Excerpt.objects.approved().filter(theme=obj)[:10],
            "actions": obj.actions.exclude(status=ActionStatus.PROPOSED).select_related("service"),
            "form": form,
            "merge_form": MergeForm(theme=obj),
            "may_moderate": access.is_moderator(request.user),
        },
    )


@access.moderator_required
@require_POST
def theme_agree(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.theme_for(request.user, pk)
    services.agree_theme(theme=obj, by=request.user)
    messages.success(request, _("Theme agreed."))
    return redirect("participation:themes")


@access.moderator_required
@require_POST
def theme_merge(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.theme_for(request.user, pk)
    form = MergeForm(request.POST, theme=obj)
    if form.is_valid() and _run(
        form,
        lambda: services.merge_themes(theme=obj, into=form.cleaned_data["into"], by=request.user),
    ):
        messages.success(request, _("Themes merged. Their history is kept."))
        return redirect("participation:theme", pk=form.cleaned_data["into"].pk)
    messages.error(request, _("Choose a theme to merge into."))
    return redirect("participation:theme", pk=obj.pk)


# --- Tagging and linking, from the staff item page ------------------------------------


@access.actions_required
@require_POST
def item_tag(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_for_tagging(request.user, reference)
    form = TagForm(request.POST)
    if form.is_valid():
        services.tag_item(item=item, theme=form.cleaned_data["theme"], by=request.user)
        messages.success(request, _("Theme added to the item."))
    else:
        messages.error(request, _("Choose a theme."))
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
        messages.error(request, _("Say in a few words what young people said."))
        return redirect(_back(request, item.reference))
    action = services.propose_action(
        you_said=form.cleaned_data["you_said"],
        by=request.user,
        themes=[t for t in [access.topic_theme(item)] if t is not None],
        service=item.service,
    )
    services.link_items(action=action, items=[item], by=request.user)
    messages.success(request, _("Action started. Staff with the permission will agree it."))
    return redirect("participation:action", pk=action.pk)


def _back(request: HttpRequest, reference: str) -> str:
    if request.POST.get("back") == "moderation":
        return reverse("participation:moderation")
    return reverse("feedback:staff_item", args=[reference])


# --- Moderation ---------------------------------------------------------------------------


@access.moderator_required
def moderation(request: SignedInRequest) -> HttpResponse:
    items = (
        access.items_for_moderation(request.user)
        .exclude(excerpts__approved_at__isnull=False)
        .select_related("topic")
        .prefetch_related("theme_tags__theme")
        .order_by("-created_at")[:MODERATION_PAGE]
    )
    return render(
        request,
        "participation/moderation.html",
        {
            "items": items,
            "tag_form": TagForm(),
            "excerpts": Excerpt.objects.approved().select_related("theme", "item")[:50],
        },
    )


@access.moderator_required
def excerpt_new(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_for_moderation(request.user, reference)
    form = ExcerptForm(request.POST or None, initial={"text": ""})
    approved = (
        request.method == "POST"
        and form.is_valid()
        and _run(
            form,
            lambda: services.approve_excerpt(
                item=item,
                text=form.cleaned_data["text"],
                theme=form.cleaned_data["theme"],
                by=request.user,
            ),
        )
    )
    if approved:
        messages.success(request, _("Excerpt approved. The council can read it now."))
        return redirect("participation:moderation")
    return render(
        request,
        "participation/excerpt_new.html",
        {"item": item, "form": form},
        status=400 if form.errors else 200,
    )


@access.moderator_required
@require_POST
def excerpt_withdraw(request: SignedInRequest, pk: str) -> HttpResponse:
    excerpt = access.excerpt_for(request.user, pk)
    services.withdraw_excerpt(excerpt=excerpt, by=request.user)
    messages.success(request, _("Excerpt withdrawn. The council can no longer read it."))
    return redirect("participation:moderation")


# --- Actions ----------------------------------------------------------------------------


@access.actions_required
def actions(request: SignedInRequest) -> HttpResponse:
    rows = access.actions_for(request.user).with_updates()
    return render(request, "participation/actions.html", {"actions": rows})


@access.council_required
@require_POST
def action_propose(request: SignedInRequest) -> HttpResponse:
    form = ProposeActionForm(request.POST)
    if form.is_valid():
        holder: list[Action] = []
        if _run(
            form,
            lambda: holder.append(
                services.propose_action(
                    you_said=form.cleaned_data["you_said"],
                    we_will=form.cleaned_data["we_will"],
                    themes=form.cleaned_data["themes"],
                    by=request.user,
                )
            ),
        ):
            messages.success(request, _("Action proposed. Staff will look at it."))
            return redirect("participation:action", pk=holder[0].pk)
    return render(request, "participation/action_propose.html", {"form": form}, status=400)


def _action_context(
    request: SignedInRequest, action: Action, **forms_: forms.Form
) -> dict[str, object]:
    user = request.user
    may_agree = access.may_agree(user, action)
    may_update = access.may_update(user, action)
    context: dict[str, object] = {
        "action": action,
        "updates": action.updates.select_related("meeting"),
        "item_count": action.items.count(),
        "may_agree": may_agree and action.status == ActionStatus.PROPOSED,
        "may_update": may_update and action.status != ActionStatus.PROPOSED,
        "may_link": may_update and access.is_staff(user),
        "agree_form": AgreeActionForm(
            initial={"service": action.service_id, "we_will": action.we_will},
            services=access.services_to_agree_for(user),
        ),
        "update_form": ActionUpdateForm(initial={"status": action.status}),
        "link_form": LinkItemsForm(),
    }
    context.update(forms_)
    return context


@access.actions_required
def action(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.action_for(request.user, pk)
    return render(request, "participation/action.html", _action_context(request, obj))


@access.actions_required
@require_POST
def action_agree(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.action_for(request.user, pk)
    if not access.may_agree(request.user, obj):
        raise Http404
    form = AgreeActionForm(request.POST, services=access.services_to_agree_for(request.user))
    if form.is_valid():
        data = form.cleaned_data
        if _run(
            form,
            lambda: services.agree_action(
                action=obj,
                by=request.user,
                service=data["service"],
                lead=data["lead"],
                we_will=data["we_will"],
                due_on=data["due_on"],
                review_on=data["review_on"],
                public=data["public"],
                progress=data["progress"],
            ),
        ):
            messages.success(request, _("Action agreed. The young people it answers are told."))
            return redirect("participation:action", pk=obj.pk)
    context = _action_context(request, obj, agree_form=form)
    return render(request, "participation/action.html", context, status=400)


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
        data = form.cleaned_data
        if _run(
            form,
            lambda: services.update_action(
                action=obj,
                by=request.user,
                text=data["text"],
                status=data["status"],
                progress=data["progress"],
                we_did=data["we_did"],
                reason=data["reason"],
                review_on=data["review_on"],
                meeting=meeting,
            ),
        ):
            messages.success(request, _("Update saved."))
            if meeting is not None:
                return redirect("participation:meeting", pk=meeting.pk)
            return redirect("participation:action", pk=obj.pk)
    context = _action_context(request, obj, update_form=form)
    return render(request, "participation/action.html", context, status=400)


@access.actions_required
@require_POST
def action_link(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.action_for(request.user, pk)
    if not (access.may_update(request.user, obj) and access.is_staff(request.user)):
        raise Http404
    form = LinkItemsForm(request.POST)
    if form.is_valid():
        found = list(
            access.items_for_tagging(request.user).filter(
                reference__in=form.cleaned_data["references"]
            )
        )
        if len(found) == len(form.cleaned_data["references"]):
            services.link_items(action=obj, items=found, by=request.user)
            messages.success(request, _("Items linked."))
            return redirect("participation:action", pk=obj.pk)
        form.add_error("references", _("Some references were not found. Check them and try again."))
    context = _action_context(request, obj, link_form=form)
    return render(request, "participation/action.html", context, status=400)


# --- The public board -----------------------------------------------------------------


def board(request: HttpRequest) -> HttpResponse:
    """Public actions, no sign-in: what young people said and what services did."""
    rows = Action.objects.public()
    params = request.GET
    theme = params.get("theme", "")
    if theme.isascii() and theme.isdigit() and len(theme) < 10:
        rows = rows.filter(themes__pk=int(theme))
    service = params.get("service", "")
    if service.isascii() and service.isdigit() and len(service) < 10:
        rows = rows.filter(service_id=int(service))
    if params.get("status") in ActionStatus.values:
        rows = rows.filter(status=params["status"])
    rows = rows.distinct().with_updates().order_by("-updated_at")[:100]
    return render(
        request,
        "participation/board.html",
        {
            "actions": rows,
            "themes": Theme.objects.filter(actions__in=Action.objects.public()).distinct(),
            "services": Service.objects.filter(actions__in=Action.objects.public()).distinct(),
            "statuses": [(s.value, s.label) for s in ActionStatus if s != ActionStatus.PROPOSED],
            "filters": params,
        },
    )


# --- Meetings ---------------------------------------------------------------------------


@access.council_required
def meetings(request: SignedInRequest) -> HttpResponse:
    moderator = access.is_moderator(request.user)
    form = MeetingForm(request.POST or None)
    if request.method == "POST":
        if not moderator:
            raise Http404
        holder: list[Meeting] = []
        if form.is_valid():
            data = form.cleaned_data
            if _run(
                form,
                lambda: holder.append(
                    services.create_meeting(
                        kind=data["kind"],
                        title=data["title"],
                        on=data["date"],
                        attendees=data["attendees"],
                        period_months=data["period_months"],
                        by=request.user,
                    )
                ),
            ):
                return redirect("participation:meeting", pk=holder[0].pk)
    return render(
        request,
        "participation/meetings.html",
        {"meetings": Meeting.objects.all()[:100], "form": form, "may_moderate": moderator},
        status=400 if form.errors else 200,
    )


def _meeting_context(
    request: SignedInRequest, meeting: Meeting, **forms_: forms.Form
) -> dict[str, object]:
    moderator = access.is_moderator(request.user)
    context: dict[str, object] = {
        "meeting": meeting,
        "for_review": meeting.actions_for_review().with_updates(),
        "agenda_items": meeting.agenda_items.all(),
        "questions": meeting.questions.select_related("service", "action"),
        "decisions": meeting.decisions.select_related("action"),
        "may_moderate": moderator,
        "agenda_form": AgendaItemForm(),
        "minutes_form": MinutesForm(
            initial={"minutes": meeting.minutes, "attendees": meeting.attendees}
        ),
        "question_form": TakeoverQuestionForm(),
        "update_form": ActionUpdateForm(),
    }
    context.update(forms_)
    return context


@access.actions_required
def meeting(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.meeting_for(request.user, pk)
    return render(request, "participation/meeting.html", _meeting_context(request, obj))


@access.moderator_required
@require_POST
def meeting_agenda(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.meeting_for(request.user, pk)
    form = AgendaItemForm(request.POST)
    if form.is_valid() and _run(
        form,
        lambda: services.add_agenda_item(
            meeting=obj, title=form.cleaned_data["title"], by=request.user
        ),
    ):
        return redirect("participation:meeting", pk=obj.pk)
    context = _meeting_context(request, obj, agenda_form=form)
    return render(request, "participation/meeting.html", context, status=400)


@access.moderator_required
@require_POST
def meeting_minutes(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.meeting_for(request.user, pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        services.record_minutes(
            meeting=obj,
            by=request.user,
            minutes=form.cleaned_data["minutes"],
            attendees=form.cleaned_data["attendees"],
        )
        messages.success(request, _("Minutes saved."))
        return redirect("participation:meeting", pk=obj.pk)
    context = _meeting_context(request, obj, minutes_form=form)
    return render(request, "participation/meeting.html", context, status=400)


@access.moderator_required
@require_POST
def meeting_question(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.meeting_for(request.user, pk)
    form = TakeoverQuestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if _run(
            form,
            lambda: services.add_takeover_question(
                meeting=obj,
                service=data["service"],
                question=data["question"],
                finding=data["finding"],
                by=request.user,
            ),
        ):
            return redirect("participation:meeting", pk=obj.pk)
    context = _meeting_context(request, obj, question_form=form)
    return render(request, "participation/meeting.html", context, status=400)


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


def _pack(
    request: HttpRequest, meeting: Meeting
) -> tuple[figures.Figures, list[Action], list[Excerpt]]:
    if not meeting.is_board:
        raise Http404
    period = str(meeting.period_months) if str(meeting.period_months) in figures.PERIODS else "12"
    result = figures.figures(period=period, today=meeting.date)
    rows = list(
        Action.objects.exclude(status=ActionStatus.PROPOSED)
        .with_updates()
        .order_by("status", "-updated_at")
    )
    return result, rows, _quotes(result, limit=10)


@access.council_required
def board_pack(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.meeting_for(request.user, pk)
    result, rows, quotes = _pack(request, obj)
    return render(
        request,
        "participation/board_pack.html",
        {
            "meeting": obj,
            "figures": result,
            "actions": rows,
            "quotes": quotes,
            "charts": _charts(result),
        },
    )


@access.council_required
def board_pack_csv(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.meeting_for(request.user, pk)
    result, rows, quotes = _pack(request, obj)
    lines = figures.csv_rows(result)
    lines += [
        [],
        [_("Actions")],
        [
            _("Action"),
            _("Service"),
            _("Status"),
            _("Progress (%)"),
            _("Review date"),
            _("Latest update"),
        ],
    ]
    for action in rows:
        latest = action.latest_update()
        lines.append(
            [
                action.you_said,
                action.service.name if action.service else "",
                action.get_status_display(),
                str(action.progress),
                action.review_on.isoformat() if action.review_on else "",
                latest.text if latest else "",
            ]
        )
    lines += [[], [_("What young people said (approved excerpts)")]]
    lines += [[quote.text] for quote in quotes]
    return csv_download(request, f"board-pack-{obj.date.isoformat()}.csv", lines)
