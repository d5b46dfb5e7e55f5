"""Themes: the list (and proposing one), a theme's page, agreeing and merging."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation import access, services
from participation.forms import MergeForm, ProposeActionForm, ThemeForm
from participation.models import ActionStatus, Excerpt, Theme
from participation.views.dashboard import figures_asked
from portal.permissions import SignedInRequest
from portal.refusals import Refused


def _themes_page(request: SignedInRequest, form: ThemeForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "participation/themes.html",
        {
            "form": form,
            "themes": Theme.objects.live().select_related("topic"),
            "may_moderate": access.is_moderator(request.user),
        },
        status=status,
    )


@access.council_required
def themes(request: SignedInRequest) -> HttpResponse:
    if request.method != "POST":
        return _themes_page(request, ThemeForm())
    form = ThemeForm(request.POST)
    moderator = access.is_moderator(request.user)
    if form.is_valid():
        try:
            services.propose_theme(
                name=form.cleaned_data["name"], by=request.user, agreed=moderator
            )
        except Refused as refused:
            refused.add_to(form)
        else:
            added = _("Theme added.") if moderator else _("Theme proposed. Staff will look at it.")
            messages.success(request, added)
            return redirect("participation:themes")
    return _themes_page(request, form, status=400)


@access.council_required
def theme(request: SignedInRequest, pk: str) -> HttpResponse:
    obj = access.theme_for(request.user, pk)
    result = figures_asked(request)
    row = next((r for r in result.table("themes").rows if r.key == str(obj.pk)), None)
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
            "form": ProposeActionForm(initial={"themes": [obj.pk]}),
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
    if not form.is_valid():
        messages.error(request, str(form.errors["into"][0]))
        return redirect("participation:theme", pk=obj.pk)
    try:
        into = services.merge_themes(theme=obj, into=form.cleaned_data["into"], by=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect("participation:theme", pk=obj.pk)
    messages.success(request, _("Themes merged. Their history is kept."))
    return redirect("participation:theme", pk=into.pk)
