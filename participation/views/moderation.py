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
    items = list(
        access.items_for_moderation(request.user)
        .exclude(excerpts__in=Excerpt.objects.live().filter(approved_by__isnull=False))
        .select_related("topic")
        .prefetch_related("theme_tags__theme")
        .order_by("-created_at")[:MODERATION_PAGE]
    )
    waiting = list(access.excerpts_awaiting_second(request.user).select_related("theme", "item"))
    known = services.known_names()
    return render(
        request,
        "participation/moderation.html",
        {
            "items": [(item, services.marked(item.words, known)) for item in items],
            "waiting": [(excerpt, services.marked(excerpt.text, known)) for excerpt in waiting],
            "tag_form": TagForm(),
            "excerpts": Excerpt.objects.approved().select_related("theme", "item")[:50],
        },
    )


@access.moderator_required
def excerpt_new(request: SignedInRequest, reference: str) -> HttpResponse:
    item = access.item_for_moderation(request.user, reference)
    if request.method != "POST":
        form = ExcerptForm(initial={"text": ""})
        context = {"item": item, "form": form, "marked": services.marked(item.words)}
        return render(request, "participation/excerpt_new.html", context)
    form = ExcerptForm(request.POST)
    if form.is_valid():
        try:
            excerpt = services.approve_excerpt(
                item=item,
                text=form.cleaned_data["text"],
                theme=form.cleaned_data["theme"],
                by=request.user,
            )
        except Refused as refused:
            refused.add_to(form)
        else:
            if excerpt.approved_at:
                messages.success(request, _("Excerpt approved. The council can read it now."))
            else:
                messages.success(
                    request,
                    _(
                        "Something in these words could show who someone is. "
                        "Another moderator must approve it before the council sees it."
                    ),
                )
            return redirect("participation:moderation")
    context = {"item": item, "form": form, "marked": services.marked(item.words)}
    return render(request, "participation/excerpt_new.html", context, status=400)


@access.moderator_required
@require_POST
def excerpt_withdraw(request: SignedInRequest, pk: str) -> HttpResponse:
    excerpt = access.excerpt_for(request.user, pk)
    services.withdraw_excerpt(excerpt=excerpt, by=request.user)
    messages.success(request, _("Excerpt withdrawn. The council can no longer read it."))
    return redirect("participation:moderation")


@access.moderator_required
@require_POST
def excerpt_approve_again(request: SignedInRequest, pk: str) -> HttpResponse:
    excerpt = access.excerpt_awaiting_second(request.user, pk)
    try:
        services.approve_excerpt_again(excerpt=excerpt, by=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Excerpt approved. The council can read it now."))
    return redirect("participation:moderation")
