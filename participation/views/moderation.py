"""Moderation: items whose authors agreed to share, and the excerpts approved from them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation import access, services
from participation.forms import ExcerptForm, TagForm
from participation.models import Excerpt
from portal.permissions import SignedInRequest
from portal.refusals import Refused

MODERATION_PAGE = 30


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
    if request.method != "POST":
        form = ExcerptForm(initial={"text": ""})
        return render(request, "participation/excerpt_new.html", {"item": item, "form": form})
    form = ExcerptForm(request.POST)
    if form.is_valid():
        try:
            services.approve_excerpt(
                item=item,
                text=form.cleaned_data["text"],
                theme=form.cleaned_data["theme"],
                by=request.user,
            )
        except Refused as refused:
            refused.add_to(form)
        else:
            messages.success(request, _("Excerpt approved. The council can read it now."))
            return redirect("participation:moderation")
    context = {"item": item, "form": form}
    return render(request, "participation/excerpt_new.html", context, status=400)


@access.moderator_required
@require_POST
def excerpt_withdraw(request: SignedInRequest, pk: str) -> HttpResponse:
    excerpt = access.excerpt_for(request.user, pk)
    services.withdraw_excerpt(excerpt=excerpt, by=request.user)
    messages.success(request, _("Excerpt withdrawn. The council can no longer read it."))
    return redirect("participation:moderation")
